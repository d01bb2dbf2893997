"""Request models build their validators when first used (`defer_build`: a faster import); the first use builds
each one once, under a lock, so fakes in several threads never validate with a half-built model."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from fake_assistants import ApiError
from fake_assistants.api.request_models import CreateAssistant, Strict
from fake_assistants.api.validation import validate


def probe_model() -> type[Strict]:
    class Probe(Strict):
        name: str
        tags: list[str] = []

    return Probe


def test_a_request_model_is_built_when_first_validated() -> None:
    probe = probe_model()
    assert probe.__pydantic_complete__ is False

    assert validate(probe, {"name": "a", "tags": ["b"]}).model_dump() == {"name": "a", "tags": ["b"]}
    assert probe.__pydantic_complete__ is True


def test_threads_validating_a_model_first_at_once_all_get_its_own_validator() -> None:
    probe = probe_model()
    start = threading.Barrier(8)

    def first_use(index: int) -> dict[str, object]:
        start.wait()
        return validate(probe, {"name": f"n{index}"}).model_dump()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(first_use, range(8)))

    assert results == [{"name": f"n{index}", "tags": []} for index in range(8)]


def test_a_deferred_model_rejects_as_before() -> None:
    with pytest.raises(ApiError) as raised:
        validate(CreateAssistant, {"model": "gpt-4o", "colour": "blue"})

    assert raised.value.status == 400
    assert raised.value.param == "colour"
