"""Time is injected: the default clock reads the system clock at call time (so freezegun and
time-machine apply), a ManualClock moves only when told, and the same seed gives the same ids."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
import time_machine
from freezegun import freeze_time

from fake_assistants import ApiRequest, FakeAssistants, ManualClock
from fake_assistants.core.clock import RequestClock

BETA = {"OpenAI-Beta": "assistants=v2"}
FROZEN = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)


def create_assistant(fake: FakeAssistants) -> dict[str, object]:
    response = fake.handle(ApiRequest.build("POST", "/v1/assistants", headers=BETA, body=b'{"model": "gpt-4o"}'))
    assert response.status == 200
    assert isinstance(response.body, bytes)
    return dict(json.loads(response.body))


def test_freezegun_sets_created_at() -> None:
    with freeze_time(FROZEN):
        assistant = create_assistant(FakeAssistants(seed=0))
    assert assistant["created_at"] == int(FROZEN.timestamp())


def test_time_machine_sets_created_at_and_moves() -> None:
    fake = FakeAssistants(seed=0)
    with time_machine.travel(FROZEN, tick=False) as traveller:
        first = create_assistant(fake)
        traveller.shift(dt.timedelta(seconds=90))
        second = create_assistant(fake)
    assert (first["created_at"], second["created_at"]) == (int(FROZEN.timestamp()), int(FROZEN.timestamp()) + 90)


def test_one_request_reads_the_time_once() -> None:
    """A thread and the messages created with it share `created_at`, as the service's did, even on a clock that
    moves at every reading (freezegun's auto_tick_seconds); the next request reads it again."""
    fake = FakeAssistants(seed=0)
    client = fake.openai_client()
    with freeze_time(FROZEN, auto_tick_seconds=1):
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "One"}, {"role": "user",
                                                                                         "content": "Two"}])
        messages = client.beta.threads.messages.list(thread.id, order="asc").data
        later = client.beta.threads.create()
    assert [m.created_at for m in messages] == [thread.created_at] * 2
    assert later.created_at > thread.created_at
    client.close()


def test_a_request_clock_pins_per_thread_and_reads_again_after_a_suspension() -> None:
    clock = ManualClock(100)
    reading = RequestClock(clock)
    assert reading.now() == 100
    clock.advance(1)
    assert reading.now() == 101  # outside a request: every read reads the clock
    reading.pin()
    first = reading.now()
    clock.advance(1)
    seen_elsewhere: list[int] = []
    worker = threading.Thread(target=lambda: seen_elsewhere.append(reading.now()))
    worker.start()
    worker.join()
    assert (first, reading.now(), seen_elsewhere) == (101, 101, [102])  # another thread is not pinned
    suspended = reading.suspend()  # a model answers: what it asks of the fake reads its own time
    reading.pin()
    assert reading.now() == 102
    clock.advance(1)
    reading.unpin()
    reading.resume(suspended)
    assert reading.now() == 103  # back: read again, and pinned
    clock.advance(1)
    assert reading.now() == 103
    reading.unpin()
    clock.advance(1)
    assert reading.now() == 105


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(start=1_000)
    fake = FakeAssistants(seed=0, clock=clock)
    assert create_assistant(fake)["created_at"] == 1_000
    clock.advance(5)
    assert create_assistant(fake)["created_at"] == 1_005
    with pytest.raises(ValueError, match="backwards"):
        clock.advance(-1)


def test_same_seed_same_clock_gives_identical_bodies() -> None:
    def transcript(seed: int) -> list[bytes]:
        fake = FakeAssistants(seed=seed, clock=ManualClock(start=1_700_000_000))
        bodies = []
        for _ in range(3):
            response = fake.handle(ApiRequest.build("POST", "/v1/threads", headers=BETA))
            assert isinstance(response.body, bytes)
            bodies.append(response.body + (response.header("x-request-id") or "").encode())
        return bodies

    assert transcript(7) == transcript(7)
    assert transcript(7) != transcript(8)


@pytest.mark.parametrize("name", ["advance", "set"])
def test_moving_the_system_clock_names_what_moves_time(name: str) -> None:
    fake = FakeAssistants()
    with pytest.raises(AttributeError, match=f"no attribute '{name}': this fake reads the system clock") as caught:
        getattr(fake.clock, name)
    assert "FakeAssistants(clock=ManualClock())" in str(caught.value)
    assert 'clock="manual"' in str(caught.value) and "freezegun" in str(caught.value)
    assert (caught.value.name, caught.value.obj) == (name, fake.clock)


def test_the_system_clock_is_still_a_clock_without_advance_to_getattr_and_hasattr() -> None:
    clock = FakeAssistants().clock
    assert getattr(clock, "advance", None) is None
    assert not hasattr(clock, "set")
    with pytest.raises(AttributeError, match=r"^'SystemClock' object has no attribute 'tick'$"):
        clock.tick  # noqa: B018  (reading the attribute is what is tested)
