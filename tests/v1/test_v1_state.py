"""Assistants v1 data survives `dump`/`load` and `snapshot`/`restore`: file links, run files, citation quotes."""

from __future__ import annotations

import json
from typing import Any

from fake_assistants import ApiRequest, FakeAssistants, ManualClock
from sdk_matrix import START

V1 = {"OpenAI-Beta": "assistants=v1", "content-type": "application/json"}
BOUNDARY = "v1-state"
NOTES = b"The launch code is 0000."


def call(fake: FakeAssistants, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    raw = b"" if body is None else json.dumps(body).encode()
    response = fake.handle(ApiRequest.build(method, "/v1" + path, headers=V1, body=raw))
    assert response.status == 200, response.body
    assert isinstance(response.body, bytes)
    return json.loads(response.body)


def upload(fake: FakeAssistants) -> str:
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="notes.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode() + NOTES + f"\r\n--{BOUNDARY}--\r\n".encode()
    headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
    response = fake.handle(ApiRequest.build("POST", "/v1/files", headers=headers, body=body))
    assert isinstance(response.body, bytes)
    return str(json.loads(response.body)["id"])


def v1_world() -> tuple[FakeAssistants, dict[str, str]]:
    fake = FakeAssistants(seed=1, clock=ManualClock(START), api_versions=("v1", "v2"))
    file_id = upload(fake)
    assistant = call(fake, "POST", "/assistants", {"model": "gpt-4-turbo", "tools": [{"type": "retrieval"}],
                                                   "file_ids": [file_id]})
    thread = call(fake, "POST", "/threads", {"messages": [{"role": "user", "content": "What is the launch code?"}]})
    fake.script.retrieval().reply("It is 0000.")
    run = call(fake, "POST", f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})
    return fake, {"assistant": assistant["id"], "thread": thread["id"], "run": run["id"], "file": file_id}


def v1_reads(fake: FakeAssistants, ids: dict[str, str]) -> list[Any]:
    thread = ids["thread"]
    return [
        call(fake, "GET", f"/assistants/{ids['assistant']}"),
        call(fake, "GET", f"/assistants/{ids['assistant']}/files"),
        call(fake, "GET", f"/threads/{thread}/runs/{ids['run']}"),
        call(fake, "GET", f"/threads/{thread}/messages"),
    ]


def test_v1_objects_read_the_same_after_dump_and_load() -> None:
    fake, ids = v1_world()
    before = v1_reads(fake, ids)

    copy = FakeAssistants.load(fake.dump(), clock=ManualClock(START), api_versions=("v1", "v2"))

    assert v1_reads(copy, ids) == before
    assistant, files, run, messages = before
    assert assistant["file_ids"] == [ids["file"]] == run["file_ids"]
    assert [f["id"] for f in files["data"]] == [ids["file"]]
    citation = messages["data"][0]["content"][0]["text"]["annotations"][0]["file_citation"]
    assert citation == {"file_id": ids["file"], "quote": NOTES.decode()}


def test_v1_objects_read_the_same_after_snapshot_and_restore() -> None:
    fake, ids = v1_world()
    before = v1_reads(fake, ids)
    snapshot = fake.snapshot()
    call(fake, "DELETE", f"/assistants/{ids['assistant']}/files/{ids['file']}")
    assert call(fake, "GET", f"/assistants/{ids['assistant']}")["file_ids"] == []

    fake.restore(snapshot)

    assert v1_reads(fake, ids) == before


def test_deleting_a_file_removes_its_v1_links_so_file_ids_can_be_sent_back() -> None:
    fake, ids = v1_world()
    other = upload(fake)
    call(fake, "POST", f"/assistants/{ids['assistant']}/files", {"file_id": other})

    call(fake, "DELETE", f"/files/{ids['file']}")

    assistant = call(fake, "GET", f"/assistants/{ids['assistant']}")
    assert assistant["file_ids"] == [other]
    again = call(fake, "POST", f"/assistants/{ids['assistant']}", {"file_ids": assistant["file_ids"]})
    assert again["file_ids"] == [other]


def test_a_file_given_twice_to_a_message_is_one_file() -> None:
    fake, ids = v1_world()
    call(fake, "GET", f"/threads/{ids['thread']}/runs/{ids['run']}")  # the run finishes when read
    message = call(fake, "POST", f"/threads/{ids['thread']}/messages",
                   {"role": "user", "content": "twice", "file_ids": [ids["file"], ids["file"]]})
    files = call(fake, "GET", f"/threads/{ids['thread']}/messages/{message['id']}/files")
    assert message["file_ids"] == [f["id"] for f in files["data"]] == [ids["file"]]
