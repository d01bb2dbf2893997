"""The command behind each generated docs page (docs/COVERAGE.md, docs/lifecycles.md): print the page, write it,
or check that the committed file is current."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def page_command(argv: Sequence[str] | None, *, prog: str, description: str | None,
                 render: Callable[[], str]) -> int:
    """`--write PATH` writes the page, `--check PATH` exits 1 (naming the command to run) when the file differs
    from what `render()` makes now; with neither, the page goes to standard output."""
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--write", type=Path, metavar="PATH", help="write the page here (default: print it)")
    parser.add_argument("--check", type=Path, metavar="PATH", help="exit 1 if the file at PATH is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check is not None:
        current = args.check.read_text(encoding="utf-8") if args.check.exists() else ""
        if current != text:
            print(f"{args.check} is stale: run {prog} --write {args.check}", file=sys.stderr)
            return 1
        return 0
    if args.write is not None:
        args.write.write_text(text, encoding="utf-8")
        return 0
    sys.stdout.write(text)
    return 0
