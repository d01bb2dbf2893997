"""When a run moves: a policy separate from what the transitions are (run_lifecycle)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from ..core.given import given


@dataclass(frozen=True, slots=True)
class Immediate:
    """The create response says `queued`; the next read sees the outcome."""


@dataclass(frozen=True, slots=True)
class AfterPolls:
    """`polls` reads of the run show it `in_progress`; the next one sees the outcome."""

    polls: int


@dataclass(frozen=True, slots=True)
class Manual:
    """Only `fake.advance(run_id)` moves the run, one status at a time."""


@dataclass(frozen=True, slots=True)
class AfterSeconds:
    """Virtual time: the first read shows the run in progress, and its outcome is visible once the fake's clock
    has moved `seconds` past the queueing."""

    seconds: float


@dataclass(frozen=True, slots=True)
class AsRecorded:
    """A run read as a recording read it (a fake built by `FakeAssistants.from_cassette`): each segment of the run
    (its start, then each `submit_tool_outputs`) shows `queued` to as many retrieves as the recording's did, then
    `in_progress` to as many, and the next retrieve sees the outcome. A segment the recording never polled moves
    at the first retrieve; other reads do not move the run."""

    segments: tuple[tuple[int, int], ...]  # per segment: (retrieves showing queued, retrieves showing in_progress)

    def reads(self, segment: int) -> tuple[int, int]:
        """(queued, in_progress) retrieves of segment `segment` (1: the run's start)."""
        return self.segments[segment - 1] if 0 < segment <= len(self.segments) else (0, 0)


Policy = Immediate | AfterPolls | Manual | AfterSeconds
RunPolicy = Policy | AsRecorded  # what one run may be given (`RunEngine.run_policies`)
PolicyName = Literal["immediate", "manual"]


def immediate() -> Immediate:
    """Runs (and ingestion) move at once: the create response says `queued`, the next read sees the outcome."""
    return Immediate()


def after_polls(n: int) -> AfterPolls:
    """The first `n` reads of a run see it `in_progress`; the next one sees its outcome (`n` >= 0)."""
    _whole("after_polls", "n", n, "reads that see the run in_progress")
    return AfterPolls(n)


def manual() -> Manual:
    """Runs move only when told, one status at a time: `fake.advance(run_id)`."""
    return Manual()


def after_seconds(seconds: float) -> AfterSeconds:
    """Virtual time: a run shows `in_progress` from its first read, and its outcome once the fake's clock is
    `seconds` (a number >= 0) past its queueing (its creation, or the submission of its tool outputs)."""
    meaning = "seconds on the fake's clock"
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TypeError(f"after_seconds: seconds must be a number >= 0 ({meaning}), not {given(seconds)}; pass a "
                        f"number, as after_seconds({_as_int(seconds)})")
    if not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"after_seconds needs seconds >= 0 ({meaning}), not {seconds}; pass 0 or more, as "
                         "after_seconds(0)")
    return AfterSeconds(seconds)


ACCEPTED = ("'immediate' or immediate(), 'manual' or manual(), after_polls(n) or after_seconds(seconds) "
            "(from fake_assistants.progression)")
FACTORIES: dict[object, str] = {  # a factory passed instead of its policy: what calling it looks like
    immediate: "immediate()", manual: "manual()", after_polls: "after_polls(3)", after_seconds: "after_seconds(30)",
    Immediate: "immediate()", Manual: "manual()", AfterPolls: "after_polls(3)", AfterSeconds: "after_seconds(30)",
}


def as_policy(value: Policy | PolicyName) -> Policy:
    """The policy `value` names: 'immediate', 'manual' or a policy (immediate(), manual(), after_polls(n),
    after_seconds(seconds)); else a ValueError listing those."""
    if value == "immediate":
        return Immediate()
    if value == "manual":
        return Manual()
    if isinstance(value, Immediate | AfterPolls | Manual | AfterSeconds):
        return value
    raise ValueError(f"unknown progression policy: {_unknown(value)}; pass {ACCEPTED}")


def _unknown(value: object) -> str:
    """What is wrong with `value` as a policy, naming the call it stands for when it is a factory or its name."""
    try:
        called = FACTORIES.get(value)
    except TypeError:  # unhashable (a list, a dict)
        called = None
    if called is not None:
        name = getattr(value, "__name__", repr(value))
        if isinstance(value, type):
            return f"{name} is a class, not a policy: build one with its function, as {called}"
        return f"{name} is a function, not a policy: call it, as {called}"
    if value in ("after_polls", "after_seconds"):
        return f"{value!r} needs its number: call the function, as {value}(3)"
    return f"{value!r} ({type(value).__name__})"


def _whole(factory: str, name: str, value: object, meaning: str) -> None:
    """TypeError unless `value` is an int (a bool is not), ValueError if it is negative."""
    if isinstance(value, bool) or not isinstance(value, int):
        example = _as_int(value)
        raise TypeError(f"{factory}: {name} must be an int >= 0 ({meaning}), not {given(value)}; "
                        f"pass an int, as {factory}({example})")
    if value < 0:
        raise ValueError(f"{factory} needs {name} >= 0 ({meaning}), not {value}; pass 0 or more, as {factory}(0)")


def _as_int(value: object) -> int:
    """The int a test probably meant by `value` (`"2"`, `2.0`), for an example; else 3."""
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if isinstance(value, float) and math.isfinite(value) and value >= 0:
        return math.ceil(value)
    return 3
