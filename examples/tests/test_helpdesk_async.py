"""The same help desk on `openai.AsyncOpenAI`, under pytest-asyncio (strict mode: the marker on each test)."""

from __future__ import annotations

import json

import pytest

from helpdesk import HelpDeskError


@pytest.mark.asyncio
async def test_answers_from_the_manual_and_cites_it(async_desk, fake_assistants):
    fake_assistants.script.file_search().reply("Hold the power button for ten seconds.")
    thread_id = await async_desk.new_conversation()

    answer = await async_desk.ask(thread_id, "How do I reset the kettle?")

    assert answer.text == "Hold the power button for ten seconds[1]."
    assert answer.cited_files == ["manual.txt"]


@pytest.mark.asyncio
async def test_looks_up_an_order_with_the_function_tool(async_desk, fake_assistants):
    fake_assistants.script.call_function("lookup_order", {"order_id": "A-1001"})
    fake_assistants.script.reply("Your order has shipped.")

    answer = await async_desk.ask(await async_desk.new_conversation(), "Where is my order A-1001?")

    assert answer.text.startswith("Your order has shipped")
    (output,) = fake_assistants.calls["runs.submit_tool_outputs"].last.body["tool_outputs"]
    assert json.loads(output["output"])["status"] == "shipped"


@pytest.mark.asyncio
async def test_streams_the_answer_piece_by_piece(async_desk, fake_assistants):
    fake_assistants.script.call_function("lookup_order", {"order_id": "A-1002"})
    fake_assistants.script.reply("It is still being packed: about 5 days.")
    pieces = []

    answer = await async_desk.ask_streaming(await async_desk.new_conversation(), "And order A-1002?", pieces.append)

    assert len(pieces) > 1
    streamed = "".join(pieces)  # as the model wrote it: citation markers such as 【1:0†manual.txt】 included
    assert streamed.startswith("It is still being packed: about 5 days")
    assert answer.text.startswith("It is still being packed: about 5 days")
    assert answer.tools_called == ["lookup_order"]


@pytest.mark.asyncio
async def test_reports_a_failed_run(async_desk, fake_assistants):
    fake_assistants.script.fail("server_error", "The model crashed.")

    with pytest.raises(HelpDeskError, match="The model crashed"):
        await async_desk.ask(await async_desk.new_conversation(), "Hello?")
