"""What `fake.cassette_report()` says of a recording the fake cannot replay whole: a run that never ended (no
turns to replay it) and a server error the service had (which a fault can stand in for)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from fake_assistants import FakeAssistants
from support.cassette_files import exchange

ASSISTANT, THREAD, RUN = "asst_recorded", "thread_recorded", "run_recorded"


def run_object(status: str) -> dict[str, Any]:
    return {"id": RUN, "object": "thread.run", "created_at": 1_700_000_000, "assistant_id": ASSISTANT,
            "thread_id": THREAD, "status": status, "model": "gpt-4o", "instructions": None, "tools": [],
            "metadata": {}}


def write_cassette(path: Path) -> Path:
    failed = exchange("POST", "/assistants", {"error": {"message": "The server had an error", "type": "server_error",
                                                        "param": None, "code": None}}, {"model": "gpt-4o"})
    failed["response"]["status"] = {"code": 500, "message": "Internal Server Error"}
    interactions = [
        failed,
        exchange("POST", "/assistants", {"id": ASSISTANT, "object": "assistant", "created_at": 1_700_000_000,
                                         "model": "gpt-4o", "tools": [], "metadata": {}}, {"model": "gpt-4o"}),
        exchange("POST", "/threads", {"id": THREAD, "object": "thread", "created_at": 1_700_000_000,
                                      "metadata": {}}),
        exchange("POST", f"/threads/{THREAD}/runs", run_object("queued"), {"assistant_id": ASSISTANT}),
        exchange("GET", f"/threads/{THREAD}/runs/{RUN}", run_object("expired")),
    ]
    path.write_text(json.dumps({"interactions": interactions}))
    return path


def test_a_run_that_never_ended_and_a_server_error_are_explained(tmp_path: Path) -> None:
    report = str(FakeAssistants.from_cassette(write_cassette(tmp_path / "expired.json")).cassette_report())

    assert (f"run {RUN} (expired): no turns (a run replaying it gets the fake's default reply, or a turn the test "
            "scripts)") in report
    assert f"{RUN}: the recording last shows the run expired: no ending scripted" in report
    assert ("#0 POST /v1/assistants: a server error (500) the service had (to test what the code does with it, "
            "schedule one: fake.faults.server_error(route, status=500))") in report



def test_what_is_left_over_is_the_report_without_what_was_imported(tmp_path: Path) -> None:
    """What the plugin's CassetteWarning shows: the cassettes, then only the sections with something in them."""
    report = FakeAssistants.from_cassette(write_cassette(tmp_path / "expired.json")).cassette_report()

    assert report.left_over().splitlines() == [
        f"cassettes: {tmp_path / 'expired.json'}",
        "not imported:",
        *[f"  {what}: {why}" for what, why in report.not_imported],
    ]
    assert "imported:" in str(report).splitlines() and "recorded runs never replayed:" in str(report)
    assert replace(report, not_imported=()).left_over() == f"cassettes: {tmp_path / 'expired.json'}"
    assert replace(report, never_replayed=(RUN,)).left_over().splitlines()[-2:] == [
        "recorded runs never replayed:", f"  {RUN}"]
