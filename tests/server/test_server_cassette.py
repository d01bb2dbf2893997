"""`fake-assistants serve --cassette FILE`: a recorded cassette served over HTTP, for tests in any language (a Ruby
VCR or .NET test-proxy suite points its client at the server); `GET /__fake__/cassette` reports what was imported
and which recorded runs have not been replayed; the journal's calls say whether the recording shows them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cassette_files import exchange
from fake_assistants.__main__ import build_fake, parser
from fake_assistants.server.threaded import ThreadedServer
from server_support import control, sdk

ASSISTANT, THREAD = "asst_Wr8Nd2kQ5xYp7LmZ3tVb9cHf", "thread_Qm4Lp8Zt2Xv6Nb1Kc9Rd3Hf7"
RUN, REPLY = "run_Yt6Fb2Mn8Qp4Lx1Vz7Kd3Wc5", "msg_Hd5Kq9Tz3Lm7Xp2Vb8Nc4Rw1"
ANSWER = "It is sunny in Paris."


def cassette(path: Path) -> Path:
    run = {"id": RUN, "object": "thread.run", "created_at": 1700000002, "assistant_id": ASSISTANT,
           "thread_id": THREAD, "status": "completed", "model": "gpt-4o", "instructions": None, "tools": []}
    reply = {"id": REPLY, "object": "thread.message", "created_at": 1700000003, "thread_id": THREAD,
             "role": "assistant", "assistant_id": ASSISTANT, "run_id": RUN, "attachments": [], "metadata": {},
             "content": [{"type": "text", "text": {"value": ANSWER, "annotations": []}}]}
    path.write_text(json.dumps({"interactions": [
        exchange("POST", "/assistants", {"id": ASSISTANT, "object": "assistant", "created_at": 1700000000,
                                         "model": "gpt-4o", "tools": []}, {"model": "gpt-4o"}),
        exchange("POST", "/threads", {"id": THREAD, "object": "thread", "created_at": 1700000001, "metadata": {}}),
        exchange("POST", f"/threads/{THREAD}/runs", {**run, "status": "queued"}, {"assistant_id": ASSISTANT}),
        exchange("GET", f"/threads/{THREAD}/runs/{RUN}", run),
        exchange("GET", f"/threads/{THREAD}/messages", {"object": "list", "data": [reply], "has_more": False}),
    ]}), encoding="utf-8")
    return path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[ThreadedServer]:
    args = parser().parse_args(["serve", "--cassette", str(cassette(tmp_path / "weather.json")),
                                "--cassette-ids", "recorded"])
    with build_fake(args).serve() as running:
        yield running


def get(server: ThreadedServer, path: str) -> Any:
    status, data = control(server.address, "GET", path)
    assert status == 200, data
    return data


def test_a_served_cassette_answers_with_the_recorded_ids_and_texts(served: ThreadedServer) -> None:
    client = sdk(served.base_url)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create()
    client.beta.threads.messages.create(thread.id, role="user", content="Weather in Paris?")  # not recorded
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    answer = client.beta.threads.messages.list(thread.id).data[0]
    client.close()

    assert (assistant.id, thread.id, run.id, run.status) == (ASSISTANT, THREAD, RUN, "completed")
    assert answer.content[0].text.value == ANSWER  # type: ignore[union-attr]
    new = get(served, "calls?in_cassette=false")["data"]
    assert [call["route"] for call in new] == ["messages.create"]
    assert all(call["in_cassette"] is True for call in get(served, "calls?in_cassette=true")["data"])


def test_the_cassette_report_says_what_was_imported_and_what_is_left(served: ThreadedServer) -> None:
    before = get(served, "cassette")
    client = sdk(served.base_url)
    assistant = client.beta.assistants.create(model="gpt-4o")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
    client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    client.close()
    after = get(served, "cassette")

    assert before["object"] == "fake.cassette_report"
    assert before["cassettes"][0].endswith("weather.json")
    assert f"run {RUN} (completed): 1 turn" in before["imported"]
    assert (before["never_replayed"], after["never_replayed"]) == ([RUN], [])


def test_the_served_report_lists_a_recorded_run_id_another_run_took(served: ThreadedServer) -> None:
    client = sdk(served.base_url)
    router = client.beta.assistants.create(model="gpt-4o", name="Router")  # takes the recorded assistant's id
    tutor = client.beta.assistants.create(model="gpt-4o", name="Tutor")
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=tutor.id)
    client.close()

    report = get(served, "cassette")
    assert (router.id, run.id) == (ASSISTANT, RUN)
    assert (report["never_replayed"], report["ids_taken"]) == ([RUN], [RUN])


def test_a_flag_filter_takes_only_true_or_false(served: ThreadedServer) -> None:
    status, data = control(served.address, "GET", "calls?in_cassette=maybe")
    assert status == 400
    assert data["error"]["param"] == "in_cassette"


def test_a_server_not_started_from_a_cassette_says_how_to_start_one() -> None:
    with build_fake(parser().parse_args(["serve"])).serve() as running:
        status, data = control(running.address, "GET", "cassette")
    assert status == 400
    assert "fake-assistants serve --cassette FILE" in data["error"]["message"]


def test_a_missing_or_broken_cassette_stops_the_command_with_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(SystemExit, match=r"no cassette at .*absent\.yaml"):
        build_fake(parser().parse_args(["serve", "--cassette", str(tmp_path / "absent.yaml")]))
    with pytest.raises(SystemExit, match=r"cannot read the cassette: .*broken\.json: not valid JSON at line 1, col"):
        build_fake(parser().parse_args(["serve", "--cassette", str(broken)]))


def test_the_cassette_ids_default_to_the_fakes_own(tmp_path: Path) -> None:
    fake = build_fake(parser().parse_args(["serve", "--cassette", str(cassette(tmp_path / "weather.json"))]))
    assert fake.cassette is not None
    assert fake.cassette.ids == "seeded"
