"""When runs (and vector-store file ingestion) move: the public home of the progression policies.

`from fake_assistants.progression import after_polls` is the documented import; the policies live in
`fake_assistants.runs.progression`.
"""

from __future__ import annotations

from .runs.progression import (
    AfterPolls,
    AfterSeconds,
    AsRecorded,
    Immediate,
    Manual,
    Policy,
    PolicyName,
    after_polls,
    after_seconds,
    as_policy,
    immediate,
    manual,
)

__all__ = [
    "AfterPolls",
    "AfterSeconds",
    "AsRecorded",
    "Immediate",
    "Manual",
    "Policy",
    "PolicyName",
    "after_polls",
    "after_seconds",
    "as_policy",
    "immediate",
    "manual",
]
