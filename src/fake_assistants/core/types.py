"""Types shared by every layer: JSON values, stream events and the two wire shapes."""

from __future__ import annotations

from typing import Any, Literal

Shape = Literal["recorded", "schema"]
Json = dict[str, Any]
Event = tuple[str, Any]  # one server-sent event before encoding: (name, data)
