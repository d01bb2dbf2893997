"""What the run engine works in: the state, the clock, the ids, the options and file ingestion.

The API's `Context` is a World with the engine (api/context.py); the engine itself sees only the World, so
runs/ never imports api/.
"""

from __future__ import annotations

from dataclasses import dataclass

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
