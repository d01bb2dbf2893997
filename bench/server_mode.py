"""Server mode: requests per second and latency on loopback, `fake-assistants serve` in its own process, with
Prism (`@stoplight/prism-cli` mocking ../shared/spec/openapi.yaml) beside it as an anchor when Node is here.

Two routes: `GET /v1/assistants/{id}` (retrieve) and `GET /v1/assistants?limit=20` (a list of 20; the fake
holds 20 assistants; Prism answers the spec's example). Per target and route:

- latency: one keep-alive `httpx.Client`, `WARM_UP` requests, then a fixed number of requests one after the
  other, each timed (wall clock, `time.perf_counter`): requests per second over them, p50 and p99;
- throughput: a few concurrent clients (threads, each with its own keep-alive `httpx.Client`), requests per
  second.

The targets alternate route by route (fake retrieve, Prism retrieve, fake list, Prism list), both servers up at
once. Prism is installed with npm into bench/.prism/ (git-ignored) on first use; without node and npm on PATH,
or when the install fails, its figures are skipped with the reason.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

HEADERS = {"OpenAI-Beta": "assistants=v2", "Authorization": "Bearer sk-bench"}
ASSISTANTS = 20
START_SECONDS = 60.0
WARM_UP = 200
ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT.parent / "shared" / "spec" / "openapi.yaml"
PRISM_DIR = Path(__file__).resolve().parent / ".prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5.14.2"


def unavailable_reason() -> str | None:
    """Why the fake's server mode cannot be measured here, or None."""
    if importlib.util.find_spec("uvicorn") is None:
        return "uvicorn is not installed (the `server` extra)"
    if importlib.util.find_spec("fake_assistants.server.threaded") is None:
        return "fake_assistants.server.threaded does not exist"
    return None


def prism_executable() -> tuple[Path | None, str]:
    """Prism's executable under bench/.prism/ (installed with npm when missing), or None and why not."""
    executable = PRISM_DIR / "node_modules" / ".bin" / "prism"
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "node and npm are not on PATH"
    if not SPEC.exists():
        return None, f"{SPEC} does not exist"
    if not executable.exists():
        PRISM_DIR.mkdir(exist_ok=True)
        print(f"installing {PRISM_PACKAGE} into {PRISM_DIR.relative_to(ROOT)}/ ...", file=sys.stderr)
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", PRISM_PACKAGE],
                              cwd=PRISM_DIR, capture_output=True, text=True)
        if done.returncode != 0 or not executable.exists():
            return None, f"npm install {PRISM_PACKAGE} failed: {(done.stderr or done.stdout)[-300:].strip()}"
    version = subprocess.run([str(executable), "--version"], capture_output=True, text=True)
    return executable, f"Prism {version.stdout.strip()} (Node {node_version()})"


def node_version() -> str:
    done = subprocess.run(["node", "--version"], capture_output=True, text=True)
    return done.stdout.strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def process_serving(command: list[str], probe_url: str) -> Iterator[None]:
    """`command` running until the block ends, once `probe_url` answers (any status)."""
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=dict(os.environ))
        try:
            wait_for(probe_url, process, log)
            yield
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def served() -> Iterator[str]:
    """`python -m fake_assistants serve` on a free loopback port; yields its base URL."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    with process_serving([sys.executable, "-m", "fake_assistants", "serve", "--port", str(port)],
                         f"{base_url}/assistants"):
        yield base_url


@contextmanager
def prism_served(executable: Path) -> Iterator[str]:
    """`prism mock` of the shared spec on a free loopback port (logging errors only); yields its base URL
    (Prism serves the spec's paths without the servers' `/v1`)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    with process_serving([str(executable), "mock", "--host", "127.0.0.1", "--port", str(port),
                          "--verboseLevel", "error", str(SPEC)], f"{base_url}/assistants"):
        yield base_url


def wait_for(url: str, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            httpx.get(url, headers=HEADERS, timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # a benchmark waiting for a child process to listen, not a test


@dataclass(frozen=True, slots=True)
class Latency:
    """One keep-alive client, requests one after the other."""

    requests: int
    per_second: float
    p50: float  # seconds
    p99: float

    @classmethod
    def of(cls, seconds: list[float]) -> Latency:
        cuts = statistics.quantiles(seconds, n=100, method="inclusive")
        return cls(len(seconds), len(seconds) / sum(seconds), statistics.median(seconds), cuts[98])


def latency(url: str, requests: int) -> Latency:
    """`WARM_UP` requests, then `requests` timed one by one on the same keep-alive connection."""
    clock = time.perf_counter
    seconds: list[float] = []
    with httpx.Client(headers=HEADERS) as client:
        for _ in range(WARM_UP):
            client.get(url).raise_for_status()
        for _ in range(requests):
            start = clock()
            response = client.get(url)
            seconds.append(clock() - start)
            response.raise_for_status()
    return Latency.of(seconds)


def requests_per_second(url: str, clients: int, per_client: int) -> float:
    start_line = threading.Barrier(clients + 1)
    failures: list[BaseException] = []

    def client_work() -> None:
        with httpx.Client(headers=HEADERS) as client:
            for _ in range(WARM_UP // clients):  # connect and warm up before the clock starts
                client.get(url).raise_for_status()
            start_line.wait()
            try:
                for _ in range(per_client):
                    client.get(url).raise_for_status()
            except BaseException as failure:
                failures.append(failure)

    threads = [threading.Thread(target=client_work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_line.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    if failures:
        raise failures[0]
    return clients * per_client / elapsed


@dataclass(frozen=True, slots=True)
class RouteFigures:
    one_client: Latency
    concurrent: float  # requests per second with `clients` clients


def measure_route(url: str, clients: int, requests: int) -> RouteFigures:
    return RouteFigures(latency(url, requests), requests_per_second(url, clients, requests // clients))


def measure(clients: int, requests: int) -> dict[str, Any]:
    """The fake's figures (and Prism's, or why not) for retrieve and list: `requests` timed per route and
    target, sequentially on one client, then spread over `clients` concurrent clients."""
    executable, prism_note = prism_executable()
    result: dict[str, Any] = {"clients": clients, "requests": requests, "warm_up": WARM_UP, "fake": {},
                              "prism": {}, "prism_note": prism_note}
    with served() as base_url:
        with httpx.Client(headers=HEADERS) as setup:
            ids = [setup.post(f"{base_url}/assistants", json={"model": "gpt-4o", "name": f"a{n}"}).json()["id"]
                   for n in range(ASSISTANTS)]
        fake_urls = {"retrieve": f"{base_url}/assistants/{ids[0]}", "list": f"{base_url}/assistants?limit=20"}
        with prism_or_nothing(executable, result) as prism_url:
            for route, url in fake_urls.items():
                result["fake"][route] = measure_route(url, clients, requests)
                if prism_url is not None:
                    prism_path = f"/assistants/{ids[0]}" if route == "retrieve" else "/assistants?limit=20"
                    result["prism"][route] = measure_route(prism_url + prism_path, clients, requests)
    return result


@contextmanager
def prism_or_nothing(executable: Path | None, result: dict[str, Any]) -> Iterator[str | None]:
    if executable is None:
        yield None
        return
    try:
        context = prism_served(executable)
        url = context.__enter__()
    except (RuntimeError, OSError, httpx.HTTPError) as error:
        result["prism_note"] = f"Prism did not start: {error}"[:400]
        yield None
        return
    try:
        yield url
    finally:
        context.__exit__(None, None, None)


def main() -> int:
    """`python bench/server_mode.py [requests]`: the server-mode figures alone."""
    requests = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    found = measure(clients=4, requests=requests)
    print(found["prism_note"])
    for target in ("fake", "prism"):
        for route, figures in found[target].items():
            one = figures.one_client
            print(f"{target:6} {route:8} one client {one.per_second:7,.0f} req/s p50 {one.p50 * 1e3:.3f} ms "
                  f"p99 {one.p99 * 1e3:.3f} ms; {found['clients']} clients {figures.concurrent:7,.0f} req/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
