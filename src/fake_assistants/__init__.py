"""fake-assistants: a deterministic, offline, in-memory OpenAI Assistants API (v2) for tests."""

from __future__ import annotations

from .clock import Clock, ManualClock, SystemClock
from .errors import ApiError, IllegalTransition, StateError
from .fake import FakeAssistants
from .faults import Fault, Faults, TransportFault
from .intercept import Interception
from .journal import Calls, RecordedCall
from .plugin_options import OptionsError, PluginOptions
from .snapshot import Snapshot
from .wire import ApiRequest, ApiResponse

__all__ = [
    "ApiError",
    "ApiRequest",
    "ApiResponse",
    "Calls",
    "Clock",
    "FakeAssistants",
    "Fault",
    "Faults",
    "IllegalTransition",
    "Interception",
    "ManualClock",
    "OptionsError",
    "PluginOptions",
    "RecordedCall",
    "Snapshot",
    "StateError",
    "SystemClock",
    "TransportFault",
]
