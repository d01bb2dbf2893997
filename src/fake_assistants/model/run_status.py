"""A run's statuses and triggers, and the record of one status change.

`RunStatus` and `Trigger` name the entries of `run_lifecycle.RUN_TRANSITIONS`; `StatusChange` is what
`run_lifecycle.apply` keeps of each move in `run.progress.history`, so a transcript can list every status a run
took, in order, at the fake's clock. They sit apart from `run.py` and `run_lifecycle.py` because a run's progress
(`run_progress.py`, which `run.py` imports) holds the history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

RunStatus = Literal[
    "queued", "in_progress", "requires_action", "cancelling", "cancelled",
    "failed", "completed", "incomplete", "expired",
]
Trigger = Literal[
    "start", "require_action", "submit_tool_outputs", "complete", "fail",
    "end_incomplete", "cancel", "finish_cancelling", "expire",
]


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A run moved to `status` at `at` (the fake's clock, Unix seconds) by `trigger`."""

    status: RunStatus
    at: int
    trigger: Trigger
