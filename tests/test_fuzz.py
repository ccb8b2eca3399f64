"""Property-based fuzzing of a real `serve` process with validly signed, mostly hostile envelopes.

Hypothesis builds envelopes from a schema of Alexa requests (every request type the SDK knows and
made-up ones; with and without a session; enums from Alexa's values and made-up ones; slots,
resolutions, session attributes shaped like the skill's own and arbitrary JSON), then mutates
them: a node replaced by JSON of another type, a key dropped, an `object_type` key, nesting
hundreds deep, strings of hundreds of KB. Each is signed with the dev PKI and posted over one
keep-alive connection, as Alexa would.

The properties: no answer is a 5xx; every answer is JSON; a 200 to a LaunchRequest or an
IntentRequest speaks; and afterwards the request log has exactly one line per request, with the
status the client got, none over 2 KB. `make test` posts FUZZ_EXAMPLES (4,000) envelopes; `make
fuzz` posts 20,000.
"""

from __future__ import annotations

import http.client
import json
import os
import string
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intents.names import INTENTS, REQUEST_TYPES
from speech.simulator.devpki import DEV_CERT_URL, DevPaths, load_signing_key, sign_body
from speech.simulator.devservice import DevService, start_service
from speech.simulator.envelopes import DEV_SKILL_ID
from tests.helpers import json_paths, put

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "4000"))
SPOKEN = ("LaunchRequest", "IntentRequest")

# --- the schema ---------------------------------------------------------------------------

text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
ident = st.text(string.ascii_letters + string.digits + ".-_", min_size=1, max_size=40)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


def enum(*values: str) -> st.SearchStrategy[Any]:
    """Alexa's values, mostly; sometimes one it may add tomorrow, sometimes not a string."""
    return st.sampled_from(values) | ident | json_scalars


request_type = st.sampled_from(sorted(REQUEST_TYPES)) | st.sampled_from(SPOKEN) | ident
intent_name = st.sampled_from(sorted(INTENTS)) | ident
status_code = enum("ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT")
confirmation = enum("NONE", "CONFIRMED", "DENIED")

slot = st.fixed_dictionaries(
    {"name": ident},
    optional={
        "value": text,
        "confirmationStatus": confirmation,
        "resolutions": st.fixed_dictionaries(
            {
                "resolutionsPerAuthority": st.lists(
                    st.fixed_dictionaries(
                        {
                            "authority": ident,
                            "status": st.fixed_dictionaries({"code": status_code}),
                            "values": st.lists(
                                st.fixed_dictionaries(
                                    {"value": st.fixed_dictionaries({"name": text, "id": ident})}
                                ),
                                max_size=2,
                            ),
                        }
                    ),
                    max_size=2,
                )
            }
        ),
        "slotValue": st.fixed_dictionaries({"type": enum("Simple", "List"), "value": text}),
    },
)
intent = st.fixed_dictionaries(
    {"name": intent_name},
    optional={
        "confirmationStatus": confirmation,
        "slots": st.dictionaries(ident, slot, max_size=3),
    },
)
error = st.fixed_dictionaries(
    {
        "type": enum("INVALID_RESPONSE", "DEVICE_COMMUNICATION_ERROR", "INTERNAL_ERROR"),
        "message": text,
    }
)
# Fields of the many request models; any request may carry any of them.
request_fields = {
    "intent": intent,
    "dialogState": enum("STARTED", "IN_PROGRESS", "COMPLETED"),
    "reason": enum("USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"),
    "error": error,
    "cause": st.fixed_dictionaries({"requestId": ident}),
    "token": text,
    "offsetInMilliseconds": st.integers(-10, 10**9) | json_scalars,
    "currentPlaybackState": st.fixed_dictionaries(
        {"token": text, "playerActivity": enum("PLAYING", "PAUSED", "IDLE", "STOPPED")}
    ),
    "eventCreationTime": st.just("2026-11-22T06:30:00Z") | text,
    "body": st.fixed_dictionaries({"acceptedPermissions": st.lists(json_values, max_size=2)}),
    "name": ident,
    "status": st.fixed_dictionaries({"code": text, "message": text}),
    "payload": json_values,
    "arguments": st.lists(json_values, max_size=3),
    "source": json_values,
    "shouldLinkResultBeReturned": st.booleans(),
}
guide_attributes = st.fixed_dictionaries(
    {
        "guide": st.fixed_dictionaries(
            {"name": st.sampled_from(("overdose", "intervention")) | text, "step": text | ident},
            optional={"history": st.lists(text | json_scalars, max_size=3) | json_values},
        )
    }
)
topic_attributes = st.fixed_dictionaries(
    {
        "topic": st.fixed_dictionaries(
            {"key": intent_name, "part": st.integers(-2, 9) | json_scalars}
        )
    }
)
attributes = (
    guide_attributes
    | topic_attributes
    | st.fixed_dictionaries({"prompt": text | ident})
    | st.dictionaries(text, json_values, max_size=4)
)


@st.composite
def envelopes(draw: st.DrawFn) -> dict[str, Any]:
    application = {"applicationId": DEV_SKILL_ID}
    user = {"userId": "amzn1.ask.account." + draw(ident)}
    request: dict[str, Any] = {
        "type": draw(request_type),
        "requestId": "amzn1.echo-api.request." + draw(ident),
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "locale": draw(st.sampled_from(("en-US", "en-GB", "de-DE")) | text),
    }
    for key in draw(st.lists(st.sampled_from(sorted(request_fields)), max_size=4, unique=True)):
        request[key] = draw(request_fields[key])
    if request["type"] == "IntentRequest" and draw(st.booleans()):
        request["intent"] = draw(intent)
    envelope: dict[str, Any] = {
        "version": "1.0",
        "context": {
            "System": {
                "application": application,
                "user": user,
                "device": {"deviceId": draw(ident), "supportedInterfaces": {}},
                "apiEndpoint": "https://api.amazonalexa.com",
            }
        },
        "request": request,
    }
    if draw(st.booleans()):
        envelope["session"] = {
            "new": draw(st.booleans()),
            "sessionId": "amzn1.echo-api.session." + draw(ident),
            "application": application,
            "attributes": draw(attributes),
            "user": user,
        }
    for _ in range(draw(st.integers(0, 3))):
        draw(mutation)(draw, envelope)
    return envelope


# --- mutations ----------------------------------------------------------------------------


def place(draw: st.DrawFn, envelope: dict[str, Any], value: Any) -> None:
    """Put `value` at a random place in the envelope (not the root)."""
    where = draw(st.sampled_from([path for path, _ in json_paths(envelope)][1:]))
    put(envelope, where, value)


def replace_node(draw: st.DrawFn, envelope: dict[str, Any]) -> None:
    place(draw, envelope, draw(json_values))


def drop_key(draw: st.DrawFn, envelope: dict[str, Any]) -> None:
    where = draw(st.sampled_from([path for path, _ in json_paths(envelope)][1:]))
    parent = envelope
    for step in where[:-1]:
        parent = parent[step]
    if isinstance(parent, dict):
        del parent[where[-1]]


def override_type(draw: st.DrawFn, envelope: dict[str, Any]) -> None:
    request = envelope.get("request")
    if isinstance(request, dict):
        request[draw(st.sampled_from(("object_type", "to_dict", "__class__", "request_id")))] = (
            draw(request_type | json_values)
        )


def nest_deep(draw: st.DrawFn, envelope: dict[str, Any]) -> None:
    value: Any = draw(json_scalars)
    for _ in range(draw(st.integers(30, 400))):
        value = [value] if draw(st.booleans()) else {"a": value}
    place(draw, envelope, value)


def huge_string(draw: st.DrawFn, envelope: dict[str, Any]) -> None:
    place(draw, envelope, draw(st.sampled_from("xé\u20ac")) * draw(st.integers(10_000, 60_000)))


mutation = st.sampled_from(
    [replace_node, replace_node, drop_key, override_type, nest_deep, huge_string]
)


# --- the service and the client -----------------------------------------------------------


class Poster:
    """Signs and posts bodies over one keep-alive connection, reconnecting when it closes."""

    def __init__(self, service: DevService, pki: DevPaths) -> None:
        self.host, port = service.url.removeprefix("http://").rstrip("/").split(":")
        self.port = int(port)
        self.key = load_signing_key(pki.signing_key)
        self.connection: http.client.HTTPConnection | None = None
        self.statuses: list[int] = []

    def post(self, body: bytes) -> tuple[int, Any]:
        headers = {
            "Content-Type": "application/json",
            "SignatureCertChainUrl": DEV_CERT_URL,
            "Signature-256": sign_body(self.key, body),
        }
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.connection.request("POST", "/", body=body, headers=headers)
                response = self.connection.getresponse()
                answer = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.connection.close()
                self.connection = None
            self.statuses.append(response.status)
            return response.status, orjson.loads(answer)
        raise AssertionError("unreachable")


@pytest.fixture(scope="module")
def service(dev_pki: DevPaths) -> Iterator[DevService]:
    running = start_service(dev_pki)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def poster(service: DevService, dev_pki: DevPaths) -> Poster:
    return Poster(service, dev_pki)


STATUSES: Counter[int] = Counter()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(envelope=envelopes())
def test_every_signed_envelope_gets_a_deliberate_answer(
    poster: Poster, envelope: dict[str, Any]
) -> None:
    body = json.dumps(envelope, separators=(",", ":")).encode()  # orjson stops at 254 levels
    status, answer = poster.post(body)
    STATUSES[status] += 1
    assert status < 500, answer
    if status != 200:
        assert set(answer) == {"error"} and len(answer["error"]) < 80, answer
        return
    assert "response" in answer
    request = envelope.get("request")
    if isinstance(request, dict) and request.get("type") in SPOKEN:
        assert answer["response"]["outputSpeech"]["ssml"], answer


def test_the_log_holds_one_line_per_request_with_the_status_sent(
    service: DevService, poster: Poster
) -> None:
    good = json.dumps(
        {
            "version": "1.0",
            "session": {
                "new": True,
                "sessionId": "s",
                "application": {"applicationId": DEV_SKILL_ID},
            },
            "context": {"System": {"application": {"applicationId": DEV_SKILL_ID}}},
            "request": {
                "type": "LaunchRequest",
                "requestId": "r",
                "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "locale": "en-US",
            },
        }
    ).encode()
    assert poster.post(good)[0] == 200  # it still serves
    code, errors = service.stop()
    assert code == 0
    lines = [line.encode() for line in service.log_lines]
    assert [orjson.loads(line)["status"] for line in lines] == poster.statuses
    assert max(len(line) for line in lines) <= 2048
    assert "Traceback" not in errors
    server_errors = sum(count for status, count in STATUSES.items() if status >= 500)
    statuses = dict(sorted(STATUSES.items()))
    print(f"\nfuzz: {len(poster.statuses)} signed requests; {statuses}; {server_errors} 5xx")
