"""The options every request is answered with (shape, poll interval, limits, API versions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .api_versions import DEFAULT_VERSIONS, ApiVersion
from .types import Shape

if TYPE_CHECKING:
    pass


DEFAULT_IDLE_POLLS = 10_000
DEFAULT_IDLE_SECONDS = 60.0


@dataclass(slots=True)
class Options:
    shape: Shape = "recorded"
    poll_after_ms: int = 0
    max_thread_messages: int = 100_000
    stream_chunk_chars: int | None = None  # None: message deltas split at words
    api_versions: tuple[ApiVersion, ...] = DEFAULT_VERSIONS  # the Assistants API versions served
    # Polls in a row that find a run unchanged under a policy by which no poll moves it (`manual`; `after_seconds`
    # on a clock that does not move), before that poll is a 400 saying why: a poll loop that would never end
    # (`create_and_poll` under `manual`). The SDK polls at once (poll_after_ms 0), about 1,500 times a second here.
    # None: never.
    idle_polls: int | None = DEFAULT_IDLE_POLLS
    # The same, counted in real seconds (time.monotonic) instead: a loop that sleeps between polls (an app's own,
    # every 0.5 s) reaches 10,000 polls only after an hour. At least ten polls, each within 10 s of the one before
    # (a longer pause starts the seconds again); whichever bound comes first. None: never.
    idle_seconds: float | None = DEFAULT_IDLE_SECONDS
    # The fake is served by `fake-assistants serve`: the fixes its own errors name are the control API's
    # (`POST /__fake__/runs/{id}/advance`), not Python's (`fake.advance(...)`), which a client there cannot call.
    controlled_over_http: bool = False
