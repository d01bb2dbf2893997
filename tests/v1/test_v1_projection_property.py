"""Model-based test of the Assistants v1 file links and their projection into v2 (V1.md section 4).

One fake serving both versions takes random raw `OpenAI-Beta: assistants=v1` and `=v2` requests over a pool
of four uploaded text files and up to two assistants: v1 creates and modifies assistants (tools, `file_ids`,
name), links and unlinks files (`assistants.files`), deletes Files; v2 changes `tool_resources`, takes files
out of an assistant's vector store and deletes stores; threads get v1 messages with files and v1 runs.

A small model keeps each assistant's v1 links (file id -> when linked, oldest first) and tools. After every
step v1 must show exactly those links (the assistant's `file_ids` and `assistants.files.list` in both orders,
page by page), and v2 the same tools (`retrieval` as `file_search`). After the step itself:

- a v1 unlink (files.delete, or `file_ids` replacing the list) removes the file from the assistant's
  `tool_resources.code_interpreter.file_ids` and from its vector store ("Deleting Assistant Files via the v1
  API also removes them from the v2 API");
- v2 `tool_resources` changes never change the links ("However, the inverse is not true");
- right after a v1 link, or a v1 change of files or tools, every linked file is in code_interpreter's file
  ids (with code_interpreter) and every linked File that still exists is in the assistant's one vector store
  (with retrieval).

Every answer is a 200 or an OpenAI-shaped 4xx, never a 500. What happens to a link when its File is deleted
is not specified anywhere: the machine only requires that v1 stays consistent (the link stays or goes, in
both views alike) and that the File leaves every vector store.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from fake_assistants import ApiRequest, FakeAssistants, ManualClock

START = 1_700_000_000
MODEL = "gpt-4-turbo"
DOCUMENTS = (
    ("planets.txt", "Mars is the fourth planet. Its red colour comes from iron oxide dust."),
    ("garden.txt", "Tomatoes need sunlight and water. Prune the tomato plants in early summer."),
    ("recipes.txt", "Bake the bread at a high temperature. Knead the dough for ten minutes."),
    ("rivers.txt", "The Nile flows north into the Mediterranean Sea through Egypt."),
)
POOL = len(DOCUMENTS)
MAX_ASSISTANTS = 2
BOUNDARY = "v1-property-boundary"
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
TOOL_OF = {"code_interpreter": {"type": "code_interpreter"}, "retrieval": {"type": "retrieval"}, "function": WEATHER}
V2_TYPE = {"retrieval": "file_search"}
RUN_ENDS = frozenset({"completed", "failed", "cancelled", "expired", "requires_action", "incomplete"})
SSE_EVENT = re.compile(rb"event: ([a-z_.]+)\ndata: ([^\n]*)\n\n")
MAX_THREADS = 3  # threads with a run, read again after every step

TOOLS = st.lists(st.sampled_from(sorted(TOOL_OF)), unique=True, max_size=3)  # order matters: v1 keeps it
FILES = st.lists(st.integers(0, POOL - 1), max_size=5)  # pool slots; repeats allowed (a link is made once)
FILE = st.integers(0, POOL - 1)
WHICH = st.integers(0, MAX_ASSISTANTS - 1)  # an assistant, modulo how many there are
VERSION = st.sampled_from(["v1", "v2"])
RUNS = st.sampled_from(["none", "default", "retrieval", "retrieval streamed", "code_interpreter"])


def unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


@dataclass
class ModelAssistant:
    id: str
    tools: list[str]
    links: dict[str, int] = field(default_factory=dict)  # file id -> linked at, oldest link first


class V1ProjectionMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(START)
        self.fake = FakeAssistants(0, clock=self.clock, shape="schema", api_versions=("v1", "v2"))
        self.pool: list[str] = []  # slot -> the File now in it
        self.deleted: set[str] = set()
        # (store, file) that a File's deletion took out of the store: its delete answers `deleted` once
        self.removed_with_file: set[tuple[str, str]] = set()
        self.assistants: list[ModelAssistant] = []
        self.shared_store = ""  # a v2 vector store any assistant may be given through tool_resources
        self.threads: list[str] = []  # the newest threads with a v1 run

    # -- requests -------------------------------------------------------------------------------------------

    def request(self, version: str, method: str, path: str, body: dict[str, Any] | None = None,
                query: str = "") -> tuple[int, Any]:
        """A raw request with `OpenAI-Beta: assistants=<version>`: a 200, or a 4xx in the OpenAI envelope."""
        raw = b"" if body is None else json.dumps(body).encode()
        headers = {"OpenAI-Beta": f"assistants={version}", "content-type": "application/json"}
        response = self.fake.handle(ApiRequest.build(method, "/v1" + path, query=query, headers=headers, body=raw))
        data = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        assert response.status == 200 or 400 <= response.status < 500, (method, path, response.status, data)
        parsed = json.loads(data)
        if response.status != 200:
            event(f"{version} {method} {response.status}")
            assert set(parsed) <= {"error", "detail"}, parsed  # the Files API adds a "detail" (ERRORS.md #8)
            error = parsed["error"]
            assert {"message", "type", "param", "code"} <= set(error), parsed
            assert isinstance(error["message"], str) and error["message"], parsed
            assert error["type"] == "invalid_request_error", parsed
        return response.status, parsed

    def ok(self, version: str, method: str, path: str, body: dict[str, Any] | None = None,
           query: str = "") -> Any:
        status, parsed = self.request(version, method, path, body, query)
        assert status == 200, (method, path, parsed)
        return parsed

    def stream(self, path: str, body: dict[str, Any]) -> list[tuple[str, Any]]:
        """A v1 streamed request: its events (name, data), which must end with `done` and hold no error."""
        headers = {"OpenAI-Beta": "assistants=v1", "content-type": "application/json"}
        raw = json.dumps(body).encode()
        response = self.fake.handle(ApiRequest.build("POST", "/v1" + path, headers=headers, body=raw))
        data = response.body if isinstance(response.body, bytes) else b"".join(response.body)
        assert response.status == 200, data
        framed = SSE_EVENT.findall(data)
        assert b"".join(b"event: %s\ndata: %s\n\n" % pair for pair in framed) == data, data
        events = [(name.decode(), text.decode() if name == b"done" else json.loads(text)) for name, text in framed]
        assert events[-1] == ("done", "[DONE]"), events[-1]
        assert all(name != "error" for name, _ in events), events
        return events

    def refused(self, status: int, version: str, method: str, path: str, body: dict[str, Any] | None = None) -> None:
        got, parsed = self.request(version, method, path, body)
        assert got == status, (method, path, parsed)

    def upload(self, slot: int) -> str:
        name, text = DOCUMENTS[slot]
        raw = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
               f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
               f"Content-Type: text/plain\r\n\r\n{text}\r\n--{BOUNDARY}--\r\n").encode()
        headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
        response = self.fake.handle(ApiRequest.build("POST", "/v1/files", headers=headers, body=raw))
        assert response.status == 200, response.body
        assert isinstance(response.body, bytes)
        file_id: str = json.loads(response.body)["id"]
        return file_id

    # -- reading state --------------------------------------------------------------------------------------

    def pick(self, which: int) -> ModelAssistant:
        return self.assistants[which % len(self.assistants)]

    def v2_assistant(self, assistant: ModelAssistant) -> Any:
        return self.ok("v2", "GET", f"/assistants/{assistant.id}")

    def store_files(self, store_id: str) -> set[str] | None:
        """The files in a vector store (v2), or None when the store is gone."""
        status, listed = self.request("v2", "GET", f"/vector_stores/{store_id}/files", query="limit=100")
        if status == 404:
            return None
        assert status == 200 and not listed["has_more"], listed
        return {f["id"] for f in listed["data"]}

    def listed_links(self, assistant: ModelAssistant, order: str) -> list[tuple[str, int]]:
        """assistants.files.list in one order, two at a time, following the cursors: (file id, created_at)."""
        shown: list[tuple[str, int]] = []
        query = f"limit=2&order={order}"
        while True:
            page = self.ok("v1", "GET", f"/assistants/{assistant.id}/files", query=query)
            assert all((f["object"], f["assistant_id"]) == ("assistant.file", assistant.id) for f in page["data"])
            shown.extend((f["id"], f["created_at"]) for f in page["data"])
            if page["data"]:
                assert (page["first_id"], page["last_id"]) == (page["data"][0]["id"], page["data"][-1]["id"])
            if not page["has_more"]:
                return shown
            query = f"limit=2&order={order}&after={page['last_id']}"

    def links_shown(self, assistant: ModelAssistant) -> list[tuple[str, int]]:
        """The links v1 shows, after checking that the assistant and both list orders agree on them."""
        ascending = self.listed_links(assistant, "asc")
        assert self.listed_links(assistant, "desc") == ascending[::-1]
        shown = self.ok("v1", "GET", f"/assistants/{assistant.id}")
        assert shown["file_ids"] == [file_id for file_id, _ in ascending]
        assert "tool_resources" not in shown
        return ascending

    # -- the projection checks ------------------------------------------------------------------------------

    def check_projected(self, assistant: ModelAssistant) -> None:
        """Right after a v1 link or change of files or tools: v2 shows every link as the tools use it."""
        resources = self.v2_assistant(assistant)["tool_resources"]
        if "code_interpreter" in assistant.tools and assistant.links:
            code = resources["code_interpreter"]["file_ids"]
            assert set(assistant.links) <= set(code), (assistant.links, code)
            assert len(code) == len(set(code)), code
            event("projected: code_interpreter")
        if "retrieval" in assistant.tools and assistant.links:
            (store_id,) = resources["file_search"]["vector_store_ids"]
            in_store = self.store_files(store_id)
            assert in_store is not None, store_id
            assert {f for f in assistant.links if f not in self.deleted} <= in_store, (assistant.links, in_store)
            event("projected: retrieval")

    def check_removed(self, assistant: ModelAssistant, removed: list[str]) -> None:
        """After a v1 unlink: the files are in neither of the assistant's v2 tool resources."""
        if not removed:
            return
        resources = self.v2_assistant(assistant)["tool_resources"]
        code = resources.get("code_interpreter") or {"file_ids": []}
        assert not set(removed) & set(code["file_ids"]), (removed, code)
        for store_id in (resources.get("file_search") or {"vector_store_ids": []})["vector_store_ids"]:
            assert not set(removed) & (self.store_files(store_id) or set()), (removed, store_id)
        event("unlinked from v2")

    def check_links_kept(self, assistant: ModelAssistant) -> None:
        """A v2 change: the v1 links are what they were ("the inverse is not true")."""
        assert self.links_shown(assistant) == list(assistant.links.items())

    # -- set-up, clock, pool --------------------------------------------------------------------------------

    @initialize(tools=TOOLS, files=FILES)
    def set_up(self, tools: list[str], files: list[int]) -> None:
        self.pool = [self.upload(slot) for slot in range(POOL)]
        store = self.ok("v2", "POST", "/vector_stores", {"name": "shared", "file_ids": [self.pool[POOL - 1]]})
        self.shared_store = store["id"]
        self.create_assistant(tools, files)

    @rule(seconds=st.integers(1, 90))
    def tick(self, seconds: int) -> None:
        self.clock.advance(seconds)

    @precondition(lambda self: any(f in self.deleted for f in self.pool))
    @rule(slot=FILE)
    def upload_again(self, slot: int) -> None:
        """A new File in the slot of a deleted one (the old id stays wherever it is still linked)."""
        if self.pool[slot] in self.deleted:
            self.pool[slot] = self.upload(slot)

    # -- v1 assistants ---------------------------------------------------------------------------------------

    @precondition(lambda self: len(self.assistants) < MAX_ASSISTANTS)
    @rule(tools=TOOLS, files=FILES)
    def create_assistant(self, tools: list[str], files: list[int]) -> None:
        file_ids = [self.pool[slot] for slot in files]
        body = {"model": MODEL, "tools": [TOOL_OF[t] for t in tools], "file_ids": file_ids}
        if set(file_ids) & self.deleted:
            self.refused(404, "v1", "POST", "/assistants", body)
            return
        made = self.ok("v1", "POST", "/assistants", body)
        now = self.clock.now()
        assistant = ModelAssistant(made["id"], tools, dict.fromkeys(unique(file_ids), now))
        self.assistants.append(assistant)
        assert made["file_ids"] == list(assistant.links)
        assert [t["type"] for t in made["tools"]] == tools
        self.check_projected(assistant)

    @rule(which=WHICH, slot=FILE)
    def link_file(self, which: int, slot: int) -> None:
        assistant, file_id = self.pick(which), self.pool[slot]
        path = f"/assistants/{assistant.id}/files"
        if file_id in self.deleted:
            self.refused(404, "v1", "POST", path, {"file_id": file_id})
            return
        linked = self.ok("v1", "POST", path, {"file_id": file_id})
        event("link again" if file_id in assistant.links else "link")
        assistant.links.setdefault(file_id, self.clock.now())
        assert linked == {"id": file_id, "object": "assistant.file", "created_at": assistant.links[file_id],
                          "assistant_id": assistant.id}
        self.check_projected(assistant)

    @rule(which=WHICH, slot=FILE)
    def unlink_file(self, which: int, slot: int) -> None:
        assistant, file_id = self.pick(which), self.pool[slot]
        path = f"/assistants/{assistant.id}/files/{file_id}"
        if file_id not in assistant.links:
            self.refused(404, "v1", "DELETE", path)
            return
        answer = self.ok("v1", "DELETE", path)
        assert answer == {"id": file_id, "object": "assistant.file.deleted", "deleted": True}
        del assistant.links[file_id]
        self.check_removed(assistant, [file_id])

    @rule(which=WHICH, files=FILES, tools=st.none() | TOOLS)
    def replace_files(self, which: int, files: list[int], tools: list[str] | None) -> None:
        """A v1 modify with `file_ids` (and maybe tools): the list replaces the links (kept links keep their
        time)."""
        assistant = self.pick(which)
        file_ids = [self.pool[slot] for slot in files]
        path = f"/assistants/{assistant.id}"
        body: dict[str, Any] = {"file_ids": file_ids}
        if tools is not None:
            body["tools"] = [TOOL_OF[t] for t in tools]
        if set(file_ids) & self.deleted:
            before = self.v2_assistant(assistant)
            self.refused(404, "v1", "POST", path, body)
            assert self.v2_assistant(assistant) == before  # checked before anything changed
            return
        modified = self.ok("v1", "POST", path, body)
        if tools is not None:
            assistant.tools = tools
        removed = [f for f in assistant.links if f not in file_ids]
        for file_id in removed:
            del assistant.links[file_id]
        for file_id in file_ids:
            assistant.links.setdefault(file_id, self.clock.now())
        assert modified["file_ids"] == list(assistant.links)
        self.check_removed(assistant, removed)
        self.check_projected(assistant)

    @rule(which=WHICH, tools=TOOLS)
    def change_tools(self, which: int, tools: list[str]) -> None:
        assistant = self.pick(which)
        modified = self.ok("v1", "POST", f"/assistants/{assistant.id}", {"tools": [TOOL_OF[t] for t in tools]})
        assistant.tools = tools
        assert modified["file_ids"] == list(assistant.links)
        self.check_projected(assistant)

    @rule(which=WHICH, name=st.sampled_from(["Librarian", "Analyst"]))
    def rename(self, which: int, name: str) -> None:
        """Neither files nor tools: v2's tool resources stay as they were."""
        assistant = self.pick(which)
        before = self.v2_assistant(assistant)["tool_resources"]
        modified = self.ok("v1", "POST", f"/assistants/{assistant.id}", {"name": name})
        assert (modified["name"], modified["file_ids"]) == (name, list(assistant.links))
        assert self.v2_assistant(assistant)["tool_resources"] == before

    # -- v2 changes ------------------------------------------------------------------------------------------

    @rule(which=WHICH, files=st.lists(FILE, unique=True, max_size=POOL))
    def set_code_interpreter_files(self, which: int, files: list[int]) -> None:
        assistant = self.pick(which)
        file_ids = [self.pool[slot] for slot in files]
        body = {"tool_resources": {"code_interpreter": {"file_ids": file_ids}}}
        modified = self.ok("v2", "POST", f"/assistants/{assistant.id}", body)
        assert modified["tool_resources"]["code_interpreter"]["file_ids"] == file_ids
        self.check_links_kept(assistant)

    @rule(which=WHICH, choice=st.sampled_from(["none", "shared", "the other assistant's"]))
    def set_vector_store(self, which: int, choice: str) -> None:
        assistant = self.pick(which)
        store_ids: list[str] = []
        if choice == "shared":
            store_ids = [self.shared_store]
        elif choice != "none":
            other = self.pick(which + 1)
            store_ids = list((self.v2_assistant(other)["tool_resources"].get("file_search")
                              or {"vector_store_ids": []})["vector_store_ids"])
        body = {"tool_resources": {"file_search": {"vector_store_ids": store_ids}}}
        status, modified = self.request("v2", "POST", f"/assistants/{assistant.id}", body)
        event(f"v2 vector store {choice}: {status}")
        if status == 200:
            assert modified["tool_resources"]["file_search"]["vector_store_ids"] == store_ids
        self.check_links_kept(assistant)

    @rule(which=WHICH, slot=FILE)
    def delete_store_file(self, which: int, slot: int) -> None:
        assistant, file_id = self.pick(which), self.pool[slot]
        store_ids = (self.v2_assistant(assistant)["tool_resources"].get("file_search")
                     or {"vector_store_ids": []})["vector_store_ids"]
        in_store = self.store_files(store_ids[0]) if store_ids else None
        if in_store is None:
            event("no vector store to take a file from")
            return
        status, _ = self.request("v2", "DELETE", f"/vector_stores/{store_ids[0]}/files/{file_id}")
        once = (store_ids[0], file_id) in self.removed_with_file
        self.removed_with_file.discard((store_ids[0], file_id))
        assert status == (200 if file_id in in_store or once else 404)
        assert file_id not in (self.store_files(store_ids[0]) or set())
        self.check_links_kept(assistant)

    @rule(which=WHICH)
    def delete_store(self, which: int) -> None:
        assistant = self.pick(which)
        store_ids = (self.v2_assistant(assistant)["tool_resources"].get("file_search")
                     or {"vector_store_ids": []})["vector_store_ids"]
        if not store_ids:
            event("no vector store to delete")
            return
        status, _ = self.request("v2", "DELETE", f"/vector_stores/{store_ids[0]}")
        event(f"delete vector store: {status}")
        self.check_links_kept(assistant)

    # -- Files ----------------------------------------------------------------------------------------------

    @rule(slot=FILE, version=VERSION)
    def delete_file(self, slot: int, version: str) -> None:
        """Deleting the File itself: what happens to its links is only observed, and must be consistent."""
        file_id = self.pool[slot]
        if file_id in self.deleted:
            self.refused(404, version, "DELETE", f"/files/{file_id}")
            return
        stores = {self.shared_store}
        for assistant in self.assistants:
            stores.update((self.v2_assistant(assistant)["tool_resources"].get("file_search")
                           or {"vector_store_ids": []})["vector_store_ids"])
        self.removed_with_file |= {(s, file_id) for s in stores if file_id in (self.store_files(s) or set())}
        answer = self.ok(version, "DELETE", f"/files/{file_id}")
        assert answer == {"object": "file", "deleted": True, "id": file_id}
        self.deleted.add(file_id)
        for assistant in self.assistants:
            shown = self.links_shown(assistant)
            kept = list(assistant.links.items())
            assert shown in (kept, [(f, at) for f, at in kept if f != file_id]), (shown, kept)
            if file_id in assistant.links:
                event("linked File deleted: link " + ("kept" if shown == kept else "removed"))
            assistant.links = dict(shown)
        stores = self.ok("v2", "GET", "/vector_stores", query="limit=100")["data"]
        for store in stores:
            assert file_id not in (self.store_files(store["id"]) or set())

    # -- threads, messages, runs ----------------------------------------------------------------------------

    @rule(which=WHICH, files=FILES, run=RUNS)
    def message_and_run(self, which: int, files: list[int], run: str) -> None:
        assistant = self.pick(which)
        file_ids = [self.pool[slot] for slot in files]
        thread = self.ok("v1", "POST", "/threads", {})
        body = {"role": "user", "content": "What do my files say?", "file_ids": file_ids}
        status, message = self.request("v1", "POST", f"/threads/{thread['id']}/messages", body)
        if status != 200:
            event("v1 message refused")
            return
        assert unique(message["file_ids"]) == unique(file_ids)
        listed = self.ok("v1", "GET", f"/threads/{thread['id']}/messages/{message['id']}/files",
                         query="order=asc&limit=20")
        assert [f["id"] for f in listed["data"]] == unique(file_ids)
        resources = self.ok("v2", "GET", f"/threads/{thread['id']}")["tool_resources"]
        if file_ids:
            assert resources["code_interpreter"]["file_ids"] == unique(file_ids)
            (store_id,) = resources["file_search"]["vector_store_ids"]
            assert self.store_files(store_id) == {f for f in file_ids if f not in self.deleted}
        if run != "none":
            self.run(assistant, thread["id"], run)

    def run(self, assistant: ModelAssistant, thread_id: str, kind: str) -> None:
        """A v1 run (a scripted retrieval or code_interpreter step first, maybe streamed): it uses the files
        linked now, and ends."""
        if kind.startswith("retrieval"):
            self.fake.script.retrieval().reply("Here is what your files say.")
        elif kind == "code_interpreter":
            self.fake.script.code_interpreter("print(len(open('/mnt/data/notes.txt').read()))", logs="42")
        path = f"/threads/{thread_id}/runs"
        if kind.endswith("streamed"):
            events = self.stream(path, {"assistant_id": assistant.id, "stream": True})
            assert events[0][0] == "thread.run.created", events[0]
            made = events[0][1]
        else:
            made = self.ok("v1", "POST", path, {"assistant_id": assistant.id})
        assert made["file_ids"] == list(assistant.links)
        assert [t["type"] for t in made["tools"]] == assistant.tools
        done = self.ok("v1", "GET", f"/threads/{thread_id}/runs/{made['id']}")
        assert done["status"] in RUN_ENDS, done
        assert done["file_ids"] == list(assistant.links)
        event(f"v1 run ({kind}) {done['status']}")
        self.threads = [*self.threads, thread_id][-MAX_THREADS:]

    # -- after every step -----------------------------------------------------------------------------------

    @invariant()
    def v1_shows_the_links_and_v2_the_tools(self) -> None:
        for assistant in self.assistants:
            assert self.links_shown(assistant) == list(assistant.links.items())
            shown = self.ok("v1", "GET", f"/assistants/{assistant.id}")
            assert [t["type"] for t in shown["tools"]] == assistant.tools
            v2_tools = [t["type"] for t in self.v2_assistant(assistant)["tools"]]
            assert v2_tools == [V2_TYPE.get(t, t) for t in assistant.tools]

    @invariant()
    def threads_read_in_both_versions(self) -> None:
        """Messages and steps of earlier runs still render, whatever happened to their Files since."""
        for thread_id in self.threads:
            messages = self.ok("v1", "GET", f"/threads/{thread_id}/messages", query="order=asc")["data"]
            assert len(messages) == len(self.ok("v2", "GET", f"/threads/{thread_id}/messages")["data"])
            for message in messages:
                for part in message["content"]:
                    for annotation in part.get("text", {}).get("annotations", []):
                        if annotation["type"] == "file_citation":
                            assert set(annotation["file_citation"]) == {"file_id", "quote"}, annotation
            for run in self.ok("v1", "GET", f"/threads/{thread_id}/runs")["data"]:
                steps = self.ok("v1", "GET", f"/threads/{thread_id}/runs/{run['id']}/steps")["data"]
                calls = [c for s in steps if s["type"] == "tool_calls" for c in s["step_details"]["tool_calls"]]
                assert all(c["type"] in ("retrieval", "code_interpreter", "function") for c in calls), calls
                assert all(c["retrieval"] == {} for c in calls if c["type"] == "retrieval"), calls

    @invariant()
    def store_counts_follow_their_files(self) -> None:
        for store in self.ok("v2", "GET", "/vector_stores", query="limit=100")["data"]:
            files = self.store_files(store["id"])
            assert files is not None
            assert store["file_counts"]["total"] == len(files), (store, files)
            assert not files & self.deleted, files


def test_a_file_given_twice_is_one_message_file() -> None:
    """The machine's first find: a v1 message given one file twice listed that MessageFile twice."""
    state = V1ProjectionMachine()
    state.set_up(tools=[], files=[])
    state.message_and_run(which=0, files=[0, 0], run="none")
    state.teardown()


V1ProjectionMachine.TestCase.settings = settings(
    max_examples=75,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestV1ProjectionMachine = V1ProjectionMachine.TestCase
