"""fake-assistants: a deterministic, offline, in-memory OpenAI Assistants API (v2) for tests."""

from __future__ import annotations

from .core.clock import Clock, ManualClock, SystemClock
from .core.errors import ApiError, IllegalTransition, StateError
from .core.wire import ApiRequest, ApiResponse
from .fake import FakeAssistants
from .layers.faults import Fault, Faults, TransportFault
from .layers.journal import Calls, RecordedCall
from .plugin_options import OptionsError, PluginOptions
from .state.snapshot import Snapshot
from .transports.intercept import Interception

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
