"""A small application that builds its own OpenAI client deep inside, as most applications do.

It knows nothing about fake-assistants: `tests/harness/test_contract_intercept.py` runs it under `fake.intercept()`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import openai

MODEL = "gpt-4o"
TOOLS: list[Any] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The current weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


def get_weather(city: str) -> str:
    return f"22C and sunny in {city}"


def call_tool(call: Any) -> str:
    arguments = json.loads(call.function.arguments)
    if call.function.name == "get_weather":
        return get_weather(arguments["city"])
    return f"unknown tool {call.function.name}"


def answer(question: str, make_client: Callable[[], Any] = openai.OpenAI) -> str:
    """Ask the weather bot; answer its function calls until the run stops."""
    client = make_client()
    try:
        assistant = client.beta.assistants.create(model=MODEL, name="Weather bot", tools=TOOLS)
        thread = client.beta.threads.create(messages=[{"role": "user", "content": question}])
        run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        while run.status == "requires_action":
            outputs = [{"tool_call_id": c.id, "output": call_tool(c)}
                       for c in run.required_action.submit_tool_outputs.tool_calls]
            run = client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread.id, tool_outputs=outputs
            )
        if run.status != "completed":
            return f"(the run ended {run.status})"
        latest = client.beta.threads.messages.list(thread_id=thread.id, order="desc", limit=1).data[0]
        return str(latest.content[0].text.value)
    finally:
        client.close()


async def answer_async(question: str, make_client: Callable[[], Any] = openai.AsyncOpenAI) -> str:
    """`answer`, with an `AsyncOpenAI` client."""
    client = make_client()
    try:
        assistant = await client.beta.assistants.create(model=MODEL, name="Weather bot", tools=TOOLS)
        thread = await client.beta.threads.create(messages=[{"role": "user", "content": question}])
        run = await client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
        while run.status == "requires_action":
            outputs = [{"tool_call_id": c.id, "output": call_tool(c)}
                       for c in run.required_action.submit_tool_outputs.tool_calls]
            run = await client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread.id, tool_outputs=outputs
            )
        if run.status != "completed":
            return f"(the run ended {run.status})"
        latest = (await client.beta.threads.messages.list(thread_id=thread.id, order="desc", limit=1)).data[0]
        return str(latest.content[0].text.value)
    finally:
        await client.close()


def azure_client() -> Any:
    return openai.AzureOpenAI(
        azure_endpoint="https://contoso.openai.azure.com", api_version="2024-05-01-preview", api_key="azure-key"
    )


def async_azure_client() -> Any:
    return openai.AsyncAzureOpenAI(
        azure_endpoint="https://contoso.openai.azure.com", api_version="2024-05-01-preview", api_key="azure-key"
    )
