"""The browser simulator's web app over HTTP: a real service on 127.0.0.1 signed for with the dev
CA, real espeak-ng audio and the real recogniser; the pages themselves are in test_browser.py."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from skill.app import create_app
from skill.settings import Settings
from speech import content
from speech.simulator.asr.understand import ears as recogniser
from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.devservice import dev_pki, running_service
from speech.simulator.envelopes import DEV_SKILL_ID
from speech.simulator.transports import SignedClient
from speech.simulator.web.app import create_web_app
from speech.simulator.web.audio import CACHE_DIR
from speech.simulator.web.engines import NO_EARS, Render, Transcribe
from speech.simulator.web.review import Item, Limit
from speech.simulator.web.server import SERVING
from speech.tts.engine import TTSUnavailable, render_wav, speaker
from tests.helpers import spoken_wav

EMERGENCY = "my friend isn't breathing"


@pytest.fixture(scope="module")
def voice() -> Render:
    try:
        speaker()
    except TTSUnavailable as error:
        pytest.skip(f"no offline TTS engine: {error}")
    return render_wav


@pytest.fixture(scope="module")
def ears() -> Transcribe:
    found = recogniser()
    if found is None:
        pytest.skip("pocketsphinx is not installed (the sim extra)")
    return found


def web_client(
    skill_url: str,
    pki: DevPaths,
    state: Path,
    render: Render | None = None,
    transcribe: Transcribe | None = None,
) -> TestClient[Any, Any]:
    transport = SignedClient(skill_url, load_signing_key(pki.signing_key))
    app = create_web_app(
        transport, state=state, render=render, transcribe=transcribe, skill_url=skill_url
    )
    return TestClient(TestServer(app, host="127.0.0.1"))


@pytest.fixture
async def web(
    service: TestServer, dev_pki: DevPaths, tmp_path: Path, voice: Render, ears: Transcribe
) -> AsyncIterator[TestClient[Any, Any]]:
    async with web_client(str(service.make_url("/")), dev_pki, tmp_path, voice, ears) as client:
        yield client


async def start(client: TestClient[Any, Any], locale: str = "en-US") -> str:
    response = await client.post("/api/conversations", json={"locale": locale})
    assert response.status == 201
    conversation: str = (await response.json())["id"]
    return conversation


async def say(client: TestClient[Any, Any], conversation: str, text: str) -> dict[str, Any]:
    response = await client.post(f"/api/conversations/{conversation}/say", json={"text": text})
    assert response.status == 200, await response.text()
    turn: dict[str, Any] = await response.json()
    return turn


async def test_info_lists_only_the_contents_locales_and_the_engines(
    web: TestClient[Any, Any],
) -> None:
    info = await (await web.get("/api/info")).json()
    assert info["locales"] == content.available_locales()
    assert info["voice"] is True and info["ears"] is True


async def test_a_typed_turn_shows_the_answer_and_exactly_what_was_sent(
    web: TestClient[Any, Any],
) -> None:
    conversation = await start(web)
    turn = await say(web, conversation, EMERGENCY)

    assert turn["heard"] == {"text": EMERGENCY, "confidence": None, "by": "keyboard"}
    assert turn["intent"] == "OverdoseEmergencyIntent"
    assert turn["answer"]["text"].startswith("Call 9 1 1")
    assert turn["answer"]["reprompt"] and turn["answer"]["card"]["content"].startswith("Call 911")
    assert turn["session_open"] is True
    [exchange] = turn["exchanges"]
    assert exchange["request"]["request"]["type"] == "IntentRequest"
    assert exchange["request"]["request"]["intent"]["name"] == "OverdoseEmergencyIntent"
    assert exchange["response"]["response"]["outputSpeech"]["ssml"] == turn["answer"]["ssml"]
    assert turn["attributes"] == exchange["response"]["sessionAttributes"] != {}

    # The next turn carries those attributes back, as Alexa does.
    step = await say(web, conversation, "next")
    assert step["answer"]["text"].startswith("Check if they respond")
    sent = step["exchanges"][0]["request"]["session"]
    assert sent["attributes"] == turn["attributes"] and sent["new"] is False


async def test_the_answer_audio_is_a_wav_rendered_once(
    web: TestClient[Any, Any], tmp_path: Path
) -> None:
    turn = await say(web, await start(web), EMERGENCY)
    response = await web.get(turn["audio"])
    assert response.status == 200 and response.content_type == "audio/wav"
    wav_path = tmp_path / "answer.wav"
    wav_path.write_bytes(await response.read())
    with wave.open(str(wav_path)) as wav:
        assert wav.getnframes() / wav.getframerate() > 3.0
    cached = list((tmp_path / CACHE_DIR).glob("*.wav"))
    assert len(cached) == 1
    modified = cached[0].stat().st_mtime_ns
    again = await say(web, await start(web), EMERGENCY)
    assert again["audio"] == turn["audio"]
    assert (await web.get(again["audio"])).status == 200
    assert cached[0].stat().st_mtime_ns == modified  # served from the cache, not rendered again
    assert (await web.get("/audio/" + "0" * 32 + ".wav")).status == 404
    assert (await web.get("/audio/..%2F..%2Fetc%2Fpasswd.wav")).status == 404


async def test_coming_back_later_times_the_session_out_and_opens_the_skill_again(
    web: TestClient[Any, Any],
) -> None:
    conversation = await start(web)
    await say(web, conversation, EMERGENCY)
    await say(web, conversation, "next")

    response = await web.post(f"/api/conversations/{conversation}/come-back-later")
    turn = await response.json()

    ended, launched = (exchange["request"] for exchange in turn["exchanges"])
    assert ended["request"] == {**ended["request"], "type": "SessionEndedRequest",
                                "reason": "EXCEEDED_MAX_REPROMPTS"}  # fmt: skip
    assert launched["request"]["type"] == "LaunchRequest" and launched["session"]["new"] is True
    # The same caller on the same speaker comes back, in a new session.
    assert launched["session"]["user"] == ended["session"]["user"]
    assert launched["context"]["System"]["device"] == ended["context"]["System"]["device"]
    assert launched["session"]["sessionId"] != ended["session"]["sessionId"]
    assert turn["intent"] == "LaunchRequest" and turn["answer"]["text"]


async def test_a_new_session_is_a_new_caller(web: TestClient[Any, Any]) -> None:
    first = await start(web)
    one = await say(web, first, EMERGENCY)
    assert (await web.delete(f"/api/conversations/{first}")).status == 204
    assert (await web.post(f"/api/conversations/{first}/say", json={"text": "next"})).status == 404
    two = await say(web, await start(web), EMERGENCY)
    user = [turn["exchanges"][0]["request"]["session"]["user"] for turn in (one, two)]
    assert user[0] != user[1]


async def test_bad_input_gets_a_json_4xx_and_the_next_request_is_served(
    web: TestClient[Any, Any], tmp_path: Path
) -> None:
    conversation = await start(web)
    said = f"/api/conversations/{conversation}/say"
    heard = f"/api/conversations/{conversation}/hear"
    stereo = tmp_path / "stereo.wav"
    with wave.open(str(stereo), "wb") as wav:
        wav.setnchannels(2)
        wav.setsampwidth(2)
        wav.setframerate(44100)
        wav.writeframes(bytes(4 * 4410))
    bad = [
        (web.post("/api/conversations", json={"locale": "xx-XX"}), 400, "unknown locale"),
        (web.post("/api/conversations", data=b"{not json"), 400, "not JSON"),
        (web.post(said, json={"text": "   "}), 400, "non-empty"),
        (web.post(said, json={"text": "x" * 501}), 400, "500 characters"),
        (web.post(said, json={"text": "hi", "by": "telepathy"}), 400, "by must be"),
        (web.post(said, json=["a list"]), 400, "JSON object"),
        (web.post("/api/conversations/nope/say", json={"text": "hi"}), 404, "ended"),
        (web.post(heard, data=b"RIFF not really"), 400, "not a WAV"),
        (web.post(heard, data=stereo.read_bytes()), 400, "16 kHz mono"),
        (web.post(heard, data=bytes(3 * 1024 * 1024)), 413, "too large"),
        (web.get("/api/review?locale=xx-XX"), 400, "unknown locale"),
        (web.get("/api/nothing"), 404, "not found"),
        (web.put("/api/info"), 405, "not allowed"),
    ]
    for request, status, words in bad:
        response = await request
        body = await response.json()
        assert response.status == status, body
        assert words.lower() in body["error"].lower()
        assert "Traceback" not in body["error"]
    assert (await say(web, conversation, EMERGENCY))["intent"] == "OverdoseEmergencyIntent"


async def test_a_recording_reaches_the_emergency(web: TestClient[Any, Any], tmp_path: Path) -> None:
    conversation = await start(web)
    recording = spoken_wav("my friend is not breathing", tmp_path / "mic.wav", rate=16000)

    response = await web.post(
        f"/api/conversations/{conversation}/hear",
        data=recording.read_bytes(),
        headers={"Content-Type": "audio/wav"},
    )

    turn = await response.json()
    assert response.status == 200, turn
    assert turn["heard"]["text"] == "my friend is not breathing"
    assert 0 < turn["heard"]["confidence"] <= 1 and turn["heard"]["by"] == "microphone"
    assert turn["intent"] == "OverdoseEmergencyIntent"
    assert turn["answer"]["text"].startswith("Call 9 1 1")


async def test_without_a_recogniser_the_talk_button_says_so(
    service: TestServer, dev_pki: DevPaths, tmp_path: Path
) -> None:
    async with web_client(str(service.make_url("/")), dev_pki, tmp_path) as client:
        info = await (await client.get("/api/info")).json()
        assert info["ears"] is False and info["ears_missing"] == NO_EARS
        assert info["voice"] is False
        conversation = await start(client)
        silence = spoken_wav("yes", tmp_path / "yes.wav", rate=16000)
        response = await client.post(
            f"/api/conversations/{conversation}/hear", data=silence.read_bytes()
        )
        assert response.status == 501
        assert "speech recognition is not installed" in (await response.json())["error"].lower()
        turn = await say(client, conversation, EMERGENCY)
        assert turn["audio"] is None and turn["answer"]["text"].startswith("Call 9 1 1")


async def test_a_service_that_is_down_or_refuses_is_a_clear_502(
    dev_pki: DevPaths, tmp_path: Path
) -> None:
    with socket_closed_port() as port:
        down = f"http://127.0.0.1:{port}/"
        async with web_client(down, dev_pki, tmp_path) as client:
            response = await client.post(
                f"/api/conversations/{await start(client)}/say", json={"text": "hello"}
            )
            assert response.status == 502
            error = (await response.json())["error"]
            assert down in error and "not answering" in error

    other = Settings(
        skill_id="amzn1.ask.skill.someone-else",
        trust_root=dev_pki.trust_root,
        cert_chain=dev_pki.cert_chain,
    )
    refusing = TestServer(create_app(other), host="127.0.0.1")
    await refusing.start_server()
    try:
        async with web_client(str(refusing.make_url("/")), dev_pki, tmp_path) as client:
            response = await client.post(
                f"/api/conversations/{await start(client)}/say", json={"text": "hello"}
            )
            assert response.status == 502
            assert "refused the request: wrong skill id" in (await response.json())["error"]
    finally:
        await refusing.close()


class socket_closed_port:
    """A port on 127.0.0.1 that nothing listens on, for as long as the block runs."""

    def __enter__(self) -> int:
        import socket

        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))  # bound but not listening: connections are refused
        port: int = self.socket.getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        self.socket.close()


async def test_review_lists_every_answer_with_duration_and_sources_and_caches_the_audio(
    web: TestClient[Any, Any], tmp_path: Path
) -> None:
    locale = content.load("en-US")
    review = await (await web.get("/api/review?locale=en-US")).json()

    items = review["items"]
    # Every response as a caller hears it, so every answer, in each order it can be said.
    assert [item["key"] for item in items] == [heard.key for heard in locale.heard()]
    keys = {item["key"] for item in items}
    assert {answer.key for answer in locale.answers()} <= keys
    for item in items:
        assert item["seconds"] > 0.3 and item["text"] and item["words"] > 0, item["key"]
        assert item["audio"].endswith(".wav")
        # Every fact cites its source; only prompts such as the greeting state none.
        assert item["sources"] or item["kind"] == "prompt", item["key"]
    kinds = {item["kind"] for item in items}
    assert kinds == {
        "prompt", "topic", "medicine", "follow-up", "emergency step", "guide step", "CPR beat"
    }  # fmt: skip
    steps = {
        item["key"].rsplit(".", 1)[1]: item for item in items if item["kind"] == "emergency step"
    }
    assert steps["call"]["limit"] == {"words": 45, "seconds": 25.0}  # the first thing said
    assert steps["check"]["limit"] == {"words": 45, "seconds": None}
    # A topic is heard with the offer of its first follow-up.
    topic = next(item for item in items if item["kind"] == "topic")
    assert topic["text"].rstrip().endswith("?")

    cached = {path: path.stat().st_mtime_ns for path in (tmp_path / CACHE_DIR).glob("*.wav")}
    assert len(cached) == len({item["audio"] for item in items})  # the same speech, one WAV
    again = await (await web.get("/api/review?locale=en-US")).json()
    assert again == review
    assert {path: path.stat().st_mtime_ns for path in cached} == cached
    assert (await web.get(items[0]["audio"])).status == 200


def test_an_answer_over_its_limits_is_flagged() -> None:
    first = Limit(70, 25.0)
    item = Item("k", "topic", "g", "t", " ".join(["word"] * 71), None, ("NIDA",), first)
    assert item.over(26.0) == ["71 words, over 70", "26.0 seconds, over 25"]
    assert item.over(None) == ["71 words, over 70"]
    short = Item("k", "emergency step", "g", "t", "Call 9 1 1 now.", None, (), Limit(45))
    assert short.over(90.0) == []


async def test_the_pages_are_served_and_fetch_nothing_from_outside(
    web: TestClient[Any, Any],
) -> None:
    pages = ("/", "/review", "/static/style.css", "/static/common.js", "/static/talk.js",
             "/static/review.js", "/static/capture.js", "/static/capture-worklet.js")  # fmt: skip
    for path in pages:
        response = await web.get(path)
        assert response.status == 200, path
        text = await response.text()
        assert "http://" not in text and "https://" not in text, path
    page = await (await web.get("/")).text()
    assert ">Talk</button>" in page and 'aria-live="polite"' in page
    assert (await web.get("/static/missing.js")).status == 404


async def test_the_service_has_no_route_of_the_simulator(dev_pki: DevPaths) -> None:
    settings = Settings(
        skill_id=DEV_SKILL_ID, trust_root=dev_pki.trust_root, cert_chain=dev_pki.cert_chain
    )
    async with TestClient(TestServer(create_app(settings), host="127.0.0.1")) as service:
        for path in ("/review", "/api/info", "/static/style.css", "/audio/0.wav"):
            response = await service.get(path)
            assert response.status == 404, path
            assert await response.json() == {"error": "not found"}
        assert (await service.post("/api/conversations", json={})).status == 404
        assert (await service.get("/")).status == 405


# The command line: `heroin-help web` starts its own service, or talks to one with --url.


def start_web(*args: str, state: Path) -> tuple[subprocess.Popen[str], str, str]:
    """`heroin-help web --port 0 ...`; its address and the skill's, from its first line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "web", "--port", "0", "--state-dir", str(state),
         *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdout is not None
    line = process.stdout.readline()
    prefix = SERVING.format(url="")
    assert line.startswith(prefix), (line, process.stderr.read() if process.stderr else "")
    address, _, rest = line[len(prefix) :].partition(" ")
    return process, address, rest.removeprefix("(the skill: ").strip().rstrip(")")


async def turn_over_http(address: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http:
        async with http.post(address + "api/conversations", json={}) as response:
            conversation = (await response.json())["id"]
        async with http.post(
            f"{address}api/conversations/{conversation}/say", json={"text": EMERGENCY}
        ) as response:
            turn: dict[str, Any] = await response.json()
            return turn


async def reachable(url: str) -> bool:
    """Anything listens there and answers HTTP."""
    try:
        async with aiohttp.ClientSession() as http, http.get(url):
            return True
    except aiohttp.ClientError:
        return False


async def test_web_starts_its_own_service_and_stops_it_on_sigterm(tmp_path: Path) -> None:
    process, address, skill = start_web(state=tmp_path)
    try:
        assert address.startswith("http://127.0.0.1:")
        turn = await turn_over_http(address)
        assert turn["intent"] == "OverdoseEmergencyIntent"
        assert await reachable(skill)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    assert not await reachable(skill)
    assert (tmp_path / "pki" / "ca.pem").is_file()


async def test_web_talks_to_a_running_service_with_url(tmp_path: Path) -> None:
    state = tmp_path / "state"  # the service and the command share the dev CA kept here
    with running_service(dev_pki(state)) as service:
        process, address, skill = start_web("--url", service.url, state=state)
        try:
            assert skill == service.url
            assert (await turn_over_http(address))["answer"]["text"].startswith("Call 9 1 1")
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
        assert await reachable(service.url)  # --url leaves the service it was given running


def test_run_serves_the_pages_beside_the_chat_and_stops_them_together(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "skill.cli", "run", "--port", "0", "--web-port", "0",
         "--no-voice", "--state-dir", str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stdin is not None and process.stdout is not None
    lines = [process.stdout.readline(), process.stdout.readline()]
    assert lines[0].startswith("Service running at "), lines
    assert lines[1].startswith(SERVING.format(url="")), lines
    address = lines[1].split()[-1]
    turn = asyncio.run(turn_over_http(address))
    assert turn["intent"] == "OverdoseEmergencyIntent"
    out, _ = process.communicate("open heroin help\n", timeout=60)
    assert process.returncode == 0
    assert "say emergency" in out.lower()
    assert not asyncio.run(reachable(address))
