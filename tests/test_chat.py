"""`heroin-help chat`: the command-line contract, in process and against a real server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson

from speech.simulator.devservice import dev_pki, start_service

KEYS = {
    "utterance",
    "intent",
    "slots",
    "confidence",
    "speech",
    "ssml",
    "reprompt",
    "end_session",
    "card",
}
SCRIPT = "open heroin help\nmy friend isn't breathing\nnext\n\nwhat is suboxone\nstop\n"


def chat(*extra: str) -> list[dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "chat", "--jsonl", *extra],
        input=SCRIPT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def check_turns(turns: list[dict[str, Any]]) -> None:
    assert [turn["utterance"] for turn in turns] == [
        "open heroin help",
        "my friend isn't breathing",
        "next",
        "what is suboxone",
        "stop",
    ]
    assert all(set(turn) == KEYS for turn in turns)
    launch, emergency, step, medicine, stop = turns
    assert launch["intent"] == "LaunchRequest" and "say emergency" in launch["speech"].lower()
    assert emergency["intent"] == "OverdoseEmergencyIntent"
    assert emergency["slots"] == {"person": "someone", "sign": "not_breathing"}
    assert emergency["confidence"] == 1.0 and 0.0 <= step["confidence"] <= 1.0
    assert emergency["speech"].startswith("Call 9 1 1")
    assert emergency["ssml"].startswith("<speak>") and emergency["reprompt"]
    assert emergency["card"]["content"].startswith("Call 911")
    assert not emergency["end_session"]
    assert "Do they respond" in step["speech"]
    # The blank line ended the session: "what is suboxone" starts a new one, outside the guide.
    assert medicine["intent"] == "MedicationIntent"
    assert medicine["slots"] == {"medication": "buprenorphine"}
    assert "Buprenorphine" in medicine["speech"]
    assert stop["end_session"] and stop["reprompt"] is None


def test_chat_in_process() -> None:
    check_turns(chat())


def test_chat_over_http_with_signed_requests() -> None:
    service = start_service(dev_pki())  # the CA in the state directory, which chat --url signs with
    try:
        check_turns(chat("--url", service.url))
    finally:
        service.stop()
    ok = [line for line in service.requests() if line["outcome"] == "ok"]
    assert len(ok) >= 6  # every turn, and the session's end, was verified


def test_the_chat_shows_the_intent_its_slots_and_how_sure_the_resolver_was() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "skill.cli", "chat", "--no-voice"],
        input="my friend isn't breathing\ncall mom\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parent.parent,
        timeout=120,
    )
    lines = result.stdout.splitlines()
    assert "  [OverdoseEmergencyIntent person=someone sign=not_breathing 100%]" in lines
    assert any(re.fullmatch(r"  \[AMAZON\.FallbackIntent \d+%\]", line) for line in lines)
