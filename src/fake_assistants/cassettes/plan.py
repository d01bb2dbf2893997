"""What a fake built from cassettes holds: the recordings read, the seed of pre-existing objects, each recorded
run's scripted turns (scoped to its assistant), the recorded ids per kind, whether it serves Assistants v1; and
`CassetteReport`, the account of what was imported, what was not (with why) and which runs never replayed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..core.types import Json
from ..runs.script import Turn
from .interaction import Recording
from .reader import read_cassette
from .recorded_ids import ids_by_kind, made_ids
from .seeds import Seeds, pre_existing
from .turns import RecordedRun, recorded_runs

# Paths of the APIs a fake of the Assistants API serves; anything else belongs to another API.
ASSISTANTS_PATHS = ("/v1/assistants", "/v1/threads", "/v1/files", "/v1/vector_stores")


@dataclass(slots=True)
class ScriptedRun:
    run: RecordedRun
    turns: list[Turn]


@dataclass(slots=True)
class CassettePlan:
    recordings: list[Recording]
    seeds: Seeds
    runs: list[ScriptedRun]
    recorded_ids: dict[str, list[str]]
    serves_v1: bool
    not_imported: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


@dataclass(frozen=True, slots=True)
class CassetteReport:
    """`fake.cassette_report()`: what the cassettes gave the fake."""

    cassettes: tuple[str, ...]
    imported: tuple[str, ...]
    not_imported: tuple[tuple[str, str], ...]
    never_replayed: tuple[str, ...]

    def __str__(self) -> str:
        lines = [f"cassettes: {', '.join(self.cassettes)}", "imported:"]
        lines += [f"  {item}" for item in self.imported] or ["  nothing"]
        lines.append("not imported:")
        lines += [f"  {what}: {why}" for what, why in self.not_imported] or ["  nothing"]
        lines.append("recorded runs never replayed:")
        lines += [f"  {run}" for run in self.never_replayed] or ["  none"]
        return "\n".join(lines)


def plan(paths: str | Path | Iterable[str | Path], *, scope_to_assistants: bool) -> CassettePlan:
    """Read the cassettes and work out the fake they make. With `scope_to_assistants`, each run's turns are
    for its recorded assistant (whose id the fake will have: recorded ids, or a seeded assistant)."""
    recordings = [read_cassette(p) for p in _paths(paths)]
    made = made_ids(recordings)
    seeds = pre_existing(recordings, made)
    seeded = {object_id for _, object_id, _ in seeds.objects}
    runs = []
    for run in recorded_runs(recordings):
        owner = run.assistant_id if scope_to_assistants or run.assistant_id in seeded else None
        runs.append(ScriptedRun(run, [Turn(action, owner) for action in run.turns]))
    out = CassettePlan(recordings, seeds, runs, ids_by_kind(recordings, made),
                       any(i.is_v1 for r in recordings for i in r.interactions))
    for recording in recordings:
        for interaction in recording.interactions:
            where = f"{recording.name}#{interaction.index} {interaction.method} {interaction.path}"
            if not interaction.path.startswith(ASSISTANTS_PATHS):
                out.not_imported.append((where, "belongs to another API than Assistants"))
            elif interaction.status >= 500:
                out.not_imported.append((where, f"a server error ({interaction.status}) the service had"))
    out.not_imported.extend(seeds.missing)
    for scripted in runs:
        out.not_imported.extend((scripted.run.run_id, note) for note in scripted.run.notes)
    return out


def seed_document(objects: Sequence[tuple[str, str, Json]]) -> Json:
    document: dict[str, list[Json]] = {}
    for section, _, stored in objects:
        document.setdefault(section, []).append(stored)
    return dict(document)


def report(cassette: CassettePlan, seeded: Sequence[str], refused: Sequence[tuple[str, str]],
           pending: Sequence[Turn]) -> CassetteReport:
    """The report, given which seeds loaded, which were refused, and the script's turns still waiting."""
    waiting = {id(turn) for turn in pending}
    imported = [f"seeded {object_id}" for object_id in seeded]
    imported += [f"run {s.run.run_id} ({s.run.status}): {len(s.turns)} turns" for s in cassette.runs]
    imported += [f"{len(ids)} recorded {kind} ids" for kind, ids in cassette.recorded_ids.items()]
    never = [s.run.run_id for s in cassette.runs if any(id(turn) in waiting for turn in s.turns)]
    return CassetteReport(tuple(str(r.path) for r in cassette.recordings), tuple(imported),
                          tuple([*cassette.not_imported, *refused]), tuple(never))


def _paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]
