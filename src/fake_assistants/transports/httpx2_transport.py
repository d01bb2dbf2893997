"""The `httpx2` adapter (openai 3.x). The only module that imports httpx2."""

from __future__ import annotations

from typing import Any

import httpx2

from .httpx_family import build_transport_class

Httpx2Transport = build_transport_class(httpx2, "Httpx2Transport")


def client(transport: Any, *, base_url: str, asynchronous: bool) -> httpx2.Client | httpx2.AsyncClient:
    """A `httpx2` client (sync or async) that sends every request to `transport`."""
    if asynchronous:
        return httpx2.AsyncClient(transport=transport, base_url=base_url)
    return httpx2.Client(transport=transport, base_url=base_url)
