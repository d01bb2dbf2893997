"""The `fake-assistants` command (also `python -m fake_assistants`): `fake-assistants serve [options]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .core.api_versions import DEFAULT_VERSIONS, ApiVersion, check_versions
from .core.clock import Clock, ManualClock, SystemClock
from .fake import FakeAssistants
from .layers.lenient import Leniency

DEFAULT_JOURNAL_LIMIT = 10_000
SERVER_EXTRA_HINT = 'fake-assistants serve needs uvicorn: pip install "fake-assistants[server]"'


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="fake-assistants",
                                   description="A fake OpenAI Assistants API (v2, and v1 on request).")
    commands = root.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the fake over HTTP (loopback only by default)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=4010, help="port (default: 4010; 0 picks a free one)")
    serve.add_argument("--seed", default="0", help="the seed of ids (default: 0)")
    serve.add_argument("--api-key", help="require `Authorization: Bearer <key>` (default: any key or none)")
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
    serve.add_argument("--poll-after-ms", type=int, default=0, help="the openai-poll-after-ms header (default: 0)")
    serve.add_argument("--api-versions", type=_api_versions, default=DEFAULT_VERSIONS, metavar="v1,v2",
                       help="the Assistants API versions served (default: v2; `v1,v2` also serves "
                            "`OpenAI-Beta: assistants=v1`)")
    serve.add_argument("--journal-limit", type=_journal_limit, default=DEFAULT_JOURNAL_LIMIT, metavar="N",
                       help=f"keep the newest N calls in the call journal (default: {DEFAULT_JOURNAL_LIMIT}; "
                            "0: no limit)")
    return root


def build_fake(args: argparse.Namespace) -> FakeAssistants:
    seed: int | str = int(args.seed) if args.seed.lstrip("-").isdigit() else args.seed
    fake = FakeAssistants(seed, clock=_clock(args), shape=args.shape, poll_after_ms=args.poll_after_ms,
                          progression=args.progression, lenient=args.lenient, api_versions=args.api_versions)
    fake.calls.limit = args.journal_limit or None  # a long-lived server should not keep every call
    return fake


def _journal_limit(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError("--journal-limit takes a whole number (0: no limit)")
    return int(value)


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
    args = parser().parse_args(argv)
    try:
        from .server.threaded import run_server
    except ImportError:
        print(SERVER_EXTRA_HINT, file=sys.stderr)
        return 2
    try:
        return run_server(build_fake(args), host=args.host, port=args.port, api_key=args.api_key)
    except OSError as error:  # the address is taken, or not this machine's
        print(f"fake-assistants: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
