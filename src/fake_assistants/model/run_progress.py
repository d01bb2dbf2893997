"""What the run engine keeps about a run between its events: typed, and not on the wire.

`RunProgress` is a run's bookkeeping: its pending work (the lazy events still to come, with the kind of work
that made them), which segment it is in and whether a stream reads it (and what it has not read yet), the step
waiting for tool outputs, the message being written, and what one step leaves for the next (file_search
citations, code_interpreter images and files). A dump keeps it under a run's `"extra"`, one key per field
(state/dump.py).
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Literal

from ..core.errors import ApiError
from ..core.types import StreamItem
from .message import Message
from .run_status import StatusChange
from .step import RunStep

# What made a run's pending work: a turn of the script (from a queued run), the end of a cancellation, or the
# events announcing an expiry, or a failure its work could not send (an interrupted responder), to the stream
# reading the run. Only work that has not started can be saved, and only the first two kinds are ever saved (an
# expired or failed run has nothing left to do).
WorkKind = Literal["execute", "finish_cancelling", "announce_expiry", "announce_failure"]
SavedWork = Literal["execute", "finish_cancelling"]
SAVED_WORK: tuple[SavedWork, ...] = ("execute", "finish_cancelling")
SANDBOX_DIR = "sandbox:/mnt/data/"


@dataclass(frozen=True, slots=True)
class ModelCall:
    """A run's model answering on the Python thread `thread_ident` (`threading.get_ident()`), the fake's lock set
    aside: `done` is set once the model is back and that thread holds the lock again."""

    thread_ident: int
    done: threading.Event = field(default_factory=threading.Event, compare=False)


@dataclass(slots=True)
class PendingWork:
    """A run's events still to come, produced lazily (one at a time, or a burst of text deltas), and the kind of
    work they are."""

    kind: WorkKind
    events: Generator[StreamItem, None, None]
    started: bool = False  # an event has been asked for: the work is part-way and cannot be made again
    # a thread is making the next event and waits for the run's model, the fake's lock set aside (runs/engine.py):
    # no other thread may ask for an event or close the work meanwhile
    calling: ModelCall | None = None

    def next_event(self) -> StreamItem | None:
        """The next event (or burst); None once the work is over."""
        self.started = True
        return next(self.events, None)

    def close(self) -> None:
        """End the work. Work waiting on its model is left to end itself: it finds it was dropped when it is back."""
        if self.calling is None:
            self.events.close()


class StreamBacklog:
    """What the run did between a stream's creation and its first read: the events reads of the run made meanwhile
    (a poll, a list of the thread's messages), which the stream sends first, as the service's stream had them
    waiting. Held by the stream alone (the run keeps a weak reference): a stream dropped unread takes it along."""

    __slots__ = ("__weakref__", "events", "reading")

    def __init__(self) -> None:
        self.events: deque[StreamItem | ApiError] = deque()  # an ApiError: the run's work broke off there
        self.reading = False  # the stream has begun: it moves the run from here on


@dataclass(frozen=True, slots=True)
class Citation:
    """A file a file_search step found, cited by the next answer."""

    file_id: str
    filename: str
    quote: str = ""  # the cited text (Assistants v1 showed it as `file_citation.quote`)


@dataclass(frozen=True, slots=True)
class GeneratedFile:
    """A file code_interpreter made, linked by the next answer."""

    file_id: str
    filename: str

    @property
    def sandbox_path(self) -> str:
        return SANDBOX_DIR + self.filename


@dataclass(slots=True)
class IdlePolls:
    """Polls in a row that found the run where the last one did, under a policy by which a poll cannot move it
    (`manual`; `after_seconds` on a clock that does not move), or while the stream that moves it waits on its
    own reader."""

    status: str
    # what moving would show: under `after_seconds` the fake's clock, under an open stream the events it has sent
    marker: int
    since: float  # the real time (monotonic) the polls began coming without a pause
    last: float  # the real time of the latest
    count: int = 0


@dataclass(frozen=True, slots=True)
class TurnSource:
    """Where a turn the test did not script came from, as a transcript names it beside the steps it made: a model
    behind the runs (`model`: `label` is its name), a cassette's recorded run, or the fake's default."""

    label: str
    model: bool = False


@dataclass(slots=True)
class RunProgress:
    """A run's bookkeeping. A field at its default is unset (a dump leaves it out); the fields are in the
    order a run first sets them, which is the order of a dump's `"extra"`."""

    stand_in: bool = False  # lenient mode made the run: it may be reshaped
    include_search_content: bool | None = None  # the create's `include[]`; None: a create-and-run, which has none
    segment: int = 0  # creation, then each submit_tool_outputs, starts a segment (0: not begun)
    searched: bool = False  # a file_search step ran (an unscripted run looks only once)
    citations: list[Citation] | None = None  # from the last file_search, for the next answer
    images: list[str] = field(default_factory=list)  # code_interpreter images (file ids) for the next answer
    generated: list[GeneratedFile] = field(default_factory=list)  # code_interpreter files for the next answer
    quotes: dict[str, str] | None = None  # cited file id -> quote, for the message being opened
    open_message: Message | None = None  # the assistant message being written
    pending_step: RunStep | None = None  # the tool_calls step waiting for outputs
    prompt_tokens: int | None = None  # the prompt of the step waiting for outputs (its usage, once answered)
    work: PendingWork | None = None  # the events still to come
    streamed_segment: int | None = None  # the segment a stream reads (from the stream's creation)
    # the backlog of that stream while it is not read yet: reads of the run move it meanwhile, into the backlog
    unread_stream: weakref.ref[StreamBacklog] | None = None
    history: list[StatusChange] = field(default_factory=list)  # every status change, in order (for transcripts)
    turn_source: TurnSource | None = None  # where the turn the run carries out came from, if not the test's script
    step_sources: dict[str, TurnSource] = field(default_factory=dict)  # step id -> its turn's, for transcripts
    idle_polls: IdlePolls | None = None  # polls in a row that could not move the run (a poll loop with no end)
    stream_reader: int | None = None  # the thread reading the stream that moves the run (while one does)
    streamed_events: int = 0  # the events that stream has sent
