"""In-memory state of a fake: `snapshot()`, `restore(snapshot)` and `reset()`.

A snapshot is a deep copy of everything a request can change: the store (every object and index),
where the id streams are, the scripted turns still queued and per-run progression policies. It leaves
out what observes or configures the fake (the journal, the fault schedule, the clock, the options).

These work on the fake's run engine, which holds the rest (its World: store, ids, ingestion; its script and
policies); the facade takes its lock around them and clears its own layers (journal, faults) on reset.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..core.ids import IdFactory, IdSource
from ..model.run_progress import SavedWork
from ..runs.engine import RunEngine
from ..runs.progression import RunPolicy
from ..runs.script import Turn
from ..store.store import Store

_NOT_STATE = ("stand_ins",)  # the store's link to lenient mode belongs to the fake, not to its state


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A fake's state at one moment. `fake.restore(snapshot)` goes back to it, as often as wanted."""

    store: dict[str, Any]
    work: dict[str, SavedWork]
    ids: IdFactory
    turns: list[Turn]
    consumed: int
    run_policies: dict[str, RunPolicy]


def take(engine: RunEngine) -> Snapshot:
    """Copy the state (StateError when a run is part-way through a scripted turn)."""
    store, script = engine.world.store, engine.script
    runs, work = engine.saved_runs()
    held = {run.id: run.progress.work for run in runs if run.progress.work is not None}  # not copyable
    for run in runs:
        run.progress.work = None
    try:
        state = {k: v for k, v in vars(store).items() if k not in _NOT_STATE}
        copied = copy.deepcopy((state, engine.world.ids, list(script.turns), dict(engine.run_policies)))
    finally:
        for run in runs:
            if run.id in held:
                run.progress.work = held[run.id]
    state, ids, turns, policies = copied
    return Snapshot(state, work, ids, turns, script.consumed, policies)


def restore(engine: RunEngine, snapshot: Snapshot) -> None:
    state, ids, turns, policies = copy.deepcopy(
        (snapshot.store, snapshot.ids, snapshot.turns, snapshot.run_policies)
    )
    replace_store(engine.world.store, state)
    vars(engine.world.ids).update(vars(ids))
    engine.script.turns[:] = turns
    engine.script.consumed = snapshot.consumed
    engine.run_policies.clear()
    engine.run_policies.update(policies)
    for run in engine.world.store.all_runs():
        engine.restore_work(run, snapshot.work.get(run.id))


def reset(engine: RunEngine, seed: int | str, source: IdSource | None = None) -> None:
    """Empty state, script, per-run policies and ingestion failure rules; the id streams start again from `seed`,
    after the ids of `source` (a cassette's recorded ids, from the first: `FakeAssistants.reset` gives a new one)."""
    replace_store(engine.world.store, vars(Store()))
    vars(engine.world.ids).update(vars(IdFactory(seed, source)))
    engine.script.clear()
    engine.script.consumed = 0
    engine.run_policies.clear()
    engine.world.ingestion.rules.clear()


def replace_store(store: Store, state: dict[str, Any]) -> None:
    """Put `state` (a store's parts) in `store`, in place: every part of the fake holding the store keeps
    holding it."""
    kept = {k: v for k, v in vars(store).items() if k in _NOT_STATE}
    vars(store).clear()
    vars(store).update(state)
    vars(store).update(kept)
