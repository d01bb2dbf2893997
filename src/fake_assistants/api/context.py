"""What every endpoint handler works with: the state, the clock, the ids, the options and the engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..core.clock import Clock
from ..core.ids import IdFactory
from ..store.store import Store

if TYPE_CHECKING:
    from ..runs.engine import RunEngine
    from ..runs.ingestion import Ingestion
from ..core.options import Options


@dataclass(slots=True)
class Context:
    store: Store
    clock: Clock
    ids: IdFactory
    options: Options = field(default_factory=Options)
    engine: RunEngine = field(init=False)
    ingestion: Ingestion = field(init=False)
