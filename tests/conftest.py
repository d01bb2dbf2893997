"""Fixtures shared by the contract tests: one fake and one SDK client per cell of the matrix.

`client` is parametrized over (sync | async) x (httpx | httpx2); see `sdk_matrix.py`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from hypothesis import settings

from fake_assistants import FakeAssistants
from sdk_matrix import VARIANT_PARAMS, Journal, Sdk, Variant, new_fake, open_sdk

pytest_plugins = ["pytester"]  # tests/test_readme.py runs the README's fixture examples


# CI runs every property test on the same examples, so a submission's result does not depend on luck;
# developers' runs stay random and keep finding new cases.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture
def fake() -> FakeAssistants:
    """A schema-shaped fake (seed 0) on a ManualClock starting at `sdk_matrix.START`."""
    return new_fake()


@pytest.fixture(params=VARIANT_PARAMS)
def variant(request: pytest.FixtureRequest) -> Variant:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def journal(fake: FakeAssistants) -> Journal:
    """The requests `fake` receives (installed before `client` is built)."""
    return Journal(fake)


@pytest.fixture
async def client(fake: FakeAssistants, variant: Variant, journal: Journal) -> AsyncIterator[Sdk]:
    """The real SDK on `fake`, strictly validating responses, in every cell of the matrix."""
    async with open_sdk(fake, variant) as sdk:
        yield sdk
