"""Objects that existed before the recording (named by requests, never made there), as a state seed built from
their recorded snapshots (the first answer showing each), in the format `FakeAssistants.load_state` reads."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
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


def pre_existing(recordings: Sequence[Recording], made: set[str]) -> Seeds:
    """The seed for every id a request names that the recordings never made."""
    snapshots: dict[str, dict[str, Any]] = {}
    contents: dict[str, str] = {}
    order: list[str] = []
    for recording in recordings:
        for interaction in recording.interactions:
            for object_id in requested_ids(interaction):
                if object_id not in made and object_id not in order:
                    order.append(object_id)
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
        snapshot = snapshots.get(object_id)
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
