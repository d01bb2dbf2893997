"""What every endpoint handler works with: the engine's World (state, clock, ids, options, ingestion) and the
engine itself."""

from __future__ import annotations

from dataclasses import dataclass

from ..runs.engine import RunEngine
from ..runs.world import World


@dataclass(slots=True)
class Context(World):
    engine: RunEngine

    @classmethod
    def around(cls, engine: RunEngine) -> Context:
        """The context of `engine`: its World's parts, and the engine."""
        world = engine.world
        return cls(world.store, world.clock, world.ids, world.options, world.ingestion, engine,
                   monotonic=world.monotonic)
