"""docs/lifecycles.md, the status tables drawn as state diagrams.

Regenerate it with `python -m fake_assistants.model.lifecycle_diagram --write docs/lifecycles.md`.

Each lifecycle (`RUN_TRANSITIONS` and the tables beside it) becomes a Mermaid `stateDiagram-v2`: one arrow per
`table[status][trigger] -> status`, labelled with the trigger, from the status an object is made in, to `[*]`
from every status with no way out. `tests/docs/test_lifecycle_diagram.py` fails when the page is stale.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.generated_page import page_command
from .message_lifecycle import MESSAGE_TRANSITIONS
from .run_lifecycle import RUN_TRANSITIONS
from .step_lifecycle import STEP_TRANSITIONS
from .vector_store_file_lifecycle import INGESTION_TRANSITIONS

Table = Mapping[Any, Mapping[Any, str]]  # keys are each table's own Literal types
COMMAND = "python -m fake_assistants.model.lifecycle_diagram --write docs/lifecycles.md"


@dataclass(frozen=True, slots=True)
class Lifecycle:
    title: str
    source: str  # where the table lives, as the page names it
    table: Table
    initial: str  # the status an object is made in
    note: str


LIFECYCLES: tuple[Lifecycle, ...] = (
    Lifecycle(
        "Runs",
        "fake_assistants.model.run_lifecycle.RUN_TRANSITIONS",
        RUN_TRANSITIONS,
        "queued",
        "A run is made `queued`. `submit_tool_outputs` queues it again; `expire` fires when `expires_at` "
        "(created + 600 s on the fake's clock) passes while it is still active.",
    ),
    Lifecycle(
        "Run steps",
        "fake_assistants.model.step_lifecycle.STEP_TRANSITIONS",
        STEP_TRANSITIONS,
        "in_progress",
        "A step is made `in_progress` (lenient mode's stand-in steps are made `completed`).",
    ),
    Lifecycle(
        "Assistant messages",
        "fake_assistants.model.message_lifecycle.MESSAGE_TRANSITIONS",
        MESSAGE_TRANSITIONS,
        "in_progress",
        "A run's message is made `in_progress` and ends `completed`, or `incomplete` when a token limit, a "
        "failure, a cancellation or expiry cuts it off. A user's message is made `completed`.",
    ),
    Lifecycle(
        "Vector-store files",
        "fake_assistants.model.vector_store_file_lifecycle.INGESTION_TRANSITIONS",
        INGESTION_TRANSITIONS,
        "in_progress",
        "A file attached to a vector store is made `in_progress`; `fake.ingestion` decides when it finishes "
        "and whether it fails.",
    ),
)


def mermaid(table: Table, initial: str) -> str:
    """The table as a Mermaid state diagram, in the table's order."""
    lines = ["stateDiagram-v2", f"    [*] --> {initial}"]
    for status, moves in table.items():
        lines.extend(f"    {status} --> {target}: {trigger}" for trigger, target in moves.items())
    lines.extend(f"    {status} --> [*]" for status, moves in table.items() if not moves)
    return "\n".join(lines)


def render(lifecycles: Sequence[Lifecycle] = LIFECYCLES) -> str:
    """The whole of docs/lifecycles.md."""
    lines = [
        "# Lifecycles",
        "",
        "Generated from the status tables in `fake_assistants/model/` by",
        f"`{COMMAND}`; do not edit by hand.",
        "Every status change of these objects goes through its table, so the diagrams are the whole story: an arrow",
        "is a trigger the fake may fire, and no object moves any other way (a trigger the table does not list",
        "raises `IllegalTransition`). Arrows are labelled with the trigger's name in the table.",
    ]
    for lifecycle in lifecycles:
        lines += [
            "",
            f"## {lifecycle.title}",
            "",
            *textwrap.wrap(f"`{lifecycle.source}`. {lifecycle.note}", width=116, break_on_hyphens=False),
            "",
            "```mermaid",
            mermaid(lifecycle.table, lifecycle.initial),
            "```",
        ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    return page_command(argv, prog="python -m fake_assistants.model.lifecycle_diagram", description=__doc__,
                        render=render)


if __name__ == "__main__":
    raise SystemExit(main())
