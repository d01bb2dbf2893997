"""`PluginOptions`: the typed value the `fake_assistants` marker's keywords validate into."""

from __future__ import annotations

import dataclasses

import pytest

from fake_assistants import ManualClock, SystemClock
from fake_assistants.plugin_options import OptionsError, PluginOptions
from fake_assistants.progression import AfterSeconds, Immediate, after_seconds


def test_defaults_are_the_fakes_defaults() -> None:
    fake = PluginOptions().build_fake()

    assert fake.seed == 0
    assert (fake.options.shape, fake.options.poll_after_ms, fake.options.stream_chunk_chars) == ("recorded", 0, None)
    assert isinstance(fake.engine.policy, Immediate)
    assert fake.script.strict is False
    assert isinstance(fake.clock, SystemClock)
    assert fake.lenient is False


def test_merge_later_layers_win_per_option() -> None:
    merged = PluginOptions.merge([{"seed": 1, "shape": "schema"}, {"seed": 2}, {"poll_after_ms": 3}])

    assert (merged.seed, merged.shape, merged.poll_after_ms) == (2, "schema", 3)


def test_options_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        PluginOptions().seed = 1  # type: ignore[misc]


def test_unknown_option_names_itself_a_close_match_and_the_known_ones() -> None:
    with pytest.raises(OptionsError) as raised:
        PluginOptions.merge([{"seed": 1}, {"poll_after": 3}])

    message = str(raised.value)
    assert "unknown option 'poll_after' (did you mean 'poll_after_ms'?)" in message
    assert "known options: seed, shape, progression, strict_script, poll_after_ms," in message


def test_a_given_clock_is_used_as_is() -> None:
    clock = ManualClock(5)

    fake = PluginOptions.from_kwargs({"clock": clock, "progression": after_seconds(3)}).build_fake()

    assert fake.clock is clock
    assert fake.engine.policy == AfterSeconds(3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"seed": True},
        {"shape": None},
        {"progression": 3},
        {"poll_after_ms": "0"},
        {"stream_chunk_chars": 0},
        {"lenient": 1},
        {"api_versions": ("v3",)},
        {"api_versions": 2},
        {"clock": "wall"},
        {"intercept": 1},
        {"base_url": "ftp://example.com/v1"},
        {"http": "requests"},
        {"max_retries": -1},
        {"strict_response_validation": None},
        {"check_unconsumed_script": "no"},
    ],
)
def test_values_are_checked(kwargs: dict[str, object]) -> None:
    (name,) = kwargs

    with pytest.raises(OptionsError, match=f"option '{name}' must be"):
        PluginOptions.from_kwargs(kwargs)


def test_client_kwargs() -> None:
    options = PluginOptions(base_url="http://localhost:8080/openai/", http="httpx", max_retries=1,
                            strict_response_validation=True)

    assert options.client_kwargs() == {"base_url": "http://localhost:8080/openai/", "http": "httpx",
                                       "max_retries": 1, "_strict_response_validation": True}
    assert PluginOptions().client_kwargs() == {"base_url": "https://api.openai.com/v1", "http": None}


@pytest.mark.parametrize(("option", "ini", "checks"), [(None, True, True), (None, False, False),
                                                        (False, True, False), (True, False, True)])
def test_the_marker_decides_over_the_ini_option(option: bool | None, ini: bool, checks: bool) -> None:
    assert PluginOptions(check_unconsumed_script=option).checks_unconsumed_script(ini) is checks


def test_the_poll_loop_guard_is_a_marker_option(pytester: pytest.Pytester) -> None:
    """A suite sets the guard for its tests where it marks them; the fake's own default was reachable only through
    `fake.options` inside each test."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user="""
        import openai
        import pytest

        pytestmark = pytest.mark.fake_assistants(progression="manual", idle_polls=5, idle_seconds=None)

        def test_a_stuck_poll_loop_ends_after_five_polls(fake_assistants, openai_client):
            assert (fake_assistants.options.idle_polls, fake_assistants.options.idle_seconds) == (5, None)
            assistant = openai_client.beta.assistants.create(model="gpt-4o")
            thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
            with pytest.raises(openai.BadRequestError, match="after 5 polls in a row"):
                openai_client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)

        @pytest.mark.fake_assistants(idle_seconds=0)
        def test_a_bad_value_is_named(fake_assistants):
            pass
    """)

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*option 'idle_seconds' must be a number of seconds above 0, or None (never), not 0*"])
