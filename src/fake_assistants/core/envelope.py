"""The one place a JSON answer and an OpenAI error envelope become an `ApiResponse`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .errors import ApiError
from .wire import ApiResponse, json_body

JSON_CONTENT_TYPE = ("content-type", "application/json")


def json_response(status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> ApiResponse:
    """`body` as the service sent JSON: pretty-printed, `content-type: application/json`."""
    return ApiResponse(status, [JSON_CONTENT_TYPE, *headers], json_body(body))


def error_response(error: ApiError, headers: Iterable[tuple[str, str]] = ()) -> ApiResponse:
    """`{"error": {message, type, param, code}}` (and any extra top-level keys) with the error's status."""
    return json_response(error.status, error.body(), headers)
