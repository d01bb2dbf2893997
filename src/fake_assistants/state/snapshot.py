"""In-memory state of a fake: `snapshot()`, `restore(snapshot)` and `reset()`.

A snapshot is a deep copy of everything a request can change: the store (every object and index),
where the id streams are, the scripted turns still queued and per-run progression policies. It leaves
out what observes or configures the fake (the journal, the fault schedule, the clock, the options).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.ids import IdFactory
from ..model.run import Run
from ..runs.pending_work import WorkKind, describe_all, rebuild
from ..runs.progression import Policy
from ..runs.script import Turn
from ..store.store import Store

if TYPE_CHECKING:
    from ..fake import FakeAssistants

_NOT_STATE = ("stand_ins",)  # the store's link to lenient mode belongs to the fake, not to its state


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A fake's state at one moment. `fake.restore(snapshot)` goes back to it, as often as wanted."""

    store: dict[str, Any]
    work: dict[str, WorkKind]
    ids: IdFactory
    turns: list[Turn]
    consumed: int
    run_policies: dict[str, Policy]


def all_runs(store: Store) -> list[Run]:
    return [run for table in store.runs.values() for run in table.values()]


def take(fake: FakeAssistants) -> Snapshot:
    """Copy the state (StateError when a run is part-way through a scripted turn)."""
    with fake.app.lock:
        runs = all_runs(fake.store)
        work = describe_all(runs)
        held = {run.id: run.extra.pop("work") for run in runs if "work" in run.extra}
        try:
            state = {k: v for k, v in vars(fake.store).items() if k not in _NOT_STATE}
            copied = copy.deepcopy((state, fake.ctx.ids, list(fake.script.turns), dict(fake.engine.run_policies)))
        finally:
            for run in runs:
                if run.id in held:
                    run.extra["work"] = held[run.id]
        store, ids, turns, policies = copied
        return Snapshot(store, work, ids, turns, fake.script.consumed, policies)


def restore(fake: FakeAssistants, snapshot: Snapshot) -> None:
    with fake.app.lock:
        store, ids, turns, policies = copy.deepcopy(
            (snapshot.store, snapshot.ids, snapshot.turns, snapshot.run_policies)
        )
        _replace_store(fake, store)
        vars(fake.ctx.ids).update(vars(ids))
        fake.script.turns[:] = turns
        fake.script.consumed = snapshot.consumed
        fake.engine.run_policies.clear()
        fake.engine.run_policies.update(policies)
        for run in all_runs(fake.store):
            rebuild(fake.engine, run, snapshot.work.get(run.id))


def reset(fake: FakeAssistants) -> None:
    """Empty state, script, journal and faults; the id streams start again from the seed."""
    with fake.app.lock:
        _replace_store(fake, vars(Store()))
        vars(fake.ctx.ids).update(vars(IdFactory(fake.seed)))
        fake.script.clear()
        fake.script.consumed = 0
        fake.engine.run_policies.clear()
        fake.ingestion.rules.clear()
        fake.app.journal.clear()
        fake.app.faults.clear()


def _replace_store(fake: FakeAssistants, state: dict[str, Any]) -> None:
    """In place: every part of the fake holding the store keeps holding it."""
    kept = {k: v for k, v in vars(fake.store).items() if k in _NOT_STATE}
    vars(fake.store).clear()
    vars(fake.store).update(state)
    vars(fake.store).update(kept)
