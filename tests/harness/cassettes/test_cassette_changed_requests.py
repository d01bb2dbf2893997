"""A request the recording shows, sent with another body: the fake answers as the recording goes on (the recorded
answer), and says where the body differs, in the journal (`call.differs_from_cassette`), the transcript and the
plugin's `CassetteWarning`. Ids are not compared (a fake's own are not the recorded ones), nor fields one side
leaves out (another client's defaults)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_assistants import FakeAssistants
from support.cassette_files import exchange

THREAD = "thread_recordedXXXXXXXXXXXXXXXX"
MESSAGE = "msg_recordedXXXXXXXXXXXXXXXXXXX"


def write_cassette(path: Path) -> Path:
    text = {"type": "text", "text": {"value": "Solve 3x + 11 = 14", "annotations": []}}
    message = {"id": MESSAGE, "object": "thread.message", "created_at": 1_700_000_000, "thread_id": THREAD,
               "role": "user", "content": [text], "attachments": [], "metadata": {}, "assistant_id": None,
               "run_id": None}
    interactions = [
        exchange("POST", "/threads", {"id": THREAD, "object": "thread", "created_at": 1_700_000_000,
                                      "metadata": {}, "tool_resources": {}}),
        exchange("POST", f"/threads/{THREAD}/messages", message, {"role": "user", "content": "Solve 3x + 11 = 14"}),
    ]
    path.write_text(json.dumps({"interactions": interactions}), encoding="utf-8")
    return path


@pytest.mark.parametrize(("body", "said"), [
    ({"role": "user", "content": "Solve 3x + 11 = 14"}, None),
    ({"role": "user", "content": "Solve 3x + 11 = 14", "metadata": {"k": "v"}}, None),  # a field the recording lacks
    ({"role": "user", "content": "Solve 2x = 4"},
     'request.content: recorded "Solve 3x + 11 = 14", now "Solve 2x = 4"'),
    ({"role": "user", "content": "run_tests and tell me"},  # text that starts like an id is text
     'request.content: recorded "Solve 3x + 11 = 14", now "run_tests and tell me"'),
])
def test_a_changed_body_is_said_where_it_differs(tmp_path: Path, body: dict[str, str], said: str | None) -> None:
    for ids in ("recorded", "seeded"):  # with seeded ids the thread's id in the path differs: it is not compared
        fake = FakeAssistants.from_cassette(write_cassette(tmp_path / "math.json"), ids=ids)
        client = fake.openai_client()
        thread = client.beta.threads.create()
        client.beta.threads.messages.create(thread_id=thread.id, **body)

        sent = fake.calls["messages.create"].last
        assert (sent.in_cassette, sent.differs_from_cassette) == (True, said)
        transcript = fake.transcript()
        if said is None:
            assert "differs from the recorded one" not in transcript
        else:
            assert transcript.rstrip("\n").endswith(
                "requests whose body differs from the recorded one (answered as the recording goes on):\n"
                f"  #1 POST /v1/threads/{thread.id}/messages (messages.create) → 200 ({said})")
        client.close()


def test_the_plugins_warning_names_a_changed_request(pytester: pytest.Pytester) -> None:
    (pytester.path / "cassettes").mkdir()
    write_cassette(pytester.path / "cassettes" / "math.json")
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(test_user="""
        import pytest

        @pytest.mark.fake_assistants(cassette="cassettes/math.json", ids="recorded")
        def test_asks_another_question(openai_client):
            thread = openai_client.beta.threads.create()
            openai_client.beta.threads.messages.create(thread_id=thread.id, role="user", content="Solve 2x = 4")
    """)

    result = pytester.runpytest("-p", "no:randomly")

    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*CassetteWarning: fake_assistants: the test and its cassette differ (1 request different from the "
        "recorded one):",
        "*requests whose body differs from the recorded one (answered as the recording goes on):",
        f'*#1 POST /v1/threads/{THREAD}/messages: request.content: recorded "Solve 3x + 11 = 14", now "Solve 2x = 4"',
    ])
