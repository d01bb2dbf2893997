"""Types shared by every layer: JSON values and the two wire shapes."""

from __future__ import annotations

from typing import Any, Literal

Shape = Literal["recorded", "schema"]


Json = dict[str, Any]
