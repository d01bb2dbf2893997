"""Every ```python block of the docs site (docs/**/*.md) runs as written.

A block is complete on its own: it runs in a fresh namespace, in a temporary working directory, with nothing
imported for it. A block that defines `test_...` functions is a test module: it runs through pytester, in a
project with no configuration of its own (pytest-asyncio in its default strict mode, as in a new project), and
every test in it must pass. A block right after `<!-- docs-test: openai==1.20.0 -->` needs that SDK (Assistants
v1): `tests/v1/sdk/test_docs_v1.py` runs it in CI's v1 venv, and here it is only compiled.
Fragments that are not meant to run use another fence (```text, ```bash, ```toml, ```js).
"""

from __future__ import annotations

import linecache
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest

from project_paths import DOCS, ROOT

FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^\n]*\n(?P<code>.*?)^(?P=indent)```", re.DOTALL | re.MULTILINE)
TAG = re.compile(r"<!-- docs-test: (?P<tag>[^>]*?) -->\s*\Z")
TEST_FUNCTION = re.compile(r"^(?:async )?def (test_\w+)", re.MULTILINE)
STATE_MACHINE_TEST = re.compile(r"^(Test\w+) = \w+\.TestCase$", re.MULTILINE)  # hypothesis: one test each
UNITTEST_CASE = re.compile(r"^class \w+\(unittest\.TestCase\):\n(?:(?: .*)?\n)*", re.MULTILINE)
UNITTEST_METHOD = re.compile(r"^    def (test_\w+)", re.MULTILINE)  # pytest runs each method of a TestCase
V1_TAG = "openai==1.20.0"


@dataclass(frozen=True)
class Block:
    page: str  # relative to docs/
    line: int
    code: str
    tag: str | None

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    @property
    def tests(self) -> list[str]:
        methods = [name for case in UNITTEST_CASE.finditer(self.code) for name in UNITTEST_METHOD.findall(case[0])]
        return TEST_FUNCTION.findall(self.code) + STATE_MACHINE_TEST.findall(self.code) + methods


def dedent(code: str, indent: str) -> str:
    return "".join(line.removeprefix(indent) for line in code.splitlines(keepends=True))


def blocks_of(page: Path, language: str = "python", root: Path = DOCS) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        if match["lang"] != language:
            continue
        tag = TAG.search(text[: match.start()])
        line = text.count("\n", 0, match.start()) + 1
        code = dedent(match["code"], match["indent"])
        found.append(Block(page.relative_to(root).as_posix(), line, code, tag["tag"] if tag else None))
    return found


def pages() -> list[Path]:
    return sorted(DOCS.rglob("*.md"))


BLOCKS = [block for page in pages() for block in blocks_of(page)]
MAIN_BLOCKS = [block for block in BLOCKS if block.tag != V1_TAG]


def close_clients(namespace: dict[str, Any]) -> None:
    for value in namespace.values():
        if isinstance(value, openai.OpenAI):
            value.close()


@pytest.mark.parametrize("block", [b for b in MAIN_BLOCKS if not b.tests], ids=lambda b: b.id)
def test_example_runs(block: Block, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, Any] = {"__name__": "docs_example"}
    filename = f"docs/{block.page}:{block.line}"
    linecache.cache[filename] = (len(block.code), None, block.code.splitlines(keepends=True), filename)  # tracebacks
    try:
        exec(compile(block.code, filename, "exec"), namespace)
    finally:
        close_clients(namespace)


@pytest.mark.parametrize("block", [b for b in MAIN_BLOCKS if b.tests], ids=lambda b: b.id)
def test_example_test_module_passes(block: Block, pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_docs_example=block.code)

    result = pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider")

    result.assert_outcomes(passed=len(block.tests))


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.tag == V1_TAG], ids=lambda b: b.id)
def test_v1_examples_compile(block: Block) -> None:
    compile(block.code, f"docs/{block.page}:{block.line}", "exec")


def test_the_docs_have_examples_on_every_guide() -> None:
    guides = {page.relative_to(DOCS).as_posix() for page in (DOCS / "guides").glob("*.md")}
    with_examples = {block.page for block in BLOCKS}

    assert guides, "docs/guides/ has no pages"
    assert guides - with_examples == set(), "guides without a runnable example"


def test_only_known_tags() -> None:
    assert {block.tag for block in BLOCKS} <= {None, V1_TAG}


def test_python_code_is_fenced_as_python() -> None:
    """A ```py or ```python3 fence would escape these tests."""
    other = [f"{page.relative_to(ROOT)}:{block.line} ({language})" for page in pages()
             for language in ("py", "python3", "pycon") for block in blocks_of(page, language)]

    assert other == []


def test_the_block_finder(tmp_path: Path) -> None:
    text = "Intro\n\n<!-- docs-test: openai==1.20.0 -->\n```python\nx = 1\n```\n\n- item:\n\n    ```python\n" \
           "    def test_a():\n        pass\n    ```\n"
    page = tmp_path / "probe.md"
    page.write_text(text, encoding="utf-8")

    found = blocks_of(page, root=tmp_path)

    assert [(b.line, b.code, b.tag, b.tests) for b in found] == [
        (4, "x = 1\n", V1_TAG, []),
        (10, "def test_a():\n    pass\n", None, ["test_a"]),
    ]


def test_a_unittest_case_counts_its_test_methods() -> None:
    code = ("import unittest\n\n\nclass T(unittest.TestCase):\n    def setUp(self):\n        pass\n\n"
            "    def test_one(self):\n        pass\n\n    def test_two(self):\n        pass\n\n\n"
            "def helper():\n    def test_not_collected():\n        pass\n")

    assert Block("probe.md", 1, code, None).tests == ["test_one", "test_two"]
