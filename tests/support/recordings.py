"""Loading real recorded API traffic from `../shared/conformance/recordings` into one normalized form.

Three formats are read (see shared/conformance/SOURCES.md):

- .NET test-proxy session records: `{"Entries": [{RequestUri, RequestMethod, RequestHeaders, RequestBody,
  StatusCode, ResponseBody}]}`; a streamed body is stored as a list of SSE lines.
- VCR-like cassettes (ruby-openai, openllmetry): `{"interactions": [{request: {method, uri, headers, body},
  response: {status, body | body_text | sse_raw}}]}`; header values are lists.
- simple-openai fixtures: a bare response body, with no request.

Nothing here is copied into the project: the files are read in place, and the whole replay suite is
skipped when the shared folder is absent.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from fake_assistants.cassettes import reader as cassette_reader
from fake_assistants.cassettes.interaction import Interaction as RecordedInteraction
from fake_assistants.core.ids import ID_PREFIXES
from project_paths import ROOT

SHARED_ENV = "FAKE_ASSISTANTS_SHARED"
RECORDINGS = Path("conformance") / "recordings"

# An object id as the service mints them: a known prefix, an optional tag (`vsfb_ibj_...`) and a long
# random body. Short placeholders such as `file-abc123` or `fake_id` are deliberately not ids: requests
# naming them are sent as they are.
ID_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(re.escape(prefix) for prefix in sorted(ID_PREFIXES.values(), key=len, reverse=True))
    + r")(?:[a-z]{2,4}_)?[A-Za-z0-9]{16,}\b"
)


# A hand-written stand-in for an id (`vs_abc123`, `file-def456`, `step_123`): a known prefix, lowercase
# letters, then digits. Error tests name such ids on purpose (the service answers 404); a *success* recorded
# for one was written by hand, since the service never minted it.
PLACEHOLDER_PATTERN = re.compile(
    r"\b(?:"
    + "|".join(re.escape(prefix) for prefix in sorted(ID_PREFIXES.values(), key=len, reverse=True))
    + r")[a-z]*[0-9]+\b"
)


def shared_dir() -> Path:
    """`$FAKE_ASSISTANTS_SHARED`, else `shared/` beside the checkout (`../shared` in CI)."""
    override = os.environ.get(SHARED_ENV)
    if override:
        return Path(override)
    return ROOT.parent / "shared"


def recordings_dir() -> Path | None:
    folder = shared_dir() / RECORDINGS
    return folder if folder.is_dir() else None


def id_prefix(value: str) -> str | None:
    """The prefix of a service id (`asst_`, `file-`...), or None when `value` is not an id."""
    match = ID_PATTERN.fullmatch(value)
    if match is None:
        return None
    return next(p for p in sorted(ID_PREFIXES.values(), key=len, reverse=True) if value.startswith(p))


def ids_in(value: Any) -> set[str]:
    """Every service id mentioned anywhere in a JSON value or string."""
    text = value if isinstance(value, str) else json.dumps(value)
    return set(ID_PATTERN.findall(text))


def placeholders_in(value: Any) -> set[str]:
    """Every placeholder id (`vs_abc123`) in a JSON value or string; real ids never count."""
    text = value if isinstance(value, str) else json.dumps(value)
    return {found for found in PLACEHOLDER_PATTERN.findall(text) if not ID_PATTERN.fullmatch(found)}


@dataclass(frozen=True, slots=True)
class Interaction:
    """One recorded request and the real service's answer."""

    index: int
    method: str
    path: str  # with the /v1 prefix, without the query
    query: str  # raw, still percent-encoded; "" when none
    beta: str | None  # the OpenAI-Beta request header
    body: Any  # JSON value, raw text (multipart upload) or None
    status: int
    response: Any  # JSON body; None when the answer was SSE, binary or text
    recorded_at: str | None = None  # HTTP date the service answered (Date header / VCR recorded_at)
    stream: str | None = None  # the raw SSE body of a streamed answer (VCR `sse_raw`), else None

    @property
    def target(self) -> str:
        return f"{self.path}?{self.query}" if self.query else self.path

    @property
    def is_v1(self) -> bool:
        return "assistants=v1" in (self.beta or "").replace(" ", "")

    @property
    def mutates(self) -> bool:
        return self.method != "GET"

    def referenced_ids(self) -> set[str]:
        return ids_in(self.target) | (ids_in(self.body) if self.body is not None else set())

    def used_keys(self) -> set[str]:
        """The objects this request names: every id, every id of the path under its parent
        (`vs_A/file-B` for `/vector_stores/vs_A/files/file-B`), and what a nested list answered
        (`vs_A/file-B` again for `/vector_stores/vs_A/files` listing file-B)."""
        path_ids = ID_PATTERN.findall(self.path)
        used = self.referenced_ids() | {f"{parent}/{child}" for parent, child in pairwise(path_ids)}
        answer = self.response if isinstance(self.response, dict) else {}
        listed = answer.get("data") if answer.get("object") == "list" else None
        if path_ids and isinstance(listed, list):
            used |= {f"{path_ids[-1]}/{item['id']}" for item in listed if isinstance(item, dict) and "id" in item}
        return used

    def created_keys(self) -> set[str]:
        """The objects this request made: the `id` of a create-like answer not named in the path, under
        the path's last id, and on its own unless the request body named it already. A vector-store
        file's id is its File's id, so attaching File B to store A makes `vs_A/file-B` but no new id."""
        new_id = self.response.get("id") if isinstance(self.response, dict) else None
        if not self.mutates or not isinstance(new_id, str) or new_id in self.target:
            return set()
        path_ids = ID_PATTERN.findall(self.path)
        made = {f"{path_ids[-1]}/{new_id}"} if path_ids else set()
        return made if new_id in self.referenced_ids() else made | {new_id}

    def hand_written(self) -> set[str]:
        """Placeholder ids a recorded success names in its path or answers as its `id`: such an
        interaction was written by hand (only data such as a filename may look like a placeholder)."""
        if not 200 <= self.status < 300:
            return set()
        answered = self.response.get("id") if isinstance(self.response, dict) else None
        return placeholders_in(self.target) | (placeholders_in(answered) if isinstance(answered, str) else set())


@dataclass(frozen=True, slots=True)
class Recording:
    path: Path
    interactions: tuple[Interaction, ...]

    @property
    def name(self) -> str:
        return f"{self.path.parent.name}/{self.path.stem}"

    def created_keys(self) -> set[str]:
        """Objects this recording made (see `Interaction.created_keys`)."""
        return {key for it in self.interactions for key in it.created_keys()}

    def used_keys(self) -> set[str]:
        """Objects named by the requests (Assistants v1 ones are replayed too, on a fake serving v1)."""
        return {key for it in self.interactions for key in it.used_keys()}


# -- formats ----------------------------------------------------------------------------------------
# Parsing lives in the package (`fake_assistants.cassettes.reader`); this keeps the replay suite's view of it.


def _converted(interaction: RecordedInteraction, fmt: str) -> Interaction:
    body = interaction.response_body
    return Interaction(
        index=interaction.index,
        method=interaction.method,
        path=interaction.path,
        query=interaction.query,
        beta=interaction.beta,
        body=interaction.request_body,
        status=interaction.status,
        response=body if isinstance(body, dict) else None,  # body_text / SSE are not JSON
        recorded_at=interaction.recorded_at,
        stream=interaction.stream if fmt != "dotnet-proxy" else None,  # .NET streams: their `.sse` twins
    )


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def parse_recording(path: Path, data: Any) -> Recording | None:
    """A Recording for the request/response formats; None for anything else (bare fixtures)."""
    parsed = cassette_reader.parse_recording(path, data)
    if parsed is None:
        return None
    return Recording(path, tuple(_converted(i, parsed.format) for i in parsed.interactions))


def _json_files(root: Path) -> Iterator[Path]:
    return (p for p in sorted(root.glob("*/*.json")) if p.is_file())


@cache
def load_all(root: Path) -> tuple[Recording, ...]:
    """Every request/response recording under `root` (.sse files and bare fixtures left out)."""
    found = (parse_recording(p, _read(p)) for p in _json_files(root))
    return tuple(r for r in found if r is not None)


@cache
def load_fixtures(root: Path) -> tuple[tuple[Path, dict[str, Any]], ...]:
    """Bare response bodies (simple-openai): JSON objects that are not request/response recordings."""
    out = []
    for path in _json_files(root):
        data = _read(path)
        if isinstance(data, dict) and parse_recording(path, data) is None:
            out.append((path, data))
    return tuple(out)


# -- setup recordings -------------------------------------------------------------------------------


def _creators(recordings: Iterable[Recording]) -> dict[str, Recording]:
    creators: dict[str, Recording] = {}
    for recording in recordings:
        for key in recording.created_keys():
            creators.setdefault(key, recording)
    return creators


def prerequisites(target: Recording, siblings: Sequence[Recording]) -> list[Recording]:
    """Recordings (same source folder) that created the objects `target` uses, dependencies first.

    ruby-openai records one spec in several cassettes (`*_thread_setup`, `*_message_setup`,
    `files_*_upload`...): the setup cassette creates the thread whose id the main cassette then uses.
    Linking by ids rather than by file names also orders setups that depend on each other. Nested
    objects are linked under their parent too: `*_vector_store_file_setup` attaches the uploaded File to
    the store, making `vs_A/file-B`, which the main cassette's `/vector_stores/vs_A/files/file-B` uses.
    """
    creators = _creators(s for s in siblings if s.path.parent == target.path.parent)
    ordered: list[Recording] = []
    seen = {target.path}

    def visit(recording: Recording) -> None:
        for key in sorted(recording.used_keys() - recording.created_keys()):
            creator = creators.get(key)
            if creator is not None and creator.path not in seen:
                seen.add(creator.path)
                visit(creator)
                ordered.append(creator)

    visit(target)
    return ordered
