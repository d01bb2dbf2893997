"""Errors that quote what a request held: a hand-built `ApiRequest` (fake.handle) can hold text no HTTP request
can, a lone surrogate; the error still reaches the caller, the surrogate written escaped. Each of these raised a
pydantic-core serialization error out of fake.handle, or answered 500."""

from __future__ import annotations

import json

import pytest

from fake_assistants import ApiRequest, FakeAssistants

BETA = {"OpenAI-Beta": "assistants=v2"}


@pytest.mark.parametrize(("path", "query", "status"), [
    ("/v1/assistants", (("after", "\ud800"),), 400),
    ("/v1/assistants", (("order", "\ud800"),), 400),
    ("/v1/assistants/asst_\ud800", (), 404),
    ("/v1/nowhere\ud800", (), 404),
], ids=["cursor", "order", "id", "url"])
def test_an_error_quoting_a_lone_surrogate_is_answered_with_it_escaped(
        path: str, query: tuple[tuple[str, str], ...], status: int) -> None:
    fake = FakeAssistants()
    response = fake.handle(ApiRequest.build("GET", path, query=query, headers=BETA))
    assert isinstance(response.body, bytes)
    message = json.loads(response.body)["error"]["message"]
    assert response.status == status and "\\ud800" in message, message
    assert fake.calls.last.status == status


def test_a_content_type_with_a_lone_surrogate_is_not_multipart() -> None:
    fake = FakeAssistants()
    response = fake.handle(ApiRequest.build("POST", "/v1/files", headers={"content-type": "text/\ud800"}, body=b"x"))
    assert isinstance(response.body, bytes)
    assert response.status == 400
    assert json.loads(response.body)["error"]["message"].startswith("Invalid Content-Type header (text/\\ud800)")


@pytest.mark.parametrize("path", ["/v1/files", "/v1/nowhere"])
@pytest.mark.parametrize("size", [100, 70_000], ids=["small", "over-the-journal-body-limit"])
def test_a_multipart_boundary_that_is_not_ascii_cannot_be_parsed(path: str, size: int) -> None:
    """RFC 2046 boundaries are ASCII. Past the journal's body limit the journal reads the form's fields too: it
    raised UnicodeEncodeError out of fake.handle, before the error layer, and nothing was journaled."""
    fake = FakeAssistants()
    body = ("--€\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n--€--\r\n").encode()
    response = fake.handle(ApiRequest.build("POST", path, headers={"content-type": "multipart/form-data; boundary=€"},
                                            body=body + b"x" * size))
    assert isinstance(response.body, bytes)
    expected = 400 if path == "/v1/files" else 404
    assert response.status == expected and fake.calls.last.status == expected
    if path == "/v1/files":
        assert json.loads(response.body)["error"]["message"] == "Could not parse multipart form data."
