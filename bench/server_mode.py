"""Server mode: requests per second on loopback, `fake-assistants serve` in its own process.

A few concurrent clients (threads, each with its own keep-alive `httpx.Client`) send `GET /v1/assistants/{id}`
(retrieve) and `GET /v1/assistants?limit=20` (list of 20) to a server holding 20 assistants.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

HEADERS = {"OpenAI-Beta": "assistants=v2", "Authorization": "Bearer sk-bench"}
ASSISTANTS = 20
START_SECONDS = 30.0


def unavailable_reason() -> str | None:
    """Why server mode cannot be measured here, or None."""
    if importlib.util.find_spec("uvicorn") is None:
        return "uvicorn is not installed (the `server` extra)"
    if importlib.util.find_spec("fake_assistants.server.threaded") is None:
        return "fake_assistants.server.threaded does not exist"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served() -> Iterator[str]:
    """`python -m fake_assistants serve` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "fake_assistants", "serve", "--port", str(port)]
    base_url = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log, env=dict(os.environ))
        try:
            wait_for(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(base_url: str, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + START_SECONDS
    while True:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the server exited: {log.read().decode(errors='replace')[-2000:]}")
        try:
            httpx.get(f"{base_url}/assistants", headers=HEADERS, timeout=1.0)
            return
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)  # a benchmark waiting for a child process to listen, not a test


def requests_per_second(url: str, clients: int, per_client: int) -> float:
    start_line = threading.Barrier(clients + 1)
    failures: list[BaseException] = []

    def client_work() -> None:
        with httpx.Client(headers=HEADERS) as client:
            client.get(url).raise_for_status()  # connect before the clock starts
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


def measure(clients: int, per_client: int) -> dict[str, Any]:
    with served() as base_url:
        with httpx.Client(headers=HEADERS) as setup:
            ids = [setup.post(f"{base_url}/assistants", json={"model": "gpt-4o", "name": f"a{n}"}).json()["id"]
                   for n in range(ASSISTANTS)]
        urls = {"retrieve": f"{base_url}/assistants/{ids[0]}", "list": f"{base_url}/assistants?limit=20"}
        result: dict[str, Any] = {"clients": clients, "per_client": per_client}
        for name, url in urls.items():
            result[name] = requests_per_second(url, clients, per_client)
            result[f"{name}_one_client"] = requests_per_second(url, 1, per_client)
        return result
