"""What the run engine works in: the state, the clock, the ids, the options and file ingestion.

The API's `Context` is a World with the engine (api/context.py); the engine itself sees only the World, so
runs/ never imports api/.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..core.clock import RequestClock
from ..core.ids import IdFactory
from ..core.options import Options
from ..store.store import Store
from .ingestion import Ingestion


@dataclass(slots=True)
class World:
    store: Store
    clock: RequestClock  # the fake's clock, read once per request
    ids: IdFactory
    options: Options
    ingestion: Ingestion
    # real time, for the one guard that is about real time (`options.idle_seconds`: a poll loop stuck for a minute)
    monotonic: Callable[[], float] = field(default=time.monotonic, kw_only=True)
