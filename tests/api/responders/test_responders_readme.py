"""The README's "A real model behind the runs" example runs as written, against a scripted backend on loopback
(its URL in place of Ollama's), and records what it did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chat_backend import chat_backend
from test_readme import python_block

EXAMPLE = python_block("ChatCompletionsModel(base_url=")


def test_the_readme_example_runs_against_a_backend(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cassette = tmp_path / "eval.json"
    with chat_backend() as backend:
        backend.reply("Hello.")
        source = EXAMPLE.replace("http://localhost:11434/v1", backend.url).replace('"eval.json"', repr(str(cassette)))
        exec(compile(source, "README.md", "exec"), {})

    assert capsys.readouterr().out == "Hello.\n"
    assert backend.requests[0]["messages"][0] == {"role": "system", "content": "You are terse."}
    (exchange,) = json.loads(cassette.read_text())["exchanges"]
    assert exchange["request"]["model"] == "llama3.2"
