"""Seeded identifiers with the real prefixes."""

from __future__ import annotations

import random
import string

_ALPHABET = string.ascii_letters + string.digits
_BODY_LENGTH = 24

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


class IdFactory:
    """Object ids and request ids from two independent seeded streams.

    Request ids have their own stream so that retries and reads never shift object ids.
    """

    def __init__(self, seed: int | str = 0) -> None:
        self._objects = random.Random(f"{seed}:objects")
        self._requests = random.Random(f"{seed}:requests")

    def new(self, kind: str) -> str:
        body = "".join(self._objects.choices(_ALPHABET, k=_BODY_LENGTH))
        return ID_PREFIXES[kind] + body

    def request_id(self) -> str:
        return f"req_{self._requests.getrandbits(128):032x}"
