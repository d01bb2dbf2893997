"""app.py: the pipeline's wiring, and what the app reads of a request for a layer (`model_of`)."""

from __future__ import annotations

import json
from types import FunctionType, MethodType
from typing import Any

import pytest

from fake_assistants import ApiRequest, FakeAssistants

V2 = {"OpenAI-Beta": "assistants=v2", "Content-Type": "application/json"}


@pytest.mark.parametrize("depth", [300, 100_000])
def test_a_rate_limit_on_a_body_nested_too_deep_names_no_model_of_it(depth: int) -> None:
    """The model a rate limit names is read from the body as a handler reads it: a body nested past the depth limit
    is none (the default model), where json.loads raised RecursionError out of `fake.handle` (Python 3.11) or read
    the model of a body the handler refuses."""
    fake = FakeAssistants()
    fake.faults.rate_limit()
    body = b'{"model":"gpt-4-turbo","a":' + b"[" * depth + b"]" * depth + b"}"
    response = fake.handle(ApiRequest.build("POST", "/v1/assistants", headers=V2, body=body))
    assert isinstance(response.body, bytes)
    assert response.status == 429
    message = json.loads(response.body)["error"]["message"]
    assert message.startswith("Rate limit reached for gpt-4o in organization"), message


def test_each_layer_is_handed_the_next_ones_bound_call() -> None:
    """compose hands each layer the next one, and the last the endpoint, as its bound `__call__` (no call through
    the type's slot per layer): from the lock, outermost, down to the route's handler."""
    stage: Any = FakeAssistants().app.pipeline
    names = []
    while isinstance(stage, MethodType):
        assert stage.__func__ is type(stage.__self__).__call__
        names.append(type(stage.__self__).__name__)
        stage = stage.__self__.inner
    assert isinstance(stage, FunctionType)  # the handler's call, at the end
    assert names[:3] == ["Locking", "RouteMatch", "Journaling"]
    assert {"ErrorEnvelope", "ReplyEncoding", "KnownRoute", "V1View"} <= set(names)
