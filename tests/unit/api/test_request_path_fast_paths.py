"""The request path's shortcuts decide as the long way would: seeded ids drawn without a Python loop per
character, JSON bodies checked from their bytes when they cannot nest too deep or hold a lone surrogate,
routes found by method, length and first segment, answers encoded by orjson byte for byte as pydantic-core
encoded them, a streamed text without citations cut into its deltas without pairing pieces with them."""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass

import orjson
import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_assistants.api.routing import RouteTable
from fake_assistants.api.validation import MAX_JSON_DEPTH, decode_json
from fake_assistants.core.errors import ApiError
from fake_assistants.core.ids import ID_PREFIXES, IdFactory
from fake_assistants.core.wire import compact_json, json_body
from fake_assistants.runs.message_text import split_chunks, text_deltas

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


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=25,
)


# orjson from 3.11.7 and pydantic-core from 2.42 write a float's positive exponent with its sign (`1e+16`), the
# versions before them without (`1e16`). The project allows both sides of each change (pydantic>=2.7, orjson>=3.9),
# so where the installed pair differ on it the comparisons below are made with the sign dropped on both sides.
EXPONENT_SIGNS_AGREE = orjson.dumps(1e16) == pydantic_core.to_json(1e16)


def as_compared(encoded: bytes) -> bytes:
    return encoded if EXPONENT_SIGNS_AGREE else re.sub(rb"(?<=[0-9]e)\+(?=[0-9])", b"", encoded)


@settings(max_examples=300)
@given(JSON_VALUES)
def test_answers_are_encoded_as_pydantic_core_encodes_them(value: object) -> None:
    assert as_compared(json_body(value)) == as_compared(pydantic_core.to_json(value, indent=2))
    assert as_compared(compact_json(value)) == as_compared(pydantic_core.to_json(value))


@pytest.mark.parametrize("value", [{"big": 2**70}, {1: "a key that is not a string"}, [-(2**64)]])
def test_what_the_fast_encoder_refuses_is_encoded_the_long_way(value: object) -> None:
    assert json_body(value) == pydantic_core.to_json(value, indent=2)
    assert compact_json(value) == pydantic_core.to_json(value)


@pytest.mark.parametrize("chunk_chars", [None, 3])
@pytest.mark.parametrize("text", ["", "Hello! I'm just a reply.", "word " * 20, "  spaced  "])
def test_text_deltas_without_citations_are_the_pieces_with_annotations_on_the_first(
        text: str, chunk_chars: int | None) -> None:
    deltas = list(text_deltas(text, [], chunk_chars))

    assert deltas[0]["annotations"] == [] and all("annotations" not in d for d in deltas[1:])
    assert "".join(d["value"] for d in deltas) == text
    assert [d["value"] for d in deltas] == (list(split_chunks(text, chunk_chars)) or [""])


ONE_PATTERN = re.compile(r"\s*(?:[\w'\u2019]+|[^\w\s]+)|\s+")  # the pieces as the docstring of split_chunks says


@settings(max_examples=200)
@given(st.text(alphabet="ab c,.!?\n\t\u2019'é1", max_size=20_000))
def test_long_texts_are_cut_a_window_at_a_time_into_the_pieces_of_the_whole(text: str) -> None:
    assert list(split_chunks(text, None)) == [found.group() for found in ONE_PATTERN.finditer(text)]


@pytest.mark.parametrize("marks", ["ab c,.!?\n\u2019'é1", "ab", "a ", " ", ".. ,"])
def test_texts_many_windows_long_are_cut_as_one(marks: str) -> None:
    text = "".join(random.Random(marks).choice(marks) for _ in range(30_000))
    assert list(split_chunks(text, None)) == [found.group() for found in ONE_PATTERN.finditer(text)]


def long_way(raw: bytes) -> object:
    """What `decode_json` answered before its orjson path: Python's decoder with the same checks."""
    try:
        return decode_json(b" " + raw)  # a body that does not open with `{` goes the long way
    except ApiError as error:
        return error.status


JSON_OBJECTS = st.dictionaries(st.text(max_size=8), JSON_VALUES | st.integers(), max_size=6)
JSON_TEXT_EDGES = st.sampled_from([
    b'{"a": NaN}', b'{"a": Infinity}', b'{"a": 1e999}', b'{"a": -1e400}', b'{"a": "\\ud800"}',
    b'{"a": 18446744073709551616}', b'{"a": -9223372036854775809}', b'{"a": 1234567890123456789}',
    b'{"a": "\xed\xa0\x80"}', b'{"a": "\xff"}', b'{"a": 1} x', b'{"a": 1,}', b'{"a": -0}', b'{"a": -0.0}',
    b'{"a": 1, "a": 2}', b'{"a": "\x01"}', b'{"a": 0.1e-400}', b'{"a": 5e-324}', b'{"a":[]}\n',
])


@settings(max_examples=400)
@given(JSON_OBJECTS.map(lambda value: json.dumps(value).encode()) | JSON_TEXT_EDGES)
def test_bodies_decode_to_what_the_long_way_decodes(raw: bytes) -> None:
    try:
        fast: object = decode_json(raw)
    except ApiError as error:
        fast = error.status
    expected = long_way(raw)
    assert fast == expected and type(fast) is type(expected)
    assert json.dumps(fast) == json.dumps(expected)  # the same numbers, ints and floats alike
