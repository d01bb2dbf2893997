"""`fake-assistants serve --model-base-url URL --model NAME` (issue 20): runs no scripted turn fits are answered
by a chat-completions backend (a scripted one on loopback), through the real SDK over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_backend import chat_backend
from fake_assistants.__main__ import build_fake, parser
from fake_assistants.responders import ChatCompletionsModel
from server_support import control, sdk, serve_command


def test_serve_with_a_model_answers_runs_from_the_backend() -> None:
    with chat_backend() as backend:
        backend.reply("The model says x = 1.").reply("And again.")
        with serve_command("--model-base-url", backend.url, "--model", "scripted-7b") as served:
            client = sdk(served.base_url)
            assistant = client.beta.assistants.create(model="gpt-4o", instructions="You are a math tutor.")
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "Solve 3x + 11 = 14"}])
            run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
            answer = client.beta.threads.messages.list(thread.id).data[0]
            control(served.address, "POST", "reset")  # a reset empties the script; the model stays
            assistant = client.beta.assistants.create(model="gpt-4o")
            again = client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Again"}]})

    assert (run.status, again.status) == ("completed", "completed")
    assert answer.content[0].text.value == "The model says x = 1."
    assert backend.requests[0]["model"] == "scripted-7b"
    assert backend.requests[0]["messages"] == [
        {"role": "system", "content": "You are a math tutor."},
        {"role": "user", "content": "Solve 3x + 11 = 14"},
    ]


def test_the_model_options_build_the_fallback() -> None:
    fake = build_fake(parser().parse_args(
        ["serve", "--model-base-url", "http://127.0.0.1:9/v1", "--model", "m", "--model-api-key", "k"]))

    model = fake.script.fallback
    assert isinstance(model, ChatCompletionsModel)
    assert (model.url, model.model, model.api_key) == ("http://127.0.0.1:9/v1/chat/completions", "m", "k")
    assert build_fake(parser().parse_args(["serve"])).script.fallback is None
    assert (model.timeout, model.stream, model.stream_tool_calls) == (60.0, True, True)


@pytest.mark.parametrize(("stream", "asked"), [("always", (True, True)), ("text-only", (True, False)),
                                               ("never", (False, False))])
def test_the_models_timeout_and_streaming_are_options_too(stream: str, asked: tuple[bool, bool]) -> None:
    """What `ChatCompletionsModel(timeout=, stream=, stream_tool_calls=)` sets in Python: a backend that cannot
    stream tool calls needs `text-only`, whatever language the app is written in."""
    fake = build_fake(parser().parse_args(["serve", "--model-base-url", "http://127.0.0.1:9/v1", "--model", "m",
                                           "--model-timeout", "2.5", "--model-stream", stream]))
    model = fake.script.fallback
    assert isinstance(model, ChatCompletionsModel)
    assert (model.timeout, (model.stream, model.stream_tool_calls)) == (2.5, asked)


@pytest.mark.parametrize("seconds", ["0", "-1", "soon", "inf", "nan"])
def test_a_timeout_that_is_not_a_positive_number_is_refused(seconds: str,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--model-timeout", seconds])
    assert f"a number of seconds above 0, not {seconds!r}" in capsys.readouterr().err


def test_a_model_needs_its_name() -> None:
    with pytest.raises(SystemExit, match="need --model NAME"):
        build_fake(parser().parse_args(["serve", "--model-base-url", "http://127.0.0.1:9/v1"]))


@pytest.mark.parametrize(("arguments", "message"), [
    (["--model", "llama3.2"], "--model needs --model-base-url URL (the backend) or --model-replay FILE"),
    (["--model-record", "eval.json"], "--model-record needs --model-base-url URL"),
    (["--model-base-url", "127.0.0.1:4011", "--model", "m"],
     "ChatCompletionsModel's base_url is an http:// or https:// URL, such as 'http://127.0.0.1:11434/v1', not "
     "'127.0.0.1:4011'"),
    (["--model-replay", "no-such-recording.json", "--model", "m"],
     "ChatCompletionsModel: no recording to replay at 'no-such-recording.json' (record one with record_to=..."),
])
def test_model_options_that_cannot_work_stop_the_server_at_once(arguments: list[str], message: str) -> None:
    """They were taken, the server said it was listening, and every run failed later (or a replay missed)."""
    with pytest.raises(SystemExit) as stopped:
        build_fake(parser().parse_args(["serve", *arguments]))
    assert str(stopped.value).startswith("fake-assistants serve: ") and message in str(stopped.value)


def test_a_recording_that_is_not_json_stops_the_server_in_one_line(tmp_path: Path) -> None:
    recording = tmp_path / "bad.json"
    recording.write_text("not json")
    with pytest.raises(SystemExit) as stopped:
        build_fake(parser().parse_args(["serve", "--model-replay", str(recording), "--model", "m"]))
    assert str(stopped.value).startswith(f"fake-assistants serve: {recording} is not a recording of model exchanges "
                                         "(record_to=, replay_from=): it is not JSON")


def test_a_served_models_failure_is_also_said_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    """Whoever started the server (a Node test runner, a CI step) sees why runs fail, not only the app."""
    with chat_backend() as stopped:
        url = stopped.url
    fake = build_fake(parser().parse_args(["serve", "--model-base-url", url, "--model", "m"]))
    client = fake.openai_client(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")

    run = client.beta.threads.create_and_run_poll(assistant_id=assistant.id,
                                                  thread={"messages": [{"role": "user", "content": "Hi"}]})

    assert run.status == "failed"
    assert capsys.readouterr().err.startswith(
        f"fake-assistants: run {run.id} failed (server_error): the model backend could not be reached "
        f"({url}/chat/completions)")
    client.close()
