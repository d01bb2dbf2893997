"""The live page in a real browser: headless Chromium (the OS package) driven by Selenium and the OS chromedriver.

The page is opened on a served fake before anything happens; then a scripted run with a function call goes to
completion through the SDK, and the user message, the function call with its arguments and the final reply must
appear without a reload (waited for with Selenium's own `WebDriverWait`, never a sleep). A screenshot is written to
`$FAKE_ASSISTANTS_ARTIFACTS` (CI keeps that folder) or to the test's tmp dir.

Skips, saying why, when selenium, chromium or chromedriver is missing; `.ci/run` installs all three and sets
`FAKE_ASSISTANTS_REQUIRE_BROWSER=1`, which makes a missing browser a failure instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fake_assistants import FakeAssistants, ManualClock
from fake_assistants.server.threaded import ThreadedServer
from server_support import sdk

CHROMIUM = os.environ.get("FAKE_ASSISTANTS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FAKE_ASSISTANTS_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--window-size=1280,900")
WAIT_SECONDS = 30  # an upper bound for each wait: the page polls every half second
WEATHER_TOOL = {"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}

REQUIRED = os.environ.get("FAKE_ASSISTANTS_REQUIRE_BROWSER") == "1"

if not REQUIRED:
    pytest.importorskip("selenium.webdriver", reason="the browser test needs selenium (the test extra)")
from selenium import webdriver  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


def _missing_browser() -> str | None:
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)) and shutil.which(path) is None:
            return f"{path} not found: install the OS packages (apt-get install chromium chromium-driver)" \
                   f" to run the browser test ({package})"
    return None


pytestmark = pytest.mark.skipif(not REQUIRED and _missing_browser() is not None, reason=_missing_browser() or "")


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = _missing_browser()
    if missing is not None:
        pytest.fail(f"FAKE_ASSISTANTS_REQUIRE_BROWSER is set, but {missing}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    chosen = os.environ.get("FAKE_ASSISTANTS_ARTIFACTS")
    folder = Path(chosen) if chosen else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def page_text(driver: Any) -> str:
    return str(driver.find_element(By.ID, "threads").text)


def wait_for_text(driver: Any, text: str) -> None:
    WebDriverWait(driver, WAIT_SECONDS).until(lambda d: text in page_text(d),
                                              message=f"{text!r} never appeared on the page")


def test_the_page_follows_a_function_call_run_live(browser: Any, screenshot_dir: Path) -> None:
    fake = FakeAssistants(seed=0, clock=ManualClock(1_700_000_000))
    fake.script.call_function("get_weather", {"city": "Paris"}).reply("It is sunny in Paris today.")
    server: ThreadedServer
    with fake.serve() as server:
        host, port = server.address
        browser.get(f"http://{host}:{port}/__fake__/")
        WebDriverWait(browser, WAIT_SECONDS).until(
            lambda d: d.find_element(By.ID, "live").text == "live", message="the page never reached the fake")
        assert "No threads yet." in page_text(browser)
        browser.execute_script("window.notReloaded = true;")  # gone if the page reloads

        client = sdk(server.base_url)
        try:
            assistant = client.beta.assistants.create(model="gpt-4o", name="Weather bot", tools=[WEATHER_TOOL])
            thread = client.beta.threads.create()
            client.beta.threads.messages.create(thread.id, role="user", content="What's the weather in Paris?")
            wait_for_text(browser, "What's the weather in Paris?")

            run = client.beta.threads.runs.create_and_poll(thread_id=thread.id, assistant_id=assistant.id)
            wait_for_text(browser, 'get_weather({"city":"Paris"}) → (no output yet)')

            call = run.required_action.submit_tool_outputs.tool_calls[0]
            client.beta.threads.runs.submit_tool_outputs_and_poll(
                run_id=run.id, thread_id=thread.id, tool_outputs=[{"tool_call_id": call.id, "output": "22 C, sunny"}])
            wait_for_text(browser, "It is sunny in Paris today.")
        finally:
            client.close()

        text = page_text(browser)
        assert 'get_weather({"city":"Paris"}) → 22 C, sunny' in text
        assert "completed 22:13:20" in text
        assert browser.execute_script("return window.notReloaded === true;")
        WebDriverWait(browser, WAIT_SECONDS).until(
            lambda d: "runs.submit_tool_outputs" in d.find_element(By.ID, "calls").text,
            message="the journal never showed the submission")
        path = screenshot_dir / "live-page.png"
        assert browser.save_screenshot(str(path))
        assert path.stat().st_size > 0
