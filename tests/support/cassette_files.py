"""Hand-written VCR.py interactions for the cassette tests (the JSON form of a cassette, as `from_cassette` reads
it): one recorded request and its JSON answer."""

from __future__ import annotations

import json
from typing import Any

API = "https://api.openai.com/v1"


def exchange(method: str, path: str, answer: dict[str, Any], body: dict[str, Any] | None = None) -> dict[str, Any]:
    """One VCR.py interaction: `method path` (below /v1) with a JSON `body`, answered 200 with `answer`."""
    return {
        "request": {"method": method, "uri": API + path, "headers": {"OpenAI-Beta": ["assistants=v2"]},
                    "body": json.dumps(body) if body else None},
        "response": {"status": {"code": 200, "message": "OK"}, "headers": {"Content-Type": ["application/json"]},
                     "body": {"string": json.dumps(answer)}},
    }
