"""fake-assistants: a deterministic, offline, in-memory OpenAI Assistants API (v2) for tests."""

from __future__ import annotations

from .clock import Clock, ManualClock, SystemClock
from .errors import ApiError, IllegalTransition
from .fake import FakeAssistants
from .wire import ApiRequest, ApiResponse

__all__ = [
    "ApiError",
    "ApiRequest",
    "ApiResponse",
    "Clock",
    "FakeAssistants",
    "IllegalTransition",
    "ManualClock",
    "SystemClock",
]
