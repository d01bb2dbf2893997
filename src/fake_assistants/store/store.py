"""All in-memory state of one fake: tables in creation order, with cursor pagination."""

from __future__ import annotations

from ..core import error_catalog as catalog
from ..model.assistant import Assistant
from ..model.message import Message
from ..model.run import Run
from ..model.step import RunStep
from ..model.thread import Thread
from .file_tables import FileTables
from .pagination import OrderedTable


class Store(FileTables):
    def __init__(self) -> None:
        super().__init__()
        self.assistants: OrderedTable[Assistant] = OrderedTable()
        self.threads: OrderedTable[Thread] = OrderedTable()
        self.messages: dict[str, OrderedTable[Message]] = {}
        self.active_runs: dict[str, str] = {}  # thread id -> the id of its one active run
        self.runs: dict[str, OrderedTable[Run]] = {}  # by thread id
        self.steps: dict[str, OrderedTable[RunStep]] = {}  # by run id

    def remove_file(self, file_id: str) -> None:
        """Also gone from every assistant's Assistants v1 file links (a v1 `file_ids` never names a deleted
        File, so an app can send it back in a modify); v2 `tool_resources` keep ids as they were given."""
        super().remove_file(file_id)
        for assistant in self.assistants.values():
            assistant.v1_files.pop(file_id, None)

    def assistant(self, assistant_id: str) -> Assistant:
        found = self.assistants.get(assistant_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.assistant(assistant_id)
        if found is None:
            raise catalog.not_found("assistant", assistant_id)
        return found

    def thread(self, thread_id: str) -> Thread:
        found = self.threads.get(thread_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.thread(thread_id)
        if found is None:
            raise catalog.not_found("thread", thread_id)
        return found

    def add_thread(self, thread: Thread) -> None:
        self.threads.add(thread.id, thread.created_at, thread)
        self.messages[thread.id] = OrderedTable()
        self.runs[thread.id] = OrderedTable()

    def remove_thread(self, thread_id: str) -> None:
        self.threads.remove(thread_id)
        self.messages.pop(thread_id, None)
        self.active_runs.pop(thread_id, None)
        for run in self.runs.pop(thread_id, OrderedTable()).values():
            self.steps.pop(run.id, None)

    def thread_messages(self, thread_id: str) -> OrderedTable[Message]:
        self.thread(thread_id)
        return self.messages[thread_id]

    def message(self, thread_id: str, message_id: str) -> Message:
        found = self.thread_messages(thread_id).get(message_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.message(thread_id, message_id)
        if found is None:
            raise catalog.not_found("message", message_id)
        return found

    def ensure_no_active_run_for_message(self, thread_id: str) -> None:
        run_id = self.active_runs.get(thread_id)
        if run_id is not None:
            raise catalog.message_while_run_active(thread_id, run_id)

    def ensure_no_active_run(self, thread_id: str) -> None:
        run_id = self.active_runs.get(thread_id)
        if run_id is not None:
            raise catalog.run_already_active(thread_id, run_id)

    def add_run(self, run: Run) -> None:
        self.runs[run.thread_id].add(run.id, run.created_at, run)
        self.steps[run.id] = OrderedTable()
        self.active_runs[run.thread_id] = run.id

    def release_thread(self, run: Run) -> None:
        if self.active_runs.get(run.thread_id) == run.id:
            del self.active_runs[run.thread_id]

    def thread_runs(self, thread_id: str) -> OrderedTable[Run]:
        self.thread(thread_id)
        return self.runs[thread_id]

    def run(self, thread_id: str, run_id: str) -> Run:
        found = self.thread_runs(thread_id).get(run_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.run(thread_id, run_id)
        if found is None:
            raise catalog.not_found("run", run_id)
        return found

    def step(self, thread_id: str, run_id: str, step_id: str) -> RunStep:
        found = self.steps[self.run(thread_id, run_id).id].get(step_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.step(thread_id, run_id, step_id)
        if found is None:
            raise catalog.not_found("step", step_id)
        return found

    def find_run(self, thread_id: str, run_id: str) -> Run | None:
        """The run, or None (no 404): for the fake's own bookkeeping."""
        table = self.runs.get(thread_id)
        return None if table is None else table.get(run_id)

    def run_by_id(self, run_id: str) -> Run | None:
        """The run with this id in any thread, or None (no 404): for the fake's own bookkeeping."""
        for table in self.runs.values():
            run = table.get(run_id)
            if run is not None:
                return run
        return None

    def all_runs(self) -> list[Run]:
        """Every run of every thread, thread by thread in creation order."""
        return [run for table in self.runs.values() for run in table.values()]

    def active_run(self, thread_id: str) -> Run | None:
        run_id = self.active_runs.get(thread_id)
        return None if run_id is None else self.find_run(thread_id, run_id)
