"""The floor: the SDK against a canned MockTransport that answers fixed bytes, recorded from the fake.

Recording the fake's own answers gives the canned transport exactly the same shapes, headers (including
`openai-poll-after-ms: 0`, so the poll helpers do not sleep) and sizes; the canned handler does nothing but
a dictionary lookup by method and path (ids replaced by a placeholder).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants

ID_SEGMENT = re.compile(r"^(?:asst|thread|msg|run|step|vs|vsfb|file|call)[_-]")
Answer = tuple[int, list[tuple[str, str]], bytes]


def route_key(method: str, path: str) -> tuple[str, str]:
    parts = ["{id}" if ID_SEGMENT.match(part) else part for part in path.split("/")]
    return method, "/".join(parts)


class Recorder:
    """Wraps `fake.handle` (before a client is built) and keeps the last answer per route."""

    def __init__(self, fake: FakeAssistants) -> None:
        self.answers: dict[tuple[str, str], Answer] = {}
        inner: Callable[[ApiRequest], ApiResponse] = fake.handle

        def handle(request: ApiRequest) -> ApiResponse:
            response = inner(request)
            body = response.body if isinstance(response.body, bytes) else b"".join(response.body)
            response.body = body
            self.answers[route_key(request.method, request.path)] = (response.status, list(response.headers), body)
            return response

        fake.handle = handle  # type: ignore[method-assign]


def record(flow: Callable[[Any], object],
           make_client: Callable[[FakeAssistants], Any]) -> dict[tuple[str, str], Answer]:
    """The fake's answers to one run of `flow`, keyed by route."""
    fake = FakeAssistants(seed=0)
    recorder = Recorder(fake)
    client = make_client(fake)
    try:
        flow(client)
    finally:
        client.close()
    return recorder.answers


def transport(module: ModuleType, answers: dict[tuple[str, str], Answer]) -> Any:
    """A `MockTransport` of `module` (httpx or httpx2) answering each route with its recorded bytes."""

    def handler(request: Any) -> Any:
        status, headers, body = answers[route_key(request.method, request.url.path)]
        return module.Response(status, headers=headers, content=body)

    return module.MockTransport(handler)
