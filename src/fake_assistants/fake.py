"""The facade: one isolated fake with its own clock, ids, state and transports."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from os import PathLike, fspath
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast

from .api.context import Context
from .app import App
from .core.api_versions import DEFAULT_VERSIONS, ApiVersion, check_versions
from .core.clock import Clock, ManualClock, RequestClock, SystemClock
from .core.errors import InternalError, StateError
from .core.ids import IdFactory
from .core.options import Options
from .core.types import Shape
from .core.wire import ApiRequest, ApiResponse
from .layers.faults import Faults
from .layers.journal import Journal
from .layers.lenient import Leniency, StandIns, check_leniency
from .model.run import Run
from .runs.engine import RunEngine
from .runs.ingestion import Ingestion, unknown_target
from .runs.progression import Policy, PolicyName, as_policy
from .runs.script import Script
from .runs.world import World
from .store.store import Store

if TYPE_CHECKING:  # openai is the user's: only type checkers import it here (the runtime loads it lazily)
    from openai import AsyncOpenAI, OpenAI

    from .cassettes.plan import CassettePlan, CassetteReport, CassetteSource
    from .server.threaded import ThreadedServer
    from .state.checks import Findings
    from .state.snapshot import Snapshot
    from .transports.intercept import Interception

DEFAULT_BASE_URL = "https://api.openai.com/v1"
HttpLibrary = Literal["httpx", "httpx2"]


class FakeAssistants:
    """An in-memory Assistants API. Same seed, same ids; time comes from `clock`: the system clock by default
    (`"system"`: freezegun and time-machine apply), `"manual"` (a new `ManualClock`, moved only by its `advance`), or
    any object with a `now()` method.

    `shape="recorded"` answers key for key as the real service did; `shape="schema"` also fills in
    the fields the OpenAPI schema requires that the service left out (for the SDK's strict validation).
    `api_versions=("v1", "v2")` also serves Assistants v1 (`OpenAI-Beta: assistants=v1`, openai<1.21)
    over the same objects; by default v1 requests get the real deprecation error.
    """

    def __init__(
        self,
        seed: int | str = 0,
        *,
        clock: Clock | Literal["system", "manual"] | None = None,
        shape: Shape = "recorded",
        poll_after_ms: int = 0,
        progression: Policy | PolicyName = "immediate",
        strict_script: bool = False,
        stream_chunk_chars: int | None = None,
        lenient: Leniency = False,
        api_versions: Iterable[ApiVersion] | str = DEFAULT_VERSIONS,
    ) -> None:
        _check_options(seed=seed, shape=shape, poll_after_ms=poll_after_ms, stream_chunk_chars=stream_chunk_chars,
                       strict_script=strict_script)
        self.seed = seed
        self.clock: Clock = _clock(clock)
        self.options = Options(shape=shape, poll_after_ms=poll_after_ms, stream_chunk_chars=stream_chunk_chars,
                               api_versions=check_versions(api_versions))
        self.store = Store()
        request_clock = RequestClock(self.clock)  # one reading per request
        self.ingestion = Ingestion(request_clock)
        self.script = Script(strict=strict_script)
        world = World(self.store, request_clock, IdFactory(seed), self.options, self.ingestion)
        self.engine = RunEngine(world, self.script, as_policy(progression))
        self.ctx = Context.around(self.engine)
        self.app = App(self.ctx)
        self.lenient = check_leniency(lenient)
        if self.lenient:
            self.app.stand_ins = self.store.stand_ins = StandIns(self.ctx, self.lenient)
        # what from_cassette built this fake from (what reset() goes back to); None for any other fake
        self.cassette: CassetteSource | None = None
        for built in _WATCHING:
            built.append(self)

    # -- cassettes -------------------------------------------------------------------------------

    @classmethod
    def from_cassette(cls, cassette: str | PathLike[str] | Iterable[str | PathLike[str]], *,
                      ids: Literal["seeded", "recorded"] = "seeded", seed: int | str = 0,
                      **options: Any) -> FakeAssistants:
        """A fake that answers as the recorded traffic did (VCR.py YAML/JSON cassettes, Ruby VCR, .NET
        test-proxy records; several files in order): the objects the recording used but did not make, seeded from
        their recorded snapshots; each recorded run's turns queued in order, for its assistant; with
        `ids="recorded"`, the recorded ids handed out in recorded order for each kind. `options` as for the
        constructor; a cassette of Assistants v1 traffic also serves v1. See `cassette_report()`."""
        from .cassettes.plan import CassetteSource, plan

        if ids not in ("seeded", "recorded"):
            raise ValueError(f'ids must be "seeded" or "recorded", not {ids!r}')
        paths = [cassette] if isinstance(cassette, str | PathLike) else list(cassette)
        cassette_plan = plan([fspath(p) for p in paths], scope_to_assistants=ids == "recorded")
        if cassette_plan.serves_v1 and "api_versions" not in options:
            options["api_versions"] = ("v1", "v2")
        fake = cls(seed, **options)
        seeded, refused = fake._seed_from(cassette_plan)  # loading draws no ids
        fake.cassette = CassetteSource(cassette_plan, tuple(seeded), tuple(refused), ids)
        fake.engine.world.ids.source = fake.cassette.id_source()
        fake._follow(fake.cassette)
        return fake

    def _seed_from(self, cassette_plan: CassettePlan) -> tuple[list[str], list[tuple[str, str]]]:
        from .cassettes.plan import seed_document

        objects = list(cassette_plan.seeds.objects)
        refused: list[tuple[str, str]] = []
        try:
            self.load_state(seed_document(objects))
        except StateError:  # find the objects that do not load, and load the rest
            good = []
            for item in objects:
                try:
                    FakeAssistants().load_state(seed_document([item]))
                    good.append(item)
                except StateError as error:
                    refused.append((item[1], f"its recorded snapshot does not load: {error}"))
            objects = good
            self.load_state(seed_document(objects))
        return [object_id for _, object_id, _ in objects], refused

    def cassette_report(self) -> CassetteReport:
        """What `from_cassette` imported, what it could not (and why), which recorded runs never replayed."""
        from .cassettes.plan import report

        if self.cassette is None:
            raise ValueError("this fake was not built by FakeAssistants.from_cassette")
        return report(self.cassette, self.script.turns, {run.id: run.assistant_id for run in self.store.all_runs()})

    # -- the call journal and fault injection -----------------------------------------------------

    @property
    def calls(self) -> Journal:
        """Every request this fake answered, with its response and stream events (see `journal`)."""
        return self.app.journal

    @property
    def faults(self) -> Faults:
        """Scheduled HTTP errors, timeouts, connection errors and broken streams (see `faults`)."""
        return self.app.faults

    @property
    def manual_clock(self) -> ManualClock:
        """This fake's clock as the `ManualClock` it is, typed so (`fake.manual_clock.advance(601)` passes mypy,
        where `fake.clock` is any `Clock`): for a fake built with `clock="manual"` or a `ManualClock` (the marker's
        `clock="manual"`). A TypeError says how to get one for any other clock."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError(f"this fake's clock is a {type(self.clock).__name__}, which is not moved by the test: "
                            "build the fake with clock='manual' (under the plugin, "
                            "@pytest.mark.fake_assistants(clock='manual')) to move time with manual_clock.advance()")
        return self.clock

    @property
    def internal_errors(self) -> list[InternalError]:
        """The exceptions inside this fake that its clients saw as the service's 500 `server_error` (or a stream's
        `error` event), with their tracebacks (`str(error)`): a bug of the fake, or something it was given that it
        could not use. Each is logged on the `fake_assistants` logger too; under the pytest plugin, a test whose
        fake has any fails with them. `reset()` empties it."""
        return self.engine.internal_errors

    def check(self, *, unconsumed_script: bool = True, unspent_faults: bool = True) -> None:
        """Raise `FakeCheckError` (an AssertionError) naming what went wrong that this fake's clients may not have
        shown: errors inside the fake (its 500s), a `respond_with` function or model that raised, a scripted turn
        no run could take as scripted (a call to a function the assistant does not declare), and, unless switched
        off here, scripted turns no run used and faults not used up. Does nothing when all is well.

        The pytest plugin runs these checks after each test on its fakes. Call `check()` yourself where it cannot:
        at the end of a hypothesis example (hypothesis then shrinks the example that made the mistake and shows
        it), in unittest's `tearDown`, in a script."""
        from .state.checks import FakeCheckError

        findings = self.findings(unconsumed_script=unconsumed_script, unspent_faults=unspent_faults)
        if findings:
            raise FakeCheckError(findings.message(over_http=self.options.controlled_over_http))

    def findings(self, *, unconsumed_script: bool = True, unspent_faults: bool = True) -> Findings:
        """What `check()` reads, without raising: each kind of finding in its own field (`findings.mistakes`,
        `findings.unused_turns`, ...); false when there is none; `findings.message()` says them all."""
        from .state.checks import Findings, unused_turns

        with self.app.lock:
            return Findings(
                internal_errors=list(self.internal_errors),
                responder_errors=list(self.script.responder_errors),
                mistakes=list(self.script.mistakes),
                unused_turns=unused_turns(self.script, self.cassette, self.store.assistants) if unconsumed_script
                else (),
                unspent_faults=self.faults.unspent if unspent_faults else (),
            )

    # -- state ------------------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """A deep copy of the state (objects, id streams, queued script turns) for `restore`."""
        from .state.snapshot import take

        with self.app.lock:
            return take(self.engine)

    def restore(self, snapshot: Snapshot) -> None:
        """Go back to a `snapshot()` of this fake (the journal, faults and clock are left as they are)."""
        from .state.snapshot import restore

        with self.app.lock:
            restore(self.engine, snapshot)

    def reset(self) -> None:
        """Empty state, script, journal and faults; ids start again from the seed. Options stay.

        A fake built by `from_cassette` goes back to the state just after it: the recorded objects seeded again,
        every recorded run's turns queued again (and nothing else), the recorded ids (`ids="recorded"`) from the
        first, and every recorded request unmatched in the journal's "in the cassette"."""
        self._reset(replay_cassette=True)

    def _reset(self, *, replay_cassette: bool) -> None:
        from .state.snapshot import reset

        source = self.cassette if replay_cassette else None
        with self.app.lock:
            reset(self.engine, self.seed, None if source is None else source.id_source())
            self.app.journal.clear()
            self.app.faults.clear()
            self.engine.internal_errors.clear()
            if source is not None:
                self._replay_from(source)
            elif self.cassette is not None:
                self.app.journal.cassette = self.cassette.matcher()

    def _replay_from(self, source: CassetteSource) -> None:
        from .cassettes.plan import seed_document

        self.load_state(seed_document(source.seed_objects()))
        self._follow(source)

    def _follow(self, source: CassetteSource) -> None:
        """What a cassette fake does beside its seeds: each recorded run's turns queued, runs with recorded ids read
        as the recording read them, requests matched against the recording for the journal."""
        if source.ids == "recorded":
            self.engine.run_policies.update(source.plan.reads)
        self.script.turns.extend(source.turns)
        self.app.journal.cassette = source.matcher()

    def dump(self) -> str:
        """Every object as JSON (the versioned format of `state_dump`), for `FakeAssistants.load`."""
        from .state.dump import dump

        with self.app.lock:
            return dump(self.engine)

    @classmethod
    def load(cls, state: str | bytes | Mapping[str, Any], seed: int | str = 0, **options: Any) -> FakeAssistants:
        """A new fake (`options` as for the constructor) holding the objects of a `dump()` or a hand-written
        seed, with their ids."""
        fake = cls(seed, **options)
        fake.load_state(state)
        return fake

    def load_state(self, state: str | bytes | Mapping[str, Any], *, replace: bool = False) -> None:
        """Hold the objects of a `dump()` or a hand-written seed, with their ids, in this fake, which must be
        empty (new, or after `reset()`); `replace=True` resets it first once `state` has loaded (the control
        API's PUT state; a fake built from a cassette is emptied then, not taken back to its cassette).
        StateError, with the fake exactly as it was, when `state` does not load."""
        from .state.dump import install, load_into, parse

        with self.app.lock:
            if not replace:
                load_into(self.engine, state)
                return
            loaded = parse(self.engine, state)
            self._reset(replay_cassette=False)  # `state` replaces everything, a cassette's seeds too
            install(self.engine, loaded)

    def transcript(self, thread_id: str | None = None, *, format: Literal["text", "json"] = "text") -> str:
        """What this fake holds and saw, thread by thread in time order: messages, runs with every status at the
        fake's clock, their steps and tool calls, refused requests and faults (`state/transcript.py`). Long texts
        and threads are shortened, with a summary of what was left out. `thread_id`: that thread only (KeyError if
        there is none). `format="json"`: the same account as JSON (what the live page draws)."""
        from .state.transcript import build, render

        if format not in ("text", "json"):
            raise ValueError(f'transcript(format=...) is "text" or "json", not {format!r}')
        with self.app.lock:
            transcript = build(self.store, list(self.app.journal), thread_id)
        if format == "json":
            return json.dumps(transcript.as_json(), ensure_ascii=False)
        return render(transcript)

    # -- runs -------------------------------------------------------------------------------------

    def set_progression(self, policy: Policy | PolicyName, *, run_id: str | HasId | None = None) -> None:
        """Choose when runs move: for every run of this fake, or for one run (its id, or the run object; KeyError
        when this fake has no such run)."""
        chosen = as_policy(policy)
        if run_id is None:
            self.engine.policy = chosen
            return
        with self.app.lock:
            self.engine.run_policies[self._run(run_id, "set_progression").id] = chosen

    def advance(self, run_id: str | HasId) -> str:
        """Move one run by one status change (manual progression): its id, or the run object. Returns its new
        status (KeyError when this fake has no such run)."""
        with self.app.lock:
            return self.engine.advance(self._run(run_id, "advance"))

    def _run(self, run_id: str | HasId, caller: str) -> Run:
        """The run `run_id` names: an id, or an object with the id (the SDK's `Run`)."""
        given = run_id if isinstance(run_id, str) else getattr(run_id, "id", None)
        if not isinstance(given, str):
            raise TypeError(f"{caller}() takes a run's id (a str such as 'run_abc123') or a run object, not "
                            f"{type(run_id).__name__}: {run_id!r}")
        run = self.store.run_by_id(given)
        if run is None:
            raise KeyError(f"no run with id {given!r} in this fake (runs are made by runs.create and "
                           "threads.create_and_run; a fixture's fake and one built in the test are not the same fake)")
        return run

    # -- file ingestion ---------------------------------------------------------------------------

    def finish_ingestion(self, *, vector_store_id: str | None = None, file_id: str | None = None) -> int:
        """Finish the ingestion of in-progress vector-store files now (all, one store's or one file's), as
        `fake.ingestion` decides (failure rules, file type): for the manual ingestion policy
        (`fake.ingestion.set_policy("manual")`). Returns how many files finished (KeyError when this fake has no
        such vector store or file: a typo would otherwise finish nothing, silently)."""
        with self.app.lock:
            unknown = unknown_target(self.store, vector_store_id=vector_store_id, file_id=file_id)
            if unknown is not None:
                kind, unknown_id = unknown
                noun, maker = ("vector store", "vector_stores") if kind == "vector_store" else ("file", "files")
                raise KeyError(f"no {noun} with id {unknown_id!r} in this fake ({maker}.create makes them)")
            return self.ingestion.finish_pending(self.store, vector_store_id=vector_store_id, file_id=file_id)

    def handle(self, request: ApiRequest) -> ApiResponse:
        """The sans-IO entry point: every transport calls this."""
        return self.app.handle(request)

    # -- interception -----------------------------------------------------------------------------

    def intercept(self, *, other_apis: Literal["fake", "client"] = "fake") -> Interception[FakeAssistants]:
        """`with fake.intercept():` (or `@fake.intercept()`): every `openai.OpenAI()`, `AsyncOpenAI()`,
        `AzureOpenAI()` or `AsyncAzureOpenAI()` constructed inside talks to this fake; other hosts are untouched.
        `other_apis="client"`: the requests for the OpenAI APIs the fake does not serve (`/v1/responses`,
        `/v1/chat/completions`, ...) go through the transport the client was built with (the application's own
        `httpx2.MockTransport`, respx's mock; under the pytest plugin, its guard stops any that would reach the
        network) instead of getting the fake's 404."""
        from .transports.intercept import Interception

        return Interception(self, lambda: importlib.import_module("openai._base_client"), other_apis=other_apis)

    # -- server mode ------------------------------------------------------------------------------

    def serve(self, host: str = "127.0.0.1", port: int = 0, *, api_key: str | None = None,
              allow_hosts: Iterable[str] = ()) -> ThreadedServer:
        """This fake on a real socket, served by a background thread (needs the `server` extra, uvicorn).

        `with fake.serve() as server:` starts it and stops it; `server.base_url` is `http://127.0.0.1:<port>/v1`.
        On loopback it answers only requests whose `Host` and `Origin` are loopback or in `allow_hosts`.
        """
        from .server.threaded import ThreadedServer

        return ThreadedServer(self, host=host, port=port, api_key=api_key, allow_hosts=allow_hosts)

    # -- transports -------------------------------------------------------------------------------

    def httpx_transport(self, *, other_apis: Any = None) -> Any:
        """An `httpx` transport serving both `httpx.Client` and `httpx.AsyncClient`. `other_apis`: an httpx
        transport (`httpx.MockTransport(handler)`, respx's) that answers the requests for the OpenAI APIs the fake
        does not serve (`/v1/responses`, `/v1/chat/completions`, `/v1/models`, ...) instead of the service's 404: one
        client for code that uses the Assistants API and another API."""
        with _needs("httpx", "fake.httpx_transport()", "openai 1.x and 2.x bring it; beside openai 3.x, which "
                    "brings httpx2, use fake.httpx2_transport()"):
            from .transports.httpx_transport import HttpxTransport

        return HttpxTransport(self.handle, other_apis)

    def httpx2_transport(self, *, other_apis: Any = None) -> Any:
        """An `httpx2` transport serving both `httpx2.Client` and `httpx2.AsyncClient`. `other_apis`: an httpx2
        transport (`httpx2.MockTransport(handler)`) that answers the requests for the OpenAI APIs the fake does not
        serve, as for `httpx_transport`."""
        with _needs("httpx2", "fake.httpx2_transport()", "openai 3.x brings it; beside openai 1.x and 2.x, which "
                    "bring httpx, use fake.httpx_transport()"):
            from .transports.httpx2_transport import Httpx2Transport

        return Httpx2Transport(self.handle, other_apis)

    # -- SDK clients ------------------------------------------------------------------------------

    def openai_client(self, *, http: HttpLibrary | None = None, other_apis: Any = None, **kwargs: Any) -> OpenAI:
        """`openai.OpenAI` wired to this fake: httpx2 on openai 3.x, httpx on 1.x/2.x. `other_apis`: a transport of
        that library (`httpx2.MockTransport(handler)`) for the requests to the OpenAI APIs the fake does not serve
        (`client.responses.create(...)`, `client.chat.completions.create(...)`), which otherwise get the 404."""
        openai = _openai("fake.openai_client()")
        library = _http_library(http)
        http_client = self._http_client(library, asynchronous=False, other_apis=other_apis)
        client: OpenAI = openai.OpenAI(**_client_kwargs(kwargs), http_client=http_client)
        return client

    def async_openai_client(self, *, http: HttpLibrary | None = None, other_apis: Any = None,
                            **kwargs: Any) -> AsyncOpenAI:
        """`openai.AsyncOpenAI` wired to this fake, like `openai_client`."""
        openai = _openai("fake.async_openai_client()")
        library = _http_library(http)
        http_client = self._http_client(library, asynchronous=True, other_apis=other_apis)
        client: AsyncOpenAI = openai.AsyncOpenAI(**_client_kwargs(kwargs), http_client=http_client)
        return client

    def _http_client(self, library: HttpLibrary, *, asynchronous: bool, other_apis: Any = None) -> Any:
        if other_apis is not None and not hasattr(other_apis, "handle_async_request" if asynchronous
                                                  else "handle_request"):
            kind, method = ("an async", "async_openai_client") if asynchronous else ("a sync", "openai_client")
            raise TypeError(f"fake.{method}(other_apis=...) needs {kind} transport, which "
                            f"{type(other_apis).__qualname__} is not: pass {library}.MockTransport(handler), which "
                            f"serves both, or {library}.{'AsyncHTTPTransport' if asynchronous else 'HTTPTransport'}()")
        if library == "httpx2":
            from .transports import httpx2_transport

            return httpx2_transport.client(self.httpx2_transport(other_apis=other_apis), base_url=DEFAULT_BASE_URL,
                                           asynchronous=asynchronous)
        from .transports import httpx_transport

        return httpx_transport.client(self.httpx_transport(other_apis=other_apis), base_url=DEFAULT_BASE_URL,
                                      asynchronous=asynchronous)


def openai_major_version() -> int:
    return int(openai_version("the client of a fake").split(".")[0])


def openai_version(what: str) -> str:
    """The installed openai's version (`1.20.0`), or a ModuleNotFoundError saying that `what` needs it."""
    return str(_openai(what).__version__)


@contextmanager
def _needs(library: str, what: str, where: str) -> Iterator[None]:
    """An import of `library` that fails names what needed it and where it comes from."""
    try:
        yield
    except ModuleNotFoundError as error:
        if error.name != library:
            raise
        raise ModuleNotFoundError(f"{what} needs {library}, which is not installed ({where})", name=library) from None


def _openai(what: str) -> Any:
    """The `openai` module, or a ModuleNotFoundError naming the fix: fake-assistants does not install the SDK (a
    project brings the version its code uses)."""
    try:
        return importlib.import_module("openai")
    except ModuleNotFoundError as error:
        if error.name != "openai":
            raise
        raise ModuleNotFoundError(f"{what} needs the openai SDK, which fake-assistants does not install (your "
                                  "project brings the version its code uses): pip install openai",
                                  name="openai") from None


def default_http_library() -> HttpLibrary:
    return "httpx2" if openai_major_version() >= 3 else "httpx"


def _client_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"api_key": "sk-fake-assistants", "base_url": DEFAULT_BASE_URL, **kwargs}


_WATCHING: list[list[FakeAssistants]] = []  # the lists `fakes_built` fills


@contextmanager
def fakes_built() -> Iterator[list[FakeAssistants]]:
    """The fakes built inside the `with`, in order (kept alive until the list is dropped): the pytest plugin tells
    the fakes a test built itself from the one its fixtures give."""
    built: list[FakeAssistants] = []
    _WATCHING.append(built)
    try:
        yield built
    finally:  # by identity: two lists of the same fakes (two empty ones) are equal
        del _WATCHING[next(index for index, watching in enumerate(_WATCHING) if watching is built)]


class HasId(Protocol):
    """A run object, such as the SDK's `Run`: what names a run as well as its id."""

    @property
    def id(self) -> str: ...


def _http_library(http: object) -> HttpLibrary:
    if http is None:
        return default_http_library()
    if http in ("httpx", "httpx2"):
        return http
    raise ValueError(f'http= is "httpx", "httpx2" or None (the SDK\'s own: {default_http_library()!r}), not {http!r}')


def _clock(clock: object) -> Clock:
    if clock is None or clock == "system":
        return SystemClock()
    if clock == "manual":
        return ManualClock()
    if isinstance(clock, type):  # the class, not a clock: its now() wants an instance
        raise TypeError(f"clock= takes a clock, not the class {clock.__name__}: pass {clock.__name__}(), or "
                        '"manual" for a new ManualClock')
    if isinstance(clock, str) or not callable(getattr(clock, "now", None)):
        raise TypeError(f'clock= is "system", "manual", or a clock (an object with a now() method returning Unix '
                        f"seconds, such as ManualClock()), not {clock!r}")
    return cast(Clock, clock)


def _check_options(*, seed: object, shape: object, poll_after_ms: object, stream_chunk_chars: object,
                   strict_script: object) -> None:
    """The constructor's options, refused at once with what to pass instead (a wrong one used to surface later,
    as a 500 on some request)."""
    if isinstance(seed, bool) or not isinstance(seed, int | str):
        raise TypeError(f"seed= is an int or a str, not {seed!r}")
    if shape not in ("recorded", "schema"):
        raise ValueError(f'shape= is "recorded" (key for key as the service answered) or "schema" (also the fields '
                         f"the OpenAPI schema requires), not {shape!r}")
    if isinstance(poll_after_ms, bool) or not isinstance(poll_after_ms, int) or poll_after_ms < 0:
        raise ValueError(f"poll_after_ms= is a whole number of milliseconds, at least 0, not {poll_after_ms!r}")
    if stream_chunk_chars is not None and (isinstance(stream_chunk_chars, bool) or not isinstance(
            stream_chunk_chars, int) or stream_chunk_chars < 1):
        raise ValueError(f"stream_chunk_chars= is None or a whole number of at least 1, not {stream_chunk_chars!r}")
    if not isinstance(strict_script, bool):
        raise TypeError(f"strict_script= is True or False, not {strict_script!r}")
