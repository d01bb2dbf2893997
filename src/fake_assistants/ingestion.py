"""Vector-store file ingestion: in_progress -> completed | failed | cancelled, on the run policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch

from . import chunking
from .clock import Clock
from .file_resources import StoredFile, VectorStoreFile
from .progression import AfterPolls, AfterSeconds, Immediate, Manual, Policy

LAST_ERROR_MESSAGES = {
    "server_error": "An internal error occurred while processing the file.",
    "unsupported_file": "The file type is not supported.",  # (real) ERRORS.md #25
    "invalid_file": "The file could not be parsed because it is too large.",  # (real) ERRORS.md #26
}


@dataclass(frozen=True, slots=True)
class FailureRule:
    code: str
    message: str
    file_id: str | None = None
    filename: str | None = None  # an fnmatch pattern

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

    def fail(self, *, file_id: str | None = None, filename: str | None = None,
             code: str = "server_error", message: str | None = None) -> FailureRule:
        if code not in LAST_ERROR_MESSAGES:
            raise ValueError(f"last_error code must be one of {sorted(LAST_ERROR_MESSAGES)}, not {code!r}")
        rule = FailureRule(code, message or LAST_ERROR_MESSAGES[code], file_id, filename)
        self.rules.append(rule)
        return rule

    def on_read(self, vs_file: VectorStoreFile, stored: StoredFile | None, *, poll: bool) -> None:
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

    def finish(self, vs_file: VectorStoreFile, stored: StoredFile | None) -> None:
        """End ingestion now: a matching failure rule, an unsupported type, or chunks."""
        if vs_file.status != "in_progress":
            return
        if stored is None:
            self._failed(vs_file, "invalid_file", "The file was deleted before it could be processed.")
            return
        rule = next((r for r in self.rules if r.applies(stored)), None)
        if rule is not None:
            self._failed(vs_file, rule.code, rule.message)
        elif not chunking.is_supported(stored.filename):
            self._failed(vs_file, "unsupported_file", LAST_ERROR_MESSAGES["unsupported_file"])
        else:
            vs_file.chunks = chunking.chunk_text(stored.data, vs_file.chunking_strategy)
            vs_file.usage_bytes = len(stored.data)
            vs_file.status = "completed"

    @staticmethod
    def _failed(vs_file: VectorStoreFile, code: str, message: str) -> None:
        vs_file.status = "failed"
        vs_file.last_error = {"code": code, "message": message}
        vs_file.usage_bytes = 0
