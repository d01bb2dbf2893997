"""The options every request is answered with (shape, poll interval, limits, API versions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .api_versions import DEFAULT_VERSIONS, ApiVersion
from .types import Shape

if TYPE_CHECKING:
    pass


@dataclass(slots=True)
class Options:
    shape: Shape = "recorded"
    poll_after_ms: int = 0
    max_thread_messages: int = 100_000
    stream_chunk_chars: int | None = None  # None: message deltas split at words
    api_versions: tuple[ApiVersion, ...] = DEFAULT_VERSIONS  # the Assistants API versions served
