"""Named hostile and unusual envelopes against a real `serve` process, and what its request log
says about them: one line per request with the status sent, and never what the request held."""

from __future__ import annotations

import asyncio
import copy
import sys
from collections.abc import Callable, Iterator
from typing import Any

import orjson
import pytest

from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.devservice import DevService, start_service
from speech.simulator.envelopes import Reply, Session
from speech.simulator.transports import SignedClient
from tests.failing_service import PLANTED as QUOTED
from tests.helpers import json_paths, put

PLANTED = "amzn1.ask.account.PLANTEDUSERID7c1f0e9a"

Envelope = dict[str, Any]


@pytest.fixture
def service(dev_pki: DevPaths) -> Iterator[DevService]:
    running = start_service(dev_pki)
    yield running
    running.stop()


def without_session(envelope: Envelope) -> Envelope:
    del envelope["session"]
    return envelope


def with_request(envelope: Envelope, **fields: Any) -> Envelope:
    envelope["request"].update(fields)
    return envelope


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"deeper": value}
    return value


def medication_with_slot_status(status: str) -> Envelope:
    envelope = Session().intent("MedicationIntent", {"medication": "naloxone"})
    envelope["request"]["intent"]["slots"]["medication"]["confirmationStatus"] = status
    return envelope


SPOKEN: dict[str, Callable[[], Envelope]] = {
    "launch without a session": lambda: without_session(Session().launch()),
    "intent without a session": lambda: without_session(Session().intent("OverdoseSignsIntent")),
    "unknown dialogState": lambda: with_request(
        Session().intent("OverdoseSignsIntent"), dialogState="SOMETHING_NEW"
    ),
    "unknown slot confirmationStatus": lambda: medication_with_slot_status("PROBABLY"),
    "object_type key": lambda: with_request(
        Session().intent("OverdoseSignsIntent"), object_type="SessionEndedRequest"
    ),
}
SILENT: dict[str, Callable[[], Envelope]] = {
    "AudioPlayer event without a session": lambda: without_session(
        Session().envelope({"type": "AudioPlayer.PlaybackStarted", "token": "t"})
    ),
    "skill event without a session": lambda: without_session(
        Session().envelope(
            {"type": "AlexaSkillEvent.SkillEnabled", "eventCreationTime": "2026-11-22T06:30:00Z"}
        )
    ),
    "unknown request type": lambda: Session().envelope({"type": "Alexa.Something.New"}),
    "unknown SessionEnded reason": lambda: Session().end("A_NEW_REASON"),
}


async def send(service: DevService, dev_pki: DevPaths, envelope: Envelope) -> tuple[int, Any]:
    async with SignedClient(service.url, load_signing_key(dev_pki.signing_key)) as client:
        body = orjson.dumps(envelope)
        return await client.post(body, client.signed_headers(body))


@pytest.mark.parametrize("case", sorted(SPOKEN))
async def test_launches_and_intents_with_unusual_envelopes_are_answered_with_speech(
    service: DevService, dev_pki: DevPaths, case: str
) -> None:
    status, answer = await send(service, dev_pki, SPOKEN[case]())
    assert status == 200, answer
    assert Reply.of(answer).speech
    service.stop()
    [line] = service.requests()
    assert line["status"] == 200 and line["route"] == "alexa"


@pytest.mark.parametrize("case", sorted(SILENT))
async def test_events_with_unusual_envelopes_get_an_empty_answer(
    service: DevService, dev_pki: DevPaths, case: str
) -> None:
    status, answer = await send(service, dev_pki, SILENT[case]())
    assert status == 200, answer
    assert answer["response"] == {} or "outputSpeech" not in answer["response"]


async def test_an_unknown_request_type_is_logged_as_tolerated_not_by_name(
    service: DevService, dev_pki: DevPaths
) -> None:
    status, _ = await send(service, dev_pki, Session().envelope({"type": PLANTED}))
    assert status == 200
    service.stop()
    [line] = service.requests()
    assert line["type"] == "other" and line["notes"] == ["unknown Request type"]


@pytest.mark.parametrize("levels", [65, 300])
async def test_deep_attributes_get_400_and_the_log_says_400(
    service: DevService, dev_pki: DevPaths, levels: int
) -> None:
    session = Session()
    session.attributes = {"guide": deep(levels)}
    envelope = session.launch()
    body = orjson.dumps(envelope) if levels < 250 else _dumps_deep(envelope)
    async with SignedClient(service.url, load_signing_key(dev_pki.signing_key)) as client:
        status, answer = await client.post(body, client.signed_headers(body))
    assert status == 400
    assert answer == {"error": "request nested too deeply"}
    service.stop()
    [line] = service.requests()
    assert line["status"] == 400 and line["reason"] == "request nested too deeply"


def _dumps_deep(envelope: Envelope) -> bytes:
    import json

    return json.dumps(envelope).encode()


# --- a planted user id never reaches the logs ----------------------------------------------


def planted_everywhere(envelope: Envelope) -> Iterator[Envelope]:
    """The envelope once per free-text field with the id in that field, once with the id in
    all of them, and with the id as a key in the request and in the session attributes."""
    leaves = [path for path, value in json_paths(envelope) if isinstance(value, str)]
    for leaf in leaves:
        changed = copy.deepcopy(envelope)
        put(changed, leaf, PLANTED)
        yield changed
    everywhere = copy.deepcopy(envelope)
    for leaf in leaves:
        put(everywhere, leaf, PLANTED)
    yield everywhere
    keyed = copy.deepcopy(envelope)
    keyed["request"][PLANTED] = PLANTED
    keyed["session"]["attributes"][PLANTED] = {PLANTED: [PLANTED]}
    yield keyed


def rich_envelope() -> Envelope:
    session = Session()
    session.attributes = {"guide": {"name": "overdose", "step": "call", "history": ["call"]}}
    envelope = session.intent(
        "MedicationIntent", {"medication": "naloxone"}, slot_types={"medication": "MED"}
    )
    envelope["request"]["dialogState"] = "STARTED"
    envelope["context"]["System"]["apiAccessToken"] = "token"
    envelope["context"]["System"]["device"]["supportedInterfaces"] = {"AudioPlayer": {}}
    return envelope


async def test_a_planted_user_id_never_reaches_either_log(
    service: DevService, dev_pki: DevPaths
) -> None:
    statuses = []
    async with SignedClient(service.url, load_signing_key(dev_pki.signing_key)) as client:
        for envelope in planted_everywhere(rich_envelope()):
            body = orjson.dumps(envelope)
            statuses.append((await client.post(body, client.signed_headers(body)))[0])
        body = orjson.dumps(rich_envelope())
        for name in ("SignatureCertChainUrl", "Signature-256", "Content-Type"):
            headers = {**client.signed_headers(body), name: PLANTED}
            statuses.append((await client.post(body, headers))[0])
        planted_url = f"https://s3.amazonaws.com/echo.api/{PLANTED}.pem"
        headers = {**client.signed_headers(body), "SignatureCertChainUrl": planted_url}
        statuses.append((await client.post(body, headers))[0])
    statuses += await raw_requests_naming(service, PLANTED)
    code, errors = service.stop()
    assert code == 0
    log = "".join(service.log_lines)
    assert len(service.log_lines) == len(statuses)
    assert [line["status"] for line in service.requests()] == statuses
    assert PLANTED not in log and PLANTED.lower() not in log.lower()
    assert PLANTED.lower() not in errors.lower()
    assert all(status < 500 for status in statuses)
    assert max(len(line.encode()) for line in service.log_lines) <= 2048


async def raw_requests_naming(service: DevService, planted: str) -> list[int]:
    """Requests aiohttp itself refuses, each carrying the id: in the method, the path, a header
    name, a header value, and a chunk size."""
    host, port = service.url.removeprefix("http://").rstrip("/").split(":")
    statuses = []
    for raw in (
        f"{planted} / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        f"GET /{planted} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        f"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{planted}\r\n\r\n",
        f"POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: {planted}\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"
        f"{planted}\r\n",
        f"CONNECT {planted}:443 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(raw.encode())
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), timeout=10)
        writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert b"application/json" in head, answer
        assert planted.encode() not in answer
        assert set(orjson.loads(body)) == {"error"}
        statuses.append(int(head.split()[1]))
    return statuses


async def test_a_500_is_logged_with_its_status_and_its_trace_holds_no_request_content(
    dev_pki: DevPaths,
) -> None:
    service = start_service(dev_pki, command=(sys.executable, "-m", "tests.failing_service"))
    try:
        status, answer = await send(service, dev_pki, Session().launch())
    finally:
        code, errors = service.stop()
    assert code == 0
    assert status == 500 and answer == {"error": "internal error"}
    [line] = service.requests()
    assert line["status"] == 500 and line["outcome"] == "error"
    assert line["reason"] == "internal error"
    assert "RuntimeError" in errors and "failing_service.py" in errors  # the operator's trace
    assert QUOTED not in errors and QUOTED not in "".join(service.log_lines)
