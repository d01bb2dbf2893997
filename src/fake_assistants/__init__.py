"""fake-assistants: a deterministic, offline, in-memory OpenAI Assistants API (v2) for tests."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .api.routes import ROUTE_NAMES, UnknownRoute
from .cassettes.plan import CassetteReport, CassetteSource, CassetteWarning
from .cassettes.reader import CassetteError
from .core.clock import Clock, ManualClock, SystemClock
from .core.errors import ApiError, IllegalTransition, InternalError, StateError
from .core.wire import ApiRequest, ApiResponse, UnencodableText
from .fake import FakeAssistants
from .layers.faults import Fault, Faults, TransportFault
from .layers.journal import Calls, RecordedCall
from .plugin_options import OptionsError, PluginOptions
from .state.checks import FakeCheckError, Findings
from .state.snapshot import Snapshot
from .transports.intercept import Interception

try:
    __version__ = version("fake-assistants")
except PackageNotFoundError:  # the source tree on sys.path without an installed distribution
    __version__ = "0+unknown"

# Every route name faults, the journal and the control API take (`runs.create`, `vector_stores.files.list`, ...).
ROUTES: tuple[str, ...] = ROUTE_NAMES

__all__ = [
    "ROUTES",
    "ApiError",
    "ApiRequest",
    "ApiResponse",
    "Calls",
    "CassetteError",
    "CassetteReport",
    "CassetteSource",
    "CassetteWarning",
    "Clock",
    "FakeAssistants",
    "FakeCheckError",
    "Fault",
    "Faults",
    "Findings",
    "IllegalTransition",
    "Interception",
    "InternalError",
    "ManualClock",
    "OptionsError",
    "PluginOptions",
    "RecordedCall",
    "Snapshot",
    "StateError",
    "SystemClock",
    "TransportFault",
    "UnencodableText",
    "UnknownRoute",
    "__version__",
]
