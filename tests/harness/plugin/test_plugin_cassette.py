"""Issue 19 through the real plugin: `@pytest.mark.fake_assistants(cassette=...)` builds the test's fake from a
cassette (paths relative to the test file, as pytest-recording resolves them; pytest-recording's default layout with
`cassette=True`; `ids=`); a missing file fails the test naming the paths looked for; at the end of the test, recorded
runs never replayed are a `CassetteWarning` (switchable by marker and ini option), not a failure."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from cassette_files import exchange
from fake_assistants import OptionsError, PluginOptions
from fake_assistants.plugin_options import CassetteNotFound

ASSISTANT, THREAD = "asst_Wr8Nd2kQ5xYp7LmZ3tVb9cHf", "thread_Qm4Lp8Zt2Xv6Nb1Kc9Rd3Hf7"
RUN = "run_Yt6Fb2Mn8Qp4Lx1Vz7Kd3Wc5"
ANSWER = "It is sunny in Paris."


def interactions() -> list[dict[str, Any]]:
    """An app's recorded flow: an assistant, a thread with a message, one run polled once, the answer listed."""
    run = {"id": RUN, "object": "thread.run", "created_at": 1700000002, "assistant_id": ASSISTANT,
           "thread_id": THREAD, "status": "completed", "model": "gpt-4o", "instructions": None, "tools": []}
    reply = {"id": "msg_Hd5Kq9Tz3Lm7Xp2Vb8Nc4Rw1", "object": "thread.message", "created_at": 1700000003,
             "thread_id": THREAD, "role": "assistant", "assistant_id": ASSISTANT, "run_id": RUN, "attachments": [],
             "metadata": {}, "content": [{"type": "text", "text": {"value": ANSWER, "annotations": []}}]}
    return [
        exchange("POST", "/assistants", {"id": ASSISTANT, "object": "assistant", "created_at": 1700000000,
                                         "model": "gpt-4o", "tools": []}, {"model": "gpt-4o"}),
        exchange("POST", "/threads", {"id": THREAD, "object": "thread", "created_at": 1700000001, "metadata": {}}),
        exchange("POST", f"/threads/{THREAD}/messages", {**reply, "id": "msg_Ux3Lq7Tz1Km5Xp9Vb2Nc6Rw4",
                                                         "role": "user", "assistant_id": None, "run_id": None},
                 {"role": "user", "content": "Weather in Paris?"}),
        exchange("POST", f"/threads/{THREAD}/runs", {**run, "status": "queued"}, {"assistant_id": ASSISTANT}),
        exchange("GET", f"/threads/{THREAD}/runs/{RUN}", run),
        exchange("GET", f"/threads/{THREAD}/messages", {"object": "list", "data": [reply], "has_more": False}),
    ]


def write(path: Path, recorded: list[dict[str, Any]] | None = None) -> Path:
    """A VCR.py cassette of `recorded` (the app's flow by default): YAML or JSON by the file's suffix."""
    document = {"version": 1, "interactions": interactions() if recorded is None else recorded}
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".yaml":
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
    else:
        path.write_text(json.dumps(document), encoding="utf-8")
    return path


APP_FLOW = f"""
    def app_flow(client, *, extra=False):
        assistant = client.beta.assistants.create(model="gpt-4o")
        thread = client.beta.threads.create()
        client.beta.threads.messages.create(thread.id, role="user", content="Weather in Paris?")
        if extra:
            client.beta.threads.messages.create(thread.id, role="user", content="One more message.")
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        if extra:
            run = client.beta.threads.runs.retrieve(run.id, thread_id=thread.id)
        text = client.beta.threads.messages.list(thread.id).data[0].content[0].text.value
        return assistant.id, thread.id, run.id, run.status, text

    RECORDED = ("{ASSISTANT}", "{THREAD}", "{RUN}", "completed", "{ANSWER}")
"""


def run_tests(pytester: pytest.Pytester, source: str, *, ini: str = "", where: str = "tests/test_user.py",
              args: tuple[str, ...] = ()) -> pytest.RunResult:
    """Run `source` as the test file `where` (under pytester's folder), from pytester's folder."""
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}")
    test_file = pytester.path / where
    test_file.parent.mkdir(parents=True, exist_ok=True)
    test_file.write_text(textwrap.dedent(APP_FLOW) + textwrap.dedent(source), encoding="utf-8")
    return pytester.runpytest("-p", "no:randomly", "-p", "no:cacheprovider", *args)


def test_a_cassette_path_is_relative_to_the_test_files_folder(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/weather.json", ids="recorded")
        def test_weather(fake_assistants, openai_client):
            assert app_flow(openai_client) == RECORDED
            assert fake_assistants.cassette.ids == "recorded"
            assert all(call.in_cassette for call in fake_assistants.calls)
    """, args=("-W", "error::fake_assistants.CassetteWarning"))

    result.assert_outcomes(passed=1)


def test_changes_that_break_a_vcr_replay_pass_and_show_as_not_in_the_cassette(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/weather.json", ids="recorded")
        def test_weather(fake_assistants, openai_client):
            assert app_flow(openai_client, extra=True)[2:] == RECORDED[2:]
            new = fake_assistants.calls.filter(in_cassette=False)
            assert [call.route for call in new] == ["messages.create", "runs.retrieve"]
    """)

    result.assert_outcomes(passed=1)


def test_cassette_true_is_pytest_recordings_default_cassette(pytester: pytest.Pytester) -> None:
    library = pytester.path / "tests" / "cassettes" / "test_user"
    write(library / "test_weather.yaml")
    write(library / "TestWeather.test_weather.json")
    write(library / "test_cities[Paris-France].yaml")

    result = run_tests(pytester, """
        import pytest

        pytestmark = pytest.mark.fake_assistants(cassette=True, ids="recorded")

        def test_weather(fake_assistants, openai_client):
            assert fake_assistants.cassette.plan.recordings[0].path.name == "test_weather.yaml"
            assert app_flow(openai_client) == RECORDED

        class TestWeather:
            def test_weather(self, fake_assistants, openai_client):
                assert fake_assistants.cassette.plan.recordings[0].path.name == "TestWeather.test_weather.json"
                assert app_flow(openai_client) == RECORDED

        @pytest.mark.parametrize("city", ["Paris/France"])
        def test_cities(fake_assistants, openai_client, city):
            assert app_flow(openai_client) == RECORDED

        @pytest.mark.fake_assistants(cassette=None)
        def test_without_cassette(fake_assistants, openai_client):
            assert fake_assistants.cassette is None  # ids="recorded" from the module is ignored without one
            assert app_flow(openai_client)[3] == "completed"
    """)

    result.assert_outcomes(passed=4)


def test_a_name_is_also_looked_for_in_pytest_recordings_folder_with_yaml_added(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "test_user" / "shared_flow.yaml")

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="shared_flow", ids="recorded")
        def test_weather(openai_client):
            assert app_flow(openai_client) == RECORDED
    """)

    result.assert_outcomes(passed=1)


def test_a_list_of_cassettes_is_read_in_order(pytester: pytest.Pytester) -> None:
    recorded = interactions()
    write(pytester.path / "tests" / "cassettes" / "setup.json", recorded[:3])
    write(pytester.path / "tests" / "cassettes" / "run.json", recorded[3:])

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette=["cassettes/setup.json", "cassettes/run.json"], ids="recorded")
        def test_weather(fake_assistants, openai_client):
            assert [r.path.name for r in fake_assistants.cassette.plan.recordings] == ["setup.json", "run.json"]
            assert app_flow(openai_client) == RECORDED
    """)

    result.assert_outcomes(passed=1)


def test_a_missing_cassette_fails_the_test_naming_the_paths_looked_for(pytester: pytest.Pytester) -> None:
    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/gone.json")
        def test_named(openai_client):
            pass

        @pytest.mark.fake_assistants(cassette=True)
        def test_default(openai_client):
            pass
    """)

    result.assert_outcomes(errors=2)
    folder = pytester.path / "tests"
    result.stdout.fnmatch_lines([
        "*@pytest.mark.fake_assistants: cassette 'cassettes/gone.json' is not there; looked for:",
        f"*{folder / 'cassettes' / 'gone.json'}",
        f"*{folder / 'cassettes' / 'test_user' / 'cassettes' / 'gone.json'}",
    ])
    result.stdout.fnmatch_lines([
        "*@pytest.mark.fake_assistants: the test's default cassette (cassette=True) is not there; looked for:",
        f"*{folder / 'cassettes' / 'test_user' / 'test_default.yaml'}",
        f"*{folder / 'cassettes' / 'test_user' / 'test_default.json'}",
    ])


def test_a_file_that_is_not_a_cassette_fails_the_test_saying_so(pytester: pytest.Pytester) -> None:
    (pytester.path / "tests" / "cassettes").mkdir(parents=True)
    (pytester.path / "tests" / "cassettes" / "notes.json").write_text('{"hello": "world"}', encoding="utf-8")

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/notes.json")
        def test_named(openai_client):
            pass
    """)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*@pytest.mark.fake_assistants: the cassette does not load: *notes.json: not a "
                                 "cassette (no interactions, http_interactions or Entries): the fake reads VCR.py "
                                 "cassettes*"])


@pytest.mark.parametrize(("name", "text", "said"), [
    ("broken.json", '{"interactions": [', "not valid JSON at line 1, column 19: Expecting value"),
    ("empty.json", "", "the file is empty"),
    ("broken.yaml", "interactions:\n  - [unclosed\n", "not valid YAML at line 3, column 1: "),
], ids=["json", "empty", "yaml"])
def test_a_cassette_that_does_not_parse_fails_the_test_naming_where(pytester: pytest.Pytester, name: str,
                                                                     text: str, said: str) -> None:
    """The file and the parser's line and column, not the parser's traceback."""
    (pytester.path / "tests" / "cassettes").mkdir(parents=True)
    (pytester.path / "tests" / "cassettes" / name).write_text(text, encoding="utf-8")

    result = run_tests(pytester, f"""
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/{name}")
        def test_named(openai_client):
            pass
    """)

    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([f"*@pytest.mark.fake_assistants: the cassette does not load: *{name}: {said}*"])
    result.stdout.no_fnmatch_line("*Traceback*")


def test_a_folder_named_as_a_cassette_is_said_to_be_one(pytester: pytest.Pytester) -> None:
    (pytester.path / "tests" / "cassettes").mkdir(parents=True)

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes")
        def test_named(openai_client):
            pass
    """)

    result.assert_outcomes(errors=1)
    folder = pytester.path / "tests" / "cassettes"
    result.stdout.fnmatch_lines([f"*@pytest.mark.fake_assistants: cassette 'cassettes' is a folder, {folder}, not a "
                                 "file; name a cassette file in it (a .yaml or .json)"])


def test_the_other_marker_options_still_apply(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")

    result = run_tests(pytester, """
        import pytest
        from fake_assistants import ManualClock

        @pytest.mark.fake_assistants(cassette="cassettes/weather.json", seed=5, clock="manual",
                                     progression="manual", cassette_warning=False)
        def test_weather(fake_assistants, openai_client):
            assert fake_assistants.seed == 5 and isinstance(fake_assistants.clock, ManualClock)
            assistant = openai_client.beta.assistants.create(model="gpt-4o")
            thread = openai_client.beta.threads.create(messages=[{"role": "user", "content": "Weather?"}])
            run = openai_client.beta.threads.runs.create(thread_id=thread.id, assistant_id=assistant.id)
            assert assistant.id != RECORDED[0]  # ids="seeded" by default: the fake's own
            assert openai_client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "queued"
            fake_assistants.advance(run.id)
            fake_assistants.advance(run.id)
            assert openai_client.beta.threads.runs.retrieve(run.id, thread_id=thread.id).status == "completed"
    """)

    result.assert_outcomes(passed=1)


# A test on the weather cassette that replays none of its runs (`option`: more marker options).
ONLY_A_THREAD = """
    import pytest

    @pytest.mark.fake_assistants(cassette="cassettes/weather.json"{option})
    def test_only_makes_a_thread(openai_client):
        openai_client.beta.threads.create()
"""


def test_recorded_runs_never_replayed_are_a_warning_not_a_failure(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")

    result = run_tests(pytester, ONLY_A_THREAD.format(option=""))

    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*test_user.py:*: CassetteWarning: fake_assistants: the test and its cassette differ "
        "(1 recorded run never replayed):",
        "*cassettes: *weather.json",
        "*recorded runs never replayed:",
        f"*{RUN}",
        "*cassette_report() gives the whole account*cassette_warning=False*fake_assistants_cassette_warning = false.",
    ])
    result.stdout.no_fnmatch_line("*imported:*")  # what was imported is the whole report's, not the warning's


def test_the_warning_is_switched_off_by_the_marker_or_the_ini_option(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")
    by_marker = run_tests(pytester, ONLY_A_THREAD.format(option=", cassette_warning=False"))
    by_ini = run_tests(pytester, ONLY_A_THREAD.format(option=""), ini="fake_assistants_cassette_warning = false")
    marker_wins = run_tests(pytester, ONLY_A_THREAD.format(option=", cassette_warning=True"),
                            ini="fake_assistants_cassette_warning = false")

    by_marker.assert_outcomes(passed=1)
    by_ini.assert_outcomes(passed=1)
    marker_wins.assert_outcomes(passed=1, warnings=1)


def test_the_warning_can_be_made_an_error(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")

    result = run_tests(pytester, ONLY_A_THREAD.format(option=""), args=("-W", "error::fake_assistants.CassetteWarning"))

    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*CassetteWarning: fake_assistants: the test and its cassette differ*"])


def test_the_tests_own_unused_turns_still_fail_it(pytester: pytest.Pytester) -> None:
    write(pytester.path / "tests" / "cassettes" / "weather.json")

    result = run_tests(pytester, """
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/weather.json", cassette_warning=False)
        def test_adds_a_turn(fake_assistants, openai_client):
            fake_assistants.script.reply("the test's own, never used")
            openai_client.beta.threads.create()
    """)

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 scripted turn(s) were never used by a run:",
                                 "*- Reply(text=\"the test's own, never used\")"])


@pytest.mark.parametrize(("options", "problem"), [
    ({"cassette": 3}, "option 'cassette' must be a path, a non-empty list of paths, True"),
    ({"cassette": []}, "option 'cassette' must be a path, a non-empty list of paths, True"),
    ({"ids": "mine"}, "option 'ids' must be one of 'seeded', 'recorded', not 'mine'"),
    ({"cassette_warning": "no"}, "option 'cassette_warning' must be True, False or None"),
])
def test_ill_typed_cassette_options_are_named(options: dict[str, Any], problem: str) -> None:
    with pytest.raises(OptionsError, match=problem):
        PluginOptions.from_kwargs(options)


def test_cassette_paths_resolve_as_pytest_recording_does(tmp_path: Path) -> None:
    test_file = tmp_path / "tests" / "test_app.py"
    library = tmp_path / "tests" / "cassettes" / "test_app"
    named = write(tmp_path / "tests" / "recorded" / "flow.json")
    default = write(library / "TestApp.test_x[a-b-c].yaml")
    absolute = write(tmp_path / "elsewhere.json")

    def paths(choice: Any, name: str = "test_x", cls: str | None = None) -> list[Path]:
        return PluginOptions(cassette=choice).cassette_paths(test_file, name, cls)

    assert paths("recorded/flow.json") == [named]
    assert paths(["recorded/flow.json", str(absolute)]) == [named, absolute]
    assert paths(True, "test_x[a/b:c]", "TestApp") == [default]  # forbidden characters become "-"
    assert paths(None) == [] and paths(False) == []
    with pytest.raises(CassetteNotFound, match="looked for"):
        paths(True)


def test_a_v1_cassette_serves_v1_unless_the_marker_sets_api_versions(tmp_path: Path) -> None:
    recorded = exchange("POST", "/assistants", {"id": ASSISTANT, "object": "assistant", "created_at": 1700000000,
                                                "model": "gpt-4", "tools": [], "file_ids": []}, {"model": "gpt-4"})
    recorded["request"]["headers"] = {"OpenAI-Beta": ["assistants=v1"]}
    cassette = write(tmp_path / "v1.json", [recorded])

    default = PluginOptions(cassette=True).build_fake([cassette])
    chosen = PluginOptions(cassette=True, api_versions=("v1",)).build_fake([cassette])

    assert default.options.api_versions == ("v1", "v2")
    assert chosen.options.api_versions == ("v1",)
