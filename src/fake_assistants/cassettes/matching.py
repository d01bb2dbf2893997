"""Whether a request the fake answers was in the cassette: each recorded request is matched once, by method and
path shape (ids replaced by their kind, so a fake's own ids match the recorded ones), the first unused one first.
An id keeps to the recorded id it first matched: once the fake's run `run_1` has matched the recording's `run_A`,
a poll of `run_1` matches only polls of `run_A`, so one poll more than the recording made is "not in the cassette"
even when another run's poll is still unused; so is a request the recording never made.

The journal asks (`Journal.cassette`) for every request of a fake built by `FakeAssistants.from_cassette`; the
query string is not compared (a list's cursor or `order` does not make a request new)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from ..core.json_diff import differences
from .interaction import Recording
from .recorded_ids import below_api_prefix, kind_of

# What `match` says of a request: whether the recording shows it, and where its JSON body differs from the recorded
# one (None: it does not, or there is none to compare)
CassetteMatch = tuple[bool, str | None]

def path_shape(method: str, path: str) -> tuple[str, str]:
    """`("GET", "/threads/{thread}/runs/{run}")` for `GET /v1/threads/thread_abc.../runs/run_def...` (or Azure's
    `/openai/...`)."""
    segments = [segment for segment in below_api_prefix(path.split("?", 1)[0]).split("/") if segment]
    shaped = [_segment_shape(segment) for segment in segments]
    return method.upper(), "/" + "/".join(shaped)


def _segment_shape(segment: str) -> str:
    kind = kind_of(segment)
    if kind is not None:
        return "{" + kind + "}"
    # A fake's own ids are as long as the service's; a placeholder such as `asst_abc123` (lenient tests) is not
    # an id by `kind_of`'s rule, but it still stands for one in a path.
    for prefix, name in (("asst_", "assistant"), ("thread_", "thread"), ("msg_", "message"), ("run_", "run"),
                         ("step_", "step"), ("file-", "file"), ("vsfb_", "file_batch"), ("vs_", "vector_store")):
        if segment.startswith(prefix) and len(segment) > len(prefix):
            return "{" + name + "}"
    return segment


class CassetteMatcher:
    """The recorded requests not matched yet, in recorded order, and which fake id stands for which recorded one.
    `match(method, path)` uses the first fitting one up and says whether there was one."""

    def __init__(self, recordings: Sequence[Recording]) -> None:
        self.recorded: tuple[tuple[tuple[str, str], tuple[str, ...]], ...] = tuple(
            (path_shape(interaction.method, interaction.path), _ids(interaction.path))
            for recording in recordings for interaction in recording.interactions
        )
        self.bodies: tuple[Any, ...] = tuple(
            _comparable(interaction.request_body) for recording in recordings for interaction in recording.interactions
        )
        self.restart()

    def restart(self) -> None:
        """Every recorded request unmatched again, no id bound (`fake.reset()`)."""
        self.used = [False] * len(self.recorded)
        self.recorded_for: dict[str, str] = {}  # the fake's id -> the recorded id it stands for
        self.fake_for: dict[str, str] = {}  # the recorded id -> the fake's id

    def match(self, method: str, path: str, body: bytes = b"") -> CassetteMatch:
        """Use up the first recorded request that fits; with it, where the JSON `body` differs from the recorded
        one, in the values both hold (ids aside: a fake's own ids are not the recorded ones, and a field one client
        sends and another leaves out is no difference)."""
        shape, ids = path_shape(method, path), _ids(path)
        for place, (recorded_shape, recorded_ids) in enumerate(self.recorded):
            if self.used[place] or recorded_shape != shape or not self._fits(ids, recorded_ids):
                continue
            self.used[place] = True
            for given, recorded in zip(ids, recorded_ids, strict=True):
                self.recorded_for[given], self.fake_for[recorded] = recorded, given
            return True, _difference(self.bodies[place], body)
        return False, None

    def _fits(self, ids: tuple[str, ...], recorded_ids: tuple[str, ...]) -> bool:
        return len(ids) == len(recorded_ids) and all(
            self.recorded_for.get(given, recorded) == recorded and self.fake_for.get(recorded, given) == given
            for given, recorded in zip(ids, recorded_ids, strict=True)
        )

    def unmatched(self) -> Iterable[tuple[str, str, int]]:
        """The recorded request shapes not matched yet: (method, path shape, how many)."""
        left = Counter(entry[0] for entry, used in zip(self.recorded, self.used, strict=True) if not used)
        return [(method, path, count) for (method, path), count in left.items()]


def _ids(path: str) -> tuple[str, ...]:
    """The ids a path names, in order (the segments `path_shape` replaced)."""
    segments = [segment for segment in path.split("?", 1)[0].split("/") if segment]
    return tuple(segment for segment in segments if _segment_shape(segment) != segment)


def _comparable(body: Any) -> Any:
    """A recorded JSON object body with its ids masked, or None (no body, or one that is not a JSON object)."""
    return _masked(body) if isinstance(body, dict) else None


def _masked(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, str) and kind_of(value) is not None:  # a whole service id, not text that starts like one
        return "<id>"
    return value


def _difference(recorded: Any, body: bytes) -> str | None:
    """The first two places where `body` differs from the recorded (masked) body, or None."""
    if recorded is None or not body:
        return None
    try:
        now = json.loads(body)
    except ValueError:
        return None
    found = differences(recorded, _masked(now), shared_only=True) if isinstance(now, dict) else []
    if not found:
        return None
    return "; ".join(found[:2]) + (f"; and {len(found) - 2} more" if len(found) > 2 else "")
