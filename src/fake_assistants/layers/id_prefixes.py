"""The id-prefix layer: path ids must carry their object's prefix (`thread_...`), as the service checked
before looking anything up. Lenient mode with any placeholder accepted leaves this layer out."""

from __future__ import annotations

from ..api.pipeline import Answer, Exchange
from ..api.routing import Reply, check_id_prefixes


class IdPrefixes:
    def __init__(self, inner: Answer) -> None:
        self.inner = inner

    def __call__(self, exchange: Exchange) -> Reply:
        check_id_prefixes(exchange.params)
        return self.inner(exchange)
