"""Where the checkout's own files are, for the tests that read them: README.md, docs/, .ci/run, tests/."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # tests/support/project_paths.py -> the checkout
assert (ROOT / "pyproject.toml").is_file(), f"{ROOT} is not the checkout: did tests/support move?"

README = ROOT / "README.md"
DOCS = ROOT / "docs"
CI_SCRIPT = ROOT / ".ci" / "run"
TESTS = ROOT / "tests"
