"""What a fake built from cassettes holds: the recordings read, the seed of pre-existing objects, each recorded
run's scripted turns (scoped to its assistant), the recorded ids per kind, whether it serves Assistants v1;
`CassetteSource`, what a fake was built from (`fake.cassette`, what `reset()` goes back to); `CassetteReport`, the
account of what was imported, what was not (with why) and which runs never replayed; and `CassetteWarning`, the
pytest plugin's warning with that account."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..core.ids import RecordedIds
from ..core.types import Json
from ..runs.progression import AsRecorded
from ..runs.script import Turn
from .interaction import Recording
from .matching import CassetteMatcher
from .reader import read_cassette
from .recorded_ids import ids_by_kind, made_ids
from .run_reads import recorded_reads
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
    recorded_ids: dict[str, list[str | None]]  # None: a step or call never shown (a seeded id)
    serves_v1: bool
    not_imported: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    reads: dict[str, AsRecorded] = field(default_factory=dict)  # run id -> how the recording retrieved it


class CassetteWarning(UserWarning):
    """The pytest plugin's warning at the end of a test whose fake came from a cassette: recorded runs the test never
    replayed, or parts of the recording the fake could not import (`fake.cassette_report()`'s text). Not a
    failure; `-W error::fake_assistants.CassetteWarning` makes it one, the marker's `cassette_warning=False` or the
    ini option `fake_assistants_cassette_warning = false` silences it."""


@dataclass(frozen=True, slots=True)
class CassetteSource:
    """What `FakeAssistants.from_cassette` built a fake from (`fake.cassette`): the plan, the ids of the seeded
    objects, the seeds that did not load (id, why), and which ids it hands out. `fake.reset()` goes back to the
    state just after `from_cassette` from it: the same seeds, every recorded run's turns queued again, the recorded
    ids from the first."""

    plan: CassettePlan
    seeded: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]
    ids: Literal["seeded", "recorded"] = "seeded"

    @property
    def turns(self) -> list[Turn]:
        """Every recorded run's turns, in recorded order (what the script holds just after `from_cassette`)."""
        return [turn for scripted in self.plan.runs for turn in scripted.turns]

    def seed_objects(self) -> list[tuple[str, str, Json]]:
        """The recorded snapshots that loaded: (section, id, stored object)."""
        chosen = set(self.seeded)
        return [item for item in self.plan.seeds.objects if item[1] in chosen]

    def id_source(self) -> RecordedIds | None:
        """A fresh source of the recorded ids (from the first of each kind), or None for the fake's own ids."""
        return RecordedIds(self.plan.recorded_ids) if self.ids == "recorded" else None

    def matcher(self) -> CassetteMatcher:
        """A fresh matcher of requests against the recording (the journal's "in the cassette")."""
        return CassetteMatcher(self.plan.recordings)

    def pending(self, turns: Sequence[Turn]) -> list[bool]:
        """For each of the script's `turns`, whether it is one of the recording's turns (by value: a snapshot's
        turns are copies). An equal turn of two runs counts for the later one, since a run takes the first that
        fits."""
        recorded = self.turns
        taken = [False] * len(recorded)
        out = []
        for turn in reversed(turns):
            place = next((i for i in reversed(range(len(recorded)))
                          if not taken[i] and _same(recorded[i], turn)), None)
            if place is not None:
                taken[place] = True
            out.append(place is not None)
        return out[::-1]


@dataclass(frozen=True, slots=True)
class CassetteReport:
    """`fake.cassette_report()`: what the cassettes gave the fake."""

    cassettes: tuple[str, ...]
    imported: tuple[str, ...]
    not_imported: tuple[tuple[str, str], ...]
    never_replayed: tuple[str, ...]
    # Of those, the ids a run of the fake has now: under `ids="recorded"` ids go out in the order objects are made,
    # so code that made one more object of a kind (another assistant, thread or run) gave the recorded id to it.
    ids_taken: tuple[str, ...] = ()

    def __str__(self) -> str:
        lines = [f"cassettes: {', '.join(self.cassettes)}", "imported:"]
        lines += [f"  {item}" for item in self.imported] or ["  nothing"]
        return "\n".join([*lines, *self._left_over(everything=True)])

    def left_over(self) -> str:
        """The report without what was imported: the cassettes, then only what was not imported and the recorded
        runs never replayed, where there are some (what the plugin's `CassetteWarning` shows)."""
        return "\n".join([f"cassettes: {', '.join(self.cassettes)}", *self._left_over(everything=False)])

    def _left_over(self, *, everything: bool) -> list[str]:
        lines = []
        if everything or self.not_imported:
            lines.append("not imported:")
            lines += [f"  {what}: {why}" for what, why in self.not_imported] or ["  nothing"]
        if everything or self.never_replayed:
            lines.append("recorded runs never replayed:")
            lines += ([f"  {run}{TAKEN_NOTE if run in self.ids_taken else ''}" for run in self.never_replayed]
                      or ["  none"])
        return lines


TAKEN_NOTE = (" (a run of this fake has its id but did not replay it: with ids=\"recorded\" the recorded ids go out "
              "in the order the code makes objects, and the recorded turns wait for the recorded assistant's id, so "
              "an object the recording did not make takes the id of the next one; ids=\"seeded\" replays by "
              "assistant and order instead)")


def plan(paths: str | Path | Iterable[str | Path], *, scope_to_assistants: bool) -> CassettePlan:
    """Read the cassettes and work out the fake they make. With `scope_to_assistants`, each run's turns are
    for its recorded assistant (whose id the fake will have: recorded ids, or a seeded assistant)."""
    recordings = [read_cassette(p) for p in _paths(paths)]
    made = made_ids(recordings)
    seeds = pre_existing(recordings, made)
    seeded = {object_id for _, object_id, _ in seeds.objects}
    runs = []
    for run in recorded_runs(recordings, recorded_ids=scope_to_assistants):
        owner = run.assistant_id if scope_to_assistants or run.assistant_id in seeded else None
        source = f"the cassette's {run.run_id}"  # the transcript's step lines name the recorded run
        runs.append(ScriptedRun(run, [Turn(action, owner, source=source) for action in run.turns]))
    recorded_ids: dict[str, list[str | None]] = {
        kind: list(ids) for kind, ids in ids_by_kind(recordings, made).items()}
    # steps and tool calls are made run by run, turn by turn: one never shown keeps its place (a seeded id)
    step_ids = [step_id for scripted in runs for step_id in scripted.run.step_ids]
    if any(step_id is not None for step_id in step_ids):
        recorded_ids["step"] = step_ids
    call_ids = [call_id for scripted in runs for call_id in scripted.run.call_ids]
    if any(call_id is not None for call_id in call_ids):
        recorded_ids["call"] = call_ids
    out = CassettePlan(recordings, seeds, runs, recorded_ids,
                       any(i.is_v1 for r in recordings for i in r.interactions), reads=recorded_reads(recordings))
    for recording in recordings:
        for interaction in recording.interactions:
            where = f"{recording.name}#{interaction.index} {interaction.method} {interaction.path}"
            if not interaction.path.startswith(ASSISTANTS_PATHS):
                out.not_imported.append((where, "belongs to another API than Assistants"))
            elif interaction.status >= 500:
                out.not_imported.append((where, f"a server error ({interaction.status}) the service had (to test "
                                                f"what the code does with it, schedule one: fake.faults.server_error"
                                                f"(route, status={interaction.status}))"))
    out.not_imported.extend(seeds.missing)
    for scripted in runs:
        out.not_imported.extend((scripted.run.run_id, note) for note in scripted.run.notes)
    return out


def _turns(count: int) -> str:
    if count == 0:  # a run replaying it takes no recorded turn: the fake's default reply, or what the test scripts
        return "no turns (a run replaying it gets the fake's default reply, or a turn the test scripts)"
    return "1 turn" if count == 1 else f"{count} turns"


def seed_document(objects: Sequence[tuple[str, str, Json]]) -> Json:
    document: dict[str, list[Json]] = {}
    for section, _, stored in objects:
        document.setdefault(section, []).append(stored)
    return dict(document)


def report(source: CassetteSource, pending: Sequence[Turn],
           runs_now: Mapping[str, str] | None = None) -> CassetteReport:
    """The report, given the script's turns still waiting and the fake's runs now (id -> assistant id)."""
    cassette = source.plan
    waiting = [turn for turn, recorded in zip(pending, source.pending(pending), strict=True) if recorded]
    imported = [f"seeded {object_id}" for object_id in source.seeded]
    imported += [f"run {s.run.run_id} ({s.run.status}): {_turns(len(s.turns))}" for s in cassette.runs]
    imported += [f"{sum(i is not None for i in ids)} recorded {kind} ids"
                 for kind, ids in cassette.recorded_ids.items()]
    never = _never_replayed(cassette.runs, waiting)
    return CassetteReport(tuple(str(r.path) for r in cassette.recordings), tuple(imported),
                          tuple([*cassette.not_imported, *source.refused]), tuple(never),
                          tuple(_ids_taken(cassette.runs, never, runs_now or {})))


def _ids_taken(runs: Sequence[ScriptedRun], never: Sequence[str], runs_now: Mapping[str, str]) -> list[str]:
    """The never-replayed recorded runs whose id a run of another assistant than the recorded one has now (the
    recorded run itself, cancelled before its turn, say, does not count)."""
    recorded_assistant = {scripted.run.run_id: scripted.run.assistant_id for scripted in runs}
    taken = []
    for run_id in never:
        recorded, now = recorded_assistant.get(run_id), runs_now.get(run_id)
        if recorded is not None and now is not None and now != recorded:
            taken.append(run_id)
    return taken


def _never_replayed(runs: Sequence[ScriptedRun], waiting: Sequence[Turn]) -> list[str]:
    """The recorded runs with a turn still waiting (an equal turn of two runs counts for the later one)."""
    left = list(waiting)
    never: list[str] = []
    for scripted in reversed(runs):
        found = False
        for turn in reversed(scripted.turns):
            place = next((i for i, other in enumerate(left) if _same(other, turn)), None)
            if place is not None:
                del left[place]
                found = True
        if found:
            never.append(scripted.run.run_id)
    return never[::-1]


def _same(one: Turn, other: Turn) -> bool:
    return one is other or (one.action == other.action and one.assistant_id == other.assistant_id
                            and one.repeat == other.repeat)


def _paths(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    if isinstance(paths, str | Path):
        return [Path(paths)]
    return [Path(p) for p in paths]
