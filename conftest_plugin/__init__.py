"""pytest plugin for fake-assistants: fixtures, the `fake_assistants` marker and a teardown check.

Fixtures: `fake_assistants` (a fresh fake per test), `openai_client` (`openai.OpenAI` on it) and
`async_openai_client` (`openai.AsyncOpenAI` on it; a plain fixture, so pytest-asyncio and anyio tests both use it).
`@pytest.mark.fake_assistants(**options)` on a module (`pytestmark`), a class or a test configures them
(`fake_assistants.plugin_options.PluginOptions`); the closest marker wins per option. A test whose marker says
`intercept=True` has the fake even when it asks for no fixture. After a passing test,
scripted turns that no run used fail it, unless `check_unconsumed_script=False` or the ini option
`fake_assistants_check_unconsumed_script = false`.

Safe and quiet by default, in every test that uses these fixtures: an OpenAI SDK request the fake does not answer
(a client built at import time, say) fails the test before it reaches the network (`guard.py`; switched by the
marker's `block_real_api`, `--fake-assistants-allow-real-api` and the ini option `fake_assistants_block_real_api`),
and the SDK's Assistants deprecation warnings are filtered (the ini option
`fake_assistants_filter_deprecation_warnings = false` keeps them). After a passing test, faults it scheduled and
did not use up fail it too (`check_unspent_faults`, ini `fake_assistants_check_unspent_faults`), and so does a
scripted call to a function the run did not declare (the run itself fails with a `last_error` that says so).

A test that used the fake and failed gets a "fake-assistants" section in its report, next to the captured output:
`fake.transcript()`, what the fake held and saw. `transcript="off"|"fail"|"always"` on the marker,
`--fake-assistants-transcript=off|fail|always` on the command line or the ini option `fake_assistants_transcript`
choose when (the marker wins, then the command line, then the ini option; `fail` by default).

`@pytest.mark.fake_assistants(cassette="cassettes/test_x.yaml", ids="recorded")` (or `cassette=True`, for
pytest-recording's default cassette) builds the test's fake with `FakeAssistants.from_cassette`. At the end of such a
test, recorded runs it never replayed and what the fake could not import are a `fake_assistants.CassetteWarning`
with `fake.cassette_report()` (not a failure; `cassette_warning=False` or the ini option
`fake_assistants_cassette_warning = false` silence it).

Everything is per test: nothing is shared between tests, processes or pytest-xdist workers.

Registered through the `pytest11` entry point under the same name as this module, so autoload,
`-p conftest_plugin` and `pytest_plugins = ["conftest_plugin"]` all refer to one plugin.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Generator, Iterator, Mapping
from contextlib import ExitStack
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import pytest

from fake_assistants import CassetteReport, CassetteWarning, FakeAssistants
from fake_assistants.cassettes.reader import CassetteError
from fake_assistants.fake import fakes_built
from fake_assistants.plugin_options import (
    MARKER,
    TRANSCRIPT_MODES,
    CassetteNotFound,
    OptionsError,
    PluginOptions,
)
from fake_assistants.state import checks

from .guard import ALLOW_OPTION, BLOCK_INI, BLOCKED_START, GUARD, blocked_message

if TYPE_CHECKING:
    from openai import AsyncOpenAI, OpenAI

CHECK_INI = "fake_assistants_check_unconsumed_script"
FAULTS_INI = "fake_assistants_check_unspent_faults"
WARNINGS_INI = "fake_assistants_filter_deprecation_warnings"
CASSETTE_WARNING_INI = "fake_assistants_cassette_warning"
FIXTURES = ("fake_assistants", "openai_client", "async_openai_client")
# The SDK's Assistants deprecation warnings, exactly: openai 1.x/2.x word them so, openai 3.x says "deprecated".
DEPRECATION_FILTERS = (
    "ignore:The Assistants API is deprecated in favor of the Responses API:DeprecationWarning",
    "ignore:deprecated$:DeprecationWarning",
)
GUARDED_KEY = pytest.StashKey[bool]()
TRANSCRIPT_INI = "fake_assistants_transcript"
TRANSCRIPT_OPTION = "--fake-assistants-transcript"
TRANSCRIPT_SECTION = "fake-assistants"
OPTIONS_KEY = pytest.StashKey[PluginOptions]()
FAKE_KEY = pytest.StashKey[FakeAssistants]()
TRANSCRIBED_KEY = pytest.StashKey[bool]()
BLOCKED_REPORTED_KEY = pytest.StashKey[bool]()  # the guard's stops are in a section of the test's report
BUILT_KEY = pytest.StashKey[list[FakeAssistants]]()  # the fakes the test body built, until its report is made
IMPLICIT_KEY = pytest.StashKey[bool]()  # the test has the fake through its marker alone (`_the_markers_fake`)
MISSING_CASSETTE_KEY = pytest.StashKey[str]()  # such a test's default cassette was not there: fine if unused


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        CHECK_INI,
        type="bool",
        default=True,
        help="fake-assistants: fail a test whose scripted turns were not all used (default: true)",
    )
    parser.addini(
        FAULTS_INI,
        type="bool",
        default=True,
        help="fake-assistants: fail a test whose scheduled faults were not all used up (default: true)",
    )
    parser.addini(
        BLOCK_INI,
        type="bool",
        default=True,
        help="fake-assistants: in tests that use the fake, fail an OpenAI SDK request the fake does not answer, "
             "before it reaches the network (default: true)",
    )
    parser.addini(
        CASSETTE_WARNING_INI,
        type="bool",
        default=True,
        help="fake-assistants: at the end of a test whose fake came from a cassette, warn (CassetteWarning) about "
             "recorded runs never replayed and what could not be imported (default: true)",
    )
    parser.addini(
        WARNINGS_INI,
        type="bool",
        default=True,
        help="fake-assistants: filter the openai SDK's Assistants deprecation warnings in tests that use the fake "
             "(default: true)",
    )
    parser.getgroup("fake-assistants").addoption(
        ALLOW_OPTION,
        action="store_true",
        default=False,
        dest="fake_assistants_allow_real_api",
        help="let OpenAI SDK requests the fake does not answer through to the network (default: they fail the test)",
    )
    parser.addini(
        TRANSCRIPT_INI,
        default="fail",
        help="fake-assistants: when a test's report shows the fake's transcript: off, fail or always (default: fail)",
    )
    parser.getgroup("fake-assistants").addoption(
        TRANSCRIPT_OPTION,
        choices=TRANSCRIPT_MODES,
        default=None,
        dest="fake_assistants_transcript",
        help="when a test's report shows the fake's transcript: off, fail (a failing test; the default) or always",
    )


def pytest_configure(config: pytest.Config) -> None:
    ini_transcript_mode(config)  # a misspelled mode stops the run at once
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): configure the fake_assistants, openai_client and async_openai_client fixtures "
        f"(options: {', '.join(PluginOptions.names())})",
    )


def uses_the_fake(item: pytest.Item) -> bool:
    """Whether a test uses the plugin: it asks for one of the fixtures (directly or through other fixtures), or
    carries the marker (which gives it the fake with `intercept=True`, `_the_markers_fake`)."""
    return (any(name in FIXTURES for name in getattr(item, "fixturenames", ()))
            or item.get_closest_marker(MARKER) is not None)


def imports_the_fake(namespace: Mapping[str, object]) -> bool:
    """Whether a module's globals (or a doctest's) hold fake_assistants or a name of its own from the package: its
    tests may build a fake of their own (a property test's, say) without any fixture."""
    for value in list(namespace.values()):
        try:
            name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", None)
        except Exception:  # an object whose attributes cannot be read (a proxy, a mock): not the fake's
            continue
        if isinstance(name, str) and name.partition(".")[0] == "fake_assistants":
            return True
    return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that use the fake, sit in a module (or below a conftest.py) that imports it at module level, or are
    doctests that import it, do not show the SDK's Assistants deprecation warnings (unless the ini says so). With
    pytest's warnings plugin off (`-p no:warnings`) pytest shows no warnings, and has no `filterwarnings` mark."""
    if not config.getini(WARNINGS_INI) or not config.pluginmanager.has_plugin("warnings"):
        return
    conftests = [path.parent for path, plugin in _loaded_conftests(config) if imports_the_fake(vars(plugin))]
    modules: dict[int, bool] = {}  # id of a test module -> whether it imports the fake
    for item in items:
        if uses_the_fake(item) or _near_the_fake(item, conftests, modules):
            item.add_marker(pytest.mark.filterwarnings(*DEPRECATION_FILTERS), append=True)


def _loaded_conftests(config: pytest.Config) -> list[tuple[Path, ModuleType]]:
    """The conftest.py modules pytest has loaded (each is a plugin), with their paths."""
    loaded = []
    for plugin in config.pluginmanager.get_plugins():
        file = getattr(plugin, "__file__", None) if isinstance(plugin, ModuleType) else None
        if isinstance(file, str) and Path(file).name == "conftest.py":
            loaded.append((Path(file), plugin))
    return loaded


def _near_the_fake(item: pytest.Item, conftests: list[Path], modules: dict[int, bool]) -> bool:
    module = getattr(item, "module", None)
    if module is not None:
        if id(module) not in modules:
            modules[id(module)] = imports_the_fake(vars(module))
        if modules[id(module)]:
            return True
    doctest = getattr(item, "dtest", None)  # a doctest: its module's globals, or an example that imports the fake
    if doctest is not None and (imports_the_fake(getattr(doctest, "globs", {})) or any(
            "fake_assistants" in getattr(example, "source", "") for example in getattr(doctest, "examples", ()))):
        return True
    return any(item.path.is_relative_to(folder) for folder in conftests)


def blocks_real_api(item: pytest.Item, options: PluginOptions | None) -> bool:
    """The marker's `block_real_api` (True guards any test), else the command line, else the ini option, for
    tests that use the fake."""
    if options is not None and options.block_real_api is not None:
        return options.block_real_api
    if not uses_the_fake(item) or item.config.getoption("fake_assistants_allow_real_api", False):
        return False
    return bool(item.config.getini(BLOCK_INI))


def options_for(node: pytest.Item) -> PluginOptions:
    """The merged marker options of a test: module < class < function."""
    markers = list(node.iter_markers(name=MARKER))  # closest first
    for marker in markers:
        if marker.args:
            raise OptionsError(f"@pytest.mark.{MARKER} takes keyword options only, not {marker.args!r}")
    return PluginOptions.merge(marker.kwargs for marker in reversed(markers))


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Validate the marker options of every test that has them, fixtures or not; switch the guard on."""
    if item.get_closest_marker(MARKER) is not None:
        problem = None
        try:
            item.stash[OPTIONS_KEY] = options_for(item)
        except OptionsError as error:
            problem = str(error)
        if problem is not None:  # failed outside the except: the report shows the message once, not chained
            pytest.fail(problem, pytrace=False)
    if blocks_real_api(item, item.stash.get(OPTIONS_KEY, None)):
        GUARD.install()
        item.stash[GUARDED_KEY] = True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Iterator[None]:
    """A cassette fake's report, as a warning, before the fixtures' teardown; the guard stays on through that
    teardown, then goes."""
    warn_about_cassette(item)
    try:
        return (yield)
    finally:
        if item.stash.get(GUARDED_KEY, False):
            GUARD.uninstall()
        fake = item.stash.get(FAKE_KEY, None)
        if fake is not None:  # after the fixtures' teardown, which may still use it
            retire(fake, item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After the test body passed: scripted turns left unused, faults not used up, scripted calls to undeclared
    functions and requests the guard stopped (had the test swallowed them) fail the test."""
    with fakes_built() as built:
        item.stash[BUILT_KEY] = built
        result = yield
    if item.stash.get(GUARDED_KEY, False) and GUARD.blocked:
        pytest.fail(blocked_message(GUARD.blocked), pytrace=False)
    fake = item.stash.get(FAKE_KEY, None)
    missing = item.stash.get(MISSING_CASSETTE_KEY, None)
    if fake is not None and missing is not None and len(fake.calls):
        pytest.fail(f"{missing}\n{MISSING_CASSETTE_HINT}", pytrace=False)
    # The checks with no switch, on the test's fake and on those the test built itself (a property test builds one
    # per example), in a test that uses the plugin
    checked = [fake] if fake is not None else []
    if uses_the_fake(item):
        checked += [other for other in item.stash.get(BUILT_KEY, []) if other is not fake]
    for each in checked:
        check_internal_errors(each)
        check_responder_errors(each)
        check_script_mistakes(each)
    if fake is not None:
        options = item.stash.get(OPTIONS_KEY, PluginOptions())
        if options.checks_unconsumed_script(bool(item.config.getini(CHECK_INI))):
            check_script_consumed(item, fake)
            check_other_fakes(item, fake)
        checks_faults = options.check_unspent_faults
        if checks_faults is None:
            checks_faults = bool(item.config.getini(FAULTS_INI))
        if checks_faults:
            check_faults_spent(fake)
    return result


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A test that used the fake gets its transcript as a report section: when it fails (or as chosen)."""
    report: pytest.TestReport = yield
    fake = item.stash.get(FAKE_KEY, None)
    if fake is not None and report.failed and built_a_client_without_a_key(item, call):
        report.sections.append((NO_KEY_SECTION, NO_KEY_HINT))
    if fake is not None and report.failed and report.when == "call" and not failed_for_unused_turns(call):
        turns = unused_turns_of(fake)  # the check that fails a test for them runs only when its body passed
        if turns:
            hint = runs_elsewhere_hint(item, fake)
            report.sections.append((UNUSED_SECTION, f"{UNUSED_HINT}\n" + "\n".join(turns) + f"\n{hint}".rstrip()))
        others = other_fakes_turns(item, fake)
        if others and not (call.excinfo is not None and OTHER_FAKES_MESSAGE in str(call.excinfo.value)):
            report.sections.append((OTHER_FAKES_SECTION, "\n".join(others) + f"\n{OTHER_FAKES_HINT}"))
        if fake.internal_errors and not failed_for_internal_errors(call):  # the 500s the test may have failed on
            report.sections.append((INTERNAL_SECTION, internal_errors_text(fake)))
        missing = item.stash.get(MISSING_CASSETTE_KEY, None)
        if missing is not None and len(fake.calls) and not (call.excinfo is not None and missing in str(
                call.excinfo.value)):  # the check that fails a test for it runs only when its body passed
            report.sections.append((MISSING_CASSETTE_SECTION, f"{missing}\n{MISSING_CASSETTE_HINT}"))
    if call.excinfo is not None and BLOCKED_START in str(call.excinfo.value):  # the guard's own failure says it
        item.stash[BLOCKED_REPORTED_KEY] = True
    if (report.failed and item.stash.get(GUARDED_KEY, False) and GUARD.blocked
            and not item.stash.get(BLOCKED_REPORTED_KEY, False)):
        # the guard's stop came out as another error (a web framework's test client turns it into a 500, or its
        # portal's CancelledError): the report says what happened underneath
        item.stash[BLOCKED_REPORTED_KEY] = True
        report.sections.append((BLOCKED_SECTION, blocked_message(GUARD.blocked)))
    if report.when == "call" and BUILT_KEY in item.stash:
        del item.stash[BUILT_KEY]  # the fakes the body built go with it
    if fake is None or item.stash.get(TRANSCRIBED_KEY, False):
        return report
    mode = transcript_mode(item)
    if mode == "fail" and report.failed and saw_nothing(fake):  # a failure that is not the fake's: no transcript
        return report
    if (mode == "fail" and report.failed) or (mode == "always" and (report.when == "call" or report.failed)):
        item.stash[TRANSCRIBED_KEY] = True
        report.sections.append((TRANSCRIPT_SECTION, transcript_of(fake)))
    return report


BLOCKED_SECTION = "fake-assistants: requests to the real OpenAI API that the guard stopped"
NO_KEY_SECTION = "fake-assistants: a client built with no API key"
NO_KEY_HINT = (
    "The code under test built its own OpenAI client, and the SDK found no API key. Outside intercept, such a "
    "client talks to the real API, not to this test's fake. To make every client built inside the test talk to "
    f"the fake (with a placeholder OPENAI_API_KEY set for it), mark the test @pytest.mark.{MARKER}(intercept=True); "
    "or hand the code the client of the `openai_client` fixture."
)


MISSING_CASSETTE_SECTION = "fake-assistants: the test's cassette is missing"
MISSING_CASSETTE_HINT = ("The test sent requests to the fake its marker gave it, so it needs its cassette (or "
                         "cassette=False for a fake without one). Without it, runs got the fake's default reply.")
UNUSED_SECTION = "fake-assistants: scripted turns no run used"
OTHER_FAKES_SECTION = "fake-assistants: turns scripted on a fake the test built itself, which no run used"
UNUSED_HINT = ("When the test failed, these turns were still waiting for a run (a turn given an assistant_id waits "
               "for a run of that assistant; the others for any run):")


def unused_turns_of(fake: FakeAssistants) -> list[str]:
    try:
        return unused_turns(fake)
    except Exception:  # a report must never fail for a hint's sake
        return []


def built_a_client_without_a_key(item: pytest.Item, call: pytest.CallInfo[None]) -> bool:
    """The test failed with the SDK's missing-key error, raised where a client is made, and did not intercept."""
    options = item.stash.get(OPTIONS_KEY, None)
    if call.excinfo is None or (options is not None and options.intercept):
        return False
    error = call.excinfo.value
    # openai.OpenAIError itself (its API errors are subclasses); "Missing credentials..." on 3.x, "The api_key
    # client option must be set..." before: both name the variable. Not AzureOpenAI's (AZURE_OPENAI_API_KEY):
    # intercept sets no placeholder for it.
    return (type(error).__name__ == "OpenAIError" and type(error).__module__.startswith("openai")
            and _NAMES_OPENAI_API_KEY.search(str(error)) is not None)


_NAMES_OPENAI_API_KEY = re.compile(r"(?<![A-Z_])OPENAI_API_KEY")
UNUSED_CHECK_MESSAGE = checks.UNUSED_MESSAGE


def failed_for_unused_turns(call: pytest.CallInfo[None]) -> bool:
    """The test failed by the check that lists its unused turns: they are in its message already."""
    return call.excinfo is not None and UNUSED_CHECK_MESSAGE in str(call.excinfo.value)


def transcript_mode(item: pytest.Item) -> str:
    """The marker's `transcript`, else the command line's, else the ini option's."""
    options = item.stash.get(OPTIONS_KEY, None)
    if options is not None and options.transcript is not None:
        return options.transcript
    chosen = item.config.getoption("fake_assistants_transcript", None)
    if chosen is not None:
        return str(chosen)
    return ini_transcript_mode(item.config)


def ini_transcript_mode(config: pytest.Config) -> str:
    configured = str(config.getini(TRANSCRIPT_INI)).strip().lower()
    if configured not in TRANSCRIPT_MODES:
        raise pytest.UsageError(f"{TRANSCRIPT_INI} must be one of {', '.join(TRANSCRIPT_MODES)}, not {configured!r}")
    return configured


def transcript_of(fake: FakeAssistants) -> str:
    try:
        return fake.transcript()
    except Exception as error:  # a report must never fail for the transcript's sake
        return f"(the transcript could not be made: {type(error).__name__}: {error})"


def cassette_counts(report: CassetteReport, changed: int = 0) -> str:
    """`2 recorded runs never replayed, 1 part not imported`: the counts that are not zero."""
    counts = [(len(report.never_replayed), "recorded run", "recorded runs", "never replayed"),
              (len(report.not_imported), "part", "parts", "not imported"),
              (changed, "request", "requests", "different from the recorded one")]
    return ", ".join(f"{n} {one if n == 1 else many} {what}" for n, one, many, what in counts if n)


def changed_requests(fake: FakeAssistants) -> list[str]:
    """The test's requests whose JSON body differs from the recorded request each matched, one line each."""
    return [f"  #{index} {call.method} {call.path}: {call.differs_from_cassette}"
            for index, call in enumerate(fake.calls) if call.differs_from_cassette]


def warn_about_cassette(item: pytest.Item) -> None:
    """Recorded runs the test never replayed, or what the fake could not import: a `CassetteWarning`."""
    fake = item.stash.get(FAKE_KEY, None)
    if fake is None or fake.cassette is None:
        return
    options = item.stash.get(OPTIONS_KEY, PluginOptions())
    warns = options.cassette_warning
    if warns is None:
        warns = bool(item.config.getini(CASSETTE_WARNING_INI))
    if not warns:
        return
    report = fake.cassette_report()
    changed = changed_requests(fake)
    if not report.never_replayed and not report.not_imported and not changed:
        return
    differing = ("\nrequests whose body differs from the recorded one (answered as the recording goes on):\n"
                 + "\n".join(changed)) if changed else ""
    _, line, _ = item.location
    warnings.warn_explicit(
        CassetteWarning(
            f"fake_assistants: the test and its cassette differ ({cassette_counts(report, len(changed))}):\n"
            f"{report.left_over()}{differing}\n"
            f"fake_assistants.cassette_report() gives the whole account, what was imported too. "
            f"Switch this off with @pytest.mark.{MARKER}(cassette_warning=False) or the ini option "
            f"{CASSETTE_WARNING_INI} = false."
        ),
        CassetteWarning, str(item.path), (line or 0) + 1,
    )


def unused_turns(fake: FakeAssistants) -> list[str]:
    """The scripted turns no run used, one line each (recorded turns of a cassette left out: they are the
    cassette warning's)."""
    return checks.unused_turns(fake.script, fake.cassette, fake.store.assistants)


OTHER_FAKES_MESSAGE = "scripted turn(s) on a FakeAssistants the test built itself were never used by a run"
OTHER_FAKES_HINT = ("The plugin's clients (openai_client, async_openai_client, intercept) talk to the test's own fake, "
                    "the fake_assistants fixture, not to one the test builds. Script that one "
                    "(fake_assistants.script.reply(...)), or give the code the other fake's own client "
                    "(other.openai_client()).")


def other_fakes_turns(item: pytest.Item, fake: FakeAssistants) -> list[str]:
    """The unused turns of the fakes the test body built (the fixture's is built before it), one line each."""
    others = [other for other in item.stash.get(BUILT_KEY, []) if other is not fake and other.script.pending]
    return [line for other in others for line in unused_turns(other)]


def check_other_fakes(item: pytest.Item, fake: FakeAssistants) -> None:
    """Turns scripted on a fake the test built itself, while its fixtures' clients talk to the fixture's fake: a
    mistake that otherwise shows only as the default reply."""
    turns = other_fakes_turns(item, fake)
    if turns:
        listed = "\n".join(turns)
        pytest.fail(f"fake_assistants: {len(turns)} {OTHER_FAKES_MESSAGE}:\n{listed}\n{OTHER_FAKES_HINT}",
                    pytrace=False)


def runs_started(fake: FakeAssistants) -> int:
    """How many runs the fake's clients started (its journal's `runs.create` and `threads.create_and_run`)."""
    return len(fake.calls.filter(route="runs.create")) + len(fake.calls.filter(route="threads.create_and_run"))


def runs_elsewhere_hint(item: pytest.Item, fake: FakeAssistants) -> str:
    """When the fixture's fake started no run and a fake the test built itself did: where the runs went."""
    if runs_started(fake):
        return ""
    elsewhere = sum(runs_started(other) for other in item.stash.get(BUILT_KEY, []) if other is not fake)
    if not elsewhere:
        return ""
    return (f"No run of the test's fake (the fake_assistants fixture) took them, but {elsewhere} run(s) went to a "
            "FakeAssistants the test built itself: that fake's clients (other.openai_client()) talk to it, not to "
            "the fixture's. Script that fake (other.script.reply(...)), or give the code the plugin's clients "
            "(openai_client, async_openai_client).\n")


def check_script_consumed(item: pytest.Item, fake: FakeAssistants) -> None:
    pending = unused_turns(fake)
    if not pending:
        return
    turns = "\n".join(pending)
    pytest.fail(
        f"fake_assistants: {len(pending)} {UNUSED_CHECK_MESSAGE}:\n{turns}\n{runs_elsewhere_hint(item, fake)}"
        f"Use them, remove them, or switch this check off with "
        f"@pytest.mark.{MARKER}(check_unconsumed_script=False) or the ini option {CHECK_INI} = false.",
        pytrace=False,
    )


INTERNAL_SECTION = "fake-assistants: errors inside the fake (its clients got 500 server_error)"
INTERNAL_MESSAGE = checks.INTERNAL_MESSAGE


def internal_errors_text(fake: FakeAssistants) -> str:
    return checks.internal_errors_text(fake.internal_errors)


def check_internal_errors(fake: FakeAssistants) -> None:
    """Requests the fake answered with a 500 for an exception of its own: the test fails with their tracebacks,
    even when the code under test swallowed the SDK's `InternalServerError`."""
    if fake.internal_errors:
        pytest.fail(f"{INTERNAL_MESSAGE}:\n{internal_errors_text(fake)}", pytrace=False)


def failed_for_internal_errors(call: pytest.CallInfo[None]) -> bool:
    return call.excinfo is not None and INTERNAL_MESSAGE in str(call.excinfo.value)


def saw_nothing(fake: FakeAssistants) -> bool:
    """The fake answered no request and holds no thread: a failure of the test is none of its business."""
    return len(fake.calls) == 0 and not fake.store.threads and not fake.internal_errors


def check_responder_errors(fake: FakeAssistants) -> None:
    """A `respond_with` callable (or a model responder) that raised: its run failed; the test fails with the
    original traceback."""
    errors = fake.script.responder_errors
    if errors:
        pytest.fail(f"{checks.RESPONDER_MESSAGE}:\n{checks.responder_errors_text(errors)}", pytrace=False)


def check_script_mistakes(fake: FakeAssistants) -> None:
    mistakes = fake.script.mistakes
    if mistakes:
        pytest.fail(f"{checks.MISTAKES_MESSAGE}:\n{checks.listed(mistakes)}", pytrace=False)


def check_faults_spent(fake: FakeAssistants) -> None:
    unspent = fake.faults.unspent
    if not unspent:
        return
    listed = checks.listed([fault.describe() for fault in unspent])
    pytest.fail(
        f"fake_assistants: {len(unspent)} {checks.UNSPENT_MESSAGE}:\n{listed}\n"
        f"Make the requests they are for, remove them, or switch this check off with "
        f"@pytest.mark.{MARKER}(check_unspent_faults=False) or the ini option {FAULTS_INI} = false.",
        pytrace=False,
    )


def _options(request: pytest.FixtureRequest) -> PluginOptions:
    node = request.node
    if OPTIONS_KEY not in node.stash:
        problem = None
        try:
            node.stash[OPTIONS_KEY] = options_for(node)
        except OptionsError as error:
            problem = str(error)
        if problem is not None:  # failed outside the except: the report shows the message once, not chained
            pytest.fail(problem, pytrace=False)
    options: PluginOptions = node.stash[OPTIONS_KEY]
    return options


@pytest.fixture(autouse=True)
def _the_markers_fake(request: pytest.FixtureRequest) -> None:
    """A test whose marker says `intercept=True` gets the fake without asking for a fixture, as pytest-recording's
    `vcr` marker gives a test its cassette: the clients its code builds talk to the fake (the only way such a test
    reaches it). Set up first (autouse), so the fixtures a test asks for already see it. Other markers only
    configure the fixtures: a module's `pytestmark` does not give a fake to tests that build their own."""
    node = request.node
    if node.get_closest_marker(MARKER) is None or "fake_assistants" in request.fixturenames:
        return
    if not _options(request).intercept:
        return
    if getattr(getattr(node, "obj", None), "is_hypothesis_test", False):
        pytest.fail(f"@pytest.mark.{MARKER}(intercept=True) on a hypothesis test: one fake would serve all its "
                    "examples, each seeing what the ones before it made. Build a fake per example inside the "
                    "test instead (`with FakeAssistants(seed=0).intercept():`).", pytrace=False)
    node.stash[IMPLICIT_KEY] = True
    request.getfixturevalue("fake_assistants")


@pytest.fixture
def fake_assistants(request: pytest.FixtureRequest) -> Iterator[FakeAssistants]:
    """A fresh, isolated fake for each test, configured by the `fake_assistants` marker."""
    options = _options(request)
    node = request.node
    problem = None
    try:
        cassettes = options.cassette_paths(node.path, node.name, request.cls.__name__ if request.cls else None)
        fake = options.build_fake(cassettes)
    except CassetteNotFound as error:
        if not (node.stash.get(IMPLICIT_KEY, False) and options.cassette is True):
            problem = str(error)
        else:  # as `vcr`: a test given the fake by its marker alone may have no cassette if it sends nothing
            node.stash[MISSING_CASSETTE_KEY] = str(error)
            fake = options.build_fake()
    except OptionsError as error:
        problem = str(error)
    except CassetteError as error:  # not a cassette this package reads, or YAML without pyyaml
        problem = f"@pytest.mark.{MARKER}: the cassette does not load: {error}"
    if problem is not None:  # failed outside the except: the report shows the message once, not chained
        pytest.fail(problem, pytrace=False)
    request.node.stash[FAKE_KEY] = fake
    with ExitStack() as stack:
        if options.intercept:
            stack.enter_context(fake.intercept())
        yield fake


def retire(fake: FakeAssistants, nodeid: str) -> None:
    """After its test (every fixture torn down): every request that still reaches this fake (through a client kept
    across tests) is a 400 saying so, not an answer from a fake no test looks at."""
    fake.faults.clear()
    fake.faults.error(status=400, count=None, code="fake_of_an_ended_test",
                      message=RETIRED_MESSAGE.format(test=nodeid), retry_after_ms=None)


RETIRED_MESSAGE = (
    "fake-assistants: this request went to the fake of the test {test}, which has ended. A client built in that "
    "test is still in use: one kept across tests (a functools.cache or a module-level client built under "
    "intercept, a class attribute, a thread the test left running). Build the client in each test (or clear its "
    "cache in a fixture), so that it talks to that test's fake."
)


@pytest.fixture
def openai_client(fake_assistants: FakeAssistants, request: pytest.FixtureRequest) -> Iterator[OpenAI]:
    """An `openai.OpenAI` client talking to this test's fake, closed afterwards."""
    client = fake_assistants.openai_client(**_options(request).client_kwargs())
    yield client
    client.close()


@pytest.fixture
def async_openai_client(fake_assistants: FakeAssistants, request: pytest.FixtureRequest) -> Iterator[AsyncOpenAI]:
    """An `openai.AsyncOpenAI` client talking to this test's fake, closed afterwards.

    A plain (not async) fixture, so any async test can use it, under pytest-asyncio or anyio alike.
    """
    client = fake_assistants.async_openai_client(**_options(request).client_kwargs())
    yield client
    close_without_event_loop(client)


def close_without_event_loop(client: Any) -> None:
    """`AsyncOpenAI.close()` on the fake's transport never waits for anything: finish it without a loop."""
    closing = client.close()
    try:
        closing.send(None)
    except StopIteration:
        return
    closing.close()
    raise RuntimeError("closing an AsyncOpenAI client on the fake's transport had to wait, which it never should")
