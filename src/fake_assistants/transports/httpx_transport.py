"""The `httpx` adapter (openai 1.x and 2.x). The only module that imports httpx."""

from __future__ import annotations

import httpx

from .httpx_family import build_transport_class

HttpxTransport = build_transport_class(httpx, "HttpxTransport")
