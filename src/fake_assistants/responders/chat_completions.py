"""`ChatCompletionsModel`: a `respond_with` callable whose turns come from an OpenAI-compatible chat-completions
server (vLLM, llama.cpp, Ollama, a LiteLLM proxy), recorded once and replayed offline."""

from __future__ import annotations

from pathlib import Path

from ..core.types import Json
from ..runs.script import Action, Fail, FunctionCalls, Incomplete, Reply, TurnContext
from .cassette import BackendUnreachable, Cassette, Exchange
from .chat_request import chat_request

FINISH_INCOMPLETE = {"length": "max_completion_tokens"}


class ChatCompletionsModel:
    """Each turn is one chat-completions call: text becomes the answer, tool calls a `requires_action` run with
    the fake's own call ids (the backend's are sent back with the outputs), a backend failure a failed run.

    `record_to` writes each exchange to a JSON file keyed by a hash of the request; `replay_from` answers from
    such a file with no network (a request it does not hold raises `ReplayMiss`, which fails the run and, under
    the pytest plugin, the test)."""

    def __init__(self, base_url: str | None = None, model: str = "", api_key: str | None = None, seed: int = 0,
                 temperature: float = 0, timeout: float = 60, stream: bool = True,
                 record_to: str | Path | None = None, replay_from: str | Path | None = None) -> None:
        if replay_from is None and base_url is None:
            raise ValueError("ChatCompletionsModel needs base_url (or replay_from, to answer from a recording)")
        if not model:
            raise ValueError("ChatCompletionsModel needs the backend's model name (model=...)")
        self.base_url = (base_url or "").rstrip("/")
        self.model, self.api_key, self.seed, self.temperature = model, api_key, seed, temperature
        self.timeout, self.stream = timeout, stream
        self.recorder = Cassette(record_to) if record_to is not None else None
        self.player = Cassette(replay_from) if replay_from is not None else None
        self.backend_ids: dict[str, str] = {}  # the fake's tool call id -> the backend's
        self.awaiting: dict[str, list[str]] = {}  # run id -> the backend's ids of the calls it waits on

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def __call__(self, context: TurnContext) -> Action:
        self._learn_call_ids(context)
        request = chat_request(context, model=self.model, seed=self.seed, temperature=self.temperature,
                               stream=self.stream, backend_ids=self.backend_ids)
        try:
            exchange = self._exchange(request)
        except BackendUnreachable as error:
            return Fail("server_error", f"fake-assistants: {error}")
        return self._action(context, exchange)

    def _exchange(self, request: Json) -> Exchange:
        if self.player is not None:
            return self.player.answer(request)
        from .http_backend import post_chat_completion  # httpx, only when a backend is reached

        exchange = post_chat_completion(self.url, request, api_key=self.api_key, timeout=self.timeout)
        if self.recorder is not None:
            self.recorder.record(request, exchange)
        return exchange

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
        message, finish, counted = _answer(exchange)
        calls = [c for c in message.get("tool_calls") or [] if c.get("type", "function") == "function"]
        if calls:
            self.awaiting[str(context.run.get("id"))] = [str(c.get("id") or "") for c in calls]
            return FunctionCalls(tuple((c["function"]["name"], c["function"].get("arguments") or "{}")
                                       for c in calls))
        text = message.get("content") or ""
        if finish in FINISH_INCOMPLETE:
            return Incomplete(FINISH_INCOMPLETE[finish], text, as_written=True)
        return Reply(text, counted)


def _failure(exchange: Exchange) -> Fail:
    body = exchange.body or {}
    error = body.get("error")
    detail = error.get("message") if isinstance(error, dict) else error
    said = f": {detail}" if detail else ""
    code = "rate_limit_exceeded" if exchange.status == 429 else "server_error"
    return Fail(code, f"fake-assistants: the model backend answered {exchange.status}{said}")


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
