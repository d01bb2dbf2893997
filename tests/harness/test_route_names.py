"""Route names, wherever a user types one (faults, the journal, the control API): unknown ones fail with the
closest names; `fake_assistants.ROUTES` lists them all, and the control API's `GET /__fake__/routes` (issue 17)."""

from __future__ import annotations

import json
import pickle
import re

import pytest

import fake_assistants
from fake_assistants import ROUTES, ApiRequest, FakeAssistants, UnknownRoute
from fake_assistants.api.routes import ALL_ROUTES
from fake_assistants.server.control_api import ControlApi


def test_routes_lists_every_route_name_once() -> None:
    assert "ROUTES" in fake_assistants.__all__
    assert set(fake_assistants.ROUTES) == {route.name for route in ALL_ROUTES}
    assert len(fake_assistants.ROUTES) == len(set(fake_assistants.ROUTES))
    assert {"runs.create", "runs.submit_tool_outputs", "vector_stores.files.list"} <= set(fake_assistants.ROUTES)


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [("run.create", "'runs.create'"), ("runs.creat", "'runs.create'"), ("assistant.list", "'assistants.list'")],
)
def test_a_mistyped_fault_route_suggests_the_right_one(typed: str, suggested: str) -> None:
    fake = FakeAssistants()

    with pytest.raises(UnknownRoute, match=f"unknown route '{typed}' \\(did you mean {suggested}"):
        fake.faults.rate_limit(typed)
    assert fake.faults.pending == []


@pytest.mark.parametrize(("typed", "route"), [
    ("beta.threads.runs.create", "runs.create"),
    ("client.beta.threads.runs.create_and_poll", "runs.create"),
    ("beta.threads.create_and_run_poll", "threads.create_and_run"),
    ("beta.threads.runs.steps.list", "runs.steps.list"),
    ("beta.threads.messages.list", "messages.list"),
    ("vector_stores.file_batches.upload_and_poll", "files.create"),  # the helper uploads first
    ("beta.vector_stores.files.upload", "files.create"),
])
def test_the_name_of_an_sdk_method_suggests_its_route(typed: str, route: str) -> None:
    with pytest.raises(UnknownRoute) as raised:
        FakeAssistants().calls[typed]
    assert f"unknown route '{typed}' (did you mean '{route}'?)" in str(raised.value)


def test_a_path_for_a_route_name_points_to_path_matching() -> None:
    with pytest.raises(UnknownRoute, match=re.escape("as fake.calls.filter(path='/v1/threads/*')")):
        FakeAssistants().calls["/v1/threads"]


def test_patterns_must_match_a_route() -> None:
    fake = FakeAssistants()

    assert fake.faults.server_error("runs.*").route == "runs.*"
    with pytest.raises(ValueError, match=re.escape("unknown pattern 'run.*'")):
        fake.faults.timeout("run.*")


def test_the_journal_checks_route_names() -> None:
    fake = FakeAssistants()

    with pytest.raises(KeyError, match=re.escape("did you mean 'runs.create'")):
        fake.calls["runs.creat"]
    with pytest.raises(UnknownRoute, match=re.escape("did you mean 'threads.create'")):
        fake.calls.filter(route="thread.create")
    assert fake.calls["runs.create"].call_count == 0  # a known route with no calls is just empty


def control(fake: FakeAssistants, method: str, path: str, body: object = None,
            query: str = "") -> tuple[int, dict[str, object]]:
    content = b"" if body is None else json.dumps(body).encode()
    response = ControlApi(fake).handle(ApiRequest.build(method, path, query=query, body=content,
                                                        headers={"content-type": "application/json"}))
    return response.status, json.loads(response.body)  # type: ignore[arg-type]


def test_the_control_api_checks_route_names() -> None:
    fake = FakeAssistants()

    status, body = control(fake, "POST", "/__fake__/faults", {"kind": "timeout", "route": "run.create"})
    assert status == 400
    assert body["error"] == {  # in the control API's terms: where to list the names over HTTP, not in Python
        "message": "Invalid fault: unknown route 'run.create' (did you mean 'runs.create' or 'runs.retrieve'?); "
                   "route names are resource.action, such as 'runs.create' (GET /__fake__/routes lists them all)",
        "type": "invalid_request_error", "param": "route", "code": "invalid_value"}

    status, body = control(fake, "GET", "/__fake__/calls", query="route=runs.creat")
    assert status == 400
    assert "did you mean 'runs.create'" in body["error"]["message"]  # type: ignore[index]
    assert body["error"]["param"] == "route"  # type: ignore[index]

    status, body = control(fake, "GET", "/__fake__/calls", query="route=/v1/threads")
    assert status == 400
    assert body["error"]["message"].endswith(  # type: ignore[index]
        "(GET /__fake__/routes lists them all); a request path is matched by path=, as "
        "GET /__fake__/calls?path=/v1/threads/*")


def test_the_control_api_lists_the_route_names() -> None:
    status, body = control(FakeAssistants(), "GET", "/__fake__/routes")

    assert status == 200
    assert [route["name"] for route in body["data"]] == list(ROUTES)  # type: ignore[attr-defined]
    assert body["data"][0] == {  # type: ignore[index]
        "name": "assistants.list", "method": "GET", "path": "/v1/assistants", "streams": False,
        "versions": ["v1", "v2"]}
    assert [route["name"] for route in body["data"] if route["streams"]] == [  # type: ignore[attr-defined]
        "threads.create_and_run", "runs.create", "runs.submit_tool_outputs"]


def test_an_unknown_route_error_pickles_with_both_wordings() -> None:
    with pytest.raises(UnknownRoute) as caught:
        FakeAssistants().calls["run.create"]
    caught.value.add_note("while checking the journal")

    copy = pickle.loads(pickle.dumps(caught.value))

    assert (str(copy), copy.over_http, copy.suggestions) == (
        str(caught.value), caught.value.over_http, ("runs.create", "runs.retrieve"))
    assert "fake_assistants.ROUTES lists them all" in str(copy)
    assert copy.__notes__ == ["while checking the journal"]


def test_a_request_path_given_for_a_route_suggests_the_routes_served_there() -> None:
    fake = FakeAssistants()

    with pytest.raises(UnknownRoute) as journal:
        fake.calls.filter(route="/v1/threads/thread_abc/runs")
    with pytest.raises(UnknownRoute) as fault:
        fake.faults.rate_limit("/v1/threads/thread_abc/runs")
    with pytest.raises(UnknownRoute) as nowhere:
        fake.faults.timeout("/v1/nothing/here")

    assert journal.value.suggestions == fault.value.suggestions == ("runs.list", "runs.create")
    assert str(journal.value).endswith(  # the journal matches paths too: it says how
        "; a request path is matched by path=, as fake.calls.filter(path='/v1/threads/*')")
    assert str(fault.value) == (  # a fault matches route names only: no path= to point to
        "unknown route '/v1/threads/thread_abc/runs' (did you mean 'runs.list' or 'runs.create'?); route names are "
        "resource.action, such as 'runs.create' (fake_assistants.ROUTES lists them all); a fault names a route, "
        "not a request path")
    assert nowhere.value.suggestions == ()
    assert fake.faults.pending == []
