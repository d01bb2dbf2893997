"""httpx, which a model needs to reach its backend, is imported with `fake_assistants.responders`: on the thread
that imports it, not on some model's first call. openai 3.x reads `httpx` from `sys.modules` as it builds each
request, and a first import of httpx on a model's thread made the SDK on another thread meet it half-imported
(`partially initialized module 'httpx' has no attribute 'Timeout'`, the real-model guide's thread pool)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.responders import ChatCompletionsModel, chat_completions


def test_httpx_is_imported_with_the_responders() -> None:
    code = "import sys, fake_assistants.responders; print('httpx' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "True"


def test_without_httpx_reaching_a_backend_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chat_completions, "http_backend", None)
    fake = FakeAssistants(seed=0)
    fake.script.respond_with(ChatCompletionsModel(model="m", base_url="http://127.0.0.1:9/v1"))
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")

    run = client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]})

    assert run.status == "failed"
    (_, error), = fake.script.responder_errors
    assert isinstance(error, ImportError) and "pip install 'fake-assistants[responders]'" in str(error)
