"""The facade: one isolated fake with its own clock, ids, state and transports."""

from __future__ import annotations

import importlib
from typing import Any, Literal

from .app import App
from .clock import Clock, SystemClock
from .context import Context, Options
from .ids import IdFactory
from .resources import Shape
from .store import Store
from .wire import ApiRequest, ApiResponse

DEFAULT_BASE_URL = "https://api.openai.com/v1"
HttpLibrary = Literal["httpx", "httpx2"]


class FakeAssistants:
    """An in-memory Assistants API. Same seed, same ids; time comes from `clock` (the system clock by default).

    `shape="recorded"` answers key for key as the real service did; `shape="schema"` also fills in
    the fields the OpenAPI schema requires that the service left out (for the SDK's strict validation).
    """

    def __init__(
        self,
        seed: int | str = 0,
        *,
        clock: Clock | None = None,
        shape: Shape = "recorded",
        poll_after_ms: int = 0,
    ) -> None:
        self.seed = seed
        self.clock: Clock = clock or SystemClock()
        self.options = Options(shape=shape, poll_after_ms=poll_after_ms)
        self.store = Store()
        self.ctx = Context(self.store, self.clock, IdFactory(seed), self.options)
        self.app = App(self.ctx)

    def handle(self, request: ApiRequest) -> ApiResponse:
        """The sans-IO entry point: every transport calls this."""
        return self.app.handle(request)

    # -- transports -------------------------------------------------------------------------------

    def httpx_transport(self) -> Any:
        """An `httpx` transport serving both `httpx.Client` and `httpx.AsyncClient`."""
        from .transports.httpx_transport import HttpxTransport

        return HttpxTransport(self.handle)

    def httpx2_transport(self) -> Any:
        """An `httpx2` transport serving both `httpx2.Client` and `httpx2.AsyncClient`."""
        from .transports.httpx2_transport import Httpx2Transport

        return Httpx2Transport(self.handle)

    # -- SDK clients ------------------------------------------------------------------------------

    def openai_client(self, *, http: HttpLibrary | None = None, **kwargs: Any) -> Any:
        """`openai.OpenAI` wired to this fake: httpx2 on openai 3.x, httpx on 1.x/2.x."""
        openai = importlib.import_module("openai")
        library = http or default_http_library()
        client = self._http_client(library, asynchronous=False)
        return openai.OpenAI(**_client_kwargs(kwargs), http_client=client)

    def async_openai_client(self, *, http: HttpLibrary | None = None, **kwargs: Any) -> Any:
        """`openai.AsyncOpenAI` wired to this fake, like `openai_client`."""
        openai = importlib.import_module("openai")
        library = http or default_http_library()
        client = self._http_client(library, asynchronous=True)
        return openai.AsyncOpenAI(**_client_kwargs(kwargs), http_client=client)

    def _http_client(self, library: HttpLibrary, *, asynchronous: bool) -> Any:
        module = importlib.import_module(library)
        transport = self.httpx2_transport() if library == "httpx2" else self.httpx_transport()
        client_class = module.AsyncClient if asynchronous else module.Client
        return client_class(transport=transport, base_url=DEFAULT_BASE_URL)


def openai_major_version() -> int:
    openai = importlib.import_module("openai")
    return int(str(openai.__version__).split(".")[0])


def default_http_library() -> HttpLibrary:
    return "httpx2" if openai_major_version() >= 3 else "httpx"


def _client_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"api_key": "sk-fake-assistants", "base_url": DEFAULT_BASE_URL, **kwargs}
