"""`FakeAssistants.serve()`: the fake on a real socket in a background thread, for Python tests."""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import openai
import pytest
from typing_extensions import override

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from server_support import async_sdk, read_line, sdk

CLIENTS = 50
RUNS_PER_CLIENT = 20


def test_serve_is_a_context_manager_with_a_base_url() -> None:
    fake = FakeAssistants(seed=0)
    with fake.serve() as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert server.address[0] == "127.0.0.1"
        client = sdk(server.base_url)
        assistant = client.beta.assistants.create(model="gpt-4o", name="Math Tutor")
        client.close()
        address = server.address
    assert fake.store.assistants.get(assistant.id) is not None  # the same fake, in this process
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(address, timeout=5).close()


def test_start_and_stop_without_with() -> None:
    server = FakeAssistants(seed=0).serve().start()
    try:
        assert sdk(server.base_url).beta.threads.create().object == "thread"
    finally:
        server.stop()
    with pytest.raises(RuntimeError, match="already been started"):
        server.start()


def test_the_address_after_the_with_block_says_the_server_stopped() -> None:
    with FakeAssistants(seed=0).serve() as server:
        assert server.base_url.startswith("http://127.0.0.1:")
    for name in ("base_url", "port", "address"):
        with pytest.raises(RuntimeError, match=r"the server has stopped \(its `with fake.serve\(\) as server:` block "
                                               r"ended, or stop\(\) was called\)"):
            getattr(server, name)


def test_a_stop_before_the_start_leaves_the_server_startable() -> None:
    server = FakeAssistants(seed=0).serve()
    server.stop()  # a cleanup that runs first
    with server:
        assert sdk(server.base_url).beta.threads.create().object == "thread"


def test_base_url_before_start_says_how_to_start() -> None:
    with pytest.raises(RuntimeError, match=r"with fake\.serve"):
        _ = FakeAssistants(seed=0).serve().base_url


async def test_async_client_streams_over_the_socket() -> None:
    fake = FakeAssistants(seed=0)
    fake.script.reply("Three times x plus eleven is fourteen, so x is one.")
    with fake.serve() as server:
        client = async_sdk(server.base_url)
        assistant = await client.beta.assistants.create(model="gpt-4o")
        thread = await client.beta.threads.create(messages=[{"role": "user", "content": "3x + 11 = 14"}])
        async with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            events = [event.event async for event in stream]
            run = await stream.get_final_run()
            text = (await stream.get_final_messages())[0].content[0].text.value  # type: ignore[union-attr]
        await client.close()
    assert events[:3] == ["thread.run.created", "thread.run.queued", "thread.run.in_progress"]
    assert events[-1] == "thread.run.completed"
    assert "thread.message.delta" in events
    assert run.status == "completed"
    assert text == "Three times x plus eleven is fourteen, so x is one."


def test_sync_stream_with_event_handler_and_tool_outputs() -> None:
    fake = FakeAssistants(seed=0)
    fake.script.call_function("get_weather", {"city": "Paris"}).reply("It is sunny in Paris.")

    class Handler(openai.AssistantEventHandler):
        def __init__(self) -> None:
            super().__init__()
            self.names: list[str] = []

        @override
        def on_event(self, event: Any) -> None:
            self.names.append(event.event)

    with fake.serve() as server:
        client = sdk(server.base_url)
        assistant = client.beta.assistants.create(
            model="gpt-4o",
            tools=[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}],
        )
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
        first = Handler()
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id,
                                             event_handler=first) as stream:
            stream.until_done()
        run = first.current_run
        assert run is not None and run.required_action is not None
        call = run.required_action.submit_tool_outputs.tool_calls[0]
        second = Handler()
        with client.beta.threads.runs.submit_tool_outputs_stream(
            thread_id=thread.id, run_id=run.id, tool_outputs=[{"tool_call_id": call.id, "output": "sunny"}],
            event_handler=second,
        ) as stream:
            stream.until_done()
        client.close()
    assert call.function.name == "get_weather"
    assert first.names[-1] == "thread.run.requires_action"
    assert second.names[-1] == "thread.run.completed"
    final = second.get_final_messages()
    assert final[0].content[0].text.value == "It is sunny in Paris."  # type: ignore[union-attr]


# -- a client killed mid-stream ----------------------------------------------------------------------

# A client that starts a streamed run with a tiny receive buffer, reports once the first text delta has
# arrived, then waits to be killed: the server is left mid-stream with a full socket.
STREAMING_CLIENT = textwrap.dedent(
    """
    import json, socket, sys

    host, port, assistant_id = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    body = json.dumps({"assistant_id": assistant_id, "stream": True,
                       "thread": {"messages": [{"role": "user", "content": "a long answer, please"}]}}).encode()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, port))
    head = (f"POST /v1/threads/runs HTTP/1.1\\r\\nHost: {host}:{port}\\r\\nOpenAI-Beta: assistants=v2\\r\\n"
            f"Content-Type: application/json\\r\\nContent-Length: {len(body)}\\r\\n\\r\\n")
    sock.sendall(head.encode() + body)
    seen = b""
    while b"thread.message.delta" not in seen:
        chunk = sock.recv(4096)
        if not chunk:
            sys.exit("the stream ended early")
        seen = seen[-64:] + chunk
    print("streaming", flush=True)
    sys.stdin.read()
    """
)
CHUNK_CHARS = 65_536
LONG_ANSWER_CHUNKS = 256  # 16 MiB of text: far more than the socket buffers between server and client hold


class StreamWatch:
    """How far the server read one stream body, and whether it closed it."""

    def __init__(self, body: Iterator[bytes]) -> None:
        self.body = body
        self.closed = threading.Event()
        self.chunks = 0
        self.finished = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.body:
                self.chunks += 1
                yield chunk
            self.finished = True
        finally:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
            self.closed.set()


class StreamWatches:
    """Wraps `fake.handle`: every stream body the server gets is watched, in order."""

    def __init__(self, fake: FakeAssistants) -> None:
        self.inner = fake.handle
        self.streams: list[StreamWatch] = []

    def __call__(self, request: ApiRequest) -> ApiResponse:
        response = self.inner(request)
        if response.is_stream:
            watch = StreamWatch(response.body)  # type: ignore[arg-type]
            self.streams.append(watch)
            response.body = iter(watch)
        return response


def test_a_client_killed_mid_stream_stops_the_stream_and_others_are_served() -> None:
    fake = FakeAssistants(seed=0, stream_chunk_chars=CHUNK_CHARS)
    fake.script.reply("x" * (CHUNK_CHARS * LONG_ANSWER_CHUNKS))
    fake.set_progression("manual")  # nothing but the stream moves the run
    watches = StreamWatches(fake)
    fake.handle = watches  # type: ignore[method-assign]
    with fake.serve() as server:
        client = sdk(server.base_url)
        assistant = client.beta.assistants.create(model="gpt-4o")
        host, port = server.address
        child = subprocess.Popen([sys.executable, "-c", STREAMING_CLIENT, host, str(port), assistant.id],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert read_line(child.stdout, time.monotonic() + 60) == "streaming\n"
        finally:
            child.kill()
            child.communicate(timeout=30)
        (watch,) = watches.streams
        assert watch.closed.wait(30), "the server kept the abandoned stream open"

        abandoned = _only_run(fake)
        fake.set_progression("immediate")
        fake.script.reply("Short answer.")
        thread = client.beta.threads.create(messages=[{"role": "user", "content": "and you?"}])
        with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
            stream.until_done()
            other = stream.get_final_run()
        client.close()
    assert not watch.finished
    assert watch.chunks < LONG_ANSWER_CHUNKS  # production stopped with the client, long before the end
    assert abandoned["status"] == "in_progress"
    assert other.status == "completed"


def _only_run(fake: FakeAssistants) -> dict[str, Any]:
    with fake.app.lock:
        runs = [run for table in fake.store.runs.values() for run in table.values()]
        assert len(runs) == 1
        return {"id": runs[0].id, "status": runs[0].status}


# -- many clients at once ----------------------------------------------------------------------------


class Client:
    """One client with its own keep-alive connection: plain `http.client`, light enough that 50 of them
    in threads load the server rather than the SDK's own per-request work."""

    HEADERS = {"OpenAI-Beta": "assistants=v2", "Content-Type": "application/json",
               "Authorization": "Bearer sk-test"}

    def __init__(self, address: tuple[str, int]) -> None:
        self.connection = http.client.HTTPConnection(*address, timeout=60)

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        payload = None if body is None else json.dumps(body)
        self.connection.request(method, "/v1" + path, body=payload, headers=self.HEADERS)
        response = self.connection.getresponse()
        data = json.loads(response.read())
        assert response.status == 200, data
        return data  # type: ignore[no-any-return]

    def run_to_the_end(self, thread_id: str, assistant_id: str) -> str:
        """Create a run and poll it until it is terminal, as `create_and_poll` does."""
        run = self.call("POST", f"/threads/{thread_id}/runs", {"assistant_id": assistant_id})
        for _ in range(100):
            if run["status"] not in ("queued", "in_progress", "cancelling"):
                return str(run["status"])
            run = self.call("GET", f"/threads/{thread_id}/runs/{run['id']}")
        raise AssertionError(f"run {run['id']} never ended")


def _client_session(address: tuple[str, int], assistant_id: str, number: int) -> tuple[str, list[str]]:
    """One client: a thread and RUNS_PER_CLIENT turns, each a message and a polled run."""
    client = Client(address)
    try:
        thread = client.call("POST", "/threads", {"metadata": {"client": str(number)}})
        statuses = []
        for turn in range(RUNS_PER_CLIENT):
            client.call("POST", f"/threads/{thread['id']}/messages",
                        {"role": "user", "content": f"client {number} turn {turn}"})
            statuses.append(client.run_to_the_end(thread["id"], assistant_id))
        return thread["id"], statuses
    finally:
        client.connection.close()


def test_fifty_concurrent_clients_lose_no_message() -> None:
    fake = FakeAssistants(seed=0)
    with fake.serve() as server:
        assistant = sdk(server.base_url).beta.assistants.create(model="gpt-4o")
        with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
            sessions = list(pool.map(lambda n: _client_session(server.address, assistant.id, n), range(CLIENTS)))
        reader = sdk(server.base_url)
        listed = {thread_id: list(reader.beta.threads.messages.list(thread_id, order="asc", limit=100))
                  for thread_id, _ in sessions}
        reader.close()

    assert len({thread_id for thread_id, _ in sessions}) == CLIENTS
    for number, (thread_id, statuses) in enumerate(sessions):
        assert statuses == ["completed"] * RUNS_PER_CLIENT
        messages = listed[thread_id]
        assert [m.role for m in messages] == ["user", "assistant"] * RUNS_PER_CLIENT
        asked = [f"client {number} turn {turn}" for turn in range(RUNS_PER_CLIENT)]
        assert [m.content[0].text.value for m in messages[::2]] == asked  # type: ignore[union-attr]
        for question, answer in zip(messages[::2], messages[1::2], strict=True):
            assert answer.content[0].text.value.endswith(question.content[0].text.value)  # type: ignore[union-attr]
    _check_invariants(fake)


def _check_invariants(fake: FakeAssistants) -> None:
    with fake.app.lock:
        runs = [run for table in fake.store.runs.values() for run in table.values()]
        messages = [m for table in fake.store.messages.values() for m in table.values()]
        assert len(runs) == CLIENTS * RUNS_PER_CLIENT
        assert len({run.id for run in runs}) == len(runs)
        assert len(messages) == 2 * CLIENTS * RUNS_PER_CLIENT
        assert len({m.id for m in messages}) == len(messages)
        assert fake.store.active_runs == {}
        for run in runs:
            assert run.status == "completed"
            steps = list(fake.store.steps[run.id].values())
            assert [(s.type, s.status) for s in steps] == [("message_creation", "completed")]
