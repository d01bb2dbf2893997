"""The one exception type that becomes an OpenAI error envelope."""

from __future__ import annotations

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
