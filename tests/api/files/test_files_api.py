"""The Files API through the real SDK: upload, retrieve, list, delete, download, expiry and the real errors."""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest

from fake_assistants import ApiRequest, FakeAssistants
from files_support import GARDEN, PLANETS, clock_of, expect_error, upload
from sdk_matrix import START, Sdk

UPLOAD_PURPOSES = "['fine-tune', 'assistants', 'batch', 'user_data', 'vision', 'evals']"


def no_such_file(file_id: str) -> str:
    return f"No such File object: {file_id}"  # (real) ERRORS.md #8: no final period


# -- upload ------------------------------------------------------------------------------------------


async def test_upload_reports_the_stored_file(client: Sdk) -> None:
    created = await upload(client, "planets.txt", PLANETS)

    assert created.object == "file"
    assert created.id.startswith("file-") and len(created.id) == len("file-") + 22
    assert (created.filename, created.purpose, created.bytes) == ("planets.txt", "assistants", len(PLANETS))
    assert (created.created_at, created.expires_at) == (START, None)
    assert (created.status, created.status_details) == ("processed", None)
    assert await client.files.retrieve(created.id) == created


@pytest.mark.parametrize("purpose", ["fine-tune", "assistants", "batch", "user_data", "vision", "evals"])
async def test_every_upload_purpose_is_accepted(client: Sdk, purpose: str) -> None:
    # The SDK's (and the OpenAPI schema's) FileObject has no "evals" purpose although uploads take it, so
    # the raw answer is read rather than the strictly validated model.
    raw = await client.files.with_raw_response.create(file=("data.jsonl", b'{"a": 1}\n'), purpose=purpose)

    assert raw.http_response.json()["purpose"] == purpose


async def test_unknown_purpose_is_rejected_with_the_real_wording(client: Sdk) -> None:
    message = f"'world_domination' is not one of {UPLOAD_PURPOSES} - 'purpose'"  # (real) ERRORS.md #9

    error = await expect_error(lambda: upload(client, purpose="world_domination"), 400, message, param="purpose")

    assert error.response.json()["detail"] == {"message": message, "code": None}  # the Files API's extra key
    assert (await client.files.list()).data == []


async def test_expires_after_bracket_fields(client: Sdk) -> None:
    created = await upload(client, expires_after={"anchor": "created_at", "seconds": 3600})

    assert created.expires_at == START + 3600


@pytest.mark.parametrize(
    ("seconds", "code", "message"),
    [
        (3599, "integer_below_min_value",
         "Invalid 'expires_after.seconds': integer below minimum value. Expected a value >= 3600, "
         "but got 3599 instead."),
        (2_592_001, "integer_above_max_value",
         "Invalid 'expires_after.seconds': integer above maximum value. Expected a value <= 2592000, "
         "but got 2592001 instead."),
    ],
)
async def test_expires_after_seconds_out_of_range(client: Sdk, seconds: int, code: str, message: str) -> None:
    await expect_error(
        lambda: upload(client, expires_after={"anchor": "created_at", "seconds": seconds}), 400, message,
        param="expires_after.seconds", code=code,
    )


async def test_expires_after_anchor_must_be_created_at(client: Sdk) -> None:
    await expect_error(
        lambda: upload(client, expires_after={"anchor": "last_active_at", "seconds": 3600}), 400,
        "Invalid value: 'last_active_at'. Supported values are: 'created_at'.",
        param="expires_after.anchor", code="invalid_value",
    )


async def test_expired_file_is_gone(client: Sdk, fake: FakeAssistants) -> None:
    kept = await upload(client, "kept.txt", GARDEN)
    short = await upload(client, "short.txt", PLANETS, expires_after={"anchor": "created_at", "seconds": 3600})
    store = await client.vector_stores.create(file_ids=[kept.id, short.id])

    clock_of(fake).advance(3599)
    assert (await client.files.retrieve(short.id)).id == short.id
    clock_of(fake).advance(1)

    await expect_error(lambda: client.files.retrieve(short.id), 404, no_such_file(short.id), param="id")
    assert [f.id for f in (await client.files.list()).data] == [kept.id]
    listed = await client.vector_stores.files.list(store.id)
    assert [f.id for f in listed.data] == [kept.id]
    assert (await client.vector_stores.retrieve(store.id)).file_counts.total == 1


def multipart(parts: list[tuple[str, str | None, bytes]]) -> tuple[str, bytes]:
    boundary = "fake-boundary-7f3a"
    body = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return f"multipart/form-data; boundary={boundary}", body + f"--{boundary}--\r\n".encode()


def raw_upload(fake: FakeAssistants, parts: list[tuple[str, str | None, bytes]]) -> Any:
    content_type, body = multipart(parts)
    request = ApiRequest.build("POST", "/v1/files", headers={"content-type": content_type}, body=body)
    return fake.handle(request)


def test_a_file_part_without_a_filename_gets_the_default_name(fake: FakeAssistants) -> None:
    response = raw_upload(fake, [("purpose", None, b"assistants"), ("file", None, b"plain bytes")])

    assert response.status == 200
    assert (json.loads(response.body)["filename"], json.loads(response.body)["bytes"]) == ("upload", 11)


@pytest.mark.parametrize("missing", ["file", "purpose"])
def test_missing_multipart_field(fake: FakeAssistants, missing: str) -> None:
    parts = [p for p in [("purpose", None, b"assistants"), ("file", "a.txt", b"x")] if p[0] != missing]

    response = raw_upload(fake, parts)

    assert response.status == 400
    assert json.loads(response.body)["error"] == {
        "message": f"Missing required parameter: '{missing}'.", "type": "invalid_request_error",
        "param": missing, "code": "missing_required_parameter",
    }


def test_a_json_upload_is_refused(fake: FakeAssistants) -> None:
    request = ApiRequest.build("POST", "/v1/files", headers={"content-type": "application/json"}, body=b"{}")
    response = fake.handle(request)

    assert response.status == 400
    assert json.loads(response.body)["error"]["message"].startswith(
        "Invalid Content-Type header (application/json), expected multipart/form-data."
    )


# -- retrieve, list, delete ----------------------------------------------------------------------------


async def test_unknown_file_is_the_real_404(client: Sdk) -> None:
    error = await expect_error(lambda: client.files.retrieve("file-nope"), 404, no_such_file("file-nope"),
                               param="id")

    assert error.response.json()["detail"] == {"message": no_such_file("file-nope"), "code": None}
    await expect_error(lambda: client.files.delete("file-nope"), 404, no_such_file("file-nope"), param="id")
    await expect_error(lambda: client.files.content("file-nope"), 404, no_such_file("file-nope"), param="id")


async def test_list_newest_first_with_purpose_filter(client: Sdk, fake: FakeAssistants) -> None:
    first = await upload(client, "a.txt")
    clock_of(fake).advance(1)
    second = await upload(client, "b.jsonl", b"{}", purpose="batch")
    clock_of(fake).advance(1)
    third = await upload(client, "c.txt")

    everything = await client.files.list()
    ascending = await client.files.list(order="asc")
    assistants = await client.files.list(purpose="assistants")

    assert [f.id for f in everything.data] == [third.id, second.id, first.id]
    assert [f.id for f in ascending.data] == [first.id, second.id, third.id]
    assert [f.id for f in assistants.data] == [third.id, first.id]
    assert [f.id for f in (await client.files.list(purpose="vision")).data] == []


async def test_list_pages_with_limit_and_after(client: Sdk) -> None:
    made = [await upload(client, f"{n}.txt") for n in range(5)]

    page = await client.files.list(limit=2, order="asc")
    walked = await client.collect(client.raw.files.list(limit=2, order="asc"))

    assert ([f.id for f in page.data], page.has_more) == ([made[0].id, made[1].id], True)
    after = await client.files.list(limit=2, order="asc", after=made[1].id)
    assert [f.id for f in after.data] == [made[2].id, made[3].id]
    assert [f.id for f in walked] == [f.id for f in made]


@pytest.mark.parametrize(
    ("limit", "code", "message"),
    [
        (0, "integer_below_min_value",
         "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got 0 instead."),
        (10_001, "integer_above_max_value",
         "Invalid 'limit': integer above maximum value. Expected a value <= 10000, but got 10001 instead."),
    ],
)
async def test_list_limit_is_1_to_10000(client: Sdk, limit: int, code: str, message: str) -> None:
    await upload(client)

    await expect_error(lambda: client.files.list(limit=limit), 400, message, param="limit", code=code)
    assert len((await client.files.list(limit=10_000)).data) == 1


async def test_delete_answers_object_file_and_leaves_every_vector_store(client: Sdk) -> None:
    doomed = await upload(client, "doomed.txt", PLANETS)
    kept = await upload(client, "kept.txt", GARDEN)
    store = await client.vector_stores.create(file_ids=[doomed.id, kept.id])
    before = await client.vector_stores.retrieve(store.id)

    deleted = await client.files.delete(doomed.id)

    assert (deleted.id, deleted.object, deleted.deleted) == (doomed.id, "file", True)
    await expect_error(lambda: client.files.retrieve(doomed.id), 404, no_such_file(doomed.id), param="id")
    after = await client.vector_stores.retrieve(store.id)
    assert (before.file_counts.total, before.usage_bytes) == (2, len(PLANETS) + len(GARDEN))
    assert (after.file_counts.total, after.file_counts.completed, after.usage_bytes) == (1, 1, len(GARDEN))
    await expect_error(
        lambda: client.vector_stores.files.retrieve(doomed.id, vector_store_id=store.id), 404,
        f"No file found with id '{doomed.id}' in vector store '{store.id}'.",
    )


# -- download ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("purpose", ["assistants", "user_data"])
async def test_assistants_and_user_data_files_cannot_be_downloaded(client: Sdk, purpose: str) -> None:
    created = await upload(client, "secret.txt", PLANETS, purpose=purpose)

    await expect_error(
        lambda: client.files.content(created.id), 400, f"Not allowed to download files of purpose: {purpose}"
    )


@pytest.mark.parametrize("purpose", ["fine-tune", "batch", "vision"])
async def test_other_purposes_download_their_exact_bytes(client: Sdk, purpose: str) -> None:
    data = bytes(range(256)) * 3
    created = await upload(client, "blob.bin", data, purpose=purpose)

    downloaded = await client.files.content(created.id)

    assert downloaded.content == data
    assert downloaded.response.headers["content-type"] == "application/octet-stream"


async def test_files_calls_need_no_beta_header(client: Sdk, fake: FakeAssistants) -> None:
    created = await upload(client)

    response = fake.handle(ApiRequest.build("GET", f"/v1/files/{created.id}"))

    assert response.status == 200
    with pytest.raises(openai.NotFoundError):
        await client.files.retrieve("file-" + "0" * 22)


async def test_a_non_ascii_filename_survives_the_upload(client: Sdk) -> None:
    created = await upload(client, "résumé 2024 (Zürich).txt", "Café notes".encode())

    assert created.filename == "résumé 2024 (Zürich).txt"
    assert created.bytes == len("Café notes".encode())
