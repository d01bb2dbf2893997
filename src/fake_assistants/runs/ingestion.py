"""Vector-store file ingestion: in_progress -> completed | failed, on the run policies.

When a file finishes is a progression policy (`fake.ingestion.policy`), the same ones runs use:
`Immediate` (the next read sees the outcome), `AfterPolls(n)` (n retrieves of the file, of its batch or
of its store show it `in_progress`, the next one the outcome), `AfterSeconds(s)` (virtual time since
the file was attached) and `Manual` (only `fake.finish_ingestion()`). How it finishes is decided by
failure rules (`fake.ingestion.fail(...)`), then by the file type and whether its text can be read
(runs/document_text.py); otherwise it completes, its `usage_bytes` the size of that text, and its chunks
are spans of that text (see chunking). Each status change goes through the file's table
(model/vector_store_file_lifecycle.py); cancelling its batch is the third way out of `in_progress`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from typing import Literal

from ..core.clock import Clock
from ..core.given import given
from ..core.wire import utf8_texts
from ..model import vector_store_file_lifecycle as file_lifecycle
from ..model.chunking import BYTES_PER_TOKEN
from ..model.file import StoredFile
from ..model.vector_store import VectorStoreFile
from ..store.file_tables import FileTables
from .document_text import Unreadable, is_document, text_of
from .progression import AfterPolls, AfterSeconds, Immediate, Manual, Policy, PolicyName, as_policy

LAST_ERROR_MESSAGES = {
    "server_error": "An internal error occurred while processing the file.",
    "unsupported_file": "The file type is not supported.",  # (real) ERRORS.md #25
    "invalid_file": "The file could not be parsed because it is too large.",  # (real) ERRORS.md #26
}
DELETED_BEFORE_PROCESSING = "The file was deleted before it could be processed."
MAX_FILE_TOKENS = 2_000_000


def unknown_target(tables: FileTables, *, vector_store_id: str | None,
                   file_id: str | None) -> tuple[Literal["vector_store", "file"], str] | None:
    """The vector store or file a call to finish ingestion names and the fake has not (kind, id), or None: a typo
    would otherwise finish nothing, silently."""
    if vector_store_id is not None and vector_store_id not in tables.vs_files:
        return "vector_store", vector_store_id
    if file_id is not None and file_id not in tables.files:
        return "file", file_id
    return None


@dataclass(frozen=True, slots=True)
class FailureRule:
    """Ingestion of the matching files fails with `last_error` {code, message}.

    `file_id` and `filename` (an fnmatch pattern) narrow the rule; a rule with neither fails every file.
    """

    code: str
    message: str
    file_id: str | None = None
    filename: str | None = None

    def __post_init__(self) -> None:
        utf8_texts("an ingestion failure", message=self.message)

    def applies(self, stored: StoredFile) -> bool:
        if self.file_id is not None and self.file_id != stored.id:
            return False
        return self.filename is None or fnmatch(stored.filename, self.filename)


@dataclass(slots=True)
class Ingestion:
    """When ingestion finishes (a progression policy) and how (failure rules; otherwise chunked)."""

    clock: Clock
    policy: Policy = field(default_factory=Immediate)
    rules: list[FailureRule] = field(default_factory=list)
    # "The Assistants API supports files up to 2 million tokens" (the reference; CHECKLIST, Files): a file whose text
    # holds more, at the chunker's 4 bytes a token, fails with `invalid_file` (ERRORS.md #26). None: no limit.
    _max_file_tokens: int | None = field(default=MAX_FILE_TOKENS, repr=False)

    @property
    def max_file_tokens(self) -> int | None:
        """The most tokens a file's text may hold (4 bytes a token); a longer file fails with `invalid_file`.
        None: no limit."""
        return self._max_file_tokens

    @max_file_tokens.setter
    def max_file_tokens(self, value: int | None) -> None:
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ValueError(f"fake.ingestion.max_file_tokens must be a whole number of at least 1, or None for no "
                             f"limit, not {given(value)}; pass fake.ingestion.max_file_tokens = 10, say")
        self._max_file_tokens = value

    def set_policy(self, policy: Policy | PolicyName) -> None:
        self.policy = as_policy(policy)

    def fail(self, *, file_id: str | None = None, filename: str | None = None,
             code: str = "server_error", message: str | None = None) -> FailureRule:
        """From now on, ingesting a matching file fails with this `last_error` code (and message)."""
        if code not in LAST_ERROR_MESSAGES:
            raise ValueError(f"last_error code must be one of {sorted(LAST_ERROR_MESSAGES)}, not {code!r}")
        rule = FailureRule(code, message or LAST_ERROR_MESSAGES[code], file_id, filename)
        self.rules.append(rule)
        return rule

    def on_read(self, vs_file: VectorStoreFile, stored: StoredFile | None, *, poll: bool) -> None:
        """A client read the file (`poll`: retrieved it, its batch or its store): maybe finish it."""
        if vs_file.status != "in_progress":
            return
        policy = self.policy
        if isinstance(policy, Immediate):
            self.finish(vs_file, stored)
        elif isinstance(policy, AfterPolls) and poll:
            vs_file.polls += 1
            if vs_file.polls > policy.polls:
                self.finish(vs_file, stored)
        elif isinstance(policy, AfterSeconds):
            if self.clock.now() - vs_file.created_at >= policy.seconds:
                self.finish(vs_file, stored)
        elif isinstance(policy, Manual):
            return

    def finish_pending(self, tables: FileTables, *, vector_store_id: str | None = None,
                       file_id: str | None = None) -> int:
        """Finish every in-progress vector-store file now (of one store, or one file); returns how many."""
        finished = 0
        for store_id, table in tables.vs_files.items():
            if vector_store_id is not None and store_id != vector_store_id:
                continue
            for vs_file in table.values():
                if vs_file.status == "in_progress" and file_id in (None, vs_file.id):
                    self.finish(vs_file, tables.files.get(vs_file.id))
                    finished += 1
        return finished

    def finish(self, vs_file: VectorStoreFile, stored: StoredFile | None) -> None:
        """End ingestion now: a matching failure rule, an unsupported type, or completed."""
        if vs_file.status != "in_progress":
            return
        if stored is None:
            file_lifecycle.fail(vs_file, "invalid_file", DELETED_BEFORE_PROCESSING)
            return
        rule = next((r for r in self.rules if r.applies(stored)), None)
        if rule is not None:
            file_lifecycle.fail(vs_file, rule.code, rule.message)
            return
        try:
            text = text_of(stored.filename, stored.data)
        except Unreadable as unreadable:  # unsupported type, a document library missing, a broken document
            file_lifecycle.fail(vs_file, unreadable.code, unreadable.message)
            return
        limit = self._max_file_tokens
        if limit is not None and len(text) > limit * BYTES_PER_TOKEN:
            file_lifecycle.fail(vs_file, "invalid_file", LAST_ERROR_MESSAGES["invalid_file"])
            return
        vs_file.text = text.decode("utf-8") if is_document(stored.filename) else None
        file_lifecycle.complete(vs_file, len(text))
