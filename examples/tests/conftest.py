"""Fixtures of the example suite, built on the plugin's `openai_client` and `async_openai_client`."""

from __future__ import annotations

import pytest
import pytest_asyncio

from helpdesk import AsyncHelpDesk, HelpDesk

MANUAL = b"""Acme Kettle manual.
Descaling: fill the kettle with one part vinegar and two parts water, boil, and rinse twice.
Reset: hold the power button for ten seconds until the light blinks blue.
Warranty: two years from the date of purchase.
"""


@pytest.fixture
def desk(openai_client):
    desk = HelpDesk(openai_client)
    desk.set_up(MANUAL)
    return desk


@pytest_asyncio.fixture  # strict mode, pytest-asyncio's default: async fixtures say so
async def async_desk(async_openai_client):
    desk = AsyncHelpDesk(async_openai_client)
    await desk.set_up(MANUAL)
    return desk
