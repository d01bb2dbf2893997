"""`fake.intercept()`: clients an application builds itself talk to the fake; nothing else is touched.

A contract module, so `.ci/run` also runs it against openai 2.x and 1.x (httpx) as well as 3.x (httpx2).
Traffic "to another host" goes to a real `http.server` on 127.0.0.1 started here: no external network.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import openai
import pytest

import app_under_test as app
from fake_assistants import FakeAssistants
from fake_assistants.transports.intercept import PROXIES_NOTE, HostRouter, current_fake, is_patched
from sdk_matrix import Journal, httpx2_skip_reason

pytestmark = pytest.mark.sdk_contract  # .ci/run runs this module on the older SDK majors too

QUESTION = "What's the weather in Paris?"
ANSWER = "It is 22C and sunny in Paris."
NOT_INTERCEPTED = {"served_by": "local http.server"}


class LocalHandler(BaseHTTPRequestHandler):
    """Answers every request with `NOT_INTERCEPTED`: proof a request reached the real network stack."""

    def _answer(self) -> None:
        body = json.dumps({**NOT_INTERCEPTED, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    """The base URL of an HTTP server on 127.0.0.1, for the duration of the test."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), LocalHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def fake() -> FakeAssistants:
    """A fake whose first run calls get_weather and whose second turn answers."""
    fake = FakeAssistants(seed=0)
    fake.script.call_function("get_weather", {"city": "Paris"}).reply(ANSWER)
    return fake


@pytest.fixture(autouse=True)
def nothing_left_patched() -> Iterator[None]:
    original = openai._base_client.SyncAPIClient.__init__, openai._base_client.AsyncAPIClient.__init__
    yield
    assert not is_patched()
    assert (openai._base_client.SyncAPIClient.__init__, openai._base_client.AsyncAPIClient.__init__) == original


def tool_output(fake: FakeAssistants) -> str:
    (run,) = [run for table in fake.store.runs.values() for run in table.values()]
    (tool_step, _) = fake.store.steps[run.id].values()
    return str(tool_step.step_details["tool_calls"][0]["function"]["output"])


# -- the whole flow of an application that builds its own client ------------------------------------------


def test_app_runs_its_whole_assistants_flow_against_the_fake(fake: FakeAssistants,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)  # `OpenAI()` needs none under intercept

    with fake.intercept():
        answer = app.answer(QUESTION)

    assert answer == ANSWER
    assert tool_output(fake) == "22C and sunny in Paris"
    (assistant,) = fake.store.assistants.values()
    assert (assistant.name, assistant.tools[0]["function"]["name"]) == ("Weather bot", "get_weather")
    assert "OPENAI_API_KEY" not in os.environ


async def test_async_app_runs_its_whole_flow_against_the_fake(fake: FakeAssistants) -> None:
    async with fake.intercept():
        answer = await app.answer_async(QUESTION)

    assert answer == ANSWER
    assert tool_output(fake) == "22C and sunny in Paris"


@pytest.mark.parametrize("make_client", [app.azure_client, app.async_azure_client], ids=["sync", "async"])
async def test_azure_clients_built_by_the_app_reach_the_fake(fake: FakeAssistants, make_client: Any) -> None:
    journal = Journal(fake)

    with fake.intercept():
        if make_client is app.async_azure_client:
            answer = await app.answer_async(QUESTION, make_client)
        else:
            answer = app.answer(QUESTION, make_client)

    assert answer == ANSWER
    assert journal.calls
    for request, response in journal.calls:
        assert request.path.startswith("/openai/"), request.path
        assert dict(request.query)["api-version"] == "2024-05-01-preview"
        assert request.header("api-key") == "azure-key"
        assert response.status == 200


def test_app_with_its_own_httpx_client_is_intercepted_too(fake: FakeAssistants) -> None:
    with fake.intercept():
        answer = app.answer(QUESTION, lambda: openai.OpenAI(api_key="sk-app", http_client=httpx.Client()))

    assert answer == ANSWER


def test_app_with_a_custom_base_url_reaches_the_fake(fake: FakeAssistants) -> None:
    journal = Journal(fake)

    with fake.intercept():
        answer = app.answer(QUESTION, lambda: openai.OpenAI(base_url="https://gateway.internal/openai-proxy/v1beta"))

    assert answer == ANSWER
    assert {request.path for request, _ in journal.calls} >= {"/v1/assistants", "/v1/threads"}


# -- other hosts are untouched ----------------------------------------------------------------------------


def test_unrelated_httpx_request_in_the_block_goes_to_the_real_host(fake: FakeAssistants, local_server: str) -> None:
    journal = Journal(fake)

    with fake.intercept():
        client = openai.OpenAI()
        assert client.beta.threads.create().object == "thread"
        plain = httpx.get(f"{local_server}/plain")
        with httpx.Client() as other:
            other_client = other.get(f"{local_server}/client")
        # the SDK client's own HTTP client also sends hosts other than its base URL's to the network
        through_sdk = client._client.get(f"{local_server}/through-the-sdk-client")
        client.close()

    assert plain.json() == {**NOT_INTERCEPTED, "path": "/plain"}
    assert other_client.json() == {**NOT_INTERCEPTED, "path": "/client"}
    assert through_sdk.json() == {**NOT_INTERCEPTED, "path": "/through-the-sdk-client"}
    assert [request.path for request, _ in journal.calls] == ["/v1/threads"]


@pytest.mark.skipif(importlib.util.find_spec("httpx2") is None, reason="httpx2 is not installed")
def test_unrelated_httpx2_request_in_the_block_goes_to_the_real_host(fake: FakeAssistants, local_server: str) -> None:
    import httpx2

    with fake.intercept():
        response = httpx2.get(f"{local_server}/httpx2")

    assert response.json() == {**NOT_INTERCEPTED, "path": "/httpx2"}


async def test_unrelated_async_request_in_the_block_goes_to_the_real_host(fake: FakeAssistants,
                                                                          local_server: str) -> None:
    async with fake.intercept():
        client = openai.AsyncOpenAI()
        thread = await client.beta.threads.create()
        response = await client._client.get(f"{local_server}/async")
        await client.close()

    assert thread.id in fake.store.threads
    assert response.json() == {**NOT_INTERCEPTED, "path": "/async"}


def test_clients_built_outside_the_block_are_untouched(fake: FakeAssistants, local_server: str) -> None:
    before = openai.OpenAI(api_key="sk-real", base_url=f"{local_server}/v1", max_retries=0)

    with fake.intercept():
        inside = openai.OpenAI(api_key="sk-real", base_url=f"{local_server}/v1", max_retries=0)
        from_before = before.models.with_raw_response.list().http_response.json()
    after = openai.OpenAI(api_key="sk-real", base_url=f"{local_server}/v1", max_retries=0)

    assert from_before == {**NOT_INTERCEPTED, "path": "/v1/models"}
    assert after.models.with_raw_response.list().http_response.json() == {**NOT_INTERCEPTED, "path": "/v1/models"}
    assert not isinstance(after._client._transport, HostRouter)
    assert inside.beta.threads.create().id in fake.store.threads  # built inside: stays on the fake
    for client in (before, inside, after):
        client.close()



@pytest.mark.parametrize("http", [
    "httpx",
    pytest.param("httpx2", marks=[pytest.mark.skip(reason=reason)] if (reason := httpx2_skip_reason()) else []),
])
async def test_another_fakes_own_clients_are_untouched(fake: FakeAssistants, http: Any) -> None:
    """A client a fake built for itself is that fake's, inside another fake's block too."""
    other = FakeAssistants(seed="other")

    with fake.intercept():
        client = other.openai_client(http=http)
        async_client = other.async_openai_client(http=http)
        thread = client.beta.threads.create()
        async_thread = await async_client.beta.threads.create()

    assert thread.id in other.store.threads and async_thread.id in other.store.threads
    assert len(fake.store.threads) == 0
    client.close()
    await async_client.close()

# -- entering and leaving -----------------------------------------------------------------------------------


def test_leaving_the_block_restores_everything(fake: FakeAssistants, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    original = openai._base_client.SyncAPIClient.__init__

    with fake.intercept():
        assert is_patched()
        assert openai._base_client.SyncAPIClient.__init__ is not original
        assert os.environ["OPENAI_API_KEY"]

    assert openai._base_client.SyncAPIClient.__init__ is original
    assert "OPENAI_API_KEY" not in os.environ
    assert current_fake() is None
    with pytest.raises(openai.OpenAIError, match="api_key"):
        openai.OpenAI()


def test_an_api_key_already_set_is_kept(fake: FakeAssistants, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-mine")

    with fake.intercept():
        assert os.environ["OPENAI_API_KEY"] == "sk-mine"

    assert os.environ["OPENAI_API_KEY"] == "sk-mine"


def test_an_error_in_the_block_still_restores(fake: FakeAssistants) -> None:
    with pytest.raises(RuntimeError, match="app failed"), fake.intercept():
        raise RuntimeError("app failed")

    assert not is_patched()


def test_nested_blocks_use_the_innermost_fake() -> None:
    outer, inner = FakeAssistants(seed="outer"), FakeAssistants(seed="inner")

    with outer.intercept():
        first = openai.OpenAI()
        with inner.intercept():
            second = openai.OpenAI()
            with outer.intercept():
                third = openai.OpenAI()
        fourth = openai.OpenAI()
    assert not is_patched()

    for client, expected in ((first, outer), (second, inner), (third, outer), (fourth, outer)):
        thread = client.beta.threads.create()
        assert thread.id in expected.store.threads
        client.close()
    assert len(outer.store.threads) == 3
    assert len(inner.store.threads) == 1


def test_one_interception_entered_twice() -> None:
    fake = FakeAssistants()
    interception = fake.intercept()

    with interception, interception:
        client = openai.OpenAI()
    assert not is_patched()

    assert client.beta.threads.create().id in fake.store.threads
    client.close()


def test_as_a_decorator(fake: FakeAssistants) -> None:
    @fake.intercept()
    def run_app() -> str:
        assert is_patched()
        return app.answer(QUESTION)

    assert not is_patched()
    assert run_app() == ANSWER
    assert not is_patched()


async def test_as_a_decorator_of_a_coroutine_function(fake: FakeAssistants) -> None:
    @fake.intercept()
    async def run_app() -> str:
        await asyncio.sleep(0)
        return await app.answer_async(QUESTION)

    assert await run_app() == ANSWER


# -- concurrency ----------------------------------------------------------------------------------------------


async def test_concurrent_tasks_each_get_their_own_fake() -> None:
    fakes = [FakeAssistants(seed=n) for n in range(4)]
    inside = asyncio.Barrier(len(fakes))

    async def task(fake: FakeAssistants) -> str:
        with fake.intercept():
            await inside.wait()  # every task is inside its own block before any client is built
            client = openai.AsyncOpenAI()
            await inside.wait()
            thread = await client.beta.threads.create()
            await client.close()
        return str(thread.id)

    thread_ids = await asyncio.gather(*(task(fake) for fake in fakes))

    assert [[t.id for t in fake.store.threads.values()] for fake in fakes] == [[t] for t in thread_ids]
    assert not is_patched()


def test_concurrent_threads_each_get_their_own_fake() -> None:
    fakes = [FakeAssistants(seed=n) for n in range(4)]
    inside = threading.Barrier(len(fakes), timeout=30)
    answers: dict[int, str] = {}

    def worker(n: int) -> None:
        fakes[n].script.reply(f"answer from fake {n}")
        with fakes[n].intercept():
            inside.wait()
            answers[n] = app.answer(f"question {n}")
            inside.wait()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(fakes))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == {n: f"answer from fake {n}" for n in range(len(fakes))}
    assert not is_patched()


def test_a_thread_started_in_the_block_uses_the_active_fake(fake: FakeAssistants) -> None:
    """A plain thread does not inherit the context: it gets the most recently entered interception."""
    results: list[str] = []

    with fake.intercept():
        worker = threading.Thread(target=lambda: results.append(app.answer(QUESTION)))
        worker.start()
        worker.join()

    assert results == [ANSWER]


def test_an_sdk_that_passes_proxies_to_a_newer_httpx_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    """openai 1.20.0 beside httpx 0.28: the SDK's own constructor fails, inside the interception; the error says
    why and what to pin, where it read as the fake's own failure."""
    def old_sdk_init(client: Any, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Client.__init__() got an unexpected keyword argument 'proxies'")

    from openai._base_client import SyncAPIClient  # where the SDK builds its HTTP client, what intercept() wraps

    monkeypatch.setattr(SyncAPIClient, "__init__", old_sdk_init)
    with FakeAssistants().intercept(), pytest.raises(TypeError, match="'proxies'") as raised:
        openai.OpenAI(api_key="sk-test")

    assert raised.value.__notes__ == [PROXIES_NOTE]
    assert "pip install 'httpx<0.28'" in PROXIES_NOTE
