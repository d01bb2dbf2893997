"""Moving by a transition table: `TABLE[status][trigger] -> new status`, shared by every state machine.

Each machine (run_lifecycle, step_lifecycle, message_lifecycle, ...) declares its table and an `apply` that
sets the new status and the timestamps that go with it; an illegal trigger raises `IllegalTransition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from ..core.errors import IllegalTransition

S = TypeVar("S", bound=str)
T = TypeVar("T", bound=str)


def next_status(table: Mapping[S, Mapping[T, S]], status: S, trigger: T) -> S:
    """The status `trigger` leads to from `status`; IllegalTransition(status, trigger) when there is none."""
    moves = table.get(status)
    if moves is None or trigger not in moves:
        raise IllegalTransition(status, trigger)
    return moves[trigger]


def can(table: Mapping[S, Mapping[T, S]], status: S, trigger: T) -> bool:
    moves = table.get(status)
    return moves is not None and trigger in moves
