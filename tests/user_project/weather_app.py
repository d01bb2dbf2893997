"""A user's app: a weather assistant whose OpenAI client is built at import time, as many apps do."""

from __future__ import annotations

import json

from openai import AsyncOpenAI, OpenAI

client = OpenAI()  # module level: built before any test starts

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}


def get_weather(city: str) -> str:
    return f"22C and sunny in {city}"


def create_assistant(openai: OpenAI = client) -> str:
    return openai.beta.assistants.create(model="gpt-4o", name="Weather", tools=[WEATHER_TOOL]).id  # type: ignore[list-item]


def ask(question: str, assistant_id: str, openai: OpenAI = client) -> str:
    """Ask; answer the run's function calls; stream the answer back."""
    thread = openai.beta.threads.create(messages=[{"role": "user", "content": question}])
    run = openai.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant_id)
    if run.status == "requires_action" and run.required_action is not None:
        outputs = [
            {"tool_call_id": call.id, "output": get_weather(**json.loads(call.function.arguments))}
            for call in run.required_action.submit_tool_outputs.tool_calls
        ]
        with openai.beta.threads.runs.submit_tool_outputs(
            thread_id=thread.id, run_id=run.id, tool_outputs=outputs, stream=True,  # type: ignore[arg-type]
        ) as stream:
            return "".join(
                part.text.value or ""
                for event in stream if event.event == "thread.message.delta"
                for part in event.data.delta.content or [] if part.type == "text"
            )
    answer = openai.beta.threads.messages.list(thread_id=thread.id).data[0].content[0]
    return answer.text.value if answer.type == "text" else ""


async def count_threads_async(openai: AsyncOpenAI) -> str:
    thread = await openai.beta.threads.create()
    return thread.id
