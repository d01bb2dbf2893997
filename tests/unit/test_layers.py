"""The architecture, checked on the source (docs/ARCHITECTURE.md describes it; issue 13 set it).

Layers, lowest first (`LAYERS`): core < model < store < runs < responders | cassettes < api < layers < app.py
< state | server | transports < fake.py < the public modules (`__init__`, `__main__`, demo, progression,
strategies, turns, plugin_options, coverage_table) < conftest_plugin. A module imports only from its own unit (a package
such as `runs/`, or one of the modules named above) or from a lower layer; units of one layer do not import each
other; inside a unit any order goes, as long as no import cycle closes. Every import counts: at module level,
under `if TYPE_CHECKING:`, inside a function, and `importlib.import_module("a literal")`.

Also checked: no import cycle among the project's modules (the same imports counted); at most 12 modules directly
in `src/fake_assistants/`; no module uses another module's private names (`from x import _name`, `module._name`,
`obj._name` on anything but `self`/`cls` unless the module defines `_name` itself); the optional libraries
(`httpx` only in `transports/httpx_transport.py` and `responders/http_backend.py`, `httpx2` only in
`transports/httpx2_transport.py`, `openai` nowhere at runtime (only `fake.py`, for type checkers), and the
runtime works without any of them); at most 5 files directly in `tests/`, with unique test
module names; and `docs/ARCHITECTURE.md` names only modules that exist.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise
from pathlib import Path

import pytest

import fake_assistants
from project_paths import DOCS, ROOT, TESTS

PACKAGE_NAME = "fake_assistants"
PACKAGE = ROOT / "src" / PACKAGE_NAME
PLUGIN = ROOT / "conftest_plugin"
ARCHITECTURE = DOCS / "ARCHITECTURE.md"

# Lowest first. A layer is a tuple of units; a unit is a package of fake_assistants (`core`: everything under
# core/), one of its top-level modules (`app`, `fake`), the group of public top-level modules, or the plugin.
PUBLIC_MODULES = (
    "__init__", "__main__", "demo", "progression", "strategies", "turns", "plugin_options", "coverage_table",
)
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("model",),
    ("store",),
    ("runs",),
    ("responders", "cassettes"),
    ("api",),
    ("layers",),
    ("app",),
    ("state", "server", "transports"),
    ("fake",),
    ("public",),
    ("conftest_plugin",),
)
MAX_TOP_LEVEL_MODULES = 12
MAX_FILES_DIRECTLY_IN_TESTS = 5

OPTIONAL = ("openai", "httpx", "httpx2")
ONLY_IMPORTER = {
    # issue 20: the chat-completions responder reaches its backend with httpx (the `responders` extra), from its
    # one HTTP module; nothing imports that module unless a backend is called
    "httpx": ["responders/http_backend.py", "transports/httpx_transport.py"],
    "httpx2": ["transports/httpx2_transport.py"],
}
LAZY_LOADER = "fake.py"
# Type checkers may see `openai` where the public API returns its clients (issue 17: `openai_client() -> OpenAI`);
# the runtime never imports it from src (the facade loads it lazily, when a client is asked for).
TYPE_ONLY_IMPORTERS = {"openai": ["fake.py"]}
# Documented API despite the underscore (namedtuple methods), so not a private name.
NOT_PRIVATE = frozenset({"_asdict", "_replace", "_fields", "_field_defaults", "_make"})
# Private attributes of outside libraries a module must reach, by module: no public API gets there.
OUTSIDE_PRIVATE = {
    # `fake.intercept()` reroutes clients the application built: the SDK client's HTTP client (`_client`) and
    # that client's transport and mounts (httpx and httpx2 have no public setter for either).
    "transports/intercept.py": frozenset({"_client", "_transport", "_mounts"}),
}


# -- reading the source ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Module:
    name: str  # dotted: fake_assistants.runs.engine, fake_assistants (the package's __init__), conftest_plugin
    path: Path
    is_package: bool
    where: str  # the path, as a failure message names it

    @property
    def package(self) -> str:
        """The package relative imports start from."""
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a project module, or the top-level name of an outside one ("httpx")
    line: int
    context: str  # "module level", "TYPE_CHECKING", "in function f", "importlib"
    names: tuple[str, ...] = ()  # what `from target import ...` takes


@dataclass
class Scan:
    """What one module imports and which private names of other modules it uses."""

    imports: list[Import] = field(default_factory=list)
    private_uses: list[tuple[int, str]] = field(default_factory=list)  # (line, description)


def module_name(path: Path, root: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(root).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def project_modules(package: Path = PACKAGE, plugin: Path = PLUGIN, root: Path = ROOT) -> dict[str, Module]:
    modules: dict[str, Module] = {}
    for top in (package, plugin):
        for path in sorted(top.rglob("*.py")) if top.is_dir() else []:
            name, is_package = module_name(path, top.parent)
            modules[name] = Module(name, path, is_package, path.relative_to(root).as_posix())
    return modules


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__")) and name not in NOT_PRIVATE


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def defined_names(tree: ast.AST) -> set[str]:
    """Names the module defines itself: functions, classes, variables, arguments, `self.x`/`cls.x` attributes,
    `__slots__` entries."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
        ):
            names.add(node.attr)
        elif isinstance(node, ast.Assign) and "__slots__" in [getattr(t, "id", None) for t in node.targets]:
            slots = [c.value for c in ast.walk(node.value) if isinstance(c, ast.Constant)]
            names.update(slot for slot in slots if isinstance(slot, str))
    return names


class Scanner(ast.NodeVisitor):
    """Collects a module's imports (with where they sit) and its uses of other modules' private names."""

    def __init__(self, module: Module, modules: dict[str, Module], tree: ast.Module) -> None:
        self.module = module
        self.modules = modules
        self.scan = Scan()
        self.own_names = defined_names(tree)
        self.context: list[str] = []  # innermost last: "TYPE_CHECKING", "in function f"
        self.receivers: list[str] = []  # the first parameter of each enclosing method
        self.module_aliases: dict[str, str] = {}  # local name -> project module it is bound to
        self.outside_private = OUTSIDE_PRIVATE.get(module.where.removeprefix(f"src/{PACKAGE_NAME}/"), frozenset())

    # -- imports

    def where(self) -> str:
        return self.context[-1] if self.context else "module level"

    def resolve(self, level: int, module: str | None) -> str:
        if not level:
            return module or ""
        base = self.module.package.split(".")
        if level > 1:
            base = base[: len(base) - (level - 1)]
        return ".".join([*base, *([module] if module else [])])

    def project_target(self, dotted: str) -> str | None:
        """The project module `dotted` names (the longest known prefix), or None for an outside module."""
        parts = dotted.split(".")
        for end in range(len(parts), 0, -1):
            if ".".join(parts[:end]) in self.modules:
                return ".".join(parts[:end])
        return None

    def add(self, target: str, line: int, names: tuple[str, ...] = (), context: str | None = None) -> None:
        known = self.project_target(target)
        resolved = known if known is not None else target.partition(".")[0]
        self.scan.imports.append(Import(self.module.name, resolved, line, context or self.where(), names))
        if known is not None:
            private_parts = [part for part in target.split(".") if is_private(part)]
            if private_parts:
                self.scan.private_uses.append((line, f"imports the private module {target}"))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.add(alias.name, node.lineno)
            known = self.project_target(alias.name)
            if known is not None and alias.asname:
                self.module_aliases[alias.asname] = known
        self.generic_visit(node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = self.resolve(node.level, node.module)
        taken: list[str] = []
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in self.modules:  # `from pkg import module`
                self.add(submodule, node.lineno)
                self.module_aliases[alias.asname or alias.name] = submodule
            else:
                taken.append(alias.name)
        if taken:
            self.add(base, node.lineno, tuple(taken))
            if self.project_target(base) is not None:
                for name in taken:
                    if is_private(name):
                        self.scan.private_uses.append((node.lineno, f"imports {name} from {base}"))
        self.generic_visit(node)

    def visit_If(self, node: ast.If) -> None:
        if is_type_checking(node.test):
            self.visit(node.test)
            self.context.append("TYPE_CHECKING")
            for statement in node.body:
                self.visit(statement)
            self.context.pop()
            for statement in node.orelse:
                self.visit(statement)
        else:
            self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self.visit_function(child, method=True)
            else:
                self.visit(child)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.visit_function(node, method=False)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.visit_function(node, method=False)

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, *, method: bool) -> None:
        static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in node.decorator_list)
        positional = [*node.args.posonlyargs, *node.args.args]
        receiver = positional[0].arg if method and not static and positional else None
        if receiver:
            self.receivers.append(receiver)
        self.context.append(f"in function {node.name}")
        self.generic_visit(node)
        self.context.pop()
        if receiver:
            self.receivers.pop()

    # -- private names

    def is_own(self, value: ast.expr) -> bool:
        """`self`, `cls` (or the method's first parameter), or `type(self)`."""
        if isinstance(value, ast.Name):
            return value.id in ("self", "cls") or value.id in self.receivers
        return (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and value.func.id == "type"
            and len(value.args) == 1
            and self.is_own(value.args[0])
        )

    def check_private(self, value: ast.expr, name: str, line: int) -> None:
        if not is_private(name):
            return
        if isinstance(value, ast.Name) and value.id in self.module_aliases:
            self.scan.private_uses.append((line, f"uses {value.id}.{name} of {self.module_aliases[value.id]}"))
        elif not self.is_own(value) and name not in self.own_names and name not in self.outside_private:
            self.scan.private_uses.append((line, f"uses {ast.unparse(value)}.{name}, private to another module"))

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self.check_private(node.value, node.attr, node.lineno)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Name)
            and func.id in ("getattr", "setattr", "hasattr", "delattr")
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            self.check_private(node.args[0], node.args[1].value, node.lineno)
        dynamic = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if dynamic in ("import_module", "__import__") and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str) and not first.value.startswith("."):
                self.add(first.value, node.lineno, context="importlib")
        self.generic_visit(node)


def scan_source(module: Module, modules: dict[str, Module], source: str) -> Scan:
    tree = ast.parse(source, filename=str(module.path))
    scanner = Scanner(module, modules, tree)
    scanner.visit(tree)
    return scanner.scan


@cache
def scanned() -> tuple[dict[str, Module], dict[str, Scan]]:
    modules = project_modules()
    assert modules, f"no modules under {PACKAGE}"
    return modules, {name: scan_source(m, modules, m.path.read_text(encoding="utf-8")) for name, m in modules.items()}


# -- layers -----------------------------------------------------------------------------------------------------


def unit_of(name: str) -> str | None:
    """The unit a module belongs to, or None when `LAYERS` does not place it."""
    parts = name.split(".")
    if parts[0] == "conftest_plugin":
        return "conftest_plugin"
    if len(parts) == 1:  # fake_assistants/__init__.py
        return "public"
    top = parts[1]  # a package (`runs`) or a top-level module (`app`, `strategies`)
    if any(top in layer for layer in LAYERS):
        return top
    return "public" if len(parts) == 2 and top in PUBLIC_MODULES else None


def layer_index(unit: str) -> int:
    (index,) = [i for i, layer in enumerate(LAYERS) if unit in layer]
    return index


def allowed_units(unit: str) -> list[str]:
    index = layer_index(unit)
    return [u for layer in LAYERS[:index] for u in layer] + [unit]


def describe(module: Module, imported: Import) -> str:
    return f"{module.where}:{imported.line} ({imported.context}) imports {imported.target}"


def layer_violations(modules: dict[str, Module], scans: dict[str, Scan]) -> list[str]:
    found = []
    for name, scan in scans.items():
        unit = unit_of(name)
        if unit is None:
            continue
        for imported in scan.imports:
            if imported.target not in modules or unit_of(imported.target) is None:
                continue
            target_unit = unit_of(imported.target)
            assert target_unit is not None
            if target_unit == unit or layer_index(target_unit) < layer_index(unit):
                continue
            why = "a unit of the same layer" if layer_index(target_unit) == layer_index(unit) else "a higher layer"
            found.append(
                f"{describe(modules[name], imported)}: {target_unit} is {why}; {unit} may import only "
                f"{', '.join(allowed_units(unit))}"
            )
    return found


# -- cycles -----------------------------------------------------------------------------------------------------


def import_graph(modules: dict[str, Module], scans: dict[str, Scan]) -> dict[str, dict[str, Import]]:
    """module -> {imported project module -> the first import of it}."""
    graph: dict[str, dict[str, Import]] = {name: {} for name in modules}
    for name, scan in scans.items():
        for imported in scan.imports:
            if imported.target in modules and imported.target != name:
                graph[name].setdefault(imported.target, imported)
    return graph


def strongly_connected(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively; components of more than one module, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def shortest_cycle(graph: Mapping[str, Iterable[str]], component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module, staying inside the component."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child in members and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start} in {component}")


def cycle_report(modules: dict[str, Module], scans: dict[str, Scan]) -> list[str]:
    graph = import_graph(modules, scans)
    edges = {name: list(targets) for name, targets in graph.items()}
    reports = []
    for component in strongly_connected(edges):
        cycle = shortest_cycle(edges, component)
        steps = [describe(modules[a], graph[a][b]) for a, b in pairwise(cycle)]
        reports.append(
            f"cycle {' -> '.join(cycle)} (its component: {', '.join(component)}):\n    " + "\n    ".join(steps)
        )
    return reports


# -- the tests: layers, cycles, size ----------------------------------------------------------------------------


def test_every_module_has_a_layer() -> None:
    modules, _ = scanned()

    unplaced = [m.where for name, m in modules.items() if unit_of(name) is None]

    assert not unplaced, f"modules no layer of LAYERS (tests/unit/test_layers.py) places: {unplaced}"


def test_imports_only_point_down() -> None:
    modules, scans = scanned()

    violations = layer_violations(modules, scans)

    assert not violations, f"{len(violations)} imports against the layer order:\n" + "\n".join(violations)


def test_no_import_cycle() -> None:
    modules, scans = scanned()

    cycles = cycle_report(modules, scans)

    assert not cycles, f"{len(cycles)} import cycles among src modules:\n" + "\n".join(cycles)


def test_at_most_12_modules_directly_in_the_package() -> None:
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))

    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, f"{len(top_level)} modules in src/{PACKAGE_NAME}/: {top_level}"


def test_no_module_uses_another_modules_private_names() -> None:
    modules, scans = scanned()

    uses = [f"{modules[name].where}:{line}: {what}" for name, scan in scans.items() for line, what in scan.private_uses]

    assert not uses, f"{len(uses)} uses of other modules' private names:\n" + "\n".join(sorted(uses))


# -- the checker on known sources -------------------------------------------------------------------------------


def fixture_modules(tmp_path: Path, sources: dict[str, str]) -> tuple[dict[str, Module], dict[str, Scan]]:
    """A small fake_assistants package under tmp_path: {"runs/engine.py": source, ...}."""
    package = tmp_path / PACKAGE_NAME
    for relative, source in {"__init__.py": "", **sources}.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    modules = project_modules(package, tmp_path / "conftest_plugin", tmp_path)
    return modules, {name: scan_source(m, modules, m.path.read_text(encoding="utf-8")) for name, m in modules.items()}


def test_the_checker_counts_type_checking_and_function_imports(tmp_path: Path) -> None:
    modules, scans = fixture_modules(
        tmp_path,
        {
            "core/ids.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from ..model.run import Run
            """,
            "model/run.py": """
                def load():
                    from ..runs import engine
                    return engine
            """,
            "runs/engine.py": "from ..core.ids import make\n",
        },
    )

    contexts = {(i.importer, i.target): i.context for scan in scans.values() for i in scan.imports}
    assert contexts[("fake_assistants.core.ids", "fake_assistants.model.run")] == "TYPE_CHECKING"
    assert contexts[("fake_assistants.model.run", "fake_assistants.runs.engine")] == "in function load"
    violations = layer_violations(modules, scans)
    assert len(violations) == 2
    assert violations[0].startswith("fake_assistants/core/ids.py:4 (TYPE_CHECKING) imports fake_assistants.model.run")
    assert "core may import only core" in violations[0]
    (cycle,) = cycle_report(modules, scans)
    assert cycle.startswith(
        "cycle fake_assistants.core.ids -> fake_assistants.model.run -> fake_assistants.runs.engine"
        " -> fake_assistants.core.ids"
    )


def test_the_checker_sees_private_names_of_other_modules(tmp_path: Path) -> None:
    _, scans = fixture_modules(
        tmp_path,
        {
            "runs/engine.py": """
                class Engine:
                    def _execute(self): ...
                    def run(self, other):
                        self._execute()
                        type(self)._execute(self)
                        other._execute()  # defined here: same module
            """,
            "runs/pending.py": """
                from . import engine
                from .engine import _helper
                def resume(work, point):
                    engine._execute()
                    work.engine._execute()
                    getattr(work, "_finish")()
                    work.__class__, point._replace(x=1)
            """,
        },
    )

    uses = [what for _, what in scans["fake_assistants.runs.pending"].private_uses]
    assert uses == [
        "imports _helper from fake_assistants.runs.engine",
        "uses engine._execute of fake_assistants.runs.engine",
        "uses work.engine._execute, private to another module",
        "uses work._finish, private to another module",
    ]
    assert scans["fake_assistants.runs.engine"].private_uses == []


# -- optional libraries ------------------------------------------------------------------------------------------

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
        "fake_assistants.responders.http_backend": "httpx",
        "fake_assistants.transports.httpx_transport": "httpx",
        "fake_assistants.transports.httpx2_transport": "httpx2",
    }
    assert "fake_assistants.responders.chat_completions" in report["imported"]  # type: ignore[operator]
    assert "fake_assistants.transports.httpx_family" in report["imported"]  # type: ignore[operator]


@pytest.mark.parametrize("missing", ["httpx", "httpx2"])
def test_each_transport_needs_only_its_own_library(tmp_path: Path, missing: str) -> None:
    report = run_blocked(tmp_path, (missing,))

    own = f"fake_assistants.transports.{missing}_transport"
    responder = {"fake_assistants.responders.http_backend": "httpx"} if missing == "httpx" else {}
    assert report["failed"] == {own: missing, **responder}
    other = "httpx2" if missing == "httpx" else "httpx"
    assert f"fake_assistants.transports.{other}_transport" in report["imported"]  # type: ignore[operator]


def package_relative(module: Module) -> str:
    return module.path.relative_to(PACKAGE).as_posix()


def src_modules() -> list[Module]:
    modules, _ = scanned()
    return [m for m in modules.values() if m.path.is_relative_to(PACKAGE)]


def statically_imported(module: Module) -> set[str]:
    _, scans = scanned()
    return {i.target for i in scans[module.name].imports if i.context != "importlib"}


def dynamic_imports(path: Path) -> list[int]:
    """Line numbers of `importlib.import_module(...)` and `__import__(...)` calls."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__"):
                lines.append(node.lineno)
    return lines


def test_the_package_checked_is_the_one_imported() -> None:
    assert Path(fake_assistants.__file__).resolve().parent == PACKAGE.resolve()


def runtime_imported(module: Module) -> set[str]:
    """What a module imports when it runs: every static import but those under `if TYPE_CHECKING:`."""
    _, scans = scanned()
    return {i.target for i in scans[module.name].imports if i.context not in ("importlib", "TYPE_CHECKING")}


@pytest.mark.parametrize("library", OPTIONAL)
def test_optional_libraries_are_imported_only_by_their_transport(library: str) -> None:
    importers = [package_relative(m) for m in src_modules() if library in runtime_imported(m)]
    for_type_checkers = [package_relative(m) for m in src_modules() if library in statically_imported(m)]

    expected = ONLY_IMPORTER.get(library, [])
    assert sorted(importers) == expected
    assert sorted(set(for_type_checkers) - set(importers)) == TYPE_ONLY_IMPORTERS.get(library, [])


def test_only_the_facade_imports_lazily() -> None:
    lazy = {package_relative(m): lines for m in src_modules() if (lines := dynamic_imports(m.path))}

    assert set(lazy) <= {LAZY_LOADER}


def test_the_static_check_sees_the_transports() -> None:
    """Guards the checker itself: it must find the imports the transports are known to have."""
    modules, _ = scanned()

    assert "httpx" in statically_imported(modules["fake_assistants.transports.httpx_transport"])
    assert "httpx2" in statically_imported(modules["fake_assistants.transports.httpx2_transport"])
    assert dynamic_imports(PACKAGE / LAZY_LOADER)


# -- the tests' own layout ----------------------------------------------------------------------------------------


def test_at_most_5_files_directly_in_tests() -> None:
    files = sorted(p.name for p in TESTS.iterdir() if p.is_file() and not p.name.startswith("."))

    assert len(files) <= MAX_FILES_DIRECTLY_IN_TESTS, (
        f"{len(files)} files directly in tests/ (at most {MAX_FILES_DIRECTLY_IN_TESTS}; put the rest in the "
        f"folder of their feature): {files}"
    )


def test_test_module_names_are_unique() -> None:
    """pytest imports test modules in its default (prepend) mode: two `test_x.py` in different folders collide."""
    by_name: dict[str, list[str]] = {}
    for path in sorted(TESTS.rglob("*.py")):
        if "__pycache__" not in path.parts:
            by_name.setdefault(path.name, []).append(path.relative_to(ROOT).as_posix())
    shared = {name: paths for name, paths in by_name.items() if len(paths) > 1 and name != "__init__.py"}

    assert not shared, f"module names used twice under tests/ (rename one): {shared}"


def test_support_modules_are_not_test_modules() -> None:
    support = TESTS / "support"

    assert sorted(p.name for p in support.glob("test_*.py")) == []
    assert not (TESTS / "support" / "conftest.py").exists()


# -- docs/ARCHITECTURE.md -----------------------------------------------------------------------------------------

FENCE = re.compile(r"^```.*?^```", re.DOTALL | re.MULTILINE)
INLINE = re.compile(r"`([^`\n]+)`")
PY_FILE = re.compile(r"(?<![\w./*-])[\w./*-]*\w\.py\b")
DOTTED = re.compile(rf"(?<![\w./-])(?:{PACKAGE_NAME}|conftest_plugin)(?!\w)(?:\.\w+)*")
FOLDER = re.compile(r"[\w.-]+(?:/[\w.-]+)*/")


def module_references(text: str) -> set[str]:
    """Module paths the document names: `x/y.py` and `fake_assistants.x.y` in backticks or code blocks, and
    folders (`runs/`) that are a whole backtick span."""
    references: set[str] = set()
    blocks = FENCE.findall(text)
    spans = INLINE.findall(FENCE.sub("", text))
    for chunk in [*blocks, *spans]:
        references.update(PY_FILE.findall(chunk))
        references.update(DOTTED.findall(chunk))
    references.update(span for span in spans if FOLDER.fullmatch(span))
    return references


def top_level_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).partition(".")[0] for alias in node.names)
        else:
            names.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return names


def reference_exists(reference: str) -> bool:
    """A path from the checkout, `src/`, or the package (`runs/engine.py`), or the end of a path in the package
    (`engine.py`, `endpoints/runs.py`; globs allowed); or a dotted module, optionally with a name it defines."""
    if reference.endswith((".py", "/")):
        pattern = reference.rstrip("/")
        if any(any(base.glob(pattern)) for base in (ROOT, ROOT / "src", PACKAGE)):
            return True
        return any("__pycache__" not in p.parts for top in (PACKAGE, PLUGIN) for p in top.rglob(pattern))
    modules, _ = scanned()
    parts = reference.split(".")
    for end in range(len(parts), 0, -1):
        prefix = ".".join(parts[:end])
        if prefix in modules:
            rest = parts[end:]
            return not rest or rest[0] in top_level_names(modules[prefix].path)
    return False


def test_the_reference_finder() -> None:
    text = textwrap.dedent(
        """
        The engine (`runs/engine.py`, `fake_assistants.runs.engine.Engine`) runs; see `runs/` and `App.handle`.
        ```
        src/fake_assistants/
          fake.py   the facade
        ```
        `python -m fake_assistants.coverage_table --write docs/COVERAGE.md`
        """
    )

    assert module_references(text) == {
        "runs/engine.py",
        "fake_assistants.runs.engine.Engine",
        "runs/",
        "fake.py",
        "fake_assistants.coverage_table",
    }
    assert reference_exists("fake.py")
    assert reference_exists("fake_assistants.fake.FakeAssistants")
    assert not reference_exists("fake_assistants.fake.NoSuchThing")
    assert not reference_exists("nowhere/nothing.py")


def test_architecture_doc_exists() -> None:
    assert ARCHITECTURE.is_file(), f"{ARCHITECTURE.relative_to(ROOT)} is missing (issue 13 asks for it)"


def test_architecture_doc_names_only_modules_that_exist() -> None:
    if not ARCHITECTURE.is_file():
        pytest.fail(f"{ARCHITECTURE.relative_to(ROOT)} is missing (issue 13 asks for it)")
    references = module_references(ARCHITECTURE.read_text(encoding="utf-8"))

    missing = sorted(r for r in references if not reference_exists(r))

    assert references, "docs/ARCHITECTURE.md names no module"
    assert not missing, f"docs/ARCHITECTURE.md names modules, folders or names that do not exist: {missing}"
