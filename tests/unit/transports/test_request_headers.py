"""The adapter reads a request's headers as `multi_items()` gives them, lowered, a repeated name keeping its
last value, in httpx's and httpx2's three header encodings (ASCII, UTF-8, ISO-8859-1)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_assistants.transports.httpx_family import lowered_headers

LIBRARIES = ["httpx", "httpx2"]
NAMES = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=12)
ASCII_VALUES = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)


def library(name: str) -> ModuleType:
    module: ModuleType = pytest.importorskip(name)
    return module


def expected(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.multi_items()}


@pytest.mark.parametrize("name", LIBRARIES)
@given(pairs=st.lists(st.tuples(NAMES, ASCII_VALUES), max_size=8))
def test_ascii_headers_read_as_multi_items_gives_them(name: str, pairs: list[tuple[str, str]]) -> None:
    module = library(name)
    request = module.Request("POST", "https://api.openai.com/v1/assistants", headers=pairs)
    assert request.headers.encoding == "ascii"
    found = lowered_headers(request.headers)
    assert found == expected(request.headers)
    assert list(found) == list(expected(request.headers))  # the same order, first appearance of each name


@pytest.mark.parametrize("name", LIBRARIES)
@pytest.mark.parametrize(("value", "encoding"), [("café".encode(), "utf-8"), ("café".encode("latin-1"), "iso-8859-1")])
def test_non_ascii_headers_read_in_their_encoding(name: str, value: bytes, encoding: str) -> None:
    module = library(name)
    request = module.Request("GET", "https://api.openai.com/v1/assistants",
                             headers=[(b"X-Note", value), (b"OpenAI-Beta", b"assistants=v2")])
    assert request.headers.encoding == encoding
    found = lowered_headers(request.headers)
    assert found == expected(request.headers)
    assert found["x-note"] == "café"
    assert found["openai-beta"] == "assistants=v2"
