"""A help desk for the Acme Kettle: it answers from the product manual (file_search), looks up orders (a
function tool) and streams its answers. Written against the `openai` SDK as any application would be: nothing
here knows about fake-assistants.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openai import AsyncOpenAI, OpenAI

MODEL = "gpt-4o"
INSTRUCTIONS = "You are Acme's help desk. Answer from the manual; look orders up with lookup_order."
ORDERS = {
    "A-1001": {"status": "shipped", "eta_days": 2},
    "A-1002": {"status": "processing", "eta_days": 5},
}
LOOKUP_ORDER = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "The status of an order and the days until it arrives.",
        "parameters": {
            "type": "object",
            "properties": {"order_id": {"type": "string", "description": "Such as A-1001"}},
            "required": ["order_id"],
        },
    },
}


class HelpDeskError(Exception):
    """A run that did not end with an answer."""


@dataclass
class Answer:
    text: str
    cited_files: list[str] = field(default_factory=list)  # the filenames its footnotes [1], [2]... name
    tools_called: list[str] = field(default_factory=list)


def call_tool(name: str, arguments: str) -> str:
    """Run one of our function tools; the model gets the JSON this returns."""
    args = json.loads(arguments or "{}")
    if name == "lookup_order":
        order = ORDERS.get(args.get("order_id", ""))
        return json.dumps(order if order is not None else {"error": "no such order"})
    return json.dumps({"error": f"unknown tool {name}"})


def _tool_outputs(run: Any, called: list[str]) -> list[dict[str, str]]:
    outputs = []
    for call in run.required_action.submit_tool_outputs.tool_calls:
        called.append(call.function.name)
        outputs.append({"tool_call_id": call.id, "output": call_tool(call.function.name, call.function.arguments)})
    return outputs


def _check(run: Any) -> None:
    if run.status != "completed":
        reason = run.last_error.message if run.last_error else run.status
        raise HelpDeskError(f"the run ended {run.status}: {reason}")


def _citations(text: Any) -> list[Any]:
    return [note for note in text.annotations if note.type == "file_citation"]


def _with_footnotes(texts: list[Any], filenames: dict[str, str], called: list[str]) -> Answer:
    """The answer's text with each citation marker (such as 【4:0†manual.txt】) replaced by a footnote [n]."""
    cited: list[str] = []
    parts = []
    for text in texts:
        value = text.value
        for note in _citations(text):
            filename = filenames[note.file_citation.file_id]
            if filename not in cited:
                cited.append(filename)
            value = value.replace(note.text, f"[{cited.index(filename) + 1}]")
        parts.append(value)
    return Answer("".join(parts), cited, called)


class HelpDesk:
    """The synchronous help desk."""

    def __init__(self, client: OpenAI) -> None:
        self.client = client
        self.assistant_id = ""

    def set_up(self, manual: bytes, filename: str = "manual.txt") -> str:
        """Index the manual in a vector store and create the assistant. Returns the assistant's id."""
        store = self.client.vector_stores.create(name="Acme manuals")
        batch = self.client.vector_stores.file_batches.upload_and_poll(store.id, files=[(filename, manual)])
        if batch.file_counts.completed != 1:
            raise HelpDeskError(f"the manual was not indexed: {batch.file_counts}")
        assistant = self.client.beta.assistants.create(
            model=MODEL,
            name="Acme help desk",
            instructions=INSTRUCTIONS,
            tools=[{"type": "file_search"}, LOOKUP_ORDER],
            tool_resources={"file_search": {"vector_store_ids": [store.id]}},
        )
        self.assistant_id = assistant.id
        return assistant.id

    def new_conversation(self) -> str:
        return self.client.beta.threads.create().id

    def ask(self, thread_id: str, question: str) -> Answer:
        """Ask, poll the run, answer its function calls, and return the answer."""
        self.client.beta.threads.messages.create(thread_id, role="user", content=question)
        run = self.client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=self.assistant_id)
        called: list[str] = []
        while run.status == "requires_action":
            run = self.client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread_id, tool_outputs=_tool_outputs(run, called)
            )
        _check(run)
        return self._answer(thread_id, run.id, called)

    def ask_streaming(self, thread_id: str, question: str, on_text: Callable[[str], None]) -> Answer:
        """Ask, and hand each piece of the answer to `on_text` as it arrives."""
        self.client.beta.threads.messages.create(thread_id, role="user", content=question)
        manager: Any = self.client.beta.threads.runs.stream(thread_id=thread_id, assistant_id=self.assistant_id)
        called: list[str] = []
        while True:
            with manager as stream:
                for text in stream.text_deltas:
                    on_text(text)
                run = stream.get_final_run()
            if run.status != "requires_action":
                break
            manager = self.client.beta.threads.runs.submit_tool_outputs_stream(
                run_id=run.id, thread_id=thread_id, tool_outputs=_tool_outputs(run, called)
            )
        _check(run)
        return self._answer(thread_id, run.id, called)

    def _answer(self, thread_id: str, run_id: str, called: list[str]) -> Answer:
        messages = self.client.beta.threads.messages.list(thread_id, run_id=run_id, order="asc")
        texts = [part.text for message in messages.data for part in message.content if part.type == "text"]
        file_ids = [note.file_citation.file_id for text in texts for note in _citations(text)]
        filenames = {file_id: self.client.files.retrieve(file_id).filename for file_id in file_ids}
        return _with_footnotes(texts, filenames, called)


class AsyncHelpDesk:
    """The same help desk on `openai.AsyncOpenAI`."""

    def __init__(self, client: AsyncOpenAI) -> None:
        self.client = client
        self.assistant_id = ""

    async def set_up(self, manual: bytes, filename: str = "manual.txt") -> str:
        store = await self.client.vector_stores.create(name="Acme manuals")
        batch = await self.client.vector_stores.file_batches.upload_and_poll(store.id, files=[(filename, manual)])
        if batch.file_counts.completed != 1:
            raise HelpDeskError(f"the manual was not indexed: {batch.file_counts}")
        assistant = await self.client.beta.assistants.create(
            model=MODEL,
            name="Acme help desk",
            instructions=INSTRUCTIONS,
            tools=[{"type": "file_search"}, LOOKUP_ORDER],
            tool_resources={"file_search": {"vector_store_ids": [store.id]}},
        )
        self.assistant_id = assistant.id
        return assistant.id

    async def new_conversation(self) -> str:
        return (await self.client.beta.threads.create()).id

    async def ask(self, thread_id: str, question: str) -> Answer:
        await self.client.beta.threads.messages.create(thread_id, role="user", content=question)
        run = await self.client.beta.threads.runs.create_and_poll(thread_id=thread_id, assistant_id=self.assistant_id)
        called: list[str] = []
        while run.status == "requires_action":
            run = await self.client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread_id, tool_outputs=_tool_outputs(run, called)
            )
        _check(run)
        return await self._answer(thread_id, run.id, called)

    async def ask_streaming(self, thread_id: str, question: str, on_text: Callable[[str], None]) -> Answer:
        await self.client.beta.threads.messages.create(thread_id, role="user", content=question)
        manager: Any = self.client.beta.threads.runs.stream(thread_id=thread_id, assistant_id=self.assistant_id)
        called: list[str] = []
        while True:
            async with manager as stream:
                async for text in stream.text_deltas:
                    on_text(text)
                run = await stream.get_final_run()
            if run.status != "requires_action":
                break
            manager = self.client.beta.threads.runs.submit_tool_outputs_stream(
                run_id=run.id, thread_id=thread_id, tool_outputs=_tool_outputs(run, called)
            )
        _check(run)
        return await self._answer(thread_id, run.id, called)

    async def _answer(self, thread_id: str, run_id: str, called: list[str]) -> Answer:
        messages = await self.client.beta.threads.messages.list(thread_id, run_id=run_id, order="asc")
        texts = [part.text for message in messages.data for part in message.content if part.type == "text"]
        file_ids = [note.file_citation.file_id for text in texts for note in _citations(text)]
        filenames = {file_id: (await self.client.files.retrieve(file_id)).filename for file_id in file_ids}
        return _with_footnotes(texts, filenames, called)
