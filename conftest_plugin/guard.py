"""The real-API guard: while it is on, an OpenAI SDK request that the fake does not answer fails the test.

Requests the fake answers never reach a network transport: the fixtures' clients and intercepted clients send
them to the fake's own transport. So the guard wraps the network transports of httpx and httpx2
(`HTTPTransport.handle_request`, `AsyncHTTPTransport.handle_async_request`, the ones every client uses unless
given another): a request that carries the OpenAI SDK's `X-Stainless-Lang` header and would leave for a host other
than this machine raises `RealApiRequest` before any connection is opened. That catches clients built at import
time (a module-level `OpenAI()`), copies made with `with_options`, and clients in other threads alike.

`RealApiRequest` is pytest's `Failed` (a `BaseException`), so neither the SDK's retry loop nor an application's
`except Exception` swallows it; the guard also keeps what it stopped, and the plugin fails a test that still
passed. httpx and httpx2 are imported only if installed; nothing else is touched.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

from fake_assistants.api.routes import for_another_api

SDK_HEADER = "x-stainless-lang"  # openai-python sends X-Stainless-* headers with every request
LIBRARIES = ("httpx", "httpx2")
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
BLOCK_INI = "fake_assistants_block_real_api"
ALLOW_OPTION = "--fake-assistants-allow-real-api"


class RealApiRequest(pytest.fail.Exception):  # type: ignore[misc,name-defined]
    """An OpenAI SDK request that the fake did not answer, stopped before it reached the network."""


def describe(request: Any) -> str:
    return f"{request.method} {request.url}"


BLOCKED_START = "fake-assistants: this test sent a request to the real OpenAI API, which the fake did not answer"


OTHER_API_HINT = (
    "A request above is for another OpenAI API, which the fake does not serve (it would answer 404): give that\n"
    "client a mock of it, `fake_assistants.openai_client(other_apis=transport)`, or build the application's client on\n"
    "a mock transport under `fake_assistants.intercept(other_apis=\"client\")` (docs/guides/other-apis.md).\n"
)


def blocked_message(requests: list[str]) -> str:
    listed = "\n".join(f"  {request}" for request in requests)
    other = OTHER_API_HINT if any(for_another_api(urlsplit(request.partition(" ")[2]).path)
                                  for request in requests) else ""
    return (
        f"{BLOCKED_START}:\n"
        f"{listed}\n"
        "It was stopped before it reached the network. The client that sent it is not wired to the fake; often it\n"
        "is an `openai.OpenAI()` built before the test started (at import time, at module level).\n"
        "Fix: give the code under test a client that talks to the fake:\n"
        "  - use the `openai_client` / `async_openai_client` fixtures, e.g.\n"
        "    `monkeypatch.setattr(your_module, \"client\", openai_client)` (and in each module that did\n"
        "    `from your_module import client`: it holds a copy of its own), or\n"
        "  - build the client during the test (lazily, not at import time) under\n"
        "    `@pytest.mark.fake_assistants(intercept=True)` or `with fake_assistants.intercept():`.\n"
        f"{other}"
        "To let such requests through on purpose: @pytest.mark.fake_assistants(block_real_api=False), "
        f"{ALLOW_OPTION}, or the ini option {BLOCK_INI} = false."
    )


def is_sdk_request(request: Any) -> bool:
    return SDK_HEADER in request.headers


def leaves_the_machine(request: Any) -> bool:
    """Loopback addresses are never the real API: a served fake (`fake.serve()`) answers there."""
    return str(request.url.host).lower() not in LOOPBACK_HOSTS


@dataclass
class Guard:
    """The wrapping of the network transports, installed for one test at a time."""

    blocked: list[str] = field(default_factory=list)
    originals: list[tuple[type[Any], str, Callable[..., Any]]] = field(default_factory=list)

    @property
    def installed(self) -> bool:
        return bool(self.originals)

    def check(self, request: Any) -> None:
        if is_sdk_request(request) and leaves_the_machine(request):
            self.blocked.append(describe(request))
            raise RealApiRequest(blocked_message([describe(request)]), pytrace=False)

    def install(self) -> None:
        if self.installed:
            return
        self.blocked.clear()
        for name in LIBRARIES:
            try:
                library = importlib.import_module(name)
            except ImportError:
                continue
            self._wrap(library.HTTPTransport, "handle_request", asynchronous=False)
            self._wrap(library.AsyncHTTPTransport, "handle_async_request", asynchronous=True)

    def uninstall(self) -> None:
        for cls, method, original in reversed(self.originals):
            setattr(cls, method, original)
        self.originals.clear()

    def _wrap(self, cls: type[Any], method: str, *, asynchronous: bool) -> None:
        original: Callable[..., Any] = cls.__dict__[method]
        check = self.check
        if asynchronous:

            @functools.wraps(original)
            async def guarded_async(transport: Any, request: Any) -> Any:
                check(request)
                return await original(transport, request)

            setattr(cls, method, guarded_async)
        else:

            @functools.wraps(original)
            def guarded(transport: Any, request: Any) -> Any:
                check(request)
                return original(transport, request)

            setattr(cls, method, guarded)
        self.originals.append((cls, method, original))


GUARD = Guard()
