"""When a run moves: a policy separate from what the transitions are (run_lifecycle)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
    """Virtual time: the outcome is visible once the fake's clock has moved `seconds` past the queueing."""

    seconds: int


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
    return Immediate()


def after_polls(n: int) -> AfterPolls:
    if n < 0:
        raise ValueError("after_polls needs n >= 0")
    return AfterPolls(n)


def manual() -> Manual:
    return Manual()


def after_seconds(seconds: int) -> AfterSeconds:
    if seconds < 0:
        raise ValueError("after_seconds needs seconds >= 0")
    return AfterSeconds(seconds)


def as_policy(value: Policy | PolicyName) -> Policy:
    if value == "immediate":
        return Immediate()
    if value == "manual":
        return Manual()
    if isinstance(value, Immediate | AfterPolls | Manual | AfterSeconds):
        return value
    raise ValueError(f"unknown progression policy: {value!r}")
