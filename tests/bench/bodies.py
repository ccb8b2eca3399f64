"""The load: 64 distinct signed request bodies, as Alexa would post them, and a wrk script that
cycles through them.

Every body is a different caller (its own session, user, device and request ids) asking one of
sixteen ordinary questions in an ongoing session: topics with and without a question slot,
medicines, and "yes" to a topic's offer. Distinct bodies keep any cache keyed on the body from
helping anyone; the answers repeat, as they do for real callers.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import orjson
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from speech.simulator.devpki import DEV_CERT_URL, sign_body
from speech.simulator.envelopes import Session

BODIES = 64
# (intent, slots, the session attributes left by the turn before)
QUESTIONS: tuple[tuple[str, dict[str, str], dict[str, Any]], ...] = (
    (
        "MedicationIntent",
        {"medication": "buprenorphine"},
        {"topic": {"key": "WithdrawalIntent", "part": 0}},
    ),
    ("MedicationIntent", {"medication": "methadone"}, {"prompt": "launch"}),
    (
        "MedicationIntent",
        {"medication": "naloxone", "question": "how_it_works"},
        {"prompt": "launch"},
    ),
    (
        "MedicationIntent",
        {"medication": "naltrexone"},
        {"topic": {"key": "TherapyIntent", "part": 0}},
    ),
    ("WithdrawalIntent", {"question": "how_long"}, {"prompt": "launch"}),
    ("WithdrawalIntent", {}, {"topic": {"key": "OverdoseSignsIntent", "part": 0}}),
    ("OverdoseSignsIntent", {}, {"prompt": "launch"}),
    ("TreatmentOptionsIntent", {"question": "cost"}, {"prompt": "help"}),
    ("FentanylIntent", {}, {"prompt": "launch"}),
    ("GetNaloxoneIntent", {}, {"topic": {"key": "FentanylIntent", "part": 0}}),
    ("HarmReductionIntent", {"question": "safety"}, {"prompt": "launch"}),
    ("FamilyHelpIntent", {}, {"prompt": "launch"}),
    ("FindHelpIntent", {}, {"topic": {"key": "TreatmentOptionsIntent", "part": 0}}),
    ("AMAZON.YesIntent", {}, {"topic": {"key": "WithdrawalIntent", "part": 0, "lead": 0}}),
    ("AMAZON.YesIntent", {}, {"topic": {"key": "OverdoseSignsIntent", "part": 0, "lead": 0}}),
    ("AMAZON.HelpIntent", {}, {"topic": {"key": "FentanylIntent", "part": 0}}),
)


def bodies(count: int = BODIES) -> list[bytes]:
    """`count` distinct envelopes (1.2 to 1.9 KB, 1.25 KB the median), timestamped now: valid
    for 150 s."""
    made = []
    for number in range(count):
        intent, slots, attributes = QUESTIONS[number % len(QUESTIONS)]
        session = Session()
        session.new = False
        session.attributes = dict(attributes)
        envelope = session.intent(intent, slots or None)
        # Alexa sends every skill a token for its APIs, a few hundred bytes this skill ignores.
        envelope["context"]["System"]["apiAccessToken"] = token(number)
        made.append(orjson.dumps(envelope))
    return made


WRK_SCRIPT = """
local requests = {{}}
local paths = {{{paths}}}
local signatures = {{{signatures}}}
local next_one = 0

function init(args)
  for i, path in ipairs(paths) do
    local f = assert(io.open(path, "rb"))
    local body = f:read("*a")
    f:close()
    local headers = {{
      ["Content-Type"] = "application/json",
      ["SignatureCertChainUrl"] = "{cert_url}",
      ["Signature-256"] = signatures[i],
    }}
    requests[i] = wrk.format("POST", "/", headers, body)
  end
end

function request()
  next_one = next_one % #requests + 1
  return requests[next_one]
end
"""


def token(number: int) -> str:
    return (
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9."
        + hashlib.sha512(str(number).encode()).hexdigest() * 2
    )


def wrk_script(workdir: Path, key: RSAPrivateKey, count: int = BODIES) -> tuple[Path, list[bytes]]:
    """A wrk script posting `count` fresh bodies in turn, each with its own signature; and
    the bodies."""
    made = bodies(count)
    paths = []
    for number, body in enumerate(made):
        path = workdir / f"body-{number}.json"
        path.write_bytes(body)
        paths.append(path)
    script = workdir / "post.lua"
    script.write_text(
        WRK_SCRIPT.format(
            paths=", ".join(f'"{path}"' for path in paths),
            signatures=", ".join(f'"{sign_body(key, body)}"' for body in made),
            cert_url=DEV_CERT_URL,
        )
    )
    return script, made
