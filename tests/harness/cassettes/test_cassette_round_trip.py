"""Issue 19: a cassette that vcrpy itself records of an app's flow against the fake (function calls in parallel,
code_interpreter with logs and an image, a streamed run, file search citing an uploaded file) comes back to life
through `FakeAssistants.from_cassette`: the same app code gets the same statuses, texts with their annotations,
tool calls, code_interpreter inputs, logs and images and, with `ids="recorded"`, the same ids; the same code with
one more poll and one more message (what breaks a VCR replay) still passes; `cassette_report()` accounts for it.

vcrpy 9.x patches httpx's and httpx2's own transport classes (`HTTPTransport`, `MockTransport`...), not custom
ones like the fake's, so the recording client sends through a `MockTransport` whose handler calls the fake's
transport. Its handler gzips JSON answers as the service did; vcrpy keeps them as `!!binary` gzip bodies unless
`decode_compressed_response=True` (both are recorded here)."""

from __future__ import annotations

import asyncio
import gzip
import importlib
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openai
import pytest
import yaml

from fake_assistants import FakeAssistants
from fake_assistants.cassettes.reader import read_cassette
from fake_assistants.cassettes.turns import PLACEHOLDER_PNG, recorded_runs
from fake_assistants.runs.script import CodeInterpreter, FileSearch, FunctionCalls, Reply, SearchResult
from sdk_matrix import Sdk, Variant, httpx2_skip_reason, settle

vcr = pytest.importorskip("vcr")

BASE_URL = "https://api.openai.com/v1"
WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}
FACTS = b"Walruses haul themselves onto the ice with their tusks (otter-5 field notes)."
CHART = b"\x89PNG\r\n\x1a\n-heron-3-chart-bytes-"
CITING = "Walruses haul out on the ice with their tusks\u30104:0\u2020walrus_facts.txt\u3011 (otter-5)."


@dataclass(frozen=True, slots=True)
class Recorder:
    """How the cassette is recorded: the SDK variant, and whether vcrpy decodes the gzip bodies."""

    variant: Variant
    decode_compressed_response: bool = False

    @property
    def id(self) -> str:
        return f"{self.variant.id}-{'decoded' if self.decode_compressed_response else 'gzip'}"


def _param(recorder: Recorder) -> Any:
    reason = httpx2_skip_reason() if recorder.variant.http == "httpx2" else None
    return pytest.param(recorder, id=recorder.id, marks=[pytest.mark.skip(reason=reason)] if reason else [])


RECORDERS = [_param(Recorder(Variant("sync", "httpx"))), _param(Recorder(Variant("sync", "httpx"), True)),
             _param(Recorder(Variant("async", "httpx"))), _param(Recorder(Variant("sync", "httpx2"))),
             _param(Recorder(Variant("async", "httpx2")))]


def recording_client(fake: FakeAssistants, variant: Variant) -> Any:
    """An SDK client whose requests go through the http library's own `MockTransport` (which vcrpy patches) to
    the fake's transport; JSON answers come back gzip-encoded, as the service sent them, streams as text."""
    module = importlib.import_module(variant.http)
    inner = fake.httpx2_transport() if variant.http == "httpx2" else fake.httpx_transport()

    def gzipped(response: Any, content: bytes) -> Any:
        headers = dict(response.headers)
        if "application/json" in headers.get("content-type", ""):
            headers["content-encoding"] = "gzip"
            content = gzip.compress(content)
        headers.pop("content-length", None)
        return module.Response(response.status_code, headers=headers, content=content)

    def handle(request: Any) -> Any:
        response = inner.handle_request(request)
        return gzipped(response, response.read())

    async def handle_async(request: Any) -> Any:
        response = await inner.handle_async_request(request)
        return gzipped(response, await response.aread())

    if variant.is_async:
        http = module.AsyncClient(transport=module.MockTransport(handle_async), base_url=BASE_URL)
        return openai.AsyncOpenAI(api_key="sk-test", base_url=BASE_URL, max_retries=0, http_client=http)
    http = module.Client(transport=module.MockTransport(handle), base_url=BASE_URL)
    return openai.OpenAI(api_key="sk-test", base_url=BASE_URL, max_retries=0, http_client=http)


def replay_client(fake: FakeAssistants, variant: Variant) -> Any:
    factory = fake.async_openai_client if variant.is_async else fake.openai_client
    return factory(http=variant.http, max_retries=0)


async def streamed_run(client: Sdk, thread_id: str, assistant_id: str) -> tuple[Any, list[str]]:
    """The streamed run's final state and its events' names (a run of deltas counted once)."""
    manager = client.raw.beta.threads.runs.stream(thread_id=thread_id, assistant_id=assistant_id)
    names: list[str] = []
    if client.variant.is_async:
        async with manager as stream:
            names += [event.event async for event in stream]
            run = await stream.get_final_run()
    else:
        with manager as stream:
            names += [event.event for event in stream]
            run = stream.get_final_run()
    return run, [name for i, name in enumerate(names) if i == 0 or name != names[i - 1]]


def content_of(part: Any) -> Any:
    if part.type == "image_file":
        return ("image_file", part.image_file.file_id)
    annotations = [(a.type, a.text, a.start_index, a.end_index,
                    a.file_citation.file_id if a.type == "file_citation" else None) for a in part.text.annotations]
    return (part.text.value, annotations)


async def app_flow(client: Sdk, *, extra: bool = False) -> dict[str, Any]:
    """The app under test: upload a file into a vector store; a function-calling run (parallel calls), a
    code_interpreter run (logs and a chart it downloads), a streamed run, a file_search run citing the file.
    `extra`: one more poll and one more message, as a changed app would send."""
    beta = client.beta
    uploaded = await client.files.create(file=("walrus_facts.txt", FACTS), purpose="assistants")
    store = await client.vector_stores.create(name="Walrus facts")
    attached = await client.vector_stores.files.create_and_poll(file_id=uploaded.id, vector_store_id=store.id)
    helper = await beta.assistants.create(model="gpt-4o", tools=[WEATHER, TIME, {"type": "code_interpreter"}])
    librarian = await beta.assistants.create(model="gpt-4o", tools=[{"type": "file_search"}],
                                             tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await beta.threads.create()
    out: dict[str, Any] = {"ids": [uploaded.id, store.id, helper.id, librarian.id, thread.id],
                           "statuses": [attached.status]}

    await beta.threads.messages.create(thread.id, role="user", content="Weather and time in Paris?")
    run = await beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=helper.id)
    out["statuses"].append(run.status)
    calls = run.required_action.submit_tool_outputs.tool_calls if run.required_action else []
    out["calls"] = [(c.function.name, c.function.arguments) for c in calls]
    out["ids"] += [run.id, *(c.id for c in calls)]
    if extra:
        out["statuses"].append((await beta.threads.runs.retrieve(run.id, thread_id=thread.id)).status)
    run = await beta.threads.runs.submit_tool_outputs_and_poll(
        run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": c.id, "output": "ok"} for c in calls])
    out["statuses"].append(run.status)

    if extra:
        await beta.threads.messages.create(thread.id, role="user", content="One more thing.")
    await beta.threads.messages.create(thread.id, role="user", content="Now chart it.")
    run = await beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=helper.id)
    out["statuses"].append(run.status)
    steps = await beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")
    code = [c for s in steps.data if s.step_details.type == "tool_calls" for c in s.step_details.tool_calls]
    out["code"] = [(c.code_interpreter.input, [(o.type, o.logs if o.type == "logs" else o.image.file_id)
                                               for o in c.code_interpreter.outputs]) for c in code]
    images = [o.image.file_id for c in code for o in c.code_interpreter.outputs if o.type == "image"]
    out["charts"] = [(await client.files.content(image)).content for image in images]
    out["ids"] += [run.id, *(s.id for s in steps.data), *(c.id for c in code)]

    await beta.threads.messages.create(thread.id, role="user", content="Say goodbye.")
    streamed, out["events"] = await streamed_run(client, thread.id, helper.id)
    out["statuses"].append(streamed.status)
    out["ids"].append(streamed.id)

    await beta.threads.messages.create(thread.id, role="user", content="What do the walrus facts say?")
    run = await beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=librarian.id)
    out["statuses"].append(run.status)
    steps = await beta.threads.runs.steps.list(run.id, thread_id=thread.id, order="asc")
    out["searches"] = [(c.type, [(r.file_name, r.score) for r in c.file_search.results or []])
                       for s in steps.data if s.step_details.type == "tool_calls" for c in s.step_details.tool_calls]
    out["ids"] += [run.id, *(s.id for s in steps.data)]

    messages = await beta.threads.messages.list(thread.id, order="asc")
    out["texts"] = [[content_of(p) for p in m.content] for m in messages.data if m.role == "assistant"]
    out["ids"] += [m.id for m in messages.data]
    return out


def script_the_recording(fake: FakeAssistants) -> None:
    fake.script.call_functions([("get_weather", {"city": "Paris"}), ("get_time", {"tz": "CET"})])
    fake.script.reply("Sunny in Paris, 14:05 (walrus-7).")
    fake.script.code_interpreter("plot(6 * 7)", "42 (heron-3 logs)", images=[CHART])
    fake.script.reply("Here is the chart of 42 (heron-3).")
    fake.script.reply("Streamed goodbye (lynx-9).")
    fake.script.reply(CITING)  # the fake searches first: the librarian's run has file_search over the store


async def drive(client: Any, variant: Variant, **flow: Any) -> dict[str, Any]:
    sdk = Sdk(client, variant)
    try:
        return await app_flow(sdk, **flow)
    finally:
        await settle(client.close())


def use_cassette(path: Path, record_mode: str = "all", decode_compressed_response: bool = False
                 ) -> AbstractContextManager[Any]:
    recording = vcr.VCR(serializer="yaml", record_mode=record_mode, filter_headers=["authorization"],
                        decode_compressed_response=decode_compressed_response)
    cassette: AbstractContextManager[Any] = recording.use_cassette(str(path))
    return cassette


Recorded = tuple[Path, dict[str, Any], Variant]


@pytest.fixture(scope="module", params=RECORDERS)
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    recorder: Recorder = request.param
    fake = FakeAssistants(seed="recording")
    script_the_recording(fake)
    path = tmp_path_factory.mktemp("cassettes") / f"app_flow_{recorder.id}.yaml"
    with use_cassette(path, decode_compressed_response=recorder.decode_compressed_response):
        seen = asyncio.run(drive(recording_client(fake, recorder.variant), recorder.variant))
    assert fake.script.pending == []
    return path, seen, recorder.variant


async def test_vcrpy_wrote_the_cassette(recorded: Recorded) -> None:
    path, seen, _ = recorded
    document = load_yaml(path)
    interactions = document["interactions"]
    assert document["version"] == 1 and len(interactions) > 20
    assert all("authorization" not in {k.lower() for k in i["request"]["headers"]} for i in interactions)
    bodies = [i["response"]["body"]["string"] for i in interactions]
    gzipped = [b for b in bodies if isinstance(b, bytes) and b[:2] == b"\x1f\x8b"]
    encoded = [i for i in interactions if "content-encoding" in {k.lower() for k in i["response"]["headers"]}]
    assert len(gzipped) == len(encoded)
    assert bool(gzipped) is not recorded_decoded(path)
    recording = read_cassette(path)
    assert recording.format == "vcrpy"
    first = recording.interactions[0]
    assert (first.method, first.path, first.status) == ("POST", "/v1/files", 200)
    assert first.response_json is not None and first.response_json["filename"] == "walrus_facts.txt"
    streamed = [i for i in recording.interactions if i.events]
    assert [e.event for e in streamed[0].events][:2] == ["thread.run.created", "thread.run.queued"]
    assert "thread.message.delta" in seen["events"] and seen["events"][-1] == "thread.run.completed"
    assert streamed[0].response_body is None and streamed[0].stream is not None
    chart = [i for i in recording.interactions if i.path.endswith("/content")]
    assert [i.response_body for i in chart] == seen["charts"] == [CHART]


async def test_the_json_form_of_a_vcrpy_cassette_reads_the_same(recorded: Recorded, tmp_path: Path) -> None:
    path, _, _ = recorded
    as_json = tmp_path / "app_flow.json"
    document = load_yaml(path)
    for interaction in document["interactions"]:  # vcrpy's JSON serializer keeps text bodies as text
        body = interaction["response"]["body"]
        if isinstance(body["string"], bytes) and body["string"][:2] == b"\x1f\x8b":
            body["string"] = gzip.decompress(body["string"]).decode()
        elif isinstance(body["string"], bytes):
            body["string"] = body["string"].decode("latin-1")
    as_json.write_text(json.dumps(document), encoding="utf-8")
    json_form = [i for i in read_cassette(as_json).interactions if not i.path.endswith("/content")]
    assert json_form == [i for i in read_cassette(path).interactions if not i.path.endswith("/content")]


def expected_turns(search: FileSearch) -> list[Any]:
    return [
        FunctionCalls((("get_weather", '{"city":"Paris"}'), ("get_time", '{"tz":"CET"}'))),
        Reply("Sunny in Paris, 14:05 (walrus-7)."),
        CodeInterpreter("plot(6 * 7)", "42 (heron-3 logs)", (CHART,)),  # the image's bytes as downloaded
        Reply("Here is the chart of 42 (heron-3)."),
        Reply("Streamed goodbye (lynx-9)."),
        search,
        Reply(CITING),
    ]


async def test_each_recorded_run_becomes_its_turns(recorded: Recorded) -> None:
    path, seen, _ = recorded
    uploaded = seen["ids"][0]
    pinned = FileSearch(None, (SearchResult(uploaded, 0.0),))  # the recorded results, under the recorded ids
    fake = FakeAssistants.from_cassette(path, ids="recorded")
    assert [t.action for t in fake.script.turns] == expected_turns(pinned)
    recording = [read_cassette(path)]
    assert [t for run in recorded_runs(recording) for t in run.turns] == expected_turns(pinned)
    # with the fake's own ids the uploaded file is named otherwise: the step searches the stores again
    assert [t for run in recorded_runs(recording, recorded_ids=False) for t in run.turns] == expected_turns(
        FileSearch())


async def test_replay_gives_the_same_statuses_texts_and_tool_calls(recorded: Recorded) -> None:
    path, seen, variant = recorded
    fake = FakeAssistants.from_cassette(path)
    replayed = await drive(replay_client(fake, variant), variant)
    assert {k: v for k, v in replayed.items() if k not in ("ids", "code", "texts")} == {
        k: v for k, v in seen.items() if k not in ("ids", "code", "texts")}
    assert replayed["ids"] != seen["ids"]  # the fake's own seeded ids by default
    assert _without_file_ids(replayed) == _without_file_ids(seen)
    (citing,) = [text for text in replayed["texts"] if text[0][0] == CITING]
    marker = "\u30104:0\u2020walrus_facts.txt\u3011"
    start = CITING.index(marker)
    assert citing[0][1] == [("file_citation", marker, start, start + len(marker), replayed["ids"][0])]
    assert fake.cassette_report().never_replayed == ()


async def test_recorded_ids_are_handed_out_in_recorded_order(recorded: Recorded) -> None:
    path, seen, variant = recorded
    fake = FakeAssistants.from_cassette(path, ids="recorded")
    replayed = await drive(replay_client(fake, variant), variant)
    assert replayed == seen


async def test_one_more_poll_and_one_more_message_still_pass(recorded: Recorded) -> None:
    path, seen, variant = recorded
    fake = FakeAssistants.from_cassette(path, ids="recorded")
    changed = await drive(replay_client(fake, variant), variant, extra=True)
    assert changed["statuses"] == ["completed", "requires_action", "requires_action", "completed", "completed",
                                   "completed", "completed"]
    for key in ("texts", "calls", "code", "charts", "searches", "events"):
        assert changed[key] == seen[key], key
    assert changed["ids"][:8] == seen["ids"][:8]  # up to the extra message, the ids are the recorded ones


async def test_vcrpy_itself_replays_the_same_code_but_not_the_changed_code(recorded: Recorded) -> None:
    """What the fake is for: vcrpy's own playback serves the unchanged app and breaks on the changed one."""
    path, seen, variant = recorded
    with use_cassette(path, record_mode="none"):
        assert await drive(recording_client(FakeAssistants(), variant), variant) == seen
    with use_cassette(path, record_mode="none"), pytest.raises(
            (vcr.errors.CannotOverwriteExistingCassetteException, openai.APIConnectionError)) as raised:
        await drive(recording_client(FakeAssistants(), variant), variant, extra=True)
    # openai 1.x and 2.x wrap any error of the http client in APIConnectionError ("Connection error."), vcrpy's too;
    # openai 3.x wraps only the transport's own errors, so vcrpy's reaches the test as it was raised
    cause = raised.value.__cause__ if isinstance(raised.value, openai.APIConnectionError) else raised.value
    assert isinstance(cause, vcr.errors.CannotOverwriteExistingCassetteException)


async def test_the_transcript_names_the_recorded_run_behind_each_step(recorded: Recorded) -> None:
    path, _, variant = recorded
    fake = FakeAssistants.from_cassette(path)
    await drive(replay_client(fake, variant), variant)

    steps = [line.strip() for line in fake.transcript().splitlines() if line.strip().startswith("step ")]
    sources = {step.split(" · from ")[-1] for step in steps}
    recorded_runs_seen = {run.run_id for run in recorded_runs([read_cassette(path)])}
    assert steps and sources == {f"the cassette's {run_id}" for run_id in recorded_runs_seen}


async def test_the_report_lists_imports_and_runs_never_replayed(recorded: Recorded) -> None:
    path, _, _ = recorded
    fake = FakeAssistants.from_cassette(path)
    report = fake.cassette_report()
    assert len(report.never_replayed) == 4 and report.not_imported == ()
    assert sum(item.startswith("run ") for item in report.imported) == 4
    assert "recorded runs never replayed:" in str(report)


async def test_an_image_never_downloaded_is_a_placeholder_png(recorded: Recorded, tmp_path: Path) -> None:
    path, seen, variant = recorded
    document = load_yaml(path)
    document["interactions"] = [i for i in document["interactions"] if not i["request"]["uri"].endswith("/content")]
    trimmed = tmp_path / "no_download.yaml"
    trimmed.write_text(yaml.safe_dump(document), encoding="utf-8")
    fake = FakeAssistants.from_cassette(trimmed, ids="recorded")
    (code,) = [t.action for t in fake.script.turns if isinstance(t.action, CodeInterpreter)]
    assert code.images == (PLACEHOLDER_PNG,)
    (image,) = [o[1] for _, outputs in seen["code"] for o in outputs if o[0] == "image"]
    assert any(what.startswith("run_") and f"image {image} was never downloaded" in why
               for what, why in fake.cassette_report().not_imported)
    replayed = await drive(replay_client(fake, variant), variant)
    assert replayed["charts"] == [PLACEHOLDER_PNG] and replayed["code"] == seen["code"]


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def recorded_decoded(path: Path) -> bool:
    return path.stem.endswith("-decoded")


def _without_file_ids(flow: dict[str, Any]) -> tuple[Any, Any]:
    """Texts and code outputs with the (seeded, so different) file ids of images and citations left out."""
    texts = [[(p[0], [a[:4] for a in p[1]]) if p[0] != "image_file" else "image" for p in m] for m in flow["texts"]]
    code = [(code_input, [o[0] if o[0] == "image" else o for o in outputs]) for code_input, outputs in flow["code"]]
    return texts, code


def test_an_assistant_used_but_not_created_is_seeded_from_its_snapshot(tmp_path: Path) -> None:
    recorded_assistant: dict[str, Any] = {
        "id": "asst_abcdefghijklmnopqrstuvwx", "object": "assistant", "created_at": 1700000000, "name": "Math Tutor",
        "description": None, "model": "gpt-4o-mini", "instructions": "Be terse", "tools": [], "top_p": 1.0,
        "temperature": 1.0, "tool_resources": {}, "metadata": {}, "response_format": "auto"}
    cassette = {"interactions": [
        {"request": {"method": "GET", "uri": f"{BASE_URL}/assistants/{recorded_assistant['id']}", "body": None},
         "response": {"status": {"code": 200}, "body": {"string": json.dumps(recorded_assistant)}}},
        {"request": {"method": "POST", "uri": f"{BASE_URL}/chat/completions", "body": "{}"},
         "response": {"status": {"code": 200}, "body": {"string": "{}"}}},
    ]}
    path = tmp_path / "existing.json"
    path.write_text(json.dumps(cassette), encoding="utf-8")
    fake = FakeAssistants.from_cassette(path)
    got = fake.openai_client(http="httpx").beta.assistants.retrieve(recorded_assistant["id"])
    assert (got.name, got.instructions, got.created_at) == ("Math Tutor", "Be terse", 1700000000)
    report = fake.cassette_report()
    assert f"seeded {recorded_assistant['id']}" in report.imported
    assert [why for _, why in report.not_imported] == ["belongs to another API than Assistants"]
