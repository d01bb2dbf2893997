"""The README's Assistants v1 example, run with the SDK it is written for (openai 1.20.0, CI's v1 venv)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from project_paths import README

openai = pytest.importorskip("openai")
if tuple(int(part) for part in openai.__version__.split(".")[:2]) >= (1, 21):
    pytest.skip(f"needs openai<1.21 (assistants=v1); this venv has {openai.__version__}: CI runs it in its v1 venv",
                allow_module_level=True)



def v1_block() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    (block,) = [b for b in blocks if "openai==1.20.0" in b]
    return str(block)


def test_readme_v1_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}

    exec(v1_block(), namespace)

    assert namespace["run"].status == "completed"
    assert namespace["run"].file_ids == [namespace["notes"].id]
    assert namespace["answer"].value == "It is 0000\u30101:0\u2020notes.txt\u3011."
    assert capsys.readouterr().out == "The launch code is 0000.\n"
    namespace["client"].close()
