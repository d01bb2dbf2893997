"""Assistants v1 function tools had no `strict` (it came with structured outputs, 2024-08): the v1 view of an
assistant or run leaves it out, while v2 shows it."""

from __future__ import annotations

import json
from typing import Any

from fake_assistants import ApiRequest, FakeAssistants

FUNCTION = {"type": "function", "function": {"name": "get_weather", "description": "The weather.",
                                             "parameters": {"type": "object", "properties": {}}}}


def call(fake: FakeAssistants, version: str, method: str, path: str, body: Any = None) -> Any:
    request = ApiRequest.build(method, "/v1" + path, headers={"OpenAI-Beta": f"assistants={version}"},
                               body=json.dumps(body).encode() if body is not None else b"")
    response = fake.handle(request)
    assert response.status == 200, response.body
    return json.loads(response.body)


def test_v1_function_tools_have_no_strict() -> None:
    fake = FakeAssistants(seed=0, api_versions=("v1", "v2"))
    made = call(fake, "v1", "POST", "/assistants", {"model": "gpt-4-turbo", "tools": [FUNCTION]})
    thread = call(fake, "v1", "POST", "/threads", {"messages": [{"role": "user", "content": "Weather?"}]})
    fake.script.call_function("get_weather", {})

    run = call(fake, "v1", "POST", f"/threads/{thread['id']}/runs", {"assistant_id": made["id"]})
    listed = call(fake, "v1", "GET", "/assistants")
    v2 = call(fake, "v2", "GET", f"/assistants/{made['id']}")

    for shown in (made["tools"], run["tools"], listed["data"][0]["tools"]):
        assert shown == [FUNCTION]
    assert v2["tools"][0]["function"]["strict"] is False
