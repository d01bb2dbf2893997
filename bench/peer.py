"""The older SDK line (openai 2.54.0 on httpx): the CRUD workload with the canned floor, fake-assistants and
openai-responses 0.13.1 side by side, and the quickstart with the floor and the fake.

Runs inside the peer venv that `run.py` creates (openai-responses needs openai<3); `fake_assistants` comes
from the checkout through PYTHONPATH. Prints one JSON object: versions and CPU seconds per flow of each case,
per workload (`seconds_per_flow` for CRUD, `quickstart_seconds_per_flow` for the quickstart).
"""

from __future__ import annotations

import json
import sys
import warnings
from collections.abc import Callable
from importlib.metadata import version

import flows
import openai
import timing
from openai_responses import OpenAIMock


class PeerWork:
    """A fresh openai-responses mock (its own state) and a default client, intercepted by its respx router.

    The router is active only for this case's sample: respx patches httpx's transports, which would slow
    the other cases' clients too (measured: the floor slowed by about 20% with a router left active)."""

    def __init__(self) -> None:
        self.mock = OpenAIMock()
        self.mock.router.__enter__()
        self.client = openai.OpenAI(api_key=flows.API_KEY)

    def __call__(self) -> None:
        flows.crud(self.client)

    def close(self) -> None:
        self.client.close()
        self.mock.router.__exit__(None, None, None)


def peer_case() -> Callable[[], object]:
    return PeerWork()


def main() -> int:
    warnings.simplefilter("ignore")
    rounds, repeat = int(sys.argv[1]), int(sys.argv[2])
    cases = flows.cases(flows.crud)
    cases["peer"] = peer_case
    samples = timing.interleaved(cases, rounds=rounds, repeat=repeat)
    quickstart = timing.interleaved(flows.cases(flows.quickstart), rounds=rounds, repeat=repeat)
    result = {
        "openai": openai.__version__,
        "openai_responses": version("openai-responses"),
        "httpx": version("httpx"),
        "requests_per_flow": flows.CRUD_REQUESTS,
        "seconds_per_flow": {name: found.values for name, found in samples.items()},
        "quickstart_requests_per_flow": flows.QUICKSTART_REQUESTS,
        "quickstart_seconds_per_flow": {name: found.values for name, found in quickstart.items()},
    }
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
