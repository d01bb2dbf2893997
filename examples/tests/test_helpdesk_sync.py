"""The help desk on `openai.OpenAI`: each test scripts what the model does, then checks what the app did."""

from __future__ import annotations

import json

import pytest
from fake_assistants.progression import after_polls

from helpdesk import HelpDeskError


def test_answers_from_the_manual_and_cites_it(desk, fake_assistants):
    fake_assistants.script.file_search().reply("Hold the power button for ten seconds.")
    thread_id = desk.new_conversation()

    answer = desk.ask(thread_id, "How do I reset the kettle?")

    assert answer.text == "Hold the power button for ten seconds[1]."
    assert answer.cited_files == ["manual.txt"]
    assert fake_assistants.calls["messages.create"].last.body["content"] == "How do I reset the kettle?"


def test_looks_up_an_order_with_the_function_tool(desk, fake_assistants):
    fake_assistants.script.call_function("lookup_order", {"order_id": "A-1001"})
    fake_assistants.script.reply("Your order has shipped and arrives in 2 days.")

    answer = desk.ask(desk.new_conversation(), "Where is my order A-1001?")

    assert answer.text.startswith("Your order has shipped and arrives in 2 days")
    assert answer.tools_called == ["lookup_order"]
    (output,) = fake_assistants.calls["runs.submit_tool_outputs"].last.body["tool_outputs"]
    assert json.loads(output["output"]) == {"status": "shipped", "eta_days": 2}


def test_streams_the_answer_piece_by_piece(desk, fake_assistants):
    fake_assistants.script.call_function("lookup_order", {"order_id": "A-1002"})
    fake_assistants.script.reply("It is still being packed: about 5 days.")
    pieces = []

    answer = desk.ask_streaming(desk.new_conversation(), "And order A-1002?", pieces.append)

    assert len(pieces) > 1
    streamed = "".join(pieces)  # as the model wrote it: citation markers such as 【1:0†manual.txt】 included
    assert streamed.startswith("It is still being packed: about 5 days")
    assert answer.text.startswith("It is still being packed: about 5 days")
    assert fake_assistants.calls["runs.submit_tool_outputs"].last.stream
    assert fake_assistants.calls["runs.create"].last.event_names[-1] == "done"


@pytest.mark.fake_assistants(progression=after_polls(3))
def test_waits_for_a_slow_run(desk, fake_assistants):
    fake_assistants.script.reply("Descale with vinegar and water.")

    answer = desk.ask(desk.new_conversation(), "How do I descale it?")

    assert answer.text.startswith("Descale with vinegar and water")
    assert fake_assistants.calls["runs.retrieve"].call_count == 4  # three in_progress, then completed


def test_survives_a_rate_limit(desk, fake_assistants):
    fake_assistants.faults.rate_limit("runs.create")  # one 429: the SDK retries

    answer = desk.ask(desk.new_conversation(), "What is the warranty?")

    assert answer.text
    assert [call.status for call in fake_assistants.calls["runs.create"]] == [429, 200]


def test_reports_a_failed_run(desk, fake_assistants):
    fake_assistants.script.fail("rate_limit_exceeded")

    with pytest.raises(HelpDeskError, match="the run ended failed"):
        desk.ask(desk.new_conversation(), "Hello?")
