"""The SDK contract matrix: the real `openai` SDK, sync and async, over httpx and httpx2.

Every test that takes the `client` fixture of `tests/conftest.py` runs in each variant: that fixture is
parametrized over `VARIANTS`. The contract modules carry `pytestmark = pytest.mark.sdk_contract`: .ci/run runs
them again on the older SDK majors. A test is written once, as an `async def`, and reads like SDK code:

    assistant = await client.beta.assistants.create(model="gpt-4o")

`Sdk` turns every SDK call into an awaitable, so the same line drives `openai.OpenAI` (the sync
result is handed back) and `openai.AsyncOpenAI` (the coroutine is awaited). Clients are built with
`_strict_response_validation=True`, which is why the fake runs with `shape="schema"`.
"""

from __future__ import annotations

import importlib.util
import inspect
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants, ManualClock
from fake_assistants.fake import openai_major_version

Mode = Literal["sync", "async"]
Http = Literal["httpx", "httpx2"]

START = 1_700_000_000  # the fixtures' ManualClock starts here, so every created_at is known
ID_BODY = r"[A-Za-z0-9]{24}"
REQUEST_ID = re.compile(r"req_[0-9a-f]{32}")
MOST = 1_000  # more items or pages than this from one listing means the pagination never ends


def new_fake(seed: int | str = 0, **options: Any) -> FakeAssistants:
    """A fake as the matrix uses it: schema shape (strict validation) and a manual clock."""
    options.setdefault("shape", "schema")
    options.setdefault("clock", ManualClock(START))
    return FakeAssistants(seed, **options)


def httpx2_skip_reason() -> str | None:
    """Why the httpx2 variants cannot run here, or None when they can."""
    major = openai_major_version()
    if major < 3:
        return f"openai {major}.x talks to httpx only; httpx2 clients need openai>=3"
    if importlib.util.find_spec("httpx2") is None:
        return "httpx2 is not installed"
    return None


@dataclass(frozen=True, slots=True)
class Variant:
    """One cell of the matrix: sync or async client, over httpx or httpx2."""

    mode: Mode
    http: Http

    @property
    def id(self) -> str:
        return f"{self.mode}-{self.http}"

    @property
    def is_async(self) -> bool:
        return self.mode == "async"

    def build(self, fake: FakeAssistants, **openai_kwargs: Any) -> Any:
        """The raw `openai.OpenAI`/`openai.AsyncOpenAI`, strictly validating, with no retries."""
        kwargs: dict[str, Any] = {"_strict_response_validation": True, "max_retries": 0, **openai_kwargs}
        factory = fake.async_openai_client if self.is_async else fake.openai_client
        return factory(http=self.http, **kwargs)

    def param(self) -> Any:
        reason = httpx2_skip_reason() if self.http == "httpx2" else None
        marks = [pytest.mark.skip(reason=reason)] if reason else []
        return pytest.param(self, id=self.id, marks=marks)


VARIANTS = [Variant(mode, http) for mode in ("sync", "async") for http in ("httpx", "httpx2")]
VARIANT_PARAMS = [variant.param() for variant in VARIANTS]


async def settle(result: Any) -> Any:
    """Await what the async SDK returns; hand back what the sync SDK returns."""
    if inspect.isawaitable(result):
        return await result
    return result


class _Call:
    """An attribute path into an SDK client whose calls are always awaitable."""

    __slots__ = ("_target",)

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> _Call:
        return _Call(getattr(self._target, name))

    def __call__(self, *args: Any, **kwargs: Any) -> Awaitable[Any]:
        return settle(self._target(*args, **kwargs))


class Sdk:
    """A sync or async SDK client driven through one async interface.

    `await sdk.beta.threads.create()` works for both; `sdk.raw` is the SDK client itself, for
    calls whose laziness matters (auto-pagination): pass their result to `collect`.
    """

    def __init__(self, raw: Any, variant: Variant) -> None:
        self.raw = raw
        self.variant = variant

    def __getattr__(self, name: str) -> _Call:
        return _Call(getattr(self.raw, name))

    async def collect(self, items: Any, *, most: int = MOST) -> list[Any]:
        """Every item of an auto-paginating list (a sync page, or an async paginator).

        Fails once more than `most` items arrive, so a fake that never stops paging fails fast.
        """
        found: list[Any] = []
        if hasattr(items, "__aiter__"):
            async for item in items:
                _append_at_most(found, item, most)
        else:
            for item in items:
                _append_at_most(found, item, most)
        return found

    async def pages(self, first: Any, *, most: int = MOST) -> list[Any]:
        """Every page, by following `has_next_page`/`get_next_page` from the first one (at most `most`)."""
        page = await settle(first)
        found = [page]
        while page.has_next_page():
            page = await settle(page.get_next_page())
            _append_at_most(found, page, most)
        return found

    async def close(self) -> None:
        await settle(self.raw.close())


@asynccontextmanager
async def open_sdk(fake: FakeAssistants, variant: Variant, **openai_kwargs: Any) -> AsyncIterator[Sdk]:
    """An `Sdk` on `fake`, closed on exit: `async with open_sdk(other_fake, client.variant) as other:`."""
    sdk = Sdk(variant.build(fake, **openai_kwargs), variant)
    try:
        yield sdk
    finally:
        await sdk.close()


class Journal:
    """Every request that reached a fake, with its response, in order.

    Installed by wrapping `FakeAssistants.handle`, the one entry point every transport calls; it must be
    installed before a client is built from the fake.
    """

    def __init__(self, fake: FakeAssistants) -> None:
        self.calls: list[tuple[ApiRequest, ApiResponse]] = []
        inner: Callable[[ApiRequest], ApiResponse] = fake.handle

        def handle(request: ApiRequest) -> ApiResponse:
            response = inner(request)
            self.calls.append((request, response))
            return response

        fake.handle = handle  # type: ignore[method-assign]

    def requests(self, method: str | None = None, path: str | None = None) -> list[ApiRequest]:
        return [
            request
            for request, _ in self.calls
            if (method is None or request.method == method) and (path is None or request.path == path)
        ]


def _append_at_most(found: list[Any], item: Any, most: int) -> None:
    found.append(item)
    if len(found) > most:
        raise AssertionError(f"pagination did not stop after {most} items")


def ids(objects: Iterable[Any]) -> list[str]:
    return [item.id for item in objects]
