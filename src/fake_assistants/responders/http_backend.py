"""The one module of the responders that speaks HTTP (httpx, the `responders` extra): one chat-completions call."""

from __future__ import annotations

import json

import httpx

from ..core.types import Json
from .cassette import BackendUnreachable, Exchange


def post_chat_completion(url: str, body: Json, *, api_key: str | None, timeout: float) -> Exchange:
    """POST `body` to `url`; a streamed answer is read to its end (`data: [DONE]`), chunk by chunk."""
    headers = {"Content-Type": "application/json"}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    try:
        with httpx.Client(timeout=timeout) as client, \
                client.stream("POST", url, content=json.dumps(body), headers=headers) as response:
            if response.status_code != 200 or not body.get("stream"):
                response.read()
                return Exchange(response.status_code, _json(response.text), None)
            chunks: list[Json] = []
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                data = line.removeprefix("data:").strip()
                if data == "[DONE]":
                    break
                chunks.append(json.loads(data))
            return Exchange(200, None, chunks)
    except httpx.TimeoutException as error:
        raise BackendUnreachable(f"the model backend did not answer within {timeout:g} s ({url})") from error
    except httpx.TransportError as error:
        raise BackendUnreachable(f"the model backend could not be reached ({url}): {error}") from error


def _json(text: str) -> Json | None:
    try:
        loaded = json.loads(text)
    except ValueError:
        return {"error": {"message": text[:500]}}
    return loaded if isinstance(loaded, dict) else {"value": loaded}
