"""Mistakes in `FakeAssistants`' own arguments are refused where they are made, naming what to pass instead: a
wrong option used to surface later, as a 500 on some request, or not at all."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest

from fake_assistants import FakeAssistants, ManualClock


def test_clock_takes_the_names_the_marker_takes() -> None:
    fake = FakeAssistants(clock="manual")
    assert isinstance(fake.clock, ManualClock)
    client = fake.openai_client()
    assert client.beta.assistants.create(model="gpt-4o").created_at == fake.clock.now()
    assert FakeAssistants(clock="system").clock.now() > 0


def test_the_manual_clock_is_reached_typed_or_named_missing() -> None:
    fake = FakeAssistants(clock="manual")
    fake.manual_clock.advance(601)  # typed ManualClock: mypy --strict sees advance()
    assert fake.clock.now() == 1_700_000_601

    with pytest.raises(TypeError, match=r"this fake's clock is a SystemClock.*clock='manual'"):
        FakeAssistants().manual_clock.advance(1)


@pytest.mark.parametrize(("options", "error", "named"), [
    ({"clock": "manaul"}, TypeError, 'clock= is "system", "manual", or a clock'),
    ({"clock": 1_700_000_000}, TypeError, "an object with a now() method"),
    ({"clock": ManualClock}, TypeError, "clock= takes a clock, not the class ManualClock: pass ManualClock()"),
    ({"shape": "schem"}, ValueError, 'shape= is "recorded"'),
    ({"seed": 1.5}, TypeError, "seed= is an int or a str"),
    ({"poll_after_ms": -1}, ValueError, "poll_after_ms= is a whole number"),
    ({"stream_chunk_chars": 0}, ValueError, "stream_chunk_chars= is None or a whole number of at least 1"),
    ({"strict_script": "yes"}, TypeError, "strict_script= is True or False"),
])
def test_a_wrong_option_is_refused_at_once(options: dict[str, Any], error: type[Exception], named: str) -> None:
    with pytest.raises(error) as raised:
        FakeAssistants(**options)
    assert named in str(raised.value)


@pytest.mark.parametrize(("make", "named"), [
    (lambda fake: fake.openai_client(), "fake.openai_client() needs the openai SDK"),
    (lambda fake: fake.async_openai_client(), "fake.async_openai_client() needs the openai SDK"),
])
def test_a_client_without_the_sdk_installed_names_the_fix(monkeypatch: pytest.MonkeyPatch,
                                                          make: Callable[[FakeAssistants], object],
                                                          named: str) -> None:
    """fake-assistants does not install openai (a project brings its own version): the fixtures and the client
    methods say so, where a bare `No module named 'openai'` came from inside the plugin."""
    monkeypatch.setitem(sys.modules, "openai", None)  # what an environment without openai imports
    with pytest.raises(ModuleNotFoundError) as raised:
        make(FakeAssistants())
    assert str(raised.value) == (f"{named}, which fake-assistants does not install (your project brings the version "
                                 "its code uses): pip install openai")
    assert raised.value.name == "openai"


@pytest.mark.parametrize(("library", "make", "named"), [
    ("httpx", lambda fake: fake.httpx_transport(), "fake.httpx_transport() needs httpx, which is not installed "
     "(openai 1.x and 2.x bring it; beside openai 3.x, which brings httpx2, use fake.httpx2_transport())"),
    ("httpx2", lambda fake: fake.httpx2_transport(), "fake.httpx2_transport() needs httpx2, which is not installed "
     "(openai 3.x brings it; beside openai 1.x and 2.x, which bring httpx, use fake.httpx_transport())"),
])
def test_a_transport_whose_library_is_missing_names_the_other(monkeypatch: pytest.MonkeyPatch, library: str,
                                                              make: Callable[[FakeAssistants], object],
                                                              named: str) -> None:
    for module in [name for name in sys.modules if name == library or name.startswith(f"{library}.")]:
        monkeypatch.delitem(sys.modules, module)
    for module in [name for name in sys.modules if name.startswith("fake_assistants.transports.httpx")]:
        monkeypatch.delitem(sys.modules, module)
    monkeypatch.setitem(sys.modules, library, None)
    with pytest.raises(ModuleNotFoundError) as raised:
        make(FakeAssistants())
    assert str(raised.value) == named


def test_a_wrong_http_library_and_transcript_format_are_named() -> None:
    fake = FakeAssistants()
    with pytest.raises(ValueError, match='http= is "httpx", "httpx2" or None'):
        fake.openai_client(http="httpx3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match='http= is "httpx", "httpx2" or None'):
        fake.async_openai_client(http="requests")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"""transcript\(format=\.\.\.\) is "text" or "json", not 'yaml'"""):
        fake.transcript(format="yaml")  # type: ignore[arg-type]


def test_advance_and_set_progression_take_a_run_or_its_id() -> None:
    fake = FakeAssistants(progression="manual")
    client = fake.openai_client()
    assistant = client.beta.assistants.create(model="gpt-4o")
    run = client.beta.threads.create_and_run(
        assistant_id=assistant.id, thread={"messages": [{"role": "user", "content": "Hi"}]})

    assert fake.advance(run) == "in_progress"  # the SDK's Run, as well as run.id
    fake.set_progression("immediate", run_id=run)
    assert client.beta.threads.runs.retrieve(run.id, thread_id=run.thread_id).status == "completed"

    with pytest.raises(TypeError, match=r"advance\(\) takes a run's id .* not int: 42"):
        fake.advance(42)  # type: ignore[arg-type]
    with pytest.raises(KeyError, match="no run with id 'run_typo' in this fake"):
        fake.set_progression("manual", run_id="run_typo")
    with pytest.raises(KeyError, match="no run with id 'run_typo'"):
        fake.advance("run_typo")
