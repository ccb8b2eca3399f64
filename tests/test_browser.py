"""The browser simulator in a real browser: Debian's chromium driven by Playwright, against
`heroin-help web` started as a user starts it (it starts the service itself), with a fake
microphone playing espeak-ng saying "my friend is not breathing".

One browser serves the whole session; each test opens its own context and fails on any console
error, uncaught exception, failed request or HTTP error the page saw.
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    async_playwright,
    expect,
)

from speech import content
from speech.simulator.devpki import load_signing_key
from speech.simulator.devservice import dev_pki
from speech.simulator.transports import SignedClient
from speech.simulator.web.app import create_web_app
from speech.simulator.web.server import SERVING
from tests.helpers import BROWSER_NOTES, spoken_wav

pytestmark = pytest.mark.asyncio(loop_scope="session")

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; `playwright install` is never used
EMERGENCY = "my friend isn't breathing"
SPOKEN = "my friend is not breathing"
WAIT_MS = 30_000  # a shared 2-core machine can be slow; nothing here is a speed test


@pytest.fixture(scope="session")
def simulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`heroin-help web --port 0`, which starts its own service; its address."""
    state = tmp_path_factory.mktemp("web-state")
    process = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "web", "--port", "0", "--state-dir", str(state)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = SERVING.format(url="")
    assert line.startswith(prefix), line
    try:
        yield line[len(prefix) :].split()[0]
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed: make install installs it")
    # Half a second of silence first: the fake microphone starts playing as the page opens it.
    microphone = spoken_wav(SPOKEN, tmp_path_factory.mktemp("mic") / "mic.wav", lead_seconds=0.5)
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--use-fake-device-for-media-stream",
                # %noloop: the file plays once each time the page opens the microphone
                f"--use-file-for-fake-audio-capture={microphone}%noloop",
            ],
        )
        yield launched
        await launched.close()


@dataclass
class Tab:
    page: Page
    errors: list[str] = field(default_factory=list)

    def watch(self) -> None:
        def console(message: ConsoleMessage) -> None:
            if message.type in ("error", "assert"):
                self.errors.append(f"console.{message.type}: {message.text}")

        def failed(request: Request) -> None:
            # A newer answer pausing an older one's audio mid-download is the browser's
            # choice, not a failure; a WAV that fails to load shows as an HTTP error or a
            # console error instead.
            if request.resource_type == "media" and request.failure == "net::ERR_ABORTED":
                return
            self.errors.append(f"request failed: {request.url} {request.failure}")

        def response(answer: Response) -> None:
            if answer.status >= 400:
                self.errors.append(f"HTTP {answer.status}: {answer.url}")

        self.page.on("console", console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("requestfailed", failed)
        self.page.on("response", response)


@asynccontextmanager
async def open_tab(browser: Browser, *, microphone: bool) -> AsyncIterator[Tab]:
    """A fresh browser profile; `microphone`: the user allows the page to use it (headless
    chromium refuses it otherwise, as a user who clicked Block would)."""
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    if microphone:
        await context.grant_permissions(["microphone"])
    opened = Tab(await context.new_page())
    opened.watch()
    try:
        yield opened
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="session")
async def tab(browser: Browser) -> AsyncIterator[Tab]:
    async with open_tab(browser, microphone=True) as opened:
        yield opened


async def shoot(page: Page, screenshots: Path, name: str, *, full_page: bool = True) -> Path:
    path = screenshots / f"{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    BROWSER_NOTES.append(f"screenshot: {path}")
    return path


async def type_line(page: Page, text: str) -> None:
    box = page.get_by_label("What you say to the speaker")
    await box.fill(text)
    await box.press("Enter")


def newest(page: Page) -> Locator:
    return page.locator(".turn").first


async def turns_shown(page: Page, count: int) -> None:
    await expect(page.locator(".turn")).to_have_count(count, timeout=WAIT_MS)


async def press(page: Page, button: str, *, turns: int) -> Locator:
    """Press a button that answers with a turn; the newest turn once it is the `turns`th."""
    await page.get_by_role("button", name=button, exact=True).click()
    await turns_shown(page, turns)
    return newest(page)


async def test_a_typed_emergency_shows_911_the_intent_the_json_and_a_playable_wav(
    tab: Tab, simulator: str, screenshots: Path
) -> None:
    page = tab.page
    await page.goto(simulator)
    await type_line(page, EMERGENCY)

    turn = newest(page)
    await expect(turn.locator(".speech")).to_contain_text("Call 9 1 1", timeout=WAIT_MS)
    # The answer is announced, and the text box keeps the focus for the next line.
    await expect(page.locator("#latest")).to_contain_text("Call 9 1 1")
    await expect(page.get_by_label("What you say to the speaker")).to_be_focused()
    await expect(turn).to_contain_text("OverdoseEmergencyIntent")
    await expect(turn).to_contain_text("Opioid overdose steps")  # the card
    await expect(turn).to_contain_text("Say next when you've called")  # the reprompt
    request = turn.locator("details", has_text="Request JSON: IntentRequest")
    response = turn.locator("details", has_text="Response JSON")
    await request.locator("summary").click()
    await response.locator("summary").click()
    await expect(request.locator("pre")).to_contain_text('"type": "IntentRequest"')
    await expect(response.locator("pre")).to_contain_text('"outputSpeech"')
    await expect(turn.locator("details", has_text="Session attributes")).to_have_count(1)

    audio = await turn.locator("audio").evaluate(
        """async (audio) => {
            if (audio.readyState < 1) await new Promise((loaded, failed) => {
                audio.addEventListener("loadedmetadata", loaded, {once: true});
                audio.addEventListener("error", () => failed(audio.error), {once: true});
            });
            audio.muted = true;
            await audio.play();
            const started = audio.currentTime;
            await new Promise((wait) => setTimeout(wait, 400));
            const moved = audio.currentTime > started;
            return {src: audio.currentSrc, duration: audio.duration, moved};
        }"""
    )
    assert audio["src"].endswith(".wav")
    assert 3 < audio["duration"] < 60 and audio["moved"]

    await shoot(page, screenshots, "1-typed-emergency")
    assert tab.errors == []


async def test_the_quick_buttons_move_through_the_guide(tab: Tab, simulator: str) -> None:
    page = tab.page
    await page.goto(simulator)
    for name in ("Yes", "No", "Next", "Repeat", "Go back", "Stop"):
        await expect(page.get_by_role("button", name=name, exact=True)).to_have_count(1)
    await type_line(page, EMERGENCY)
    await turns_shown(page, 1)

    speech = (await press(page, "Next", turns=2)).locator(".speech")
    assert (await speech.inner_text()).startswith("Check if they respond")
    await expect(speech).to_be_focused()  # a button's answer takes the focus, to be read out

    answered = await press(page, "Yes", turns=3)
    await expect(answered).to_contain_text("AMAZON.YesIntent")
    asked = await answered.locator(".speech").inner_text()

    repeated = await press(page, "Repeat", turns=4)
    await expect(repeated).to_contain_text("AMAZON.RepeatIntent")
    assert await repeated.locator(".speech").inner_text() == asked
    assert tab.errors == []


async def test_the_microphone_reaches_the_emergency(
    tab: Tab, simulator: str, screenshots: Path
) -> None:
    page = tab.page
    await page.goto(simulator)
    talk = page.get_by_role("button", name="Talk")
    await talk.click()

    turn = newest(page)
    await expect(turn).to_contain_text(f"Heard{SPOKEN}", timeout=WAIT_MS)
    await expect(turn).to_contain_text("microphone, recogniser confidence")
    await expect(turn).to_contain_text("OverdoseEmergencyIntent")
    await expect(turn.locator(".speech")).to_contain_text("Call 9 1 1")
    await expect(talk).to_have_attribute("aria-pressed", "false")
    await shoot(page, screenshots, "2-microphone")
    assert tab.errors == []


async def test_coming_back_later_ends_the_session_as_alexa_does_and_opens_it_again(
    tab: Tab, simulator: str, screenshots: Path
) -> None:
    page = tab.page
    await page.goto(simulator)
    await type_line(page, EMERGENCY)
    await turns_shown(page, 1)
    await press(page, "Next", turns=2)

    turn = await press(page, "Come back later", turns=3)
    ended = turn.locator("details", has_text="Request JSON 1 of 2: SessionEndedRequest")
    launched = turn.locator("details", has_text="Request JSON 2 of 2: LaunchRequest")
    await ended.locator("summary").click()
    await launched.locator("summary").click()
    await expect(ended.locator("pre")).to_contain_text('"reason": "EXCEEDED_MAX_REPROMPTS"')
    await expect(launched.locator("pre")).to_contain_text('"new": true')
    spoken = await turn.locator(".speech").inner_text()
    # The same caller, back in a new session: straight to the step they were on, no greeting.
    assert spoken.startswith("Check if they respond"), spoken
    BROWSER_NOTES.append(f"came back later to: {spoken[:70]}")
    await shoot(page, screenshots, "3-come-back-later")
    assert tab.errors == []


async def test_review_lists_every_answer_and_plays_one(
    tab: Tab, simulator: str, screenshots: Path
) -> None:
    page = tab.page
    answers = list(content.load("en-US").heard())
    await page.goto(simulator + "review")

    rows = page.locator("#answers tbody tr")
    # The first visit renders every answer with espeak-ng: the slow part of the whole suite.
    await expect(rows).to_have_count(len(answers), timeout=180_000)
    seconds = await page.locator("#answers tbody td:nth-child(4)").all_inner_texts()
    assert all(float(cell.split(" ")[0]) > 0.3 for cell in seconds)

    await page.get_by_role("button", name="Play").first.click()
    await page.wait_for_function(
        "() => { const p = document.getElementById('player'); return p.currentTime > 0.2; }",
        timeout=WAIT_MS,
    )
    await expect(page.locator("#playing")).to_contain_text("Playing:")

    await page.get_by_label("Find", exact=True).fill("naloxone")
    found = await rows.count()
    assert 0 < found < len(answers)
    await page.get_by_label("Find", exact=True).fill("")
    await page.get_by_label("Only answers over a limit").check()
    flagged = await rows.count()
    assert flagged == await page.locator("#answers tbody tr.over").count()
    await page.get_by_label("Only answers over a limit").uncheck()
    await page.get_by_label("Sort by").select_option("seconds")
    await shoot(page, screenshots, "4-review", full_page=False)  # the whole table is 25,000 px
    BROWSER_NOTES.append(f"review: {len(answers)} answers, {flagged} over a limit")
    assert tab.errors == []


async def test_problems_show_as_clear_messages_on_the_page(
    browser: Browser, tab: Tab, simulator: str, screenshots: Path, tmp_path: Path
) -> None:
    page = tab.page
    alert = page.get_by_role("alert")

    await page.goto(simulator + "?locale=xx-XX")
    await expect(alert).to_contain_text("unknown locale 'xx-XX'")
    # The refused request is the page's only complaint (the network log and the console's
    # note of the same response).
    assert tab.errors and all("400" in error for error in tab.errors), tab.errors
    tab.errors.clear()

    # The user refuses the microphone.
    async with open_tab(browser, microphone=False) as refusing:
        await refusing.page.goto(simulator)
        await refusing.page.get_by_role("button", name="Talk").click()
        refused = refusing.page.get_by_role("alert")
        await expect(refused).to_contain_text("did not allow the microphone")
        await expect(refusing.page.get_by_role("button", name="Talk")).to_have_attribute(
            "aria-pressed", "false"
        )
        assert refusing.errors == []

    # The service is down: a web app whose skill is at a port nobody listens on.
    down = "http://127.0.0.1:9/"
    transport = SignedClient(down, load_signing_key(dev_pki(tmp_path).signing_key))
    server = TestServer(create_web_app(transport, state=tmp_path, skill_url=down), host="127.0.0.1")
    await server.start_server()
    try:
        await page.goto(str(server.make_url("/")))
        await type_line(page, EMERGENCY)
        await expect(alert).to_contain_text(f"service at {down} is not answering")
        await expect(alert).not_to_contain_text("Traceback")
        await shoot(page, screenshots, "5-service-down")
    finally:
        await server.close()
    assert tab.errors and all("502" in error for error in tab.errors), tab.errors


async def test_time_from_a_typed_line_to_the_answer_and_the_pages_weight(
    tab: Tab, simulator: str
) -> None:
    page = tab.page
    await page.goto(simulator)
    await expect(page.locator("#session-state")).to_contain_text("No session yet")
    lines = [EMERGENCY, "next", "yes", "repeat", "no", "what is naloxone", "what is methadone"]
    times = []
    for line in lines:
        # From the Enter key to the answer in the page, measured inside the page.
        elapsed = await page.evaluate(
            """(line) => new Promise((shown) => {
                const turns = document.getElementById("turns");
                const before = turns.children.length;
                const box = document.getElementById("say-text");
                const observer = new MutationObserver(() => {
                    if (turns.children.length > before) {
                        observer.disconnect();
                        shown(performance.now() - started);
                    }
                });
                observer.observe(turns, {childList: true});
                box.value = line;
                const started = performance.now();
                box.form.requestSubmit();
            })""",
            line,
        )
        times.append(float(elapsed))
        await expect(newest(page).locator(".speech")).not_to_be_empty()
    assert await page.locator(".turn").count() == len(lines)
    weight = await page.evaluate(
        """() => [performance.getEntriesByType("navigation")[0],
                  ...performance.getEntriesByType("resource")]
            .filter((entry) => /\\.(html|css|js)$|\\/$/.test(new URL(entry.name).pathname))
            .map((entry) => [new URL(entry.name).pathname, entry.decodedBodySize])"""
    )
    await page.goto(simulator + "review")
    review = await page.evaluate(
        """() => [performance.getEntriesByType("navigation")[0],
                  ...performance.getEntriesByType("resource")]
            .filter((entry) => /\\.(html|css|js)$|review$/.test(new URL(entry.name).pathname))
            .map((entry) => [new URL(entry.name).pathname, entry.decodedBodySize])"""
    )
    files = dict(weight) | dict(review)
    BROWSER_NOTES.append(
        f"typed line to answer shown: median {statistics.median(times):.0f} ms over "
        f"{len(times)} lines (min {min(times):.0f}, max {max(times):.0f})"
    )
    BROWSER_NOTES.append(
        "page weight: "
        + ", ".join(f"{path} {size} B" for path, size in sorted(files.items()))
        + f"; total {sum(files.values())} B"
    )
    assert tab.errors == []
