"""`fake-assistants demo` and `--version`; `fake_assistants.__version__` agrees with the package metadata."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import pytest

import fake_assistants
from fake_assistants.__main__ import main


def test_version_comes_from_the_package_metadata(capsys: pytest.CaptureFixture[str]) -> None:
    assert fake_assistants.__version__ == version("fake-assistants")
    assert "__version__" in fake_assistants.__all__

    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == f"fake-assistants {fake_assistants.__version__}\n"


def test_demo_prints_the_quickstart_offline() -> None:
    """A fresh interpreter with sockets refused: the demo needs no network and no key, and says what happened."""
    no_network = (
        "import socket, sys\n"
        "def refuse(*args, **kwargs): raise OSError('the demo must not touch the network')\n"
        "socket.socket.connect = refuse; socket.getaddrinfo = refuse\n"
        "from fake_assistants.__main__ import main\n"
        "sys.exit(main(['demo']))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "error::DeprecationWarning"}  # no OPENAI_API_KEY
    done = subprocess.run([sys.executable, "-c", no_network], capture_output=True, text=True, env=env,
                          timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("assistant asst_") and "'Weather Bot'" in lines[0]
    assert lines[1].startswith("thread    thread_")
    assert lines[2].endswith(": What is the weather in Paris?")
    assert lines[3].endswith(": requires_action")
    assert "get_weather({\"city\":\"Paris\"}) -> '22°C and sunny in Paris'" in lines[4]
    assert "thread.message.delta x" in lines[5] and lines[5].endswith("thread.run.completed")
    assert lines[6].endswith("It is 22°C and sunny in Paris.") and "streamed in" in lines[6]
    assert lines[7].endswith(": completed")
    assert lines[8].startswith("7 requests, all answered in-process by the fake")
    assert done.stderr == ""


@pytest.mark.parametrize("installed", ["1.20.0", "1.2.3", "0.28.1"])
def test_the_demo_on_an_sdk_that_speaks_v1_only_says_so(installed: str, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    """openai before 1.21.0 sends `assistants=v1`, which the demo's v2 fake refuses: it says why, no traceback."""
    import openai

    monkeypatch.setattr(openai, "__version__", installed)

    assert main(["demo"]) == 2
    out = capsys.readouterr().out
    assert out.startswith(f"fake-assistants demo runs the Assistants v2 quickstart, and openai {installed} speaks "
                          "v1 only (v2 came with openai 1.21.0)")
    assert "docs/guides/v1.md" in out
