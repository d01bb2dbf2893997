"""Mistakes in choosing a progression policy are refused where they are made, naming the fix: a policy factory
passed uncalled (`FakeAssistants(progression=after_polls)`) says to call it, and `after_polls("2")` is a
TypeError at the call instead of `'<' not supported` later."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.progression import (
    AfterPolls,
    AfterSeconds,
    Immediate,
    Manual,
    after_polls,
    after_seconds,
    as_policy,
    immediate,
    manual,
)

ACCEPTED = "pass 'immediate' or immediate(), 'manual' or manual(), after_polls(n) or after_seconds(seconds)"


@pytest.mark.parametrize(("given", "said"), [
    (after_polls, "after_polls is a function, not a policy: call it, as after_polls(3)"),
    (after_seconds, "after_seconds is a function, not a policy: call it, as after_seconds(30)"),
    (immediate, "immediate is a function, not a policy: call it, as immediate()"),
    (manual, "manual is a function, not a policy: call it, as manual()"),
    (AfterPolls, "AfterPolls is a class, not a policy: build one with its function, as after_polls(3)"),
    ("after_polls", "'after_polls' needs its number: call the function, as after_polls(3)"),
    (3, "3 (int)"),
    (["manual"], "['manual'] (list)"),
], ids=["after_polls", "after_seconds", "immediate", "manual", "class", "name", "int", "unhashable"])
def test_a_policy_that_is_not_one_says_what_to_pass(given: object, said: str) -> None:
    with pytest.raises(ValueError) as raised:
        FakeAssistants(progression=given)  # type: ignore[arg-type]

    assert str(raised.value).startswith(f"unknown progression policy: {said}; {ACCEPTED}"), str(raised.value)


def test_set_progression_says_the_same() -> None:
    fake = FakeAssistants()

    with pytest.raises(ValueError, match=r"after_polls is a function, not a policy: call it, as after_polls\(3\)"):
        fake.set_progression(after_polls)  # type: ignore[arg-type]


@pytest.mark.parametrize(("call", "said"), [
    (lambda: after_polls("2"), "after_polls: n must be an int >= 0 (reads that see the run in_progress), "
                               "not str '2'; pass an int, as after_polls(2)"),
    (lambda: after_polls(True), "after_polls: n must be an int >= 0 (reads that see the run in_progress), "
                                "not bool True; pass an int, as after_polls(3)"),
    (lambda: after_seconds("2"), "after_seconds: seconds must be a number >= 0 (seconds on the fake's clock), "
                                 "not str '2'; pass a number, as after_seconds(2)"),
    (lambda: after_seconds(None), "after_seconds: seconds must be a number >= 0 (seconds on the fake's clock), "
                                  "not None; pass a number, as after_seconds(3)"),
], ids=["str", "bool", "seconds str", "None"])
def test_a_wrong_type_of_number_is_a_type_error_at_the_call(call: Callable[[], object], said: str) -> None:
    with pytest.raises(TypeError) as raised:
        call()

    assert str(raised.value) == said


@pytest.mark.parametrize(("call", "said"), [
    (lambda: after_polls(-1), "after_polls needs n >= 0 (reads that see the run in_progress), not -1; "
                              "pass 0 or more, as after_polls(0)"),
    (lambda: after_seconds(-5), "after_seconds needs seconds >= 0 (seconds on the fake's clock), not -5; "
                                "pass 0 or more, as after_seconds(0)"),
    (lambda: after_seconds(float("nan")), "after_seconds needs seconds >= 0 (seconds on the fake's clock), not nan; "
                                          "pass 0 or more, as after_seconds(0)"),
], ids=["polls", "seconds", "nan"])
def test_a_negative_number_is_a_value_error_at_the_call(call: Callable[[], object], said: str) -> None:
    with pytest.raises(ValueError) as raised:
        call()

    assert str(raised.value) == said


def test_valid_policies_are_taken_as_before() -> None:
    assert (as_policy("immediate"), as_policy("manual")) == (Immediate(), Manual())
    assert (after_polls(0), after_polls(3), after_seconds(0), after_seconds(30), after_seconds(1.5)) == (
        AfterPolls(0), AfterPolls(3), AfterSeconds(0), AfterSeconds(30), AfterSeconds(1.5))
    assert as_policy(after_polls(2)) == AfterPolls(2)
