"""The one module of the responders that speaks HTTP (httpx, the `responders` extra): one chat-completions call."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from ..core.types import Json
from .cassette import BackendUnreachable, Exchange


def post_chat_completion(url: str, body: Json, *, api_key: str | None, timeout: float) -> Exchange:
    """POST `body` to `url`. A streamed answer (`"stream": true` and a 200) comes back with its chunks in
    `arriving`, read from the connection only as they are iterated (to `data: [DONE]`); the connection closes
    when they are over. Anything else is read whole."""
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    client = httpx.Client(timeout=timeout)
    try:
        request = client.build_request("POST", url, content=json.dumps(body), headers=headers)
        response = client.send(request, stream=True)
        if response.status_code != 200 or not body.get("stream"):
            response.read()
            response.close()
            client.close()
            return Exchange(response.status_code, _json(response.text), None)
    except httpx.HTTPError as error:
        client.close()
        raise _unreachable(error, url, timeout) from error
    return Exchange(200, None, None, arriving=_chunks(client, response, url, timeout))


def _chunks(client: httpx.Client, response: httpx.Response, url: str, timeout: float) -> Iterator[Json]:
    try:
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line.removeprefix("data:").strip()
            if data == "[DONE]":
                break
            yield json.loads(data)
    except httpx.HTTPError as error:
        raise _unreachable(error, url, timeout) from error
    finally:
        response.close()
        client.close()


def _unreachable(error: httpx.HTTPError, url: str, timeout: float) -> BackendUnreachable:
    if isinstance(error, httpx.TimeoutException):
        return BackendUnreachable(f"the model backend did not answer within {timeout:g} s ({url})")
    return BackendUnreachable(f"the model backend could not be reached ({url}): {error}")


def _json(text: str) -> Json | None:
    try:
        loaded = json.loads(text)
    except ValueError:
        return {"error": {"message": text[:500]}}
    return loaded if isinstance(loaded, dict) else {"value": loaded}
