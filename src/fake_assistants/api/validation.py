"""Request body parsing: JSON decoding and pydantic errors turned into OpenAI's wording."""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from typing import Any, TypeVar

import orjson
import pydantic
from pydantic_core import ErrorDetails

from ..core import error_catalog as catalog
from ..core.errors import ApiError
from ..core.wire import is_utf8

M = TypeVar("M", bound=pydantic.BaseModel)

# Nesting a request body may have: responses wrap stored values a few levels deeper (list envelopes),
# and the JSON encoder refuses more than 254 levels.
MAX_JSON_DEPTH = 200
# The largest JSON request body taken (32 MiB): far above any valid request (instructions and message
# contents are at most 256,000 characters), far below what would hurt a test machine.
MAX_JSON_BODY_BYTES = 32 * 1024 * 1024

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean",
    "list_type": "an array",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "none_required": "null",
}


def describe_json_type(value: Any) -> str:
    """How OpenAI's validation messages name the type of a JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def decode_json_object(raw: bytes, *, allow_empty: bool = True,
                       max_bytes: int | None = MAX_JSON_BODY_BYTES) -> dict[str, Any]:
    """Decode a request body that must be a JSON object; an empty body is `{}` where allowed. A body over
    `max_bytes` is a 413."""
    if max_bytes is not None and len(raw) > max_bytes:
        raise catalog.request_too_large(max_bytes)
    if not raw.strip():
        if allow_empty:
            return {}
        raise catalog.invalid_json_body()
    value = decode_json(raw)
    if not isinstance(value, dict):
        raise catalog.body_not_object(describe_json_type(value))
    return value


def decoded_object(raw: bytes) -> dict[str, Any] | None:
    """The JSON object a body holds as a handler decodes it (an empty body: `{}`), or None where a handler would
    refuse it: for what reads a body outside a handler (lenient mode, a fault's message), which must not take a
    body the handler refuses (JSON nested past the depth limit, `NaN`, a lone surrogate, too large) nor raise."""
    try:
        return decode_json_object(raw)
    except ApiError:
        return None


def decode_json(raw: bytes) -> Any:
    """Strict JSON only: what could not be sent back as JSON is refused as unparseable up front.

    Python's decoder also takes `NaN`/`Infinity`, numbers that overflow to infinity, lone surrogate
    escapes and any nesting its stack allows; stored, each of these later fails to serialize (a 500)
    or comes back as invalid JSON.
    """
    if raw[:1] == b"{" and _surely_plain(raw) and raw.translate(_DIGITS_AS_HASH).find(_LONG_DIGITS) < 0:
        try:  # the usual body, decoded by orjson (see `_LONG_DIGITS`); what it refuses goes the long way below
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    try:
        # What json.loads does with bytes, with one decoder made once instead of one per call. A body that
        # opens an object with a non-zero second byte is UTF-8 to `json.detect_encoding`: no BOM starts with
        # `{`, and only UTF-16 and UTF-32 have a zero byte among the first two.
        encoding = "utf-8" if raw[:1] == b"{" and raw[1:2] != b"\x00" else json.detect_encoding(raw)
        value = _DECODER.decode(raw.decode(encoding, "surrogatepass"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise catalog.invalid_json_body() from None
    if not (encoding == "utf-8" and _surely_plain(raw)) and not _is_plain_json(value):
        raise catalog.invalid_json_body()
    return value


# orjson decodes a UTF-8 body that opens an object to the same value as Python's decoder, and refuses what the
# long way refuses too (NaN, Infinity, numbers that overflow to infinity, lone surrogates, invalid UTF-8), with
# one difference: an integer beyond 64 bits becomes a float. A run of 19 digits anywhere (in a number or a string)
# sends the body the long way (found in a copy with every digit a `#`: faster than a regular expression). A
# property test compares the two decoders.
# Both checks use `bytes.find`, not `in`: `bytes.__contains__` first tries its operand as an integer and, for
# bytes, formats a TypeError it then drops (about 1,200 instructions a check).
_DIGITS_AS_HASH = bytes.maketrans(b"0123456789", b"#" * 10)
_LONG_DIGITS = b"#" * 19
# `\ud800` to `\udfff` (either case), the only way, with 0xED bytes, for a lone surrogate to get into a string.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89abcdefABCDEF]")


def _surely_plain(raw: bytes) -> bool:
    """What `_is_plain_json` checks, decided from UTF-8 bytes without walking the value (False: walk it).
    Fewer opening brackets than the depth limit cannot nest deeper than it; a string can only hold a lone
    surrogate from an escape `\\udXXX` or from the bytes 0xED 0xA0-0xBF (decoded with surrogatepass)."""
    return (raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH and raw.find(0xED) < 0
            and _SURROGATE_ESCAPE.search(raw) is None)


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def _finite_float(token: str) -> float:
    value = float(token)
    if not math.isfinite(value):
        raise ValueError(f"{token} is out of range")
    return value


_DECODER = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def _is_plain_json(value: Any) -> bool:
    """At most MAX_JSON_DEPTH levels of arrays and objects, and every string encodable as UTF-8."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if isinstance(current, str):
            if not is_utf8(current):  # a lone surrogate, from a \ud800-style escape
                return False
        elif isinstance(current, dict | list):
            if depth > MAX_JSON_DEPTH:
                return False
            children = [*current.keys(), *current.values()] if isinstance(current, dict) else current
            pending.extend((child, depth + 1) for child in children)
    return True


_BUILDING = threading.Lock()


def _built(model: type[pydantic.BaseModel]) -> None:
    """Build a request model's validator, deferred until its first use (`defer_build`), once and under a lock:
    pydantic's own rebuild is not thread-safe in every version it allows (pydantic#11849: a validation running
    beside the rebuild could use the parent model's validator), and fakes in several threads may share a model."""
    with _BUILDING:
        if not model.__pydantic_complete__:
            model.model_rebuild()


def validate(model: type[M], data: dict[str, Any], *, prefix: str = "") -> M:
    """Validate `data` against `model`, raising the OpenAI-shaped 400 for the most specific error."""
    if not model.__pydantic_complete__:
        _built(model)
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        details = exc.errors()
    # raised outside the handler: the 400 keeps no reference to pydantic's error (no reference cycle through
    # it), so a large rejected body is freed as soon as the answer is sent, not when the collector runs
    raise to_api_error(details, data, prefix)


def to_api_error(errors: Sequence[ErrorDetails], data: Any, prefix: str = "") -> ApiError:
    located = [(_param_path(error, data, prefix), error) for error in errors]
    deepest = max(len(path) for path, _ in located)
    path = next(p for p, _ in located if len(p) == deepest)
    here = [e for p, e in located if p == path]
    specific = [e for e in here if e["type"] not in _EXPECTED]
    # `"auto" | {"type": ...}` (response_format): an object's wrong type is the object branch's error, not the
    # string branch's "Supported values are: 'auto'"
    objects = [e for e in specific if not (e["type"] == "literal_error" and isinstance(e.get("input"), dict))]
    specific = objects or specific
    first = specific[0] if specific else here[0]
    same_place = [e for e in here if e["type"] in _EXPECTED]
    param = _format_path(path)
    if not specific and len(same_place) > 1:
        expected = " or ".join(dict.fromkeys(_EXPECTED[e["type"]] for e in same_place))
        return catalog.invalid_type(param, f"one of {expected}", describe_json_type(first["input"]))
    return _translate(first, param)


def _translate(error: ErrorDetails, param: str) -> ApiError:
    kind = error["type"]
    ctx: dict[str, Any] = dict(error.get("ctx") or {})
    value = error.get("input")
    if kind == "union_tag_not_found" and not isinstance(value, dict):  # `"tools": [5]`: not even an object
        return catalog.invalid_type(param, "an object", describe_json_type(value))
    if kind == "union_tag_not_found" and value.get("type") is not None:  # `{"type": 5}`: a tag, not a string
        return catalog.invalid_type(f"{param}.type", "a string", describe_json_type(value["type"]))
    if kind == "missing" or kind == "union_tag_not_found":
        return catalog.missing_parameter(param if kind == "missing" else f"{param}.type")
    if kind == "extra_forbidden":
        return catalog.unknown_parameter(param)
    if kind in _EXPECTED:
        return catalog.invalid_type(param, _EXPECTED[kind], describe_json_type(value))
    if kind == "union_tag_invalid":
        tags = [t.strip().strip("'") for t in str(ctx.get("expected_tags", "")).split(",")]
        return catalog.invalid_value(f"{param}.type", ctx.get("tag"), tags)
    if kind == "invalid_image_url":
        return catalog.invalid_image_url(param)
    if kind == "literal_error":
        supported = [t.strip().strip("'") for t in str(ctx.get("expected", "")).replace(" or ", ", ").split(",")]
        return catalog.invalid_value(param, value, [s for s in supported if s])
    return _translate_limit(kind, ctx, value, param)


def _translate_limit(kind: str, ctx: dict[str, Any], value: Any, param: str) -> ApiError:
    size = len(value) if isinstance(value, str | list | dict) else 0
    if kind == "string_too_long":
        return catalog.string_too_long(param, ctx["max_length"], size)
    if kind == "string_too_short":
        return catalog.string_too_short(param, ctx["min_length"], size)
    if kind == "too_long":
        return catalog.array_too_long(param, ctx["max_length"], ctx.get("actual_length", size))
    if kind == "too_short":
        return catalog.array_too_short(param, ctx["min_length"], ctx.get("actual_length", size))
    if kind in ("less_than_equal", "less_than"):
        bound = ctx.get("le", ctx.get("lt", 0))
        return catalog.number_above_max(param, bound, value, integer=_is_integer(bound))
    if kind in ("greater_than_equal", "greater_than"):
        bound = ctx.get("ge", ctx.get("gt", 0))
        return catalog.number_below_min(param, bound, value, integer=_is_integer(bound))
    if kind == "object_above_max_properties":
        return catalog.too_many_properties(param, ctx["max"], ctx["got"])
    if kind == "property_name_too_long":
        return catalog.property_name_too_long(param, ctx["key"], ctx["max"])
    if kind == "string_pattern_mismatch":
        return catalog.invalid_value_message(
            param, f"string does not match pattern. Expected a string that matches the pattern '{ctx['pattern']}'."
        )
    return catalog.invalid_value_message(param, "invalid value.")


def _is_integer(bound: Any) -> bool:
    """Integer or decimal is the field's type, not the value's: `temperature: 3` is a decimal above 2.

    pydantic reports the bounds of float fields as floats and those of int fields as ints.
    """
    return isinstance(bound, int) and not isinstance(bound, bool)


def _param_path(error: ErrorDetails, data: Any, prefix: str) -> tuple[int | str, ...]:
    """Map pydantic's location onto the input: drop union-branch and discriminator labels."""
    path: list[int | str] = [prefix] if prefix else []
    loc = error["loc"]
    current = data
    label_skipped = False
    for position, step in enumerate(loc):
        if isinstance(current, dict) and isinstance(step, str):
            if not label_skipped and current.get("type") == step and position + 1 < len(loc):
                label_skipped = True  # the discriminator's tag, once per object
                continue
            label_skipped = False
            if step in current:
                path.append(step)
                current = current[step]
            elif position == len(loc) - 1 and error["type"] == "missing":
                path.append(step)
        elif isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
            path.append(step)
            current = current[step]
    return tuple(path)


def _format_path(path: Sequence[int | str]) -> str:
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else str(step)
    return out
