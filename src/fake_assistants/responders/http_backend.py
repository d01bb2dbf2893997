"""The one module of the responders that speaks HTTP (httpx, the `responders` extra): one chat-completions call."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from ..core.given import quoted
from ..core.types import Json
from .cassette import BackendUnreachable, Exchange


def post_chat_completion(url: str, body: Json, *, api_key: str | None, timeout: float) -> Exchange:
    """POST `body` to `url`. A streamed answer (`"stream": true`, a 200 and an event stream) comes back with its
    chunks in `arriving`, read from the connection only as they are iterated (to `data: [DONE]`); the connection
    closes when they are over. Anything else is read whole: a backend (or a proxy before it) that answers a
    streamed request with one JSON body is read as that body."""
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    client = httpx.Client(timeout=timeout)
    try:
        request = client.build_request("POST", url, content=json.dumps(body), headers=headers)
        response = client.send(request, stream=True)
        streamed = response.headers.get("content-type", "").lower().startswith("text/event-stream")
        if response.status_code != 200 or not body.get("stream") or not streamed:
            response.read()
            response.close()
            client.close()
            text = response.text
            if response.status_code == 200 and body.get("stream") and text.lstrip().startswith(("data:", "event:")):
                # an event stream under another label (`text/plain`, from a proxy): its chunks, read whole
                return Exchange(200, None, list(_events(iter(text.splitlines()), url)))
            return Exchange(response.status_code, _json(text), None)
    except httpx.HTTPError as error:
        client.close()
        raise _unreachable(error, url, timeout) from error
    return Exchange(200, None, None, arriving=_chunks(client, response, url, timeout))


def _chunks(client: httpx.Client, response: httpx.Response, url: str, timeout: float) -> Iterator[Json]:
    try:
        yield from _events(response.iter_lines(), url)
    except httpx.HTTPError as error:
        raise _unreachable(error, url, timeout, reading=True) from error
    finally:
        response.close()
        client.close()


def _events(lines: Iterator[str], url: str) -> Iterator[Json]:
    """The JSON chunks of an event stream's `data:` lines, to `data: [DONE]`."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line.removeprefix("data:").strip()
        if data == "[DONE]":
            break
        try:
            chunk = json.loads(data)
        except ValueError:
            raise BackendUnreachable(f"the model backend's stream sent a line that is not JSON ({url}): "
                                     f"{quoted(data)}") from None
        yield chunk if isinstance(chunk, dict) else {"value": chunk}


def _unreachable(error: httpx.HTTPError, url: str, timeout: float, *, reading: bool = False) -> BackendUnreachable:
    if isinstance(error, httpx.TimeoutException):
        return BackendUnreachable(f"the model backend did not answer within {timeout:g} s ({url})")
    if reading:  # the backend answered, then its stream broke off
        return BackendUnreachable(f"the model backend's stream broke off ({url}): {error}")
    return BackendUnreachable(f"the model backend could not be reached ({url}): {error}")


def _json(text: str) -> Json | None:
    try:
        loaded = json.loads(text)
    except ValueError:
        return {"error": {"message": text[:500]}}
    return loaded if isinstance(loaded, dict) else {"value": loaded}
