"""The README's sections on the call journal, faults and seeding run as written."""

from __future__ import annotations

import re
from typing import Any

from project_paths import README as README_FILE

README = README_FILE.read_text(encoding="utf-8")


def block(section: str) -> str:
    """The one python block of README section `section` (up to the next heading)."""
    start = README.index(f"\n{section}\n")
    end = re.compile(r"^#{2,3} ", re.MULTILINE).search(README, start + len(section) + 2)
    text = README[start:end.start() if end else None]
    (found,) = re.findall(r"^```python\n(.*?)^```", text, flags=re.DOTALL | re.MULTILINE)
    return found


def run(section: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(block(section), f"README.md ({section})", "exec"), namespace)
    return namespace


def test_the_journal_example_runs() -> None:
    namespace = run("## The call journal")

    assert namespace["run"].status == "completed"
    namespace["client"].close()


def test_the_faults_example_runs() -> None:
    namespace = run("## Faults")

    fake = namespace["fake"]
    assert fake.calls["runs.create"].last.fault == "stream_error"
    assert fake.calls["threads.create"].filter(status=500).call_count == 1
    assert fake.faults.pending == []
    namespace["client"].close()


def test_the_seeding_example_runs() -> None:
    namespace = run("## Seeding and state")

    fake, copy = namespace["fake"], namespace["copy"]
    assert len(fake.store.assistants) == 0  # reset at the end
    assert copy.store.thread("thread_ticket_42").metadata == {"ticket": "42"}
    assert copy.dump() == namespace["saved"]
    namespace["client"].close()

