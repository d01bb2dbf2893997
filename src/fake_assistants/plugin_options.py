"""The options of `@pytest.mark.fake_assistants(...)`: one typed, validated, immutable value.

Markers on a module, a class and a test function merge in that order, the closest winning per option
(`PluginOptions.merge`). A misspelled or ill-typed option is an `OptionsError` that names it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from os import PathLike, fspath
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from .api.routes import API_PREFIXES
from .core.api_versions import DEFAULT_VERSIONS, ApiVersion, check_versions
from .core.clock import Clock, ManualClock, SystemClock
from .core.options import DEFAULT_IDLE_POLLS, DEFAULT_IDLE_SECONDS
from .core.types import Shape
from .fake import DEFAULT_BASE_URL, FakeAssistants, HttpLibrary
from .layers.lenient import Leniency, check_leniency
from .runs.progression import Policy, PolicyName, as_policy

MARKER = "fake_assistants"
ClockChoice = Literal["system", "manual"]
TranscriptMode = Literal["off", "fail", "always"]
TRANSCRIPT_MODES: tuple[TranscriptMode, ...] = ("off", "fail", "always")
CassetteIds = Literal["seeded", "recorded"]
CassetteFile = str | PathLike[str]
CassetteChoice = CassetteFile | Sequence[CassetteFile] | bool | None
# What pytest-recording replaces in a default cassette name (characters a file name may not hold).
FORBIDDEN_IN_NAMES = "<>?%*:|\"'/\\"


class OptionsError(ValueError):
    """An option of the `fake_assistants` marker is unknown or has a value it cannot take."""


class CassetteNotFound(OptionsError):
    """The marker's `cassette=` names a file that is not there (the message names every path looked for)."""


@dataclass(frozen=True, slots=True)
class PluginOptions:
    """What the plugin's fixtures build. Every field is a keyword of the `fake_assistants` marker.

    - `seed`, `shape`, `progression`, `strict_script`, `poll_after_ms`, `stream_chunk_chars`, `lenient`,
      `api_versions` (`("v1", "v2")` also serves Assistants v1): as for `FakeAssistants`.
    - `clock`: `"system"` (default; freezegun and time-machine apply), `"manual"` (a `ManualClock`, new for each
      test), or a clock (one object: a module's or class's marker gives the same clock to each of its tests).
    - `idle_polls`, `idle_seconds`: the fake's poll-loop guard, as `fake.options.idle_polls` and
      `fake.options.idle_seconds` (None: that bound never ends a loop).
    - `intercept`: the fake intercepts every `openai` client constructed during the test (`fake.intercept()`).
    - `base_url`, `http`, `max_retries`, `strict_response_validation`: how `openai_client` and
      `async_openai_client` are built (`max_retries=None` keeps the SDK's default).
    - `check_unconsumed_script`: a scripted turn no run used fails the test; None leaves it to the ini
      option `fake_assistants_check_unconsumed_script` (true unless set).
    - `check_unspent_faults`: a fault the test scheduled and did not use up fails it; None leaves it to the ini
      option `fake_assistants_check_unspent_faults` (true unless set).
    - `block_real_api`: an OpenAI SDK request the fake does not answer fails the test before it reaches the
      network; None leaves it to `--fake-assistants-allow-real-api` and the ini option
      `fake_assistants_block_real_api` (true unless set). True also guards a test that uses no fixture.
    - `transcript`: when the test's report gets a "fake-assistants" section with `fake.transcript()`: `"fail"`
      (a failing test), `"always"`, or `"off"`; None leaves it to `--fake-assistants-transcript` and then to the
      ini option `fake_assistants_transcript` (`fail` unless set).
    - `cassette`: the fake is `FakeAssistants.from_cassette(...)` of a recording (the other options still apply;
      a cassette of Assistants v1 traffic also serves v1 unless `api_versions` is set). A path (or a list of
      paths, read in order) relative to the test file's folder, also looked for in pytest-recording's folder
      `cassettes/<module name>/` and with `.yaml` added as pytest-recording does; or True for pytest-recording's
      default cassette, `cassettes/<module name>/<test name>.yaml` (`<class name>.<test name>` in a class;
      `.json` is looked for too). A file not there fails the test, naming the paths looked for. None or False:
      no cassette.
    - `ids`: with `cassette`, `"recorded"` hands out the recorded ids in recorded order, `"seeded"` (default) the
      fake's own; without a cassette it is ignored (so a module can set it for the tests that have one).
    - `cassette_warning`: at the end of a test whose fake came from a cassette, recorded runs never replayed and
      what could not be imported are a `fake_assistants.CassetteWarning` (not a failure); None leaves it to the
      ini option `fake_assistants_cassette_warning` (true unless set). Recorded turns never used do not fail the
      test as other unused scripted turns do (`check_unconsumed_script`): they are in this warning.
    """

    seed: int | str = 0
    shape: Shape = "recorded"
    progression: Policy | PolicyName = "immediate"
    strict_script: bool = False
    poll_after_ms: int = 0
    stream_chunk_chars: int | None = None
    lenient: Leniency = False
    api_versions: tuple[ApiVersion, ...] = DEFAULT_VERSIONS
    clock: ClockChoice | Clock = "system"
    idle_polls: int | None = DEFAULT_IDLE_POLLS
    idle_seconds: float | None = DEFAULT_IDLE_SECONDS
    intercept: bool = False
    base_url: str = DEFAULT_BASE_URL
    http: HttpLibrary | None = None
    max_retries: int | None = None
    strict_response_validation: bool = False
    check_unconsumed_script: bool | None = None
    check_unspent_faults: bool | None = None
    block_real_api: bool | None = None
    transcript: TranscriptMode | None = None
    cassette: CassetteChoice = None
    ids: CassetteIds = "seeded"
    cassette_warning: bool | None = None

    def __post_init__(self) -> None:
        for name, check in _CHECKS.items():
            problem = check(getattr(self, name))
            if problem is not None:
                raise OptionsError(f"@pytest.mark.{MARKER}: option {name!r} {problem}, not {getattr(self, name)!r}")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_kwargs(cls, kwargs: Mapping[str, Any]) -> PluginOptions:
        return cls.merge([kwargs])

    @classmethod
    def merge(cls, layers: Iterable[Mapping[str, Any]]) -> PluginOptions:
        """Options from marker keywords, outermost first (module, class, function): later layers win."""
        merged: dict[str, Any] = {}
        for layer in layers:
            for name in layer:
                check_known(name)
            merged.update(layer)
        return replace(cls(), **merged)

    def build_fake(self, cassettes: Sequence[Path] = ()) -> FakeAssistants:
        """The fake these options make: `FakeAssistants.from_cassette(cassettes, ...)` when given (the paths
        `cassette_paths` found), else a new fake."""
        fake = self._new_fake(cassettes)
        fake.options.idle_polls, fake.options.idle_seconds = self.idle_polls, self.idle_seconds
        return fake

    def _new_fake(self, cassettes: Sequence[Path]) -> FakeAssistants:
        if cassettes:
            options: dict[str, Any] = {
                "clock": self._clock(), "shape": self.shape, "poll_after_ms": self.poll_after_ms,
                "progression": self.progression, "strict_script": self.strict_script,
                "stream_chunk_chars": self.stream_chunk_chars, "lenient": self.lenient,
            }
            if self.api_versions != DEFAULT_VERSIONS:  # else a v1 cassette serves v1 too
                options["api_versions"] = self.api_versions
            return FakeAssistants.from_cassette(cassettes, ids=self.ids, seed=self.seed, **options)
        return FakeAssistants(
            self.seed, clock=self._clock(), shape=self.shape, poll_after_ms=self.poll_after_ms,
            progression=self.progression, strict_script=self.strict_script,
            stream_chunk_chars=self.stream_chunk_chars, lenient=self.lenient, api_versions=self.api_versions,
        )

    def client_kwargs(self) -> dict[str, Any]:
        """Keywords for `fake.openai_client(...)` / `fake.async_openai_client(...)`."""
        kwargs: dict[str, Any] = {"base_url": self.base_url, "http": self.http}
        if self.max_retries is not None:
            kwargs["max_retries"] = self.max_retries
        if self.strict_response_validation:
            kwargs["_strict_response_validation"] = True
        return kwargs

    def checks_unconsumed_script(self, ini_default: bool) -> bool:
        return ini_default if self.check_unconsumed_script is None else self.check_unconsumed_script

    def cassette_paths(self, test_file: Path, test_name: str, class_name: str | None = None) -> list[Path]:
        """The files `cassette` names for the test `test_name` (of class `class_name`) in `test_file`, resolved as
        pytest-recording does; `CassetteNotFound` naming the paths looked for when one is not there."""
        choice = self.cassette
        if choice is None or choice is False:
            return []
        folder = test_file.parent
        library = folder / "cassettes" / test_file.stem  # pytest-recording's `vcr_cassette_dir`
        if choice is True:
            name = f"{class_name}.{test_name}" if class_name else test_name
            for character in FORBIDDEN_IN_NAMES:
                name = name.replace(character, "-")
            return [_found([library / f"{name}.yaml", library / f"{name}.json"],
                           "the test's default cassette (cassette=True)")]
        files = [choice] if isinstance(choice, str | PathLike) else list(choice)
        return [_found(_candidates(Path(fspath(given)), folder, library), f"cassette {fspath(given)!r}")
                for given in files]

    def _clock(self) -> Clock:
        if self.clock == "system":
            return SystemClock()
        if self.clock == "manual":
            return ManualClock()
        return self.clock


def _candidates(given: Path, folder: Path, library: Path) -> list[Path]:
    places = [given] if given.is_absolute() else [folder / given, library / given]
    suffixed = [place.with_name(place.name + ".yaml") for place in places if place.suffix == ""]
    return [*places, *suffixed]


def _found(candidates: list[Path], what: str) -> Path:
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    folders = [candidate for candidate in candidates if candidate.is_dir()]
    if folders:
        raise CassetteNotFound(f"@pytest.mark.{MARKER}: {what} is a folder, {folders[0]}, not a file; name a "
                               "cassette file in it (a .yaml or .json)")
    looked = "\n".join(f"  {candidate}" for candidate in candidates)
    raise CassetteNotFound(f"@pytest.mark.{MARKER}: {what} is not there; looked for:\n{looked}")


def check_known(name: str) -> None:
    known = PluginOptions.names()
    if name in known:
        return
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise OptionsError(f"@pytest.mark.{MARKER}: unknown option {name!r}{hint}; known options: {', '.join(known)}")


# -- one check per option: None when the value is fine, else what it must be ---------------------------

Check = Callable[[Any], "str | None"]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_of(*choices: Any) -> Check:
    return lambda value: None if value in choices else "must be one of " + ", ".join(repr(c) for c in choices)


def _boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else "must be True or False"


def _optional_boolean(value: Any) -> str | None:
    return None if value is None or isinstance(value, bool) else "must be True, False or None"


def _seed(value: Any) -> str | None:
    return None if _is_int(value) or isinstance(value, str) else "must be an integer or a string"


def _at_least(minimum: int, *, optional: bool = False) -> Check:
    def check(value: Any) -> str | None:
        if (value is None and optional) or (_is_int(value) and value >= minimum):
            return None
        return f"must be an integer >= {minimum}" + (" or None" if optional else "")

    return check


def _progression(value: Any) -> str | None:
    try:
        as_policy(value)
    except ValueError as error:  # as_policy's reason (a factory not called: "call it, as after_polls(3)")
        reason = str(error).removeprefix("unknown progression policy: ")
        return f"must be 'immediate', 'manual' or a policy from fake_assistants.progression: {reason}"
    return None


def _lenient(value: Any) -> str | None:
    try:
        check_leniency(value)
    except ValueError:
        return "must be True, False or 'prefixed'"
    return None


def _api_versions(value: Any) -> str | None:
    try:
        check_versions(value)
    except (ValueError, TypeError, AttributeError):
        return "must be a selection of 'v1' and 'v2', such as ('v1', 'v2')"
    return None


def _clock(value: Any) -> str | None:
    if isinstance(value, type):
        return f"must be a clock, not the class {value.__name__}: pass {value.__name__}(), or 'manual'"
    if value in ("system", "manual") or callable(getattr(value, "now", None)):
        return None
    return "must be 'system', 'manual' or a clock (an object with a now() method)"


def _positive_seconds(value: Any) -> str | None:
    if value is None or (isinstance(value, int | float) and not isinstance(value, bool) and 0 < value < math.inf):
        return None
    return "must be a number of seconds above 0, or None (never)"


def _cassette(value: Any) -> str | None:
    if value is None or isinstance(value, bool | str | PathLike):
        return None
    if isinstance(value, list | tuple) and value and all(isinstance(item, str | PathLike) for item in value):
        return None
    return "must be a path, a non-empty list of paths, True (pytest-recording's default cassette) or None"


def _base_url(value: Any) -> str | None:
    if isinstance(value, str):
        parts = urlsplit(value)
        if parts.scheme in ("http", "https") and parts.netloc and parts.path.rstrip("/") in API_PREFIXES:
            return None
    return "must be an http(s) URL ending in " + " or ".join(API_PREFIXES)


_CHECKS: dict[str, Check] = {
    "seed": _seed,
    "shape": _one_of("recorded", "schema"),
    "progression": _progression,
    "strict_script": _boolean,
    "poll_after_ms": _at_least(0),
    "stream_chunk_chars": _at_least(1, optional=True),
    "lenient": _lenient,
    "api_versions": _api_versions,
    "clock": _clock,
    "idle_polls": _at_least(1, optional=True),
    "idle_seconds": _positive_seconds,
    "intercept": _boolean,
    "base_url": _base_url,
    "http": _one_of(None, "httpx", "httpx2"),
    "max_retries": _at_least(0, optional=True),
    "strict_response_validation": _boolean,
    "check_unconsumed_script": _optional_boolean,
    "check_unspent_faults": _optional_boolean,
    "block_real_api": _optional_boolean,
    "transcript": _one_of(None, *TRANSCRIPT_MODES),
    "cassette": _cassette,
    "ids": _one_of("seeded", "recorded"),
    "cassette_warning": _optional_boolean,
}
