"""The state behind /files and /vector_stores, with lookups that raise the real 404s."""

from __future__ import annotations

from ..core import error_catalog as catalog
from ..model.file import StoredFile
from ..model.vector_store import FileBatch, VectorStore, VectorStoreFile
from .pagination import OrderedTable
from .stand_ins import StandInMaker


class FileTables:
    def __init__(self) -> None:
        self.files: OrderedTable[StoredFile] = OrderedTable()
        self.vector_stores: OrderedTable[VectorStore] = OrderedTable()
        self.vs_files: dict[str, OrderedTable[VectorStoreFile]] = {}
        self.batches: dict[str, FileBatch] = {}
        self._expiring_files: dict[str, int] = {}  # file id -> expires_at, for files uploaded with expires_after
        self.stand_ins: StandInMaker | None = None  # lenient mode: lookups of unknown ids create them

    def file(self, file_id: str) -> StoredFile:
        found = self.files.get(file_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.file(file_id)
        if found is None:
            raise catalog.file_not_found(file_id)
        return found

    def add_file(self, stored: StoredFile) -> None:
        self.files.add(stored.id, stored.created_at, stored)
        if stored.expires_at is not None:
            self._expiring_files[stored.id] = stored.expires_at

    def remove_file(self, file_id: str) -> None:
        """Delete a File and take it out of every vector store ("Delete a file and remove it from all
        vector stores"): their file counts and usage bytes follow."""
        self.files.remove(file_id)
        self._expiring_files.pop(file_id, None)
        for vector_store_id, table in self.vs_files.items():
            store = self.vector_stores.get(vector_store_id)
            if table.remove(file_id) is not None and store is not None:
                store.removed_with_file.append(file_id)

    def expire_files(self, now: int) -> None:
        """Files whose `expires_at` has passed are gone, as if deleted."""
        for file_id in [f for f, at in self._expiring_files.items() if now >= at]:
            self.remove_file(file_id)

    def vector_store(self, vector_store_id: str) -> VectorStore:
        found = self.vector_stores.get(vector_store_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.vector_store(vector_store_id)
        if found is None:
            raise catalog.not_found("vector_store", vector_store_id)
        return found

    def add_vector_store(self, store: VectorStore) -> None:
        self.vector_stores.add(store.id, store.created_at, store)
        self.vs_files[store.id] = OrderedTable()

    def remove_vector_store(self, vector_store_id: str) -> None:
        self.vector_stores.remove(vector_store_id)
        self.vs_files.pop(vector_store_id, None)
        for batch_id in [b.id for b in self.batches.values() if b.vector_store_id == vector_store_id]:
            del self.batches[batch_id]

    def store_files(self, vector_store_id: str) -> OrderedTable[VectorStoreFile]:
        self.vector_store(vector_store_id)
        return self.vs_files[vector_store_id]

    def vs_file(self, vector_store_id: str, file_id: str) -> VectorStoreFile:
        found = self.store_files(vector_store_id).get(file_id)
        if found is None and self.stand_ins is not None:
            found = self.stand_ins.vs_file(vector_store_id, file_id)
        if found is None:
            raise catalog.vector_store_file_not_found(file_id, vector_store_id)
        return found

    def batch(self, vector_store_id: str, batch_id: str) -> FileBatch:
        self.vector_store(vector_store_id)
        found = self.batches.get(batch_id)
        if (found is None or found.vector_store_id != vector_store_id) and self.stand_ins is not None:
            found = self.stand_ins.batch(vector_store_id, batch_id)
        if found is None or found.vector_store_id != vector_store_id:
            raise catalog.not_found("file_batch", batch_id)
        return found

    def batch_files(self, batch: FileBatch) -> list[VectorStoreFile]:
        table = self.vs_files[batch.vector_store_id]
        return [f for f in table.values() if batch.id in f.batch_ids]
