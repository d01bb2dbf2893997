"""The `fake-assistants serve` command: a real process on a real socket, driven by the real SDK."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, cast

import openai
import pytest

from fake_assistants import FakeAssistants
from fake_assistants.__main__ import build_fake, main, parser
from fake_assistants.progression import after_seconds
from server_support import API_KEY, LISTENING, control, non_loopback_ipv4, raw_request, sdk, serve_command


def test_python_m_serve_answers_the_quickstart_and_exits_0_on_sigterm() -> None:
    with serve_command() as served:
        assert served.first_line.startswith(f"{LISTENING}http://127.0.0.1:")
        assert served.base_url.endswith("/v1")
        client = sdk(served.base_url)
        assistant = client.beta.assistants.create(model="gpt-4o", name="Math Tutor")
        thread = client.beta.threads.create()
        client.beta.threads.messages.create(thread.id, role="user", content="Solve 3x + 11 = 14")
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        messages = client.beta.threads.messages.list(thread.id, order="asc")
        client.close()
        assert served.stop(signal.SIGTERM) == 0
        address = served.address

    assert run.status == "completed"
    assert [m.role for m in messages.data] == ["user", "assistant"]
    assert messages.data[1].content[0].text.value.endswith("Solve 3x + 11 = 14")  # type: ignore[union-attr]
    with pytest.raises(ConnectionRefusedError):  # the port was let go
        socket.create_connection(address, timeout=5).close()


def test_by_default_loopback_only_any_key_and_sigint_stops_it() -> None:
    with serve_command() as served:
        host, port = served.address
        other = non_loopback_ipv4()
        if other is not None:  # this machine has another address: the server must not answer on it
            with pytest.raises(OSError):
                socket.create_connection((other, port), timeout=5).close()
        assert sdk(served.base_url, api_key="anything").beta.assistants.list().data == []
        status, _, _ = raw_request(served.address, "GET", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v2"})
        assert served.stop(signal.SIGINT) == 0
        _, err = served.process.communicate(timeout=30)
    assert host == "127.0.0.1"
    assert status == 200  # no Authorization header at all
    assert "Traceback" not in err


def test_console_script() -> None:
    script = shutil.which("fake-assistants", path=str(Path(sys.executable).parent))
    assert script is not None, "the `fake-assistants` console script is not installed next to this python"
    with serve_command(command=[script]) as served:
        assert sdk(served.base_url).beta.threads.create().object == "thread"
        assert served.stop() == 0


def test_seed_gives_the_ids_of_the_same_seed_in_process() -> None:
    with serve_command("--seed", "7") as served:
        client = sdk(served.base_url)
        served_ids = [client.beta.assistants.create(model="gpt-4o").id, client.beta.threads.create().id]
        assert served.stop() == 0
    local = FakeAssistants(seed=7).openai_client()
    local_ids = [local.beta.assistants.create(model="gpt-4o").id, local.beta.threads.create().id]
    other = FakeAssistants(seed=0).openai_client().beta.assistants.create(model="gpt-4o").id

    assert served_ids == local_ids
    assert other != served_ids[0]


def test_api_key_is_checked_when_set() -> None:
    with serve_command("--api-key", API_KEY) as served:
        assert sdk(served.base_url).beta.assistants.create(model="gpt-4o").object == "assistant"

        with pytest.raises(openai.AuthenticationError) as wrong:
            sdk(served.base_url, api_key="sk-wrong-key-0123456789abcdefghij").beta.assistants.list()
        status, headers, body = raw_request(served.address, "GET", "/v1/assistants",
                                            headers={"OpenAI-Beta": "assistants=v2"})
        control_status, control_body = control(served.address, "GET", "clock")
        assert served.stop() == 0

    assert wrong.value.status_code == 401
    assert wrong.value.body == {
        "message": f"Incorrect API key provided: sk-wrong{'*' * 21}ghij. "
        "You can find your API key at https://platform.openai.com/account/api-keys.",
        "type": "invalid_request_error",
        "param": None,
        "code": "invalid_api_key",
    }
    assert wrong.value.request_id is not None
    assert status == 401
    assert headers["content-type"] == "application/json"
    assert b"You didn't provide an API key. You need to provide your API key in an Authorization header" in body
    assert (control_status, control_body["error"]["type"]) == (401, "invalid_request_error")


def test_shape_lenient_and_manual_clock_options() -> None:
    with serve_command("--shape", "schema", "--lenient", "--clock", "manual", "--clock-start", "1800000000") as served:
        client = sdk(served.base_url, _strict_response_validation=True)
        placeholder = client.beta.assistants.retrieve("assistant_id")  # lenient: made up on first use
        thread = client.beta.threads.create()
        message = client.beta.threads.messages.create(thread.id, role="user", content="hi")
        status, clock = control(served.address, "POST", "clock", {"advance": 30})
        later = client.beta.threads.create()
        assert served.stop() == 0
    assert placeholder.id == "assistant_id"
    assert thread.created_at == 1_800_000_000
    assert message.status == "completed"  # schema shape: the field the recorded shape leaves out
    assert (status, clock) == (200, {"now": 1_800_000_030, "manual": True})
    assert later.created_at == 1_800_000_030


def test_the_command_explains_a_missing_server_extra(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import importlib.abc, sys

        class Blocker(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.partition(".")[0] == "uvicorn":
                    raise ModuleNotFoundError("No module named 'uvicorn' (blocked)", name=name)
                return None

        sys.meta_path.insert(0, Blocker())
        from fake_assistants.__main__ import main
        sys.exit(main(["serve", "--port", "0"]))
        """
    )
    completed = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                               cwd=tmp_path, check=False)
    assert completed.returncode == 2
    assert 'pip install "fake-assistants[server]"' in completed.stderr


@pytest.mark.parametrize(
    ("argv", "lenient", "seed"),
    [([], False, 0), (["--lenient"], True, 0), (["--lenient", "prefixed"], "prefixed", 0),
     (["--seed", "abc"], False, "abc"), (["--seed", "-3"], False, -3)],
)
def test_options_build_the_fake(argv: list[str], lenient: object, seed: object) -> None:
    fake = build_fake(parser().parse_args(["serve", *argv]))
    assert (fake.lenient, fake.seed) == (lenient, seed)


def test_lenient_takes_only_prefixed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--lenient", "yes"])
    assert "the only value --lenient takes is `prefixed`" in capsys.readouterr().err


def test_a_taken_port_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 1
    assert f"fake-assistants: cannot listen on 127.0.0.1:{port}: [Errno" in capsys.readouterr().err


def test_api_versions_option_serves_v1_over_http() -> None:
    """`--api-versions v1,v2`: an `OpenAI-Beta: assistants=v1` request is served (v1 shape); v2 still is."""
    v1 = {"OpenAI-Beta": "assistants=v1"}
    with serve_command("--api-versions", "v1,v2") as served:
        status, _, body = raw_request(served.address, "POST", "/v1/assistants",
                                      {"model": "gpt-4-turbo", "tools": [{"type": "retrieval"}]}, headers=v1)
        assistant = json.loads(body)
        files_status, _, files = raw_request(served.address, "GET", f"/v1/assistants/{assistant['id']}/files",
                                             headers=v1)
        v2 = sdk(served.base_url).beta.assistants.retrieve(assistant["id"])
        assert served.stop() == 0
    assert status == 200
    assert (assistant["tools"], assistant["file_ids"]) == ([{"type": "retrieval"}], [])
    assert "tool_resources" not in assistant
    assert (files_status, json.loads(files)["data"]) == (200, [])
    assert [tool.type for tool in v2.tools] == ["file_search"]


@pytest.mark.parametrize(("argv", "versions"), [([], ("v2",)), (["--api-versions", "v1,v2"], ("v1", "v2")),
                                                 (["--api-versions", "v1"], ("v1",))])
def test_api_versions_build_the_fake(argv: list[str], versions: tuple[str, ...]) -> None:
    assert build_fake(parser().parse_args(["serve", *argv])).options.api_versions == versions


def test_api_versions_refuses_unknown_versions(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--api-versions", "v3"])
    assert "api_versions must name 'v1' and/or 'v2', got ['v3']" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "limit"), [([], 10_000), (["--journal-limit", "5"], 5),
                                             (["--journal-limit", "0"], 0), (["--journal-limit", "none"], None)])
def test_the_served_journal_keeps_the_newest_calls(argv: list[str], limit: int | None) -> None:
    fake = build_fake(parser().parse_args(["serve", *argv]))
    assert fake.calls.limit == limit


def test_the_served_journal_has_the_in_process_defaults_and_byte_limits() -> None:
    served = build_fake(parser().parse_args(["serve"])).calls
    in_process = FakeAssistants().calls
    assert (served.limit, served.body_limit, served.byte_limit) == (
        in_process.limit, in_process.body_limit, in_process.byte_limit) == (10_000, 64 * 1024, 64 * 1024 * 1024)
    tuned = build_fake(parser().parse_args(["serve", "--journal-body-limit", "10", "--journal-bytes", "none"]))
    assert (tuned.calls.body_limit, tuned.calls.byte_limit) == (10, None)


def test_journal_limit_takes_a_whole_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--journal-limit", "-1"])
    assert "takes a whole number (0: keep none) or `none` (no limit)" in capsys.readouterr().err


@pytest.mark.parametrize(("argv", "polls"),
                         [([], 1_000), (["--idle-polls", "50"], 50), (["--idle-polls", "none"], None)])
def test_idle_polls_option(argv: list[str], polls: int | None) -> None:
    fake = build_fake(parser().parse_args(["serve", *argv]))
    assert (fake.options.idle_polls, fake.options.controlled_over_http) == (polls, True)


@pytest.mark.parametrize(("argv", "seconds"),
                         [([], 60.0), (["--idle-seconds", "5.5"], 5.5), (["--idle-seconds", "none"], None)])
def test_idle_seconds_option(argv: list[str], seconds: float | None) -> None:
    assert build_fake(parser().parse_args(["serve", *argv])).options.idle_seconds == seconds


def test_idle_polls_takes_a_positive_number(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--idle-polls", "0"])
    assert "takes a whole number of at least 1, or `none` (never)" in capsys.readouterr().err


@pytest.mark.parametrize("policy", ["manual", "after_seconds"])
def test_a_served_poll_loop_is_told_the_control_apis_fix(policy: str) -> None:
    """Over HTTP the fix is the control API's: a client there cannot call fake.advance."""
    fake = build_fake(parser().parse_args(["serve", "--idle-polls", "3", "--clock", "manual"]))
    fake.set_progression("manual" if policy == "manual" else after_seconds(30))
    client = fake.openai_client(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])
    run = client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)

    with pytest.raises(openai.BadRequestError) as caught:
        client.beta.threads.runs.poll(run.id, thread_id=thread.id)

    message = cast(dict[str, Any], caught.value.body)["message"]
    assert "after 3 polls in a row" in message
    assert ("fake.advance" in message, "fake.clock" in message) == (False, False)
    if policy == "manual":
        assert (f"move it with POST /__fake__/runs/{run.id}/advance, one status at a time, or let polls move it "
                f'(POST /__fake__/progression {{"policy": "immediate", "run_id": "{run.id}"}})') in message
    else:
        assert 'move it (POST /__fake__/clock {"advance": 30}, with --clock manual)' in message


def test_strict_scripting_fails_an_unscripted_run_naming_the_control_apis_fix() -> None:
    fake = build_fake(parser().parse_args(["serve", "--strict-script"]))
    client = fake.openai_client(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "hi"}])

    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

    assert fake.script.strict and not build_fake(parser().parse_args(["serve"])).script.strict
    assert run.status == "failed" and run.last_error is not None
    assert run.last_error.message == (
        "fake-assistants: no scripted turn was left for this run (strict scripting is on): script one for each run "
        'before it starts, as POST /__fake__/script {"turns": [{"type": "reply", "text": "..."}]}, or serve without '
        "--strict-script for the fake's default reply.")


STARTER = """
import os, subprocess, sys
with open(sys.argv[1], "w") as log:
    server = subprocess.Popen([sys.executable, "-m", "fake_assistants", "serve", "--port", "0", *sys.argv[2:]],
                              stdout=subprocess.PIPE, stderr=log, text=True)
print(server.pid, server.stdout.readline().strip(), flush=True)
os._exit(1)  # a test runner that crashed: its server is left behind
"""


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="waits for another's child with a pidfd (Linux only)")
def test_exit_with_parent_stops_the_server_once_its_starter_has_gone(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    starter = subprocess.run([sys.executable, "-c", STARTER, str(log), "--exit-with-parent"], capture_output=True,
                             text=True, timeout=60, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    pid_text, _, line = starter.stdout.partition(" ")
    pid = int(pid_text)
    try:
        exited: int | None = os.pidfd_open(pid)
    except ProcessLookupError:  # already gone (and reaped)
        exited = None
    gone = False
    try:
        gone = exited is None or select.select([exited], [], [], 30)[0] != []  # readable once the process exits
    finally:
        if exited is not None:
            os.close(exited)
        if not gone:
            os.kill(pid, signal.SIGKILL)

    assert line.startswith(LISTENING)
    assert gone
    assert "fake-assistants: the process that started the server has exited: stopping" in log.read_text()
