"""multipart/form-data parts' names and filenames, as clients in several languages write them: plain, quoted, or in
RFC 2231's extended form (`filename*=utf-8''...`, which .NET's HttpClient adds for a name that is not ASCII)."""

from __future__ import annotations

import pytest

from fake_assistants.api.multipart import parse


def file_part(disposition: str) -> tuple[str, str | None]:
    body = (b"--b\r\nContent-Disposition: " + disposition.encode() + b"\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
            b"--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n--b--\r\n")
    first, purpose = parse(body, "multipart/form-data; boundary=b")
    assert (purpose.name, purpose.filename, purpose.data) == ("purpose", None, b"assistants")
    assert first.data == b"hi"
    return first.name, first.filename


@pytest.mark.parametrize(("disposition", "expected"), [
    ('form-data; name="file"; filename="notes.txt"', ("file", "notes.txt")),
    ('form-data; name="file"; filename="résumé.pdf"', ("file", "résumé.pdf")),  # httpx, requests: raw UTF-8
    ("form-data; name=file; filename=r_sum_.pdf; filename*=utf-8''r%C3%A9sum%C3%A9.pdf", ("file", "résumé.pdf")),
    ("form-data; name=\"file\"; filename*=UTF-8''r%C3%A9sum%C3%A9.pdf", ("file", "résumé.pdf")),
    ("form-data; name=\"file\"; filename*=iso-8859-1'en'r%E9sum%E9.pdf", ("file", "résumé.pdf")),
    ("form-data; name*=utf-8''file; filename=\"a.txt\"", ("file", "a.txt")),
    ("form-data; name=\"file\"; filename*=utf-8''%FF.pdf", ("file", "\ufffd.pdf")),  # not UTF-8: replaced
    ('form-data; name="file"; filename="100%25.txt"', ("file", "100%25.txt")),  # a plain name is not unescaped
])
def test_names_and_filenames_are_read_as_the_client_meant_them(disposition: str, expected: tuple[str, str]) -> None:
    assert file_part(disposition) == expected


def test_a_part_without_a_filename_is_a_field() -> None:
    assert file_part('form-data; name="file"') == ("file", None)
