"""`serve --one-fake-per-key`: each API key's requests and control calls reach a fake of its own.

The handler (`server/fake_per_key.py`) is sans-IO: most of these tests drive it with `ApiRequest`s; the last ones
run the command with the real SDK over a socket."""

from __future__ import annotations

import json
import threading
from typing import Any

import openai
import pytest

from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.__main__ import main
from fake_assistants.server.fake_per_key import FakePerKey, key_of
from server_support import LISTENING, control, sdk, serve_command

V2 = {"openai-beta": "assistants=v2", "content-type": "application/json"}


def request(method: str, path: str, body: Any = None, *, key: str | None = None,
            headers: dict[str, str] | None = None) -> ApiRequest:
    sent = {**V2, **(headers or {})}
    if key is not None:
        sent["authorization"] = f"Bearer {key}"
    return ApiRequest(method, path, (), sent, b"" if body is None else json.dumps(body).encode())


def answer(handler: FakePerKey, method: str, path: str, body: Any = None, *, key: str | None = None) -> Any:
    response = handler(request(method, path, body, key=key))
    assert isinstance(response.body, bytes)
    return response.status, json.loads(response.body)


def per_key() -> FakePerKey:
    return FakePerKey(lambda key: FakeAssistants(seed=f"0:{key}"), FakeAssistants(seed=0))


def test_each_key_has_its_own_state_and_ids() -> None:
    handler = per_key()

    _, a = answer(handler, "POST", "/v1/assistants", {"model": "gpt-4o"}, key="file-a")
    _, b = answer(handler, "POST", "/v1/assistants", {"model": "gpt-4o"}, key="file-b")
    status, missing = answer(handler, "GET", f"/v1/assistants/{a['id']}", key="file-b")

    assert a["id"] != b["id"]  # an id of another key's fake is a 404, not another object
    assert status == 404
    assert missing["error"]["message"] == f"No assistant found with id '{a['id']}'."
    assert [x["id"] for x in answer(handler, "GET", "/v1/assistants", key="file-a")[1]["data"]] == [a["id"]]
    assert handler.keys == ["file-a", "file-b"]
    assert answer(handler, "GET", "/v1/assistants")[1]["data"] == []  # no key: the server's first fake


def test_the_control_api_steers_the_fake_of_its_key() -> None:
    handler = per_key()
    answer(handler, "POST", "/__fake__/script", {"turns": [{"type": "reply", "text": "A's answer"}]}, key="file-a")
    answer(handler, "POST", "/__fake__/faults", {"kind": "rate_limit", "route": "threads.create"}, key="file-b")
    answer(handler, "POST", "/__fake__/progression", {"policy": "manual"}, key="file-c")

    assert answer(handler, "GET", "/__fake__/script", key="file-a")[1]["pending"] == 1
    assert answer(handler, "GET", "/__fake__/script", key="file-b")[1]["pending"] == 0
    assert answer(handler, "POST", "/v1/threads", {}, key="file-a")[0] == 200
    assert answer(handler, "POST", "/v1/threads", {}, key="file-b")[0] == 429
    answer(handler, "POST", "/__fake__/reset", key="file-a")
    assert answer(handler, "GET", "/__fake__/script", key="file-a")[1]["pending"] == 0
    assert answer(handler, "GET", "/__fake__/faults", key="file-b")[1]["data"] == []  # spent, and b's own


def test_azures_api_key_header_names_the_key_too() -> None:
    assert key_of(request("GET", "/openai/assistants", headers={"api-key": "file-a"})) == "file-a"
    assert key_of(request("GET", "/v1/assistants", key="file-a", headers={"api-key": "other"})) == "file-a"
    assert key_of(request("GET", "/v1/assistants", headers={"authorization": "Basic abc"})) is None


def test_a_new_key_past_the_limit_is_refused_naming_the_fix() -> None:
    handler = FakePerKey(lambda key: FakeAssistants(), FakeAssistants(), max_keys=3)
    for key in ("one", "two", None, "three"):  # the keyless fake is not one of the 3
        assert answer(handler, "GET", "/v1/assistants", key=key)[0] == 200

    status, refused = answer(handler, "GET", "/v1/assistants", key="four")

    assert status == 400
    assert refused["error"]["message"].startswith("fake-assistants: this server already holds a fake for each of 3 "
                                                  "API keys, its limit (serve --one-fake-per-key)")
    assert "one key, not each test" in refused["error"]["message"]
    assert answer(handler, "GET", "/v1/assistants", key="one")[0] == 200  # the keys it has go on


def test_a_fake_that_cannot_be_made_is_a_500_in_the_envelope_and_tried_again() -> None:
    attempts: list[str] = []

    def make(key: str) -> FakeAssistants:
        attempts.append(key)
        if len(attempts) == 1:
            raise SystemExit("fake-assistants serve: no cassette at gone.yaml")
        return FakeAssistants()

    handler = FakePerKey(make, FakeAssistants())

    status, failed = answer(handler, "GET", "/v1/assistants", key="k")
    assert (status, failed["error"]["type"]) == (500, "server_error")
    assert failed["error"]["message"] == ("fake-assistants: the fake for this API key could not be made with the "
                                          "server's options: fake-assistants serve: no cassette at gone.yaml")
    assert handler.keys == []
    assert answer(handler, "GET", "/v1/assistants", key="k")[0] == 200
    assert attempts == ["k", "k"]


def test_the_host_guard_still_applies() -> None:
    handler = FakePerKey(lambda key: FakeAssistants(), FakeAssistants(), allowed_hosts=())

    response = handler(request("GET", "/v1/assistants", key="a", headers={"host": "evil.example"}))

    assert response.status == 403
    assert handler.keys == []  # refused before any fake was made for it


def test_two_first_requests_of_one_key_at_once_make_one_fake() -> None:
    made: list[str] = []

    def make(key: str) -> FakeAssistants:
        made.append(key)
        return FakeAssistants()

    handler = FakePerKey(make, FakeAssistants())
    start = threading.Barrier(8)

    def first_request() -> None:
        start.wait()
        handler(request("POST", "/v1/threads", {}, key="same"))

    threads = [threading.Thread(target=first_request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert made == ["same"]
    assert len(handler.fake_of("same").store.threads) == 8


# -- the command -------------------------------------------------------------------------------------


def test_parallel_files_on_one_server_each_with_its_key() -> None:
    with serve_command("--one-fake-per-key", "--seed", "5") as served:
        assert served.first_line.startswith(LISTENING)  # as without the option: scripts read it
        first, second = sdk(served.base_url, api_key="file-a"), sdk(served.base_url, api_key="file-b")
        status, _ = control(served.address, "POST", "script", {"turns": [{"type": "reply", "text": "A's answer"}]},
                            headers={"Authorization": "Bearer file-a"})
        answers = []
        for client in (second, first):  # b's run first: it must not take a's turn
            assistant = client.beta.assistants.create(model="gpt-4o")
            run = client.beta.threads.create_and_run_poll(
                assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "hi"}]})
            text = client.beta.threads.messages.list(run.thread_id).data[0].content[0].text.value  # type: ignore[union-attr]
            answers.append((assistant.id, text))
        first.close()
        second.close()
        assert served.stop() == 0
        _, err = served.process.communicate(timeout=30)

    assert "fake-assistants: one fake per API key" in err
    own = FakeAssistants(seed="5:file-a").openai_client().beta.assistants.create(model="gpt-4o").id
    assert status == 200
    assert answers[1] == (own, "A's answer")  # the ids of the seed and the key
    assert answers[0][1].startswith("This is a deterministic reply from fake-assistants")


@pytest.mark.parametrize(("options", "names"), [
    (["--api-key", "sk-x"], "--api-key requires one"),
    (["--model-replay", "x.json", "--model", "m", "--model-record", "y.json"], "--model-record writes one fake's"),
])
def test_options_it_cannot_go_with_are_refused(options: list[str], names: str) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--one-fake-per-key", *options])

    assert names in str(stopped.value)


def test_an_sdk_client_sees_a_key_of_its_own_as_its_own_server() -> None:
    with serve_command("--one-fake-per-key") as served:
        client = sdk(served.base_url, api_key="worker-1")
        client.beta.threads.create()
        other = sdk(served.base_url, api_key="worker-2")
        with pytest.raises(openai.NotFoundError):
            other.beta.threads.retrieve(client.beta.threads.create().id)
        client.close()
        other.close()
        assert served.stop() == 0
