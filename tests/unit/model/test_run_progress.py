"""A run's typed progress and its place in a dump: every field is dumped under `extra` (in the field order)
or deliberately left out; a document's `extra` with an unknown key or a value of the wrong type is refused."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from fake_assistants import FakeAssistants, StateError
from fake_assistants.model.run_progress import RunProgress
from fake_assistants.state.dump import EXTRA_TYPES

# the work is named by its kind; no stream reads a saved copy (nor waits to); the status history is for
# transcripts (a loaded run's history starts when it is loaded, so the dump format stays as it was); so is where
# the turns came from (a model, a cassette, the default); the count of polls in vain is a guard against a poll
# loop, not state, and so are the stream's reader and its count of events
NOT_DUMPED = ("work", "streamed_segment", "unread_stream", "history", "turn_source", "step_sources", "idle_polls",
              "stream_reader", "streamed_events")


def test_every_progress_field_is_dumped_in_field_order_or_left_out_on_purpose() -> None:
    names = [f.name for f in dataclasses.fields(RunProgress)]
    assert list(EXTRA_TYPES) == [name for name in names if name not in NOT_DUMPED]


def _seed(extra: dict[str, Any]) -> dict[str, Any]:
    return {"assistants": [{"id": "asst_a", "model": "gpt-4o"}], "threads": [{"id": "thread_t"}],
            "runs": [{"id": "run_r", "thread_id": "thread_t", "assistant_id": "asst_a", "status": "completed",
                      "extra": extra}]}


def test_a_seeds_extra_becomes_the_runs_progress_and_dumps_back_the_same() -> None:
    extra = {"include_search_content": False, "segment": 2, "searched": True, "prompt_tokens": 5}
    fake = FakeAssistants.load(_seed(extra))

    run = fake.store.find_run("thread_t", "run_r")
    assert run is not None
    assert (run.progress.include_search_content, run.progress.segment, run.progress.searched) == (False, 2, True)
    assert run.progress.prompt_tokens == 5 and run.progress.pending_step is None
    assert FakeAssistants.load(fake.dump()).dump() == fake.dump()
    assert '"extra": {\n        "include_search_content": false,\n        "segment": 2,' in fake.dump()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"colour": "red"}, "run run_r: unknown extra keys \\['colour'\\]"),
        ({"segment": "two"}, "run run_r: extra 'segment' must be int"),
        ({"pending_step": "step_s"}, "run run_r: extra 'pending_step' must be RunStep"),
        ([], "run run_r: extra must be an object"),
        ({"work": "dance"}, "run run_r: unknown work 'dance'"),
    ],
)
def test_a_bad_extra_is_refused_with_the_reason(extra: Any, message: str) -> None:
    with pytest.raises(StateError, match=message):
        FakeAssistants.load(_seed(extra))
