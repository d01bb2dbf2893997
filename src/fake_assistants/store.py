"""All in-memory state of one fake: tables in creation order, with cursor pagination."""

from __future__ import annotations

from . import error_catalog as catalog
from .pagination import OrderedTable
from .resources import Assistant, Message, Thread


class Store:
    def __init__(self) -> None:
        self.assistants: OrderedTable[Assistant] = OrderedTable()
        self.threads: OrderedTable[Thread] = OrderedTable()
        self.messages: dict[str, OrderedTable[Message]] = {}
        self.active_runs: dict[str, str] = {}  # thread id -> the id of its one active run

    def assistant(self, assistant_id: str) -> Assistant:
        found = self.assistants.get(assistant_id)
        if found is None:
            raise catalog.not_found("assistant", assistant_id)
        return found

    def thread(self, thread_id: str) -> Thread:
        found = self.threads.get(thread_id)
        if found is None:
            raise catalog.not_found("thread", thread_id)
        return found

    def add_thread(self, thread: Thread) -> None:
        self.threads.add(thread.id, thread.created_at, thread)
        self.messages[thread.id] = OrderedTable()

    def remove_thread(self, thread_id: str) -> None:
        self.threads.remove(thread_id)
        self.messages.pop(thread_id, None)
        self.active_runs.pop(thread_id, None)

    def thread_messages(self, thread_id: str) -> OrderedTable[Message]:
        self.thread(thread_id)
        return self.messages[thread_id]

    def message(self, thread_id: str, message_id: str) -> Message:
        found = self.thread_messages(thread_id).get(message_id)
        if found is None:
            raise catalog.not_found("message", message_id)
        return found

    def ensure_no_active_run_for_message(self, thread_id: str) -> None:
        run_id = self.active_runs.get(thread_id)
        if run_id is not None:
            raise catalog.message_while_run_active(thread_id, run_id)
