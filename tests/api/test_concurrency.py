"""Many threads, and many asyncio tasks, driving one fake at once through the real SDK.

Messages, runs (polled and streamed), deletes and listings interleave on shared and private threads. After
everything has finished: no object is lost or duplicated, every listing was free of duplicates, no thread
has more than one active run, and no run is left active. Conflicts the real service reports (a run already
active, a message while a run is active) are expected under contention: the worker tries again, a bounded
number of times. Joins are bounded too, so a deadlock fails the test instead of hanging it; there is no
sleeping anywhere.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import openai
import pytest

from fake_assistants import FakeAssistants
from sdk_matrix import new_fake

WORKERS = 8
MESSAGES_PER_WORKER = 20
ROUNDS = 3  # runs (polled and streamed) per worker
ATTEMPTS = 500  # tries of one contended call before giving up
JOIN_SECONDS = 120  # a deadlock guard, not a speed target: the whole test takes a few seconds
ACTIVE = {"queued", "in_progress", "requires_action", "cancelling"}

T = TypeVar("T")


# -- helpers -------------------------------------------------------------------------------------------


@dataclass
class Ledger:
    """What the workers saw succeed, recorded under a lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    messages: dict[str, list[str]] = field(default_factory=dict)  # thread id -> user message ids, in order
    deleted: set[str] = field(default_factory=set)
    runs: dict[str, list[str]] = field(default_factory=dict)  # thread id -> run ids
    conflicts: Counter[str] = field(default_factory=Counter)

    def add_message(self, thread_id: str, message_id: str) -> None:
        with self.lock:
            self.messages.setdefault(thread_id, []).append(message_id)

    def add_run(self, thread_id: str, run_id: str) -> None:
        with self.lock:
            self.runs.setdefault(thread_id, []).append(run_id)

    def conflict(self, kind: str) -> None:
        with self.lock:
            self.conflicts[kind] += 1


def retrying(ledger: Ledger, kind: str, call: Callable[[], T], settle: Callable[[], object] | None = None) -> T:
    """`call()`, tried again while the service answers 400 because of another worker's active run. `settle`, called
    after each such answer, reads the thread's runs: the read lets the active run finish (immediate progression),
    so the next try does not depend on the scheduler giving the worker that started it the lock in time."""
    for _ in range(ATTEMPTS):
        try:
            return call()
        except openai.BadRequestError as error:
            if "while a run" not in error.message and "already has an active run" not in error.message:
                raise
            ledger.conflict(kind)
            if settle is not None:
                settle()
    raise AssertionError(f"{kind}: still conflicting after {ATTEMPTS} attempts")


def run_threads(workers: list[Callable[[], None]]) -> None:
    """Run each worker in its own thread, all released at once; re-raise the first failure."""
    start = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def body(work: Callable[[], None]) -> None:
        start.wait()
        try:
            work()
        except BaseException as failure:  # handed to the main thread below
            failures.append(failure)

    threads = [threading.Thread(target=body, args=(work,), daemon=True) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a worker never finished: deadlock"
    if failures:
        raise failures[0]


def all_messages(client: Any, thread_id: str) -> list[Any]:
    return list(client.beta.threads.messages.list(thread_id, limit=100, order="asc"))


def assert_unique(ids: list[str]) -> None:
    duplicated = [item for item, count in Counter(ids).items() if count > 1]
    assert not duplicated, f"duplicated ids: {duplicated[:5]}"


def assert_in_worker_order(listed: list[str], ledger: Ledger, thread_id: str, worker_ids: list[list[str]]) -> None:
    """Each worker's own messages appear in the listing in the order that worker created them."""
    position = {message_id: n for n, message_id in enumerate(listed)}
    for own in worker_ids:
        alive = [m for m in own if m not in ledger.deleted]
        assert [position[m] for m in alive] == sorted(position[m] for m in alive)


def assert_no_active_runs(fake: FakeAssistants) -> None:
    assert fake.store.active_runs == {}
    for table in fake.store.runs.values():
        assert not [run.id for run in table.values() if run.status in ACTIVE]


@pytest.fixture
def fake() -> FakeAssistants:
    return new_fake()


@pytest.fixture
def clients(fake: FakeAssistants) -> Iterator[list[Any]]:
    """One strictly validating sync SDK client per worker, all on the same fake."""
    made = [fake.openai_client(_strict_response_validation=True, max_retries=0) for _ in range(WORKERS)]
    yield made
    for client in made:
        client.close()


# -- threads -------------------------------------------------------------------------------------------


def test_threads_appending_to_one_thread_lose_and_duplicate_nothing(fake: FakeAssistants, clients: list[Any]) -> None:
    shared = clients[0].beta.threads.create()
    ledger = Ledger()
    own: list[list[str]] = [[] for _ in clients]

    def worker(number: int) -> Callable[[], None]:
        def work() -> None:
            client = clients[number]
            for sequence in range(MESSAGES_PER_WORKER):
                message = client.beta.threads.messages.create(
                    shared.id, role="user", content=f"worker {number} message {sequence}",
                    metadata={"worker": str(number), "sequence": str(sequence)},
                )
                own[number].append(message.id)
                ledger.add_message(shared.id, message.id)

        return work

    run_threads([worker(n) for n in range(WORKERS)])

    listed = all_messages(clients[0], shared.id)
    listed_ids = [message.id for message in listed]
    assert_unique(listed_ids)
    assert sorted(listed_ids) == sorted(ledger.messages[shared.id])
    assert len(listed_ids) == WORKERS * MESSAGES_PER_WORKER
    for message in listed:
        worker_number, sequence = message.metadata["worker"], message.metadata["sequence"]
        assert message.content[0].text.value == f"worker {worker_number} message {sequence}"
        assert own[int(worker_number)][int(sequence)] == message.id
    assert_in_worker_order(listed_ids, ledger, shared.id, own)


def test_threads_mixing_messages_runs_streams_and_deletes_keep_every_invariant(
    fake: FakeAssistants, clients: list[Any]
) -> None:
    assistant = clients[0].beta.assistants.create(model="gpt-4o", name="Concurrent")
    shared = clients[0].beta.threads.create()
    ledger = Ledger()
    own: dict[str, list[list[str]]] = {}

    def worker(number: int) -> Callable[[], None]:
        def work() -> None:
            client = clients[number]
            private = client.beta.threads.create()
            mine: list[str] = []

            def settle() -> object:
                return client.beta.threads.runs.list(shared.id, limit=1)

            own.setdefault(private.id, []).append(mine)
            for round_number in range(ROUNDS):
                for sequence in range(3):
                    text = f"w{number} r{round_number} m{sequence}"
                    message = client.beta.threads.messages.create(private.id, role="user", content=text)
                    mine.append(message.id)
                    ledger.add_message(private.id, message.id)
                    shared_message = retrying(ledger, "message", lambda t=text: client.beta.threads.messages.create(
                        shared.id, role="user", content=t), settle)
                    ledger.add_message(shared.id, shared_message.id)
                doomed = mine[-1]
                assert client.beta.threads.messages.delete(doomed, thread_id=private.id).deleted
                with ledger.lock:
                    ledger.deleted.add(doomed)
                if round_number % 2 == 0:
                    run = client.beta.threads.runs.create_and_poll(thread_id=private.id, assistant_id=assistant.id)
                else:
                    with client.beta.threads.runs.stream(thread_id=private.id, assistant_id=assistant.id) as stream:
                        stream.until_done()
                        run = stream.get_final_run()
                assert run.status == "completed"
                ledger.add_run(private.id, run.id)
                shared_run = retrying(ledger, "run", lambda: client.beta.threads.runs.create_and_poll(
                    thread_id=shared.id, assistant_id=assistant.id), settle)
                assert shared_run.status == "completed"
                ledger.add_run(shared.id, shared_run.id)

        return work

    run_threads([worker(n) for n in range(WORKERS)])

    client = clients[0]
    every_id: list[str] = []
    for thread_id, user_ids in ledger.messages.items():
        listed = all_messages(client, thread_id)
        listed_ids = [message.id for message in listed]
        assert_unique(listed_ids)
        users = [message.id for message in listed if message.role == "user"]
        replies = [message for message in listed if message.role == "assistant"]
        assert sorted(users) == sorted(set(user_ids) - ledger.deleted)
        run_ids = ledger.runs[thread_id]
        assert sorted(reply.run_id for reply in replies) == sorted(run_ids)  # one reply per run, none lost
        runs = list(client.beta.threads.runs.list(thread_id, limit=100))
        assert sorted(run.id for run in runs) == sorted(run_ids)
        assert {run.status for run in runs} == {"completed"}
        if thread_id in own:
            assert_in_worker_order(listed_ids, ledger, thread_id, own[thread_id])
        every_id += listed_ids + [run.id for run in runs]
    assert_unique(every_id)
    assert len(ledger.runs[shared.id]) == WORKERS * ROUNDS
    assert_no_active_runs(fake)


def test_threads_deleting_while_others_list_never_see_a_duplicate(fake: FakeAssistants, clients: list[Any]) -> None:
    writers, readers = clients[: WORKERS // 2], clients[WORKERS // 2:]
    created: list[str] = []
    deleted: list[str] = []
    listings: list[list[str]] = []
    lock = threading.Lock()
    done = threading.Event()

    def writer(client: Any) -> Callable[[], None]:
        def work() -> None:
            for n in range(MESSAGES_PER_WORKER):
                assistant = client.beta.assistants.create(model="gpt-4o", name=f"a{n}")
                with lock:
                    created.append(assistant.id)
                if n % 2:
                    assert client.beta.assistants.delete(assistant.id).deleted
                    with lock:
                        deleted.append(assistant.id)

        return work

    def reader(client: Any) -> Callable[[], None]:
        def work() -> None:
            for _ in range(MESSAGES_PER_WORKER):  # bounded: no waiting on the writers
                ids = [assistant.id for assistant in client.beta.assistants.list(limit=7)]
                with lock:
                    listings.append(ids)
                if done.is_set():
                    return

        return work

    def writers_then_done() -> Callable[[], None]:
        work = [writer(client) for client in writers]

        def run_all() -> None:
            try:
                run_threads(work)
            finally:
                done.set()

        return run_all

    run_threads([writers_then_done(), *(reader(client) for client in readers)])

    for ids in listings:
        assert_unique(ids)
        assert set(ids) <= set(created)
    final = [assistant.id for assistant in clients[0].beta.assistants.list(limit=100)]
    assert_unique(final)
    assert sorted(final) == sorted(set(created) - set(deleted))
    assert len(created) == len(writers) * MESSAGES_PER_WORKER


def test_threads_abandoned_streams_block_nobody(fake: FakeAssistants, clients: list[Any]) -> None:
    """Workers open a stream, read one event and close it, while others create messages and poll runs."""
    assistant = clients[0].beta.assistants.create(model="gpt-4o")
    abandoned: list[tuple[str, str]] = []
    lock = threading.Lock()
    ledger = Ledger()

    def quitter(client: Any) -> Callable[[], None]:
        def work() -> None:
            for _ in range(ROUNDS):
                thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hi"}])
                with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
                    first = next(iter(stream))
                    assert first.event == "thread.run.created"
                    with lock:
                        abandoned.append((thread.id, first.data.id))

        return work

    def worker(client: Any) -> Callable[[], None]:
        def work() -> None:
            thread = client.beta.threads.create()
            for n in range(MESSAGES_PER_WORKER):
                message = client.beta.threads.messages.create(thread.id, role="user", content=f"m{n}")
                ledger.add_message(thread.id, message.id)
            run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
            assert run.status == "completed"

        return work

    half = WORKERS // 2
    run_threads([*(quitter(c) for c in clients[:half]), *(worker(c) for c in clients[half:])])

    for thread_id, user_ids in ledger.messages.items():
        listed = [m.id for m in all_messages(clients[0], thread_id) if m.role == "user"]
        assert listed == user_ids
    assert len(abandoned) == half * ROUNDS
    for thread_id, run_id in abandoned:  # a later read lets each abandoned run go on to its end
        assert clients[0].beta.threads.runs.poll(run_id, thread_id=thread_id).status == "completed"
    assert_no_active_runs(fake)


# -- asyncio ---------------------------------------------------------------------------------------------


class YieldingStream(httpx.AsyncByteStream):
    """A response body that lets the other tasks run between its chunks, as a network would."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __aiter__(self) -> Any:
        async for chunk in self.inner:
            await asyncio.sleep(0)  # a yield to the event loop, not a wait
            yield chunk

    async def aclose(self) -> None:
        await self.inner.aclose()


class YieldingTransport(httpx.AsyncBaseTransport):
    """The fake's transport, letting the other tasks run before each request and between stream chunks.

    In process, a request never waits, so without these yields the tasks would simply take turns."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0)
        response = await self.inner.handle_async_request(request)
        return httpx.Response(response.status_code, headers=response.headers,
                              stream=YieldingStream(response.stream), request=request)


async def test_asyncio_tasks_mixing_messages_runs_streams_and_deletes(fake: FakeAssistants) -> None:
    http_client = httpx.AsyncClient(transport=YieldingTransport(fake.httpx_transport()),
                                    base_url="https://api.openai.com/v1")
    client = openai.AsyncOpenAI(api_key="sk-test", http_client=http_client, max_retries=0,
                                _strict_response_validation=True)
    try:
        await asyncio.wait_for(_async_scenario(fake, client), timeout=JOIN_SECONDS)
    finally:
        await client.close()


async def _async_retrying(kind: str, ledger: Ledger, call: Callable[[], Any]) -> Any:
    for _ in range(ATTEMPTS):
        try:
            return await call()
        except openai.BadRequestError as error:
            if "while a run" not in error.message and "already has an active run" not in error.message:
                raise
            ledger.conflict(kind)
            await asyncio.sleep(0)  # a yield to the other tasks, not a wait
    raise AssertionError(f"{kind}: still conflicting after {ATTEMPTS} attempts")


async def _async_scenario(fake: FakeAssistants, client: Any) -> None:
    assistant = await client.beta.assistants.create(model="gpt-4o")
    shared = await client.beta.threads.create()
    ledger = Ledger()

    async def task(number: int) -> None:
        private = await client.beta.threads.create()
        for round_number in range(ROUNDS):
            for sequence in range(3):
                text = f"t{number} r{round_number} m{sequence}"
                message = await client.beta.threads.messages.create(private.id, role="user", content=text)
                ledger.add_message(private.id, message.id)
                shared_message = await _async_retrying("message", ledger, lambda t=text: (
                    client.beta.threads.messages.create(shared.id, role="user", content=t)))
                ledger.add_message(shared.id, shared_message.id)
            doomed = ledger.messages[private.id][-1]
            assert (await client.beta.threads.messages.delete(doomed, thread_id=private.id)).deleted
            ledger.deleted.add(doomed)
            if round_number % 2 == 0:
                run = await client.beta.threads.runs.create_and_poll(thread_id=private.id, assistant_id=assistant.id)
            else:
                async with client.beta.threads.runs.stream(thread_id=private.id, assistant_id=assistant.id) as stream:
                    await stream.until_done()
                    run = await stream.get_final_run()
            assert run.status == "completed"
            ledger.add_run(private.id, run.id)
            shared_run = await _async_retrying("run", ledger, lambda: client.beta.threads.runs.create_and_poll(
                thread_id=shared.id, assistant_id=assistant.id))
            assert shared_run.status == "completed"
            ledger.add_run(shared.id, shared_run.id)

    await asyncio.gather(*(task(n) for n in range(WORKERS)))

    every_id: list[str] = []
    for thread_id, user_ids in ledger.messages.items():
        listed = [m async for m in client.beta.threads.messages.list(thread_id, limit=100, order="asc")]
        listed_ids = [m.id for m in listed]
        assert_unique(listed_ids)
        assert sorted(m.id for m in listed if m.role == "user") == sorted(set(user_ids) - ledger.deleted)
        replies = sorted(m.run_id for m in listed if m.role == "assistant")
        assert replies == sorted(ledger.runs[thread_id])
        every_id += listed_ids
    assert_unique(every_id)
    assert len(ledger.runs[shared.id]) == WORKERS * ROUNDS
    assert_no_active_runs(fake)


# -- over the loopback server -----------------------------------------------------------------------------


def test_threads_over_the_loopback_server_lose_nothing(fake: FakeAssistants) -> None:
    pytest.importorskip("uvicorn", reason="server mode needs the `server` extra (uvicorn)")
    with fake.serve() as server:
        made = [openai.OpenAI(base_url=server.base_url, api_key="sk-test", max_retries=0,
                              _strict_response_validation=True) for _ in range(WORKERS)]
        try:
            shared = made[0].beta.threads.create()
            ledger = Ledger()

            def worker(client: Any) -> Callable[[], None]:
                def work() -> None:
                    for n in range(MESSAGES_PER_WORKER // 2):
                        message = client.beta.threads.messages.create(shared.id, role="user", content=f"m{n}")
                        ledger.add_message(shared.id, message.id)

                return work

            run_threads([worker(client) for client in made])
            listed = [m.id for m in all_messages(made[0], shared.id)]
        finally:
            for client in made:
                client.close()
    assert_unique(listed)
    assert sorted(listed) == sorted(ledger.messages[shared.id])
    assert len(listed) == WORKERS * (MESSAGES_PER_WORKER // 2)


@pytest.mark.parametrize("http", ["httpx", "httpx2"])
async def test_gathered_requests_interleave_as_over_a_network(fake: FakeAssistants, http: Any) -> None:
    """Each in-process async request gives other tasks a turn before the fake answers it (and each stream chunk
    too), so a race between tasks shows against the fake as it would against the service: here two tasks that
    share a thread by mistake, the second refused while the first one's run is active."""
    client = fake.async_openai_client(http=http, max_retries=0)
    assistant = await client.beta.assistants.create(model="gpt-4o")
    shared = await client.beta.threads.create()
    order: list[str] = []

    async def conversation(name: str) -> str:
        await client.beta.threads.messages.create(shared.id, role="user", content=f"from {name}")
        order.append(f"{name}:message")
        try:
            run = await client.beta.threads.runs.create_and_poll(thread_id=shared.id, assistant_id=assistant.id)
        except openai.BadRequestError as refused:
            return str(refused.body["message"])  # type: ignore[index]
        order.append(f"{name}:run")
        return run.status

    outcomes = await asyncio.gather(conversation("a"), conversation("b"))

    assert order[:2] == ["a:message", "b:message"]
    assert outcomes[0] == "completed"
    assert outcomes[1].startswith(f"Thread {shared.id} already has an active run run_")
    await client.close()

