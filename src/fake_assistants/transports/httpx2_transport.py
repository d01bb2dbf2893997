"""The `httpx2` adapter (openai 3.x). The only module that imports httpx2."""

from __future__ import annotations

import httpx2

from .httpx_family import build_transport_class

Httpx2Transport = build_transport_class(httpx2, "Httpx2Transport")
