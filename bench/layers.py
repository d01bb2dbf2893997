"""The fake's own cost per request, broken down by pipeline layer (the list in `App.build`).

    python bench/layers.py [--flows 200] [--callgrind]

The workload is the quickstart's six requests replayed through `fake.handle` on a fresh fake (seed 0), as
`instructions.py`'s `core` case does: the sans-IO core, without the SDK or the transport adapter. Nothing in
src/ changes: this script replaces `compose` in `fake_assistants.app` (before any fake is built) with one
that wraps every layer `App.build` lists, and the endpoint each list ends at, in a `Counted` wrapper that adds
what ran inside it to its layer's inclusive total. A layer's own cost is its inclusive total less that of the
next layer inside it; "outside the pipeline" is `fake.handle` less the outermost layer.

Three measures:

- **Python bytecodes** (`sys.settrace` with `f_trace_opcodes`): every bytecode the interpreter runs inside a
  layer, the wrappers' own excluded. Deterministic (the same count on every run and machine for one Python
  version), but blind to C code (pydantic-core, `json`, `re`), which runs as one bytecode's call;
- **CPU instructions** (`--callgrind`, needs valgrind): one callgrind process per layer boundary, collecting
  only inside that layer and what it calls (the wrapper hands the call to `sys.call_tracing`, the function
  collection is toggled on; the other stages are not wrapped at all there); C code included; the garbage
  collector is off while counting (a collection would fall in one stage's process and not another's), so
  its cost is not in these figures; stable run to run;
- **time** (`time.perf_counter_ns` around each layer, untraced): the median over `--flows` flows of each
  layer's own nanoseconds per flow; includes C code, but it is a wall clock on a shared machine (medians)
  and each layer's figure carries about one wrapper call (~0.2 µs);
- **cold time**: the same, with the CPU caches evicted before each request (a read of a buffer larger than
  the machine's L2 cache, untimed; the instruction cache goes too where L2 includes L1, as on AMD's Zen
  cores); warm and cold flows alternate. Through the SDK the fake never runs warm: between two of its requests
  the SDK's own work (about 3 M instructions) has replaced much of the fake's code and data in the L1 and L2
  caches, so this column is closer to what a layer costs a test than the warm one.
"""

from __future__ import annotations

import argparse
import gc
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
TOGGLE = "sys_call_tracing"
OUTSIDE = "fake.handle outside the layers"

# the pipeline's stages in order, outermost first, as the patched `compose` met them (names only)
CHAIN: list[str] = []
INCLUSIVE_OPS: dict[str, int] = {}
INCLUSIVE_NS: dict[str, int] = {}
OPS = [0]
MODE = ["time"]  # "time" or "ops"
# Read whole before each request of a cold flow: larger than the L2 cache of the machines this runs on (1 MiB
# per core here), so what the last request left in L1 and L2 is gone. Written once here, so that its pages are
# its own (untouched zero pages would all be one physical page) and reading it leaves no dirty lines behind.
EVICTION = bytearray(b"\x01") * (8 * 1024 * 1024)
TARGET: list[str | None] = [None]  # in a callgrind child: the one stage collected (the others are not wrapped)


def stage_name(layer: Any) -> str:
    target = getattr(layer, "func", layer)  # functools.partial
    name = getattr(target, "__name__", type(target).__name__)
    return "route handler (the operation)" if name == "endpoint" else str(name)


class Counted:
    """A layer (or endpoint) whose calls add to its stage's inclusive totals."""

    __slots__ = ("inner", "name")

    def __init__(self, name: str, inner: Callable[[Any], Any]) -> None:
        self.name = name
        self.inner = inner

    def __call__(self, exchange: Any) -> Any:
        mode = MODE[0]
        if mode == "ops":
            before = OPS[0]
            try:
                return self.inner(exchange)
            finally:
                INCLUSIVE_OPS[self.name] = INCLUSIVE_OPS.get(self.name, 0) + OPS[0] - before
        if mode == "time":
            start = time.perf_counter_ns()
            try:
                return self.inner(exchange)
            finally:
                INCLUSIVE_NS[self.name] = INCLUSIVE_NS.get(self.name, 0) + time.perf_counter_ns() - start
        return self.inner(exchange)


class Toggled:
    """In a callgrind child, the collected stage: its calls go through `sys.call_tracing` (collection on)."""

    __slots__ = ("inner",)

    def __init__(self, inner: Callable[[Any], Any]) -> None:
        self.inner = inner

    def __call__(self, exchange: Any) -> Any:
        return sys.call_tracing(self.inner, (exchange,))


def wrapped(name: str, inner: Callable[[Any], Any]) -> Callable[[Any], Any]:
    target = TARGET[0]
    if target is None:
        return Counted(name, inner)
    return Toggled(inner) if name == target else inner


COUNTED_CODE = Counted.__call__.__code__


def counting_compose(original: Callable[..., Any]) -> Callable[..., Any]:
    """`compose` with every layer and the endpoint wrapped in `Counted`; records the stage order."""

    def compose(layers: Sequence[Callable[[Any], Any]], endpoint: Any) -> Any:
        names = [stage_name(layer) for layer in layers]
        end = stage_name(endpoint)
        stages = [*names, end]
        if any(stage not in CHAIN for stage in stages):  # the first fake's pipeline: the inner list comes first
            CHAIN[:0] = stages
        factories = [wrap_factory(name, layer) for name, layer in zip(names, layers, strict=True)]
        return original(factories, wrapped(end, endpoint))

    return compose


def wrap_factory(name: str, layer: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda inner: wrapped(name, layer(inner))


def install() -> None:
    import fake_assistants.app as app_module

    namespace = vars(app_module)  # `compose` as app.py calls it (imported there, not part of its API)
    if not getattr(namespace["compose"], "counting", False):
        namespace["compose"] = counting_compose(namespace["compose"])
        namespace["compose"].counting = True


def evict_caches() -> None:
    """Replace what the CPU caches hold with a buffer of no interest (the SDK's work between two requests)."""
    EVICTION.find(0)  # reads every byte: the buffer holds no zero


def replayer(requests: list[Any], *, cold: bool = False) -> Callable[[], Callable[[], None]]:
    """Fresh fakes replaying `requests`; `cold`: the caches evicted before each request (outside the timing)."""
    from fake_assistants import FakeAssistants

    def setup() -> Callable[[], None]:
        fake = FakeAssistants(seed=0)

        handle = wrapped(OUTSIDE, fake.handle)

        def replay() -> None:
            for request in requests:
                if cold:
                    evict_caches()
                handle(request)

        return replay

    return setup


def recorded_requests() -> list[Any]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import instructions

    return [request for request, _ in instructions.recorded_exchange()]


def own(inclusive: dict[str, float]) -> dict[str, float]:
    """Each stage's own share: its inclusive total less the next stage's."""
    order = [OUTSIDE, *CHAIN]
    result: dict[str, float] = {}
    for number, name in enumerate(order):
        inner = inclusive.get(order[number + 1], 0.0) if number + 1 < len(order) else 0.0
        result[name] = inclusive.get(name, 0.0) - inner
    return result


def count_opcodes(setup: Callable[[], Callable[[], None]]) -> dict[str, float]:
    """Bytecodes per flow, per stage (inclusive), over one flow after a warm-up."""
    setup()()  # warm-up (caches, first calls), untraced
    INCLUSIVE_OPS.clear()
    work = setup()

    def local(frame: FrameType, event: str, arg: object) -> Any:
        if event == "opcode":
            OPS[0] += 1
        return local

    def global_trace(frame: FrameType, event: str, arg: object) -> Any:
        if frame.f_code is COUNTED_CODE:
            return None
        frame.f_trace_opcodes = True
        return local

    MODE[0] = "ops"
    sys.settrace(global_trace)
    try:
        work()
    finally:
        sys.settrace(None)
        MODE[0] = "time"
    return {name: float(value) for name, value in INCLUSIVE_OPS.items()}


def time_stages(setups: dict[str, Callable[[], Callable[[], None]]], flows: int) -> dict[str, dict[str, float]]:
    """For each setup (warm, cold), the median nanoseconds per flow of each stage's own time; the setups'
    flows alternate, so the machine's drift falls on all of them alike."""
    for setup in setups.values():
        for _ in range(3):
            setup()()
    samples: dict[str, dict[str, list[float]]] = {key: {} for key in setups}
    for _ in range(flows):
        for key, setup in setups.items():
            work = setup()
            INCLUSIVE_NS.clear()
            work()
            for name, value in own({k: float(v) for k, v in INCLUSIVE_NS.items()}).items():
                samples[key].setdefault(name, []).append(value)
    return {key: {name: statistics.median(values) for name, values in found.items()}
            for key, found in samples.items()}


# -- callgrind: one process per stage -------------------------------------------------------------------------


def callgrind_child(stage: str, flows: int, requests_file: str) -> None:
    with open(requests_file, "rb") as source:
        requests = pickle.load(source)
    setup = replayer(requests)
    TARGET[0] = ""  # the warm-up's fakes: no stage wrapped, nothing collected
    for _ in range(3):
        setup()()
    gc.collect()
    gc.disable()  # a collection would land in one stage's process and not another's: counts without them
    TARGET[0] = stage  # the fakes built from here on collect inside `stage`
    for _ in range(flows):
        setup()()


def callgrind_stages(requests: list[Any], flows: int) -> dict[str, float]:
    """Instructions per flow, per stage (inclusive), each stage in its own callgrind process."""
    result: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        requests_file = Path(workdir) / "requests.pickle"
        requests_file.write_bytes(pickle.dumps(requests))
        env = {**os.environ, "PYTHONHASHSEED": "0",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))}
        for number, stage in enumerate([OUTSIDE, *CHAIN]):
            out = Path(workdir) / f"callgrind.{number}.out"
            command = ["valgrind", "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={TOGGLE}",
                       f"--callgrind-out-file={out}", sys.executable, "-W", "ignore", __file__,
                       "--child", stage, "--flows", str(flows), "--requests", str(requests_file)]
            subprocess.run(command, check=True, capture_output=True, env=env)
            found = re.search(r"^totals:\s+(\d+)", out.read_text(encoding="utf-8"), re.MULTILINE)
            result[stage] = int(found.group(1)) / flows if found else 0.0
            print(f"callgrind {stage}: {result[stage] / 1e3:,.0f} k", file=sys.stderr)
    return result


def breakdown(flows: int, callgrind: bool, callgrind_flows: int = 10) -> tuple[str, dict[str, Any]]:
    """The markdown table (per request: the flow's figures divided by its 6 requests) and the raw figures."""
    install()
    requests = recorded_requests()
    setup = replayer(requests)
    opcodes = own(count_opcodes(setup))
    timed = time_stages({"warm": setup, "cold": replayer(requests, cold=True)}, flows)
    nanoseconds, cold = timed["warm"], timed["cold"]
    instructions = own(callgrind_stages(requests, callgrind_flows)) if callgrind else None
    per = len(requests)
    head = "| stage (outermost first) | Python bytecodes per request | share |"
    rule = "| --- | --- | --- |"
    if instructions is not None:
        head += " CPU instructions per request (callgrind) | share |"
        rule += " --- | --- |"
    head += " time per request (median) | share | cold caches | share |"
    rule += " --- | --- | --- | --- |"
    lines = [head, rule]
    total_ops = sum(opcodes.values())
    total_ns = sum(nanoseconds.values())
    total_cold = sum(cold.values())
    total_instructions = sum(instructions.values()) if instructions else 0.0
    for name in [OUTSIDE, *CHAIN]:
        row = f"| {name} | {opcodes.get(name, 0) / per:,.0f} | {opcodes.get(name, 0) / total_ops:.1%} |"
        if instructions is not None:
            row += (f" {instructions.get(name, 0) / per / 1e3:,.1f} k | "
                    f"{instructions.get(name, 0) / total_instructions:.1%} |")
        row += f" {nanoseconds.get(name, 0) / per / 1e3:.1f} µs | {nanoseconds.get(name, 0) / total_ns:.1%} |"
        row += f" {cold.get(name, 0) / per / 1e3:.1f} µs | {cold.get(name, 0) / total_cold:.1%} |"
        lines.append(row)
    total = f"| total (`fake.handle`) | {total_ops / per:,.0f} | 100% |"
    if instructions is not None:
        total += f" {total_instructions / per / 1e3:,.1f} k | 100% |"
    total += f" {total_ns / per / 1e3:.1f} µs | 100% | {total_cold / per / 1e3:.1f} µs | 100% |"
    lines.append(total)
    raw = {"requests": per, "opcodes": opcodes, "nanoseconds": nanoseconds, "cold": cold,
           "instructions": instructions}
    return "\n".join(lines), raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--flows", type=int, default=200, help="timed flows (medians)")
    parser.add_argument("--callgrind", action="store_true", help="also count CPU instructions per stage")
    parser.add_argument("--callgrind-flows", type=int, default=10, help="flows per callgrind process")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--requests", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    if args.child:
        install()
        callgrind_child(args.child, args.flows, args.requests)
        return 0
    if args.callgrind and shutil.which("valgrind") is None:
        print("--callgrind needs valgrind on PATH; counting bytecodes and time only", file=sys.stderr)
        args.callgrind = False
    table, _ = breakdown(args.flows, args.callgrind, args.callgrind_flows)
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
