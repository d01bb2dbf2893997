"""The README's server-mode examples run as written: its Python snippet, and its curl commands in order."""

from __future__ import annotations

import json
import re
import shlex
from typing import Any

from fake_assistants import FakeAssistants, ManualClock
from project_paths import README as README_FILE
from server_support import raw_request

README = README_FILE.read_text(encoding="utf-8")
MISSING_RUN = "run_abc"  # the README's example run id, which no served fake has


def block(language: str, containing: str) -> str:
    blocks = re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.DOTALL | re.MULTILINE)
    (found,) = [b for b in blocks if containing in b]
    return str(found)


def curl_commands(text: str) -> list[list[str]]:
    """The curl commands of a shell snippet, each as its arguments (comments and variables dropped)."""
    commands: list[list[str]] = []
    for token in shlex.split(text, comments=True):
        if token == "curl":
            commands.append([])
        elif commands:
            commands[-1].append(token)
    return commands


def run_curl(address: tuple[str, int], args: list[str], files: dict[str, bytes]) -> tuple[str, int, Any]:
    """Do what `curl ARGS` would (the options the README uses), with $BASE the served fake's control API."""
    method, data, url, output = "GET", None, "", None
    options = iter(args)
    for arg in options:
        if arg == "-X":
            method = next(options)
        elif arg == "-d":
            data = next(options)
            method = "POST" if method == "GET" else method
        elif arg == "-H":
            next(options)
        elif arg == ">":
            output = next(options)
        elif arg.startswith("$BASE"):
            url = "/__fake__" + arg.removeprefix("$BASE")
    raw = None if data is None else files[data[1:]] if data.startswith("@") else data.encode()
    status, _, body = raw_request(address, method, url, raw=raw)
    if output is not None:
        files[output] = body
    return url, status, json.loads(body)


def test_the_python_example_runs() -> None:
    namespace: dict[str, Any] = {}

    exec(block("python", "server.base_url"), namespace)

    assert namespace["run"].status == "completed"
    assert namespace["fake"].calls["runs.create"].call_count == 1


def test_the_curl_examples_run_in_order() -> None:
    commands = curl_commands(block("bash", "BASE=http://127.0.0.1:4010/__fake__"))
    files: dict[str, bytes] = {}
    with FakeAssistants(seed=0, clock=ManualClock()).serve() as server:
        results = [run_curl(server.address, args, files) for args in commands]

    assert len(results) >= 15
    for url, status, body in results:
        if MISSING_RUN in url or MISSING_RUN in json.dumps(body):
            assert (status, body["error"]["message"]) == (404, f"No run found with id '{MISSING_RUN}'."), url
        else:
            assert status == 200, (url, body)
    assert {url.split("?")[0] for url, _, _ in results} >= {
        "/__fake__/script", "/__fake__/progression", "/__fake__/clock", "/__fake__/faults", "/__fake__/calls",
        "/__fake__/reset", "/__fake__/state", "/__fake__/health",
    }
