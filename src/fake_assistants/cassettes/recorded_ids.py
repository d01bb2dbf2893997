"""Which ids a recording made and used: service ids found by their prefixes, the objects that existed before the
recording (named but never made there), and the ids it made, per kind in recorded order (for `ids="recorded"`)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

from ..core.ids import ID_PREFIXES
from .interaction import Interaction, Recording

_BY_LENGTH = sorted(ID_PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)
# A service id: a known prefix, an optional tag (`vsfb_ibj_...`) and a long body; `file-abc123` is no id.
ID_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(prefix) for _, prefix in _BY_LENGTH) + r")(?:[a-z]{2,4}_)?[A-Za-z0-9]{16,}\b"
)


def kind_of(object_id: str) -> str | None:
    """The kind (`assistant`, `vector_store`...) of a service id, or None."""
    if not ID_PATTERN.fullmatch(object_id):
        return None
    return next((kind for kind, prefix in _BY_LENGTH if object_id.startswith(prefix)), None)


def ids_in(value: Any) -> list[str]:
    text = value if isinstance(value, str) else json.dumps(value)
    return ID_PATTERN.findall(text)


def requested_ids(interaction: Interaction) -> list[str]:
    """The ids a request names, in its path, query or body."""
    body = interaction.request_body
    return ids_in(interaction.target) + (ids_in(body) if body is not None and not isinstance(body, bytes) else [])


def created_ids(interaction: Interaction) -> list[str]:
    """What a successful write made: its answer's `id`, unless the request named it."""
    body = interaction.response_json
    new_id = body.get("id") if body is not None else None
    if interaction.method == "GET" or not 200 <= interaction.status < 300 or not isinstance(new_id, str):
        return []
    return [] if new_id in requested_ids(interaction) else [new_id]


def made_ids(recordings: Sequence[Recording]) -> set[str]:
    """Ids the recordings show being made: written objects' ids, and every id answers show that no request
    named before or then (a run's messages, steps and tool calls; a thread a create-and-run made)."""
    named: set[str] = set()
    made: set[str] = set()
    for interaction in _all(recordings):
        named.update(requested_ids(interaction))
        made.update(created_ids(interaction))
        made.update(i for i in _answered_ids(interaction) if i not in named and i not in made
                    and kind_of(i) in ("thread", "message", "run", "step", "call", "file_batch"))
        made.update(i for i in generated_files(interaction) if i not in named)
        made.update(i for i in helper_stores(interaction) if i not in named)
    return made


def helper_stores(interaction: Interaction) -> list[str]:
    """Vector stores a write made with the `vector_stores` helper of `tool_resources.file_search` (an assistant's,
    a thread's, a create-and-run's thread's), as its answer shows them among `vector_store_ids`: the recording
    never shows them as objects of their own."""
    body = interaction.request_body
    if (interaction.method != "POST" or not 200 <= interaction.status < 300 or not isinstance(body, dict)
            or '"vector_stores"' not in json.dumps(body)):
        return []
    return [i for i in _answered_ids(interaction) if kind_of(i) == "vector_store"]


# The writes that make user messages their answer does not show: where the request lists them (paths below the
# API prefix, OpenAI's /v1 or Azure's /openai)
_IMPLIED_MESSAGES = ((re.compile(r"/threads"), ("messages",)),
                     (re.compile(r"/threads/runs"), ("thread", "messages")),
                     (re.compile(r"/threads/[^/]+/runs"), ("additional_messages",)))
_API_PREFIX = re.compile(r"/(?:v1|openai)(?=/|$)")


def below_api_prefix(path: str) -> str:
    """A recorded path without its API prefix: `/threads/runs` for `/v1/threads/runs` or `/openai/threads/runs`."""
    found = _API_PREFIX.match(path)
    return path[found.end():] if found is not None else path


def implied_messages(interaction: Interaction) -> int:
    """How many messages a successful write made that its answer does not show: a new thread's `messages`
    (threads.create, threads.create_and_run), a run's `additional_messages`."""
    body = interaction.request_body
    if interaction.method != "POST" or not 200 <= interaction.status < 300 or not isinstance(body, dict):
        return 0
    path = below_api_prefix(interaction.path)
    for pattern, keys in _IMPLIED_MESSAGES:
        if pattern.fullmatch(path):
            value: Any = body
            for key in keys:
                value = value.get(key) if isinstance(value, dict) else None
            return len(value) if isinstance(value, list) else 0
    return 0


def generated_files(interaction: Interaction) -> list[str]:
    """Files a run's code_interpreter made, as its answers show them: a step's `image` outputs, a message's
    `image_file` parts and `file_path` annotations."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            kind = value.get("type")
            inner = value.get(kind) if kind in ("image", "image_file", "file_path") else None
            if isinstance(inner, dict) and isinstance(inner.get("file_id"), str):
                found.append(inner["file_id"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(interaction.response_json)
    for event in interaction.events:
        walk(event.data)
    return found


def ids_by_kind(recordings: Sequence[Recording], made: set[str]) -> dict[str, list[str | None]]:
    """The made ids of each kind in the order they were made: the order the recording first shows them, corrected
    by every list answer (which shows its items in creation order, reversed unless `order=asc`): the items a list
    shows keep their places among the others but take the list's order. Messages a write made that the recording
    never shows (a create-and-run's question, when no answer lists the thread's user messages) keep their places
    as None: the fake's own ids go to them, and the recorded ids to the messages the recording shows."""
    out: dict[str, list[str | None]] = {}
    seen: set[str] = set()
    user_shown = _threads_showing_user_messages(recordings)
    for interaction in _all(recordings):
        unseen = implied_messages(interaction)
        if unseen and _thread_of(interaction) not in user_shown:
            out.setdefault("message", []).extend([None] * unseen)
        for object_id in _answered_ids(interaction):
            kind = kind_of(object_id)
            if object_id in made and object_id not in seen and kind is not None:
                seen.add(object_id)
                out.setdefault(kind, []).append(object_id)
    for interaction in _all(recordings):
        listed = _listed_in_creation_order(interaction)
        for ids in out.values():
            _take_order(ids, [i for i in listed if i in made])
    return out


def _listed_in_creation_order(interaction: Interaction) -> list[str]:
    body = interaction.response_json
    items = body.get("data") if body is not None and body.get("object") == "list" else None
    if not isinstance(items, list):
        return []
    found = [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]
    return found if "order=asc" in interaction.query else found[::-1]


def _threads_showing_user_messages(recordings: Sequence[Recording]) -> set[str]:
    """The threads some answer shows a user message of (a list of the thread's messages, say), besides the
    messages written one by one (`messages.create`, whose answer is the message)."""
    threads: set[str] = set()
    for interaction in _all(recordings):
        if interaction.method == "POST" and interaction.path.endswith("/messages"):
            continue
        body = interaction.response_json
        items: list[Any] = [event.data for event in interaction.events]
        if body is not None:
            listed = body.get("data") if body.get("object") == "list" else None
            items += listed if isinstance(listed, list) else [body]
        threads.update(str(item.get("thread_id")) for item in items if isinstance(item, dict)
                       and item.get("object") == "thread.message" and item.get("role") == "user")
    return threads


def _thread_of(interaction: Interaction) -> str | None:
    """The thread a write made or wrote to: in its path, or its answer's (a thread, or a run's `thread_id`)."""
    named = re.fullmatch(r"/threads/([^/]+)/runs", below_api_prefix(interaction.path))
    if named is not None:
        return named.group(1)
    answers = [interaction.response_json, *(event.data for event in interaction.events)]
    for answer in answers:
        if isinstance(answer, dict):
            if answer.get("object") == "thread":
                return str(answer.get("id"))
            if isinstance(answer.get("thread_id"), str):
                return str(answer["thread_id"])
    return None


def _take_order(ids: list[str | None], ordered: list[str]) -> None:
    """Refill the places of `ordered`'s members in `ids` with them in `ordered`'s order."""
    members = [i for i in ordered if i in ids]
    slots = [position for position, object_id in enumerate(ids) if object_id in set(members)]
    for position, object_id in zip(slots, members, strict=True):
        ids[position] = object_id


def _all(recordings: Sequence[Recording]) -> Iterable[Interaction]:
    for recording in recordings:
        yield from recording.interactions


def _answered_ids(interaction: Interaction) -> list[str]:
    body = interaction.response_json
    values: list[Any] = []
    if body is not None:
        items = body.get("data") if body.get("object") == "list" else None
        if isinstance(items, list):
            values.extend(items)
        else:
            values.append(body)
    values.extend(event.data for event in interaction.events if isinstance(event.data, (dict, list)))
    found: list[str] = []
    for value in values:
        found.extend(ids_in(value))
    return found
