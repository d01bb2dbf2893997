"""Scale: one thread growing to 100,000 messages (the documented limit of a thread).

- append: `POST /v1/threads/{id}/messages` through `fake.handle` (the sans-IO core every transport calls;
  the SDK's own cost per call does not depend on the thread's size), timed one by one;
- page of 100: `GET /v1/threads/{id}/messages?limit=100` (newest first) and a page from the middle
  (`after=` an id halfway);
- after every 1% of growth, PROBES appends and pages on the big thread alternate with the same on a small
  reference thread (about REFERENCE_SIZE messages): the big thread's time over the reference's, first 10%
  against last 10%, is flatness with the machine's drift (other processes, CPU clocks) taken out;
- auto-paginating all of it: `for m in client.beta.threads.messages.list(limit=100, order="asc")` through
  the SDK, timed page by page;
- memory: tracemalloc around appending messages to a fresh thread, per message, less the text itself;
  without the call journal (the thread's storage alone) and with it (the default, which keeps every
  request and response for `fake.calls`).
"""

from __future__ import annotations

import gc
import json
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from typing import Any

from fake_assistants import ApiRequest, FakeAssistants, ManualClock

BETA = {"openai-beta": "assistants=v2"}
TEXT_CHARS = 100


def text_for(number: int) -> str:
    return f"Message {number:06d}: " + "x" * (TEXT_CHARS - 16)


def send(fake: FakeAssistants, method: str, path: str, body: bytes = b"", query: str = "") -> Any:
    response = fake.handle(ApiRequest.build(method, path, query=query, headers=BETA, body=body))
    assert response.status == 200 and isinstance(response.body, bytes), response.body
    return response.body


def new_thread(fake: FakeAssistants) -> str:
    return str(json.loads(send(fake, "POST", "/v1/threads"))["id"])


def body_for(number: int) -> bytes:
    return json.dumps({"role": "user", "content": text_for(number)}).encode()


PROBES = 21  # paired probes per 1% of growth
REFERENCE_SIZE = 1_000  # messages in the small reference thread the probes are paired with
CLOCK = time.process_time  # CPU time: on a shared machine the wall clock counts other processes too


@dataclass
class Step:
    """At one point of growth: medians of paired probes on the big thread and on the small reference."""

    append: float
    append_reference: float
    newest_page: float
    newest_page_reference: float
    middle_page: float
    middle_page_reference: float


@dataclass
class Growth:
    append_seconds: list[float]  # every append to the big thread, in order
    steps: list[Step]  # one per 1% of growth


class Thread:
    """A thread in a fake, with the ids of its messages, appended to and paged by the probes."""

    def __init__(self, fake: FakeAssistants) -> None:
        self.fake = fake
        self.id = new_thread(fake)
        self.path = f"/v1/threads/{self.id}/messages"
        self.ids: list[str] = []

    def append(self, number: int) -> float:
        body = body_for(number)
        start = CLOCK()
        raw = send(self.fake, "POST", self.path, body)
        elapsed = CLOCK() - start
        at = raw.index(b'"msg_') + 1
        self.ids.append(raw[at:raw.index(b'"', at)].decode())
        return elapsed

    def newest_page(self) -> float:
        start = CLOCK()
        send(self.fake, "GET", self.path, query="limit=100")
        return CLOCK() - start

    def middle_page(self) -> float:
        query = f"limit=100&order=asc&after={self.ids[len(self.ids) // 2]}"
        start = CLOCK()
        send(self.fake, "GET", self.path, query=query)
        return CLOCK() - start


def reference_thread() -> Thread:
    thread = Thread(FakeAssistants(seed=1, clock=ManualClock()))
    for number in range(REFERENCE_SIZE):
        thread.append(number)
    return thread


def probe(big: Thread, small: Thread, number: int) -> Step:
    """PROBES appends and pages on each thread, alternating, so both meet the machine in the same state."""
    found: dict[str, list[float]] = {key: [] for key in Step.__dataclass_fields__}
    for offset in range(PROBES):
        found["append"].append(big.append(number + offset))
        found["append_reference"].append(small.append(offset))
        found["newest_page"].append(big.newest_page())
        found["newest_page_reference"].append(small.newest_page())
        found["middle_page"].append(big.middle_page())
        found["middle_page_reference"].append(small.middle_page())
    return Step(**{key: statistics.median(values) for key, values in found.items()})


def grow(fake: FakeAssistants, messages: int) -> tuple[Thread, Growth]:
    """Append `messages` messages to a new thread; after every 1%, probes paired with a small thread."""
    big = Thread(fake)
    appends: list[float] = []
    steps: list[Step] = []
    small = reference_thread()
    step = messages // 100
    while len(big.ids) < messages:
        for _ in range(step - PROBES):
            appends.append(big.append(len(big.ids)))
        if len(small.ids) > 2 * REFERENCE_SIZE:
            small = reference_thread()
        steps.append(probe(big, small, len(big.ids)))
    return big, Growth(appends, steps)


def tenths(values: list[float]) -> tuple[float, float]:
    """Median of the first 10% and of the last 10% (a garbage-collection pause in one sample is not the
    fake's scaling; the means, which include them, are reported beside)."""
    tenth = max(1, len(values) // 10)
    return statistics.median(values[:tenth]), statistics.median(values[-tenth:])


def mean_tenths(values: list[float]) -> tuple[float, float]:
    tenth = max(1, len(values) // 10)
    return statistics.fmean(values[:tenth]), statistics.fmean(values[-tenth:])


def paginate(fake: FakeAssistants, thread_id: str) -> tuple[float, list[float], int]:
    """Through the SDK: total seconds, seconds per page of 100, and how many messages arrived."""
    client = fake.openai_client()
    try:
        client.beta.threads.messages.list(thread_id=thread_id, limit=1)  # warm up: the SDK's first call
        pages: list[float] = []
        count = 0
        start = page_start = CLOCK()
        for _ in client.beta.threads.messages.list(thread_id=thread_id, limit=100, order="asc"):
            count += 1
            if count % 100 == 0:
                now = CLOCK()
                pages.append(now - page_start)
                page_start = now
        return CLOCK() - start, pages, count
    finally:
        client.close()


def memory_per_message(messages: int, *, journal: bool) -> float:
    """Bytes the fake keeps per appended message: with its call journal (the default: every request and
    response kept for `fake.calls`), or with the journal limited to nothing (the thread's storage alone)."""
    fake = FakeAssistants(seed=0, clock=ManualClock())
    if not journal:
        fake.calls.limit = 0
    thread_id = new_thread(fake)
    path = f"/v1/threads/{thread_id}/messages"
    bodies = [body_for(number) for number in range(messages)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for body in bodies:
        send(fake, "POST", path, body)
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / messages


def normalized(steps: list[Step], name: str) -> tuple[float, float]:
    """The big thread's time over the reference's, median over the first and over the last 10% of steps."""
    ratios = [getattr(step, name) / getattr(step, f"{name}_reference") for step in steps]
    return tenths(ratios)


def measure(messages: int, memory_messages: int) -> dict[str, Any]:
    fake = FakeAssistants(seed=0, clock=ManualClock())
    started = time.perf_counter()
    big, growth = grow(fake, messages)
    grow_seconds = time.perf_counter() - started
    thread_id = big.id
    total, pages, count = paginate(fake, thread_id)
    assert count == messages, (count, messages)
    return {
        "messages": messages,
        "grow_seconds": grow_seconds,
        "append": tenths(growth.append_seconds),
        "append_mean": mean_tenths(growth.append_seconds),
        "append_normalized": normalized(growth.steps, "append"),
        "newest_page": tenths([step.newest_page for step in growth.steps]),
        "newest_page_normalized": normalized(growth.steps, "newest_page"),
        "middle_page": tenths([step.middle_page for step in growth.steps]),
        "middle_page_normalized": normalized(growth.steps, "middle_page"),
        "paginate_seconds": total,
        "paginate_pages": len(pages),
        "paginate_page": tenths(pages),
        "paginate_page_mean": mean_tenths(pages),
        "memory_messages": memory_messages,
        "bytes_per_message": memory_per_message(memory_messages, journal=False),
        "bytes_per_message_with_journal": memory_per_message(memory_messages, journal=True),
        "text_bytes": float(sys.getsizeof(text_for(0))),
    }
