"""The message state machine: one table owns every message status change.

`MESSAGE_TRANSITIONS[status][trigger] -> new status`. A user's message is made `completed`; an assistant's
is made `in_progress` and written by its run, which ends it `completed` or `incomplete` (cut off by a token
limit, or by the run failing, being cancelled or expiring: the caller sets `incomplete_details` to say
which). `apply(message, trigger, now)` is the only code that assigns `message.status`, and it sets the
timestamp of the new status.
"""

from __future__ import annotations

from typing import Final, Literal

from . import transitions
from .message import Message, MessageStatus

MessageTrigger = Literal["complete", "end_incomplete"]

MESSAGE_TRANSITIONS: Final[dict[MessageStatus, dict[MessageTrigger, MessageStatus]]] = {
    "in_progress": {"complete": "completed", "end_incomplete": "incomplete"},
    "completed": {},
    "incomplete": {},
}


def apply(message: Message, trigger: MessageTrigger, now: int) -> MessageStatus:
    """Move `message` by `trigger`, setting the timestamp of the new status. Returns the new status."""
    status = transitions.next_status(MESSAGE_TRANSITIONS, message.status, trigger)
    message.status = status
    if status == "completed":
        message.completed_at = now
    elif status == "incomplete":
        message.incomplete_at = now
    return status
