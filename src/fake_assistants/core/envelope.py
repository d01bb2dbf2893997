"""The one place a JSON answer and an OpenAI error envelope become an `ApiResponse`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ApiError
from .wire import ApiResponse, is_utf8, json_body, utf8_escaped

JSON_CONTENT_TYPE = ("content-type", "application/json")


def json_response(status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> ApiResponse:
    """`body` as the service sent JSON: pretty-printed, `content-type: application/json`."""
    return ApiResponse(status, [JSON_CONTENT_TYPE, *headers], json_body(body))


def error_response(error: ApiError, headers: Iterable[tuple[str, str]] = ()) -> ApiResponse:
    """`{"error": {message, type, param, code}}` (and any extra top-level keys) with the error's status. Text
    the error quotes from the request and that UTF-8 cannot carry (a lone surrogate, in a hand-built `ApiRequest`:
    HTTP cannot bring one) is written escaped (`\\ud800`), so that the error still reaches the client."""
    return json_response(error.status, _escaped(error.body()), headers)


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return value if is_utf8(value) else utf8_escaped(value)
    if isinstance(value, dict):
        return {key: _escaped(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_escaped(item) for item in value]
    return value
