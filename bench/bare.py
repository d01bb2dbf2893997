"""A bare handler: a reference for the goals, doing per request only what any fake must, written plainly.

It answers the quickstart's six requests through the fake's own transport adapter (`fake.handle` replaced),
doing only what any fake must: read the JSON body, draw a seeded id, build the answer's JSON object (the
shape the fake answers with, taken from its recorded answers), keep the objects a later request reads,
encode the answer as the fake does (indented, as the real service sent it) and give it the fake's headers.
No validation, no error envelope, no journal, no run state machine, no layers: one function.

What it costs over the canned floor is what the transport adapter, a few dictionaries, an id and two JSON
calls cost per request: a reference for the fake's own figures. Any design of the fake does all of this and
more (validates, keeps state in tables, records the journal), so a goal near the bare handler's figure leaves
little for the rest. It is written plainly, not tuned. It is not a fake: it answers only the quickstart.
"""

from __future__ import annotations

import json
import random
import string
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import Any

import canned
import flows
import orjson

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants

ALPHABET = string.ascii_letters + string.digits
COLLECTIONS = ("assistants", "threads", "messages", "runs")
REPLY = "I can help with that."


class BareHandler:
    """The quickstart's requests answered in one function, from the fake's recorded answers' shapes."""

    def __init__(self, templates: dict[tuple[str, str], dict[str, Any]]) -> None:
        self.templates = templates
        self.objects = random.Random("0:objects")
        self.requests = random.Random("0:requests")
        self.assistants: dict[str, dict[str, Any]] = {}
        self.threads: dict[str, tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}

    def new_id(self, prefix: str) -> str:
        return prefix + "".join(self.objects.choices(ALPHABET, k=24))

    def __call__(self, request: ApiRequest) -> ApiResponse:
        method, parts = request.method, request.path.split("/")
        body = orjson.loads(request.body) if request.body else {}
        now = int(time.time())
        kind = parts[-1] if parts[-1] in COLLECTIONS else "id"
        template = self.templates[(method, kind)]
        if kind == "assistants":
            wire = {**template, "id": self.new_id("asst_"), "created_at": now, "name": body.get("name"),
                    "model": body["model"], "instructions": body.get("instructions"), "tools": body.get("tools", [])}
            self.assistants[wire["id"]] = wire
        elif kind == "threads":
            wire = {**template, "id": self.new_id("thread_"), "created_at": now}
            self.threads[wire["id"]] = ([], {})
        elif kind == "messages" and method == "POST":
            messages = self.threads[parts[3]][0]
            wire = {**template, "id": self.new_id("msg_"), "created_at": now, "thread_id": parts[3],
                    "content": [{"type": "text", "text": {"value": body["content"], "annotations": []}}]}
            messages.append(wire)
        elif kind == "messages":
            messages = self.threads[parts[3]][0]
            wire = {**template, "data": messages[::-1], "first_id": messages[-1]["id"], "last_id": messages[0]["id"]}
        elif kind == "runs":
            assistant = self.assistants[body["assistant_id"]]
            wire = {**template, "id": self.new_id("run_"), "created_at": now, "thread_id": parts[3],
                    "assistant_id": assistant["id"], "status": "queued", "instructions": body.get("instructions"),
                    "tools": assistant["tools"]}
            self.threads[parts[3]][1][wire["id"]] = wire
        else:  # the poll: the run completes with a step and the assistant's reply
            messages, runs = self.threads[parts[3]]
            run = runs[parts[5]]
            self.new_id("step_")
            messages.append({**messages[0], "id": self.new_id("msg_"), "role": "assistant", "run_id": run["id"],
                             "assistant_id": run["assistant_id"],
                             "content": [{"type": "text", "text": {"value": REPLY, "annotations": []}}]})
            run.update(status="completed", started_at=now, completed_at=now, usage=template.get("usage"))
            wire = {**template, "id": run["id"], "thread_id": run["thread_id"], "assistant_id": run["assistant_id"],
                    "created_at": run["created_at"]}
        headers = [("content-type", "application/json"), ("date", formatdate(now, usegmt=True)),
                   ("x-request-id", f"req_{self.requests.getrandbits(128):032x}"),
                   ("openai-organization", "org-fake-assistants"), ("openai-version", "2020-10-01"),
                   ("openai-processing-ms", "1"), ("openai-poll-after-ms", "0")]
        return ApiResponse(200, headers, orjson.dumps(wire, option=orjson.OPT_INDENT_2))


def templates() -> dict[tuple[str, str], dict[str, Any]]:
    """The fake's answers to one quickstart, by method and the path's last segment (or `id`)."""
    answers = canned.record(flows.quickstart, flows.fake_client)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for (method, path), (_, _, body) in answers.items():
        last = path.rsplit("/", 1)[-1]
        found[(method, last if last in COLLECTIONS else "id")] = json.loads(body)
    return found


def case() -> Callable[[], Callable[[], object]]:
    """A `timing.interleaved` case: the quickstart through the SDK and the fake's adapter, on a bare handler."""
    shapes = templates()

    def setup() -> Callable[[], object]:
        fake = FakeAssistants(seed=0)  # for its transport adapter only
        fake.handle = BareHandler(shapes)  # type: ignore[method-assign]  # before the client: its transport's handler
        client = flows.fake_client(fake)
        return lambda: flows.quickstart(client)

    return setup
