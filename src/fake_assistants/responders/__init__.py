"""Sources of scripted turns beyond the script's own: a model behind any OpenAI-compatible chat-completions server.

`ChatCompletionsModel` is a `respond_with` callable: `fake.script.respond_with(model, repeat=True)`. It needs the
`responders` extra (httpx) to reach a backend; replaying a recording needs nothing.
"""

from __future__ import annotations

from .cassette import ReplayMiss
from .chat_completions import ChatCompletionsModel

__all__ = ["ChatCompletionsModel", "ReplayMiss"]
