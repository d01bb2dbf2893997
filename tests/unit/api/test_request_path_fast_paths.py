"""The request path's shortcuts decide as the long way would: seeded ids drawn without a Python loop per
character, JSON bodies checked from their bytes when they cannot nest too deep or hold a lone surrogate,
routes found by method, length and first segment."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

import pytest

from fake_assistants.api.routing import RouteTable
from fake_assistants.api.validation import MAX_JSON_DEPTH, decode_json
from fake_assistants.core.errors import ApiError
from fake_assistants.core.ids import ID_PREFIXES, IdFactory

ALPHABET = string.ascii_letters + string.digits


@pytest.mark.parametrize("seed", [0, 1, "my-seed"])
def test_ids_are_the_sequence_random_choices_draws(seed: int | str) -> None:
    ids = IdFactory(seed)
    reference = random.Random(f"{seed}:objects")
    for kind in ["assistant", "thread", "file", "message", "vector_store", "run", "step", "call"] * 50:
        if kind == "vector_store":
            expected = f"vs_{reference.getrandbits(128):032x}"
        else:
            length = 22 if kind == "file" else 24
            expected = ID_PREFIXES[kind] + "".join(reference.choices(ALPHABET, k=length))
        assert ids.new(kind) == expected


@pytest.mark.parametrize("body", [
    b'{"a": "\\ud800"}', b'{"a": "\\uDFFF"}', b'{"a": "x\\udc00y"}', b'{"a": "\xed\xa0\x80"}',
    b'{"a": ' + b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1) + b"}",
    '{"a": "\\ud800"}'.encode("utf-16"),
])
def test_bodies_that_could_not_go_back_out_as_json_are_refused(body: bytes) -> None:
    with pytest.raises(ApiError) as caught:
        decode_json(body)
    assert caught.value.status == 400


@pytest.mark.parametrize("body", [
    b'{"a": "\\u00e9 \\\\ud800 is text"}', '{"a": "\ud7ff \u00e9"}'.encode(), b'{"a": "\\ud83d\\ude00"}',
    b'{"a": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}",
    b'{"a": "' + b"[" * 300 + b'"}',
])
def test_plain_bodies_are_taken_the_fast_way_or_the_long_one(body: bytes) -> None:
    assert isinstance(decode_json(body), dict)


@dataclass(frozen=True)
class R:
    method: str
    template: str


def test_routes_match_by_first_segment_and_literals_beat_parameters() -> None:
    table = RouteTable([R("GET", "/threads/{thread_id}"), R("GET", "/{kind}/{id}"), R("GET", "/threads/runs"),
                        R("POST", "/threads/{thread_id}")])

    assert table.match("GET", "/threads/runs") == (R("GET", "/threads/runs"), {})
    assert table.match("GET", "/threads/thread_1") == (R("GET", "/threads/{thread_id}"), {"thread_id": "thread_1"})
    assert table.match("GET", "/files/file-1") == (R("GET", "/{kind}/{id}"), {"kind": "files", "id": "file-1"})
    assert table.match("POST", "/files/file-1") is None
    assert table.match("DELETE", "/threads/thread_1") is None
