"""The `httpx` adapter (openai 1.x and 2.x). The only module that imports httpx."""

from __future__ import annotations

from typing import Any

import httpx

from .httpx_family import build_transport_class

HttpxTransport = build_transport_class(httpx, "HttpxTransport")


def client(transport: Any, *, base_url: str, asynchronous: bool) -> httpx.Client | httpx.AsyncClient:
    """A `httpx` client (sync or async) that sends every request to `transport`."""
    if asynchronous:
        return httpx.AsyncClient(transport=transport, base_url=base_url)
    return httpx.Client(transport=transport, base_url=base_url)
