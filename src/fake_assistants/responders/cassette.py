"""Recorded backend exchanges: each keyed by a stable hash of its request, written as they happen, replayed
with no network; a request the recording does not hold is named with how it differs from the closest one.

Several models of one process may record to one file at the same time (an eval's conversations in threads, a
fake and a model each): each exchange is added to what the file holds when it is written, under a lock per file,
and the file is replaced whole (written beside it, then renamed), so no exchange is lost and a reader never sees
half a file. Processes recording to one file (pytest-xdist workers) are not coordinated: give each its own file.

Writing an exchange costs what the file's bytes cost to write, not to read and encode again: the process keeps
each exchange of a file it writes as encoded, and reads the file again only when it changed since (its inode,
size or modification time differ). A long eval's recording grows in linear time, where reading and encoding the
whole file for each exchange made it quadratic (500 exchanges took 15 s).
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..core.json_diff import differences
from ..core.types import Json

FORMAT = 1

_FILE_LOCKS: dict[Path, threading.Lock] = {}  # one per recording file written in this process
_FILE_LOCKS_GUARD = threading.Lock()

FileSignature = tuple[int, int, int]  # inode, size, modification time (ns): what changes when a file is written


@dataclass(slots=True)
class _Written:
    """A recording file as this process last read or wrote it: each exchange's key and its JSON as written in the
    file, in order (a key twice, as a file edited by hand may hold, is kept twice, as it was read), and the file's
    signature then (None: the file did not exist)."""

    texts: list[tuple[str, str]]
    signature: FileSignature | None


_WRITTEN: dict[Path, _Written] = {}  # read and changed under the file's lock


class BackendUnreachable(Exception):
    """The backend did not answer: a timeout or a connection error."""


class ReplayMiss(Exception):
    """Under replay, a request the recording does not hold."""


@dataclass(frozen=True, slots=True)
class Exchange:
    """A backend's answer: its status and JSON body, or (streamed) its chunks: all of them, or (`arriving`,
    from a live backend) as they arrive."""

    status: int
    body: Json | None
    chunks: list[Json] | None
    arriving: Iterator[Json] | None = field(default=None, compare=False)


def request_key(request: Json) -> str:
    """A stable hash of the request: its canonical JSON (sorted keys, no spaces)."""
    canonical = json.dumps(request, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()[:24]


class Cassette:
    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with _file_lock(self.path):  # not while another model of this process replaces the file
            self.entries: list[Json] = self._read()

    def _read(self) -> list[Json]:
        if not self.path.exists():
            return []
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:  # JSONDecodeError is a ValueError
            raise ValueError(_unreadable(self.path, f"it is not JSON ({error})")) from None
        exchanges = loaded.get("exchanges", []) if isinstance(loaded, dict) else None
        if not isinstance(exchanges, list):
            raise ValueError(_unreadable(self.path, 'it is not an object with an "exchanges" list'))
        for index, entry in enumerate(exchanges):
            if not (isinstance(entry, dict) and isinstance(entry.get("key"), str) and "request" in entry
                    and type(entry.get("status")) is int  # not a bool
                    and ("response" in entry or isinstance(entry.get("chunks"), list))):
                raise ValueError(_unreadable(
                    self.path, f'exchange {index} is not {{"key", "request", "status", and "response" or "chunks"}}'))
        return exchanges

    def find(self, request: Json) -> Exchange | None:
        key = request_key(request)
        for entry in self.entries:
            if entry["key"] == key:
                return Exchange(int(entry["status"]), entry.get("response"), entry.get("chunks"))
        return None

    def answer(self, request: Json) -> Exchange:
        found = self.find(request)
        if found is None:
            raise ReplayMiss(self.miss_message(request))
        return found

    def record(self, request: Json, exchange: Exchange) -> None:
        """Add the exchange to the file (replacing one with the same request), with what other models recording
        to it have added since."""
        key = request_key(request)
        entry: Json = {"key": key, "request": request, "status": exchange.status}
        if exchange.chunks is not None:
            entry["chunks"] = exchange.chunks
        else:
            entry["response"] = exchange.body
        text = encoded_exchange(entry)  # first: an exchange that does not encode leaves everything as it was
        with _file_lock(self.path):
            written = self._written()
            written.texts = [*((k, t) for k, t in written.texts if k != key), (key, text)]
            self.entries = [*(e for e in self.entries if e["key"] != key), entry]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
            temporary = Path(name)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(recording_text(t for _, t in written.texts))
                # the file's own mode (a new one: what write_text would make), not mkstemp's owner-only one
                os.chmod(temporary, stat.S_IMODE(self.path.stat().st_mode) if self.path.exists() else 0o644)
                os.replace(temporary, self.path)
            except BaseException:
                _WRITTEN.pop(self.path.resolve(), None)  # what the file holds is not known: read it next time
                raise
            finally:
                temporary.unlink(missing_ok=True)
            written.signature = _signature(self.path)

    def _written(self) -> _Written:
        """The file as it is now (under its lock): as this process last wrote it, unless it changed since."""
        where = self.path.resolve()
        known = _WRITTEN.get(where)
        now = _signature(self.path)
        if known is None or known.signature != now:
            known = _WRITTEN[where] = _Written([(e["key"], encoded_exchange(e)) for e in self._read()], now)
        return known

    def miss_message(self, request: Json) -> str:
        key = request_key(request)
        head = f"no recorded exchange for request {key} in {self.path}"
        if not self.entries:
            return f"{head} (the recording holds none)"
        closest = min((differences(e["request"], request) for e in self.entries), key=len)
        shown = "; ".join(closest[:3]) + (f"; and {len(closest) - 3} more" if len(closest) > 3 else "")
        return f"{head}; the closest recorded request differs: {shown}"


def _signature(path: Path) -> FileSignature | None:
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns)


def encoded_exchange(entry: Json) -> str:
    """One exchange as `recording_text` places it: indented as `json.dumps(..., indent=1)` indents the second level."""
    return json.dumps(entry, indent=1, ensure_ascii=False).replace("\n", "\n  ")


def recording_text(entry_texts: Iterable[str]) -> str:
    """The file's text from its exchanges' texts: the bytes `json.dumps({"format": FORMAT, "exchanges": [...]},
    indent=1, ensure_ascii=False)` and a newline make, without encoding every exchange again."""
    exchanges = ",\n  ".join(entry_texts)
    listed = f"[\n  {exchanges}\n ]" if exchanges else "[]"
    return f'{{\n "format": {FORMAT},\n "exchanges": {listed}\n}}\n'


def _unreadable(path: Path, why: str) -> str:
    return (f"{path} is not a recording of model exchanges (record_to=, replay_from=): {why}. Delete it to record "
            "anew, or restore it from version control.")


def _file_lock(path: Path) -> threading.Lock:
    key = path.resolve()
    with _FILE_LOCKS_GUARD:
        return _FILE_LOCKS.setdefault(key, threading.Lock())
