"""The docs' Assistants v1 examples (docs/guides/v1.md, tagged `<!-- docs-test: openai==1.20.0 -->`), run with the
SDK they are written for (openai 1.20.0, CI's v1 venv). tests/docs/test_docs_examples.py runs every other block."""

from __future__ import annotations

import re
from typing import Any

import pytest

from project_paths import DOCS

openai = pytest.importorskip("openai")
if tuple(int(part) for part in openai.__version__.split(".")[:2]) >= (1, 21):
    pytest.skip(f"needs openai<1.21 (assistants=v1); this venv has {openai.__version__}: CI runs it in its v1 venv",
                allow_module_level=True)

TAGGED = re.compile(r"<!-- docs-test: openai==1\.20\.0 -->\s*```python\n(.*?)^```", re.DOTALL | re.MULTILINE)


def tagged_blocks() -> list[str]:
    return [block for page in sorted(DOCS.rglob("*.md")) for block in TAGGED.findall(page.read_text(encoding="utf-8"))]


def test_there_are_v1_examples() -> None:
    assert tagged_blocks()


@pytest.mark.parametrize("index", range(len(tagged_blocks())))
def test_docs_v1_example_runs(index: int, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}

    exec(compile(tagged_blocks()[index], "docs v1 example", "exec"), namespace)

    assert namespace["run"].status == "completed"
    assert capsys.readouterr().out == "The launch code is 0000.\n"
    namespace["client"].close()
