"""File uploads rebuilt from what the service answered: the .NET records keep no request body and the ruby
cassettes a lossy one, so a replay sends a real multipart/form-data upload of the recorded name, size and purpose
(with the recorded text where a file_search result quotes it)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from recorded_answers import kind
from recordings import Interaction, Recording

# -- uploads ----------------------------------------------------------------------------------------

UPLOAD_ROUTE = "files.create"
BOUNDARY = "fake-assistants-replay-0c5e2b7a9d41"
LOREM = (
    b"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore "
    b"et dolore magna aliqua. "
)
# The Files API's answer to a bad purpose: "'world_domination' is not one of ['fine-tune', ...] - 'purpose'"
BAD_PURPOSE = re.compile(r"'(?P<purpose>[^']*)' is not one of \[.*\] - 'purpose'")
REJECTED_UPLOAD = ("upload.txt", len(LOREM))  # name and size for an upload the service turned down


@dataclass(frozen=True, slots=True)
class Upload:
    """A file upload as the client sent it, rebuilt from what the service answered."""

    filename: str
    size: int
    purpose: str
    text: bytes | None = None  # what the file held, when the recording shows it (`recorded_texts`)

    def content(self) -> bytes:
        """Exactly `size` bytes: the recorded text, else deterministic text."""
        if self.text is not None and len(self.text) == self.size:
            return self.text
        return (LOREM * (self.size // len(LOREM) + 1))[: self.size]

    def encode(self) -> tuple[str, bytes]:
        """(Content-Type header, body) of the multipart/form-data request, as HTTP clients write it."""
        name = self.filename.replace("\\", "\\\\").replace('"', "%22")
        body = b"".join(
            [
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\n'.encode(),
                self.purpose.encode(),
                f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode(),
                self.content(),
                f"\r\n--{BOUNDARY}--\r\n".encode(),
            ]
        )
        return f"multipart/form-data; boundary={BOUNDARY}", body


def recorded_texts(recording: Recording) -> dict[str, bytes]:
    """Recorded file id -> the text of the file, as a recorded file_search result quotes it (the whole of a
    small file is one chunk): a fully compared recording (V2_SCRIPTS) uploads that text, so its runs find
    what the service found."""
    found: dict[str, bytes] = {}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("file_id"), str) and isinstance(value.get("content"), list):
                for part in value["content"]:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        found.setdefault(value["file_id"], part["text"].encode())
            for child in value.values():
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    for it in recording.interactions:
        walk(it.response)
    return found


def recorded_upload(it: Interaction) -> Upload | None:
    """The upload behind a recorded `POST /v1/files`: the stored File, or the purpose an error quotes."""
    answer = it.response
    if kind(answer) == "file" and isinstance(answer, dict):
        filename, size, purpose = answer.get("filename"), answer.get("bytes"), answer.get("purpose")
        if isinstance(filename, str) and isinstance(size, int) and isinstance(purpose, str):
            return Upload(filename, size, purpose)
    if kind(answer) == "error" and isinstance(answer, dict):
        found = BAD_PURPOSE.fullmatch(str((answer.get("error") or {}).get("message", "")))
        if found is not None:
            return Upload(*REJECTED_UPLOAD, found["purpose"])
    return None
