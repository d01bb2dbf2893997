"""The transcript's cost: `fake.transcript()` on a thread of 10,000 messages (and 100,000), and its size.

    python bench/transcript.py

Prints, per thread size, the median CPU time of one transcript (`time.process_time`, 5 rounds) and its length in
characters: the length stays bounded (the first and newest entries only), the time grows with the thread because
every message is read to order it. The tests check the size only (tests/harness/test_transcript.py).
"""

from __future__ import annotations

import statistics
import time

from fake_assistants import FakeAssistants, ManualClock

SIZES = (1_000, 10_000, 100_000)
ROUNDS = 5


def fake_with(messages: int) -> FakeAssistants:
    fake = FakeAssistants(clock=ManualClock())
    fake.load_state({"threads": [{"id": "thread_big"}], "messages": [
        {"id": f"msg_{n:06}", "thread_id": "thread_big", "role": "user", "content": f"message number {n}"}
        for n in range(messages)]})
    return fake


def main() -> None:
    print("| messages | transcript (ms, median CPU) | characters |")
    print("| ---: | ---: | ---: |")
    for size in SIZES:
        fake = fake_with(size)
        times = []
        for _ in range(ROUNDS):
            started = time.process_time()
            text = fake.transcript()
            times.append(time.process_time() - started)
        print(f"| {size:,} | {statistics.median(times) * 1000:.1f} | {len(text):,} |")


if __name__ == "__main__":
    main()
