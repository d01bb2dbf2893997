"""How the recorded client read each run: the retrieves (and lists of runs) that showed it `queued` and
`in_progress` in each segment (its start, then each `submit_tool_outputs`), as the `AsRecorded` progression a fake
built from the recording gives that run (with `ids="recorded"`, where the fake's run has the recorded id)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..runs.progression import AsRecorded
from .interaction import Recording

_RETRIEVE = re.compile(r"^/v1/threads/[^/]+/runs/(?P<run>[^/]+)$")
_LIST = re.compile(r"^/v1/threads/[^/]+/runs$")
_SUBMIT = re.compile(r"^/v1/threads/[^/]+/runs/(?P<run>[^/]+)/submit_tool_outputs$")
_WAITING = ("queued", "in_progress")


def recorded_reads(recordings: Sequence[Recording]) -> dict[str, AsRecorded]:
    """Run id -> how its retrieves went, for every run the recordings retrieve."""
    segments: dict[str, list[list[int]]] = {}  # run id -> per segment [queued, in_progress, settled]
    for recording in recordings:
        for interaction in recording.interactions:
            if not 200 <= interaction.status < 300:
                continue
            submitted = _SUBMIT.match(interaction.path)
            if submitted is not None and interaction.method == "POST":
                segments.setdefault(submitted["run"], [[0, 0, 0]]).append([0, 0, 0])
                continue
            body = interaction.response_json
            if interaction.method != "GET" or body is None:
                continue
            if _RETRIEVE.match(interaction.path):
                _count(segments, body)
            elif _LIST.match(interaction.path) and isinstance(body.get("data"), list):
                for run in body["data"]:
                    if isinstance(run, dict) and isinstance(run.get("id"), str):
                        _count(segments, run)
    return {run_id: AsRecorded(tuple((q, p) for q, p, _ in found)) for run_id, found in segments.items()}


def _count(segments: dict[str, list[list[int]]], run: dict[str, object]) -> None:
    """One read of `run` as the recording answered it."""
    counts = segments.setdefault(str(run.get("id")), [[0, 0, 0]])[-1]
    status = run.get("status")
    if counts[2] or status not in _WAITING:
        counts[2] = 1  # the outcome was seen: later reads of this segment do not count
    elif status == "queued" and not counts[1]:
        counts[0] += 1
    else:
        counts[1] += 1
