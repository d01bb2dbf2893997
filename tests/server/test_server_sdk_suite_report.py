"""tests/support/sdk_suite_failures.py, which .ci/run uses to judge the openai-python generated suite's JUnit report."""

from __future__ import annotations

from pathlib import Path

import sdk_suite_failures as report

REPORT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.api_resources.beta.test_assistants.TestAssistants" name="test_method_create[loose]"/>
<testcase classname="tests.api_resources.beta.test_assistants.TestAssistants" name="test_method_retrieve[strict]">
<failure message="openai.NotFoundError: Error code: 404 - No assistant found with id 'assistant_id'.">E</failure>
</testcase>
<testcase classname="tests.api_resources.test_files.TestAsyncFiles" name="test_method_delete[aiohttp]">
<error message="openai.BadRequestError: Error code: 400 - Invalid 'file_id'">E</error></testcase>
</testsuite></testsuites>
"""
FAILURES = [
    "tests/api_resources/beta/test_assistants.py::TestAssistants::test_method_retrieve[strict] openai.NotFoundError",
    "tests/api_resources/test_files.py::TestAsyncFiles::test_method_delete[aiohttp] openai.BadRequestError",
]


def write_report(tmp_path: Path) -> Path:
    path = tmp_path / "report.xml"
    path.write_text(REPORT, encoding="utf-8")
    return path


def test_failures_are_read_as_test_ids_and_exception_classes(tmp_path: Path) -> None:
    assert report.read_report(write_report(tmp_path)) == (3, FAILURES)


def test_check_passes_only_on_exactly_the_expected_failures(tmp_path: Path) -> None:
    xml = write_report(tmp_path)
    expected = tmp_path / "expected.txt"

    assert report.main(["write", str(xml), str(expected)]) == 0
    assert report.read_expected(expected) == FAILURES
    assert report.main(["check", str(xml), str(expected)]) == 0
    expected.write_text("\n".join(FAILURES[:1]) + "\n", encoding="utf-8")  # one failure more than expected
    assert report.main(["check", str(xml), str(expected)]) == 1
    expected.write_text("\n".join([*FAILURES, FAILURES[0].replace("retrieve", "update")]), encoding="utf-8")
    assert report.main(["check", str(xml), str(expected)]) == 1  # one expected failure did not happen


def test_none_fails_on_any_failure(tmp_path: Path) -> None:
    passing = tmp_path / "passing.xml"
    passing.write_text(REPORT.split("<testcase classname=\"tests.api_resources.beta.test_assistants.TestAssistants"
                                    "\" name=\"test_method_retrieve")[0] + "</testsuite></testsuites>",
                       encoding="utf-8")

    assert report.main(["none", str(write_report(tmp_path))]) == 1
    assert report.main(["none", str(passing)]) == 0


def test_the_committed_strict_list_is_sorted_and_names_only_sdk_errors() -> None:
    committed = Path(__file__).with_name("sdk_suite_strict_failures.txt")
    lines = report.read_expected(committed)

    assert lines
    assert {line.rsplit(" ", 1)[1] for line in lines} <= {"openai.NotFoundError", "openai.BadRequestError"}
    assert [line for line in committed.read_text(encoding="utf-8").splitlines() if not line.startswith("#")] == lines
