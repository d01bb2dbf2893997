"""`fake.intercept()`: every `openai` client constructed inside the block talks to the fake.

While at least one interception is active anywhere in the process, the SDK's two base-client constructors
(`openai._base_client.SyncAPIClient.__init__` and `AsyncAPIClient.__init__`, the ancestors of `OpenAI`,
`AsyncOpenAI`, `AzureOpenAI` and `AsyncAzureOpenAI` in openai 1.x, 2.x and 3.x) are wrapped: one patch,
reference-counted, removed when the last interception ends. A client constructed while an interception is
active gets its HTTP client's transports wrapped in a `HostRouter`: requests to the client's own origin (the
scheme, host and port of its `base_url`) go to the fake; a request to any other host goes to the transport it
had. Other HTTP clients are never touched. Works for `httpx` (openai 1.x/2.x) and `httpx2` (openai 3.x) clients.

Which fake: the innermost interception entered in the current context (a `contextvars` stack, so nested blocks,
asyncio tasks and threads each see their own); a context that entered none (a plain thread started inside the
block) gets the most recently entered interception that is still active. A client keeps the fake it was
constructed with after the block ends; clients constructed outside any block are untouched, and so is a client
built on a fake's own transport (`other_fake.openai_client()` inside the block talks to `other_fake`).

The SDK module is handed in by the facade (`fake.py`), so this module imports neither `openai` nor an HTTP library.
"""

from __future__ import annotations

import functools
import inspect
import os
import threading
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import ModuleType, TracebackType
from typing import Any, Generic, Literal, Protocol, TypeVar

from ..api.routes import API_PREFIX, api_route_path, for_another_api


class Routed(Protocol):
    """What an intercepted client is routed to: a fake that hands out transports (`FakeAssistants` is one)."""

    def httpx_transport(self) -> Any: ...

    def httpx2_transport(self) -> Any: ...


F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T", bound=Routed)
SdkLoader = Callable[[], ModuleType]
OtherApis = Literal["fake", "client"]  # where an intercepted client's requests for the APIs the fake lacks go

API_KEY_VARIABLE = "OPENAI_API_KEY"
PLACEHOLDER_API_KEY = "sk-fake-assistants"
BASE_CLASSES = ("SyncAPIClient", "AsyncAPIClient")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(eq=False, slots=True)
class _Entry:
    """One entering of an interception: which fake, and whether it is still active."""

    owner: Interception[Any]
    fake: Routed
    active: bool = True


_STACK: ContextVar[tuple[_Entry, ...]] = ContextVar("fake_assistants_intercept", default=())


@dataclass(slots=True)
class _Patch:
    """The one process-wide patch of the SDK's base clients, applied while any interception is active."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    active: list[_Entry] = field(default_factory=list)
    originals: dict[type[Any], Callable[..., None]] = field(default_factory=dict)
    added_api_key: bool = False

    def activate(self, entry: _Entry, sdk: ModuleType) -> None:
        with self.lock:
            if not self.active:
                self._install(sdk)
            self.active.append(entry)

    def deactivate(self, entry: _Entry) -> None:
        with self.lock:
            entry.active = False
            if entry in self.active:
                self.active.remove(entry)
            if not self.active:
                self._uninstall()

    def _install(self, sdk: ModuleType) -> None:
        for name in BASE_CLASSES:
            cls = getattr(sdk, name)
            original = cls.__init__
            self.originals[cls] = original
            cls.__init__ = _routing_init(original)
        if not os.environ.get(API_KEY_VARIABLE):  # `OpenAI()` with no key would refuse to start
            os.environ[API_KEY_VARIABLE] = PLACEHOLDER_API_KEY
            self.added_api_key = True

    def _uninstall(self) -> None:
        for cls, original in self.originals.items():
            cls.__init__ = original
        self.originals.clear()
        if self.added_api_key and os.environ.get(API_KEY_VARIABLE) == PLACEHOLDER_API_KEY:
            del os.environ[API_KEY_VARIABLE]
        self.added_api_key = False

    def latest(self) -> _Entry | None:
        with self.lock:
            return self.active[-1] if self.active else None


_PATCH = _Patch()


def current_fake() -> Routed | None:
    """The fake a client constructed here and now would talk to, or None outside every interception."""
    entry = _current_entry()
    return None if entry is None else entry.fake


def _current_entry() -> _Entry | None:
    for entry in reversed(_STACK.get()):
        if entry.active:
            return entry
    return _PATCH.latest()


def is_patched() -> bool:
    """Whether the SDK's base clients are wrapped right now (some interception is active)."""
    return _PATCH.latest() is not None


class Interception(Generic[T]):
    """A context manager (sync or async) and decorator (sync or async functions); re-entrant and reusable."""

    def __init__(self, fake: T, load_sdk: SdkLoader, *, other_apis: OtherApis = "fake") -> None:
        if other_apis not in ("fake", "client"):
            raise ValueError(f"fake.intercept(other_apis=...) is 'fake' (the requests for the OpenAI APIs the fake "
                             f"does not serve get its 404) or 'client' (they go through the client's own transport), "
                             f"not {other_apis!r}")
        self.fake = fake
        self.other_apis = other_apis
        self._load_sdk = load_sdk
        self._entries: list[_Entry] = []

    def __enter__(self) -> T:
        entry = _Entry(self, self.fake)
        _PATCH.activate(entry, self._load_sdk())
        self._entries.append(entry)
        _STACK.set((*_STACK.get(), entry))
        return self.fake

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        entry = self._own_entry()
        self._entries.remove(entry)
        _STACK.set(tuple(e for e in _STACK.get() if e is not entry))
        _PATCH.deactivate(entry)

    async def __aenter__(self) -> T:
        return self.__enter__()

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        self.__exit__(kind, error, traceback)

    def _own_entry(self) -> _Entry:
        """The entry this exit closes: this context's innermost one of ours (any of ours, left in another)."""
        for entry in reversed(_STACK.get()):
            if entry.owner is self and entry.active:
                return entry
        if not self._entries:
            raise RuntimeError("fake.intercept() was exited more often than it was entered")
        return self._entries[-1]

    def __call__(self, function: F) -> F:
        """Use as a decorator: the whole call (awaited, for a coroutine function) runs intercepted."""
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                with self:
                    return await function(*args, **kwargs)

            return run_async  # type: ignore[return-value]

        @functools.wraps(function)
        def run(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return run  # type: ignore[return-value]


# openai releases of 2024 (1.20.0 among them) build their default HTTP client with `proxies=`, which httpx 0.28
# removed: the SDK's own constructor fails, in the application's code, whether the fake intercepts it or not
PROXIES_NOTE = ("fake-assistants: this openai builds its default HTTP client with httpx's `proxies=`, which httpx "
                "0.28 removed (the client fails so without the fake too): pip install 'httpx<0.28', or a newer openai")


def _routing_init(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def __init__(client: Any, *args: Any, **kwargs: Any) -> None:
        try:
            original(client, *args, **kwargs)
        except TypeError as error:  # raised by the SDK's own constructor, with or without the fake
            if "proxies" in str(error):
                error.add_note(PROXIES_NOTE)
            raise
        entry = _current_entry()
        if entry is not None:
            route_to_fake(client, entry.fake, other_apis=entry.owner.other_apis)

    return __init__


def route_to_fake(client: Any, fake: Routed, *, other_apis: OtherApis = "fake") -> None:
    """Send the requests an SDK client makes to its own origin to `fake`; leave every other host alone (and with
    `other_apis="client"`, the requests for the OpenAI APIs the fake does not serve)."""
    http = client._client
    if isinstance(http._transport, HostRouter):  # a copy (`with_options`) sharing an intercepted client
        return
    if getattr(http._transport, "serves_a_fake", False):  # another fake's own client (`other.openai_client()`)
        return
    library = _http_library(http)
    to_fake = fake.httpx2_transport() if library == "httpx2" else fake.httpx_transport()
    base = client.base_url
    router = functools.partial(HostRouter, to_fake=to_fake, origin=origin_of(base), base_path=base.path,
                               pass_other_apis=other_apis == "client")
    http._transport = router(http._transport)
    http._mounts = {pattern: None if mounted is None else router(mounted) for pattern, mounted in http._mounts.items()}


def _http_library(http: Any) -> str:
    """`httpx` or `httpx2`: the library the SDK's HTTP client (or its base class) comes from."""
    for cls in type(http).__mro__:
        root = cls.__module__.partition(".")[0]
        if root in ("httpx", "httpx2"):
            return root
    raise TypeError(f"fake.intercept() cannot route a {type(http).__qualname__}: not an httpx or httpx2 client")


def origin_of(url: Any) -> tuple[str, str, int | None]:
    """(scheme, host, port) of an httpx/httpx2 URL, the port filled in for http and https."""
    scheme = str(url.scheme)
    return scheme, str(url.host), url.port or DEFAULT_PORTS.get(scheme)


class HostRouter:
    """A transport: requests to `origin` go to the fake, the rest to the transport the client had.

    A client whose base URL has a path the fake does not serve (`https://gateway/openai-proxy`) has it
    replaced by `/v1` on the way to the fake. With `pass_other_apis`, the requests for the OpenAI APIs the fake does
    not serve (`/v1/responses`, ...) go to the transport the client had, as they were sent.
    """

    def __init__(self, original: Any, *, to_fake: Any, origin: tuple[str, str, int | None], base_path: str,
                 pass_other_apis: bool = False) -> None:
        self.original = original
        self.to_fake = to_fake
        self.origin = origin
        self.base_path = base_path.rstrip("/")
        self.pass_other_apis = pass_other_apis

    def _target(self, request: Any) -> Any:
        if origin_of(request.url) != self.origin:
            return self.original
        path = api_path = request.url.path
        if api_route_path(path) is None and path.startswith(self.base_path + "/"):
            api_path = API_PREFIX + path[len(self.base_path):]
        if self.pass_other_apis and for_another_api(api_path):
            return self.original
        if api_path != path:
            request.url = request.url.copy_with(path=api_path)
        return self.to_fake

    def handle_request(self, request: Any) -> Any:
        return self._target(request).handle_request(request)

    async def handle_async_request(self, request: Any) -> Any:
        return await self._target(request).handle_async_request(request)

    def close(self) -> None:
        self.original.close()

    async def aclose(self) -> None:
        await self.original.aclose()

    def __enter__(self) -> HostRouter:
        self.original.__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.original.__exit__(*exc_info)

    async def __aenter__(self) -> HostRouter:
        await self.original.__aenter__()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.original.__aexit__(*exc_info)
