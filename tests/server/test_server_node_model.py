"""`fake-assistants serve --model-base-url` serves the Node flow (tests/server/node/assistants_flow.mjs, the
official `openai` npm package) end to end with a model's answers: a scripted chat-completions backend on
loopback answers what the flow's script would, and the flow scripts nothing (FAKE_ASSISTANTS_FLOW_MODEL=1).

It needs node and the `openai` npm package: a node_modules folder holding it, named by
FAKE_ASSISTANTS_NODE_MODULES or at tests/server/node/node_modules (CI's Node stage runs the same flow)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from chat_backend import NODE_FLOW, chat_backend
from server_support import serve_command

FLOW = Path(__file__).parent / "node" / "assistants_flow.mjs"


def node_modules() -> Path | None:
    named = os.environ.get("FAKE_ASSISTANTS_NODE_MODULES")
    folder = Path(named) if named else FLOW.parent / "node_modules"
    return folder if (folder / "openai" / "package.json").is_file() else None


@pytest.mark.skipif(shutil.which("node") is None or node_modules() is None,
                    reason="needs node and the openai npm package (FAKE_ASSISTANTS_NODE_MODULES)")
def test_the_node_flow_runs_on_the_models_answers(tmp_path: Path) -> None:
    modules = node_modules()
    assert modules is not None
    (tmp_path / "node_modules").symlink_to(modules.resolve())  # ESM resolves `openai` next to the script
    shutil.copy(FLOW, tmp_path / FLOW.name)
    with chat_backend() as backend:
        for index, answer in enumerate(NODE_FLOW):
            if isinstance(answer, str):
                backend.reply(answer)
            else:
                backend.call((f"call-{index}", *answer))
        with serve_command("--model-base-url", backend.url, "--model", "scripted-7b") as served:
            flow = subprocess.run(["node", str(tmp_path / FLOW.name), served.base_url.removesuffix("/v1")],
                                  capture_output=True, text=True, timeout=120,
                                  env={**os.environ, "FAKE_ASSISTANTS_FLOW_MODEL": "1",
                                       "FAKE_ASSISTANTS_API_KEY": "sk-node"})

    assert flow.returncode == 0, flow.stderr
    assert flow.stdout.strip() == "node assistants flow: ok (the model answered)"
    assert len(backend.requests) == 4
    assert backend.requests[-1]["messages"][-1] == {"role": "tool", "tool_call_id": "call-2",
                                                    "content": '{"sky": "sunny"}'}
