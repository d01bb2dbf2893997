"""A page cursor naming an object just deleted still pages from its place (a client auto-paginating while another
deletes), within `REMEMBERED_DELETIONS`; an id the table never held, or one deleted long ago, is an unknown cursor."""

from __future__ import annotations

import pytest

from fake_assistants import FakeAssistants
from fake_assistants.core.errors import ApiError
from fake_assistants.store.pagination import REMEMBERED_DELETIONS, ListParams, OrderedTable


def filled(count: int) -> OrderedTable[str]:
    table: OrderedTable[str] = OrderedTable()
    for n in range(count):
        table.add(f"obj_{n}", 1_700_000_000, f"item {n}")
    return table


def test_a_just_deleted_cursor_pages_from_its_place_in_both_orders() -> None:
    table = filled(6)
    table.remove("obj_2")

    assert table.page(ListParams(order="asc", after="obj_2")).items == ["item 3", "item 4", "item 5"]
    assert table.page(ListParams(order="desc", after="obj_2")).items == ["item 1", "item 0"]
    assert table.page(ListParams(order="asc", before="obj_2", limit=1)).items == ["item 1"]


def test_unknown_and_long_deleted_cursors_are_400() -> None:
    table = filled(REMEMBERED_DELETIONS + 1)
    for n in range(REMEMBERED_DELETIONS + 1):
        table.remove(f"obj_{n}")

    with pytest.raises(ApiError) as never_held:
        table.page(ListParams(after="obj_unknown"))
    with pytest.raises(ApiError) as forgotten:
        table.page(ListParams(after="obj_0"))
    assert table.page(ListParams(after=f"obj_{REMEMBERED_DELETIONS}")).items == []
    assert (never_held.value.status, forgotten.value.status) == (400, 400)
    assert forgotten.value.message == "Invalid 'after': no object found with id 'obj_0'."


def test_the_sdk_auto_paginates_past_an_assistant_deleted_meanwhile() -> None:
    fake = FakeAssistants()
    client = fake.openai_client()
    made = [client.beta.assistants.create(model="gpt-4o", name=f"a{n}").id for n in range(5)]
    first = client.beta.assistants.list(limit=2, order="asc")
    client.beta.assistants.delete(first.data[-1].id)  # the cursor of the next page

    listed = [assistant.id for page in first.iter_pages() for assistant in page.data]

    assert listed == made
