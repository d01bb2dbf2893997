"""Reading cassettes into `Recording`s: VCR.py (YAML or JSON; bodies as text, `!!binary` base64 or gzip), Ruby
VCR (`http_interactions`), the .NET test-proxy (`Entries`), and the decoded JSON forms of the conformance
recordings (VCR-like `interactions` whose bodies are JSON values, `body_text` or `sse_raw`).

YAML needs pyyaml (the `cassettes` extra); JSON cassettes need nothing.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import gzip
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .interaction import Format, Interaction, Recording, SseEvent, decode_text, header


class CassetteError(ValueError):
    """A cassette this package cannot read (not a cassette, or of no format it knows) or replay; the message names
    the file and why. `fake_assistants.CassetteError`."""


KNOWN_FORMATS = ("the fake reads VCR.py cassettes (YAML or JSON), Ruby VCR's JSON cassettes and .NET test-proxy "
                 "recordings, whose streamed answers hold their events")


def read_cassette(path: str | Path) -> Recording:
    """The recording in the cassette at `path` (CassetteError when it is none of the known formats)."""
    path = Path(path)
    if path.is_dir():
        raise CassetteError(f"{path}: a folder, not a cassette file (name a .yaml or .json file in it)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise CassetteError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
    if not text.strip():
        raise CassetteError(f"{path}: the file is empty")
    if path.suffix.lower() in (".yaml", ".yml"):
        data = _load_yaml(text, path)
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            hint = (" (a raw event stream is not a cassette: " + KNOWN_FORMATS + ")"
                    if text.lstrip().startswith(("event:", "data:")) else "")
            raise CassetteError(f"{path}: not valid JSON at line {error.lineno}, column {error.colno}: "
                                f"{error.msg}{hint}") from None
    recording = parse_recording(path, data)
    if recording is None:
        raise CassetteError(f"{path}: not a cassette (no interactions, http_interactions or Entries): "
                            + KNOWN_FORMATS)
    return recording


def parse_recording(path: Path, data: Any) -> Recording | None:
    """A Recording for a cassette's decoded document; None for anything else (a bare response body)."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("Entries"), list):
        return _recording(path, "dotnet-proxy", [_from_dotnet(i, e) for i, e in enumerate(data["Entries"])])
    if isinstance(data.get("http_interactions"), list):
        return _recording(path, "ruby-vcr", [_from_vcr(i, e) for i, e in enumerate(data["http_interactions"])])
    if isinstance(data.get("interactions"), list):
        found = [_from_vcr(i, e) for i, e in enumerate(data["interactions"])]
        raw = any(_is_container(e.get("response", {}).get("body")) for e in data["interactions"])
        return _recording(path, "vcrpy" if raw else "vcr-json", found)
    return None


def parse_sse(text: str) -> tuple[SseEvent, ...]:
    """The events of a server-sent-events body (data JSON when it parses)."""
    events: list[SseEvent] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        if data:
            joined = "\n".join(data)
            events.append(SseEvent(name, decode_text(joined) if joined != "[DONE]" else joined))
    return tuple(events)


def _recording(path: Path, fmt: Format, interactions: list[Interaction]) -> Recording:
    return Recording(path, fmt, tuple(interactions))


def _load_yaml(text: str, path: Path) -> Any:
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - depends on the environment
        raise CassetteError("reading a YAML cassette needs pyyaml: pip install 'fake-assistants[cassettes]'") from None
    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise CassetteError(f"{path}: not valid YAML{where}: {problem}") from None


def _split_uri(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return parts.path, parts.query


def _headers(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): str(v[0] if isinstance(v, list) and v else v) for k, v in raw.items()}


def _is_container(body: Any) -> bool:
    """VCR's `{string: ...}` / Ruby's `{encoding, string}` / `{base64_string}` body wrapper."""
    return isinstance(body, dict) and bool(body) and set(body) <= {"string", "base64_string", "encoding"}


def _raw_bytes(body: Any) -> bytes | str | None:
    if _is_container(body):
        if "base64_string" in body:
            try:
                return base64.b64decode(body["base64_string"])
            except (binascii.Error, ValueError):
                return str(body["base64_string"])
        return _raw_bytes(body.get("string"))
    if isinstance(body, bytes | str) or body is None:
        return body
    return None


def _decoded(raw: bytes | str | None, headers: Mapping[str, str]) -> tuple[Any, str | None]:
    """(body, stream text): JSON or text, unzipped when gzip-encoded; an event stream as its text."""
    if raw is None or raw in ("", b""):
        return None, None
    if isinstance(raw, bytes):
        if raw[:2] == b"\x1f\x8b" or (header(headers, "Content-Encoding") or "").lower() == "gzip":
            with contextlib.suppress(OSError, EOFError):
                raw = gzip.decompress(raw)
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw, None
    if "text/event-stream" in (header(headers, "Content-Type") or "") or raw.lstrip().startswith(("event:", "data:")):
        return None, raw
    return decode_text(raw), None


def _request_body(raw: Any) -> Any:
    if _is_container(raw) or isinstance(raw, bytes):
        text = _raw_bytes(raw)
        if isinstance(text, bytes):
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                return text
        return decode_text(text) if text else None
    return decode_text(raw) if isinstance(raw, str) else raw  # JSON text decoded; multipart text as it is


def _status(raw: Any) -> int:
    return int(raw["code"] if isinstance(raw, Mapping) else raw)


def _from_vcr(index: int, entry: Mapping[str, Any]) -> Interaction:
    request, response = entry["request"], entry["response"]
    path, query = _split_uri(request["uri"])
    response_headers = _headers(response.get("headers"))
    body = response.get("body")
    if "sse_raw" in response and isinstance(response["sse_raw"], str):
        answer, stream = None, response["sse_raw"]
    elif "body_text" in response:
        answer, stream = response["body_text"], None
    elif _is_container(body) or isinstance(body, bytes):
        answer, stream = _decoded(_raw_bytes(body), response_headers)
    else:
        answer, stream = body, None
    return Interaction(
        index=index,
        method=str(request["method"]).upper(),
        path=path,
        query=query,
        request_headers=_headers(request.get("headers")),
        request_body=_request_body(request.get("body")),
        status=_status(response["status"]),
        response_headers=response_headers,
        response_body=answer,
        events=parse_sse(stream) if stream is not None else (),
        stream=stream,
        recorded_at=response.get("recorded_at") or entry.get("recorded_at") or header(response_headers, "Date"),
    )


def _from_dotnet(index: int, entry: Mapping[str, Any]) -> Interaction:
    path, query = _split_uri(entry["RequestUri"])
    response = entry.get("ResponseBody")
    stream = "\n".join(str(line) for line in response) if isinstance(response, list) else None
    response_headers = _headers(entry.get("ResponseHeaders"))
    return Interaction(
        index=index,
        method=str(entry["RequestMethod"]).upper(),
        path=path,
        query=query,
        request_headers=_headers(entry.get("RequestHeaders")),
        request_body=entry.get("RequestBody"),
        status=int(entry["StatusCode"]),
        response_headers=response_headers,
        response_body=None if stream is not None else response,
        events=parse_sse(stream) if stream is not None else (),
        stream=stream,
        recorded_at=header(response_headers, "Date"),
    )
