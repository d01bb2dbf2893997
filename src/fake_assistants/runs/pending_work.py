"""A run's pending work (its lazy event iterator) as something that can be saved and made again.

Saving a fake (`snapshot()`, `dump()`) cannot copy a running generator. It does not need to while the
work has not started: a queued run (before its first step, also after submit_tool_outputs) and a run
being cancelled hold work that is fully described by its kind, and making it again gives the same events.
A run that waits for tool outputs or is over has nothing left to do, whatever its iterator still holds.
Work that has started on an active run (a stream read part-way, a run moved to `in_progress` by
`after_polls` or `fake.advance`) sits in the middle of a scripted turn: saving refuses it, naming the run.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from ..core.errors import StateError
from ..model import run_lifecycle as lifecycle

if TYPE_CHECKING:
    from ..model.run import Run
    from .engine import RunEngine

WorkKind = Literal["execute", "finish_cancelling"]
_KINDS: dict[str, WorkKind] = {"_execute": "execute", "_finish_cancelling": "finish_cancelling"}
STREAM_KEYS = ("streamed_segment",)
SETTLED = lifecycle.TERMINAL | {"requires_action"}  # which stream is reading the run: no stream reads a saved copy


def describe(run: Run) -> WorkKind | None:
    """The kind of work `run` still has (None: none), or StateError when it cannot be saved."""
    work = run.extra.get("work")
    if work is None or run.status in SETTLED:
        return None  # what a finished or waiting run's work still holds is its own ending: nothing is left to do
    name = getattr(work, "__name__", None)
    if inspect.isgenerator(work) and inspect.getgeneratorstate(work) == inspect.GEN_CREATED and name in _KINDS:
        return _KINDS[name]
    raise mid_flight([run])


def mid_flight(runs: Iterable[Run]) -> StateError:
    named = ", ".join(f"{run.id} ({run.status}, thread {run.thread_id})" for run in runs)
    return StateError(
        f"cannot save the fake's state: run {named} is part-way through a scripted turn (a stream read part-way, "
        "or a run moved to in_progress by after_polls or advance()), and work in progress cannot be copied. "
        "Let it settle first: finish or close the stream and read the run (immediate progression), advance it "
        "to requires_action or an end, or cancel it."
    )


def describe_all(runs: Iterable[Run]) -> dict[str, WorkKind]:
    """run id -> work kind for every run with pending work; StateError naming every run that has started."""
    kinds: dict[str, WorkKind] = {}
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


def rebuild(engine: RunEngine, run: Run, kind: WorkKind | None) -> None:
    """Give `run` (a saved copy) its work again; drop the marks of a stream reading the original."""
    for key in STREAM_KEYS:
        run.extra.pop(key, None)
    run.extra.pop("work", None)
    if kind == "execute":
        run.extra["work"] = engine._execute(run)
    elif kind == "finish_cancelling":
        cancelling = ("thread.run.cancelling", run.to_wire(engine.ctx.options.shape))
        run.extra["work"] = engine._finish_cancelling(run, cancelling)
