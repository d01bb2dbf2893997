"""One fake as a server exposes it: the host guard, the API-key check, the control API under `/__fake__/`, the
Assistants API.

Sans-IO: `ServedFake(fake, api_key=..., allowed_hosts=...)` is the `ApiRequest -> ApiResponse` handler the ASGI
app serves. Its `screen` runs on a request's headers before the body is read.

The host guard (on when the server listens on loopback): a web page open in the developer's browser must not
drive the fake. A cross-site page sends its `Origin`; a DNS-rebinding page sends its own name as `Host`. Both
must be loopback names or addresses (`localhost`, `*.localhost`, `127.0.0.0/8`, `::1`) or hosts allowed by
name (`--allow-host`); anything else is a 403 in the envelope. curl and the SDKs send a loopback `Host` and no
`Origin`, so they pass.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import urlsplit

from ..core import error_catalog as catalog
from ..core.envelope import error_response
from ..core.errors import ApiError
from ..core.wire import ApiRequest, ApiResponse
from ..layers.headers import date_header
from .control_api import ControlApi, Steerable, is_control_path
from .live_page import is_page_path


class Servable(Steerable, Protocol):
    """A fake a server can expose: steerable by the control API, and answering the Assistants API."""

    def handle(self, request: ApiRequest) -> ApiResponse: ...


class ServedFake:
    """Checks the request's `Host` and `Origin` when `allowed_hosts` is given (None: any host), then
    `Authorization: Bearer <api_key>` or Azure's `api-key: <api_key>` when a key is set (on every path), then
    routes the request."""

    def __init__(self, fake: Servable, *, api_key: str | None = None,
                 allowed_hosts: Iterable[str] | None = None) -> None:
        self.fake = fake
        self.control = ControlApi(fake)
        self.api_key = api_key
        self.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)

    def __call__(self, request: ApiRequest) -> ApiResponse:
        refused = self.screen(request)
        if refused is not None:
            return refused
        if is_control_path(request.path):
            return self.dated(self.control.handle(request))
        return self.fake.handle(request)

    def may_wait(self, request: ApiRequest) -> bool:
        """Whether answering `request` may wait on a run's model (a responder): while the script holds one (or a
        fallback model) or a model is answering, a request under /threads (its active run moves as it is read, or
        as its stream is read), the control API's advance of a run, or its read of the state (a dump waits for
        models answering). The server answers these on worker threads, so that a model's answer holds back only
        the requests waiting for it."""
        path = request.path
        on_a_run = "/threads" in path or (path.endswith(("/advance", "/state")) and is_control_path(path))
        return on_a_run and (self.fake.script.may_respond() or self.fake.ctx.engine.models_answering > 0)

    def screen(self, request: ApiRequest) -> ApiResponse | None:
        """The refusal of a request its headers alone refuse (host, origin, API key), or None."""
        denied = check_host(request, self.allowed_hosts)
        if denied is None and not is_page_path(request.method, request.path):  # the live page's files hold no data
            denied = check_api_key(request.header("authorization"), self.api_key, request.header("api-key"))
        return None if denied is None else self.refuse(denied)

    def refuse(self, error: ApiError) -> ApiResponse:
        with self.fake.app.lock:
            request_id = self.fake.ctx.ids.request_id()
        return self.dated(error_response(error, [("x-request-id", request_id)]))

    def dated(self, response: ApiResponse) -> ApiResponse:
        """`response` with the `date` of the fake's clock, as its API answers carry (the server adds none)."""
        response.headers += date_header(self.fake.clock.now())
        return response


def check_api_key(authorization: str | None, expected: str | None, azure_key: str | None = None) -> ApiError | None:
    """None when the request may pass: no key is required, or it sent `Authorization: Bearer <expected>` or
    (as Azure clients do) `api-key: <expected>`."""
    if expected is None:
        return None
    given = api_key_of(authorization, azure_key)
    if given is None:
        return catalog.missing_api_key()
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return catalog.incorrect_api_key(given)
    return None


def api_key_of(authorization: str | None, azure_key: str | None = None) -> str | None:
    """The API key a request sends: Azure's `api-key` when it sends no `Authorization`, else the key of
    `Authorization: Bearer <key>`; None for neither."""
    if azure_key is not None and azure_key.strip() and not (authorization or "").strip():
        return azure_key.strip()
    scheme, _, given = (authorization or "").strip().partition(" ")
    given = given.strip()
    return given if scheme.lower() == "bearer" and given else None


def check_host(request: ApiRequest, allowed: frozenset[str] | None) -> ApiError | None:
    """None when `Host` and `Origin` (when sent) name loopback or allowed hosts, or `allowed` is None."""
    if allowed is None:
        return None
    host = request.header("host")
    if host is not None and not is_allowed_host(_host_of(host), allowed):
        return catalog.host_not_allowed("Host", host)
    origin = request.header("origin")
    if origin is not None:
        try:
            name = urlsplit(origin.strip()).hostname
        except ValueError:
            name = None
        if name is None or not is_allowed_host(name, allowed):
            return catalog.host_not_allowed("Origin", origin)
    return None


def is_allowed_host(name: str, allowed: frozenset[str]) -> bool:
    """A loopback name or address, or one of `allowed` (names, lower case)."""
    name = name.strip().lower().rstrip(".")
    if name in allowed or name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_of(header: str) -> str:
    """The name in a `Host` header (`127.0.0.1:4010`, `[::1]:4010`, `localhost`), without its port."""
    value = header.strip()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value
