"""The one exception type that becomes an OpenAI error envelope."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """An HTTP error with the OpenAI envelope `{"error": {message, type, param, code}}`."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        envelope: dict[str, Any] = {
            "error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}
        }
        envelope.update(self.extra)
        return envelope


class IllegalTransition(Exception):
    """A run (or other stateful object) was asked to do what its status forbids."""

    def __init__(self, status: str, trigger: str) -> None:
        super().__init__(f"no transition from status {status!r} on trigger {trigger!r}")
        self.status = status
        self.trigger = trigger


class StateError(ValueError):
    """A fake's state cannot be saved or loaded as asked (snapshot, dump, load): the message says why."""


@dataclass(frozen=True, slots=True)
class InternalError:
    """An exception inside the fake that its client saw as the service's own 500 `server_error` (a stream: as its
    `error` event): a bug of the fake, or a value the fake was given (a scripted turn, an option) that it could not
    use. `fake.internal_errors` keeps them; the pytest plugin fails the test with their tracebacks."""

    request_id: str
    where: str  # the request (`POST /v1/threads/runs`), or the stream of a run
    error: BaseException

    def __str__(self) -> str:
        told = "".join(traceback.format_exception(self.error)).rstrip()
        return f"{self.where} (answered 500 server_error, request id {self.request_id}):\n{told}"


MAX_INTERNAL_ERRORS = 100  # kept of a test that makes the same mistake in a loop; every one is logged
LOG = logging.getLogger("fake_assistants")


def note_internal_error(errors: list[InternalError], error: InternalError) -> None:
    """Keep `error` (the first MAX_INTERNAL_ERRORS) and log it, with its traceback, on the `fake_assistants`
    logger (pytest shows it with a failed test's captured log; a server's log shows it)."""
    if len(errors) < MAX_INTERNAL_ERRORS:
        errors.append(error)
    LOG.error("fake-assistants: an error inside the fake answered %s with a 500 server_error", error.where,
              exc_info=error.error)
