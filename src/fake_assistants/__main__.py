"""The `fake-assistants` command (also `python -m fake_assistants`): `fake-assistants serve [options]`,
`fake-assistants demo` (the quickstart against an in-process fake, printed) and `fake-assistants --version`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from . import __version__, demo
from .cassettes.reader import CassetteError
from .core.api_versions import DEFAULT_VERSIONS, ApiVersion, check_versions
from .core.clock import Clock, ManualClock, SystemClock
from .core.options import DEFAULT_IDLE_SECONDS
from .fake import FakeAssistants
from .layers.journal import DEFAULT_BODY_LIMIT, DEFAULT_BYTE_LIMIT, DEFAULT_CALL_LIMIT
from .layers.lenient import Leniency
from .responders import ChatCompletionsModel
from .responders.chat_completions import DEFAULT_TIMEOUT
from .runs.script import Action, Fail, TurnContext

DEFAULT_JOURNAL_LIMIT = DEFAULT_CALL_LIMIT
# A poll over HTTP takes about 3 ms, so the in-process default (10,000: a few seconds there) would take half a
# minute, longer than a test runner's timeout (vitest: 5 s): a poll loop that cannot end is named sooner here.
SERVED_IDLE_POLLS = 1_000
SERVER_EXTRA_HINT = 'fake-assistants serve needs uvicorn: pip install "fake-assistants[server]"'


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="fake-assistants",
                                   description="A fake OpenAI Assistants API (v2, and v1 on request).")
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="run the Assistants quickstart against an in-process fake and print what "
                                     "happened (no network, no API key; needs openai)")
    serve = commands.add_parser("serve", help="serve the fake over HTTP (loopback only by default)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=4010, help="port (default: 4010; 0 picks a free one)")
    serve.add_argument("--seed", default="0", help="the seed of ids (default: 0)")
    serve.add_argument("--api-key", help="require `Authorization: Bearer <key>` (default: any key or none)")
    serve.add_argument("--one-fake-per-key", action="store_true",
                       help="give each API key a fake of its own (its state, script, faults, clock, journal), made "
                            "on its first request; the control API steers the fake of the key it sends: parallel "
                            "test files or workers on one server, each with its own key")
    serve.add_argument("--lenient", nargs="?", const=True, default=False, type=_leniency, metavar="prefixed",
                       help="create unknown ids on first use (lenient mode); `--lenient prefixed`: only ids "
                            "with the right prefix")
    serve.add_argument("--shape", choices=("recorded", "schema"), default="recorded",
                       help="response shape (default: recorded; schema for strict SDK validation)")
    serve.add_argument("--clock", choices=("system", "manual"), default="system",
                       help="system time, or a manual clock moved with POST /__fake__/clock")
    serve.add_argument("--clock-start", type=int, default=None, help="the manual clock's start (Unix seconds)")
    serve.add_argument("--progression", choices=("immediate", "manual"), default="immediate",
                       help="when runs move (default: immediate)")
    serve.add_argument("--strict-script", action="store_true",
                       help="a run no scripted turn fits fails (server_error, naming the fix) instead of getting "
                            "the fake's default reply")
    serve.add_argument("--poll-after-ms", type=int, default=0, help="the openai-poll-after-ms header (default: 0)")
    serve.add_argument("--api-versions", type=_api_versions, default=DEFAULT_VERSIONS, metavar="v1,v2",
                       help="the Assistants API versions served (default: v2; `v1,v2` also serves "
                            "`OpenAI-Beta: assistants=v1`)")
    serve.add_argument("--journal-limit", type=_journal_limit, default=DEFAULT_JOURNAL_LIMIT, metavar="N",
                       help=f"keep the newest N calls in the call journal (default: {DEFAULT_JOURNAL_LIMIT}; "
                            "0: keep none; `none`: no limit), as `fake.calls.limit`")
    serve.add_argument("--journal-body-limit", type=_journal_limit, default=DEFAULT_BODY_LIMIT, metavar="BYTES",
                       help=f"keep at most BYTES of each body in the journal (default: {DEFAULT_BODY_LIMIT}; "
                            "`none`: whole bodies), as `fake.calls.body_limit`")
    serve.add_argument("--journal-bytes", type=_journal_limit, default=DEFAULT_BYTE_LIMIT, metavar="BYTES",
                       help=f"keep at most BYTES in the whole journal, dropping the oldest calls (default: "
                            f"{DEFAULT_BYTE_LIMIT}; `none`: no limit), as `fake.calls.byte_limit`")
    serve.add_argument("--idle-polls", type=_idle_polls, default=SERVED_IDLE_POLLS, metavar="N",
                       help=f"polls in a row that find a run no poll moves (manual progression) unchanged before "
                            f"that poll is a 400 saying what moves it (default: {SERVED_IDLE_POLLS:,}, a few "
                            "seconds of an SDK's poll loop; `none`: never), as `fake.options.idle_polls`")
    serve.add_argument("--idle-seconds", type=_idle_seconds, default=DEFAULT_IDLE_SECONDS, metavar="S",
                       help="the same bound in real seconds, for a client that sleeps between polls (default: 60, "
                            "at least ten polls; `none`: never), as `fake.options.idle_seconds`")
    serve.add_argument("--exit-with-parent", action="store_true",
                       help="stop once the process that started the server exits (a test runner that crashed "
                            "leaves no server behind); by default the server runs until SIGINT or SIGTERM")
    serve.add_argument("--allow-host", action="append", default=[], metavar="HOST", dest="allow_hosts",
                       help="on loopback, also answer requests whose Host or Origin is HOST (repeatable; by "
                            "default only loopback names and addresses, which stops web pages driving the fake)")
    recorded = serve.add_argument_group("recorded traffic (VCR.py YAML/JSON, Ruby VCR, .NET test-proxy records; "
                                        "YAML needs the `cassettes` extra)")
    recorded.add_argument("--cassette", action="append", default=[], metavar="FILE",
                          help="serve the fake FakeAssistants.from_cassette builds from FILE (repeatable: the files "
                               "in order, setup cassettes first); GET /__fake__/cassette reports what it imported")
    recorded.add_argument("--cassette-ids", choices=("seeded", "recorded"), default="seeded",
                          help="the ids a cassette fake hands out: its own seeded ones (default) or the recorded "
                               "ones, in recorded order, with each run read as the recording read it")
    model = serve.add_argument_group("a model behind the runs (an OpenAI-compatible chat-completions server; "
                                     "needs the `responders` extra)")
    model.add_argument("--model-base-url", metavar="URL",
                       help="the backend's base URL (e.g. http://localhost:11434/v1): runs no scripted turn fits "
                            "are answered by it")
    model.add_argument("--model", metavar="NAME", help="the backend's model name (with --model-base-url)")
    model.add_argument("--model-api-key", metavar="KEY", help="the backend's API key (default: none)")
    model.add_argument("--model-record", metavar="FILE", help="record each exchange with the backend to FILE")
    model.add_argument("--model-replay", metavar="FILE",
                       help="answer from a recording instead of the backend (no network)")
    model.add_argument("--model-timeout", metavar="SECONDS", type=_positive_seconds, default=DEFAULT_TIMEOUT,
                       help="how long a backend answer may take before the run fails (default: 60)")
    model.add_argument("--model-stream", choices=("always", "text-only", "never"), default="always",
                       help="ask the backend to stream: always (default); text-only, for a backend that cannot "
                            "stream tool calls (a turn offering function tools is asked whole); never")
    return root


class LoggedModel(ChatCompletionsModel):
    """The served fake's model: a turn it fails (the backend down, slow, answering an error or no chat completion)
    is also said on stderr, where whoever started the server looks, besides the run's `last_error`."""

    def __call__(self, context: TurnContext) -> Action:
        action = super().__call__(context)
        if isinstance(action, Fail):
            said = action.message.removeprefix("fake-assistants: ")
            print(f"fake-assistants: run {context.run.get('id')} failed ({action.code}): {said}",
                  file=sys.stderr, flush=True)
        return action


def _idle_seconds(text: str) -> float | None:
    return None if text == "none" else _positive_seconds(text)


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"a number of seconds above 0, not {text!r}")
    return value


def build_fake(args: argparse.Namespace, key: str | None = None) -> FakeAssistants:
    """The fake the options describe; with `key`, that API key's (`--one-fake-per-key`), whose ids come from the
    seed and the key (`--seed 0`, key `file-a`: the ids of `FakeAssistants(seed="0:file-a")`)."""
    seed: int | str = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    if key is not None:
        seed = f"{args.seed}:{key}"
    options: dict[str, Any] = {"clock": _clock(args), "shape": args.shape, "poll_after_ms": args.poll_after_ms,
                               "progression": args.progression, "lenient": args.lenient,
                               "strict_script": args.strict_script}
    if args.cassette:
        if args.api_versions != DEFAULT_VERSIONS:  # else a cassette of v1 traffic serves v1 too
            options["api_versions"] = args.api_versions
        fake = _from_cassette(args.cassette, args.cassette_ids, seed, options, report=key is None)
    else:
        fake = FakeAssistants(seed, api_versions=args.api_versions, **options)
    fake.options.idle_polls = args.idle_polls
    fake.options.idle_seconds = args.idle_seconds
    fake.options.controlled_over_http = True  # the fake's own errors name the control API's fixes
    fake.calls.limit = args.journal_limit  # the same meaning as in Python: 0 keeps none, None every call
    fake.calls.body_limit = args.journal_body_limit
    fake.calls.byte_limit = args.journal_bytes
    if args.model_base_url or args.model_replay:
        if not args.model:
            raise SystemExit("fake-assistants serve: --model-base-url and --model-replay need --model NAME")
        try:
            fake.script.fallback = LoggedModel(
                base_url=args.model_base_url, model=args.model, api_key=args.model_api_key,
                record_to=args.model_record, replay_from=args.model_replay, timeout=args.model_timeout,
                stream=args.model_stream != "never", stream_tool_calls=args.model_stream == "always")
        except (ValueError, OSError) as error:  # a URL without its scheme, a recording missing or not readable
            raise SystemExit(f"fake-assistants serve: {error}") from None
    elif args.model or args.model_record or args.model_api_key:
        given = "--model" if args.model else "--model-record" if args.model_record else "--model-api-key"
        raise SystemExit(f"fake-assistants serve: {given} needs --model-base-url URL (the backend) or "
                         "--model-replay FILE (a recording)")
    return fake


def _from_cassette(paths: list[str], ids: str, seed: int | str, options: dict[str, Any], *,
                   report: bool = True) -> FakeAssistants:
    missing = [path for path in paths if not Path(path).exists()]
    if missing:
        raise SystemExit(f"fake-assistants serve: no cassette at {', '.join(missing)}")
    try:
        fake = FakeAssistants.from_cassette(paths, ids="recorded" if ids == "recorded" else "seeded", seed=seed,
                                            **options)
    except CassetteError as error:  # not a cassette, bad YAML or JSON, pyyaml missing: it names the file and why
        raise SystemExit(f"fake-assistants serve: cannot read the cassette: {error}") from None
    except Exception as error:  # anything else, said in one line too, with no traceback
        raise SystemExit(f"fake-assistants serve: cannot read the cassette: {type(error).__name__}: {error}") from None
    if report:  # the server's first fake's: every key's reads the same cassette
        print(fake.cassette_report(), file=sys.stderr)
    return fake


def _whole_or_none(minimum: int, meaning: str) -> Callable[[str], int | None]:
    """An argparse type: a whole number of at least `minimum`, or `none`; else an error saying `meaning`."""

    def parse(value: str) -> int | None:
        if value.lower() == "none":
            return None
        if not value.isdigit() or len(value) > 18 or int(value) < minimum:
            raise argparse.ArgumentTypeError(f"takes {meaning}")
        return int(value)

    return parse


_journal_limit = _whole_or_none(0, "a whole number (0: keep none) or `none` (no limit)")
_idle_polls = _whole_or_none(1, "a whole number of at least 1, or `none` (never)")


def _api_versions(value: str) -> tuple[ApiVersion, ...]:
    try:
        return check_versions(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _leniency(value: str) -> Leniency:
    if value != "prefixed":
        raise argparse.ArgumentTypeError("the only value --lenient takes is `prefixed`")
    return "prefixed"


def _clock(args: argparse.Namespace) -> Clock:
    if args.clock == "manual":
        return ManualClock() if args.clock_start is None else ManualClock(args.clock_start)
    return SystemClock()


def main(argv: Sequence[str] | None = None) -> int:
    parent = os.getppid()  # as soon as possible: the process that started this one, while it runs
    args = parser().parse_args(argv)
    if args.command == "demo":
        return demo.main()
    try:
        from .server.threaded import run_server
    except ImportError:
        print(SERVER_EXTRA_HINT, file=sys.stderr)
        return 2
    if args.one_fake_per_key and args.api_key:
        raise SystemExit("fake-assistants serve: --one-fake-per-key takes any key (each its own fake), and "
                         "--api-key requires one: use one of them")
    if args.one_fake_per_key and args.model_record:
        raise SystemExit("fake-assistants serve: --model-record writes one fake's exchanges to its file, and "
                         "--one-fake-per-key makes a fake per key: record with one fake, then replay the recording "
                         "to every key's with --model-replay")
    first = build_fake(args)  # a mistake in the options stops the server here, not at a key's first request
    try:
        return run_server(first, host=args.host, port=args.port, api_key=args.api_key,
                          allow_hosts=args.allow_hosts, parent=parent if args.exit_with_parent else None,
                          one_fake_per_key=partial(build_fake, args) if args.one_fake_per_key else None)
    except OSError as error:  # the address is taken, or not this machine's
        print(f"fake-assistants: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
