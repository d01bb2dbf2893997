"""The ASGI adapter on its own, driven by a hand-written ASGI server (no HTTP library, no socket)."""

from __future__ import annotations

import ast
import asyncio
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import fake_assistants
from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from fake_assistants.layers.faults import TransportFault
from fake_assistants.server.asgi import AsgiApp, ConnectionDropped, send_stream
from fake_assistants.server.served_fake import ServedFake, check_api_key

PACKAGE = Path(fake_assistants.__file__).parent
HTTP_LIBRARIES = {"httpx", "httpx2", "uvicorn", "h11", "httptools", "starlette", "aiohttp", "anyio"}


class Driver:
    """Plays the server's side of one ASGI HTTP cycle: hands the app `incoming`, records what it sends."""

    def __init__(self, incoming: list[dict[str, Any]], *, disconnect_after_sends: int | None = None) -> None:
        self.incoming = list(incoming)
        self.sent: list[dict[str, Any]] = []
        self.disconnect_after_sends = disconnect_after_sends
        self.gone = asyncio.Event()

    async def receive(self) -> dict[str, Any]:
        if self.incoming:
            return self.incoming.pop(0)
        await self.gone.wait()  # after the request: nothing until the client goes away
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if self.disconnect_after_sends is not None and len(self.sent) >= self.disconnect_after_sends:
            self.gone.set()

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


def http_scope(method: str = "GET", path: str = "/v1/assistants", query: bytes = b"",
               headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "query_string": query, "headers": headers or []}


class Recorder:
    """A handler that remembers its request and answers with `response`."""

    def __init__(self, response: ApiResponse) -> None:
        self.response = response
        self.requests: list[ApiRequest] = []

    def __call__(self, request: ApiRequest) -> ApiResponse:
        self.requests.append(request)
        return self.response


async def test_request_translation_joins_body_parts_and_repeated_headers() -> None:
    handler = Recorder(ApiResponse(200, [("content-type", "application/json")], b"{}"))
    scope = http_scope("post", "/v1/threads", b"a=1&b=&include[]=x",
                       [(b"OpenAI-Beta", b"assistants=v2"), (b"x-many", b"1"), (b"x-many", b"2")])
    driver = Driver([{"type": "http.request", "body": b'{"me', "more_body": True},
                     {"type": "http.request", "body": b'ta": 1}', "more_body": False}])

    await AsgiApp(handler)(scope, driver.receive, driver.send)

    (request,) = handler.requests
    assert request.method == "POST"
    assert request.path == "/v1/threads"
    assert request.query == (("a", "1"), ("b", ""), ("include[]", "x"))
    assert request.header("openai-beta") == "assistants=v2"
    assert request.header("x-many") == "1, 2"
    assert request.body == b'{"meta": 1}'
    assert driver.sent == [
        {"type": "http.response.start", "status": 200,
         "headers": [(b"content-type", b"application/json"), (b"content-length", b"2")]},
        {"type": "http.response.body", "body": b"{}", "more_body": False},
    ]


async def test_a_stream_is_sent_chunk_by_chunk() -> None:
    chunks = [b"event: a\ndata: 1\n\n", b"event: b\ndata: 2\n\n", b"event: done\ndata: [DONE]\n\n"]
    handler = Recorder(ApiResponse(200, [("content-type", "text/event-stream; charset=utf-8")], iter(chunks)))
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}])

    await AsgiApp(handler)(http_scope(), driver.receive, driver.send)

    start, *bodies = driver.sent
    assert start["headers"] == [(b"content-type", b"text/event-stream; charset=utf-8")]  # no content-length
    assert bodies == [{"type": "http.response.body", "body": c, "more_body": True} for c in chunks] + [
        {"type": "http.response.body", "body": b"", "more_body": False}
    ]


def closing_stream(produced: list[int], closed: list[bool]) -> Iterator[bytes]:
    try:
        for number in range(1000):
            produced.append(number)
            yield f"event: n\ndata: {number}\n\n".encode()
    finally:
        closed.append(True)


async def test_a_disconnect_mid_stream_closes_the_iterator() -> None:
    produced: list[int] = []
    closed: list[bool] = []
    handler = Recorder(ApiResponse(200, [], closing_stream(produced, closed)))
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}], disconnect_after_sends=3)

    await AsgiApp(handler)(http_scope(), driver.receive, driver.send)

    assert closed == [True]
    assert len(produced) < 10  # stopped right after the client left, not at the end of the stream
    assert all(m.get("more_body", False) for m in driver.sent[1:])  # never claimed to have finished


async def test_a_client_gone_before_its_body_arrived_is_not_answered() -> None:
    handler = Recorder(ApiResponse(200, [], b"{}"))
    driver = Driver([{"type": "http.request", "body": b"{", "more_body": True}, {"type": "http.disconnect"}])

    await AsgiApp(handler)(http_scope("POST"), driver.receive, driver.send)

    assert handler.requests == []
    assert driver.sent == []


async def test_lifespan_startup_and_shutdown() -> None:
    driver = Driver([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])

    await AsgiApp(Recorder(ApiResponse(200, [], b"")))({"type": "lifespan"}, driver.receive, driver.send)

    assert driver.sent == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]


async def test_websocket_scopes_are_refused() -> None:
    driver = Driver([])
    with pytest.raises(ValueError, match="HTTP only"):
        await AsgiApp(Recorder(ApiResponse(200, [], b"")))({"type": "websocket"}, driver.receive, driver.send)


def failing(kind: Any) -> Any:
    def handler(request: ApiRequest) -> ApiResponse:
        raise TransportFault(kind)

    return handler


async def test_an_injected_connection_error_drops_the_connection() -> None:
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}])

    with pytest.raises(ConnectionDropped):
        await AsgiApp(failing("connection_error"))(http_scope(), driver.receive, driver.send)

    (start,) = driver.sent  # a response the client cannot complete: its one promised byte never comes
    assert start["headers"] == [(b"content-length", b"1")]


async def test_an_injected_timeout_holds_the_request_until_the_client_leaves() -> None:
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}])
    app = AsgiApp(failing("timeout"))

    task = asyncio.ensure_future(app(http_scope(), driver.receive, driver.send))
    await asyncio.sleep(0)
    assert not task.done()  # still holding
    driver.gone.set()  # the client timed out and closed the connection
    await task

    assert driver.sent == []


# -- the served fake: the API-key check and routing -----------------------------------------------------


def test_check_api_key() -> None:
    assert check_api_key(None, None) is None
    assert check_api_key("Bearer sk-right", "sk-right") is None
    missing = check_api_key(None, "sk-right")
    wrong = check_api_key("Bearer sk-short", "sk-right")
    not_bearer = check_api_key("Basic sk-right", "sk-right")
    assert missing is not None and wrong is not None and not_bearer is not None
    assert (missing.status, missing.code, missing.type) == (401, None, "invalid_request_error")
    assert missing.message.startswith("You didn't provide an API key.")
    assert not_bearer.message == missing.message
    assert (wrong.status, wrong.code) == (401, "invalid_api_key")
    assert wrong.message == ("Incorrect API key provided: sk-short. "
                             "You can find your API key at https://platform.openai.com/account/api-keys.")


def test_served_fake_routes_the_api_and_the_control_api() -> None:
    served = ServedFake(FakeAssistants(seed=0))
    api = served(ApiRequest.build("GET", "/v1/assistants", headers={"OpenAI-Beta": "assistants=v2"}))
    control = served(ApiRequest.build("GET", "/__fake__/health"))
    unknown = served(ApiRequest.build("GET", "/__fakes__/health"))

    assert (api.status, json.loads(api.body)["object"]) == (200, "list")  # type: ignore[arg-type]
    assert (control.status, json.loads(control.body)) == (200, {"status": "ok"})  # type: ignore[arg-type]
    assert unknown.status == 404  # not the control prefix: the API's own "Invalid URL"


# -- import rules ----------------------------------------------------------------------------------------


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


def test_the_asgi_app_imports_no_http_library() -> None:
    assert imported_roots(PACKAGE / "server" / "asgi.py") & HTTP_LIBRARIES == set()


def test_only_server_py_imports_uvicorn() -> None:
    importers = sorted(p.relative_to(PACKAGE).as_posix() for p in PACKAGE.rglob("*.py")
                       if "uvicorn" in imported_roots(p))
    assert importers == ["server/threaded.py"]


class Waiting:
    """A handler whose `may_wait` names the requests under /v1/threads; it notes the thread that answered, and
    streams chunks noting the thread that made each, then whether they were closed."""

    def __init__(self) -> None:
        self.answered_on: list[int] = []
        self.made_on: list[int] = []
        self.daemon: list[bool] = []  # whether each thread that answered or made a chunk was a daemon thread
        self.closed = False

    def may_wait(self, request: ApiRequest) -> bool:
        return request.path.startswith("/v1/threads")

    def __call__(self, request: ApiRequest) -> ApiResponse:
        self.answered_on.append(threading.get_ident())
        self.daemon.append(threading.current_thread().daemon)
        return ApiResponse(200, [("content-type", "text/event-stream")], self.chunks())

    def chunks(self) -> Iterator[bytes]:
        try:
            for n in range(3):
                self.made_on.append(threading.get_ident())
                self.daemon.append(threading.current_thread().daemon)
                yield f"event: e\ndata: {n}\n\n".encode()
        finally:
            self.closed = True


async def test_a_request_that_may_wait_on_a_model_is_answered_and_streamed_on_worker_threads() -> None:
    handler = Waiting()
    app = AsgiApp(handler)
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}])

    await app(http_scope("POST", "/v1/threads/thread_1/runs"), driver.receive, driver.send)
    app.close()

    loop_thread = threading.get_ident()
    assert handler.answered_on and loop_thread not in handler.answered_on + handler.made_on
    assert handler.daemon == [True] * 4  # a model that never answers keeps no process from exiting
    assert driver.body == b"".join(f"event: e\ndata: {n}\n\n".encode() for n in range(3))
    assert handler.closed


async def test_any_other_request_is_answered_on_the_event_loop() -> None:
    handler = Waiting()
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}])

    await AsgiApp(handler)(http_scope("GET", "/v1/assistants"), driver.receive, driver.send)

    assert handler.answered_on == [threading.get_ident()] and set(handler.made_on) == {threading.get_ident()}


async def test_a_stream_made_on_workers_stops_and_is_closed_when_the_client_goes() -> None:
    handler = Waiting()
    app = AsgiApp(handler)
    driver = Driver([{"type": "http.request", "body": b"", "more_body": False}], disconnect_after_sends=2)

    await app(http_scope("POST", "/v1/threads/thread_1/runs"), driver.receive, driver.send)
    app.close()

    assert len(handler.made_on) < 3 and handler.closed


def test_the_served_fake_answers_requests_on_runs_on_workers_while_a_model_may_answer_them() -> None:
    fake = FakeAssistants()
    served = ServedFake(fake)

    def waits(method: str, path: str) -> bool:
        return served.may_wait(ApiRequest(method, path, (), {}, b""))

    on_runs = [("GET", "/v1/threads/thread_1/runs/run_1"), ("POST", "/v1/threads/runs"),
               ("POST", "/__fake__/runs/run_1/advance"), ("GET", "/__fake__/state")]
    fake.script.reply("scripted turns never wait")
    assert not any(waits(*request) for request in on_runs)  # on the event loop: no hand-over to pay

    fake.script.respond_with(lambda context: "a model's answer")
    assert all(waits(*request) for request in on_runs)
    assert not waits("GET", "/v1/assistants") and not waits("POST", "/v1/files")
    assert not waits("GET", "/__fake__/calls")

    fake.script.clear()
    fake.script.fallback = lambda context: "a model behind every run"  # as `serve --model-base-url` sets it
    assert all(waits(*request) for request in on_runs)


def test_while_a_model_answers_requests_on_runs_go_to_workers_though_the_script_is_empty() -> None:
    fake = FakeAssistants()
    served = ServedFake(fake)
    called, go = threading.Event(), threading.Event()

    def held(context: Any) -> str:
        called.set()
        assert go.wait(30)
        return "answered"

    fake.script.respond_with(held)  # taken by the run: the script is empty while the model answers
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    polling = threading.Thread(target=lambda: client.beta.threads.create_and_run_poll(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]}), daemon=True)
    polling.start()
    assert called.wait(30)

    assert not fake.script.may_respond()
    assert served.may_wait(ApiRequest("GET", "/v1/threads/thread_1/runs", (), {}, b""))
    go.set()
    polling.join(30)
    assert not polling.is_alive() and fake.engine.models_answering == 0
    assert not served.may_wait(ApiRequest("GET", "/v1/threads/thread_1/runs", (), {}, b""))


def two_chunks(made_first: threading.Event, go: threading.Event, closed: threading.Event) -> Iterator[bytes]:
    """A stream's chunks: the second is made once `go` is set (a worker makes it meanwhile); `closed` once over."""
    try:
        yield b"event: a\ndata: 1\n\n"
        made_first.set()
        assert go.wait(30)
        yield b"event: b\ndata: 2\n\n"
    finally:
        closed.set()


async def test_a_stream_cancelled_at_shutdown_while_a_worker_makes_a_chunk_is_still_closed() -> None:
    made_first, go, closed = threading.Event(), threading.Event(), threading.Event()

    workers = ThreadPoolExecutor(2)
    driver = Driver([])
    task = asyncio.ensure_future(send_stream(two_chunks(made_first, go, closed), driver.receive, driver.send, workers))
    assert await asyncio.get_running_loop().run_in_executor(None, made_first.wait, 30)
    task.cancel()  # uvicorn's graceful shutdown gave up on the stream while a worker makes its next chunk
    await asyncio.sleep(0)
    workers.shutdown(wait=False)  # the app's close() at the lifespan's shutdown
    go.set()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert closed.is_set()  # closed on the event loop, the workers being gone
    assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []  # no watcher left behind


async def test_a_stream_cancelled_twice_while_a_worker_makes_a_chunk_is_still_closed() -> None:
    """A second cancel (a server giving up on the stream, then on its clean-up) no longer leaves the chunks open:
    they are closed once the worker has made its chunk, so the run they read is handed back to the polls."""
    made_first, go, closed = threading.Event(), threading.Event(), threading.Event()

    workers = ThreadPoolExecutor(2)
    driver = Driver([])
    made = two_chunks(made_first, go, closed)  # held here, as the journal holds a response: not closed by being let go
    task = asyncio.ensure_future(send_stream(made, driver.receive, driver.send, workers))
    loop = asyncio.get_running_loop()
    assert await loop.run_in_executor(None, made_first.wait, 30)
    task.cancel()
    await asyncio.sleep(0)  # the task is in its clean-up now, waiting for the worker's chunk
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not closed.is_set()  # the worker still makes its chunk: the chunks cannot be closed yet

    go.set()
    assert await loop.run_in_executor(None, closed.wait, 30)
    workers.shutdown(wait=True)
    assert made.gi_frame is None  # over
