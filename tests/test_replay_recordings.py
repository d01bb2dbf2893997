"""Replay real recorded API traffic against the fake and compare status codes and JSON key sets.

Ground truth is `../shared/conformance/recordings` (or `$FAKE_ASSISTANTS_SHARED`); without it the whole
module is skipped, so a fresh clone still passes. Each recording file is one test id; the bare
simple-openai fixtures have their own test, which builds an equivalent object through the fake.

How a recording file is replayed:

- A fresh `FakeAssistants(seed=0)` (shape "recorded") receives the recorded method, path, query, body
  and OpenAI-Beta header of each interaction, in order. A header the recording lacks is not added
  (only file and vector-store requests lack it, and those routes do not need it).
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

- Assistants v1: an `OpenAI-Beta: assistants=v1` interaction, one answered before v2 went live
  (`V2_LAUNCH`), or one listed in `RELABELED_V1` (v2 header edited into a v1 cassette). The fake
  answers v1 with a deprecation error by design, so these are not sent.
- Routes the fake does not implement (matched against `ALL_ROUTES`): not sent. The set of sent and
  compared routes grows by itself as routes are added.
- A success recorded for a placeholder id (`vs_abc123`: a known prefix, lowercase letters, digits) in
  its path or as its answer's `id`: the cassette was written by hand (ruby `vector_stores_search`), so
  there is no real answer to compare with and nothing the fake could reproduce. Not sent; requests
  naming what it "created" are then skipped in turn, as below.
- A recorded server error (5xx: "The server had an error processing your request"): a transient
  failure of the service, which the client then retried. Not sent; a mutating one taints as below.
- An interaction naming an id this replay never obtained (made by an unimplemented route, by a
  skipped request, or before the recording started): not sent, since the fake could only
  answer 404 for an object the service knew. What it would have created is unknown in turn, so the
  requests depending on it are skipped too.
- A skipped request that changes state (e.g. submit_tool_outputs with unknown call ids) taints the
  objects in its path: later interactions naming them are sent, but not compared.
- Answers outside the scope: a route is compared when all its successful recorded answers are objects
  of `COMPARED_OBJECTS` (one constant; lists count as their items). Its error answers (status and
  error keys) are compared too. Streamed (SSE) and file-content answers are not compared.

How answers are compared: same status code; same recursive key set (`a.b`, list items as `a[].b`),
ignoring keys below `metadata`, `attributes`, `parameters` and `schema` (user data). A list is
compared envelope first, then item by item through the id map: items this replay did not create
(older objects of the recording account) are ignored, an item it created that the service listed
must be listed by the fake too, except on a page cut through objects created in the same second,
whose order is the service's own (`Collections.tie_ordered`). The fake may list more (its runs finish
at once, so their messages can appear earlier than in the recording). Messages written by runs are
compared like others; their content comes from the fake's script. The deliberate, documented
exceptions are `KNOWN_DEVIATIONS` (service quirks the fake does not imitate) and `LATER_ADDITIONS`
(keys the API gained after older recordings were made, for every object, one object type or one route).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from fnmatch import fnmatch
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest

from fake_assistants import ApiRequest, ApiResponse, FakeAssistants
from fake_assistants.app import ALL_ROUTES, API_PREFIX
from fake_assistants.routing import Route, RouteTable
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

ROOT = recordings_dir()
if ROOT is None:
    pytest.skip(
        f"shared recordings not found at {shared_dir() / RECORDINGS} (set {SHARED_ENV} to point elsewhere)",
        allow_module_level=True,
    )

Json = dict[str, Any]

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

# Keys whose children are user data (metadata, vector-store file attributes, JSON schemas).
IGNORED_SUBTREES = frozenset({"metadata", "attributes", "parameters", "schema"})

ROUTES = RouteTable(ALL_ROUTES)


@dataclass(frozen=True, slots=True)
class KnownDeviation:
    """A difference from the recordings the fake makes on purpose, by route, with its evidence."""

    route: str
    missing: frozenset[str]  # keys the recording has and the fake does not send
    extra: frozenset[str]  # keys the fake sends and the recording lacks
    recordings: str = "*"  # fnmatch pattern on the recording's name
    reason: str = ""


KNOWN_DEVIATIONS: tuple[KnownDeviation, ...] = ()  # none: the fake imitates every quirk seen so far

# Keys the service added after some recordings were made: a recording older than the first one seen
# with the key may lack it (the fake follows the newest recordings, which all carry it).
# key path (relative to the object) -> date of the earliest recording that has it. A key may be scoped
# as `scope:path`, scope being an object type (`vector_store`) or a route name: it then applies to that
# object or route only, with the date from which all of its recordings have it.
LATER_ADDITIONS: dict[str, date] = {
    "reasoning_effort": date(2025, 3, 14),  # ruby run_steps_retrieve_assistant_setup; absent 2024-10
    "tools[].file_search": date(2024, 10, 11),  # settings object; 2024-04/05 fixtures had bare {"type"}
    "tools[].file_search.ranking_options": date(2024, 10, 11),  # ruby hist-2024-10; absent 2024-06
    "tools[].file_search.ranking_options.hybrid_search": date(2025, 9, 23),  # .NET; absent 2024-10
    "file:expires_at": date(2025, 9, 16),  # .NET VectorStoresTests; absent from every ruby upload to 2025-02
    "vector_store:description": date(2025, 9, 16),  # .NET VectorStoresTests; absent from ruby 2024-04..10
    "vector_store.file:chunking_strategy": date(2024, 10, 11),  # ruby hist-2024-10; absent 2024-04-30
    "vector_store.file:attributes": date(2025, 9, 16),  # .NET VectorStoresTests; absent 2024-10
    # A batch's file list gave reduced items (no usage_bytes, chunking_strategy, attributes) on ruby
    # 2024-10-15 and .NET 2025-09-16; the .NET 2025-10-30 list (FileSearch*) has the full object.
    "vector_stores.file_batches.list_files:usage_bytes": date(2025, 10, 30),
    "vector_stores.file_batches.list_files:chunking_strategy": date(2025, 10, 30),
    "vector_stores.file_batches.list_files:attributes": date(2025, 10, 30),
    # The Files list had no cursor ids in 2023 (ruby files_list #0, 2023-11-14); they are there from 2024-10-10.
    "files.list:first_id": date(2024, 10, 10),
    "files.list:last_id": date(2024, 10, 10),
}


# Assistants v2 went live on 2024-04-17: an answer recorded before that is v1 whatever its header says.
V2_LAUNCH = date(2024, 4, 17)

# Interactions whose OpenAI-Beta header says v2 but whose body is v1-shaped: the cassette was edited
# by hand after recording. (recording name, interaction index) -> evidence. Treated as v1.
RELABELED_V1: dict[tuple[str, int], str] = {
    ("ruby-openai/rb-vcr__messages_delete_message_setup", 0): "recorded 2023-11-14, before v2 existed; file_ids",
    ("ruby-openai/rb-vcr__messages_delete_thread_setup", 0): "thread without tool_resources (v1 shape)",
}


# -- JSON key sets ----------------------------------------------------------------------------------


def key_paths(value: Any, prefix: str = "", *, model_output: bool = False) -> set[str]:
    """Every key path in a JSON value: `a.b`, list items as `a[].b` (union over the items).

    In a message written by a run, what the annotations hold is the model's choice (whether it cited):
    the fake's answer comes from its script, so only the `annotations` key itself is compared there.
    """
    if isinstance(value, dict):
        model_output = model_output or (value.get("object") == "thread.message" and bool(value.get("run_id")))
        paths: set[str] = set()
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            if key not in IGNORED_SUBTREES and not (model_output and key == "annotations"):
                paths |= key_paths(child, path, model_output=model_output)
        return paths
    if isinstance(value, list):
        return set().union(*(key_paths(item, f"{prefix}[]", model_output=model_output) for item in value))
    return set()


def kind(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    if "error" in body and "object" not in body:
        return "error"
    found = body.get("object")
    return found if isinstance(found, str) else None


def answer_kinds(body: Any) -> set[str | None]:
    """The object types of an answer; a list stands for the types of its items."""
    if kind(body) == "list":
        return {kind(item) for item in body.get("data") or []}
    return {kind(body)}


def is_compared(body: Any) -> bool:
    return kind(body) == "error" or answer_kinds(body) <= COMPARED_OBJECTS


@dataclass(frozen=True, slots=True)
class Where:
    """What the allowlists need to know about the response being compared."""

    recording: str
    route: str
    recorded_on: date | None


def _added_later(path: str, object_type: str | None, ctx: Where) -> bool:
    for entry, since in LATER_ADDITIONS.items():
        scope, _, key = entry.rpartition(":")
        if scope and scope not in (object_type, ctx.route):
            continue
        if (path == key or path.startswith(key + ".")) and (ctx.recorded_on is None or ctx.recorded_on < since):
            return True
    return False


def key_differences(recorded: Any, got: Any, ctx: Where) -> tuple[set[str], set[str]]:
    """(missing from the fake, extra in the fake), after the documented allowances."""
    missing, extra = key_paths(recorded) - key_paths(got), key_paths(got) - key_paths(recorded)
    for deviation in KNOWN_DEVIATIONS:
        if deviation.route == ctx.route and fnmatch(ctx.recording, deviation.recordings):
            missing -= deviation.missing
            extra -= deviation.extra
    object_type = kind(recorded)
    extra = {path for path in extra if not _added_later(path, object_type, ctx)}
    return missing, extra


def object_problems(where: str, recorded: Json, got: Json, ctx: Where) -> list[str]:
    problems = []
    if recorded.get("object") != got.get("object"):
        problems.append(f"{where}object {got.get('object')!r}, recorded {recorded.get('object')!r}")
    missing, extra = key_differences(recorded, got, ctx)
    if missing:
        problems.append(f"{where}missing keys {sorted(missing)}")
    if extra:
        problems.append(f"{where}extra keys {sorted(extra)}")
    return problems


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


# -- uploads ----------------------------------------------------------------------------------------

UPLOAD_ROUTE = "files.create"
BOUNDARY = "fake-assistants-replay-0c5e2b7a9d41"
LOREM = (
    b"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
    b"et dolore magna aliqua. "
)
# The Files API's answer to a bad purpose: "'world_domination' is not one of ['fine-tune', ...] - 'purpose'"
BAD_PURPOSE = re.compile(r"'(?P<purpose>[^']*)' is not one of \[.*\] - 'purpose'")
REJECTED_UPLOAD = ("upload.txt", len(LOREM))  # name and size for an upload the service turned down


@dataclass(frozen=True, slots=True)
class Upload:
    """A file upload as the client sent it, rebuilt from what the service answered."""

    filename: str
    size: int
    purpose: str

    def content(self) -> bytes:
        """Exactly `size` bytes of deterministic text."""
        return (LOREM * (self.size // len(LOREM) + 1))[: self.size]

    def encode(self) -> tuple[str, bytes]:
        """(Content-Type header, body) of the multipart/form-data request, as HTTP clients write it."""
        name = self.filename.replace("\\", "\\\\").replace('"', "%22")
        body = b"".join(
            [
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'.encode(),
                self.purpose.encode(),
                f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode(),
                self.content(),
                f"\r\n--{BOUNDARY}--\r\n".encode(),
            ]
        )
        return f"multipart/form-data; boundary={BOUNDARY}", body


def recorded_upload(it: Interaction) -> Upload | None:
    """The upload behind a recorded `POST /v1/files`: the stored File, or the purpose an error quotes."""
    answer = it.response
    if kind(answer) == "file" and isinstance(answer, dict):
        filename, size, purpose = answer.get("filename"), answer.get("bytes"), answer.get("purpose")
        if isinstance(filename, str) and isinstance(size, int) and isinstance(purpose, str):
            return Upload(filename, size, purpose)
    if kind(answer) == "error" and isinstance(answer, dict):
        found = BAD_PURPOSE.fullmatch(str((answer.get("error") or {}).get("message", "")))
        if found is not None:
            return Upload(*REJECTED_UPLOAD, found["purpose"])
    return None


# -- replay -----------------------------------------------------------------------------------------


def route_of(it: Interaction) -> Route | None:
    if not it.path.startswith(API_PREFIX + "/"):
        return None
    matched = ROUTES.match(it.method, it.path[len(API_PREFIX) :])
    return matched[0] if matched else None


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


def before_v2(it: Interaction, route: Route | None) -> bool:
    """Answered by Assistants v1: before v2 went live, on a route of the Assistants API itself. The Files
    API (no `OpenAI-Beta` header) did not change with it, so its older answers are compared as well."""
    if route is not None and route.beta != "required":
        return False
    return (answered_on(it) or V2_LAUNCH) < V2_LAUNCH


def shape_of(it: Interaction) -> str:
    return f"{it.method} {ID_PATTERN.sub('{id}', it.path)}"


def answered_on(it: Interaction) -> date | None:
    """When the service answered: the recorded Date header or VCR recorded_at."""
    try:
        return parsedate_to_datetime(it.recorded_at).date() if it.recorded_at else None
    except (TypeError, ValueError):
        return None


def recorded_date(it: Interaction) -> date | None:
    """When the service answered, else when the answered object was created."""
    created = it.response.get("created_at") if isinstance(it.response, dict) else None
    fallback = datetime.fromtimestamp(created, UTC).date() if isinstance(created, int) else None
    return answered_on(it) or fallback


def encode_body(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    return json.dumps(body).encode()


def decode(response: ApiResponse) -> Any:
    if not isinstance(response.body, bytes):
        b"".join(response.body)  # drain the stream: producing it may advance the fake's state
        return None
    try:
        return json.loads(response.body) if response.body else None
    except ValueError:
        return None


@dataclass
class Replay:
    """One fake, its id map and what the replay of one recording file found."""

    fake: FakeAssistants = field(default_factory=lambda: FakeAssistants(seed=0))
    ids: IdMap = field(default_factory=IdMap)
    tainted: dict[str, str] = field(default_factory=dict)  # recorded id -> the request that changed it
    mismatches: list[str] = field(default_factory=list)
    skips: Counter[str] = field(default_factory=Counter)
    compared: int = 0
    collections: Collections = field(default_factory=Collections)

    def run(self, recording: Recording, *, compare: bool) -> None:
        for it in recording.interactions:
            self.step(recording.name, it, compare=compare)

    def step(self, name: str, it: Interaction, *, compare: bool) -> None:
        self.collections.observe(it)
        reason = self.why_not_sent(name, it)
        if reason is not None:
            self.skip(reason, compare=compare)
            if it.mutates:
                self.taint(it)
            return
        response = self.send(it)
        got = decode(response)
        if 200 <= it.status < 300 and 200 <= response.status < 300:
            self.ids.learn_from(it.response, got)
        if compare:
            self.check(name, it, response.status, got)

    def why_not_sent(self, name: str, it: Interaction) -> str | None:
        route = route_of(it)
        if it.is_v1 or (name, it.index) in RELABELED_V1 or before_v2(it, route):
            return "Assistants v1 (another API version)"
        if route is None:
            return f"route not implemented: {shape_of(it)}"
        if it.hand_written():
            return f"hand-written answer (placeholder id): {shape_of(it)}"
        if it.status >= 500:
            return f"the service failed (5xx, retried by the client): {shape_of(it)}"
        if route.name == UPLOAD_ROUTE and recorded_upload(it) is None:
            return f"upload the recording does not describe: {shape_of(it)}"
        if any(not self.ids.knows(i) for i in it.referenced_ids()):
            return f"uses an object this replay could not create: {shape_of(it)}"
        return None

    def skip(self, reason: str, *, compare: bool) -> None:
        if compare:
            self.skips[reason] += 1

    def taint(self, it: Interaction) -> None:
        for object_id in ID_PATTERN.findall(it.path):
            self.tainted.setdefault(object_id, shape_of(it))

    def send(self, it: Interaction) -> ApiResponse:
        headers = {"OpenAI-Beta": it.beta} if it.beta else {}
        body = encode_body(self.ids.rewrite(it.body))
        route = route_of(it)
        upload = recorded_upload(it) if route is not None and route.name == UPLOAD_ROUTE else None
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

    def why_not_compared(self, it: Interaction) -> str | None:
        tainted = sorted({self.tainted[i] for i in it.referenced_ids() if i in self.tainted})
        if tainted:
            return f"state changed by an unreplayed {', '.join(tainted)}"
        route = route_of(it)
        if route is None or route.name not in routes_in_scope():
            return f"route not compared: {route.name if route else shape_of(it)}"
        if it.response is None and route.name not in RAW_ANSWER_ROUTES:
            return f"recorded answer is not JSON (stream/file): {shape_of(it)}"
        if it.response is not None and not is_compared(it.response):
            return f"object not compared ({kind(it.response)}): {shape_of(it)}"
        return None

    def check(self, name: str, it: Interaction, status: int, got: Any) -> None:
        reason = self.why_not_compared(it)
        if reason is not None:
            self.skip(reason, compare=True)
            return
        self.compared += 1
        problems = self.problems(name, it, status, got)
        if problems:
            where = f"#{it.index} {it.method} {it.target}"
            self.mismatches.append(f"{where}:\n      " + "\n      ".join(problems))

    def problems(self, name: str, it: Interaction, status: int, got: Any) -> list[str]:
        if status != it.status:
            detail = json.dumps(got)[:300] if got is not None else "(no JSON body)"
            return [f"status {status}, recorded {it.status}; fake answered {detail}"]
        if it.response is None:  # a raw answer (RAW_ANSWER_ROUTES): the status is all there is to compare
            return []
        if not isinstance(got, dict):
            return ["fake answer is not a JSON object"]
        route = route_of(it)
        ctx = Where(name, route.name if route else "", recorded_date(it))
        return body_problems(it.response, got, self.ids, ctx, tie_ordered=self.collections.tie_ordered(it))


# -- tests ------------------------------------------------------------------------------------------

ALL = load_all(ROOT)


def _summary(skips: Counter[str]) -> str:
    return "; ".join(f"{count}x {reason}" for reason, count in skips.most_common(6)) or "no interactions"


@pytest.mark.parametrize("recording", ALL, ids=[r.name for r in ALL])
def test_replay_matches_recording(recording: Recording) -> None:
    replay = Replay()
    for setup in prerequisites(recording, ALL):
        replay.run(setup, compare=False)
    replay.run(recording, compare=True)
    assert not replay.mismatches, (
        f"{recording.path}: {len(replay.mismatches)} of {replay.compared} compared responses differ "
        "from the recording:\n  " + "\n  ".join(replay.mismatches)
    )
    if replay.compared == 0:
        pytest.skip(f"nothing comparable yet: {_summary(replay.skips)}")


# -- bare fixtures (simple-openai): no request, so build an equivalent object through the fake ---------

ASSISTANT_FIELDS = (
    "model", "name", "description", "instructions", "tools", "top_p", "temperature",
    "reasoning_effort", "tool_resources", "metadata", "response_format",
)  # fmt: skip
V2 = {"OpenAI-Beta": "assistants=v2"}


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
