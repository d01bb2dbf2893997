"""What a type checker sees (.ci/run runs `mypy --strict` on this file and reads the revealed types)."""

from __future__ import annotations

from typing import reveal_type

from openai import AsyncOpenAI, OpenAI

from fake_assistants import FakeAssistants, RecordedCall


def test_the_clients_are_typed(fake_assistants: FakeAssistants, openai_client: OpenAI) -> None:
    client = reveal_type(fake_assistants.openai_client())
    async_client = reveal_type(fake_assistants.async_openai_client())
    assistant = client.beta.assistants.create(model="gpt-4o")
    call: RecordedCall = fake_assistants.calls.last

    assert isinstance(client, OpenAI) and isinstance(async_client, AsyncOpenAI)
    assert openai_client.beta.assistants.retrieve(assistant.id).id == assistant.id
    assert call.route == "assistants.create"
    client.close()
