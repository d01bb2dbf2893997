"""How lenient mode plugs into the store's lookups: a lookup of an unknown id asks for a stand-in.

The store knows only this protocol; layers/lenient.py's `StandIns` is the one implementation. Each method
makes (and stores) a stand-in with that exact id, or returns None when the id is not accepted (the lookup
then raises the real 404).
"""

from __future__ import annotations

from typing import Protocol

from ..model.assistant import Assistant
from ..model.file import StoredFile
from ..model.message import Message
from ..model.run import Run
from ..model.step import RunStep
from ..model.thread import Thread
from ..model.vector_store import FileBatch, VectorStore, VectorStoreFile


class StandInMaker(Protocol):
    def assistant(self, assistant_id: str) -> Assistant | None: ...

    def thread(self, thread_id: str) -> Thread | None: ...

    def message(self, thread_id: str, message_id: str) -> Message | None: ...

    def run(self, thread_id: str, run_id: str) -> Run | None: ...

    def step(self, thread_id: str, run_id: str, step_id: str) -> RunStep | None: ...

    def file(self, file_id: str) -> StoredFile | None: ...

    def vector_store(self, vector_store_id: str) -> VectorStore | None: ...

    def vs_file(self, vector_store_id: str, file_id: str) -> VectorStoreFile | None: ...

    def batch(self, vector_store_id: str, batch_id: str) -> FileBatch | None: ...
