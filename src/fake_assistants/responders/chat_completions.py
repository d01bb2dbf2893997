"""`ChatCompletionsModel`: a `respond_with` callable whose turns come from an OpenAI-compatible chat-completions
server (vLLM, llama.cpp, Ollama, a LiteLLM proxy), recorded once and replayed offline."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from ..core.given import quoted
from ..core.types import Json
from ..core.wire import utf8_escaped
from ..runs.script import Action, Fail, FileSearch, FunctionCalls, Incomplete, Reply, TextStream, TurnContext
from .cassette import BackendUnreachable, Cassette, Exchange
from .chat_request import FILE_SEARCH, chat_request

try:  # httpx, imported with this module (on the thread that imports it), not on a model's first call: openai 3.x
    # reads `httpx` from sys.modules while it builds each request, and would meet it half-imported on another thread
    from . import http_backend
except ImportError:  # not installed (the `responders` extra): replaying needs nothing; reaching a backend says so
    http_backend = None  # type: ignore[assignment]

FINISH_INCOMPLETE = {"length": "max_completion_tokens"}
DEFAULT_TIMEOUT = 60.0  # seconds a backend answer may take


class ChatCompletionsModel:
    """Each turn is one chat-completions call: text becomes the answer, tool calls a `requires_action` run with
    the fake's own call ids (the backend's are sent back with the outputs), a backend failure a failed run.

    `record_to` writes each exchange to a JSON file keyed by a hash of the request; `replay_from` answers from
    such a file with no network (a request it does not hold raises `ReplayMiss`, which fails the run and, under
    the pytest plugin, the test).

    With `stream` (the default) the backend is asked to stream: its text reaches a client streaming the run
    chunk by chunk as the backend sends it. A backend that cannot stream tool calls (it answers them as text, or
    not at all, when streaming) is declared with `stream_tool_calls=False`: a turn that offers it function tools
    is then asked without streaming (the answer is sent to a streaming client once it is whole)."""

    def __init__(self, base_url: str | None = None, model: str = "", api_key: str | None = None, seed: int = 0,
                 temperature: float = 0, timeout: float = DEFAULT_TIMEOUT, stream: bool = True,
                 stream_tool_calls: bool = True, record_to: str | Path | None = None,
                 replay_from: str | Path | None = None) -> None:
        if replay_from is None and base_url is None:
            raise ValueError("ChatCompletionsModel needs base_url (or replay_from, to answer from a recording)")
        if not model:
            raise ValueError("ChatCompletionsModel needs the backend's model name (model=...)")
        if base_url is not None and not base_url.startswith(("http://", "https://")):
            raise ValueError(f"ChatCompletionsModel's base_url is an http:// or https:// URL, such as "
                             f"'http://127.0.0.1:11434/v1', not {base_url!r}")
        if replay_from is not None and not Path(replay_from).exists():
            raise FileNotFoundError(f"ChatCompletionsModel: no recording to replay at {str(replay_from)!r} "
                                    "(record one with record_to=..., with the backend running)")
        self.base_url = (base_url or "").rstrip("/")
        self.model, self.api_key, self.seed, self.temperature = model, api_key, seed, temperature
        self.timeout, self.stream, self.stream_tool_calls = timeout, stream, stream_tool_calls
        self.recorder = Cassette(record_to) if record_to is not None else None
        self.player = Cassette(replay_from) if replay_from is not None else None
        self.backend_ids: dict[str, str] = {}  # the fake's tool call id -> the backend's
        self.search_arguments: dict[str, str] = {}  # the backend's id of a file_search call -> its arguments
        self.awaiting: dict[str, list[str]] = {}  # run id -> the backend's ids of the calls it waits on

    @property
    def model_label(self) -> str:
        """How transcripts name the steps this model's turns made (the same recorded and replayed)."""
        return f"model {self.model}"

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def __call__(self, context: TurnContext) -> Action:
        self._learn_call_ids(context)
        offers_tools = any(t.get("type") == "function" for t in context.tools)
        stream = self.stream and (self.stream_tool_calls or not offers_tools)
        request = chat_request(context, model=self.model, seed=self.seed, temperature=self.temperature,
                               stream=stream, backend_ids=self.backend_ids, search_arguments=self.search_arguments)
        try:
            exchange = self._exchange(request)
            if exchange.status == 200 and (exchange.arriving is not None or exchange.chunks is not None):
                return self._streamed(context, request, exchange)
        except BackendUnreachable as error:
            return Fail("server_error", utf8_escaped(f"fake-assistants: {error}"))
        return self._action(context, exchange)

    def _exchange(self, request: Json) -> Exchange:
        if self.player is not None:
            return self.player.answer(request)
        if http_backend is None:
            raise ImportError("ChatCompletionsModel needs httpx to reach a backend (replaying needs nothing): "
                              "pip install 'fake-assistants[responders]'")
        exchange = http_backend.post_chat_completion(self.url, request, api_key=self.api_key, timeout=self.timeout)
        if self.recorder is not None and exchange.arriving is None:
            self.recorder.record(request, exchange)
        return exchange

    def _streamed(self, context: TurnContext, request: Json, exchange: Exchange) -> Action:
        """A streamed answer: read until it shows what it is. Tool calls are read whole; text is handed on as
        a `TextStream` whose chunks come from the backend as the run's stream reads them."""
        seen: list[Json] = []
        recorder = self.recorder if exchange.arriving is not None else None

        def read() -> Iterator[Json]:
            for chunk in exchange.arriving if exchange.arriving is not None else exchange.chunks or []:
                seen.append(chunk)
                yield chunk
            if recorder is not None:  # recorded once the answer is whole
                recorder.record(request, Exchange(200, None, list(seen)))

        reading = read()
        for chunk in reading:
            if _delta(chunk).get("tool_calls"):
                for _ in reading:
                    pass
                return self._action(context, Exchange(200, None, seen))
            if _delta(chunk).get("content"):
                break
        else:
            return self._action(context, Exchange(200, None, seen))
        text = TextStream(iter(()))
        text.chunks = _text(text, seen, reading)
        return Reply(text, search_first=not context.searchable)

    def _learn_call_ids(self, context: TurnContext) -> None:
        """The calls of the run's last tool step, in order, are the ones the backend asked for last."""
        backend = self.awaiting.pop(str(context.run.get("id")), None)
        if backend is None:
            return
        steps = [s for s in context.steps if s.get("step_details", {}).get("type") == "tool_calls"]
        if steps:
            calls = steps[-1]["step_details"]["tool_calls"]
            for call, backend_id in zip(calls, backend, strict=False):
                if backend_id:
                    self.backend_ids[call["id"]] = backend_id

    def _action(self, context: TurnContext, exchange: Exchange) -> Action:
        if exchange.status != 200:
            return _failure(exchange)
        if not _is_chat_completion(exchange):
            return Fail("server_error", utf8_escaped(
                f"fake-assistants: the model backend answered 200, but not with a chat completion ({self.url}): "
                f"{_shown(exchange)}"))
        message, finish, counted = _answer(exchange)
        calls = [c for c in message.get("tool_calls") or [] if c.get("type", "function") == "function"]
        searches = [c for c in calls if c["function"]["name"] == FILE_SEARCH] if context.searchable else []
        if searches:  # the fake searches the run's files itself; the other calls wait for the model's next turn
            backend_id, arguments = str(searches[0].get("id") or ""), searches[0]["function"].get("arguments")
            self.awaiting[str(context.run.get("id"))] = [backend_id]
            self.search_arguments[backend_id] = arguments or "{}"
            return FileSearch(query=_query(arguments))
        if calls:
            self.awaiting[str(context.run.get("id"))] = [str(c.get("id") or "") for c in calls]
            return FunctionCalls(tuple((c["function"]["name"], c["function"].get("arguments") or "{}")
                                       for c in calls))
        text = message.get("content") or ""
        if finish in FINISH_INCOMPLETE:
            return Incomplete(FINISH_INCOMPLETE[finish], text, as_written=True)
        return Reply(text, counted, search_first=not context.searchable)


def _query(arguments: str | None) -> str | None:
    try:
        parsed = json.loads(arguments or "{}")
    except ValueError:
        return arguments or None
    query = parsed.get("query") if isinstance(parsed, dict) else None
    return str(query) if query else None


def _delta(chunk: Json) -> Json:
    choices = chunk.get("choices") or [{}]
    delta = choices[0].get("delta") or {}
    return delta if isinstance(delta, dict) else {}


def _text(stream: TextStream, seen: list[Json], reading: Iterator[Json]) -> Iterator[str]:
    """The text chunks of a streamed answer (the ones already read, then the rest as they arrive); at the end,
    `stream` gets the usage and whether the backend stopped at its length limit."""
    for chunk in list(seen):
        if _delta(chunk).get("content"):
            yield str(_delta(chunk)["content"])
    try:
        for chunk in reading:
            if _delta(chunk).get("content"):
                yield str(_delta(chunk)["content"])
    except BackendUnreachable as error:
        stream.failure = f"fake-assistants: {error}"
        return
    _, finish, stream.usage = _answer(Exchange(200, None, seen))
    stream.incomplete = FINISH_INCOMPLETE.get(finish or "")


def _is_chat_completion(exchange: Exchange) -> bool:
    """A whole answer with a choice holding a message, or a stream with a chunk holding `choices`: what a
    chat-completions server sends. Anything else (an HTML page, a JSON object of another API, an empty stream)
    would read as an empty answer."""
    if exchange.chunks is not None:
        return any(isinstance(chunk.get("choices"), list) for chunk in exchange.chunks)
    choices = (exchange.body or {}).get("choices")
    return (isinstance(choices, list) and bool(choices) and isinstance(choices[0], dict)
            and isinstance(choices[0].get("message"), dict))


def _shown(exchange: Exchange, limit: int = 200) -> str:
    """What the backend sent instead, shortened."""
    if exchange.chunks is not None:
        count = len(exchange.chunks)
        said = next((_error_message(chunk) for chunk in exchange.chunks if _error_message(chunk)), None)
        if said is not None:  # a stream that carries an error: the backend's own words
            return quoted(said, limit)
        return f"a stream of {count} chunk{'' if count == 1 else 's'} with no choices" if count else "an empty stream"
    body = exchange.body or {}
    said = _error_message(body)  # a body that was not JSON: its text
    return quoted(said if said is not None else json.dumps(body, ensure_ascii=False), limit)


def _error_message(value: Json) -> str | None:
    """`{"error": {"message": ...}}`'s message, or None."""
    error = value.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return message if isinstance(message, str) else None


def _failure(exchange: Exchange) -> Fail:
    body = exchange.body or {}
    error = body.get("error")
    detail = error.get("message") if isinstance(error, dict) else error
    said = f": {detail}" if detail else ""
    code = "rate_limit_exceeded" if exchange.status == 429 else "server_error"
    return Fail(code, utf8_escaped(f"fake-assistants: the model backend answered {exchange.status}{said}"))


def _answer(exchange: Exchange) -> tuple[Json, str | None, tuple[int, int] | None]:
    """The assistant message, the finish reason and the usage, from a whole answer or its streamed chunks."""
    if exchange.chunks is None:
        body = exchange.body or {}
        choice = (body.get("choices") or [{}])[0]
        return choice.get("message") or {}, choice.get("finish_reason"), _usage(body.get("usage"))
    text: list[str] = []
    calls: dict[int, Json] = {}
    finish: str | None = None
    counted: tuple[int, int] | None = None
    for chunk in exchange.chunks:
        counted = _usage(chunk.get("usage")) or counted
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text.append(delta.get("content") or "")
            for fragment in delta.get("tool_calls") or []:
                call = calls.setdefault(int(fragment.get("index", len(calls))),
                                        {"id": "", "type": "function", "function": {"name": "", "arguments": ""}})
                call["id"] = fragment.get("id") or call["id"]
                function = fragment.get("function") or {}
                call["function"]["name"] += function.get("name") or ""
                call["function"]["arguments"] += function.get("arguments") or ""
            finish = choice.get("finish_reason") or finish
    message: Json = {"role": "assistant", "content": "".join(text)}
    if calls:
        message["tool_calls"] = [calls[index] for index in sorted(calls)]
    return message, finish, counted


def _usage(value: object) -> tuple[int, int] | None:
    if isinstance(value, dict) and "prompt_tokens" in value:
        return int(value["prompt_tokens"]), int(value.get("completion_tokens") or 0)
    return None
