"""The openai-python generated suite's failures against the fake, from its JUnit XML report (used by .ci/run,
which checks the strict server's failures against tests/server/sdk_suite_strict_failures.txt).

    python tests/support/sdk_suite_failures.py check REPORT.xml EXPECTED.txt   # exit 1 unless they are exactly EXPECTED
    python tests/support/sdk_suite_failures.py write REPORT.xml EXPECTED.txt   # (re)write EXPECTED from REPORT
    python tests/support/sdk_suite_failures.py none REPORT.xml                 # exit 1 on any failure or error

A failure is one line: `<test id> <exception class>`, sorted, e.g.
`tests/api_resources/beta/test_assistants.py::TestAssistants::test_method_retrieve[strict] openai.NotFoundError`.
Its own tests are tests/server/test_server_sdk_suite_report.py.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path


def node_id(classname: str, name: str) -> str:
    """`tests.api_resources.test_files.TestFiles`, `test_x[strict]`
    -> `tests/api_resources/test_files.py::TestFiles::test_x[strict]`."""
    parts = classname.split(".")
    classes = []
    while parts and parts[-1][:1].isupper():
        classes.insert(0, parts.pop())
    return "::".join(["/".join(parts) + ".py", *classes, name])


def read_report(report: Path) -> tuple[int, list[str]]:
    """(number of tests, sorted failure lines) of a JUnit XML report."""
    root = ElementTree.parse(report).getroot()
    cases = list(root.iter("testcase"))
    failures = []
    for case in cases:
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            exception = (problem.get("message") or "").split(":", 1)[0].strip() or "unknown"
            failures.append(f"{node_id(case.get('classname', ''), case.get('name', ''))} {exception}")
    return len(cases), sorted(failures)


def read_expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def check(report: Path, expected_path: Path) -> int:
    total, failures = read_report(report)
    expected = read_expected(expected_path)
    unexpected = sorted(set(failures) - set(expected))
    missing = sorted(set(expected) - set(failures))
    print(f"{total} tests, {len(failures)} failures, {len(expected)} expected")
    for line in unexpected:
        print(f"  unexpected failure: {line}")
    for line in missing:
        print(f"  expected but did not fail this way: {line}")
    return 1 if unexpected or missing or total == 0 else 0


def write(report: Path, expected_path: Path) -> int:
    total, failures = read_report(report)
    header = [
        "# openai-python 3.54.0 generated tests against `fake-assistants serve --shape schema` (strict, not lenient):",
        "# every test that fails, and with which exception. All of them send the suite's placeholder ids",
        "# (`assistant_id`, `thread_id`, `vs_abc123`, `file_id`, `string`...) or `limit=0`. Checked by .ci/run;",
        "# rewrite with: python tests/support/sdk_suite_failures.py write REPORT.xml"
        " tests/server/sdk_suite_strict_failures.txt",
    ]
    expected_path.write_text("\n".join(header + failures) + "\n", encoding="utf-8")
    print(f"{total} tests, wrote {len(failures)} failures to {expected_path}")
    return 0


def none(report: Path) -> int:
    total, failures = read_report(report)
    print(f"{total} tests, {len(failures)} failures")
    for line in failures:
        print(f"  failure: {line}")
    return 1 if failures or total == 0 else 0


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "check":
        return check(Path(argv[1]), Path(argv[2]))
    if len(argv) == 3 and argv[0] == "write":
        return write(Path(argv[1]), Path(argv[2]))
    if len(argv) == 2 and argv[0] == "none":
        return none(Path(argv[1]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
