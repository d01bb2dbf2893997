"""A small scripted chat-completions server for the responder tests: stdlib http.server on loopback, in a thread.

Queue answers with `text`, `tool_calls`, `status` (an error answer) or `hold` (answers only when the test ends:
a timeout); each request's JSON body is kept in `requests`. A streamed request gets its answer as chunks.

As a script, it serves until stopped and prints its base URL first:

    python tests/support/chat_backend.py --port 0 --flow node

`--flow node` queues the answers tests/server/node/assistants_flow.mjs expects (what its script would say);
`--reply TEXT` and `--call NAME JSON` queue answers of one's own, in the order given.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Answer:
    text: str = ""
    tool_calls: list[tuple[str, str, str]] = field(default_factory=list)  # (id, name, arguments)
    finish_reason: str | None = None
    status: int = 200
    hold: bool = False
    usage: tuple[int, int] = (11, 7)
    # streamed: sent after the first text chunk, then the backend waits for this event before the rest
    gate: threading.Event | None = None
    gate_timed_out: bool = False  # the event never came: the fake waited for the whole answer (a bounded wait)
    raw: tuple[str, bytes] | None = None  # (content type, body): sent as it is with a 200, streamed request or not
    whole: bool = False  # a whole JSON answer even to a streamed request (a proxy that does not stream)


GATE_SECONDS = 30  # a bound, not a timing: past it the test fails instead of hanging


@dataclass
class ChatBackend:
    url: str = ""
    answers: list[Answer] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)
    released: threading.Event = field(default_factory=threading.Event)

    def reply(self, text: str, **options: Any) -> ChatBackend:
        self.answers.append(Answer(text=text, **options))
        return self

    def call(self, *calls: tuple[str, str, str]) -> ChatBackend:
        self.answers.append(Answer(tool_calls=list(calls)))
        return self

    def fail(self, status: int) -> ChatBackend:
        self.answers.append(Answer(status=status))
        return self

    def send_raw(self, content_type: str, body: bytes) -> ChatBackend:
        self.answers.append(Answer(raw=(content_type, body)))
        return self

    def hold(self) -> ChatBackend:
        self.answers.append(Answer(hold=True))
        return self

    def next_answer(self) -> Answer:
        return self.answers.pop(0) if self.answers else Answer(text="(no answer scripted)")


def completion(answer: Answer) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": answer.text or None}
    if answer.tool_calls:
        message["tool_calls"] = [{"id": i, "type": "function", "function": {"name": n, "arguments": a}}
                                 for i, n, a in answer.tool_calls]
    finish = answer.finish_reason or ("tool_calls" if answer.tool_calls else "stop")
    prompt, done = answer.usage
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "scripted",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {"prompt_tokens": prompt, "completion_tokens": done, "total_tokens": prompt + done}}


def chunks(answer: Answer) -> Iterator[dict[str, Any]]:
    base = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "scripted"}
    yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]}
    for word in answer.text.split(" ") if answer.text else []:
        piece = word if word == answer.text.split(" ")[0] else f" {word}"
        yield {**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
    for index, (call_id, name, arguments) in enumerate(answer.tool_calls):
        yield {**base, "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}]},
            "finish_reason": None}]}
        for half in (arguments[: len(arguments) // 2], arguments[len(arguments) // 2:]):
            yield {**base, "choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": index, "function": {"arguments": half}}]}, "finish_reason": None}]}
    finish = answer.finish_reason or ("tool_calls" if answer.tool_calls else "stop")
    yield {**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
    prompt, done = answer.usage
    yield {**base, "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": done,
                                            "total_tokens": prompt + done}}


def handler_for(backend: ChatBackend) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            backend.requests.append(body)
            answer = backend.next_answer()
            if answer.hold:
                backend.released.wait()
                return
            if answer.status != 200:
                self.send_json(answer.status, {"error": {"message": f"scripted {answer.status}", "type": "x"}})
            elif answer.raw is not None:
                self.send_response(200)
                self.send_header("Content-Type", answer.raw[0])
                self.send_header("Content-Length", str(len(answer.raw[1])))
                self.end_headers()
                self.wfile.write(answer.raw[1])
            elif body.get("stream") and not answer.whole:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                for index, chunk in enumerate(chunks(answer)):
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                    if index == 1 and answer.gate is not None and not answer.gate.wait(GATE_SECONDS):
                        answer.gate_timed_out = True
                self.wfile.write(b"data: [DONE]\n\n")
            else:
                self.send_json(200, completion(answer))

        def send_json(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def chat_backend() -> Iterator[ChatBackend]:
    backend = ChatBackend()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(backend))
    server.daemon_threads = True
    backend.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield backend
    finally:
        backend.released.set()
        server.shutdown()
        server.server_close()


# What tests/server/node/assistants_flow.mjs's script says, as a model's answers (a call: name, arguments).
NODE_FLOW: list[str | tuple[str, str]] = [
    "x = 1, Jane.",
    "Three times one plus eleven is fourteen.",
    ("get_weather", '{"city": "Paris"}'),
    "It is sunny in Paris.",
]


class _Queue(argparse.Action):
    """--reply and --call share one list, in the order they are given."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option: str | None = None) -> None:
        queued = getattr(namespace, "answers", None) or []
        queued.append(values[0] if option == "--reply" else (values[0], values[1]))
        namespace.answers = queued


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A scripted chat-completions backend on loopback, for tests.")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--flow", choices=["node"], help="queue the answers of a known flow")
    parser.add_argument("--reply", nargs=1, action=_Queue, dest="answers", metavar="TEXT")
    parser.add_argument("--call", nargs=2, action=_Queue, dest="answers", metavar=("NAME", "JSON"))
    args = parser.parse_args(argv)
    backend = ChatBackend()
    for index, answer in enumerate([*(NODE_FLOW if args.flow == "node" else []), *(args.answers or [])]):
        if isinstance(answer, str):
            backend.reply(answer)
        else:
            backend.call((f"call-{index}", *answer))
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_for(backend))
    server.daemon_threads = True
    print(f"http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
