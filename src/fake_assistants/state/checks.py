"""What went wrong in a fake that its clients may not have shown: the checks the pytest plugin runs after each test,
and `FakeAssistants.check()` runs where the plugin cannot (at the end of a hypothesis example, so that hypothesis
shrinks the example that made the mistake; in unittest's `tearDown`; in a script)."""

from __future__ import annotations

import traceback
from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..core.errors import InternalError
from ..layers.faults import Fault
from ..runs.script import Script, Turn

INTERNAL_MESSAGE = "fake_assistants: an error inside the fake answered a request with a 500 server_error"
INTERNAL_HINT = ("A value the fake was given that it could not use (a scripted turn, an option) is the likely cause; "
                 "otherwise this is a bug of fake-assistants: please report it with this traceback.")
RESPONDER_MESSAGE = "fake_assistants: a responder raised while it made a turn (its run failed with server_error)"
MISTAKES_MESSAGE = "fake_assistants: the script asked for something no run could do (the run failed)"
UNUSED_MESSAGE = "scripted turn(s) were never used by a run"
UNSPENT_MESSAGE = "scheduled fault(s) were not used up"


class FakeCheckError(AssertionError):
    """`FakeAssistants.check()` found something wrong that the fake's clients may not have shown: an error inside the
    fake, a responder that raised, a scripted turn no run could take as scripted, a scripted turn no run used, a
    fault not used up. An AssertionError, so that pytest, unittest and hypothesis count it as the test's failure."""


class CassetteTurns(Protocol):
    """A cassette fake's source: which of the queued turns are its recorded runs' (those are its report's)."""

    def pending(self, turns: Sequence[Turn]) -> list[bool]: ...


def unused_turns(script: Script, cassette: CassetteTurns | None, assistants: Container[str]) -> list[str]:
    """The scripted turns no run used, one line each (recorded turns of a cassette left out: they are the cassette
    report's). `assistants`: the ids the fake has now, to name a turn waiting for an assistant it does not have."""
    pending = script.pending
    if cassette is not None:
        recorded = cassette.pending(pending)
        pending = [turn for turn, is_recorded in zip(pending, recorded, strict=True) if not is_recorded]
    return [f"  - {turn.action!r}" + _owner(turn.assistant_id, assistants) for turn in pending]


def _owner(assistant_id: str | None, assistants: Container[str]) -> str:
    """Whose runs a turn waits for; an assistant the fake does not have is named as such (a typo, an id from another
    fake, or one deleted)."""
    if assistant_id is None:
        return ""
    if assistant_id not in assistants:
        return f" (assistant {assistant_id}: this fake has no such assistant now)"
    return f" (assistant {assistant_id})"


def internal_errors_text(errors: Sequence[InternalError]) -> str:
    return "\n\n".join(str(error) for error in errors) + f"\n\n{INTERNAL_HINT}"


def responder_errors_text(errors: Sequence[tuple[str, BaseException]]) -> str:
    return "\n".join(f"run {run_id}:\n" + "".join(traceback.format_exception(error)).rstrip()
                     for run_id, error in errors)


def listed(lines: Sequence[str]) -> str:
    return "\n".join(f"  - {line}" for line in lines)


@dataclass(frozen=True)
class Findings:
    """What the checks found, each kind in its own field (empty: nothing of that kind)."""

    internal_errors: Sequence[InternalError] = ()
    responder_errors: Sequence[tuple[str, BaseException]] = ()
    mistakes: Sequence[str] = ()
    unused_turns: Sequence[str] = ()
    unspent_faults: Sequence[Fault] = ()

    def __bool__(self) -> bool:
        return bool(self.internal_errors or self.responder_errors or self.mistakes or self.unused_turns
                    or self.unspent_faults)

    def message(self, *, over_http: bool = False) -> str:
        """Every finding, each kind with its fix; the switches named are `check()`'s, or over HTTP the query
        parameters of `GET /__fake__/check`."""
        script_switch, faults_switch = (
            ("GET /__fake__/check?unconsumed_script=false", "GET /__fake__/check?unspent_faults=false") if over_http
            else ("check(unconsumed_script=False)", "check(unspent_faults=False)"))
        parts = []
        if self.internal_errors:
            parts.append(f"{INTERNAL_MESSAGE}:\n{internal_errors_text(self.internal_errors)}")
        if self.responder_errors:
            parts.append(f"{RESPONDER_MESSAGE}:\n{responder_errors_text(self.responder_errors)}")
        if self.mistakes:
            parts.append(f"{MISTAKES_MESSAGE}:\n{listed(self.mistakes)}")
        if self.unused_turns:
            turns = "\n".join(self.unused_turns)
            clear = "DELETE /__fake__/script" if over_http else "fake.script.clear()"
            parts.append(f"fake_assistants: {len(self.unused_turns)} {UNUSED_MESSAGE}:\n{turns}\n"
                         f"Use them, remove them ({clear}), or leave them out of the check with {script_switch}.")
        if self.unspent_faults:
            faults = listed([fault.describe() for fault in self.unspent_faults])
            clear = "DELETE /__fake__/faults" if over_http else "fake.faults.clear()"
            parts.append(f"fake_assistants: {len(self.unspent_faults)} {UNSPENT_MESSAGE}:\n{faults}\n"
                         f"Make the requests they are for, remove them ({clear}), or leave them out of the check "
                         f"with {faults_switch}.")
        return "\n\n".join(parts)
