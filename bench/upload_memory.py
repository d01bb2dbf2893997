"""How many copies of a 50 MB upload the fake makes: upload, list, attach to a vector store, search.

    python bench/upload_memory.py [--megabytes 50]

tracemalloc measures what the fake allocates while it handles the requests, in multiples of the
payload. The request body (the multipart upload as a transport hands it over) exists before the first
request and is not counted: it belongs to the client. The target is at most one copy: the File's
stored bytes. Vector-store chunks are spans of those bytes, and search decodes one chunk at a time.

Two figures:

- core: `fake.handle(ApiRequest)` with a prebuilt multipart body, the sans-IO path every transport uses;
  the target applies here (the script exits 1 when it is missed);
- sdk: the same through `openai.OpenAI` on the httpx transport, for reference; it also counts what the
  SDK and httpx allocate (the file tuple, the encoded multipart body), which the fake does not control.

Timings are printed for information only; nothing here is a timed assertion.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fake_assistants import ApiRequest, FakeAssistants, ManualClock

MB = 1024 * 1024
TARGET_COPIES = 1.0
SLACK = 0.1  # allocations that are not the payload (ids, JSON answers, one decoded chunk), in payloads
NEEDLE = b"The quartermaster hid the brass astrolabe under the ninth floorboard. "
QUESTION = "Which floorboard hides the brass astrolabe?"
FILLER = b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore. "
BOUNDARY = "bench-upload-memory-5c1e"
V2 = {"openai-beta": "assistants=v2", "content-type": "application/json"}


def payload(size: int) -> bytes:
    """`size` bytes of ASCII text with one findable sentence at three quarters of the way."""
    filler = FILLER * (size // len(FILLER) + 1)
    at = (size * 3 // 4) // len(FILLER) * len(FILLER)
    return (filler[:at] + NEEDLE + filler[at:])[:size]


def multipart(data: bytes) -> tuple[str, bytes]:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nassistants\r\n'
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode()
    return f"multipart/form-data; boundary={BOUNDARY}", b"".join([head, data, f"\r\n--{BOUNDARY}--\r\n".encode()])


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    retained: float  # in payloads, still allocated at the end
    peak: float  # in payloads, the most allocated at once
    seconds: float
    top_score: float


def measure(name: str, size: int, work: Callable[[], float]) -> Figure:
    tracemalloc.start()
    baseline, _ = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    started = time.perf_counter()
    score = work()
    seconds = time.perf_counter() - started
    gc.collect()  # what work() dropped in reference cycles is not retained
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return Figure(name, (current - baseline) / size, (peak - baseline) / size, seconds, score)


def core_path(fake: FakeAssistants, content_type: str, body: bytes) -> Callable[[], float]:
    def call(method: str, path: str, payload: dict[str, Any] | None = None, **headers: str) -> Any:
        raw = b"" if payload is None else json.dumps(payload).encode()
        response = fake.handle(ApiRequest.build(method, path, headers={**V2, **headers}, body=raw))
        assert response.status == 200 and isinstance(response.body, bytes), response.body
        return json.loads(response.body)

    def work() -> float:
        upload = fake.handle(ApiRequest.build("POST", "/v1/files", headers={"content-type": content_type},
                                              body=body))
        assert upload.status == 200 and isinstance(upload.body, bytes), upload.body
        file_id = json.loads(upload.body)["id"]
        assert [f["id"] for f in call("GET", "/v1/files")["data"]] == [file_id]
        store = call("POST", "/v1/vector_stores", {"file_ids": [file_id]})
        assert call("GET", f"/v1/vector_stores/{store['id']}/files/{file_id}")["status"] == "completed"
        found = call("POST", f"/v1/vector_stores/{store['id']}/search", {"query": QUESTION})
        assert NEEDLE.decode().strip() in found["data"][0]["content"][0]["text"]
        return float(found["data"][0]["score"])

    return work


def sdk_path(fake: FakeAssistants, data: bytes) -> Callable[[], float]:
    client = fake.openai_client(http="httpx", max_retries=0)  # built (and openai imported) before measuring
    client.files.list()

    def work() -> float:
        uploaded = client.files.create(file=("big.txt", data), purpose="assistants")
        assert [f.id for f in client.files.list().data] == [uploaded.id]
        store = client.vector_stores.create(file_ids=[uploaded.id])
        assert client.vector_stores.files.poll(uploaded.id, vector_store_id=store.id).status == "completed"
        found = client.vector_stores.search(store.id, query=QUESTION)
        assert NEEDLE.decode().strip() in found.data[0].content[0].text
        return float(found.data[0].score)

    return work


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=50)
    size = parser.parse_args().megabytes * MB
    data = payload(size)
    content_type, body = multipart(data)

    core = measure("core", size, core_path(FakeAssistants(seed=0, clock=ManualClock()), content_type, body))
    del body
    sdk = measure("sdk", size, sdk_path(FakeAssistants(seed=0, clock=ManualClock()), data))

    for figure in (core, sdk):
        print(f"{figure.name}: {size // MB} MB upload + list + attach + search: peak {figure.peak:.2f}x payload, "
              f"retained {figure.retained:.2f}x, top score {figure.top_score}, {figure.seconds:.1f} s")
    ok = core.peak <= TARGET_COPIES + SLACK and core.retained <= TARGET_COPIES + SLACK
    print(f"target (core): at most {TARGET_COPIES:.0f} copy of the payload: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
