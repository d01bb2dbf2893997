"""Objects that existed before the recording (named by requests, never made there), as a state seed built from
their recorded snapshots (the first answer showing each), in the format `FakeAssistants.load_state` reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

from ..core.types import Json
from ..model.assistant import Assistant
from ..model.thread import Thread
from ..model.vector_store import VectorStore
from .interaction import Recording
from .recorded_ids import kind_of, requested_ids

MAX_PLACEHOLDER_BYTES = 1 << 20
_SECTIONS = {"assistant": ("assistants", Assistant), "thread": ("threads", Thread),
             "vector_store": ("vector_stores", VectorStore)}
_FILE_FIELDS = ("id", "created_at", "filename", "purpose", "expires_at")


@dataclass(slots=True)
class Seeds:
    objects: list[tuple[str, str, Json]] = field(default_factory=list)  # (section, id, stored form)
    missing: list[tuple[str, str]] = field(default_factory=list)  # (id, why it is not seeded)


# The model of an assistant the recording uses (and the service knew) but never shows.
ASSUMED_MODEL = "gpt-4o"
# What an assistant's snapshot can take from a run that used it (a run copies its assistant's settings).
_FROM_RUN = ("model", "instructions", "tools", "top_p", "temperature", "reasoning_effort", "response_format")


def pre_existing(recordings: Sequence[Recording], made: set[str]) -> Seeds:
    """The seed for every id a request names that the recordings never made."""
    snapshots: dict[str, dict[str, Any]] = {}
    contents: dict[str, str] = {}
    order: list[str] = []
    known: dict[str, int] = {}  # id -> when a request naming it was answered as for an object the service had
    for recording in recordings:
        for interaction in recording.interactions:
            for object_id in requested_ids(interaction):
                if object_id not in made and object_id not in order:
                    order.append(object_id)
                if interaction.status < 500 and interaction.status != 404:
                    known.setdefault(object_id, _epoch(interaction.recorded_at))
            if not 200 <= interaction.status < 300:
                continue
            for obj in interaction.answered_objects():
                snapshots.setdefault(obj["id"], obj)
            path = interaction.path.rstrip("/")
            if path.endswith("/content") and isinstance(interaction.response_body, str):
                contents.setdefault(path.split("/")[-2], interaction.response_body)
    seeds = Seeds()
    for object_id in order:
        kind = kind_of(object_id)
        snapshot = snapshots.get(object_id) or _pieced_together(object_id, kind, snapshots)
        if snapshot is None and kind in ("assistant", "thread") and object_id in known:
            snapshot = {"id": object_id, "created_at": known[object_id]}
            if kind == "assistant":
                snapshot["model"] = ASSUMED_MODEL
                seeds.missing.append((object_id, f"an assistant the recording never shows: seeded with model "
                                                 f"{ASSUMED_MODEL!r} and no instructions or tools"))
        if kind == "file" and snapshot is not None:
            stored = {k: snapshot[k] for k in _FILE_FIELDS if k in snapshot}
            size = min(int(snapshot.get("bytes") or 0), MAX_PLACEHOLDER_BYTES)
            stored["content_text"] = contents.get(object_id, " " * size)
            seeds.objects.append(("files", object_id, stored))
        elif kind in _SECTIONS and snapshot is not None:
            section, cls = _SECTIONS[kind]
            names = {f.name for f in dataclasses.fields(cls)}
            seeds.objects.append((section, object_id, {k: v for k, v in snapshot.items() if k in names}))
        elif kind in (*_SECTIONS, "file"):
            seeds.missing.append((object_id, f"a {kind} the recording uses but never shows: not seeded"))
        else:
            seeds.missing.append((object_id, f"a {kind} made before the recording: only assistants, threads, "
                                             "files and vector stores are seeded"))
    return seeds


def _pieced_together(object_id: str, kind: str | None, snapshots: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A snapshot of an assistant or thread the recording uses but never shows, from the first run that names it
    (ruby-openai kept some setup cassettes of a spec and not others): the thread made when the run was, the
    assistant with the run's model, instructions and tools. None when no run names it."""
    field_name = {"assistant": "assistant_id", "thread": "thread_id"}.get(kind or "")
    run = next((s for s in snapshots.values() if s.get("object") == "thread.run" and field_name
                and s.get(field_name) == object_id), None)
    if run is None:
        return None
    made = {"id": object_id, "created_at": run.get("created_at", 0)}
    if kind == "assistant":
        made |= {k: run[k] for k in _FROM_RUN if run.get(k) is not None}
    return made


def _epoch(http_date: str | None) -> int:
    """Seconds since the epoch of a recorded HTTP date (0 when there is none)."""
    try:
        return int(parsedate_to_datetime(http_date).timestamp()) if http_date else 0
    except (TypeError, ValueError):
        return 0
