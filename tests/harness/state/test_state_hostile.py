"""Hostile state documents at both entry points (`fake.load_state`, `PUT /__fake__/state`): a document loads
whole, or fails with a StateError (a 400 over HTTP) and leaves the fake's dump byte for byte as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fake_assistants import ApiRequest, FakeAssistants
from fake_assistants.core.errors import StateError
from fake_assistants.server.served_fake import ServedFake

FIELDS = ["id", "model", "tools", "created_at", "thread_id", "assistant_id", "run_id", "role", "content",
          "status", "metadata", "extra", "vector_store_id", "file_ids", "content_text", "content_base64",
          "temperature", "step_details", "type", "expires_at", "usage_bytes", "chunking_strategy", "filename",
          "purpose", "tool_resources", "instructions", "response_format", "last_error", "file_id"]
SECTIONS = ["assistants", "threads", "messages", "runs", "run_steps", "files", "vector_stores",
            "vector_store_files", "file_batches"]
IDS = st.sampled_from(["a", "t", "r", "m", "s", "f", "vs", ""])
SCALARS = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=8) | IDS
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=4), inner, max_size=3),
                      max_leaves=8)
OBJECTS = st.dictionaries(st.sampled_from(FIELDS), VALUES | IDS, max_size=6)
DOCUMENTS = st.dictionaries(st.sampled_from([*SECTIONS, "ids", "format", "version"]),
                            st.lists(OBJECTS, max_size=3) | VALUES, max_size=4)


def seeded() -> FakeAssistants:
    fake = FakeAssistants(seed=1)
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o", name="kept")
    client.beta.threads.create_and_run(assistant_id=assistant.id,
                                       thread={"messages": [{"role": "user", "content": "hi"}]})
    client.close()
    return fake


FAKE = seeded()
BEFORE = FAKE.dump()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_in_process_a_document_loads_whole_or_changes_nothing(document: dict[str, Any]) -> None:
    fake = FakeAssistants(seed=2)
    before = fake.dump()
    try:
        fake.load_state(document)
    except StateError as error:
        assert str(error)
        assert fake.dump() == before
        return
    dumped = fake.dump()
    assert json.loads(dumped)  # and it reads back
    assert FakeAssistants.load(dumped, seed=2).dump() == dumped


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOCUMENTS)
def test_over_http_a_document_is_200_or_400_and_a_400_changes_nothing(document: dict[str, Any]) -> None:
    try:
        raw = json.dumps(document).encode()  # NaN and Infinity are sent as the tokens Python writes
    except ValueError:
        return
    served = ServedFake(FAKE)
    response = served(ApiRequest.build("PUT", "/__fake__/state", body=raw))
    assert response.status in (200, 400), response.body
    if response.status == 400:
        assert isinstance(response.body, bytes)
        assert json.loads(response.body)["error"]["param"] in ("state", None)
        assert FAKE.dump() == BEFORE
    else:
        FAKE.load_state(BEFORE, replace=True)
        assert FAKE.dump() == BEFORE


@pytest.mark.parametrize(("start", "end"), [(100, 200), (3, 2), (-1, 2), ("0", 2), (0, None), (True, 2)])
def test_an_annotation_outside_its_text_is_refused(start: object, end: object) -> None:
    doc = {"threads": [{"id": "thread_a"}], "messages": [{
        "id": "msg_a", "thread_id": "thread_a", "role": "assistant", "content": [{"type": "text", "text": {
            "value": "short", "annotations": [{"type": "file_citation", "text": "x", "start_index": start,
                                               "end_index": end, "file_citation": {"file_id": "file-gone"}}]}}]}]}

    with pytest.raises(StateError, match=r"messages\[0\]: message msg_a: content\[0\]\.text\.annotations\[0\] spans "
                                         r".* of a text of 5 characters"):
        FakeAssistants.load(doc)


def test_a_citation_of_a_deleted_file_loads() -> None:
    """The service leaves a citation in place when its file is deleted later."""
    doc = {"threads": [{"id": "thread_a"}], "messages": [{
        "id": "msg_a", "thread_id": "thread_a", "role": "assistant", "content": [{"type": "text", "text": {
            "value": "Cake【4:0†foods.txt】.", "annotations": [{
                "type": "file_citation", "text": "【4:0†foods.txt】", "start_index": 4, "end_index": 18,
                "file_citation": {"file_id": "file-gone"}}]}}]}]}

    fake = FakeAssistants.load(doc)

    assert fake.store.messages["thread_a"].get("msg_a") is not None


@pytest.mark.parametrize(("annotations", "said"), [
    (["not a dict"], r"annotations\[0\] is an annotation object .*, not str 'not a dict'"),
    ("abc", r"annotations is a list of annotation objects, not str 'abc'"),
])
def test_annotations_that_are_not_annotation_objects_are_refused(annotations: object, said: str) -> None:
    doc = {"threads": [{"id": "thread_a"}], "messages": [{
        "id": "msg_a", "thread_id": "thread_a", "role": "assistant",
        "content": [{"type": "text", "text": {"value": "short", "annotations": annotations}}]}]}

    with pytest.raises(StateError, match=said):
        FakeAssistants.load(doc)
