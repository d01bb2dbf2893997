"""docs/lifecycles.md: current with the status tables (regenerated in memory, like docs/COVERAGE.md), and a
faithful drawing of them."""

from __future__ import annotations

import re
from pathlib import Path

from fake_assistants.model import lifecycle_diagram as ld
from fake_assistants.model.run_lifecycle import RUN_TRANSITIONS
from project_paths import DOCS

DOC = DOCS / "lifecycles.md"
ARROW = re.compile(r"^    (\w+) --> (\w+): (\w+)$", re.MULTILINE)


def test_lifecycles_doc_is_current() -> None:
    assert DOC.is_file(), f"docs/lifecycles.md is missing: run {ld.COMMAND}"
    assert DOC.read_text(encoding="utf-8") == ld.render(), f"docs/lifecycles.md is stale: run {ld.COMMAND}"


def test_the_run_diagram_has_every_transition_and_nothing_else() -> None:
    diagram = ld.mermaid(RUN_TRANSITIONS, "queued")

    arrows = {(source, target, trigger) for source, target, trigger in ARROW.findall(diagram)}

    expected = {(s, t, trigger) for s, moves in RUN_TRANSITIONS.items() for trigger, t in moves.items()}
    assert arrows == expected
    assert diagram.startswith("stateDiagram-v2\n    [*] --> queued\n")
    terminal = {s for s, moves in RUN_TRANSITIONS.items() if not moves}
    assert set(re.findall(r"^    (\w+) --> \[\*\]$", diagram, re.MULTILINE)) == terminal


def test_a_small_table() -> None:
    table = {"open": {"close": "closed"}, "closed": {}}

    assert ld.mermaid(table, "open") == "\n".join(
        ["stateDiagram-v2", "    [*] --> open", "    open --> closed: close", "    closed --> [*]"]
    )


def test_every_lifecycle_starts_at_a_status_of_its_table() -> None:
    for lifecycle in ld.LIFECYCLES:
        assert lifecycle.initial in lifecycle.table, lifecycle.title


def test_check_option_reports_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "lifecycles.md"
    assert ld.main(["--write", str(target)]) == 0
    assert ld.main(["--check", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("--> cancelled", "--> done"), encoding="utf-8")
    assert ld.main(["--check", str(target)]) == 1
