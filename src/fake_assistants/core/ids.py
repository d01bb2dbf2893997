"""Seeded identifiers with the real prefixes."""

from __future__ import annotations

import random
import string
from collections import deque
from collections.abc import Iterable, Mapping
from itertools import repeat
from math import floor
from operator import mul
from typing import Any, Protocol

_ALPHABET = string.ascii_letters + string.digits
_BODY_LENGTH = 24
_FILE_BODY_LENGTH = 22  # newer File ids, e.g. file-Rk1B7rvT3mB7zJJocLrFi1
_HEX_KINDS = frozenset({"vector_store", "file_batch"})
_SCALE = float(len(_ALPHABET))  # random() in [0, 1) times 62.0, as random.choices scales it
_CHARACTERS = _ALPHABET.encode("ascii") + bytes(256 - len(_ALPHABET))  # index -> its character, for translate()

ID_PREFIXES: dict[str, str] = {
    "assistant": "asst_",
    "thread": "thread_",
    "message": "msg_",
    "run": "run_",
    "step": "step_",
    "call": "call_",
    "file": "file-",
    "vector_store": "vs_",
    "file_batch": "vsfb_",
}


class IdSource(Protocol):
    """Ids handed out before the seeded stream: `take(kind)` gives the next one of that kind, or None."""

    def take(self, kind: str) -> str | None: ...


class RecordedIds:
    """Given ids, handed out in the given order for each kind (a cassette's, with `ids="recorded"`); once a
    kind's ids are used up, None (the seeded stream goes on); a None among them keeps its place for a seeded id.
    Deterministic: no draw depends on anything else."""

    def __init__(self, ids: Mapping[str, Iterable[str | None]]) -> None:
        self.remaining: dict[str, deque[str | None]] = {kind: deque(values) for kind, values in ids.items()}

    def take(self, kind: str) -> str | None:
        queue = self.remaining.get(kind)
        return queue.popleft() if queue else None


class IdFactory:
    """Object ids and request ids from two independent seeded streams.

    Request ids have their own stream so that retries and reads never shift object ids. An injected `source`
    (e.g. `RecordedIds`) is asked first for each object id; it does not move the seeded stream.
    """

    def __init__(self, seed: int | str = 0, source: IdSource | None = None) -> None:
        self._objects = random.Random(f"{seed}:objects")
        self._requests = random.Random(f"{seed}:requests")
        self.source = source

    def new(self, kind: str) -> str:
        given = self.source.take(kind) if self.source is not None else None
        if given is not None:
            return given
        if kind in _HEX_KINDS:  # 2025+ vector store and batch ids: 32 lowercase hex
            return f"{ID_PREFIXES[kind]}{self._objects.getrandbits(128):032x}"
        length = _FILE_BODY_LENGTH if kind == "file" else _BODY_LENGTH
        # What `self._objects.choices(_ALPHABET, k=length)` draws (`_ALPHABET[floor(random() * 62.0)]` per
        # character, the same floats in the same order), with the loop in C: the ids stay byte-identical. `map`
        # stops when `repeat` ends, before drawing again; the indexes become bytes, translated to characters.
        indexes = map(floor, map(mul, repeat(_SCALE, length), iter(self._objects.random, None)))
        return ID_PREFIXES[kind] + bytes(indexes).translate(_CHARACTERS).decode("ascii")

    def request_id(self) -> str:
        return f"req_{self._requests.getrandbits(128):032x}"

    def state(self) -> dict[str, Any]:
        """Where both streams are, as JSON values (for `fake.dump()`)."""
        return {"objects": _json_state(self._objects), "requests": _json_state(self._requests)}

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue both streams from a `state()`."""
        self._objects.setstate(_random_state(state["objects"]))
        self._requests.setstate(_random_state(state["requests"]))


def _json_state(generator: random.Random) -> list[Any]:
    """The generator's state as `[version, internal, gauss]`, its 625 internal words (each below 2**32) as one string
    of 8 hex digits each: a dump keeps it on one line, where a list put each number on its own (1,250 lines)."""
    version, internal, gauss = generator.getstate()
    return [version, "".join(f"{word:08x}" for word in internal), gauss]


def _random_state(value: list[Any]) -> tuple[Any, ...]:
    """A `_json_state` back as the generator's state; the internal words may also be a list of numbers (the form
    of earlier dumps)."""
    version, internal, gauss = value
    if isinstance(internal, str):
        if len(internal) % 8 or not all(c in string.hexdigits for c in internal):
            raise ValueError("the internal state is 8 hex digits per word")
        internal = [int(internal[i:i + 8], 16) for i in range(0, len(internal), 8)]
    return (version, tuple(internal), gauss)
