"""Replay real recorded API traffic against the fake and compare status codes and JSON key sets.

Ground truth is `../shared/conformance/recordings` (or `$FAKE_ASSISTANTS_SHARED`); without it the whole
module is skipped, so a fresh clone still passes. Each recording file is one test id; the bare
simple-openai fixtures have their own test, which builds an equivalent object through the fake.

How a recording file is replayed:

- A fresh `FakeAssistants(seed=0)` (shape "recorded") serving both Assistants versions receives the
  recorded method, path, query, body and OpenAI-Beta header of each interaction, in order. A header the
  recording lacks is not added (only file and vector-store requests lack it, and those routes do not
  need it). Its runs show `in_progress` to the first read and move on at the next (`replay_fake`).
- Assistants v1 interactions are replayed on the same fake, with `OpenAI-Beta: assistants=v1`: those
  with that header, those answered before v2 went live (`V2_LAUNCH`) and those in `RELABELED_V1` (a v2
  header edited into a v1 cassette). The threads and assistants they name that no kept interaction
  created are rebuilt first (`V1_REBUILT`); a recorded v1 run's model output is scripted (`V1_SCRIPTS`).
- File uploads (`POST /v1/files`) are rebuilt, not replayed: the .NET records keep no request body, and
  the ruby cassettes keep a lossy one (binary stored as text, long files cut at 4000 characters). The
  harness sends a real multipart/form-data upload instead: a `file` part named as the recorded answer's
  `filename`, holding exactly its `bytes` bytes of deterministic text, and a `purpose` part from the
  answer; for a recorded bad-purpose error, the purpose quoted in its message. So the fake ingests what
  the service did: a `.txt` upload completes in a vector store, a `.png` fails with `unsupported_file`.
- Recorded ids are mapped to the fake's ids from the answers: values at the same position of the
  recorded and the fake body (top-level `id`, list `data` items by position, nested `*_id` fields) are
  paired when both are ids with the same prefix; first pairing wins, one-to-one. Ids in later paths,
  queries and bodies are rewritten before sending.
- ruby-openai records one spec in several cassettes: setup cassettes (`*_setup`, `files_*_upload`)
  create the objects whose ids the main cassette uses. Each file stays its own test, but the files
  that created the ids it uses (same folder, found by id, transitively, dependencies first) are
  replayed before it on the same fake, without comparisons. So `messages_retrieve` really retrieves
  the message its setup cassettes created, instead of getting an expected, meaningless 404. A nested
  object counts under its parent too (see `recordings.prerequisites`): a vector-store file's id is its
  File's id, so `vector_store_files_retrieve` also gets the `*_vector_store_file_setup` that attached
  the File, not only the upload.

What is skipped rather than failed (the skip reason lists them when nothing was left to compare):

- Routes the fake does not implement (matched against `ALL_ROUTES`): not sent. The set of sent and
  compared routes grows by itself as routes are added.
- A success recorded for a placeholder id (`vs_abc123`: a known prefix, lowercase letters, digits) in
  its path or as its answer's `id`: the cassette was written by hand (ruby `vector_stores_search`), so
  there is no real answer to compare with and nothing the fake could reproduce. Not sent; requests
  naming what it "created" are then skipped in turn, as below.
- A recorded server error (5xx: "The server had an error processing your request"): a transient
  failure of the service, which the client then retried. Not sent; a mutating one taints as below.
- An interaction naming an id this replay never obtained (made by an unimplemented route, by a
  skipped request, or before the recording started; test-suite constants such as a fixed tool call id,
  `REQUEST_CONSTANTS`, do not count): not sent, since the fake could only
  answer 404 for an object the service knew. What it would have created is unknown in turn, so the
  requests depending on it are skipped too.
- A skipped request that changes state (e.g. submit_tool_outputs with unknown call ids) taints the
  objects in its path: later interactions naming them are sent, but not compared.
- Answers outside the scope (v2): a route is compared when all its successful recorded answers are
  objects of `COMPARED_OBJECTS` (one constant; lists count as their items). Its error answers (status
  and error keys) are compared too. Streamed (SSE) and file-content answers are not compared.
- Assistants v1 answers are all in scope (`V1_COMPARED_OBJECTS`: runs and run steps too, and streams).
  A v1 interaction that is not compared fails the test unless `V1_NOT_COMPARED` lists it with a reason.

How answers are compared: same status code; same recursive key set (`a.b`, list items as `a[].b`),
ignoring keys below `metadata`, `attributes`, `parameters` and `schema` (user data). A list is
compared envelope first, then item by item through the id map: items this replay did not create
(older objects of the recording account) are ignored, an item it created that the service listed
must be listed by the fake too, except on a page cut through objects created in the same second,
whose order is the service's own (`Collections.tie_ordered`). The fake may list more (its runs finish
at the second read, so their messages can appear earlier than in the recording). Messages written by
runs are compared like others, annotations included; their content comes from the fake's script.

Recorded v2 runs whose model output is known (`V2_SCRIPTS`: the file_search recordings, whose answer cites
`【4:0†favorite_foods.txt】`) are replayed with that answer scripted and compared fully: their runs finish at
the first read, as the recorded ones had when first read, and runs, run steps (the file_search step with its
results, then the message step) and streams (event order, each event's key set; the .NET stream is the
recording's `__stream.sse` twin) are compared too. The deliberate, documented
exceptions are `KNOWN_DEVIATIONS` (service quirks the fake does not imitate) and `LATER_ADDITIONS`
(keys the API gained after older recordings were made, for every object, one object type or one route).

Assistants v1 answers are compared more closely, against the last v1 era (2024-04-27), which the fake
shows: key order too (`V1_KEY_ORDER_SINCE`), error wordings word for word (`error_problems`), and a
stream by its event order (a run of deltas counted once) and the key set of each event name's data.
Their exceptions: `V1_LATER_ADDITIONS` (keys the older v1 eras, 2023-11-14 and 2024-03-27, lack),
`V1_STREAM_ORDER_EXCEPTIONS`, and `V1_DISAGREEMENTS`, answers the fake's v1 knowingly differs from,
which must keep differing, so that the table is exactly what is left.

The key-set comparison, its allowance tables (`KNOWN_DEVIATIONS`, `LATER_ADDITIONS`, `V1_LATER_ADDITIONS`,
`V1_STREAM_ORDER_EXCEPTIONS`, `RELABELED_V1`) and the rebuilt uploads live in tests/support (`recorded_answers`,
`uploads`): the cassette replay (test_cassettes_from_recordings.py) compares the same way.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from fake_assistants.api.routes import API_PREFIX
from fake_assistants.core.api_versions import ApiVersion
from fake_assistants.progression import after_polls, immediate
from fake_assistants.runs.script import Script
from recorded_answers import (
    V1_STREAM_ORDER_EXCEPTIONS,
    Events,
    Json,
    Where,
    answer_kinds,
    key_paths,
    kind,
    object_problems,
    paired_events,
    parse_stream,
    read,
    recorded_date,
    route_of,
    shape_of,
    stream_problems,
    version_of,
)
from recordings import (
    ID_PATTERN,
    RECORDINGS,
    SHARED_ENV,
    Interaction,
    Recording,
    id_prefix,
    load_all,
    load_fixtures,
    prerequisites,
    recordings_dir,
    shared_dir,
)
from uploads import LOREM, UPLOAD_ROUTE, Upload, recorded_texts, recorded_upload

ROOT = recordings_dir()
if ROOT is None:
    pytest.skip(
        f"shared recordings not found at {shared_dir() / RECORDINGS} (set {SHARED_ENV} to point elsewhere)",
        allow_module_level=True,
    )


# Response objects whose key sets are compared; a list counts as the objects it holds. A route is in
# scope when every successful answer recorded for it is one of these; its error answers (status and
# error keys) are then compared as well. Add "thread.run", "thread.run.step"... to widen the scope.
COMPARED_OBJECTS = frozenset(
    {
        "assistant",
        "assistant.deleted",
        "thread",
        "thread.deleted",
        "thread.message",
        "thread.message.deleted",
        "file",
        "vector_store",
        "vector_store.deleted",
        "vector_store.file",
        "vector_store.file.deleted",
        "vector_store.file_batch",
        "vector_store.files_batch",
        "vector_store.search_results.page",
    }
)

# Routes whose successful answer is raw bytes (a file download): compared by status code, since there are no
# keys; their error answers are compared by key set like any other.
RAW_ANSWER_ROUTES = frozenset({"files.content"})


# -- Assistants v1 ----------------------------------------------------------------------------------

# Every v1 answer is in scope: the recordings are few and simple, and the v1 view of the store is what
# they check, so runs and run steps (not compared under v2, where they are the script's) are compared too.
V1_COMPARED_OBJECTS = COMPARED_OBJECTS | {
    "thread.run", "thread.run.step", "assistant.file", "assistant.file.deleted", "thread.message.file",
}  # fmt: skip

# ruby-openai re-recorded its cassettes in place, and the history kept only some versions of the setup
# cassettes, so many v1 requests name a thread or an assistant no kept interaction created. A v1 request
# naming one gets it rebuilt first, as ruby-openai's v1 specs made it (not compared): id prefix -> (path, body).
V1_REBUILT: dict[str, tuple[str, Json]] = {
    "thread_": ("/threads", {}),  # the body of all 17 recorded v1 thread setups
    "asst_": ("/assistants", {"model": "gpt-4", "name": "OpenAI-Ruby test assistant"}),  # all 12 ruby v1 ones
}

# Ids a client sent that no service answer ever held: constants of a test suite, sent as they are.
REQUEST_CONSTANTS: dict[str, str] = {
    "call_Vfq8wpokTGewt0ubGCkeuwo1": "ruby-openai runs_submit_tool_outputs: the same tool call id in all four "
    "recordings of it (2023-11-14, 2024-04-27 twice, 2024-04-29), each for a run that never required action",
}

# v1 interactions that are not compared, each with why: (recording, interaction index) -> reason. The
# replay fails on a v1 interaction it does not compare unless it is listed here, and on a listed one
# it does compare, so this table is exactly what is left out.
V1_NOT_COMPARED: dict[tuple[str, int], str] = {}

# Recorded v1 answers the fake's v1 disagrees with, on purpose or not yet: (recording, index) -> reason.
# They are replayed and compared, and must still differ (see v1_accounting_problems).
V1_DISAGREEMENTS: dict[tuple[str, int], str] = {}


@dataclass(frozen=True, slots=True)
class V1Script:
    """What the model did in a recorded v1 run, queued on the fake's script before the recording is
    replayed (the fake does not think: its runs do what the script says, else a default reply)."""

    evidence: str
    turns: Callable[[Script], object]


V1_SCRIPTS: dict[str, V1Script] = {
    "ruby-openai/rb-vcr__runs_streamed_create": V1Script(
        "the answer ran into max_completion_tokens 16: thread.message.incomplete after 15 text deltas",
        lambda script: script.reply(
            "Columbia University has a strong commitment to diversity and inclusion. This extends not only to "
            "its students but also to its faculty and staff."
        ),
    ),
    "openllmetry/py-vcr-2024-03-V1__code-interpreter__streaming_new_assistant": V1Script(
        "a message first (the working so far), a code_interpreter step whose code printed `1.0`, then the answer",
        lambda script: script.say(
            "Yes, I'd be happy to help. To solve the equation \\(3x + 11 = 14\\), you'll want to isolate the "
            "variable \\(x\\) on one side of the equation. Let's perform these operations to find the value "
            "of \\(x\\)."
        ).code_interpreter("# calculation\r\nx = (14 - 11) / 3\r\nx", logs="1.0").reply(
            "After solving the equation, we find that \\(x = 1.0\\). So, the solution to the equation "
            "\\(3x + 11 = 14\\) is \\(x = 1\\)."
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class V2Script:
    """What the model did in a recorded v2 run, queued on the fake's script before the recording is replayed;
    the recording is then compared fully (runs, run steps, streams: see the module docstring)."""

    evidence: str
    turns: Callable[[Script], object]


def _favorite_food(source: str) -> V2Script:
    answer = f"Filip's favorite food is cake\u3010{source}\u2020favorite_foods.txt\u3011."
    return V2Script(
        f"a file_search step over favorite_foods.txt, then `{answer}` with a file_citation covering the marker",
        lambda script: script.reply(answer),
    )


V2_SCRIPTS: dict[str, V2Script] = {
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchWorks": _favorite_food("4:0"),
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchWorksAsync": _favorite_food("4:1"),
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorks": _favorite_food("4:0"),
    "openai-dotnet/cs-proxy__AssistantsTests__FileSearchStreamingWorksAsync": _favorite_food("4:0"),
}
# What a fully compared recording compares besides COMPARED_OBJECTS.
SCRIPTED_OBJECTS = COMPARED_OBJECTS | {"thread.run", "thread.run.step"}


def with_streams(recording: Recording) -> Recording:
    """A .NET recording with its streamed answer: the `__stream.sse` file beside it (one streamed request)."""
    twin = recording.path.with_name(f"{recording.path.stem}__stream.sse")
    if not twin.exists():
        return recording
    raw = twin.read_text(encoding="utf-8")
    interactions = tuple(
        replace(it, stream=raw) if it.response is None and 200 <= it.status < 300 and it.stream is None
        and isinstance(it.body, dict) and it.body.get("stream") else it
        for it in recording.interactions
    )
    return replace(recording, interactions=interactions)


def is_compared(body: Any, objects: frozenset[str] = COMPARED_OBJECTS) -> bool:
    return kind(body) == "error" or answer_kinds(body) <= objects


# -- ids --------------------------------------------------------------------------------------------


@dataclass
class IdMap:
    """Recorded id -> fake id, one-to-one."""

    forward: dict[str, str] = field(default_factory=dict)
    backward: dict[str, str] = field(default_factory=dict)

    def knows(self, recorded_id: str) -> bool:
        return recorded_id in self.forward

    def learn(self, recorded_id: str, fake_id: str) -> None:
        if recorded_id in self.forward or fake_id in self.backward:
            return
        if id_prefix(recorded_id) is None or id_prefix(recorded_id) != id_prefix(fake_id):
            return
        self.forward[recorded_id] = fake_id
        self.backward[fake_id] = recorded_id

    def learn_from(self, recorded: Any, got: Any) -> None:
        """Pair ids found at the same position (same key, same list index) of two bodies."""
        if isinstance(recorded, dict) and isinstance(got, dict):
            for key in recorded.keys() & got.keys():
                self.learn_from(recorded[key], got[key])
        elif isinstance(recorded, list) and isinstance(got, list):
            for recorded_item, fake_item in zip(recorded, got, strict=False):
                self.learn_from(recorded_item, fake_item)
        elif isinstance(recorded, str) and isinstance(got, str):
            self.learn(recorded, got)

    def rewrite(self, value: Any) -> Any:
        if isinstance(value, str):
            return ID_PATTERN.sub(lambda m: self.forward.get(m.group(0), m.group(0)), value)
        if isinstance(value, list):
            return [self.rewrite(item) for item in value]
        if isinstance(value, dict):
            return {key: self.rewrite(child) for key, child in value.items()}
        return value


# -- lists ------------------------------------------------------------------------------------------


def list_problems(recorded: Json, got: Json, ids: IdMap, ctx: Where, *, tie_ordered: bool = False) -> list[str]:
    """Envelope keys, then each listed item the replay created against the fake's item of the same id.

    `tie_ordered`: the page is a window (limit, after, before) through objects created in the same
    second. The service ordered those its own way (by insertion; by id in the 2025-10 `vsfb_ibj_`
    batches; a file still being attached, `created_at` 0, last), the fake by creation order, so the
    same window can hold other items: an item the fake lists elsewhere is then not a mismatch.
    """
    problems = object_problems("", _envelope(recorded), _envelope(got), ctx)
    fake_items = {item.get("id"): item for item in got.get("data") or []}
    for item in recorded.get("data") or []:
        fake_id = ids.forward.get(item.get("id"))
        if fake_id is None:
            continue  # an object this replay did not create
        if fake_id in fake_items:
            problems += object_problems(f"data[{item['id']}]: ", item, fake_items[fake_id], ctx)
        elif not tie_ordered:
            problems.append(f"data: item {item['id']} (fake {fake_id}) not listed")
    return problems


def _envelope(body: Json) -> Json:
    return {key: value for key, value in body.items() if key != "data"}


def body_problems(recorded: Json, got: Json, ids: IdMap, ctx: Where, *, tie_ordered: bool = False) -> list[str]:
    if kind(recorded) == "list" and kind(got) == "list":
        return list_problems(recorded, got, ids, ctx, tie_ordered=tie_ordered)
    return object_problems("", recorded, got, ctx)


WINDOW_PARAMS = frozenset({"limit", "after", "before"})


@dataclass
class Collections:
    """The `created_at` of every object the recorded answers showed, and which list path showed it."""

    stamps: dict[str, int] = field(default_factory=dict)  # recorded id -> created_at
    members: dict[str, set[str]] = field(default_factory=dict)  # recorded list path -> recorded ids

    def observe(self, it: Interaction) -> None:
        answer = it.response
        listed = (answer.get("data") or []) if kind(answer) == "list" and isinstance(answer, dict) else []
        for item in [answer, *listed]:
            if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("created_at"), int):
                self.stamps[item["id"]] = item["created_at"]
        if listed:
            self.members.setdefault(it.path, set()).update(i["id"] for i in listed if isinstance(i.get("id"), str))

    def tie_ordered(self, it: Interaction) -> bool:
        """Whether a recorded list page is a window whose edges or items share their second with other
        objects of the same list (see `list_problems`)."""
        params = dict(parse_qsl(it.query))
        if not WINDOW_PARAMS & params.keys() or not isinstance(it.response, dict):
            return False
        members = self.members.setdefault(it.path, set())
        members.update(params[p] for p in ("after", "before") if p in params)
        seconds = Counter(self.stamps[i] for i in members if i in self.stamps)
        on_page = [item.get("id") for item in it.response.get("data") or []]
        edges = [params.get("after"), params.get("before"), *on_page]
        return any(seconds[self.stamps[i]] > 1 for i in edges if isinstance(i, str) and i in self.stamps)


@cache
def routes_in_scope() -> frozenset[str]:
    """Implemented routes whose successful recorded answers are all of COMPARED_OBJECTS."""
    seen: dict[str, set[str | None]] = {}
    for recording in ALL:
        for it in recording.interactions:
            route = route_of(it)
            if route is not None and 200 <= it.status < 300 and isinstance(it.response, dict):
                seen.setdefault(route.name, set()).update(answer_kinds(it.response))
    return frozenset(name for name, kinds in seen.items() if kinds and kinds <= COMPARED_OBJECTS) | RAW_ANSWER_ROUTES


def encode_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def decode(response: ApiResponse) -> Any:
    return read(response)[0]


def replay_fake() -> FakeAssistants:
    """The fake a recording is replayed on: it serves Assistants v1 and v2, and its runs show `in_progress`
    to the first read and move on at the next, as the recorded runs were still in progress when first read."""
    return FakeAssistants(seed=0, api_versions=("v1", "v2"), progression=after_polls(1))


@dataclass
class Replay:
    """One fake (serving Assistants v1 and v2), its id map and what the replay of one recording file found."""

    fake: FakeAssistants = field(default_factory=lambda: replay_fake())
    scripted: bool = False  # V2_SCRIPTS: the model output is known, everything is compared
    texts: dict[str, bytes] = field(default_factory=dict)  # recorded file id -> its content (recorded_texts)
    ids: IdMap = field(default_factory=IdMap)
    tainted: dict[str, str] = field(default_factory=dict)  # recorded id -> the request that changed it
    mismatches: list[str] = field(default_factory=list)
    skips: Counter[str] = field(default_factory=Counter)
    compared: int = 0
    collections: Collections = field(default_factory=Collections)
    v1_outcomes: dict[int, str | None] = field(default_factory=dict)  # v1 index -> why not compared, or None
    v1_disagreeing: dict[int, list[str]] = field(default_factory=dict)  # V1_DISAGREEMENTS seen: index -> problems

    def run(self, recording: Recording, *, compare: bool) -> None:
        for it in recording.interactions:
            self.step(recording.name, it, compare=compare)

    def step(self, name: str, it: Interaction, *, compare: bool) -> None:
        self.collections.observe(it)
        version = version_of(name, it)
        if version == "v1":
            self.rebuild_v1(it)
        reason = self.why_not_sent(it)
        if reason is not None:
            if compare:
                self.skip(it, version, reason)
            if it.mutates:
                self.taint(it)
            return
        response = self.send(it, version)
        got, events = read(response)
        if 200 <= it.status < 300 and 200 <= response.status < 300:
            self.ids.learn_from(it.response, got)
            if it.stream is not None and events is not None:
                self.ids.learn_from(*paired_events(parse_stream(it.stream.encode()), events))
        if compare:
            self.check(name, it, version, response.status, got, events)

    def why_not_sent(self, it: Interaction) -> str | None:
        route = route_of(it)
        if route is None:
            return f"route not implemented: {shape_of(it)}"
        if it.hand_written():
            return f"hand-written answer (placeholder id): {shape_of(it)}"
        if it.status >= 500:
            return f"the service failed (5xx, retried by the client): {shape_of(it)}"
        if route.name == UPLOAD_ROUTE and recorded_upload(it) is None:
            return f"upload the recording does not describe: {shape_of(it)}"
        if any(not self.ids.knows(i) for i in it.referenced_ids() - REQUEST_CONSTANTS.keys()):
            return f"uses an object this replay could not create: {shape_of(it)}"
        return None

    def rebuild_v1(self, it: Interaction) -> None:
        """Make the threads and assistants a v1 request names that no kept interaction created (V1_REBUILT)."""
        for recorded_id in sorted(it.referenced_ids()):
            prefix = id_prefix(recorded_id)
            if self.ids.knows(recorded_id) or prefix not in V1_REBUILT:
                continue
            path, body = V1_REBUILT[prefix]
            request = ApiRequest.build("POST", API_PREFIX + path, headers=V1, body=encode_body(body))
            made = decode(self.fake.handle(request))
            assert isinstance(made, dict) and "id" in made, f"rebuilding {recorded_id}: {made}"
            self.ids.learn(recorded_id, made["id"])

    def skip(self, it: Interaction, version: ApiVersion, reason: str) -> None:
        self.skips[reason] += 1
        if version == "v1":
            self.v1_outcomes[it.index] = reason

    def taint(self, it: Interaction) -> None:
        for object_id in ID_PATTERN.findall(it.path):
            self.tainted.setdefault(object_id, shape_of(it))

    def send(self, it: Interaction, version: ApiVersion) -> ApiResponse:
        headers = {"OpenAI-Beta": "assistants=v1"} if version == "v1" else {"OpenAI-Beta": it.beta} if it.beta else {}
        body = encode_body(self.ids.rewrite(it.body))
        route = route_of(it)
        upload = recorded_upload(it) if route is not None and route.name == UPLOAD_ROUTE else None
        if upload is not None and isinstance(it.response, dict) and it.response.get("id") in self.texts:
            upload = replace(upload, text=self.texts[it.response["id"]])
        if upload is not None:
            headers["Content-Type"], body = upload.encode()
        request = ApiRequest.build(
            it.method,
            self.ids.rewrite(it.path),
            query=self.ids.rewrite(it.query),
            headers=headers,
            body=body,
        )
        return self.fake.handle(request)

    def why_not_compared(self, it: Interaction, version: ApiVersion) -> str | None:
        tainted = sorted({self.tainted[i] for i in it.referenced_ids() if i in self.tainted})
        if tainted:
            return f"state changed by an unreplayed {', '.join(tainted)}"
        if version == "v1":
            return v1_not_compared(it)
        if self.scripted:
            return scripted_not_compared(it)
        route = route_of(it)
        if route is None or route.name not in routes_in_scope():
            return f"route not compared: {route.name if route else shape_of(it)}"
        if it.response is None and route.name not in RAW_ANSWER_ROUTES:
            return f"recorded answer is not JSON (stream/file): {shape_of(it)}"
        if it.response is not None and not is_compared(it.response):
            return f"object not compared ({kind(it.response)}): {shape_of(it)}"
        return None

    def check(self, name: str, it: Interaction, version: ApiVersion, status: int, got: Any,
              events: Events | None) -> None:
        reason = self.why_not_compared(it, version)
        if reason is not None:
            self.skip(it, version, reason)
            return
        if version == "v1":
            self.v1_outcomes[it.index] = None
        self.compared += 1
        problems = self.problems(name, it, version, status, got, events)
        if version == "v1" and (name, it.index) in V1_DISAGREEMENTS:
            self.v1_disagreeing[it.index] = problems  # a known difference: checked to be still there
        elif problems:
            where = f"#{it.index} {it.method} {it.target}" + (" (Assistants v1)" if version == "v1" else "")
            self.mismatches.append(f"{where}:\n      " + "\n      ".join(problems))

    def problems(self, name: str, it: Interaction, version: ApiVersion, status: int, got: Any,
                 events: Events | None) -> list[str]:
        if status != it.status:
            detail = json.dumps(got)[:300] if got is not None else "(no JSON body)"
            return [f"status {status}, recorded {it.status}; fake answered {detail}"]
        route = route_of(it)
        ctx = Where(name, route.name if route else "", recorded_date(it), version)
        if it.stream is not None:
            return stream_problems(parse_stream(it.stream.encode()), events, ctx)
        if it.response is None:  # a raw answer (RAW_ANSWER_ROUTES): the status is all there is to compare
            return []
        if not isinstance(got, dict):
            return ["fake answer is not a JSON object"]
        problems = body_problems(it.response, got, self.ids, ctx, tie_ordered=self.collections.tie_ordered(it))
        return problems + (error_problems(it.response, got) if version == "v1" else [])


def error_problems(recorded: Json, got: Json) -> list[str]:
    """A v1 error is compared word for word: the few recorded are all state errors, whose wordings the
    error catalog holds (v2 errors are compared by keys, as their wordings are checked elsewhere)."""
    if kind(recorded) != "error":
        return []
    want, have = _error_fields(recorded), _error_fields(got)
    return [f"error {key} {have.get(key)!r}, recorded {value!r}" for key, value in want.items()
            if have.get(key) != value]


# The status a run had when a request came is the progression's: the service moved its runs in real time,
# the fake moves them on reads, so `Runs in status "in_progress"` and `"queued"` are the same wording.
QUOTED_RUN_STATUS = re.compile(r"""(?<=status ["'])[a-z_]+(?=["'])""")


def _error_fields(body: Json) -> Json:
    error = dict(body.get("error") or {})
    if isinstance(error.get("message"), str):
        error["message"] = QUOTED_RUN_STATUS.sub("<status>", error["message"])
    return error


def scripted_not_compared(it: Interaction) -> str | None:
    """Why an answer of a fully compared recording (V2_SCRIPTS) is not compared: only raw bytes and objects
    outside SCRIPTED_OBJECTS."""
    if it.response is None and it.stream is None:
        return f"recorded answer is neither JSON nor a stream: {shape_of(it)}"
    if it.response is not None and not is_compared(it.response, SCRIPTED_OBJECTS):
        return f"object not compared ({kind(it.response)}): {shape_of(it)}"
    return None


def v1_not_compared(it: Interaction) -> str | None:
    """Why an Assistants v1 answer that was replayed is not compared (every v1 object is in scope)."""
    if it.response is None and it.stream is None:
        return f"recorded answer is neither JSON nor a stream: {shape_of(it)}"
    if it.response is not None and not is_compared(it.response, V1_COMPARED_OBJECTS):
        return f"object not compared ({kind(it.response)}): {shape_of(it)}"
    return None


# -- tests ------------------------------------------------------------------------------------------

ALL = load_all(ROOT)


def _summary(skips: Counter[str]) -> str:
    return "; ".join(f"{count}x {reason}" for reason, count in skips.most_common(6)) or "no interactions"


def v1_accounting_problems(recording: Recording, replay: Replay) -> list[str]:
    """Every v1 interaction is compared and agrees, or is listed with its reason: in V1_NOT_COMPARED when
    it is not compared, in V1_DISAGREEMENTS when it differs. A listed one that no longer is so fails too."""
    problems = []
    for index, reason in sorted(replay.v1_outcomes.items()):
        key = (recording.name, index)
        if reason is not None and key not in V1_NOT_COMPARED:
            problems.append(f"#{index} not compared ({reason}) and not listed in V1_NOT_COMPARED")
        if reason is None and key in V1_NOT_COMPARED:
            problems.append(f"#{index} is compared now: remove it from V1_NOT_COMPARED")
        if key in V1_DISAGREEMENTS and not replay.v1_disagreeing.get(index):
            problems.append(f"#{index} agrees with the recording now: remove it from V1_DISAGREEMENTS")
    return problems


@pytest.mark.parametrize("recording", ALL, ids=[r.name for r in ALL])
def test_replay_matches_recording(recording: Recording) -> None:
    scripted = V2_SCRIPTS.get(recording.name)
    if scripted is None:
        replay = Replay()
    else:  # runs finish at the first read, as the recorded ones had
        recording = with_streams(recording)
        replay = Replay(FakeAssistants(seed=0, api_versions=("v1", "v2"), progression=immediate()), scripted=True,
                        texts=recorded_texts(recording))
        scripted.turns(replay.fake.script)
    for setup in prerequisites(recording, ALL):
        replay.run(setup, compare=False)
    script = V1_SCRIPTS.get(recording.name)
    if script is not None:
        script.turns(replay.fake.script)
    replay.run(recording, compare=True)
    assert not replay.mismatches, (
        f"{recording.path}: {len(replay.mismatches)} of {replay.compared} compared responses differ "
        "from the recording:\n  " + "\n  ".join(replay.mismatches)
    )
    unaccounted = v1_accounting_problems(recording, replay)
    assert not unaccounted, f"{recording.path}: Assistants v1 interactions:\n  " + "\n  ".join(unaccounted)
    if replay.compared == 0:
        pytest.skip(f"nothing comparable yet: {_summary(replay.skips)}")


def test_v1_tables_name_recorded_v1_interactions() -> None:
    """Every entry of the v1 exception tables names a recorded v1 interaction (a stream, for the orders), so
    none outlives the recording it explains; the tables are disjoint."""
    v1 = {(r.name, it.index): it for r in ALL for it in r.interactions if version_of(r.name, it) == "v1"}
    streamed = {name for (name, _), it in v1.items() if it.stream is not None}
    assert V1_NOT_COMPARED.keys() <= v1.keys(), sorted(V1_NOT_COMPARED.keys() - v1.keys())
    assert V1_DISAGREEMENTS.keys() <= v1.keys(), sorted(V1_DISAGREEMENTS.keys() - v1.keys())
    assert not V1_NOT_COMPARED.keys() & V1_DISAGREEMENTS.keys()
    assert V1_STREAM_ORDER_EXCEPTIONS.keys() <= streamed, sorted(V1_STREAM_ORDER_EXCEPTIONS.keys() - streamed)
    assert V1_SCRIPTS.keys() <= streamed, sorted(V1_SCRIPTS.keys() - streamed)


def test_v2_scripts_name_recordings_and_compare_their_answers() -> None:
    """Every V2_SCRIPTS entry names a recording, and its replay compares the run-written message (with its
    annotations) and the run steps: the full comparison is not silently empty."""
    names = {r.name: r for r in ALL}
    assert V2_SCRIPTS.keys() <= names.keys(), sorted(V2_SCRIPTS.keys() - names.keys())
    for name in V2_SCRIPTS:
        recorded = with_streams(names[name])
        kinds = {k for it in recorded.interactions if it.response is not None for k in answer_kinds(it.response)}
        streamed = [it for it in recorded.interactions if it.stream is not None]
        assert "thread.message" in kinds or streamed, name
        assert "thread.run.step" in kinds or streamed, name


# -- bare fixtures (simple-openai): no request, so build an equivalent object through the fake ---------

ASSISTANT_FIELDS = (
    "model", "name", "description", "instructions", "tools", "top_p", "temperature",
    "reasoning_effort", "tool_resources", "metadata", "response_format",
)  # fmt: skip
V2 = {"OpenAI-Beta": "assistants=v2"}
V1 = {"OpenAI-Beta": "assistants=v1"}


@dataclass(frozen=True, slots=True)
class Built:
    body: Json
    route: str


def call(fake: FakeAssistants, method: str, path: str, body: Json | None = None) -> Json:
    request = ApiRequest.build(method, API_PREFIX + path, headers=V2, body=encode_body(body))
    response = fake.handle(request)
    decoded = decode(response)
    assert response.status == 200, f"{method} {path} -> {response.status}: {decoded}"
    assert isinstance(decoded, dict)
    return decoded


def request_part(part: Json) -> Json:
    """A message content part as a client sends it (the text part is flattened)."""
    if part.get("type") == "text":
        return {"type": "text", "text": part["text"]["value"]}
    return part


def create_assistant(fake: FakeAssistants, fixture: Json) -> Json:
    body = {key: fixture[key] for key in ASSISTANT_FIELDS if key in fixture}
    return call(fake, "POST", "/assistants", {"model": "gpt-4o", **body})


def create_thread(fake: FakeAssistants, fixture: Json) -> Json:
    body = {key: fixture[key] for key in ("metadata", "tool_resources") if key in fixture}
    return call(fake, "POST", "/threads", body)


def create_message(fake: FakeAssistants, fixture: Json, thread_id: str | None = None) -> Json:
    thread_id = thread_id or create_thread(fake, {})["id"]
    body: Json = {"role": fixture.get("role", "user")}
    body["content"] = [request_part(p) for p in fixture.get("content") or [{"type": "text", "text": {"value": "Hi"}}]]
    body |= {key: fixture[key] for key in ("attachments", "metadata") if key in fixture}
    return call(fake, "POST", f"/threads/{thread_id}/messages", body)


def upload(fake: FakeAssistants, name: str = "notes.txt") -> Json:
    """A small text File (purpose assistants), uploaded as multipart/form-data."""
    content_type, body = Upload(name, len(LOREM), "assistants").encode()
    request = ApiRequest.build("POST", API_PREFIX + "/files", headers={"Content-Type": content_type}, body=body)
    response = fake.handle(request)
    decoded = decode(response)
    assert response.status == 200 and isinstance(decoded, dict), f"upload -> {response.status}: {decoded}"
    return decoded


def _file_count(fixture: Json) -> int:
    counts = fixture.get("file_counts")
    return int(counts.get("total", 0)) if isinstance(counts, dict) else 0


def create_vector_store(fake: FakeAssistants, fixture: Json) -> Json:
    body = {key: fixture[key] for key in ("name", "metadata", "expires_after") if fixture.get(key) is not None}
    body["file_ids"] = [upload(fake, f"notes_{n}.txt")["id"] for n in range(_file_count(fixture))]
    return call(fake, "POST", "/vector_stores", body)


def create_vector_store_file(fake: FakeAssistants, fixture: Json, vector_store_id: str | None = None) -> Json:
    vector_store_id = vector_store_id or create_vector_store(fake, {})["id"]
    body: Json = {"file_id": upload(fake)["id"]}
    if fixture.get("attributes"):
        body["attributes"] = fixture["attributes"]
    return call(fake, "POST", f"/vector_stores/{vector_store_id}/files", body)


def create_file_batch(fake: FakeAssistants, fixture: Json) -> Json:
    vector_store_id = create_vector_store(fake, {})["id"]
    file_ids = [upload(fake, f"notes_{n}.txt")["id"] for n in range(max(1, _file_count(fixture)))]
    return call(fake, "POST", f"/vector_stores/{vector_store_id}/file_batches", {"file_ids": file_ids})


@dataclass(frozen=True, slots=True)
class Family:
    """How to make one object type through the fake, where it lives and its routes' name prefix."""

    create: Callable[[FakeAssistants, Json], Json]
    path: Callable[[Json], str]
    routes: str


FAMILIES: dict[str, Family] = {
    "assistant": Family(create_assistant, lambda a: f"/assistants/{a['id']}", "assistants"),
    "thread": Family(create_thread, lambda t: f"/threads/{t['id']}", "threads"),
    "thread.message": Family(create_message, lambda m: f"/threads/{m['thread_id']}/messages/{m['id']}", "messages"),
    "vector_store": Family(create_vector_store, lambda v: f"/vector_stores/{v['id']}", "vector_stores"),
    "vector_store.file": Family(
        create_vector_store_file, lambda f: f"/vector_stores/{f['vector_store_id']}/files/{f['id']}",
        "vector_stores.files",
    ),
    "vector_store.file_batch": Family(
        create_file_batch, lambda b: f"/vector_stores/{b['vector_store_id']}/file_batches/{b['id']}",
        "vector_stores.file_batches",
    ),
}


def build_object(fake: FakeAssistants, fixture: Json, operation: str) -> Built:
    """The fake's answer to the operation the fixture was captured from, for an equivalent object."""
    family = FAMILIES[str(fixture.get("object", "")).removesuffix(".deleted")]
    created = family.create(fake, fixture)
    path = family.path(created)
    if operation == "delete":
        return Built(call(fake, "DELETE", path), f"{family.routes}.delete")
    if operation == "modify":
        return Built(call(fake, "POST", path, {"metadata": fixture.get("metadata") or {}}), f"{family.routes}.update")
    if operation == "getone":
        return Built(call(fake, "GET", path), f"{family.routes}.retrieve")
    if operation == "cancel":
        return Built(call(fake, "POST", path + "/cancel"), f"{family.routes}.cancel")
    return Built(created, f"{family.routes}.create")


def build_list(fake: FakeAssistants, fixture: Json, operation: str) -> Built:
    """A list like the fixture's, as many items as it has, created oldest first (lists are newest first)."""
    items = fixture.get("data") or []
    item_kind = kind(items[0] if items else None)
    if item_kind == "thread.message":
        thread_id = create_thread(fake, {})["id"]
        for item in reversed(items):
            create_message(fake, item, thread_id)
        return Built(call(fake, "GET", f"/threads/{thread_id}/messages"), "messages.list")
    if item_kind == "vector_store.file" and operation == "getfiles":  # the files of one batch
        batch = create_file_batch(fake, {"file_counts": {"total": len(items)}})
        path = f"/vector_stores/{batch['vector_store_id']}/file_batches/{batch['id']}/files"
        return Built(call(fake, "GET", path), "vector_stores.file_batches.list_files")
    if item_kind == "vector_store.file":
        vector_store_id = create_vector_store(fake, {})["id"]
        for item in reversed(items):
            create_vector_store_file(fake, item, vector_store_id)
        return Built(call(fake, "GET", f"/vector_stores/{vector_store_id}/files"), "vector_stores.files.list")
    if item_kind == "vector_store":
        for item in reversed(items):
            create_vector_store(fake, item)
        return Built(call(fake, "GET", "/vector_stores"), "vector_stores.list")
    for item in reversed(items):
        create_assistant(fake, item)
    return Built(call(fake, "GET", "/assistants"), "assistants.list")


def operation_of(path: Path) -> str:
    """`java-fixture__threads_messages_getone` -> `getone` (create, getone, modify, delete, cancel, getlist,
    getfiles)."""
    last = path.stem.split("_")[-1]
    return "create" if last in {"vision", "create"} else last


def _fixture_date(fixture: Json) -> date | None:
    created = fixture.get("created_at")
    if created is None and fixture.get("data"):
        created = fixture["data"][0].get("created_at")
    return datetime.fromtimestamp(created, UTC).date() if isinstance(created, int) else None


def compared_fixtures() -> Iterator[tuple[Path, Json]]:
    for path, body in load_fixtures(ROOT):
        kinds = answer_kinds(body)
        if kinds and kinds <= COMPARED_OBJECTS:
            yield path, body


FIXTURES = list(compared_fixtures())


@pytest.mark.parametrize(("path", "fixture"), FIXTURES, ids=[f"{p.parent.name}/{p.stem}" for p, _ in FIXTURES])
def test_fake_object_matches_bare_fixture(path: Path, fixture: Json) -> None:
    if any("annotations[]." in key for key in key_paths(fixture)):
        pytest.skip("content written by a run (annotations): not creatable through the messages API")
    fake = FakeAssistants(seed=0)
    if kind(fixture) == "list":
        built = build_list(fake, fixture, operation_of(path))
        problems = list_shape_problems(fixture, built, path)
    else:
        built = build_object(fake, fixture, operation_of(path))
        problems = object_problems("", fixture, built.body, Where(_name(path), built.route, _fixture_date(fixture)))
    assert not problems, f"{path}: the fake's {built.route} answer differs:\n  " + "\n  ".join(problems)


def _name(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def list_shape_problems(fixture: Json, built: Built, path: Path) -> list[str]:
    """Envelope keys, then each fixture item against the fake item at the same position."""
    ctx = Where(_name(path), built.route, _fixture_date(fixture))
    problems = object_problems("", _envelope(fixture), _envelope(built.body), ctx)
    pairs = zip(fixture["data"], built.body.get("data") or [], strict=False)
    for index, (item, got) in enumerate(pairs):
        problems += object_problems(f"data[{index}]: ", item, got, ctx)
    if len(built.body.get("data") or []) != len(fixture["data"]):
        problems.append(f"data: {len(built.body.get('data') or [])} items, fixture has {len(fixture['data'])}")
    return problems
