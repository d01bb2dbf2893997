"""The control API's request bodies as strict pydantic models, validated like the Assistants API's own.

A scripted turn is a JSON object tagged by `type`, one per `Script` method:
`reply`, `say`, `call_function`, `call_functions`, `code_interpreter`, `file_search`, `fail`, `incomplete`,
`break_stream`. Each may name the `assistant_id` whose runs it is for.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal, TypeVar

import pydantic
from pydantic import Discriminator, Field, Tag

from ..api.request_models import FunctionName, Strict, type_tag
from ..api.validation import validate
from ..core.errors import ApiError
from ..core.types import Json
from ..runs.script import (
    BrokenStream,
    CodeInterpreter,
    Fail,
    FileSearch,
    FunctionCalls,
    Incomplete,
    Reply,
    Say,
)

M = TypeVar("M", bound=pydantic.BaseModel)

Arguments = dict[str, Any] | str | None


class TurnFields(Strict):
    assistant_id: str | None = None


class ReplyTurn(TurnFields):
    type: Literal["reply"]
    text: str
    search: bool = True  # False: no file_search before the answer


class SayTurn(TurnFields):
    type: Literal["say"]
    text: str


class FunctionCall(Strict):
    name: FunctionName  # as a function tool's: a run could call no other
    arguments: Arguments = None


class CallFunctionTurn(TurnFields):
    type: Literal["call_function"]
    name: FunctionName
    arguments: Arguments = None


class CallFunctionsTurn(TurnFields):
    type: Literal["call_functions"]
    calls: Annotated[list[FunctionCall], Field(min_length=1)]


class CodeInterpreterTurn(TurnFields):
    type: Literal["code_interpreter"]
    input: str
    logs: str | None = None
    images: list[str] = Field(default_factory=list)  # base64: each becomes an image output file
    files: dict[str, str] = Field(default_factory=dict)  # name -> base64: each a file the answer links


class SearchResultSpec(Strict):
    file_id: str
    score: Annotated[float, Field(ge=0, le=1)] = 1.0
    text: str | None = None


class FileSearchTurn(TurnFields):
    type: Literal["file_search"]
    query: str | None = None
    results: list[SearchResultSpec | str] | None = None


class FailTurn(TurnFields):
    type: Literal["fail"]
    code: Literal["server_error", "rate_limit_exceeded", "invalid_prompt"] = "server_error"
    message: str | None = None


class IncompleteTurn(TurnFields):
    type: Literal["incomplete"]
    reason: Literal["max_completion_tokens", "max_prompt_tokens"] = "max_completion_tokens"
    text: str | None = None


class BreakStreamTurn(TurnFields):
    type: Literal["break_stream"]
    text: str = "This answer breaks off"
    after_deltas: Annotated[int, Field(ge=0)] = 1
    message: str | None = None


TurnSpec = Annotated[
    Annotated[ReplyTurn, Tag("reply")]
    | Annotated[SayTurn, Tag("say")]
    | Annotated[CallFunctionTurn, Tag("call_function")]
    | Annotated[CallFunctionsTurn, Tag("call_functions")]
    | Annotated[CodeInterpreterTurn, Tag("code_interpreter")]
    | Annotated[FileSearchTurn, Tag("file_search")]
    | Annotated[FailTurn, Tag("fail")]
    | Annotated[IncompleteTurn, Tag("incomplete")]
    | Annotated[BreakStreamTurn, Tag("break_stream")],
    Discriminator(type_tag),
]


class ScriptBody(Strict):
    turns: Annotated[list[TurnSpec], Field(min_length=1)]


class PolicyBody(Strict):
    """When vector-store files finish ingesting: a progression policy."""

    policy: Literal["immediate", "manual", "after_polls", "after_seconds"]
    polls: Annotated[int, Field(ge=0)] | None = None
    seconds: Annotated[int, Field(ge=0)] | None = None


class ProgressionBody(PolicyBody):
    """When runs move: for every run, or for the run `run_id`."""

    run_id: str | None = None


class FinishIngestionBody(Strict):
    vector_store_id: str | None = None
    file_id: str | None = None


class IngestionFailureBody(Strict):
    code: Literal["server_error", "unsupported_file", "invalid_file"] = "server_error"
    message: str | None = None
    file_id: str | None = None
    filename: str | None = None


class ClockBody(Strict):
    advance: Annotated[float, Field(ge=0)] | None = None
    set: int | None = None


class FaultBody(Strict):
    """One fault for `fake.faults`: `kind` names the method; the other fields are its arguments."""

    kind: Literal["error", "rate_limit", "server_error", "timeout", "connection_error", "stream_error", "drop_stream"]
    route: str | None = None
    count: Annotated[int, Field(ge=1)] | None = 1  # null: every matching request
    status: int | None = None
    message: str | None = None
    type: str | None = None
    code: str | None = None
    param: str | None = None
    retry_after_ms: Annotated[int, Field(ge=0)] | None = None
    should_retry: bool | None = None
    retry_after: Annotated[int, Field(ge=0)] | str | None = None
    after_events: Annotated[int, Field(ge=0)] | None = None
    after_handling: bool = False
    headers: dict[str, str] | None = None


def validate_control(model: type[M], data: dict[str, Any]) -> M:
    """`validate` (the Assistants API's wording), and where a required field is missing, the 400 also names the
    fields beside it that the object does not take: a field under another name (`{"type": "reply", "content":
    "..."}`) is then one mistake, not two."""
    try:
        return validate(model, data)
    except ApiError as error:
        if error.code != "missing_required_parameter":
            raise
        missing = error
    try:
        model.model_validate(data)
    except pydantic.ValidationError as exc:
        details = exc.errors()
    else:  # pragma: no cover - validate refused it, so this does too
        raise missing
    places = [tuple(detail["loc"][:-1]) for detail in details if detail["type"] == "missing"]
    unknown = [str(detail["loc"][-1]) for detail in details
               if detail["type"] == "extra_forbidden" and tuple(detail["loc"][:-1]) in places]
    if unknown:
        names = ", ".join(f"'{name}'" for name in unknown)
        missing.message += f" The object also has {names}, which it does not take."
    raise missing


def turn_spec(action: object) -> Json | None:
    """A queued turn's action as the JSON `POST /__fake__/script` takes for it (what was posted, defaults filled
    in); None for what no JSON turn makes (a `respond_with` function, a model, a reply streamed in pieces)."""
    if isinstance(action, Reply):
        if not isinstance(action.text, str):
            return None
        return {"type": "reply", "text": action.text, **({} if action.search_first else {"search": False})}
    if isinstance(action, Say):
        return {"type": "say", "text": action.text}
    if isinstance(action, FunctionCalls):
        calls = [{"name": name, "arguments": _arguments(arguments)} for name, arguments in action.calls]
        return {"type": "call_function", **calls[0]} if len(calls) == 1 else {"type": "call_functions",
                                                                              "calls": calls}
    if isinstance(action, CodeInterpreter):
        return {"type": "code_interpreter", "input": action.input, "logs": action.logs,
                "images": [base64.b64encode(image).decode("ascii") for image in action.images],
                "files": {name: base64.b64encode(data).decode("ascii") for name, data in action.files}}
    if isinstance(action, FileSearch):
        results = None if action.results is None else [
            {"file_id": r.file_id, "score": r.score, "text": r.text} for r in action.results]
        return {"type": "file_search", "query": action.query, "results": results}
    if isinstance(action, Fail):
        return {"type": "fail", "code": action.code, "message": action.message}
    if isinstance(action, Incomplete):
        return {"type": "incomplete", "reason": action.reason, "text": action.text}
    if isinstance(action, BrokenStream):
        return {"type": "break_stream", "text": action.text, "after_deltas": action.after_deltas,
                "message": action.message}
    return None


def _arguments(arguments: str) -> Any:
    """A call's arguments as posted: the JSON object they spell, else the string as it was (malformed on purpose)."""
    try:
        decoded = json.loads(arguments)
    except ValueError:
        return arguments
    return decoded if isinstance(decoded, dict) else arguments
