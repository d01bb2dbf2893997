"""The live page of a served fake: `GET /__fake__/` (moto's server dashboard is the model), and its data.

The page is plain HTML, CSS and JavaScript shipped inside the package (`server/page/`), so it works offline: no
CDN, no build step. Its script polls `GET /__fake__/overview` (this module's `overview`) and redraws when the
answer changes: threads as conversations with their runs and steps (the transcript's JSON form), the journal with
filters, the pending scripted turns and faults, and the clock.

The page's own files hold no data, so they are served without the API key (still behind the host guard); every
request for data needs the key as any other request does: the page asks for it (or reads `#key=...` from its
address, which browsers never send to the server) and sends it as `Authorization: Bearer`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import resources
from typing import Any

from ..api.routes import CONTROL_PREFIX
from ..core import error_catalog as catalog
from ..core.types import Json
from ..core.wire import ApiResponse
from ..layers.faults import Fault
from ..layers.journal import RecordedCall, shorten
from ..runs.script import Turn

# name -> (file in server/page/, content type)
ASSETS: dict[str, tuple[str, str]] = {
    "": ("index.html", "text/html; charset=utf-8"),
    "page.css": ("page.css", "text/css; charset=utf-8"),
    "page.js": ("page.js", "text/javascript; charset=utf-8"),
}
PAGE_HEADERS = [
    ("cache-control", "no-store"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "no-referrer"),
    # only its own files; its data comes from the same server
    ("content-security-policy", "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
]
CALLS_SHOWN = 300  # the newest journal entries the page gets


def is_page_path(method: str, path: str) -> bool:
    """A request for one of the page's own files (served without the API key: they hold no data)."""
    if method not in ("GET", "HEAD"):
        return False
    if path in (CONTROL_PREFIX, CONTROL_PREFIX + "/"):
        return True
    return path.startswith(CONTROL_PREFIX + "/page/") and path[len(CONTROL_PREFIX + "/page/"):] in ASSETS


def asset(name: str) -> ApiResponse:
    """One of the page's files (`""`: the page itself); 404 in the envelope for any other name."""
    found = ASSETS.get(name)
    if found is None:
        raise catalog.invalid_url("GET", f"{CONTROL_PREFIX}/page/{name}")
    filename, content_type = found
    data = resources.files(__package__ or "fake_assistants.server").joinpath("page", filename).read_bytes()
    return ApiResponse(200, [("content-type", content_type), *PAGE_HEADERS], data)


def text_response(text: str) -> ApiResponse:
    return ApiResponse(200, [("content-type", "text/plain; charset=utf-8"), ("cache-control", "no-store")],
                       text.encode("utf-8"))


def overview(transcript_json: str, calls: Sequence[RecordedCall], faults: Sequence[Fault],
             pending: Sequence[Turn], consumed: int, now: int, manual_clock: bool) -> Json:
    """What the page draws: the transcript (JSON form), the newest calls, pending faults and turns, the clock."""
    newest = list(enumerate(calls))[-CALLS_SHOWN:]
    return {
        "now": now,
        "manual_clock": manual_clock,
        "transcript": json.loads(transcript_json),
        "calls": {"total": len(calls), "data": [_call(index, call) for index, call in reversed(newest)]},
        "faults": [_fault(fault) for fault in faults],
        "script": {"consumed": consumed, "pending": [turn_json(turn) for turn in pending]},
    }


def _call(index: int, call: RecordedCall) -> Json:
    return {"index": index, "method": call.method, "path": call.path, "route": call.route, "status": call.status,
            "fault": call.fault, "stream": call.stream, "line": str(call)}


def _fault(fault: Fault) -> Json:
    return {"kind": fault.kind, "route": fault.route, "remaining": fault.remaining, "hits": fault.hits,
            "status": fault.status, "message": fault.message}


def turn_json(turn: Turn) -> Json:
    """A pending turn as the page and `GET /__fake__/script` show it: its action (shortened) and assistant."""
    action: Any = turn.action
    described = repr(action) if not callable(action) or hasattr(action, "__dataclass_fields__") else (
        f"respond_with({getattr(action, '__name__', type(action).__name__)})")
    return {"action": shorten(described, 300), "assistant_id": turn.assistant_id}
