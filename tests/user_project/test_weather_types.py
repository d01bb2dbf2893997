"""What a type checker sees (.ci/run runs `mypy --strict` on this file and reads the revealed types)."""

from __future__ import annotations

from typing import reveal_type

from hypothesis import given, settings
from openai import AsyncOpenAI, OpenAI
from openai.types.beta import FunctionToolParam
from openai.types.beta.threads.run_submit_tool_outputs_params import ToolOutput

from fake_assistants import FakeAssistants, RecordedCall
from fake_assistants.strategies import RunHistory, run_histories

# The SDK's typed tool list: what `assistants.create` takes, and what `run_histories(tools=...)` takes too
TOOLS: list[FunctionToolParam] = [{"type": "function", "function": {
    "name": "get_weather",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}}]


def test_the_clients_are_typed(fake_assistants: FakeAssistants, openai_client: OpenAI) -> None:
    client = reveal_type(fake_assistants.openai_client())
    async_client = reveal_type(fake_assistants.async_openai_client())
    assistant = client.beta.assistants.create(model="gpt-4o")
    call: RecordedCall = fake_assistants.calls.last

    assert isinstance(client, OpenAI) and isinstance(async_client, AsyncOpenAI)
    assert openai_client.beta.assistants.retrieve(assistant.id).id == assistant.id
    assert call.route == "assistants.create"
    client.close()


@settings(max_examples=5, deadline=None)
@given(history=run_histories(tools=TOOLS, ending_kinds=["reply", "fail", "incomplete"]))
def test_one_typed_tool_list_serves_the_assistant_and_the_histories(history: RunHistory) -> None:
    fake = FakeAssistants(seed=0)
    history.apply(fake)
    client = fake.openai_client(max_retries=0)
    assistant = client.beta.assistants.create(model="gpt-4o", tools=TOOLS)
    thread = client.beta.threads.create(messages=[{"role": "user", "content": "Weather in Paris?"}])
    run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
    while run.status == "requires_action" and run.required_action is not None:
        calls = run.required_action.submit_tool_outputs.tool_calls
        outputs: list[ToolOutput] = [{"tool_call_id": call.id, "output": "22C"} for call in calls]
        run = client.beta.threads.runs.submit_tool_outputs_and_poll(run_id=run.id, thread_id=thread.id,
                                                                    tool_outputs=outputs)
    assert run.status == history.final_status
    client.close()
