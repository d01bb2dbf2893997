"""`other_apis=`: one client for code that uses the Assistants API and another OpenAI API (a migration half done).

The fake's transports, clients and `intercept(other_apis="client")` send the requests for the APIs the fake does not
serve to another transport instead of answering the service's 404. A contract module: .ci/run runs it on openai 1.x
and 2.x (httpx) too.
"""

from __future__ import annotations

import importlib
import json
from types import ModuleType
from typing import Any

import openai
import pytest

from fake_assistants import FakeAssistants
from fake_assistants.api.routes import for_another_api

pytestmark = pytest.mark.sdk_contract

OPENAI_MAJOR = int(openai.__version__.split(".")[0])
LIBRARY = "httpx2" if OPENAI_MAJOR >= 3 else "httpx"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": "gpt-4o",
              "choices": [{"index": 0, "finish_reason": "stop",
                           "message": {"role": "assistant", "content": "from the other API's mock"}}]}


def http() -> ModuleType:
    return importlib.import_module(LIBRARY)


class OtherApi:
    """A hand-written mock of the other APIs: what it was asked, and a chat completion for every request."""

    def __init__(self) -> None:
        self.paths: list[str] = []

    def __call__(self, request: Any) -> Any:
        self.paths.append(request.url.path)
        return http().Response(200, json=COMPLETION)

    def transport(self) -> Any:
        return http().MockTransport(self)


def ask(client: openai.OpenAI) -> str | None:
    answer = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    return answer.choices[0].message.content


def test_a_fakes_client_sends_the_other_apis_requests_to_their_transport() -> None:
    fake, other = FakeAssistants(), OtherApi()
    client = fake.openai_client(other_apis=other.transport())

    assistant = client.beta.assistants.create(model="gpt-4o")

    assert ask(client) == "from the other API's mock"
    assert client.beta.assistants.retrieve(assistant.id).id == assistant.id
    assert other.paths == ["/v1/chat/completions"]
    assert fake.calls.routes == ["assistants.create", "assistants.retrieve"]  # the fake's own requests only
    client.close()


async def test_an_async_client_too() -> None:
    fake, other = FakeAssistants(), OtherApi()
    client = fake.async_openai_client(other_apis=other.transport())

    answer = await client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Hi"}])
    thread = await client.beta.threads.create()

    assert answer.choices[0].message.content == "from the other API's mock"
    assert thread.object == "thread"
    await client.close()


def test_without_it_the_other_apis_get_the_services_404_naming_them() -> None:
    client = FakeAssistants().openai_client(max_retries=0)

    with pytest.raises(openai.NotFoundError) as missing:
        ask(client)

    assert "Chat Completions API" in str(missing.value)
    client.close()


def test_a_mistyped_assistants_path_is_still_the_fakes_404() -> None:
    other = OtherApi()
    client = FakeAssistants().openai_client(other_apis=other.transport(), max_retries=0)

    with pytest.raises(openai.NotFoundError):
        client.get("/assistant", cast_to=object)

    assert other.paths == []
    client.close()


def test_a_transport_of_the_other_library_is_refused_naming_the_fix() -> None:
    other_library = "httpx" if LIBRARY == "httpx2" else "httpx2"
    module = pytest.importorskip(other_library)

    with pytest.raises(TypeError) as refused:
        FakeAssistants().openai_client(other_apis=module.MockTransport(lambda request: None))

    assert str(refused.value).startswith(f"other_apis must be a transport of {LIBRARY}, the HTTP library of this "
                                         f"fake's clients, as {LIBRARY}.MockTransport(handler), not a "
                                         f"{other_library}.MockTransport")


@pytest.mark.parametrize(("path", "other"), [
    ("/v1/responses", True), ("/v1/chat/completions", True), ("/v1/models", True), ("/v1/embeddings", True),
    ("/openai/deployments/gpt-4o/chat/completions", True), ("/openai/responses", True),
    ("/v1/assistants", False), ("/v1/threads/thread_1/runs", False), ("/v1/assistant", False),
    ("/openai/deployments/gpt-4o/assistants", False), ("/responses", False),
])
def test_which_paths_are_another_apis(path: str, other: bool) -> None:
    assert for_another_api(path) is other


# -- intercept(other_apis="client") -------------------------------------------------------------------


def app_client(other: OtherApi) -> openai.OpenAI:
    """Application code: its own client, on its own HTTP client (here a mock of the other APIs)."""
    module = http()
    return openai.OpenAI(api_key="sk-app", http_client=module.Client(transport=other.transport()))


def test_an_intercepted_client_can_keep_its_own_transport_for_the_other_apis() -> None:
    fake, other = FakeAssistants(), OtherApi()
    with fake.intercept(other_apis="client"):
        client = app_client(other)

    assistant = client.beta.assistants.create(model="gpt-4o")

    assert ask(client) == "from the other API's mock"
    assert other.paths == ["/v1/chat/completions"]
    assert fake.calls.routes == ["assistants.create"]
    assert assistant.id.startswith("asst_")
    client.close()


def test_by_default_an_intercepted_client_sends_every_request_to_the_fake() -> None:
    fake, other = FakeAssistants(), OtherApi()
    with fake.intercept():
        client = app_client(other).with_options(max_retries=0)

    with pytest.raises(openai.NotFoundError):
        ask(client)

    assert other.paths == []
    client.close()


def test_intercept_names_its_choices() -> None:
    with pytest.raises(ValueError, match=r"fake.intercept\(other_apis=...\) is 'fake' .* or 'client' .*, not 'pass'"):
        FakeAssistants().intercept(other_apis="pass")  # type: ignore[arg-type]


def test_the_other_apis_answer_is_what_the_client_parses() -> None:
    fake, other = FakeAssistants(), OtherApi()
    client = fake.openai_client(other_apis=other.transport())

    raw = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=[{"role": "user", "content": "?"}])

    assert json.loads(raw.text) == COMPLETION
    client.close()


def test_closing_the_client_closes_the_other_transport_too() -> None:
    """As a client closes a transport of its own."""
    closes: list[str] = []
    inner = OtherApi().transport()
    inner.close = lambda: closes.append("sync")  # type: ignore[method-assign]
    client = FakeAssistants().openai_client(other_apis=inner)

    client.close()

    assert closes == ["sync"]


async def test_closing_an_async_client_closes_it_too() -> None:
    closes: list[str] = []
    inner = OtherApi().transport()

    async def aclose() -> None:
        closes.append("async")

    inner.aclose = aclose  # type: ignore[method-assign]
    client = FakeAssistants().async_openai_client(other_apis=inner)

    await client.close()

    assert closes == ["async"]


def test_a_transport_of_the_other_mode_is_refused_naming_the_fix() -> None:
    with pytest.raises(TypeError, match=r"fake.openai_client\(other_apis=...\) needs a sync transport, which "
                                        r"AsyncHTTPTransport is not: pass .*MockTransport\(handler\)"):
        FakeAssistants().openai_client(other_apis=http().AsyncHTTPTransport())
    with pytest.raises(TypeError, match=r"fake.async_openai_client\(other_apis=...\) needs an async transport"):
        FakeAssistants().async_openai_client(other_apis=http().HTTPTransport())
