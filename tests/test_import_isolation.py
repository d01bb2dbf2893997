"""The runtime needs only pydantic: `openai`, `httpx` and `httpx2` are optional, each behind its own module.

Architecture rules (shared/design/ARCHITECTURE.md): `httpx` is imported only by `transports/httpx_transport.py`,
`httpx2` only by `transports/httpx2_transport.py`, and `openai` by nothing under `src/`. The facade
(`fake.py`) is the one place allowed to load an optional library lazily, with `importlib`, when a client is asked for.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fake_assistants

PACKAGE = Path(fake_assistants.__file__).parent
OPTIONAL = ("openai", "httpx", "httpx2")
ONLY_IMPORTER = {
    "httpx": "transports/httpx_transport.py",
    "httpx2": "transports/httpx2_transport.py",
}
LAZY_LOADER = "fake.py"

# Runs in a fresh interpreter (-I: no PYTHONPATH, no user site, no script dir on sys.path) in which the
# optional libraries cannot be imported, whether or not they are installed.
BLOCKED_SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.abc, json, pkgutil, sys

    BLOCKED = set(sys.argv[1].split(","))

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, Blocker())

    import fake_assistants
    from fake_assistants import ApiRequest, FakeAssistants

    report = {"imported": [], "failed": {}}
    for info in pkgutil.walk_packages(fake_assistants.__path__, "fake_assistants."):
        try:
            importlib.import_module(info.name)
            report["imported"].append(info.name)
        except ImportError as error:
            report["failed"][info.name] = error.name

    fake = FakeAssistants(seed=0)
    request = ApiRequest.build(
        "POST", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v2"}, body=b'{"model": "gpt-4o"}'
    )
    response = fake.handle(request)
    report["status"] = response.status
    report["body"] = json.loads(response.body)
    try:
        fake.openai_client()
    except ImportError as error:
        report["openai_client_error"] = error.name
    report["loaded"] = sorted(name for name in sys.modules if name.partition(".")[0] in BLOCKED)
    print(json.dumps(report))
    """
)


def run_blocked(tmp_path: Path, blocked: tuple[str, ...]) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-I", "-c", BLOCKED_SCRIPT, ",".join(blocked)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.splitlines()[-1])  # type: ignore[no-any-return]


def test_core_works_without_openai_httpx_or_httpx2(tmp_path: Path) -> None:
    report = run_blocked(tmp_path, OPTIONAL)

    assert report["status"] == 200
    assert report["body"]["object"] == "assistant"  # type: ignore[index]
    assert report["loaded"] == []
    assert report["openai_client_error"] == "openai"
    assert report["failed"] == {
        "fake_assistants.transports.httpx_transport": "httpx",
        "fake_assistants.transports.httpx2_transport": "httpx2",
    }
    assert "fake_assistants.transports.httpx_family" in report["imported"]  # type: ignore[operator]


@pytest.mark.parametrize("missing", ["httpx", "httpx2"])
def test_each_transport_needs_only_its_own_library(tmp_path: Path, missing: str) -> None:
    report = run_blocked(tmp_path, (missing,))

    own = f"fake_assistants.transports.{missing}_transport"
    assert report["failed"] == {own: missing}
    other = "httpx2" if missing == "httpx" else "httpx"
    assert f"fake_assistants.transports.{other}_transport" in report["imported"]  # type: ignore[operator]


# -- static rules ----------------------------------------------------------------------------------


def source_files() -> list[Path]:
    files = sorted(PACKAGE.rglob("*.py"))
    assert files, f"no sources under {PACKAGE}"
    return files


def relative(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def imported_roots(tree: ast.AST) -> set[str]:
    """Top-level names of every absolute `import x` / `from x import y`, at any depth (functions included)."""
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


def dynamic_imports(tree: ast.AST) -> list[int]:
    """Line numbers of `importlib.import_module(...)` and `__import__(...)` calls."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if name in ("import_module", "__import__"):
            lines.append(node.lineno)
    return lines


def parse(path: Path) -> ast.AST:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


@pytest.mark.parametrize("library", OPTIONAL)
def test_optional_libraries_are_imported_only_by_their_transport(library: str) -> None:
    importers = [relative(path) for path in source_files() if library in imported_roots(parse(path))]

    expected = [ONLY_IMPORTER[library]] if library in ONLY_IMPORTER else []
    assert importers == expected


def test_only_the_facade_imports_lazily() -> None:
    lazy = {relative(path): lines for path in source_files() if (lines := dynamic_imports(parse(path)))}

    assert set(lazy) <= {LAZY_LOADER}


def test_the_static_check_sees_the_transports() -> None:
    """Guards the checker itself: it must find the imports the transports are known to have."""
    transports = PACKAGE / "transports"

    assert "httpx" in imported_roots(parse(transports / "httpx_transport.py"))
    assert "httpx2" in imported_roots(parse(transports / "httpx2_transport.py"))
    assert dynamic_imports(parse(PACKAGE / LAZY_LOADER))
