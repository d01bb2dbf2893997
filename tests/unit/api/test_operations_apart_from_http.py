"""Domain operations apart from HTTP (issue 13), checked on the source.

`api/operations/` never sees HTTP: it imports none of the request-side modules (routing's Call, the wire,
JSON decoding and validation, query parameters, multipart) and no handler. Endpoint handlers
(`api/endpoints/`, `api/v1/`) import operations, never another handler module: Assistants v1 reaches the
shared behaviour through the operations, not through v2's handlers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from project_paths import ROOT

API = ROOT / "src" / "fake_assistants" / "api"
# What only the HTTP side may use: the routed call, wire values, raw-body decoding, query strings, multipart.
HTTP_MODULES = frozenset({
    "fake_assistants.api.routing", "fake_assistants.core.wire", "fake_assistants.core.sse",
    "fake_assistants.api.validation", "fake_assistants.api.params", "fake_assistants.api.multipart",
    "fake_assistants.api.run_replies",
})
HANDLER_PACKAGES = ("fake_assistants.api.endpoints", "fake_assistants.api.v1")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT / "src").with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> Iterator[str]:
    """Every module `path` imports (at any depth of the file), `from x import y` as both `x` and `x.y`."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            source = ".".join([*base, *(node.module.split(".") if node.module else [])])
            yield source
            yield from (f"{source}.{alias.name}" for alias in node.names)


def operation_files() -> list[Path]:
    return sorted((API / "operations").glob("*.py"))


def handler_files() -> list[Path]:
    return sorted([*(API / "endpoints").glob("*.py"), *(API / "v1").glob("*.py")])


def test_there_are_operations_and_handlers() -> None:
    assert len(operation_files()) > 5 and len(handler_files()) > 5


@pytest.mark.parametrize("path", operation_files(), ids=lambda p: p.name)
def test_an_operation_module_never_sees_http(path: Path) -> None:
    seen = set(imported(path))
    assert not seen & HTTP_MODULES
    assert not [name for name in seen if name.startswith(HANDLER_PACKAGES)]


@pytest.mark.parametrize("path", handler_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_handler_module_imports_no_other_handler_module(path: Path) -> None:
    own = module_name(path)
    handlers = {name for name in imported(path)
                if name.startswith("fake_assistants.api.endpoints.") and name != own}
    if own.startswith("fake_assistants.api.v1."):  # v1's own helpers (requests, view, file links) are not handlers
        handlers |= {name for name in imported(path) if name == "fake_assistants.api.endpoints"}
    assert not handlers
