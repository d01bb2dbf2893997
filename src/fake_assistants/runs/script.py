"""Scripted model turns: what the "model" does in each run, queued in order."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from ..core.types import Json
from ..core.wire import utf8_escaped, utf8_texts

LAST_ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")
DEFAULT_FAILURE_MESSAGES = {
    "server_error": "Sorry, something went wrong.",
    "rate_limit_exceeded": "Rate limit is exceeded. Try again in 60 seconds.",
    "invalid_prompt": "Your prompt was flagged as potentially violating our usage policy.",
}


@dataclass(slots=True)
class TextStream:
    """An answer's text as a model writes it: iterating gives its chunks as they arrive (a stream reading the
    run gets one `thread.message.delta` per chunk; a polled run just joins them). Once the chunks are over,
    `usage` is the model's count and `incomplete` the reason it stopped short (`max_completion_tokens`), if it
    did; `failure` (a message) says the text broke off part-way, which fails the run with `server_error`."""

    chunks: Iterator[str]
    usage: tuple[int, int] | None = None
    incomplete: str | None = None
    failure: str | None = None

    def __iter__(self) -> Iterator[str]:
        return self.chunks


@dataclass(frozen=True, slots=True)
class Reply:
    text: str | TextStream
    # (prompt, completion) tokens as a model backend counted them
    usage: tuple[int, int] | None = field(default=None, repr=False)
    # on a run with file_search and files, the fake searches before the answer (as the service did); a model
    # that was offered the search as a function (see TurnContext.searchable) searched when it wanted to
    search_first: bool = field(default=True, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.text, str):  # a model's stream is checked chunk by chunk as the engine reads it
            utf8_texts("a reply", text=self.text)


@dataclass(frozen=True, slots=True)
class Say:
    """A message the model writes part-way through a run: the run goes on with the next turn."""

    text: str

    def __post_init__(self) -> None:
        utf8_texts("a said message", text=self.text)


@dataclass(frozen=True, slots=True)
class FunctionCalls:
    calls: tuple[tuple[str, str], ...]  # (name, JSON arguments)

    def __post_init__(self) -> None:
        for name, arguments in self.calls:
            utf8_texts("a function call", name=name, arguments=arguments)


@dataclass(frozen=True, slots=True)
class CodeInterpreter:
    input: str
    logs: str | None = None
    images: tuple[bytes, ...] = ()  # each becomes an `assistants_output` file and an image output
    # (name, bytes): each becomes an `assistants_output` file, linked as sandbox:/mnt/data/<name> (see file_links)
    files: tuple[tuple[str, bytes], ...] = ()

    def __post_init__(self) -> None:
        utf8_texts("a code_interpreter step", input=self.input, logs=self.logs)
        for name, _ in self.files:
            utf8_texts("a code_interpreter step", file_name=name)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A file_search result fixed by a script: `text` is the chunk (the file's start when None)."""

    file_id: str
    score: float = 1.0
    text: str | None = None

    def __post_init__(self) -> None:
        utf8_texts("a file_search result", file_id=self.file_id, text=self.text)


@dataclass(frozen=True, slots=True)
class FileSearch:
    """A file_search tool step: searches the run's vector stores, or returns `results` as given."""

    query: str | None = None
    results: tuple[SearchResult, ...] | None = None

    def __post_init__(self) -> None:
        utf8_texts("a file_search step", query=self.query)


@dataclass(frozen=True, slots=True)
class BrokenStream:
    """The answer breaks off after `after_deltas` text deltas: a stream ends with `event: error`."""

    text: str
    after_deltas: int
    message: str | None = None

    def __post_init__(self) -> None:
        utf8_texts("a broken stream", text=self.text, message=self.message)


@dataclass(frozen=True, slots=True)
class Fail:
    code: str
    message: str

    def __post_init__(self) -> None:
        utf8_texts("a failure", code=self.code, message=self.message)


@dataclass(frozen=True, slots=True)
class Incomplete:
    reason: str
    text: str | None = None
    # the text is already what the model wrote before its limit (a backend's): not cut again
    as_written: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        utf8_texts("an incomplete answer", reason=self.reason, text=self.text)


Action = Reply | Say | FunctionCalls | CodeInterpreter | FileSearch | BrokenStream | Fail | Incomplete
ACTION_TYPES = (Reply, Say, FunctionCalls, CodeInterpreter, FileSearch, BrokenStream, Fail, Incomplete)
_SCRIPTED = frozenset(ACTION_TYPES)
_ACTION = attrgetter("action")


@dataclass(frozen=True, slots=True)
class TurnContext:
    """What a `respond_with` callable sees: the run, the thread's messages (oldest first), the tools, the run's
    steps so far."""

    run: Json
    messages: list[Json]
    tools: list[Json]
    steps: list[Json] = field(default_factory=list)  # the run's steps so far, oldest first (tool outputs included)
    # the run has file_search and its vector stores hold searchable files
    searchable: bool = False

    @property
    def last_user_text(self) -> str:
        return last_user_text(self.messages)


Responder = Callable[[TurnContext], "Action | str"]


def responder_failure(error: BaseException) -> Fail:
    """What a run that a `respond_with` callable raised in ends with: failed, `server_error`, naming the error."""
    said = f"fake-assistants: the responder raised {type(error).__name__}: {error}"
    return Fail("server_error", utf8_escaped(said))


@dataclass(slots=True)
class Turn:
    action: Action | Responder
    assistant_id: str | None = None
    repeat: bool = False

    @property
    def responds(self) -> bool:
        """Whether the turn is a responder (a callable reading the `TurnContext`), not a scripted action."""
        return not isinstance(self.action, ACTION_TYPES)

    def resolve_scripted(self) -> Action:
        """The scripted action (a turn that is not a responder)."""
        if not isinstance(self.action, ACTION_TYPES):
            raise TypeError("a responder turn needs its TurnContext: use resolve(context)")
        return self.action

    def resolve(self, context: TurnContext) -> Action:
        if isinstance(self.action, ACTION_TYPES):
            return self.action
        produced = self.action(context)
        return Reply(produced) if isinstance(produced, str) else produced


@dataclass(slots=True)
class Script:
    """The queue of scripted turns. Each run takes the first turn that fits its assistant."""

    turns: list[Turn] = field(default_factory=list)
    strict: bool = False
    consumed: int = 0
    # what the script asked that no run could do (a call to a function the run does not declare), in order
    mistakes: list[str] = field(default_factory=list)
    # what a `respond_with` callable raised, in order: (run id, the exception, with its traceback); the run failed
    responder_errors: list[tuple[str, BaseException]] = field(default_factory=list)
    # what answers a run no turn fits (instead of the default reply); an option like `strict`: `clear` keeps it
    fallback: Responder | None = None

    def _add(self, action: Action | Responder, assistant_id: str | None, repeat: bool = False) -> Script:
        self.turns.append(Turn(action, assistant_id, repeat))
        return self

    def reply(self, text: str, *, assistant_id: str | None = None) -> Script:
        return self._add(Reply(text), assistant_id)

    def say(self, text: str, *, assistant_id: str | None = None) -> Script:
        """A message step part-way through the run ("Let me look that up."); the run goes on with the next
        turn (a tool step, another message, the final reply), as the model did before calling a tool."""
        return self._add(Say(text), assistant_id)

    def call_function(self, name: str, arguments: Json | str | None = None, *,
                      assistant_id: str | None = None) -> Script:
        return self.call_functions([(name, arguments)], assistant_id=assistant_id)

    def call_functions(self, calls: Sequence[tuple[str, Json | str | None]], *,
                       assistant_id: str | None = None) -> Script:
        encoded = tuple((name, _arguments(args)) for name, args in calls)
        return self._add(FunctionCalls(encoded), assistant_id)

    def code_interpreter(self, input: str, logs: str | None = None, *, images: Sequence[bytes] = (),
                         files: Mapping[str, bytes] | Sequence[tuple[str, bytes]] = (),
                         assistant_id: str | None = None) -> Script:
        """A code_interpreter step (input, logs, image outputs), then the next turn of the same run.

        Each image becomes an `assistants_output` file: an `image` output of the step and an `image_file`
        part of the answer. Each of `files` (name -> bytes) becomes an `assistants_output` file that the
        answer links as `sandbox:/mnt/data/<name>` with a `file_path` annotation (appended as a markdown
        link when the reply does not mention that path) and lists in its `attachments`.
        """
        generated = tuple(files.items()) if isinstance(files, Mapping) else tuple(files)
        return self._add(CodeInterpreter(input, logs, tuple(images), generated), assistant_id)

    def file_search(self, query: str | None = None, results: Sequence[SearchResult | str] | None = None, *,
                    assistant_id: str | None = None) -> Script:
        """A file_search step, then the next turn, whose reply cites what was found.

        Without `results` the run's vector stores are searched for `query` (default: the last user
        message); with `results` (SearchResult or file ids) the step reports exactly those.
        """
        fixed = None if results is None else tuple(
            r if isinstance(r, SearchResult) else SearchResult(r) for r in results
        )
        return self._add(FileSearch(query, fixed), assistant_id)

    def retrieval(self, query: str | None = None, results: Sequence[SearchResult | str] | None = None, *,
                  assistant_id: str | None = None) -> Script:
        """Assistants v1's name for `file_search`: v1 shows the step as `{"type": "retrieval", "retrieval": {}}`
        and the reply's citations with their `quote`."""
        return self.file_search(query, results, assistant_id=assistant_id)

    def break_stream(self, text: str = "This answer breaks off", after_deltas: int = 1,
                     message: str | None = None, *, assistant_id: str | None = None) -> Script:
        """The answer stops after `after_deltas` deltas with a server error: the run fails (server_error);
        a stream of it ends with `event: error` and no `done`."""
        return self._add(BrokenStream(text, after_deltas, message), assistant_id)

    def fail(self, code: str = "server_error", message: str | None = None, *,
             assistant_id: str | None = None) -> Script:
        """The run fails with `last_error`. `server_error` and `rate_limit_exceeded` fail while the answer is
        being written (a failed message_creation step, an `incomplete` message); `invalid_prompt` fails first."""
        if code not in LAST_ERROR_CODES:
            raise ValueError(f"last_error code must be one of {LAST_ERROR_CODES}, not {code!r}")
        return self._add(Fail(code, message or DEFAULT_FAILURE_MESSAGES[code]), assistant_id)

    def incomplete(self, reason: str = "max_completion_tokens", text: str | None = None, *,
                   assistant_id: str | None = None) -> Script:
        if reason not in INCOMPLETE_REASONS:
            raise ValueError(f"incomplete reason must be one of {INCOMPLETE_REASONS}, not {reason!r}")
        return self._add(Incomplete(reason, text), assistant_id)

    def respond_with(self, responder: Responder, *, assistant_id: str | None = None,
                     repeat: bool = False) -> Script:
        return self._add(responder, assistant_id, repeat)

    def may_respond(self) -> bool:
        """Whether a run could be answered by a responder (a model): the fallback, or a responder turn queued. The
        turns' types are compared without a Python loop (a server asks on every request under /threads); an action
        of a subclass of the scripted types counts as a responder here, which only sends requests to a worker."""
        return self.fallback is not None or not _SCRIPTED.issuperset(map(type, map(_ACTION, self.turns)))

    def take(self, assistant_id: str) -> Turn | None:
        for position, turn in enumerate(self.turns):
            if turn.assistant_id in (None, assistant_id):
                if not turn.repeat:
                    del self.turns[position]
                self.consumed += 1
                return turn
        if self.fallback is not None:
            return Turn(self.fallback, repeat=True)
        return None

    @property
    def pending(self) -> list[Turn]:
        return [t for t in self.turns if not t.repeat]

    def clear(self) -> None:
        self.turns.clear()
        self.mistakes.clear()
        self.responder_errors.clear()


def undeclared_call(action: FunctionCalls, tools: Sequence[Json]) -> str | None:
    """What is wrong with scripted function calls that name a function the run's tools do not declare, or None."""
    declared = [str(tool["function"]["name"]) for tool in tools if tool.get("type") == "function"]
    unknown = [name for name, _ in action.calls if name not in declared]
    if not unknown:
        return None
    names = ", ".join(repr(name) for name in dict.fromkeys(unknown))
    offered = ", ".join(repr(name) for name in declared) if declared else "none"
    return (f"the script calls function {names}, which this run does not declare "
            f"(its function tools: {offered})")


def _arguments(arguments: Json | str | None) -> str:
    if arguments is None:
        return "{}"
    return arguments if isinstance(arguments, str) else json.dumps(arguments)


def last_user_text(messages: Sequence[Json]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            texts = [p["text"]["value"] for p in message.get("content", []) if p.get("type") == "text"]
            return " ".join(texts)
    return ""


def default_reply(messages: Sequence[Json]) -> str:
    """What an unscripted run answers: deterministic, derived from the last user message."""
    text = last_user_text(messages).strip()
    if not text:
        return "Hello! How can I help you today?"
    return f"This is a deterministic reply from fake-assistants to: {text}"
