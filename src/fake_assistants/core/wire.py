"""Sans-IO request and response values, and the JSON encodings the real service used."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import orjson
import pydantic_core


class Headers(Mapping[str, str]):
    """Headers kept lower-cased, read in any case (`headers["OpenAI-Beta"]`), as HTTP names are: what the call
    journal shows of a request."""

    __slots__ = ("lowered",)

    def __init__(self, lowered: Mapping[str, str]) -> None:
        self.lowered = lowered

    def __getitem__(self, name: str) -> str:
        return self.lowered[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self.lowered

    def __iter__(self) -> Iterator[str]:
        return iter(self.lowered)

    def __len__(self) -> int:
        return len(self.lowered)

    def __repr__(self) -> str:
        return f"Headers({dict(self.lowered)!r})"


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """An HTTP request as the core sees it: no HTTP library involved."""

    method: str
    path: str
    query: tuple[tuple[str, str], ...] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def build(
        cls,
        method: str,
        path: str,
        *,
        query: str | tuple[tuple[str, str], ...] = (),
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
    ) -> ApiRequest:
        pairs = tuple(parse_qsl(query, keep_blank_values=True)) if isinstance(query, str) else query
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        return cls(method.upper(), path, pairs, lowered, body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


Body = bytes | Iterator[bytes]


@dataclass(slots=True)
class ApiResponse:
    """Status, headers and a body that is either bytes or a lazy iterator of chunks."""

    status: int
    headers: list[tuple[str, str]]
    body: Body
    # the stream may end with `TransportFault` (a `drop_stream` fault): the connection drops part-way, and a
    # transport raises its own read error for it (the SDK: APIConnectionError)
    drops: bool = False

    @property
    def is_stream(self) -> bool:
        return not isinstance(self.body, bytes)

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers if k.lower() == lowered), None)


# orjson writes the same bytes as pydantic-core's `to_json` for every JSON value (a hypothesis comparison of the
# two, both indented and compact, found no difference), two to four times as fast. What orjson refuses (an
# integer beyond 64 bits, a key that is not a string) goes to pydantic-core, which writes it as before.
INDENT_2 = orjson.OPT_INDENT_2


def json_body(value: Any) -> bytes:
    """The real service pretty-printed JSON bodies with a 2-space indent.

    A body is copied out of orjson's buffer: orjson hands back bytes that keep the room it wrote them in (at least
    4 KiB), and the journal keeps every answer it records."""
    try:
        return bytes(memoryview(orjson.dumps(value, option=INDENT_2)))
    except TypeError:
        return pydantic_core.to_json(value, indent=2)


def compact_json(value: Any) -> bytes:
    """Compact JSON, as in SSE `data:` lines."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return pydantic_core.to_json(value)


class UnencodableText(ValueError):
    """Text a test gave the fake that no answer could carry: it holds a lone surrogate (half of a UTF-16 pair),
    which UTF-8 cannot encode. Raised where the text is given (`fake.script.reply(...)`, a fault, an ingestion
    failure); a responder that returns such text fails its run naming it."""


def is_utf8(text: str) -> bool:
    """Whether `text` encodes as UTF-8: it holds no lone surrogate (ASCII text, most of it, is not read again)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def utf8_text(text: str, what: str) -> str:
    """`text` when it encodes as UTF-8, as every answer of the service did; else UnencodableText naming `what`
    and the first lone surrogate, which would break the answer, or the stream, that carries it."""
    if is_utf8(text):
        return text
    start = next(index for index, character in enumerate(text) if "\ud800" <= character <= "\udfff")
    raise UnencodableText(
        f"fake-assistants: {what} holds a lone surrogate ({text[start]!r} at index {start}), which cannot be "
        "encoded as UTF-8, so no answer could carry it. Write the character itself, not half of its UTF-16 pair "
        "(for text decoded from UTF-16: text.encode('utf-16', 'surrogatepass').decode('utf-16'))")


def utf8_texts(owner: str, **fields: str | None) -> None:
    """Each of `fields` that is a str encodes as UTF-8, else UnencodableText naming it (`a fault's message`)."""
    for name, text in fields.items():
        if isinstance(text, str) and not is_utf8(text):
            utf8_text(text, f"{owner}'s {name.replace('_', ' ')}")


def utf8_escaped(text: str) -> str:
    """`text` with each lone surrogate written as its escape (`\\ud800`): for what a run reports that came from
    elsewhere (an exception's message, a model backend's error), which must still reach the client."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")
