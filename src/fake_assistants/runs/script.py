"""Scripted model turns: what the "model" does in each run, queued in order."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter

from ..core.given import given
from ..core.types import Json
from ..core.wire import utf8_escaped, utf8_texts
from ..model.assistant import FUNCTION_NAME_RULE, is_function_name
from ..model.run_progress import TurnSource

LAST_ERROR_CODES = ("server_error", "rate_limit_exceeded", "invalid_prompt")
INCOMPLETE_REASONS = ("max_completion_tokens", "max_prompt_tokens")
DEFAULT_FAILURE_MESSAGES = {  # ../shared/conformance/ERRORS.md: no recording shows OpenAI's own run `last_error`s
    "server_error": "Sorry, something went wrong.",  # (reported by developers, not recorded)
    "rate_limit_exceeded": "Rate limit is exceeded. Try again in 60 seconds.",  # (real, Azure: ERRORS.md row 27)
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
        if isinstance(self.score, bool) or not isinstance(self.score, int | float):
            raise TypeError(f"SearchResult: score must be a number from 0 to 1, not {given(self.score)}; pass "
                            "score=0.9, say")
        if not 0 <= self.score <= 1:
            raise ValueError(f"SearchResult: score must be from 0 to 1, as the service's scores are, not "
                             f"{self.score!r}; pass score=1.0 for the best match")


@dataclass(frozen=True, slots=True)
class FileSearch:
    """A file_search tool step: searches the run's vector stores, or returns `results` as given."""

    query: str | None = None
    results: tuple[SearchResult, ...] | None = None
    # the results are a recording's (a cassette's turn): they may name files the fake never had (in a store before
    # the recording, and named by no request), shown by id as replayed; a script's must name Files of the fake
    recorded: bool = field(default=False, repr=False, compare=False)

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
    writing: bool = True  # the model fails while it writes its answer (server_error, rate_limit_exceeded)

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


def returned_wrongly(produced: object) -> str:
    """What is wrong with what a `respond_with` function returned (neither a str nor an action), and the fix."""
    hint = ""
    if produced is None:
        hint = " (a branch of the function that returns nothing?)"
    elif isinstance(produced, Mapping) and isinstance(produced.get("text"), str):
        hint = f" (return the text itself, {produced['text']!r}, not a dict holding it)"
    return (f"the responder returned {given(produced)}{hint}: return the reply's text (a str) or an action of "
            "fake_assistants.turns, such as turns.call_function(name, arguments)")


def turn_source(turn: Turn) -> TurnSource | None:
    """Where `turn` came from, for transcripts: a model behind the runs (a responder with a `model_label`), a
    cassette's recorded run (`Turn.source`), or None for a turn the test scripted."""
    label = getattr(turn.action, "model_label", None)
    if isinstance(label, str):
        return TurnSource(label, model=True)
    return None if turn.source is None else TurnSource(turn.source)


def responder_failure(error: BaseException) -> Fail:
    """What a run that a `respond_with` callable raised in ends with: failed, `server_error`, naming the error."""
    said = f"fake-assistants: the responder raised {type(error).__name__}: {error}"
    return Fail("server_error", utf8_escaped(said))


@dataclass(slots=True)
class Turn:
    action: Action | Responder
    assistant_id: str | None = None
    repeat: bool = False
    source: str | None = None  # where the turn came from, as a transcript names it ("the cassette's run_abc")

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
        """The turn's action: the scripted one, or what the responder returns for `context` (a str is a reply)."""
        if isinstance(self.action, ACTION_TYPES):
            return self.action
        produced = self.action(context)
        if isinstance(produced, str):
            return Reply(produced)
        if isinstance(produced, ACTION_TYPES):
            return produced
        raise TypeError(returned_wrongly(produced))


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

    def reply(self, text: str, *, assistant_id: str | None = None, search: bool = True) -> Script:
        """The model's final answer: the run completes with a message of `text`. `assistant_id` limits the turn
        to that assistant's runs (any run takes it by default). On a run with file_search over files, the fake
        searches first and the answer cites what it found, as the service's did; `search=False` answers without
        a search (and without citations), as a model that found nothing to look up did (a greeting, small talk).
        A run whose `tool_choice` forces a search (`{"type": "file_search"}`, or `required`) still searches first:
        the tool_choice is the application's, and the service honoured it."""
        _text("reply", "text", text, 'the answer\'s text, as reply("It is sunny in Paris.")')
        _assistant_id("reply", assistant_id)
        if not isinstance(search, bool):
            raise TypeError(f"fake.script.reply: search must be True or False, not {given(search)}; pass "
                            "search=False to answer without a file_search first")
        return self._add(Reply(text, search_first=search), assistant_id)

    def say(self, text: str, *, assistant_id: str | None = None) -> Script:
        """A message step part-way through the run ("Let me look that up."); the run goes on with the next
        turn (a tool step, another message, the final reply), as the model did before calling a tool."""
        _text("say", "text", text, 'the message\'s text, as say("Let me look that up.")')
        _assistant_id("say", assistant_id)
        return self._add(Say(text), assistant_id)

    def call_function(self, name: str, arguments: Json | str | None = None, *,
                      assistant_id: str | None = None) -> Script:
        """The run stops in `requires_action`, calling function `name` with `arguments`: a dict, a str (sent as
        written: a JSON object, or malformed on purpose), or None for `{}`. After `submit_tool_outputs` the run takes
        the next turn."""
        fix = 'the function\'s name, as call_function("get_weather", {"city": "Paris"})'
        _text("call_function", "name", name, fix)
        _function_name("call_function", "name", name, f"pass {fix}")
        _assistant_id("call_function", assistant_id)
        encoded = _arguments(arguments, "call_function", "arguments")
        return self._add(FunctionCalls(((name, encoded),)), assistant_id)

    def call_functions(self, calls: Sequence[tuple[str, Json | str | None]], *,
                       assistant_id: str | None = None) -> Script:
        """Parallel function calls in one `requires_action`: `calls` is a list of (name, arguments) pairs, each's
        arguments as `call_function` takes them."""
        _assistant_id("call_functions", assistant_id)
        return self._add(FunctionCalls(_calls(calls)), assistant_id)

    def code_interpreter(self, input: str, logs: str | None = None, *, images: Sequence[bytes] = (),
                         files: Mapping[str, bytes] | Sequence[tuple[str, bytes]] = (),
                         assistant_id: str | None = None) -> Script:
        """A code_interpreter step (input, logs, image outputs), then the next turn of the same run.

        Each image becomes an `assistants_output` file: an `image` output of the step and an `image_file`
        part of the answer. Each of `files` (name -> bytes) becomes an `assistants_output` file that the
        answer links as `sandbox:/mnt/data/<name>` with a `file_path` annotation (appended as a markdown
        link when the reply does not mention that path) and lists in its `attachments`.
        """
        _text("code_interpreter", "input", input, 'the code, as code_interpreter("print(1 + 1)", logs="2")')
        _text("code_interpreter", "logs", logs, 'what the code printed, as code_interpreter("print(1 + 1)", logs="2")',
              optional=True)
        _assistant_id("code_interpreter", assistant_id)
        generated = _files(files)
        return self._add(CodeInterpreter(input, logs, _images(images), generated), assistant_id)

    def file_search(self, query: str | None = None, results: Sequence[SearchResult | str] | None = None, *,
                    assistant_id: str | None = None) -> Script:
        """A file_search step, then the next turn, whose reply cites what was found.

        Without `results` the run's vector stores are searched for `query` (default: the last user
        message); with `results` (SearchResult or file ids) the step reports exactly those.
        """
        return self._file_search("file_search", query, results, assistant_id)

    def retrieval(self, query: str | None = None, results: Sequence[SearchResult | str] | None = None, *,
                  assistant_id: str | None = None) -> Script:
        """Assistants v1's name for `file_search`: v1 shows the step as `{"type": "retrieval", "retrieval": {}}`
        and the reply's citations with their `quote`."""
        return self._file_search("retrieval", query, results, assistant_id)

    def _file_search(self, method: str, query: str | None, results: Sequence[SearchResult | str] | None,
                     assistant_id: str | None) -> Script:
        _text(method, "query", query, f'what the model searched for, as {method}("largest planet")', optional=True)
        _assistant_id(method, assistant_id)
        fixed = None if results is None else tuple(
            r if isinstance(r, SearchResult) else SearchResult(r) for r in _results(method, results)
        )
        return self._add(FileSearch(query, fixed), assistant_id)

    def break_stream(self, text: str = "This answer breaks off", after_deltas: int = 1,
                     message: str | None = None, *, assistant_id: str | None = None) -> Script:
        """The answer stops after `after_deltas` deltas with a server error: the run fails (server_error);
        a stream of it ends with `event: error` and no `done`."""
        _text("break_stream", "text", text, 'the answer\'s text, as break_stream("This answer breaks off")')
        _count_at_least("break_stream", "after_deltas", after_deltas, 0, "the text deltas sent before the break")
        _text("break_stream", "message", message, 'the error\'s message, as break_stream(message="The model broke.")',
              optional=True)
        _assistant_id("break_stream", assistant_id)
        return self._add(BrokenStream(text, after_deltas, message), assistant_id)

    def fail(self, code: str = "server_error", message: str | None = None, *,
             assistant_id: str | None = None) -> Script:
        """The run fails with `last_error`. `server_error` and `rate_limit_exceeded` fail while the answer is
        being written (a failed message_creation step, an `incomplete` message); `invalid_prompt` fails first."""
        if code not in LAST_ERROR_CODES:
            raise ValueError(f"last_error code must be one of {LAST_ERROR_CODES}, not {code!r}")
        _text("fail", "message", message, 'the last_error\'s message, as fail("server_error", "The model broke.")',
              optional=True)
        _assistant_id("fail", assistant_id)
        return self._add(Fail(code, message or DEFAULT_FAILURE_MESSAGES[code]), assistant_id)

    def incomplete(self, reason: str = "max_completion_tokens", text: str | None = None, *,
                   assistant_id: str | None = None) -> Script:
        """The run ends `incomplete` for `reason` (`max_completion_tokens` or `max_prompt_tokens`). Under
        `max_completion_tokens` the answer (`text`; None: the default reply) is cut where the tokens ran out."""
        if reason not in INCOMPLETE_REASONS:
            raise ValueError(f"incomplete reason must be one of {INCOMPLETE_REASONS}, not {reason!r}")
        _text("incomplete", "text", text, 'the answer the model was writing, as incomplete(text="The weather in")',
              optional=True)
        _assistant_id("incomplete", assistant_id)
        return self._add(Incomplete(reason, text), assistant_id)

    def respond_with(self, responder: Responder, *, assistant_id: str | None = None,
                     repeat: bool = False) -> Script:
        """A turn that `responder` decides: called with the run's `TurnContext`, it returns the reply's text or an
        action. With `repeat=True` it answers every further run it fits, and `pending` does not count it."""
        if not callable(responder):
            fix = f"; to script that reply, call reply({responder!r})" if isinstance(responder, str) else ""
            raise TypeError(f"fake.script.respond_with: responder must be a callable that takes a TurnContext and "
                            f"returns the reply's text or an action, not {given(responder)}; pass a function, as "
                            f"respond_with(lambda context: f\"You said: {{context.last_user_text}}\"){fix}")
        _assistant_id("respond_with", assistant_id)
        return self._add(responder, assistant_id, repeat)

    def may_respond(self) -> bool:
        """Whether a run could be answered by a responder (a model): the fallback, or a responder turn queued. The
        turns' types are compared without a Python loop (a server asks on every request under /threads); an action
        of a subclass of the scripted types counts as a responder here, which only sends requests to a worker."""
        return self.fallback is not None or not _SCRIPTED.issuperset(map(type, map(_ACTION, self.turns)))

    def take(self, assistant_id: str) -> Turn | None:
        """The turn the next run of `assistant_id` answers with (the first that fits, removed unless it repeats),
        the fallback when none fits, or None."""
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
        """The turns still queued, in order (a `repeat=True` turn is never used up, so it is not listed)."""
        return [t for t in self.turns if not t.repeat]

    def clear(self) -> None:
        """Drop every queued turn and what was recorded (`mistakes`, `responder_errors`); `strict` and
        `fallback` stay."""
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
            f"(its function tools: {offered}): declare it among the assistant's (or the run's) tools, or fix the "
            "name in the script")


# -- checking what a test scripts: a mistake is refused at the call that makes it, naming the fix ----------------


def _text(method: str, name: str, value: object, fix: str, *, optional: bool = False) -> None:
    """TypeError unless `value` is a str (or None when `optional`), naming the argument and how to pass it."""
    if isinstance(value, str) or (optional and value is None):
        return
    wanted = "a str or None" if optional else "a str"
    hint = ""
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        hint = f" (pass the text itself, {value['text']!r}, not a dict holding it)"
    elif value is None and method == "reply":
        hint = " (to let the run answer with the default reply, script no turn)"
    raise TypeError(f"fake.script.{method}: {name} must be {wanted}, not {given(value)}{hint}; pass {fix}")


def _function_name(method: str, what: str, name: str, fix: str) -> None:
    """ValueError unless a function tool could be named `name`: a run could never call any other (every tools
    list the API took holds only such names), so the turn would fail the run only when a run took it."""
    if not is_function_name(name):
        raise ValueError(f"fake.script.{method}: {what} {name!r} is not a name a function tool can have "
                         f"({FUNCTION_NAME_RULE}), so no run could call it; {fix}")


def _assistant_id(method: str, assistant_id: object) -> None:
    if assistant_id is None or isinstance(assistant_id, str):
        return
    held = getattr(assistant_id, "id", None)
    hint = f" (pass its id, assistant_id={held!r})" if isinstance(held, str) else ""
    raise TypeError(f"fake.script.{method}: assistant_id must be an assistant's id (a str) or None for any "
                    f"assistant's runs, not {given(assistant_id)}{hint}; pass assistant_id=assistant.id")


def _count_at_least(method: str, name: str, value: object, minimum: int, meaning: str) -> None:
    """TypeError unless `value` is an int (a bool is not), ValueError if it is below `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int):
        example = int(value) if isinstance(value, str) and value.strip().isdigit() else max(minimum, 1)
        raise TypeError(f"fake.script.{method}: {name} must be an int >= {minimum} ({meaning}), not "
                        f"{given(value)}; pass an int, as {name}={example}")
    if value < minimum:
        raise ValueError(f"fake.script.{method}: {name} must be >= {minimum} ({meaning}), not {value}; pass "
                         f"{name}={minimum} or more")


ARGUMENTS_FIX = ('pass the arguments as a dict, as call_function("get_weather", {"city": "Paris"}), or the JSON '
                 "text itself, as '{\"city\": \"Paris\"}', or None for no arguments")


def arguments_json(value: object) -> str:
    """Function arguments as the models wrote them: compact JSON (every recorded call's arguments read
    '{"day_of_week":"Thursday"}'), non-ASCII escaped as `json.dumps` does."""
    return json.dumps(value, separators=(",", ":"))


def _arguments(arguments: object, method: str = "call_function", name: str = "arguments") -> str:
    """A function call's arguments as the API carries them, a JSON object in a str: a dict is encoded (compact),
    a str is kept as written (a test may script a model's malformed arguments on purpose), None is `{}`."""
    if arguments is None:
        return "{}"
    if isinstance(arguments, str):  # as written, even when it is not JSON: a model's malformed arguments, on purpose
        utf8_texts("a function call", arguments=arguments)  # UnencodableText: it names the character
        return arguments
    if isinstance(arguments, Mapping):
        try:
            return arguments_json(arguments if isinstance(arguments, dict) else dict(arguments))
        except (TypeError, ValueError) as error:
            raise TypeError(f"fake.script.{method}: {name} must hold only JSON values (str, int, float, bool, None, "
                            f"list, dict), and {given(arguments)} does not: {error}; convert the values first, "
                            "as {\"when\": moment.isoformat()}") from None
    raise TypeError(f"fake.script.{method}: {name} must be a dict, a str (the JSON text), or None, not "
                    f"{given(arguments)} (function arguments are a JSON object: each has a name); {ARGUMENTS_FIX}")


CALLS_FIX = ('pass a list of (name, arguments) pairs, as '
             'call_functions([("get_weather", {"city": "Paris"}), ("get_time", None)])')


def _calls(calls: object) -> tuple[tuple[str, str], ...]:
    """`call_functions`' calls, checked and encoded: (name, JSON arguments) pairs, at least one."""
    if isinstance(calls, Mapping):
        raise TypeError(f"fake.script.call_functions: calls must be a list of (name, arguments) pairs, not "
                        f"{given(calls)}; {CALLS_FIX} (from a dict: call_functions(list(calls.items())))")
    if isinstance(calls, str | bytes) or not isinstance(calls, Iterable):
        raise TypeError(f"fake.script.call_functions: calls must be a list of (name, arguments) pairs, not "
                        f"{given(calls)}; {CALLS_FIX}")
    encoded: list[tuple[str, str]] = []
    for position, call in enumerate(calls):
        if isinstance(call, str | bytes) or not isinstance(call, Sequence) or len(call) != 2:
            raise TypeError(f"fake.script.call_functions: calls[{position}] must be a (name, arguments) pair, not "
                            f"{given(call)}; {CALLS_FIX}")
        name, arguments = call
        _text("call_functions", f"calls[{position}]'s name", name, CALLS_FIX[len("pass "):])
        _function_name("call_functions", f"calls[{position}]'s name", name,
                       'pass the function\'s name, as call_functions([("get_weather", {"city": "Paris"})])')
        encoded.append((name, _arguments(arguments, "call_functions", f"calls[{position}]'s arguments")))
    if not encoded:
        raise ValueError(f"fake.script.call_functions: calls must hold at least one call, not {given(calls)}; "
                         f"{CALLS_FIX}")
    return tuple(encoded)


BINARY = (bytes, bytearray, memoryview)
STRINGS = (str, *BINARY)  # iterable, but one text or one blob, never a list of them


def _images(images: object) -> tuple[bytes, ...]:
    """`code_interpreter`'s images as a tuple of bytes, checked (a bytearray or memoryview is copied to bytes)."""
    if isinstance(images, STRINGS) or not isinstance(images, Iterable):
        raise TypeError(f"fake.script.code_interpreter: images must be a list of images' bytes, one per image, not "
                        f"{given(images)}; pass images=[png_bytes]")
    shots = tuple(images)
    for position, image in enumerate(shots):
        if not isinstance(image, BINARY):
            raise TypeError(f"fake.script.code_interpreter: images[{position}] must be an image's bytes, not "
                            f"{given(image)}; pass the bytes, as images=[Path(\"chart.png\").read_bytes()]")
    return tuple(bytes(image) for image in shots)


FILES_FIX = 'pass a dict of name -> bytes, as files={"report.csv": b"a,b\\n1,2\\n"}'


def blank_file_name(name: str) -> bool:
    """Whether a generated file's name is empty or blank: the answer links sandbox:/mnt/data/<name>, and such a
    name would link the folder (a script refuses it: here, and in the control API before any turn is added)."""
    return not name.strip()


def _files(files: object) -> tuple[tuple[str, bytes], ...]:
    """`code_interpreter`'s files (a mapping or (name, bytes) pairs) as (name, bytes) pairs, checked (a bytearray
    or memoryview is copied to bytes)."""
    if isinstance(files, STRINGS) or not isinstance(files, Iterable):
        raise TypeError(f"fake.script.code_interpreter: files must be a dict of name -> bytes, not {given(files)}; "
                        f"{FILES_FIX}")
    generated = tuple(files.items()) if isinstance(files, Mapping) else tuple(files)
    for position, item in enumerate(generated):
        if isinstance(item, STRINGS) or not isinstance(item, Sequence) or len(item) != 2:
            raise TypeError(f"fake.script.code_interpreter: files[{position}] must be a (name, bytes) pair, not "
                            f"{given(item)}; {FILES_FIX}")
        name, content = item
        if not isinstance(name, str):
            raise TypeError(f"fake.script.code_interpreter: a file's name must be a str, not {given(name)}; "
                            f"{FILES_FIX}")
        if blank_file_name(name):
            raise ValueError(f"fake.script.code_interpreter: a file's name must not be empty, as {name!r} is; "
                             f"{FILES_FIX}")
        if not isinstance(content, BINARY):
            raise TypeError(f"fake.script.code_interpreter: file {name!r} must be bytes, not {given(content)}; "
                            f"{FILES_FIX} (a text's bytes: text.encode())")
    return tuple((name, bytes(content)) for name, content in generated)


def _results(method: str, results: object) -> list[SearchResult | str]:
    fix = f'pass a list of file ids or SearchResult, as {method}(results=["file-abc"])'
    if isinstance(results, str | SearchResult) or not isinstance(results, Iterable):
        raise TypeError(f"fake.script.{method}: results must be a list of file ids or SearchResult, or None to "
                        f"search the run's vector stores, not {given(results)}; {fix}")
    checked: list[SearchResult | str] = []
    for position, result in enumerate(results):
        if not isinstance(result, str | SearchResult):
            raise TypeError(f"fake.script.{method}: results[{position}] must be a file id (a str) or a SearchResult, "
                            f"not {given(result)}; {fix}")
        checked.append(result)
    return checked


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
