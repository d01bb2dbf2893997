"""docs/COVERAGE.md: current, complete against the spec, and true for every SDK helper it lists.

The staleness check regenerates the table in memory from the route table and the committed list of
operations (`fake_assistants.coverage_table.OPERATIONS`); only the comparison of that list with the OpenAPI
spec needs `../shared`, and skips without it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import yaml

from fake_assistants import FakeAssistants
from fake_assistants import coverage_table as ct
from fake_assistants.api.routes import ALL_ROUTES
from project_paths import DOCS
from recordings import shared_dir
from sdk_matrix import new_fake

DOC = DOCS / "COVERAGE.md"
SPEC = shared_dir() / "spec" / "openapi.yaml"
FAMILY_PREFIXES = ("/assistants", "/threads", "/files", "/vector_stores")
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
REGENERATE = "python -m fake_assistants.coverage_table --write docs/COVERAGE.md"


# -- the document ---------------------------------------------------------------------------------


def test_coverage_doc_is_current() -> None:
    assert DOC.is_file(), f"docs/COVERAGE.md is missing: run {REGENERATE}"
    assert DOC.read_text(encoding="utf-8") == ct.render(), f"docs/COVERAGE.md is stale: run {REGENERATE}"


def test_every_listed_operation_is_implemented() -> None:
    text = ct.render()
    assert f"**{len(ct.OPERATIONS)} of {len(ct.OPERATIONS)} operations implemented.**" in text
    assert len(ct.OPERATIONS) == 44
    assert "not implemented" not in text


def test_every_operation_has_a_route_with_its_method_and_path() -> None:
    routes = ct.routes_by_operation()
    for operation in ct.OPERATIONS:
        route = routes.get(operation.operation_id)
        assert route is not None, f"{operation.operation_id} is missing from ALL_ROUTES"
        assert (route.method, route.template) == (operation.method, operation.path), operation


def test_every_route_is_a_listed_operation() -> None:
    listed = {operation.operation_id for operation in (*ct.OPERATIONS, *ct.V1_ONLY_OPERATIONS)}
    assert {route.operation_id for route in ALL_ROUTES} <= listed


def test_v1_operations_are_33() -> None:
    assert "**33 of 33 v1 operations implemented.**" in ct.render()


def test_a_route_missing_from_the_table_shows_as_not_implemented() -> None:
    without_search = tuple(route for route in ALL_ROUTES if route.operation_id != "searchVectorStore")
    text = ct.render(without_search)
    assert "**43 of 44 operations implemented.**" in text
    row = "| 44 | `searchVectorStore` | POST | `/vector_stores/{vector_store_id}/search` | **not implemented** |  |"
    assert row in text


def test_helpers_of_a_missing_route_show_as_not_implemented() -> None:
    without_get_run = tuple(route for route in ALL_ROUTES if route.operation_id != "getRun")
    lines = ct.render(without_get_run).splitlines()
    row = next(line for line in lines if line.startswith("| `beta.threads.runs.create_and_poll`"))
    assert "**not implemented**" in row


def test_check_option_reports_a_stale_file(tmp_path: Path) -> None:
    target = tmp_path / "COVERAGE.md"
    assert ct.main(["--write", str(target)]) == 0
    assert ct.main(["--check", str(target)]) == 0
    target.write_text(target.read_text(encoding="utf-8").replace("44 of 44", "43 of 44"), encoding="utf-8")
    assert ct.main(["--check", str(target)]) == 1


@pytest.mark.parametrize("operation_id", ct.STREAMING_OPERATIONS)
def test_streaming_variant_probe(operation_id: str) -> None:
    assert ct.stream_is_implemented(operation_id)


# -- against the spec ------------------------------------------------------------------------------


def load_spec() -> dict[str, Any]:
    if not SPEC.is_file():
        pytest.skip(f"the OpenAPI spec is not at {SPEC} (CI has it in ../shared beside the checkout)")
    with SPEC.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return spec


def spec_operations() -> set[tuple[str, str, str]]:
    spec = load_spec()
    found = set()
    for path, item in spec["paths"].items():
        if path.startswith(FAMILY_PREFIXES):
            for method in HTTP_METHODS:
                if method in item:
                    found.add((method.upper(), path, item[method]["operationId"]))
    return found


class DuplicateAnchorLoader(yaml.SafeLoader):
    """The final v1 spec defines some YAML anchors twice; the later definition wins."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if not isinstance(event, yaml.AliasEvent) and event.anchor is not None:
            self.anchors.pop(event.anchor, None)
        return super().compose_node(parent, index)


def test_v1_operations_are_the_final_v1_specs() -> None:
    """The operations served to v1 (by the routes' `versions`) are exactly those of the final v1 spec."""
    path = shared_dir() / "spec" / "openapi-assistants-v1-final.yaml"
    if not path.is_file():
        pytest.skip(f"the final v1 spec is not at {path} (CI has it in ../shared beside the checkout)")
    with path.open(encoding="utf-8") as handle:
        spec = yaml.load(handle, Loader=DuplicateAnchorLoader)
    in_spec = {
        (method.upper(), route_path, item[method]["operationId"])
        for route_path, item in spec["paths"].items() if route_path.startswith(("/assistants", "/threads", "/files"))
        for method in HTTP_METHODS if method in item
    }
    served = {(op.method, op.path, op.operation_id) for op in ct.v1_operations()}
    assert len(in_spec) == 33
    assert served == in_spec


def test_listed_operations_are_the_specs_assistants_family() -> None:
    listed = {(op.method, op.path, op.operation_id) for op in ct.OPERATIONS}
    in_spec = spec_operations()
    assert len(in_spec) == 44
    assert in_spec - listed == set(), "operations of the spec missing from coverage_table.OPERATIONS"
    assert listed - in_spec == set(), "operations listed that the spec does not have"


def test_the_streaming_operations_are_those_whose_body_takes_stream() -> None:
    """`STREAMING_OPERATIONS` and the routes marked `streams` (what a stream fault may name) are the operations of the
    family whose JSON request body has a `stream` property in the spec."""
    spec = load_spec()
    schemas = spec["components"]["schemas"]
    in_spec = set()
    for path, item in spec["paths"].items():
        for method in HTTP_METHODS:
            body = item.get(method, {}).get("requestBody", {}).get("content", {}).get("application/json")
            if path.startswith(FAMILY_PREFIXES) and body is not None:
                schema = body["schema"]
                if "$ref" in schema:
                    schema = schemas[schema["$ref"].rsplit("/", 1)[-1]]
                if "stream" in schema.get("properties", {}):
                    in_spec.add(item[method]["operationId"])
    assert in_spec == set(ct.STREAMING_OPERATIONS)
    assert {route.operation_id for route in ALL_ROUTES if route.streams} == in_spec


# -- every helper marked implemented works through the SDK -----------------------------------------

FUNCTION_TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}
NOTES = ("notes.txt", b"The answer is 42.\n")


@pytest.fixture
def fake() -> FakeAssistants:
    return new_fake()


@pytest.fixture
def sdk(fake: FakeAssistants) -> Iterator[Any]:
    client = fake.openai_client(_strict_response_validation=True, max_retries=0)
    yield client
    client.close()


def resolve(client: Any, path: str) -> Any:
    target = client
    for name in path.split("."):
        target = getattr(target, name)
    return target


def assistant_and_thread(sdk: Any) -> tuple[Any, Any]:
    assistant = sdk.beta.assistants.create(model="gpt-4o", tools=[FUNCTION_TOOL])
    thread = sdk.beta.threads.create(messages=[{"role": "user", "content": "Hello"}])
    return assistant, thread


def waiting_for_tools(fake: FakeAssistants, sdk: Any) -> Any:
    assistant, thread = assistant_and_thread(sdk)
    fake.script.call_function("lookup", {"q": "x"})
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "requires_action"
    return run


def outputs_for(run: Any) -> list[dict[str, str]]:
    calls = run.required_action.submit_tool_outputs.tool_calls
    return [{"tool_call_id": call.id, "output": "42"} for call in calls]


def vector_store_with_file(sdk: Any) -> tuple[Any, Any]:
    store = sdk.vector_stores.create(name="notes")
    uploaded = sdk.files.create(file=NOTES, purpose="assistants")
    return store, uploaded


def h_create_and_poll(fake: FakeAssistants, sdk: Any) -> None:
    assistant, thread = assistant_and_thread(sdk)
    run = sdk.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    assert run.status == "completed"


def h_poll(fake: FakeAssistants, sdk: Any) -> None:
    assistant, thread = assistant_and_thread(sdk)
    run = sdk.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
    assert sdk.beta.threads.runs.poll(run.id, thread_id=thread.id).status == "completed"


def h_stream(fake: FakeAssistants, sdk: Any) -> None:
    assistant, thread = assistant_and_thread(sdk)
    with sdk.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
        stream.until_done()
        assert stream.get_final_run().status == "completed"
        assert stream.get_final_messages()[0].content[0].text.value


def h_create_and_stream(fake: FakeAssistants, sdk: Any) -> None:
    assistant, thread = assistant_and_thread(sdk)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        manager = sdk.beta.threads.runs.create_and_stream(thread_id=thread.id, assistant_id=assistant.id)
    with manager as stream:
        stream.until_done()
        assert stream.get_final_run().status == "completed"


def h_submit_tool_outputs_and_poll(fake: FakeAssistants, sdk: Any) -> None:
    run = waiting_for_tools(fake, sdk)
    done = sdk.beta.threads.runs.submit_tool_outputs_and_poll(
        tool_outputs=outputs_for(run), run_id=run.id, thread_id=run.thread_id
    )
    assert done.status == "completed"


def h_submit_tool_outputs_stream(fake: FakeAssistants, sdk: Any) -> None:
    run = waiting_for_tools(fake, sdk)
    with sdk.beta.threads.runs.submit_tool_outputs_stream(
        tool_outputs=outputs_for(run), run_id=run.id, thread_id=run.thread_id
    ) as stream:
        stream.until_done()
        assert stream.get_final_run().status == "completed"


def h_create_and_run_poll(fake: FakeAssistants, sdk: Any) -> None:
    assistant, _ = assistant_and_thread(sdk)
    thread = {"messages": [{"role": "user", "content": "Hi"}]}
    assert sdk.beta.threads.create_and_run_poll(assistant_id=assistant.id, thread=thread).status == "completed"


def h_create_and_run_stream(fake: FakeAssistants, sdk: Any) -> None:
    assistant, _ = assistant_and_thread(sdk)
    thread = {"messages": [{"role": "user", "content": "Hi"}]}
    with sdk.beta.threads.create_and_run_stream(assistant_id=assistant.id, thread=thread) as stream:
        stream.until_done()
        assert stream.get_final_run().status == "completed"


def h_wait_for_processing(fake: FakeAssistants, sdk: Any) -> None:
    uploaded = sdk.files.create(file=NOTES, purpose="assistants")
    assert sdk.files.wait_for_processing(uploaded.id).status == "processed"


def h_vs_files_create_and_poll(fake: FakeAssistants, sdk: Any) -> None:
    store, uploaded = vector_store_with_file(sdk)
    found = sdk.vector_stores.files.create_and_poll(file_id=uploaded.id, vector_store_id=store.id)
    assert found.status == "completed"


def h_vs_files_poll(fake: FakeAssistants, sdk: Any) -> None:
    store, uploaded = vector_store_with_file(sdk)
    sdk.vector_stores.files.create(file_id=uploaded.id, vector_store_id=store.id)
    assert sdk.vector_stores.files.poll(uploaded.id, vector_store_id=store.id).status == "completed"


def h_vs_files_upload(fake: FakeAssistants, sdk: Any) -> None:
    store = sdk.vector_stores.create(name="notes")
    attached = sdk.vector_stores.files.upload(vector_store_id=store.id, file=NOTES)
    assert attached.vector_store_id == store.id


def h_vs_files_upload_and_poll(fake: FakeAssistants, sdk: Any) -> None:
    store = sdk.vector_stores.create(name="notes")
    assert sdk.vector_stores.files.upload_and_poll(vector_store_id=store.id, file=NOTES).status == "completed"


def h_batches_create_and_poll(fake: FakeAssistants, sdk: Any) -> None:
    store, uploaded = vector_store_with_file(sdk)
    batch = sdk.vector_stores.file_batches.create_and_poll(store.id, file_ids=[uploaded.id])
    assert batch.status == "completed"
    assert batch.file_counts.completed == 1


def h_batches_poll(fake: FakeAssistants, sdk: Any) -> None:
    store, uploaded = vector_store_with_file(sdk)
    batch = sdk.vector_stores.file_batches.create(store.id, file_ids=[uploaded.id])
    assert sdk.vector_stores.file_batches.poll(batch.id, vector_store_id=store.id).status == "completed"


def h_batches_upload_and_poll(fake: FakeAssistants, sdk: Any) -> None:
    store = sdk.vector_stores.create(name="notes")
    files = [("a.txt", b"alpha\n"), ("b.txt", b"beta\n"), ("c.txt", b"gamma\n")]
    batch = sdk.vector_stores.file_batches.upload_and_poll(store.id, files=files)
    assert batch.status == "completed"
    assert batch.file_counts.completed == 3
    listed = sdk.vector_stores.file_batches.list_files(batch.id, vector_store_id=store.id)
    assert len(list(listed)) == 3


def h_auto_pagination(fake: FakeAssistants, sdk: Any) -> None:
    created = [sdk.beta.assistants.create(model="gpt-4o", name=f"a{n}").id for n in range(5)]
    found = [assistant.id for assistant in sdk.beta.assistants.list(limit=2, order="asc")]
    assert found == created


EXERCISES: dict[str, Callable[[FakeAssistants, Any], None]] = {
    "beta.threads.runs.create_and_poll": h_create_and_poll,
    "beta.threads.runs.poll": h_poll,
    "beta.threads.runs.stream": h_stream,
    "beta.threads.runs.create_and_stream": h_create_and_stream,
    "beta.threads.runs.submit_tool_outputs_and_poll": h_submit_tool_outputs_and_poll,
    "beta.threads.runs.submit_tool_outputs_stream": h_submit_tool_outputs_stream,
    "beta.threads.create_and_run_poll": h_create_and_run_poll,
    "beta.threads.create_and_run_stream": h_create_and_run_stream,
    "files.wait_for_processing": h_wait_for_processing,
    "vector_stores.files.create_and_poll": h_vs_files_create_and_poll,
    "vector_stores.files.poll": h_vs_files_poll,
    "vector_stores.files.upload": h_vs_files_upload,
    "vector_stores.files.upload_and_poll": h_vs_files_upload_and_poll,
    "vector_stores.file_batches.create_and_poll": h_batches_create_and_poll,
    "vector_stores.file_batches.poll": h_batches_poll,
    "vector_stores.file_batches.upload_and_poll": h_batches_upload_and_poll,
}
PAGINATION = next(helper.path for helper in ct.HELPERS if helper.path.startswith("auto-"))


def test_every_listed_helper_has_an_exercise() -> None:
    assert {helper.path for helper in ct.HELPERS} == {*EXERCISES, PAGINATION}


@pytest.mark.parametrize("path", list(EXERCISES))
def test_helper_exists_in_the_sdk(path: str) -> None:
    client = openai.OpenAI(api_key="sk-test")
    try:
        assert callable(resolve(client, path)), path
    finally:
        client.close()


@pytest.mark.parametrize("path", [*EXERCISES, PAGINATION])
def test_helper_works_through_the_sdk(path: str, fake: FakeAssistants, sdk: Any) -> None:
    exercise = EXERCISES.get(path, h_auto_pagination)
    exercise(fake, sdk)
