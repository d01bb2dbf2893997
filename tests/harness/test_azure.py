"""AzureOpenAI clients reach the same fake: routes under `/openai/`, the `api-version` query ignored,
the `api-key` header, and no `/deployments/` segment on assistants paths even with `azure_deployment`."""

from __future__ import annotations

import importlib
import json
from typing import Any

import openai
import pytest

import app_under_test as app
from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.core.api_versions import ApiVersion
from sdk_matrix import Journal, httpx2_skip_reason

API_VERSION = "2024-05-01-preview"
ENDPOINT = "https://contoso.openai.azure.com"
QUESTION = "What's the weather in Paris?"
ANSWER = "It is 22C and sunny in Paris."
HTTP_LIBRARIES = [
    pytest.param("httpx", id="httpx"),
    pytest.param("httpx2", id="httpx2", marks=[pytest.mark.skip(reason=reason)] if (reason := httpx2_skip_reason())
                 else []),
]


def http_client(fake: FakeAssistants, library: str, *, asynchronous: bool) -> Any:
    """An httpx or httpx2 client (sync or async) on the fake's transport, as a user wires it by hand."""
    module = importlib.import_module(library)
    transport = fake.httpx_transport() if library == "httpx" else fake.httpx2_transport()
    return (module.AsyncClient if asynchronous else module.Client)(transport=transport)


def scripted_fake() -> FakeAssistants:
    fake = FakeAssistants(seed=0, shape="schema")
    fake.script.call_function("get_weather", {"city": "Paris"}).reply(ANSWER)
    return fake


def assert_azure_requests(journal: Journal) -> None:
    assert journal.calls
    for request, response in journal.calls:
        assert request.path.startswith("/openai/") and "/deployments/" not in request.path, request.path
        assert dict(request.query)["api-version"] == API_VERSION
        assert request.header("api-key") == "azure-key"
        assert response.status == 200, response.body


@pytest.mark.parametrize("library", HTTP_LIBRARIES)
@pytest.mark.parametrize("deployment", [None, "gpt-4o-deployment"])
def test_assistants_flow_through_azure_openai(library: str, deployment: str | None) -> None:
    fake = scripted_fake()
    journal = Journal(fake)
    client = openai.AzureOpenAI(
        azure_endpoint=ENDPOINT, azure_deployment=deployment, api_version=API_VERSION, api_key="azure-key",
        http_client=http_client(fake, library, asynchronous=False), _strict_response_validation=True, max_retries=0,
    )

    assert app.answer(QUESTION, lambda: client) == ANSWER

    assert_azure_requests(journal)
    paths = [request.path for request, _ in journal.calls]
    assert paths[:2] == ["/openai/assistants", "/openai/threads"]
    assert paths[2].startswith("/openai/threads/thread_") and paths[2].endswith("/runs")
    assert any(path.endswith("/submit_tool_outputs") for path in paths)


@pytest.mark.parametrize("library", HTTP_LIBRARIES)
async def test_assistants_flow_through_async_azure_openai(library: str) -> None:
    fake = scripted_fake()
    journal = Journal(fake)
    client = openai.AsyncAzureOpenAI(
        azure_endpoint=ENDPOINT, api_version=API_VERSION, api_key="azure-key",
        http_client=http_client(fake, library, asynchronous=True), _strict_response_validation=True, max_retries=0,
    )

    assert await app.answer_async(QUESTION, lambda: client) == ANSWER

    assert_azure_requests(journal)


def test_lists_and_files_under_the_azure_prefix() -> None:
    fake = FakeAssistants(seed=0, shape="schema")
    journal = Journal(fake)
    client = openai.AzureOpenAI(azure_endpoint=ENDPOINT, api_version=API_VERSION, api_key="azure-key",
                                http_client=http_client(fake, "httpx", asynchronous=False),
                                _strict_response_validation=True, max_retries=0)

    created = [client.beta.assistants.create(model="gpt-4o", name=f"a{n}") for n in range(3)]
    listed = client.beta.assistants.list(limit=2, order="asc")
    uploaded = client.files.create(file=("notes.txt", b"hello azure"), purpose="assistants")
    store = client.vector_stores.create(name="docs", file_ids=[uploaded.id])
    client.close()

    assert [a.id for a in listed.data] == [a.id for a in created[:2]]
    assert listed.has_more is True
    assert store.file_counts.total == 1
    assert_azure_requests(journal)


def test_the_azure_prefix_at_the_sans_io_level() -> None:
    fake = FakeAssistants(seed=0)
    beta = {"OpenAI-Beta": "assistants=v2", "api-key": "k"}

    created = fake.handle(ApiRequest.build("POST", "/openai/assistants", query=f"api-version={API_VERSION}",
                                           headers=beta, body=b'{"model": "gpt-4o"}'))
    assistant_id = json.loads(created.body)["id"]
    same = fake.handle(ApiRequest.build("GET", f"/v1/assistants/{assistant_id}", headers=beta))
    deployment = fake.handle(ApiRequest.build("POST", "/openai/deployments/gpt-4o/assistants", headers=beta,
                                              body=b'{"model": "gpt-4o"}'))
    elsewhere = fake.handle(ApiRequest.build("GET", "/azure/assistants", headers=beta))

    assert created.status == 200
    assert json.loads(same.body)["id"] == assistant_id
    assert (deployment.status, json.loads(deployment.body)["error"]["message"]) == (
        404, "Invalid URL (POST /openai/deployments/gpt-4o/assistants): the Assistants API's Azure paths have no "
             "deployment (POST /openai/assistants).")
    assert (elsewhere.status, json.loads(elsewhere.body)["error"]["message"]) == (
        404, "Invalid URL (GET /azure/assistants)")


@pytest.mark.parametrize(("api_version", "served", "status"), [
    ("2024-05-01-preview", ("v2",), 200),  # v2 came with this api-version
    ("2024-10-21", ("v2",), 200),
    (None, ("v2",), 200),
    ("2024-02-15-preview", ("v1", "v2"), 200),  # v1's api-versions, on a fake that serves v1
])
def test_azure_rest_without_the_beta_header_gets_the_version_of_its_api_version(
        api_version: str | None, served: tuple[ApiVersion, ...], status: int) -> None:
    """Azure's REST examples send `api-key` and `api-version`, no `OpenAI-Beta`: Azure chose the Assistants
    version by `api-version`. The fake asked such a client for the header."""
    fake = FakeAssistants(seed=0, api_versions=served)
    query = f"api-version={api_version}" if api_version else ""

    created = fake.handle(ApiRequest.build("POST", "/openai/assistants", query=query, headers={"api-key": "k"},
                                           body=b'{"model": "gpt-4-turbo"}'))

    assert created.status == status, created.body
    v1_shape = "file_ids" in json.loads(created.body)
    assert v1_shape == (api_version is not None and api_version < "2024-05-01")


def test_v1s_api_version_on_a_fake_that_serves_v2_only_is_refused_as_v1() -> None:
    """The service's wording first, then the fix for this client: a newer api-version (it sent no header)."""
    fake = FakeAssistants(seed=0)
    refused = fake.handle(ApiRequest.build("POST", "/openai/assistants", query="api-version=2024-02-15-preview",
                                           headers={"api-key": "k"}, body=b'{"model": "gpt-4o"}'))
    assert refused.status == 400
    message = json.loads(refused.body)["error"]["message"]
    assert message.startswith("The v1 Assistants API has been deprecated.")
    assert message.endswith("(api-version 2024-02-15-preview is Assistants v1 on Azure; 2024-05-01-preview or later "
                            "is v2)")


def test_an_empty_api_version_is_none() -> None:
    created = FakeAssistants(seed=0).handle(ApiRequest.build(
        "POST", "/openai/assistants", query="api-version=", headers={"api-key": "k"}, body=b'{"model": "gpt-4o"}'))
    assert created.status == 200


def test_the_beta_header_is_still_needed_outside_azure() -> None:
    refused = FakeAssistants().handle(ApiRequest.build("POST", "/v1/assistants", body=b'{"model": "gpt-4o"}'))
    assert refused.status == 400
    assert json.loads(refused.body)["error"]["message"].startswith("You must provide the 'OpenAI-Beta' header")
