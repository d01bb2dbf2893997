"""Helpers for the server-mode tests: the `serve` command in a subprocess, SDK clients on a real socket."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import openai
import pytest

pytest.importorskip("uvicorn", reason="server mode needs uvicorn (the `server` extra; the `test` extra has it)")

LISTENING = "fake-assistants listening on "
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0
API_KEY = "sk-test-0123456789abcdef"


@dataclass
class Served:
    """A `fake-assistants serve` subprocess and the base URL it printed."""

    process: subprocess.Popen[str]
    base_url: str
    first_line: str

    @property
    def root(self) -> str:
        """`http://host:port`, without `/v1` (the control API lives at `/__fake__/`)."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.base_url)
        assert parts.hostname is not None and parts.port is not None
        return parts.hostname, parts.port

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send `signum` and wait for the exit status."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=STOP_TIMEOUT)


def read_line(stream: Any, deadline: float) -> str:
    """One line from a subprocess pipe, waiting at most until `deadline` (no sleeping: select on the pipe)."""
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(remaining):
            raise TimeoutError("the server printed nothing in time")
    return str(stream.readline())


@contextmanager
def serve_command(*args: str, command: list[str] | None = None) -> Iterator[Served]:
    """`python -m fake_assistants serve --port 0 ARGS`; stopped (and reaped) afterwards."""
    argv = command or [sys.executable, "-m", "fake_assistants"]
    process = subprocess.Popen(
        [*argv, "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = read_line(process.stdout, time.monotonic() + START_TIMEOUT)
        if not line.startswith(LISTENING):
            process.kill()
            _, err = process.communicate(timeout=STOP_TIMEOUT)
            raise AssertionError(f"unexpected first line {line!r}; stderr: {err}")
        yield Served(process, line[len(LISTENING):].strip(), line)
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=STOP_TIMEOUT)


def sdk(base_url: str, *, api_key: str = API_KEY, **kwargs: Any) -> openai.OpenAI:
    """The real SDK over a real socket: no retries, so every failure shows."""
    return openai.OpenAI(base_url=base_url, api_key=api_key, max_retries=0, **kwargs)


def async_sdk(base_url: str, *, api_key: str = API_KEY, **kwargs: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0, **kwargs)


def raw_request(address: tuple[str, int], method: str, path: str, body: Any = None, *,
                headers: dict[str, str] | None = None, raw: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 request over a plain socket (for what the SDK cannot send: the control API, bad keys).

    `body` is sent as JSON; `raw` as it is."""
    payload = raw if raw is not None else b"" if body is None else json.dumps(body).encode()
    lines = [f"{method} {path} HTTP/1.1", f"Host: {address[0]}:{address[1]}", "Connection: close",
             f"Content-Length: {len(payload)}"]
    if body is not None or raw is not None:
        lines.append("Content-Type: application/json")
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    with socket.create_connection(address, timeout=STOP_TIMEOUT) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        data = _read_all(sock)
    return parse_response(data)


def _read_all(sock: socket.socket) -> bytes:
    parts = []
    while chunk := sock.recv(65536):
        parts.append(chunk)
    return b"".join(parts)


def parse_response(data: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        body = dechunk(body)
    return int(status_line.split()[1]), headers, body


def dechunk(body: bytes) -> bytes:
    out = []
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out.append(rest[:size])
        body = rest[size + 2:]
    return b"".join(out)


def control(address: tuple[str, int], method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """A control API call: (status, decoded JSON body)."""
    status, _, data = raw_request(address, method, "/__fake__/" + path.lstrip("/"), body, headers=headers)
    return status, json.loads(data)


def non_loopback_ipv4() -> str | None:
    """An IPv4 address of this machine other than loopback, if it has one (no packet is sent)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
        address = str(probe.getsockname()[0])
    except OSError:
        return None
    finally:
        probe.close()
    return None if address.startswith("127.") or address == "0.0.0.0" else address
