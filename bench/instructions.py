"""Instruction counts per quickstart flow under callgrind: fake against the canned floor, and where the
difference goes. Unlike CPU time, instruction counts do not move with the machine's load.

    python bench/instructions.py [--flows 20] [--cases floor,fake,adapter,core] [--flow quickstart]
    python bench/instructions.py --matrix [--flows 10]
    python bench/instructions.py --cache-sim [--flows 10] [--flow quickstart]

`--flow` picks the workload: `quickstart` (`floor`, `fake`, `adapter`, `core` by default, `bare` and
`unlayered`), `crud`
(`floor` and `fake`) or `streaming` (a 2,000-word reply streamed and parsed by the SDK; `floor`, `chunked` and
`fake`). `--cache-sim` runs `floor` and `fake` under callgrind's cache simulation (this machine's L1 caches and
its L2) and prints their L1 and L2 misses per flow beside the instructions. `--matrix`
runs `floor` and `fake` for the three flows on this venv's SDK and, when it exists, on `.bench-venv/`'s
(openai 2.54.0 on httpx: `python bench/run.py` creates it), and prints one table of ratios.

Each case runs in its own `valgrind --tool=callgrind` process. After a warm-up (imports, caches, first calls),
collection is switched on only while the measured work runs: every round builds its fresh fake and client
uncounted, then calls the work through `sys.call_tracing`, the one function callgrind is told to toggle
collection on (`--toggle-collect`); nothing else in the SDK or the fake calls it, and with no tracer set
it only calls the work. `PYTHONHASHSEED=0`, freezing what the warm-up left (`gc.freeze()`, so that a
full collection does not scan every module's objects whenever it happens to fall inside a flow) and a
collection before each flow (uncounted: every flow starts with the collector in the same state, so the
collections inside it fall at the same places) keep the counts repeatable run to run. Without that last
step, the floor's streaming flow read 1,631.6 M in one process's first flow and 1,587.3 M in its second
(the collections a flow paid for depended on what the flows before it had left); with it, 1,626.9 M and
1,635.1 M.

| case | what is counted per flow |
| --- | --- |
| `floor` | the SDK on a canned `MockTransport` (what `run.py` calls the floor) |
| `fake` | the SDK on the fake (what `run.py` compares with the floor) |
| `adapter` | the SDK on the fake's transport answering canned `ApiResponse`s: the SDK plus the adapter |
| `core` | `fake.handle` alone, replaying the flow's requests on a fresh fake: the sans-IO core |
| `chunked` | streaming: the floor's bytes in the chunks the fake sent them in (the floor sends one chunk) |
| `bare` | the SDK on the fake's adapter answered by `bare.py`: one plain function doing what any fake must |
| `unlayered` | the SDK on the fake without its harness layers: `unlayered.py` (no journal, faults, lock...) |

So `adapter - floor` is the transport adapter against the canned floor's own handler, and `fake - adapter`
the core as the SDK drives it. Instructions are not time: the fake's code runs with caches the SDK has just
filled with its own, so its share of CPU time is larger than its share of instructions. Needs valgrind on
PATH; takes about a minute per case.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The cases each workload has: the default `--cases`, then the others.
FLOW_CASES = {"quickstart": (("floor", "fake", "adapter", "core"), ("bare", "unlayered")),
              "crud": (("floor", "fake"), ()),
              "streaming": (("floor", "chunked", "fake"), ())}
CASES = tuple(dict.fromkeys(case for default, more in FLOW_CASES.values() for case in default + more))
FLOWS = ("quickstart", "crud", "streaming")
ROOT = Path(__file__).resolve().parent.parent
PEER_PYTHON = ROOT / ".bench-venv" / "bin" / "python"
WARM_UP = 3
TOGGLE = "sys_call_tracing"  # the C function behind sys.call_tracing: collection is on only inside it
Setup = Callable[[], Callable[[], object]]
Answer = tuple[int, list[tuple[str, str]], bytes]


# -- the child: one case, run inside callgrind -----------------------------------------------------------


def recorded_exchange() -> list[tuple[Any, Answer]]:
    """The quickstart's requests to a fresh fake (seed 0) and the answers, bodies read."""
    import flows

    from fake_assistants import ApiRequest, ApiResponse, FakeAssistants

    exchange: list[tuple[Any, Answer]] = []
    fake = FakeAssistants(seed=0)
    inner = fake.handle

    def handle(request: ApiRequest) -> ApiResponse:
        response = inner(request)
        body = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        response.body = body
        exchange.append((request, (response.status, list(response.headers), body)))
        return response

    fake.handle = handle  # type: ignore[method-assign]
    client = flows.fake_client(fake)
    flows.quickstart(client)
    client.close()
    return exchange


def setups(flow: str = "quickstart") -> dict[str, Setup]:
    import flows

    from fake_assistants import ApiResponse, FakeAssistants

    if flow == "streaming":
        import streaming

        return dict(streaming.cases()[0])
    if flow == "crud":
        return dict(flows.cases(flows.crud))
    cases = flows.cases(flows.quickstart)
    exchange = recorded_exchange()
    requests = [request for request, _ in exchange]

    def adapter() -> Callable[[], object]:
        answers = iter([answer for _, answer in exchange])

        def handle(request: Any) -> ApiResponse:
            status, headers, body = next(answers)
            return ApiResponse(status, list(headers), body)

        fake = FakeAssistants(seed=0)
        fake.handle = handle  # type: ignore[method-assign]  # before the client: its transport's handler
        client = flows.fake_client(fake)
        return lambda: flows.quickstart(client)

    def core() -> Callable[[], object]:
        fake = FakeAssistants(seed=0)

        def replay() -> None:
            for request in requests:
                response = fake.handle(request)
                if not isinstance(response.body, bytes):
                    b"".join(response.body)

        return replay

    built: dict[str, Setup] = {}

    def reference(name: str) -> Setup:
        """The case of `bench/<name>.py`, built when first asked for: the other cases run as before."""

        def setup() -> Callable[[], object]:
            if name not in built:
                built[name] = importlib.import_module(name).case()
            return built[name]()

        return setup

    return {"floor": cases["floor"], "fake": cases["fake"], "adapter": adapter, "core": core,
            "bare": reference("bare"), "unlayered": reference("unlayered")}


def child(case: str, flows_count: int, flow: str = "quickstart") -> None:
    setup = setups(flow)[case]
    for _ in range(WARM_UP):
        setup()()
    gc.collect()
    gc.freeze()
    for _ in range(flows_count):
        work = setup()  # not counted
        gc.collect()  # not counted: every flow starts with the collector in the same state (see the docstring)
        sys.call_tracing(work, ())  # counted


# -- the parent: one callgrind process per case ------------------------------------------------------------


def count(case: str, flows_count: int, workdir: Path, flow: str = "quickstart", python: str | None = None) -> int:
    """Instructions the case ran in total over `flows_count` flows (of `flow`, under `python`)."""
    return count_events(case, flows_count, workdir, flow, python)["Ir"]


def count_events(case: str, flows_count: int, workdir: Path, flow: str = "quickstart", python: str | None = None,
                 options: tuple[str, ...] = ()) -> dict[str, int]:
    """callgrind's totals over `flows_count` flows, by event name (`Ir`, and with `--cache-sim=yes` among
    `options` the cache events: `I1mr`, `D1mr`, `D1mw`, `ILmr`, `DLmr`, `DLmw`)."""
    out = workdir / f"callgrind.{flow}.{case}.{abs(hash((python, options)))}.out"
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={TOGGLE}", *options,
               f"--callgrind-out-file={out}", python or sys.executable, "-W", "ignore", __file__,
               "--child", case, "--flows", str(flows_count), "--flow", flow]
    source = str(ROOT / "src")  # the fake from this tree, also under .bench-venv's python
    env = {**os.environ, "PYTHONHASHSEED": "0",
           "PYTHONPATH": os.pathsep.join(filter(None, [source, os.environ.get("PYTHONPATH")]))}
    subprocess.run(command, check=True, capture_output=True, env=env)
    text = out.read_text(encoding="utf-8")
    names = re.search(r"^events:\s+(.+)$", text, re.MULTILINE)
    totals = re.search(r"^totals:\s+(.+)$", text, re.MULTILINE)
    if names is None or totals is None:
        raise RuntimeError(f"no totals in {out}")
    events, values = names.group(1).split(), [int(value) for value in totals.group(1).split()]
    values += [0] * (len(events) - len(values))  # callgrind leaves trailing zero counts out of the line
    return dict(zip(events, values, strict=True))


# -- simulated caches: where the fake's CPU time goes beyond its instructions --------------------------------

@dataclass(frozen=True, slots=True)
class Cache:
    """One simulated cache: size in bytes, ways, line size, and where they come from (`sysfs` or `default`)."""

    size: int
    ways: int
    line: int
    source: str = "default"


# Used where the machine does not describe a cache in sysfs in a form callgrind can simulate: the geometry of
# the machines the figures in docs/PERFORMANCE.md come from (AMD EPYC: 32 KiB 8-way L1s, 1 MiB 8-way L2).
DEFAULT_GEOMETRY = {"I1": Cache(32768, 8, 64), "D1": Cache(32768, 8, 64), "L2": Cache(1048576, 8, 64)}
CACHE_SYSFS = Path("/sys/devices/system/cpu/cpu0/cache")
SYSFS_KINDS = {("1", "Data"): "D1", ("1", "Instruction"): "I1", ("2", "Unified"): "L2"}


def cache_geometry() -> dict[str, Cache]:
    """This machine's L1 caches (`I1`, `D1`) and L2, from sysfs; `DEFAULT_GEOMETRY`'s for any other."""
    found = dict(DEFAULT_GEOMETRY)
    for index in sorted(CACHE_SYSFS.glob("index*")):
        try:
            level, kind, sets, ways, line = (
                (index / name).read_text(encoding="ascii").strip()
                for name in ("level", "type", "number_of_sets", "ways_of_associativity", "coherency_line_size"))
            cache = _simulable(int(sets), int(ways), int(line))
        except (OSError, ValueError):
            continue
        key = SYSFS_KINDS.get((level, kind))
        if key is not None and cache is not None:
            found[key] = cache
    return found


def _simulable(sets: int, ways: int, line: int) -> Cache | None:
    """The cache when callgrind can simulate it: a power-of-two number of sets and a power-of-two line of at
    least 16 bytes; else None (a fully associative cache reports 0 ways, for one)."""
    if sets <= 0 or ways <= 0 or line < 16 or sets & (sets - 1) or line & (line - 1):
        return None
    return Cache(sets * ways * line, ways, line, "sysfs")


def cache_options(geometry: dict[str, Cache]) -> tuple[str, ...]:
    """callgrind's cache simulation with the L2 as its last level: the L3 is large enough to hold what the SDK
    and the fake use together, so what costs time is what falls out of L1 and L2 between two requests."""
    def spec(name: str) -> str:
        cache = geometry[name]
        return f"{cache.size},{cache.ways},{cache.line}"

    return ("--cache-sim=yes", f"--I1={spec('I1')}", f"--D1={spec('D1')}", f"--LL={spec('L2')}")


def describe_geometry(geometry: dict[str, Cache]) -> str:
    """`D1 32 KiB 8-way, I1 32 KiB 8-way, L2 1,024 KiB 8-way; 64-byte lines` (the simulated caches), each one
    that is not this machine's marked `(default)`."""
    parts = [f"{name} {cache.size // 1024:,} KiB {cache.ways}-way" + (" (default)" if cache.source == "default" else "")
             for name, cache in sorted(geometry.items())]
    lines = sorted({cache.line for cache in geometry.values()})
    return ", ".join(parts) + "; " + "/".join(str(line) for line in lines) + "-byte lines"


@dataclass(frozen=True, slots=True)
class Misses:
    """Simulated cache misses per flow of one case: reads and writes, instructions and data."""

    instructions: float
    level1: float
    level2: float


def cache_misses(flows_count: int, flow: str = "quickstart") -> dict[str, Misses]:
    """`floor` and `fake` under callgrind's cache simulation (this machine's L1 and L2): misses per flow."""
    options = cache_options(cache_geometry())
    found: dict[str, Misses] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for case in ("floor", "fake"):
            events = count_events(case, flows_count, Path(workdir), flow, options=options)
            found[case] = Misses(events["Ir"] / flows_count,
                                 (events["I1mr"] + events["D1mr"] + events["D1mw"]) / flows_count,
                                 (events["ILmr"] + events["DLmr"] + events["DLmw"]) / flows_count)
            print(f"{case}: {found[case]}", file=sys.stderr)
    return found


def compared(found: dict[str, Misses], attribute: str, requests: int) -> tuple[float, float, float, float]:
    """floor's and fake's `attribute` per flow, fake / floor, and (fake - floor) per request."""
    low, high = getattr(found["floor"], attribute), getattr(found["fake"], attribute)
    return low, high, high / low, (high - low) / requests


def misses_table(found: dict[str, Misses], requests: int) -> str:
    lines = ["| per flow | floor | fake | fake / floor | the fake's own, per request |",
             "| --- | --- | --- | --- | --- |"]
    for label, attribute in (("instructions", "instructions"), ("L1 misses (instructions and data)", "level1"),
                             ("L2 misses (instructions and data)", "level2")):
        low, high, ratio, own = compared(found, attribute, requests)
        lines.append(f"| {label} | {low / 1e3:,.1f} k | {high / 1e3:,.1f} k | {ratio:.2f}x | {own / 1e3:,.2f} k |")
    return "\n".join(lines)


def report(per_flow: dict[str, float], requests: int) -> str:
    lines = [f"{name:8} {value / 1e6:8.3f} M instructions per flow" for name, value in per_flow.items()]
    floor, fake = per_flow.get("floor"), per_flow.get("fake")
    if floor and fake:
        lines.append(f"fake / floor: {fake / floor:.3f}x; the fake adds {(fake - floor) / requests / 1e3:,.0f} k "
                     "instructions per request")
    if floor and fake and "adapter" in per_flow:
        adapter = per_flow["adapter"]
        lines.append(f"  adapter - floor: {(adapter - floor) / requests / 1e3:,.0f} k per request; "
                     f"fake - adapter (the core as the SDK drives it): {(fake - adapter) / requests / 1e3:,.0f} k")
    return "\n".join(lines)


def sdk_line(python: str) -> str:
    """`openai X / httpxY` of `python`'s venv."""
    code = ("import importlib.metadata as m, openai; v = m.version('openai'); "
            "h = 'httpx2' if int(v.split('.')[0]) >= 3 else 'httpx'; print(f'openai {v} / {h} {m.version(h)}')")
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.strip()


@dataclass(frozen=True, slots=True)
class Cell:
    """floor and fake instructions per flow of one flow on one SDK line."""

    sdk: str
    flow: str
    floor: float
    fake: float

    @property
    def ratio(self) -> float:
        return self.fake / self.floor

    @property
    def own_per_request(self) -> float:
        return (self.fake - self.floor) / REQUESTS[self.flow]


REQUESTS = {"quickstart": 6, "crud": 7, "streaming": 1}


def matrix_cells(flows_count: int, streaming_flows: int | None = None) -> list[Cell]:
    """floor and fake for every flow on each SDK line (`streaming_flows` flows for the streaming workload,
    which takes minutes per case under callgrind)."""
    pythons = [sys.executable] + ([str(PEER_PYTHON)] if PEER_PYTHON.exists() else [])
    cells: list[Cell] = []
    with tempfile.TemporaryDirectory() as workdir:
        for python in pythons:
            line = sdk_line(python)
            for flow in FLOWS:
                flows_here = streaming_flows if flow == "streaming" and streaming_flows else flows_count
                floor, fake = (count(case, flows_here, Path(workdir), flow, python) / flows_here
                               for case in ("floor", "fake"))
                print(f"{line} {flow}: floor {floor / 1e6:.3f} M, fake {fake / 1e6:.3f} M", file=sys.stderr)
                cells.append(Cell(line, flow, floor, fake))
    return cells


def matrix_table(cells: list[Cell]) -> str:
    lines = ["| SDK | flow | floor (M/flow) | fake (M/flow) | fake / floor | the fake's own, per request |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {cell.sdk} | {cell.flow} | {cell.floor / 1e6:.2f} | {cell.fake / 1e6:.2f} | {cell.ratio:.3f}x | "
              f"{cell.own_per_request / 1e3:,.0f} k |" for cell in cells]
    if not PEER_PYTHON.exists():
        lines.append(f"\n(no {PEER_PYTHON.parent.parent.name}/: openai 2.54.0 not measured; "
                     "`python bench/run.py` makes it)")
    return "\n".join(lines)


def matrix(flows_count: int, streaming_flows: int | None = None) -> str:
    """floor and fake for every flow on each SDK line: one table."""
    return matrix_table(matrix_cells(flows_count, streaming_flows))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=20, help="measured flows per case")
    parser.add_argument("--cases", help="comma-separated, from " + ", ".join(CASES) + " (default: the flow's own: "
                        + "; ".join(f"{flow} {','.join(cases)}" for flow, (cases, _) in FLOW_CASES.items()) + ")")
    parser.add_argument("--flow", choices=FLOWS, default="quickstart", help="the workload (default quickstart)")
    parser.add_argument("--matrix", action="store_true", help="floor and fake, every flow, both SDK lines")
    parser.add_argument("--streaming-flows", type=int, default=None,
                        help="with --matrix: flows for the streaming workload (default: --flows)")
    parser.add_argument("--cache-sim", action="store_true",
                        help="floor and fake under callgrind's cache simulation: L1 and L2 misses per flow")
    parser.add_argument("--child", choices=CASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # openai warns on every Assistants call
    if args.child:
        child(args.child, args.flows, args.flow)
        return 0
    if shutil.which("valgrind") is None:
        print("needs valgrind (callgrind) on PATH", file=sys.stderr)
        return 2
    if args.matrix:
        print(matrix(args.flows, args.streaming_flows))
        return 0
    import flows

    requests = {"quickstart": flows.QUICKSTART_REQUESTS, "crud": flows.CRUD_REQUESTS, "streaming": 1}
    if args.cache_sim:
        print(misses_table(cache_misses(args.flows, args.flow), requests[args.flow]))
        return 0

    default, more = FLOW_CASES[args.flow]
    cases = args.cases.split(",") if args.cases else list(default)
    unknown = [case for case in cases if case not in default + more]
    if unknown:
        print(f"--flow {args.flow} has no case {', '.join(unknown)}: it has {', '.join(default + more)}",
              file=sys.stderr)
        return 2
    per_flow: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for case in cases:
            per_flow[case] = count(case, args.flows, Path(workdir), args.flow) / args.flows
            print(f"{case}: {per_flow[case] / 1e6:.3f} M", file=sys.stderr)
    print(report(per_flow, requests[args.flow]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
