"""What the bad-input tests of both API versions share (tests/api/test_bad_input.py, tests/v1/test_v1_bad_input.py).

Responses checked as OpenAI's error envelope in strict JSON, a `World` of one existing object per family that
sends raw requests through `fake.handle`, the route table classified, and the bad and fuzzed values.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pydantic
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from fake_assistants.api.routing import Route
from fake_assistants.core import error_catalog as catalog

BETA = {"OpenAI-Beta": "assistants=v2"}
MISSING_BETA_MESSAGE = (
    "You must provide the 'OpenAI-Beta' header to access the Assistants API. "
    "Please try again by setting the header 'OpenAI-Beta: assistants=v2'."
)
MULTIPART_BOUNDARY = "fake-assistants-boundary"

# -- responses -------------------------------------------------------------------------------------


def _reject_constant(token: str) -> Any:
    raise AssertionError(f"the response body is not strict JSON: it contains {token}")


def strict_json(raw: bytes) -> Any:
    return json.loads(raw, parse_constant=_reject_constant)


def body_bytes(response: ApiResponse) -> bytes:
    return response.body if isinstance(response.body, bytes) else b"".join(response.body)


def assert_error(response: ApiResponse, status: int | None = None) -> dict[str, Any]:
    """A 4xx (or exactly `status`) carrying `{"error": {message, type, param, code}}` as JSON."""
    assert 400 <= response.status < 500, (response.status, body_bytes(response)[:500])
    if status is not None:
        assert response.status == status, body_bytes(response)[:500]
    assert response.header("content-type") == "application/json"
    envelope = strict_json(body_bytes(response))
    assert isinstance(envelope, dict)
    error = envelope.get("error")
    assert isinstance(error, dict), envelope
    assert set(error) == {"message", "type", "param", "code"}, error
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["type"], str) and error["type"]
    assert error["param"] is None or isinstance(error["param"], str)
    assert error["code"] is None or isinstance(error["code"], str)
    assert set(envelope) <= {"error", "detail"}, envelope
    if "detail" in envelope:  # the Files API's recorded errors repeat the message under a top-level "detail"
        assert envelope["detail"]["message"] == error["message"], envelope
    return error


def assert_ok_or_error(response: ApiResponse) -> None:
    """Fuzzed bodies may be valid: then 200 with strict JSON (or a stream); otherwise a proper 4xx."""
    if response.status == 200:
        raw = body_bytes(response)
        if response.header("content-type") == "application/json":
            strict_json(raw)
        else:
            assert raw.startswith(b"event: "), raw[:200]
        return
    assert_error(response)


def encode(value: Any) -> bytes:
    return json.dumps(value).encode()


def deep(depth: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


# -- the world: one existing object per known family -----------------------------------------------


@dataclass
class World:
    fake: FakeAssistants
    ids: dict[str, str]  # path parameter name -> the id of an existing object

    def send(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        query: str = "",
        headers: dict[str, str] | None = None,
    ) -> ApiResponse:
        request = ApiRequest.build(method, path, query=query, headers=BETA if headers is None else headers, body=body)
        return self.fake.handle(request)

    def ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.expect_ok(self.send(method, path, body=b"" if body is None else json.dumps(body).encode()))

    @staticmethod
    def expect_ok(response: ApiResponse) -> Any:
        assert response.status == 200, body_bytes(response)
        return strict_json(body_bytes(response))

    def id_for(self, param: str) -> str:
        return self.ids.get(param) or unknown_id(param)

    def knows(self, route: Route) -> bool:
        """Whether every path parameter of `route` names an existing object."""
        return all(name in self.ids for name in path_params(route))

    def path(self, route: Route, **overrides: str) -> str:
        parts = []
        for segment in route.segments:
            if segment.startswith("{"):
                name = segment[1:-1]
                parts.append(overrides.get(name) or self.id_for(name))
            else:
                parts.append(segment)
        return "/v1/" + "/".join(parts)


def unknown_id(param: str) -> str:
    """A well-formed id (right prefix) that names no object."""
    if param == "file_id":
        return "file-" + "Z" * 22
    try:
        prefix = catalog.id_prefix_for(param)
    except KeyError:
        prefix = param.removesuffix("_id")
    return f"{prefix}_{'Z' * 24}"


def multipart(fields: dict[str, str], file: tuple[str, bytes] | None) -> bytes:
    parts = [
        f'--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    if file is not None:
        filename, data = file
        head = (
            f'--{MULTIPART_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/plain\r\n\r\n"
        )
        parts.append(head.encode() + data + b"\r\n")
    return b"".join(parts) + f"--{MULTIPART_BOUNDARY}--\r\n".encode()


# -- the route table, classified -------------------------------------------------------------------


def path_params(route: Route) -> list[str]:
    return [segment[1:-1] for segment in route.segments if segment.startswith("{")]


def is_list(route: Route) -> bool:
    return route.method == "GET" and (route.name.endswith(".list") or route.operation_id.startswith("list"))


def route_id(route: Route) -> str:
    return f"{route.method} {route.template}"


# -- request bodies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BodySpec:
    """A POST route whose body model this file knows: a valid base body and the documented limits."""

    model: type[pydantic.BaseModel]
    base: Callable[[World], dict[str, Any]]
    limited: frozenset[str] = frozenset()  # fields with the documented name/description/instructions limits


ASSISTANT_LIMITS = frozenset({"name", "description", "instructions"})
# A value of a JSON type each known field does not accept.
WRONG_TYPES: dict[str, Any] = {
    "model": 5,
    "name": 5,
    "description": ["a"],
    "instructions": {"a": 1},
    "reasoning_effort": 5,
    "tools": "code_interpreter",
    "tool_resources": "none",
    "metadata": "none",
    "temperature": "hot",
    "top_p": [1],
    "response_format": 5,
    "messages": {"role": "user"},
    "role": 5,
    "content": 5,
    "attachments": "file",
    "assistant_id": 5,
    "stream": "yes",
    "max_prompt_tokens": "many",
    "max_completion_tokens": 1.5,
    "truncation_strategy": "auto",
    "tool_choice": 5,
    "parallel_tool_calls": "yes",
    "additional_instructions": 5,
    "additional_messages": "hi",
    "thread": "thread_abc",
    "tool_outputs": {"output": "x"},
    "file_ids": "file-abc",
    "files": {"file_id": "file-abc"},
    "file_id": ["file-abc"],
    "expires_after": 30,
    "chunking_strategy": "auto",
    "query": 5,
    "rewrite_query": "yes",
    "max_num_results": "ten",
    "filters": ["a"],
    "ranking_options": "auto",
    "attributes": "none",
}


def field_names(model: type[pydantic.BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


# -- bad bodies, metadata and list queries ---------------------------------------------------------

MALFORMED = [
    b"{",
    b"}",
    b"{'model': 'gpt-4o'}",
    b'{"a": 1,}',
    b"nul",
    b"\xff\xfe\x00",
    b'{"a" 1}',
    b"NaN",
    b'{"a": NaN}',
    b'{"a": Infinity}',
    b'{"a": -Infinity}',
]
NOT_OBJECTS = [
    (b"[]", "an array"),
    (b"1", "an integer"),
    (b"1.5", "a decimal"),
    (b'"model"', "a string"),
    (b"null", "null"),
    (b"true", "a boolean"),
    (b'[{"model": "gpt-4o"}]', "an array"),
]
BAD_METADATA: list[tuple[str, dict[str, Any], str]] = [
    ("17 pairs", {f"k{n}": "v" for n in range(17)}, "object_above_max_properties"),
    ("65-char key", {"k" * 65: "v"}, "string_above_max_length"),
    ("513-char value", {"key": "v" * 513}, "string_above_max_length"),
    ("non-string value", {"modified": True}, "invalid_type"),
    ("integer value", {"count": 3}, "invalid_type"),
    ("nested value", {"nested": {"a": "b"}}, "invalid_type"),
    ("not an object", ["a", "b"], "invalid_type"),  # type: ignore[list-item]
]
# Bad for every cursor-paginated list.
BAD_QUERIES = [
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    ("limit=abc", "limit"),
    ("limit=1.5", "limit"),
    ("limit=1_0", "limit"),
    ("limit=%205", "limit"),
    ("limit=%EF%BC%95", "limit"),
    ("limit=" + "9" * 5000, "limit"),
    ("order=sideways", "order"),
    ("order=ASC", "order"),
    (f"after={'x' * 5}_unknown", "after"),
]

# -- fuzzing ---------------------------------------------------------------------------------------

FUZZ_SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
NASTY_TOKENS = [
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e999",
    b"-1e999",
    b"1" + b"0" * 5000,
    b"-0",
    b'"\\ud800"',
    b'"\\udfff x"',
    b'"\\u0000"',
    b"1" + b"0" * 400,
    b"123456789012345678901234567890",
]
JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["gpt-4o", "user", "assistant", "auto", "function", "code_interpreter", "file_search"]),
).map(encode)
JSON_VALUES = st.recursive(
    st.one_of(JSON_LEAVES, st.sampled_from(NASTY_TOKENS)),
    lambda children: st.one_of(
        st.lists(children, max_size=4).map(lambda xs: b"[" + b",".join(xs) + b"]"),
        st.dictionaries(st.text(max_size=8), children, max_size=4).map(
            lambda d: b"{" + b",".join(encode(k) + b":" + v for k, v in d.items()) + b"}"
        ),
    ),
    max_leaves=12,
)
HUGE_STRINGS = st.integers(0, 300_000).map(lambda n: b'"' + b"x" * n + b'"')
DEEP_VALUES = st.builds(deep, st.integers(1, 1200), st.sampled_from(["array", "object"]))
ANY_VALUE = st.one_of(JSON_VALUES, HUGE_STRINGS, DEEP_VALUES)
SLOT_VALUES = st.one_of(st.sampled_from(NASTY_TOKENS), DEEP_VALUES, JSON_VALUES, HUGE_STRINGS)


def splice(base: dict[str, Any], name: str, value: bytes) -> bytes:
    """`base` with `name` set to the raw JSON `value` (which json.dumps could not always produce)."""
    rest = {k: v for k, v in base.items() if k != name}
    head = encode(rest)[:-1]
    return head + (b", " if rest else b"") + encode(name) + b": " + value + b"}"


def json_object(pairs: dict[str, bytes]) -> bytes:
    return b"{" + b",".join(encode(k) + b":" + v for k, v in pairs.items()) + b"}"
