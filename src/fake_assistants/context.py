"""What every endpoint handler works with: the state, the clock, the id factory and the options."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .api_versions import DEFAULT_VERSIONS, ApiVersion
from .clock import Clock
from .ids import IdFactory
from .resources import Shape
from .store import Store

if TYPE_CHECKING:
    from .ingestion import Ingestion
    from .run_engine import RunEngine


@dataclass(slots=True)
class Options:
    shape: Shape = "recorded"
    poll_after_ms: int = 0
    max_thread_messages: int = 100_000
    stream_chunk_chars: int | None = None  # None: message deltas split at words
    api_versions: tuple[ApiVersion, ...] = DEFAULT_VERSIONS  # the Assistants API versions served


@dataclass(slots=True)
class Context:
    store: Store
    clock: Clock
    ids: IdFactory
    options: Options = field(default_factory=Options)
    engine: RunEngine = field(init=False)
    ingestion: Ingestion = field(init=False)
