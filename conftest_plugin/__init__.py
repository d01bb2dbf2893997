"""pytest plugin for fake-assistants: fixtures `fake_assistants`, `openai_client`, `async_openai_client`.

Registered through the `pytest11` entry point under the same name as this module, so autoload,
`-p conftest_plugin` and `pytest_plugins = ["conftest_plugin"]` all refer to one plugin.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from fake_assistants import FakeAssistants


@pytest.fixture
def fake_assistants() -> FakeAssistants:
    """A fresh, isolated fake for each test."""
    return FakeAssistants(seed=0)


@pytest.fixture
def openai_client(fake_assistants: FakeAssistants) -> Iterator[Any]:
    """An `openai.OpenAI` client talking to this test's fake."""
    client = fake_assistants.openai_client()
    yield client
    client.close()


@pytest.fixture
async def async_openai_client(fake_assistants: FakeAssistants) -> AsyncIterator[Any]:
    """An `openai.AsyncOpenAI` client talking to this test's fake."""
    client = fake_assistants.async_openai_client()
    yield client
    await client.close()
