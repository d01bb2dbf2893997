"""An exception inside the fake answers as the service's own 500 `server_error` (never a traceback over the
wire), and is kept in `fake.internal_errors` with its traceback and logged on the `fake_assistants` logger."""

from __future__ import annotations

import logging

import openai
import pytest

from fake_assistants import FakeAssistants, InternalError


def fake_and_client() -> tuple[FakeAssistants, openai.OpenAI]:
    fake = FakeAssistants(seed=0)
    return fake, fake.openai_client(max_retries=0)


def test_a_request_that_breaks_the_fake_is_a_500_kept_and_logged(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fake, client = fake_and_client()
    monkeypatch.setattr(fake.store, "assistants", None)

    with caplog.at_level(logging.ERROR, logger="fake_assistants"), pytest.raises(openai.InternalServerError) as got:
        client.beta.assistants.create(model="gpt-4o")

    assert "The server had an error processing your request" in got.value.message  # the service's words
    (error,) = fake.internal_errors
    assert isinstance(error, InternalError) and isinstance(error.error, AttributeError)
    assert error.where == "POST /v1/assistants" and error.request_id == got.value.request_id
    assert "Traceback (most recent call last)" in str(error)
    (record,) = caplog.records
    assert record.exc_info is not None and "POST /v1/assistants" in record.getMessage()

    fake.reset()
    assert fake.internal_errors == []


def test_a_stream_that_breaks_inside_the_fake_ends_with_an_error_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    fake, client = fake_and_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
    stream = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id, stream=True)
    events = iter(stream)
    first = next(events)
    monkeypatch.setattr(fake.store, "steps", None)  # the run's next step cannot be kept

    with pytest.raises(openai.APIError):
        list(events)

    assert first.event == "thread.run.created"
    (error,) = fake.internal_errors
    assert error.where.startswith("the stream of run run_") and isinstance(error.error, TypeError | AttributeError)


def test_no_more_than_100_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    fake, client = fake_and_client()
    monkeypatch.setattr(fake.store, "assistants", None)
    for _ in range(101):
        with pytest.raises(openai.InternalServerError):
            client.beta.assistants.retrieve("asst_x")
    assert len(fake.internal_errors) == 100
