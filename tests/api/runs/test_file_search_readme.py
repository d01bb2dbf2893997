"""The README's file search example runs as written."""

from __future__ import annotations

import re

from project_paths import README


def test_the_file_search_example_runs() -> None:
    blocks = re.findall(r"^```python\n(.*?)^```", README.read_text(encoding="utf-8"), flags=re.DOTALL | re.MULTILINE)
    (block,) = [b for b in blocks if "favorite_foods.txt" in b]
    namespace: dict[str, object] = {}

    exec(compile(block, "README.md", "exec"), namespace)

    assert namespace["annotation"] is not None
