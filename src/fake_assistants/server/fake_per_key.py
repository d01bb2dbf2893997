"""One server, one fake per API key (`fake-assistants serve --one-fake-per-key`).

Test files that run in parallel against one server (node's test runner, jest's workers, `go test` packages) would
otherwise share one fake: one state, one script (a file's scripted turn taken by another file's run), one fault
schedule, one clock and one progression policy, and a reset by one file wipes the others' objects. Here each API
key a client sends (`Authorization: Bearer <key>`, or Azure's `api-key: <key>`) has a fake of its own, built by
`make(key)` on its first request with the server's options (and ids of its own: an id one key's fake made is a 404
to another's), and the control API under `/__fake__/` steers the fake of the key its request sends. A request with
no key goes to a fake of its own too (the live page, curl).

Sans-IO, as `ServedFake`: `FakePerKey(make, first, allowed_hosts=...)` is the handler the ASGI app serves (`first`
answers the requests that send no key).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from ..core import error_catalog as catalog
from ..core.errors import ApiError
from ..core.wire import ApiRequest, ApiResponse
from .served_fake import Servable, ServedFake, api_key_of, check_host

MAX_KEYS = 1_000  # the keys one server holds a fake for at most (the keyless fake besides)


class FakePerKey:
    """Each API key's requests go to its own `ServedFake`, made on the key's first request."""

    def __init__(self, make: Callable[[str], Servable], first: Servable, *,
                 allowed_hosts: Iterable[str] | None = None, max_keys: int = MAX_KEYS) -> None:
        self.make = make
        self.allowed_hosts = None if allowed_hosts is None else frozenset(h.lower() for h in allowed_hosts)
        self.max_keys = max_keys
        self._served: dict[str | None, ServedFake] = {}
        self._guard = threading.Lock()
        self.keyless = ServedFake(first)  # the live page's, curl's
        self._served[None] = self.keyless

    @property
    def keys(self) -> list[str]:
        """The API keys that have a fake, in the order of their first requests."""
        return [key for key in self._served if key is not None]

    def fake_of(self, key: str | None) -> Servable:
        """The fake that answers `key`'s requests (a KeyError when the key has sent none)."""
        return self._served[key].fake

    def __call__(self, request: ApiRequest) -> ApiResponse:
        refused = self.screen(request)
        if refused is not None:
            return refused
        served = self._for(request)
        if isinstance(served, ApiError):  # the limit (reached by other keys since the screen), or a fake not made
            return self.keyless.refuse(served)
        return served(request)

    def screen(self, request: ApiRequest) -> ApiResponse | None:
        """The refusal of a request its headers alone refuse: its host or origin, or a new key past the limit."""
        denied = check_host(request, self.allowed_hosts)
        if denied is not None:
            return self.keyless.refuse(denied)
        if key_of(request) not in self._served and self._full():
            return self.keyless.refuse(catalog.too_many_keys(self.max_keys))
        return None

    def may_wait(self, request: ApiRequest) -> bool:
        served = self._for(request)
        return not isinstance(served, ApiError) and served.may_wait(request)

    def refuse(self, error: ApiError) -> ApiResponse:
        return self.keyless.refuse(error)

    def _full(self) -> bool:
        return len(self._served) - 1 >= self.max_keys  # the keyless fake is not a key's

    def _for(self, request: ApiRequest) -> ServedFake | ApiError:
        """The key's `ServedFake`, made on its first request; the error to answer past the limit, or when the fake
        could not be made."""
        key = key_of(request)
        served = self._served.get(key)
        if served is not None:
            return served
        with self._guard:  # two first requests of one key at once: one fake
            served = self._served.get(key)
            if served is not None:
                return served
            if key is None or self._full():  # screened, unless keys came in meanwhile
                return catalog.too_many_keys(self.max_keys)
            try:
                fake = self.make(key)
            except (Exception, SystemExit) as error:  # a recording gone since the server started, say: tried again
                return catalog.key_fake_not_made(str(error) or type(error).__name__)
            served = self._served[key] = ServedFake(fake)  # the host is checked here, once
        return served


def key_of(request: ApiRequest) -> str | None:
    """The API key a request sends (`Authorization: Bearer <key>`, or Azure's `api-key`), as `--api-key` reads it;
    None for neither."""
    return api_key_of(request.header("authorization"), request.header("api-key"))
