"""Assistants v1 started a run on a thread with no message, for an assistant without instructions; v2
refuses it. Evidence: every ruby-openai v1 run setup (2023-11-14 and 2024-04-27) creates an empty thread
and a bare assistant, then a run, and got 200 `queued`; the same cassettes re-recorded under v2
(2024-04-29) got 400 `invalid_thread` (the replay in tests/conformance/test_replay_recordings.py checks both
against them).
"""

from __future__ import annotations

import json
from typing import Any

from fake_assistants import ApiRequest, FakeAssistants


def post(fake: FakeAssistants, version: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = ApiRequest.build("POST", "/v1" + path, headers={"OpenAI-Beta": f"assistants={version}"},
                               body=json.dumps(body).encode())
    response = fake.handle(request)
    assert isinstance(response.body, bytes)
    return response.status, json.loads(response.body)


def empty_thread_run(version: str) -> tuple[int, Any]:
    fake = FakeAssistants(seed=0, api_versions=("v1", "v2"))
    _, assistant = post(fake, version, "/assistants", {"model": "gpt-4", "name": "OpenAI-Ruby test assistant"})
    _, thread = post(fake, version, "/threads", {})
    return post(fake, version, f"/threads/{thread['id']}/runs", {"assistant_id": assistant["id"]})


def test_v1_runs_an_empty_thread() -> None:
    status, run = empty_thread_run("v1")

    assert (status, run["object"], run["status"], run["instructions"]) == (200, "thread.run", "queued", None)


def test_v2_refuses_an_empty_thread() -> None:
    status, answer = empty_thread_run("v2")

    assert (status, answer["error"]["code"]) == (400, "invalid_thread")
