"""Comparing the fake's answers with recorded ones: recursive key sets (`a.b`, list items as `a[].b`) with the
documented allowances (keys the API gained after older recordings were made, known deviations), which version of
the Assistants API answered a recorded interaction, and the events of streamed answers. Shared by the replay of
the recordings (tests/conformance/test_replay_recordings.py) and the cassette replay
(tests/conformance/test_cassettes_from_recordings.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from fnmatch import fnmatch
from typing import Any

from fake_assistants import ApiResponse
from fake_assistants.api.routes import ALL_ROUTES, API_PREFIX
from fake_assistants.api.routing import Route, RouteTable
from fake_assistants.core.api_versions import ApiVersion
from recordings import ID_PATTERN, Interaction
from stream_support import compress, split_events

Json = dict[str, Any]

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


KNOWN_DEVIATIONS: tuple[KnownDeviation, ...] = ()

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
    # Runs: absent from every run to openllmetry 2024-06-05, present from ruby hist-2024-10 (2024-10-11) on.
    "thread.run:parallel_tool_calls": date(2024, 10, 11),
    # A run's token details: absent from openllmetry 2024-06-05, present in the first later run with usage (.NET
    # 2025-10-30).
    "thread.run:usage.prompt_token_details": date(2025, 10, 30),
    "thread.run:usage.completion_tokens_details": date(2025, 10, 30),
}


# Assistants v2 went live on 2024-04-17: an answer recorded before that is v1 whatever its header says.
V2_LAUNCH = date(2024, 4, 17)

# Interactions whose OpenAI-Beta header says v2 but whose body is v1-shaped: the cassette was edited
# by hand after recording. (recording name, interaction index) -> evidence. Treated as v1.
RELABELED_V1: dict[tuple[str, int], str] = {
    ("ruby-openai/rb-vcr__messages_delete_message_setup", 0): "recorded 2023-11-14, before v2 existed; file_ids",
    ("ruby-openai/rb-vcr__messages_delete_thread_setup", 0): "thread without tool_resources (v1 shape)",
}

# The fake shows v1 as its last era answered: ruby-openai, 2024-04-27 (v1 was still served ten days after
# v2 went live). Older v1 answers lack keys added since (the 2024-04-15 v1 spec added the run options).
# Same form as LATER_ADDITIONS, applied to v1 interactions only: `object:key` -> the date of the first
# v1 recording that has it. Everything else of the 2023-11-14 and 2024-03-27 answers is compared.
V1_LATER_ADDITIONS: dict[str, date] = {
    # Assistants of 2023-11-14 (ruby `assistants_*`) and 2024-03-27 (openllmetry) have no sampling settings.
    "assistant:top_p": date(2024, 4, 27),
    "assistant:temperature": date(2024, 4, 27),
    "assistant:response_format": date(2024, 4, 27),
    # Runs of 2023-11-14 (ruby `runs_*` #0) have neither; the streamed runs of 2024-03-27 have both.
    "thread.run:required_action": date(2024, 3, 27),
    "thread.run:usage": date(2024, 3, 27),
    # The run options of the 2024-04 v1 spec: absent from the 2023-11-14 and 2024-03-27 runs.
    "thread.run:temperature": date(2024, 4, 27),
    "thread.run:top_p": date(2024, 4, 27),
    "thread.run:max_completion_tokens": date(2024, 4, 27),
    "thread.run:max_prompt_tokens": date(2024, 4, 27),
    "thread.run:truncation_strategy": date(2024, 4, 27),
    "thread.run:incomplete_details": date(2024, 4, 27),
    "thread.run:response_format": date(2024, 4, 27),
    "thread.run:tool_choice": date(2024, 4, 27),
}

# v1 answers are compared key order too (every object, recursively, where both have the same keys), from
# the first 2024 v1 recording on: 2023-11-14 messages still listed `thread_id, role, content, file_ids,
# assistant_id, run_id`, where 2024-03-27 and 2024-04-27 have the fake's `assistant_id, thread_id, run_id,
# role, content, file_ids`.
V1_KEY_ORDER_SINCE = date(2024, 3, 27)

# Recorded v1 streams whose event order the fake cannot take, with why (their event data key sets are
# still compared, and both sides must send the same event names).
V1_STREAM_ORDER_EXCEPTIONS: dict[str, str] = {}


# -- JSON key sets ----------------------------------------------------------------------------------


def key_paths(value: Any, prefix: str = "", *, model_output: bool = False) -> set[str]:
    """Every key path in a JSON value: `a.b`, list items as `a[].b` (union over the items).

    A message written by a run is compared like any other, its annotations included: a scripted answer
    citing `【n:m†name】` gets its `file_citation` in place, as the service's did (no exemption).
    """
    if isinstance(value, dict):
        paths: set[str] = set()
        for key, child in value.items():
            path = f"{prefix}.{key}" if prefix else key
            paths.add(path)
            if key not in IGNORED_SUBTREES:
                paths |= key_paths(child, path)
        return paths
    if isinstance(value, list):
        return set().union(*(key_paths(item, f"{prefix}[]") for item in value))
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


@dataclass(frozen=True, slots=True)
class Where:
    """What the allowlists need to know about the response being compared."""

    recording: str
    route: str
    recorded_on: date | None
    version: ApiVersion = "v2"


def _added_later(path: str, object_type: str | None, ctx: Where) -> bool:
    additions = V1_LATER_ADDITIONS if ctx.version == "v1" else LATER_ADDITIONS
    for entry, since in additions.items():
        scope, _, key = entry.rpartition(":")
        if scope and scope not in (object_type, ctx.route):
            continue
        if (path == key or path.startswith(key + ".")) and (ctx.recorded_on is None or ctx.recorded_on < since):
            return True
    return False


def key_differences(recorded: Any, got: Any, ctx: Where) -> tuple[set[str], set[str]]:
    """(missing from the fake, extra in the fake), after the documented allowances."""
    return path_differences(key_paths(recorded), key_paths(got), kind(recorded), ctx)


def path_differences(
    recorded: set[str], got: set[str], object_type: str | None, ctx: Where
) -> tuple[set[str], set[str]]:
    missing, extra = recorded - got, got - recorded
    for deviation in KNOWN_DEVIATIONS:
        if deviation.route == ctx.route and fnmatch(ctx.recording, deviation.recordings):
            missing -= deviation.missing
            extra -= deviation.extra
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
    if ordered(ctx):
        problems += order_problems(where, recorded, got)
    return problems


def ordered(ctx: Where) -> bool:
    """Whether key order is compared too (V1_KEY_ORDER_SINCE)."""
    return ctx.version == "v1" and ctx.recorded_on is not None and ctx.recorded_on >= V1_KEY_ORDER_SINCE


def order_problems(where: str, recorded: Any, got: Any, path: str = "") -> list[str]:
    """Objects with the same keys in another order, recursively (list items by position)."""
    if isinstance(recorded, list) and isinstance(got, list):
        pairs = zip(recorded, got, strict=False)
        return [p for want, have in pairs for p in order_problems(where, want, have, f"{path}[]")]
    if not (isinstance(recorded, dict) and isinstance(got, dict)):
        return []
    problems = []
    if set(recorded) == set(got) and list(recorded) != list(got):
        problems.append(f"{where}{path or 'keys'} in order {list(got)}, recorded {list(recorded)}")
    for key in recorded.keys() & got.keys() - IGNORED_SUBTREES:
        problems += order_problems(where, recorded[key], got[key], f"{path}.{key}" if path else key)
    return problems


# -- replay -----------------------------------------------------------------------------------------


def route_of(it: Interaction) -> Route | None:
    if not it.path.startswith(API_PREFIX + "/"):
        return None
    matched = ROUTES.match(it.method, it.path[len(API_PREFIX) :])
    return matched[0] if matched else None


def version_of(name: str, it: Interaction) -> ApiVersion:
    """The Assistants API version that answered: v1 when the header says so, when the answer came before
    v2 went live, or when RELABELED_V1 lists it; else v2 (also for the Files API, which has no version)."""
    if it.is_v1 or (name, it.index) in RELABELED_V1 or before_v2(it, route_of(it)):
        return "v1"
    return "v2"


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


# -- streams (Assistants v1) ------------------------------------------------------------------------

Events = list[tuple[str, Any]]  # (event name, JSON data or None) in order


def parse_stream(raw: bytes) -> Events:
    """The events of an SSE body, each with its JSON data (None for `[DONE]`)."""
    events: Events = []
    for name, data in split_events(raw):
        try:
            events.append((name, json.loads(data)))
        except ValueError:
            events.append((name, None))
    return events


def paired_events(recorded: Events, got: Events) -> tuple[list[Any], list[Any]]:
    """The data of the events both sides sent, paired by name and occurrence (the n-th `thread.run.created`
    with the n-th), as two equally long lists: how the ids a stream made are learned."""
    pairs = [
        (want, have)
        for name in dict.fromkeys(n for n, _ in recorded)
        for want, have in zip(_data_of(recorded, name), _data_of(got, name), strict=False)
    ]
    return [want for want, _ in pairs], [have for _, have in pairs]


def _data_of(events: Events, name: str) -> list[Json]:
    return [data for event, data in events if event == name and isinstance(data, dict)]


def stream_problems(recorded: Events, got: Events | None, ctx: Where) -> list[str]:
    """Event order (a run of deltas counted once), then per event name the key set of all its data."""
    if got is None:
        return ["fake answer is not a stream"]
    problems = []
    want_names, have_names = compress(n for n, _ in recorded), compress(n for n, _ in got)
    if want_names != have_names and not (
        ctx.recording in V1_STREAM_ORDER_EXCEPTIONS and set(want_names) == set(have_names)
    ):
        problems.append(f"events {have_names}, recorded {want_names}")
    for name in dict.fromkeys(want_names):
        want, have = _data_of(recorded, name), _data_of(got, name)
        if not want or not have:
            continue
        object_type = kind(want[0])
        missing, extra = path_differences(_union_paths(want), _union_paths(have), object_type, ctx)
        if missing:
            problems.append(f"{name}: missing keys {sorted(missing)}")
        if extra:
            problems.append(f"{name}: extra keys {sorted(extra)}")
        if ordered(ctx):
            problems += order_problems(f"{name}: ", want[0], have[0])
    return problems


def _union_paths(items: list[Json]) -> set[str]:
    return set().union(*(key_paths(item) for item in items))


def read(response: ApiResponse) -> tuple[Any, Events | None]:
    """(JSON body or None, the events of a streamed answer or None). A stream is always drained:
    producing it may advance the fake's state."""
    if not isinstance(response.body, bytes):
        return None, parse_stream(b"".join(response.body))
    try:
        return (json.loads(response.body) if response.body else None), None
    except ValueError:
        return None, None
