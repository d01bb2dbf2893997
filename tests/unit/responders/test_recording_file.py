"""A recording file of backend exchanges (`record_to`) written by several models at once, as an eval's
conversations in threads write it (a fake and a model each): every exchange is kept, and the file is always whole.
A damaged file is named, with what to do about it."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fake_assistants.responders.cassette import (
    FORMAT,
    Cassette,
    Exchange,
    encoded_exchange,
    recording_text,
    request_key,
)


def request(n: int) -> dict[str, object]:
    return {"model": "m", "messages": [{"role": "user", "content": f"question {n}"}]}


def answer(n: int) -> Exchange:
    return Exchange(200, {"choices": [{"message": {"role": "assistant", "content": f"answer {n}"}}]}, None)


def recorded_keys(path: Path) -> list[str]:
    return [entry["key"] for entry in json.loads(path.read_text(encoding="utf-8"))["exchanges"]]


def test_two_models_recording_to_one_file_keep_each_others_exchanges(tmp_path: Path) -> None:
    path = tmp_path / "eval.json"
    first, second = Cassette(path), Cassette(path)  # both made before either records, as at an eval's start

    first.record(request(1), answer(1))
    second.record(request(2), answer(2))
    first.record(request(3), answer(3))

    assert recorded_keys(path) == [request_key(request(n)) for n in (1, 2, 3)]
    replay = Cassette(path)
    assert [replay.answer(request(n)).body for n in (1, 2, 3)] == [answer(n).body for n in (1, 2, 3)]


def test_a_request_recorded_again_replaces_its_exchange(tmp_path: Path) -> None:
    path = tmp_path / "eval.json"
    Cassette(path).record(request(1), answer(1))
    Cassette(path).record(request(2), answer(2))
    Cassette(path).record(request(1), answer(9))

    assert recorded_keys(path) == [request_key(request(2)), request_key(request(1))]
    assert Cassette(path).answer(request(1)).body == answer(9).body


def test_threads_recording_at_once_lose_no_exchange_and_leave_no_stray_file(tmp_path: Path) -> None:
    path = tmp_path / "recordings" / "eval.json"
    threads, per_thread = 8, 10
    start = threading.Barrier(threads, timeout=30)
    shared = Cassette(path)

    def conversation(worker: int) -> None:
        own = Cassette(path)
        start.wait()
        for turn in range(per_thread):
            n = worker * per_thread + turn
            (shared if n % 2 else own).record(request(n), answer(n))

    workers = [threading.Thread(target=conversation, args=(w,), daemon=True) for w in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(30)
        assert not worker.is_alive(), "a recording thread did not end"

    assert sorted(recorded_keys(path)) == sorted(request_key(request(n)) for n in range(threads * per_thread))
    assert [p.name for p in path.parent.iterdir()] == ["eval.json"]


def test_a_recording_keeps_its_files_mode(tmp_path: Path) -> None:
    path = tmp_path / "eval.json"
    Cassette(path).record(request(1), answer(1))
    assert path.stat().st_mode & 0o777 == 0o644  # as a new file is made, not owner-only as a temporary one is

    path.chmod(0o640)
    Cassette(path).record(request(2), answer(2))
    assert path.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(("text", "why"), [
    ("{not json", "it is not JSON"),
    ('["a list"]', 'it is not an object with an "exchanges" list'),
    ('{"exchanges": {"key": "k"}}', 'it is not an object with an "exchanges" list'),
    ('{"exchanges": [{"key": "k", "request": {}, "status": 200, "response": {}}, {"status": 200}]}',
     "exchange 1 is not"),
    ('{"exchanges": [{"key": "k", "status": 200, "response": {}}]}', "exchange 0 is not"),  # no request
    ('{"exchanges": [{"key": "k", "request": {}, "status": true, "response": {}}]}', "exchange 0 is not"),
])
def test_a_damaged_recording_is_named_with_what_to_do(tmp_path: Path, text: str, why: str) -> None:
    path = tmp_path / "eval.json"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(ValueError, match="not a recording of model exchanges") as raised:
        Cassette(path)

    assert str(path) in str(raised.value) and why in str(raised.value)
    assert "Delete it to record anew, or restore it from version control." in str(raised.value)


def test_a_recording_damaged_while_recording_is_named_when_it_is_next_written(tmp_path: Path) -> None:
    path = tmp_path / "eval.json"
    cassette = Cassette(path)
    cassette.record(request(1), answer(1))
    path.write_text("{", encoding="utf-8")

    with pytest.raises(ValueError, match="it is not JSON"):
        cassette.record(request(2), answer(2))
    assert path.read_text(encoding="utf-8") == "{"  # left as it was found, for its owner to look at


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=10)


@given(st.lists(st.dictionaries(st.text(max_size=5), json_values, max_size=4), max_size=4))
def test_the_file_is_what_one_json_encoding_of_it_makes(entries: list[dict[str, object]]) -> None:
    # each exchange is encoded once, when it is recorded; the file is the same bytes as encoding it whole
    whole = json.dumps({"format": FORMAT, "exchanges": entries}, indent=1, ensure_ascii=False) + "\n"
    assert recording_text(encoded_exchange(entry) for entry in entries) == whole


def test_a_file_changed_since_this_process_wrote_it_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "eval.json"
    cassette = Cassette(path)
    cassette.record(request(1), answer(1))
    elsewhere = json.loads(path.read_text(encoding="utf-8"))  # another process adds an exchange meanwhile
    elsewhere["exchanges"].append({"key": "k2", "request": request(2), "status": 200, "response": {"n": 2}})
    path.write_text(json.dumps(elsewhere), encoding="utf-8")

    cassette.record(request(3), answer(3))

    assert recorded_keys(path) == [request_key(request(1)), "k2", request_key(request(3))]


def test_a_key_twice_in_a_file_stays_twice_when_another_is_recorded(tmp_path: Path) -> None:
    """A file edited by hand may hold a request twice; replay answers with the first. Recording another request
    keeps both as they were (the file is rewritten with what it held, as before the encoding was kept)."""
    path = tmp_path / "eval.json"
    key = request_key(request(1))
    twice = [{"key": key, "request": request(1), "status": 200, "response": {"first": first}}
             for first in (True, False)]
    path.write_text(json.dumps({"format": FORMAT, "exchanges": twice}), encoding="utf-8")

    Cassette(path).record(request(2), answer(2))

    assert recorded_keys(path) == [key, key, request_key(request(2))]
    assert Cassette(path).answer(request(1)).body == {"first": True}


def test_an_exchange_that_does_not_encode_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "eval.json"
    cassette = Cassette(path)
    cassette.record(request(1), answer(1))

    with pytest.raises(TypeError):
        cassette.record(request(1), Exchange(200, {"not json": object()}, None))
    cassette.record(request(2), answer(2))

    assert recorded_keys(path) == [request_key(request(1)), request_key(request(2))]
    assert Cassette(path).answer(request(1)).body == answer(1).body
