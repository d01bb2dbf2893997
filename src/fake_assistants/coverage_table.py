"""docs/COVERAGE.md from the route table: `python -m fake_assistants.coverage_table --write docs/COVERAGE.md`.

The 44 Assistants-family operations of the OpenAPI spec (paths `/assistants*`, `/threads*`, `/files*`,
`/vector_stores*`) are listed here once, as `OPERATIONS`; `tests/conformance/test_coverage_table.py` checks that
list against the spec when the spec is at hand, so the table itself can be regenerated (and checked for
staleness) without it. An operation is implemented when a route of `ALL_ROUTES` carries its operationId. A streaming
variant is implemented when a fresh fake answers it with a server-sent event stream that ends in `done`.
An SDK helper is implemented when every operation it calls is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .api.routes import ALL_ROUTES
from .api.routing import Route
from .core.clock import ManualClock
from .core.generated_page import page_command
from .core.sse import DONE
from .core.wire import ApiRequest, ApiResponse
from .fake import FakeAssistants


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    operation_id: str


@dataclass(frozen=True, slots=True)
class Helper:
    """An SDK helper method (its path on `openai.OpenAI`) and the operations it calls."""

    path: str
    operation_ids: tuple[str, ...]
    note: str = ""
    stream: bool = False  # sends `stream: true` to its first operation


# The spec's Assistants-family operations, in the spec's order.
OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/assistants", "listAssistants"),
    Operation("POST", "/assistants", "createAssistant"),
    Operation("GET", "/assistants/{assistant_id}", "getAssistant"),
    Operation("POST", "/assistants/{assistant_id}", "modifyAssistant"),
    Operation("DELETE", "/assistants/{assistant_id}", "deleteAssistant"),
    Operation("GET", "/files", "listFiles"),
    Operation("POST", "/files", "createFile"),
    Operation("DELETE", "/files/{file_id}", "deleteFile"),
    Operation("GET", "/files/{file_id}", "retrieveFile"),
    Operation("GET", "/files/{file_id}/content", "downloadFile"),
    Operation("POST", "/threads", "createThread"),
    Operation("POST", "/threads/runs", "createThreadAndRun"),
    Operation("GET", "/threads/{thread_id}", "getThread"),
    Operation("POST", "/threads/{thread_id}", "modifyThread"),
    Operation("DELETE", "/threads/{thread_id}", "deleteThread"),
    Operation("GET", "/threads/{thread_id}/messages", "listMessages"),
    Operation("POST", "/threads/{thread_id}/messages", "createMessage"),
    Operation("GET", "/threads/{thread_id}/messages/{message_id}", "getMessage"),
    Operation("POST", "/threads/{thread_id}/messages/{message_id}", "modifyMessage"),
    Operation("DELETE", "/threads/{thread_id}/messages/{message_id}", "deleteMessage"),
    Operation("GET", "/threads/{thread_id}/runs", "listRuns"),
    Operation("POST", "/threads/{thread_id}/runs", "createRun"),
    Operation("GET", "/threads/{thread_id}/runs/{run_id}", "getRun"),
    Operation("POST", "/threads/{thread_id}/runs/{run_id}", "modifyRun"),
    Operation("POST", "/threads/{thread_id}/runs/{run_id}/cancel", "cancelRun"),
    Operation("GET", "/threads/{thread_id}/runs/{run_id}/steps", "listRunSteps"),
    Operation("GET", "/threads/{thread_id}/runs/{run_id}/steps/{step_id}", "getRunStep"),
    Operation("POST", "/threads/{thread_id}/runs/{run_id}/submit_tool_outputs", "submitToolOuputsToRun"),
    Operation("GET", "/vector_stores", "listVectorStores"),
    Operation("POST", "/vector_stores", "createVectorStore"),
    Operation("GET", "/vector_stores/{vector_store_id}", "getVectorStore"),
    Operation("POST", "/vector_stores/{vector_store_id}", "modifyVectorStore"),
    Operation("DELETE", "/vector_stores/{vector_store_id}", "deleteVectorStore"),
    Operation("POST", "/vector_stores/{vector_store_id}/file_batches", "createVectorStoreFileBatch"),
    Operation("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}", "getVectorStoreFileBatch"),
    Operation("POST", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/cancel", "cancelVectorStoreFileBatch"),
    Operation("GET", "/vector_stores/{vector_store_id}/file_batches/{batch_id}/files", "listFilesInVectorStoreBatch"),
    Operation("GET", "/vector_stores/{vector_store_id}/files", "listVectorStoreFiles"),
    Operation("POST", "/vector_stores/{vector_store_id}/files", "createVectorStoreFile"),
    Operation("GET", "/vector_stores/{vector_store_id}/files/{file_id}", "getVectorStoreFile"),
    Operation("DELETE", "/vector_stores/{vector_store_id}/files/{file_id}", "deleteVectorStoreFile"),
    Operation("POST", "/vector_stores/{vector_store_id}/files/{file_id}", "updateVectorStoreFileAttributes"),
    Operation("GET", "/vector_stores/{vector_store_id}/files/{file_id}/content", "retrieveVectorStoreFileContent"),
    Operation("POST", "/vector_stores/{vector_store_id}/search", "searchVectorStore"),
)

# The operations only Assistants v1 had (its final spec, 2024-04-15); the other 27 v1 operations are v2's.
V1_ONLY_OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/assistants/{assistant_id}/files", "listAssistantFiles"),
    Operation("POST", "/assistants/{assistant_id}/files", "createAssistantFile"),
    Operation("GET", "/assistants/{assistant_id}/files/{file_id}", "getAssistantFile"),
    Operation("DELETE", "/assistants/{assistant_id}/files/{file_id}", "deleteAssistantFile"),
    Operation("GET", "/threads/{thread_id}/messages/{message_id}/files", "listMessageFiles"),
    Operation("GET", "/threads/{thread_id}/messages/{message_id}/files/{file_id}", "getMessageFile"),
)

# The operations whose request takes `stream: true`.
STREAMING_OPERATIONS: tuple[str, ...] = ("createRun", "createThreadAndRun", "submitToolOuputsToRun")

# The SDK's helpers (openai-python 3.x names) beyond the one-call-per-operation methods.
HELPERS: tuple[Helper, ...] = (
    Helper("beta.threads.runs.create_and_poll", ("createRun", "getRun")),
    Helper("beta.threads.runs.poll", ("getRun",)),
    Helper("beta.threads.runs.stream", ("createRun",), "with an `AssistantEventHandler`", stream=True),
    Helper("beta.threads.runs.create_and_stream", ("createRun",), "deprecated alias of `stream`", stream=True),
    Helper("beta.threads.runs.submit_tool_outputs_and_poll", ("submitToolOuputsToRun", "getRun")),
    Helper("beta.threads.runs.submit_tool_outputs_stream", ("submitToolOuputsToRun",), stream=True),
    Helper("beta.threads.create_and_run_poll", ("createThreadAndRun", "getRun")),
    Helper("beta.threads.create_and_run_stream", ("createThreadAndRun",), stream=True),
    Helper("files.wait_for_processing", ("retrieveFile",)),
    Helper("vector_stores.files.create_and_poll", ("createVectorStoreFile", "getVectorStoreFile")),
    Helper("vector_stores.files.poll", ("getVectorStoreFile",)),
    Helper("vector_stores.files.upload", ("createFile", "createVectorStoreFile")),
    Helper("vector_stores.files.upload_and_poll", ("createFile", "createVectorStoreFile", "getVectorStoreFile")),
    Helper("vector_stores.file_batches.create_and_poll", ("createVectorStoreFileBatch", "getVectorStoreFileBatch")),
    Helper("vector_stores.file_batches.poll", ("getVectorStoreFileBatch",)),
    Helper(
        "vector_stores.file_batches.upload_and_poll",
        ("createFile", "createVectorStoreFileBatch", "getVectorStoreFileBatch"),
        "uploads concurrently, then one batch",
    ),
    Helper("auto-pagination (`for item in client.….list()`)",
           ("listAssistants", "listMessages", "listRuns", "listRunSteps", "listFiles", "listVectorStores",
            "listVectorStoreFiles", "listFilesInVectorStoreBatch"), "`after` cursors until `has_more` is false"),
)

BETA = {"openai-beta": "assistants=v2"}
FUNCTION_TOOL = {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}


# -- what the fake does --------------------------------------------------------------------------


def routes_by_operation(routes: Sequence[Route] = ALL_ROUTES) -> dict[str, Route]:
    return {route.operation_id: route for route in routes}


def _send(fake: FakeAssistants, method: str, path: str, body: dict[str, object] | None = None) -> ApiResponse:
    raw = b"" if body is None else json.dumps(body).encode()
    return fake.handle(ApiRequest.build(method, "/v1" + path, headers=BETA, body=raw))


def _json(response: ApiResponse) -> dict[str, object]:
    if response.status != 200 or not isinstance(response.body, bytes):
        raise LookupError(f"setup request failed with {response.status}")
    value = json.loads(response.body)
    if not isinstance(value, dict):
        raise LookupError("setup request answered something other than an object")
    return value


def _streams(response: ApiResponse) -> bool:
    """A 200 event stream whose last chunk is the `done` event."""
    content_type = response.header("content-type") or ""
    if response.status != 200 or not content_type.startswith("text/event-stream"):
        return False
    chunks = [response.body] if isinstance(response.body, bytes) else list(response.body)
    return bool(chunks) and chunks[-1].endswith(DONE)


def _assistant_and_thread(fake: FakeAssistants) -> tuple[str, str]:
    assistant = _json(_send(fake, "POST", "/assistants", {"model": "gpt-4o", "tools": [FUNCTION_TOOL]}))
    thread = _json(_send(fake, "POST", "/threads", {"messages": [{"role": "user", "content": "Hello"}]}))
    return str(assistant["id"]), str(thread["id"])


def _probe_create_run(fake: FakeAssistants) -> ApiResponse:
    assistant_id, thread_id = _assistant_and_thread(fake)
    return _send(fake, "POST", f"/threads/{thread_id}/runs", {"assistant_id": assistant_id, "stream": True})


def _probe_create_thread_and_run(fake: FakeAssistants) -> ApiResponse:
    assistant_id, _ = _assistant_and_thread(fake)
    body = {"assistant_id": assistant_id, "stream": True, "thread": {"messages": [{"role": "user", "content": "Hi"}]}}
    return _send(fake, "POST", "/threads/runs", body)


def _probe_submit_tool_outputs(fake: FakeAssistants) -> ApiResponse:
    assistant_id, thread_id = _assistant_and_thread(fake)
    fake.script.call_function("lookup", {})
    created = _json(_send(fake, "POST", f"/threads/{thread_id}/runs", {"assistant_id": assistant_id}))
    run = _json(_send(fake, "GET", f"/threads/{thread_id}/runs/{created['id']}"))  # a read lets the run move
    action = run.get("required_action")
    if not isinstance(action, dict):
        raise LookupError("the run did not stop for tool outputs")
    calls = action["submit_tool_outputs"]["tool_calls"]
    outputs = [{"tool_call_id": call["id"], "output": "42"} for call in calls]
    path = f"/threads/{thread_id}/runs/{run['id']}/submit_tool_outputs"
    return _send(fake, "POST", path, {"tool_outputs": outputs, "stream": True})


STREAM_PROBES: dict[str, Callable[[FakeAssistants], ApiResponse]] = {
    "createRun": _probe_create_run,
    "createThreadAndRun": _probe_create_thread_and_run,
    "submitToolOuputsToRun": _probe_submit_tool_outputs,
}


def stream_is_implemented(operation_id: str) -> bool:
    """Whether a fresh fake answers `operation_id` with `stream: true` as an event stream ending in `done`."""
    fake = FakeAssistants(seed=0, clock=ManualClock())
    try:
        return _streams(STREAM_PROBES[operation_id](fake))
    except (LookupError, KeyError, TypeError):
        return False


# -- the document --------------------------------------------------------------------------------


def render(routes: Sequence[Route] = ALL_ROUTES) -> str:
    """The whole of docs/COVERAGE.md."""
    by_operation = routes_by_operation(routes)
    implemented = [op for op in OPERATIONS if op.operation_id in by_operation]
    streaming = {op: op in by_operation and stream_is_implemented(op) for op in STREAMING_OPERATIONS}
    lines = [
        "# Coverage",
        "",
        "Generated from the route table (`fake_assistants.api.routes.ALL_ROUTES`) by",
        "`python -m fake_assistants.coverage_table --write docs/COVERAGE.md`; do not edit by hand.",
        "`tests/conformance/test_coverage_table.py` fails when this file is stale, when an Assistants-family",
        "operation of the OpenAPI spec is missing from the list below, and when a helper marked implemented does",
        "not work through the SDK.",
        "",
        f"**{len(implemented)} of {len(OPERATIONS)} operations implemented.**",
        "",
        *_operation_lines(by_operation),
        "",
        *_stream_lines(by_operation, streaming),
        "",
        *_helper_lines(by_operation, streaming),
        "",
        *_v1_lines(by_operation),
    ]
    return "\n".join(lines) + "\n"


def v1_operations(routes: Sequence[Route] = ALL_ROUTES) -> list[Operation]:
    """The operations served to `OpenAI-Beta: assistants=v1`: v2's that v1 had too, then v1's own."""
    by_operation = routes_by_operation(routes)
    shared = [op for op in OPERATIONS if op.operation_id in by_operation
              and "v1" in by_operation[op.operation_id].versions]
    return [*shared, *V1_ONLY_OPERATIONS]


def _v1_lines(by_operation: dict[str, Route]) -> list[str]:
    served = v1_operations(tuple(by_operation.values()))
    lines = [
        "## Assistants v1",
        "",
        "Served with `api_versions=(\"v1\", \"v2\")` (marker option `api_versions`, `fake-assistants serve",
        "--api-versions v1,v2`) to `OpenAI-Beta: assistants=v1`, as in v1's final spec; without it v1 gets the",
        "real deprecation error. v2-only routes (vector stores, message delete) ask v1 callers for v2.",
        "",
        f"**{sum(op.operation_id in by_operation for op in served)} of {len(served)} v1 operations implemented.**",
        "",
        *_operation_table(served, by_operation),
    ]
    return lines


def _status(ok: bool) -> str:
    return "implemented" if ok else "**not implemented**"


def _operation_lines(by_operation: dict[str, Route]) -> list[str]:
    return ["## Operations", "", *_operation_table(OPERATIONS, by_operation)]


def _operation_table(operations: Sequence[Operation], by_operation: dict[str, Route]) -> list[str]:
    lines = ["| # | operationId | method | path | status | route |", "| ---: | --- | --- | --- | --- | --- |"]
    for number, op in enumerate(operations, start=1):
        route = by_operation.get(op.operation_id)
        name = f"`{route.name}`" if route else ""
        cells = [str(number), f"`{op.operation_id}`", op.method, f"`{op.path}`", _status(bool(route)), name]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _stream_lines(by_operation: dict[str, Route], streaming: dict[str, bool]) -> list[str]:
    lines = [
        "## Streaming variants",
        "",
        "`stream: true` in the request body; implemented when the answer is `text/event-stream` ending in",
        "`event: done`.",
        "",
        "| operationId | route | status |",
        "| --- | --- | --- |",
    ]
    for operation_id in STREAMING_OPERATIONS:
        route = by_operation.get(operation_id)
        name = f"`{route.name}`" if route else ""
        lines.append(f"| `{operation_id}` (`stream: true`) | {name} | {_status(streaming[operation_id])} |")
    return lines


def _helper_lines(by_operation: dict[str, Route], streaming: dict[str, bool]) -> list[str]:
    lines = [
        "## SDK helpers",
        "",
        "Methods of `openai.OpenAI` / `openai.AsyncOpenAI` (openai-python 3.x names) built from several calls;",
        "implemented when every operation they call is (and, for streaming helpers, its streaming variant).",
        "",
        "| helper | operations it calls | status | note |",
        "| --- | --- | --- | --- |",
    ]
    for helper in HELPERS:
        ok = all(operation_id in by_operation for operation_id in helper.operation_ids)
        ok = ok and (not helper.stream or streaming.get(helper.operation_ids[0], False))
        note = "; ".join(part for part in ("`stream: true`" if helper.stream else "", helper.note) if part)
        calls = ", ".join(f"`{operation_id}`" for operation_id in helper.operation_ids)
        name = helper.path if helper.path.startswith("auto-") else f"`{helper.path}`"
        lines.append(f"| {name} | {calls} | {_status(ok)} | {note} |")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    return page_command(argv, prog="python -m fake_assistants.coverage_table", description=__doc__, render=render)


if __name__ == "__main__":
    raise SystemExit(main())
