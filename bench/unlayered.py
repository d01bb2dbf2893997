"""The fake without its harness layers: what a design with fewer layers could reach at best, for the goals.

The fake's own pipeline (`App.build`) with only the layers the quickstart's answers need: the route, the
response headers, the error envelope, the reply encoding, the 404 for an unknown route and the run settling
(a poll moves the run), around the same route handlers, store, run engine and request validation. Left out:
the lock, the call journal, the fault schedule, the API version check, the id prefix check and the v1 view.

It is not a fake anyone should use: without them a test cannot read `fake.calls` or schedule a fault, threads
race, and a request with the wrong version header or id prefix is answered as if it were right. It bounds what
option 3 of docs/PERFORMANCE.md ("fewer layers on the path a request takes") could buy: removing every one of
those layers costs at least what is left here. `run.py` times it beside the bare handler (1d) and `--all`
counts its instructions (6d).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import canned
import flows

from fake_assistants import Clock, FakeAssistants, ManualClock
from fake_assistants.api.pipeline import Answer, Respond, call_handler, compose
from fake_assistants.app import App
from fake_assistants.layers.error_envelope import ErrorEnvelope
from fake_assistants.layers.headers import ResponseHeaders
from fake_assistants.layers.replies import ReplyEncoding
from fake_assistants.layers.route_match import KnownRoute, RouteMatch
from fake_assistants.layers.run_settling import RunSettling


def pipeline(app: App) -> Respond:
    """`app`'s pipeline with only the layers the quickstart's answers need, in `App.build`'s order."""
    http: list[Callable[[Respond], Respond]] = [
        partial(RouteMatch, routes=app.routes),
        partial(ResponseHeaders, ids=app.ctx.ids, options=app.ctx.options, clock=app.clock),
        partial(ErrorEnvelope, errors=app.internal_errors),
    ]
    handler: list[Callable[[Answer], Answer]] = [partial(KnownRoute, routes=app.routes),
                                                 partial(RunSettling, ctx=app.ctx)]
    endpoint: Respond = ReplyEncoding(compose(handler, call_handler(app.ctx)))
    return compose(http, endpoint)


def unlayered_fake(clock: Clock | None = None) -> FakeAssistants:
    """A fresh fake (seed 0) whose pipeline is `pipeline`'s."""
    fake = FakeAssistants(seed=0, clock=clock)
    fake.app.pipeline = pipeline(fake.app)
    return fake


def answers(fake: FakeAssistants) -> dict[tuple[str, str], canned.Answer]:
    """`fake`'s answers to one quickstart through the SDK, by route: status, headers and body."""
    recorder = canned.Recorder(fake)
    client = flows.fake_client(fake)
    try:
        flows.quickstart(client)
    finally:
        client.close()
    return recorder.answers


def case() -> Callable[[], Callable[[], object]]:
    """A `timing.interleaved` case: the quickstart through the SDK on the fake without its harness layers (its
    answers checked first: byte for byte the fake's, headers included)."""
    at = int(time.time())  # one time for both: the check must not depend on a second passing between them
    if answers(unlayered_fake(ManualClock(at))) != answers(FakeAssistants(seed=0, clock=ManualClock(at))):
        raise AssertionError("the fake without its harness layers answers the quickstart differently")

    def setup() -> Callable[[], object]:
        client = flows.fake_client(unlayered_fake())
        return lambda: flows.quickstart(client)

    return setup
