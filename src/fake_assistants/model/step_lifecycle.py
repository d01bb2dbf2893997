"""The run step state machine: one table owns every step status change.

`STEP_TRANSITIONS[status][trigger] -> new status`. `apply(step, trigger, now)` is the only code that assigns
`step.status` (a step is made `in_progress`; lenient mode's stand-in steps are made `completed`), and it sets
the timestamp of the new status. What else the end of a step records (its usage, a failed step's
`last_error`) is up to the engine.
"""

from __future__ import annotations

from typing import Final, Literal

from . import transitions
from .step import RunStep, StepStatus

StepTrigger = Literal["complete", "cancel", "fail", "expire"]

STEP_TRANSITIONS: Final[dict[StepStatus, dict[StepTrigger, StepStatus]]] = {
    "in_progress": {"complete": "completed", "cancel": "cancelled", "fail": "failed", "expire": "expired"},
    "completed": {},
    "cancelled": {},
    "failed": {},
    "expired": {},
}


def apply(step: RunStep, trigger: StepTrigger, now: int) -> StepStatus:
    """Move `step` by `trigger`, setting the timestamp of the new status. Returns the new status."""
    status = transitions.next_status(STEP_TRANSITIONS, step.status, trigger)
    step.status = status
    if status == "completed":
        step.completed_at = now
    elif status == "cancelled":
        step.cancelled_at = now
    elif status == "failed":
        step.failed_at = now
    elif status == "expired":
        step.expired_at = now
    return status
