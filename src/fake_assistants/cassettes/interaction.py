"""One typed form for a recorded request and its answer, whatever format recorded it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Format = Literal["vcrpy", "vcr-json", "ruby-vcr", "dotnet-proxy"]


@dataclass(frozen=True, slots=True)
class SseEvent:
    """One server-sent event of a streamed answer: its name and its data (JSON when it parses, else the text)."""

    event: str
    data: Any


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request and the service's answer.

    Bodies are JSON values when they parse as JSON, else text (or bytes that are not UTF-8); header names keep
    their recorded spelling, with the first value of a list.
    """

    index: int
    method: str
    path: str  # with the /v1 prefix, without the query
    query: str  # raw, still percent-encoded; "" when none
    request_headers: Mapping[str, str]
    request_body: Any
    status: int
    response_headers: Mapping[str, str]
    response_body: Any  # JSON value, text or bytes; None for a streamed answer or an empty body
    events: tuple[SseEvent, ...] = ()  # a streamed answer's events, in order
    stream: str | None = None  # a streamed answer's raw text
    recorded_at: str | None = None  # HTTP date of the answer (VCR `recorded_at`, else the Date header)

    def request_header(self, name: str) -> str | None:
        return header(self.request_headers, name)

    def response_header(self, name: str) -> str | None:
        return header(self.response_headers, name)

    @property
    def beta(self) -> str | None:
        """The `OpenAI-Beta` request header."""
        return self.request_header("OpenAI-Beta")

    @property
    def is_v1(self) -> bool:
        return "assistants=v1" in (self.beta or "").replace(" ", "")

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def response_json(self) -> dict[str, Any] | None:
        """The answer when it is a JSON object, else None."""
        return self.response_body if isinstance(self.response_body, dict) else None

    def answered_objects(self) -> list[dict[str, Any]]:
        """Every object (a dict with `id` and `object`) the answer shows: the body, a list's items, stream events."""
        found: list[dict[str, Any]] = []
        body = self.response_json
        if body is not None:
            if body.get("object") == "list" and isinstance(body.get("data"), list):
                found.extend(item for item in body["data"] if _is_object(item))
            elif _is_object(body):
                found.append(body)
        found.extend(event.data for event in self.events if _is_object(event.data))
        return found


@dataclass(frozen=True, slots=True)
class Recording:
    """The interactions of one cassette file, in recorded order."""

    path: Path
    format: Format
    interactions: tuple[Interaction, ...] = field(default=())

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"


def header(headers: Mapping[str, Any], name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value[0] if isinstance(value, list) and value else value)
    return None


def _is_object(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("object"), str)


def decode_text(value: str) -> Any:
    """A JSON value when `value` is a JSON object or array, else the text itself."""
    stripped = value.strip()
    if stripped[:1] in ("{", "["):
        try:
            return json.loads(stripped)
        except ValueError:
            return value
    return value
