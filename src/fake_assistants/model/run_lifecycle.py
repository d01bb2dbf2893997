"""The run state machine: one table owns every run status change.

`RUN_TRANSITIONS[status][trigger] -> new status`. `apply(run, trigger, now)` is the only code that
assigns `run.status`, and it sets the timestamps that go with each status.

Recorded timestamp rules (tests/api/runs/test_run_timestamps.py cites the recordings): `started_at` is null while
the new run is `queued` and set at each `in_progress`, so a run resumed by submit_tool_outputs keeps the
old `started_at` while `queued` again and gets a new one when it starts again; `expires_at` stays
`created_at + 600` through a resume and becomes null at a terminal status other than `expired`.
"""

from __future__ import annotations

from typing import Final

from . import transitions
from .run import Run, RunStatus
from .run_status import StatusChange
from .run_status import Trigger as Trigger

ACTIVE: Final[frozenset[RunStatus]] = frozenset({"queued", "in_progress", "requires_action", "cancelling"})
TERMINAL: Final[frozenset[RunStatus]] = frozenset({"cancelled", "failed", "completed", "incomplete", "expired"})
EXPIRES_AFTER_SECONDS: Final = 600

RUN_TRANSITIONS: Final[dict[RunStatus, dict[Trigger, RunStatus]]] = {
    "queued": {"start": "in_progress", "cancel": "cancelling", "expire": "expired"},
    "in_progress": {
        "require_action": "requires_action",
        "complete": "completed",
        "fail": "failed",
        "end_incomplete": "incomplete",
        "cancel": "cancelling",
        "expire": "expired",
    },
    "requires_action": {"submit_tool_outputs": "queued", "cancel": "cancelling", "expire": "expired"},
    "cancelling": {"finish_cancelling": "cancelled"},
    "cancelled": {},
    "failed": {},
    "completed": {},
    "incomplete": {},
    "expired": {},
}


# The statuses a run can expire from, as the table says.
EXPIRABLE: Final[frozenset[RunStatus]] = frozenset(s for s, moves in RUN_TRANSITIONS.items() if "expire" in moves)


def next_status(status: RunStatus, trigger: Trigger) -> RunStatus:
    return transitions.next_status(RUN_TRANSITIONS, status, trigger)


def can(status: RunStatus, trigger: Trigger) -> bool:
    return transitions.can(RUN_TRANSITIONS, status, trigger)


def apply(run: Run, trigger: Trigger, now: int) -> RunStatus:
    """Move `run` by `trigger`, setting the timestamps of the new status. Returns the new status.

    Each change is kept in `run.progress.history` (the transcript lists a run's statuses from it)."""
    status = next_status(run.status, trigger)
    run.status = status
    run.progress.history.append(StatusChange(status, now, trigger))
    if status == "in_progress":  # every start: the first, and each resume after submit_tool_outputs
        run.started_at = now
    elif status in ("completed", "incomplete"):  # the recorded incomplete run has completed_at set
        run.completed_at = now
    elif status == "failed":
        run.failed_at = now
    elif status == "cancelled":
        run.cancelled_at = now
    if status != "requires_action":
        run.required_action = None
    if status in TERMINAL and status != "expired":
        run.expires_at = None
    return status
