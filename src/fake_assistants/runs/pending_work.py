"""Which of a run's pending work can be saved (`RunEngine.saved_work`), and the refusal naming what cannot.

Saving a fake (`snapshot()`, `dump()`) cannot copy a running generator. It does not need to while the
work has not started: a queued run (before its first step, also after submit_tool_outputs) and a run
being cancelled hold work that is fully described by its kind (recorded when the engine made it), and
making it again gives the same events. A run that waits for tool outputs or is over has nothing left to
do, whatever its work still holds. Work that has started on an active run (a stream read part-way, a run
moved to `in_progress` by `after_polls` or `fake.advance`) sits in the middle of a scripted turn: saving
refuses it, naming the run.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..core.errors import StateError
from ..model import run_lifecycle as lifecycle
from ..model.run import Run, RunStatus
from ..model.run_progress import SavedWork

SETTLED: frozenset[RunStatus] = lifecycle.TERMINAL | {"requires_action"}


def describe(run: Run) -> SavedWork | None:
    """The kind of work `run` still has (None: none), or StateError when it cannot be saved."""
    work = run.progress.work
    if work is None or run.status in SETTLED:
        return None  # what a finished or waiting run's work still holds is its own ending: nothing is left to do
    kind = work.kind
    if not work.started and kind != "announce_expiry" and kind != "announce_failure":
        return kind
    raise mid_flight([run])


def mid_flight(runs: Iterable[Run]) -> StateError:
    named = ", ".join(f"{run.id} ({run.status}, thread {run.thread_id})" for run in runs)
    return StateError(
        f"cannot save the fake's state: run {named} is part-way through a scripted turn (its model answering on "
        "this thread, a stream read part-way, or a run moved to in_progress by after_polls or advance()), and work "
        "in progress cannot be copied. "
        "Let it settle first: finish or close the stream and read the run (immediate progression), advance it "
        "to requires_action or an end, or cancel it."
    )


def describe_all(runs: Iterable[Run]) -> dict[str, SavedWork]:
    """run id -> work kind for every run with pending work; StateError naming every run that has started."""
    kinds: dict[str, SavedWork] = {}
    started: list[Run] = []
    for run in runs:
        try:
            kind = describe(run)
        except StateError:
            started.append(run)
            continue
        if kind is not None:
            kinds[run.id] = kind
    if started:
        raise mid_flight(started)
    return kinds
