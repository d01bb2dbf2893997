"""Server mode's transcript and live page: `GET /__fake__/transcript`, `GET /__fake__/overview`, `GET /__fake__/`.

Each test drives a served fake over a real socket: the Assistants API with the real SDK, the rest with plain HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from fake_assistants import FakeAssistants, ManualClock
from fake_assistants.server.threaded import ThreadedServer
from server_support import raw_request, sdk

START = 1_700_000_000
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}


@pytest.fixture
def fake() -> FakeAssistants:
    return FakeAssistants(seed=0, clock=ManualClock(START))


@pytest.fixture
def server(fake: FakeAssistants) -> Iterator[ThreadedServer]:
    with fake.serve() as running:
        yield running


def weather_run(server: ThreadedServer, fake: FakeAssistants, api_key: str = "sk-test") -> str:
    fake.script.call_function("get_weather", {"city": "Paris"}).reply("It is sunny in Paris.")
    client = sdk(server.base_url, api_key=api_key)
    try:
        assistant = client.beta.assistants.create(model="gpt-4o", tools=[WEATHER_TOOL])
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        client.beta.threads.runs.submit_tool_outputs_and_poll(
            run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22 C"}])
    finally:
        client.close()
    return thread.id


def get(server: ThreadedServer, path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return raw_request(server.address, "GET", path, headers=headers)


def test_the_transcript_over_http_is_fake_transcript(server: ThreadedServer, fake: FakeAssistants) -> None:
    thread_id = weather_run(server, fake)
    status, headers, body = get(server, "/__fake__/transcript")

    assert status == 200
    assert headers["content-type"] == "text/plain; charset=utf-8"
    assert body.decode("utf-8") == fake.transcript()
    assert 'function get_weather({"city":"Paris"})' in body.decode("utf-8")

    status, _, one = get(server, f"/__fake__/transcript?thread_id={thread_id}")
    assert status == 200 and one.decode("utf-8") == fake.transcript(thread_id)


def test_an_unknown_thread_or_parameter_is_refused_in_the_envelope(server: ThreadedServer) -> None:
    status, _, body = get(server, "/__fake__/transcript?thread_id=thread_nope")
    assert status == 404
    assert json.loads(body)["error"]["message"] == "No thread found with id 'thread_nope'."

    status, _, body = get(server, "/__fake__/transcript?thread=thread_nope")
    assert status == 400 and json.loads(body)["error"]["type"] == "invalid_request_error"


def test_the_overview_holds_what_the_page_draws(server: ThreadedServer, fake: FakeAssistants) -> None:
    weather_run(server, fake)
    fake.script.reply("not used yet")
    fake.faults.rate_limit("runs.create", count=2)
    status, _, body = get(server, "/__fake__/overview")

    assert status == 200
    data = json.loads(body)
    assert (data["now"], data["manual_clock"]) == (START, True)
    assert data["transcript"] == json.loads(fake.transcript(format="json"))
    (thread,) = data["transcript"]["threads"]
    assert [entry["kind"] for entry in thread["entries"]] == ["message", "run"]
    run = thread["entries"][1]
    assert [s["status"] for s in run["statuses"]] == [
        "queued", "in_progress", "requires_action", "queued", "in_progress", "completed"]
    assert run["steps"][0]["tool_calls"][0]["arguments"] == '{"city":"Paris"}'
    assert run["steps"][1]["message"]["text"] == "It is sunny in Paris."
    assert data["script"] == {"consumed": 2, "pending": [{"action": "Reply(text='not used yet')",
                                                          "assistant_id": None}]}
    assert data["faults"] == [{"kind": "http_error", "route": "runs.create", "remaining": 2, "hits": 0,
                               "status": 429, "message": None}]
    newest = data["calls"]["data"][0]
    assert data["calls"]["total"] == len(fake.calls)
    assert newest["index"] == len(fake.calls) - 1 and newest["line"] == str(fake.calls.last)


def test_the_page_and_its_files_are_served_from_the_package(server: ThreadedServer) -> None:
    status, headers, body = get(server, "/__fake__/")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'none'" in headers["content-security-policy"]
    page = body.decode("utf-8")
    assert '<script src="/__fake__/page/page.js" defer></script>' in page
    assert "http://" not in page and "https://" not in page  # nothing from elsewhere: it works offline

    for name, kind in (("page.js", "text/javascript"), ("page.css", "text/css")):
        status, headers, body = get(server, f"/__fake__/page/{name}")
        assert status == 200 and headers["content-type"].startswith(kind)
        assert b"https://" not in body and b"http://" not in body

    status, _, body = get(server, "/__fake__/page/secrets.txt")
    assert status == 404 and json.loads(body)["error"]["type"] == "invalid_request_error"


def test_with_an_api_key_the_page_loads_but_its_data_needs_the_key(fake: FakeAssistants) -> None:
    with fake.serve(api_key="sk-right") as server:
        weather_run(server, fake, api_key="sk-right")
        assert get(server, "/__fake__/")[0] == 200
        assert get(server, "/__fake__/page/page.js")[0] == 200
        for path in ("/__fake__/overview", "/__fake__/transcript"):
            assert get(server, path)[0] == 401
            assert get(server, path, Authorization="Bearer sk-wrong")[0] == 401
            status, _, body = get(server, path, Authorization="Bearer sk-right")
            assert status == 200 and b"get_weather" in body


def test_the_page_obeys_the_host_guard(server: ThreadedServer) -> None:
    assert get(server, "/__fake__/", Origin="http://localhost:3000")[0] == 200
    status, _, body = raw_request(server.address, "GET", "/__fake__/", headers={"Origin": "https://evil.example"})
    assert status == 403 and json.loads(body)["error"]["type"] == "invalid_request_error"
