"""Memory under hostile input and long runs, against `fake-assistants serve` (a separate process).

    python bench/soak.py [--cycles 3000] [--every 250] [--skip-upload]

Three figures, each from a fresh server, read from /proc/<pid>/status (VmRSS now, VmHWM the peak):

1. rejected bodies: five `POST /v1/assistants {"model": "gpt-4o", "zzz": "<10 MB>"}` (each a 400): the RSS
   growth; the target is under 10 MB (the journal keeps 64 KiB of each body);
2. a 600 MB upload (`POST /v1/files`, multipart with its content-length, streamed from a generator so the
   client holds none of it): the status and the server's peak RSS; the target is a 4xx and a peak under
   200 MB (the declared length is over the limit, so none of the body is read). For reference, the same body
   sent chunked (no content-length): refused once 513 MB have been read;
3. the soak: `--cycles` times create an assistant and a thread, stream a run to its end, delete both; the RSS
   every `--every` cycles. It must flatten once the journal is full (10,000 calls or 64 MiB).

Needs Linux (/proc) and the `server` extra. Nothing here runs in CI; record the figures in docs/RELIABILITY.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parent.parent


def rss(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of `pid`, in MB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


class Server:
    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "fake_assistants", "serve", "--port", "0"],
                                        stdout=subprocess.PIPE, text=True, cwd=ROOT)
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        assert line.startswith("fake-assistants listening on "), line
        self.url = line.rsplit(" ", 1)[1]
        host_port = self.url.split("//", 1)[1].split("/", 1)[0]
        self.host, port = host_port.rsplit(":", 1)
        self.port = int(port)

    def rss(self) -> tuple[float, float]:
        return rss(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


def raw_post(server: Server, path: str, headers: dict[str, str], body: Iterator[bytes]) -> int:
    """POST `body` chunk by chunk over a plain socket; the status of the answer (read as soon as it comes)."""
    with socket.create_connection((server.host, server.port)) as sock:
        head = f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n" + "".join(
            f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode())
        sock.setblocking(False)
        answer = b""
        for chunk in body:
            with contextlib.suppress(BlockingIOError):
                answer += sock.recv(65536)
            if answer:
                break
            try:
                sock.setblocking(True)
                sock.sendall(chunk)
                sock.setblocking(False)
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(60)
        while b"\r\n" not in answer:
            answer += sock.recv(65536)
        return int(answer.split(b" ", 2)[1])


def rejected_bodies() -> None:
    server = Server()
    try:
        client = openai.OpenAI(base_url=server.url, api_key="sk-bench", max_retries=0)
        client.beta.assistants.create(model="gpt-4o")  # warm up: imports, first allocations
        before = server.rss()[0]
        body = json.dumps({"model": "gpt-4o", "zzz": "z" * (10 * 1000 * 1000)})
        statuses = []
        for _ in range(5):
            answered = httpx.post(server.url + "/assistants", content=body,
                                  headers={"OpenAI-Beta": "assistants=v2", "content-type": "application/json"})
            statuses.append(answered.status_code)
        after = server.rss()[0]
        print(f"1. five rejected 10 MB bodies: statuses {statuses}; RSS {before:.1f} -> {after:.1f} MB "
              f"(+{after - before:.1f} MB; target < 10 MB)")
    finally:
        server.stop()


def upload(chunked: bool) -> None:
    server = Server()
    try:
        size = 600 * 1000 * 1000
        boundary = "soak-boundary"
        head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nassistants\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        block = b"x" * MB

        def parts() -> Iterator[bytes]:
            yield head
            for _ in range(size // MB):
                yield block
            yield tail

        def framed() -> Iterator[bytes]:
            for part in parts():
                yield f"{len(part):x}\r\n".encode() + part + b"\r\n" if chunked else part
            if chunked:
                yield b"0\r\n\r\n"

        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}", "OpenAI-Beta": "assistants=v2"}
        if chunked:
            headers["Transfer-Encoding"] = "chunked"
        else:
            headers["Content-Length"] = str(len(head) + size + len(tail))
        before = server.rss()[0]
        started = time.perf_counter()
        status = raw_post(server, "/v1/files", headers, framed())
        now, peak = server.rss()
        kind = "chunked, no content-length" if chunked else "with content-length"
        print(f"2. a 600 MB upload ({kind}): status {status} after {time.perf_counter() - started:.1f} s; "
              f"RSS {before:.1f} MB before, peak {peak:.1f} MB, {now:.1f} MB after")
    finally:
        server.stop()


def soak(cycles: int, every: int) -> None:
    server = Server()
    try:
        client = openai.OpenAI(base_url=server.url, api_key="sk-bench", max_retries=0)
        print(f"3. soak: {cycles} cycles (assistant, thread, streamed run, delete both); RSS in MB")
        started = time.perf_counter()
        for cycle in range(1, cycles + 1):
            assistant = client.beta.assistants.create(model="gpt-4o", instructions="Be brief. " * 20)
            thread = client.beta.threads.create(messages=[{"role": "user", "content": "Hello there " * 30}])
            with client.beta.threads.runs.stream(thread_id=thread.id, assistant_id=assistant.id) as stream:
                stream.until_done()
            client.beta.threads.delete(thread.id)
            client.beta.assistants.delete(assistant.id)
            if cycle % every == 0 or cycle == 1:
                current, peak = server.rss()
                print(f"   cycle {cycle:6d} ({5 * cycle:6d} API calls): RSS {current:7.1f}  peak {peak:7.1f}  "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
    finally:
        server.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--cycles", type=int, default=3000)
    parser.add_argument("--every", type=int, default=250)
    parser.add_argument("--skip-upload", action="store_true")
    args = parser.parse_args()
    if not Path("/proc/self/status").exists():
        print("bench/soak.py reads /proc: Linux only", file=sys.stderr)
        return 2
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    rejected_bodies()
    if not args.skip_upload:
        upload(chunked=False)
        upload(chunked=True)
    soak(args.cycles, args.every)
    return 0


if __name__ == "__main__":
    sys.exit(main())
