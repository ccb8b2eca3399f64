"""Bespoken's virtual-alexa, a peer nobody here wrote, reads the interaction model as Bespoken
users test with it: literal samples, slot values and synonyms, no generalisation. It must match
an ordinary conversation, and the skill must answer the requests it builds.

script/virtual-alexa installs it (pinned in tests/virtual_alexa/package.json) into a cache
outside the checkout; `make install` runs it. Without Node.js and npm this module skips, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from speech.simulator.envelopes import DEV_SKILL_ID, Reply
from speech.simulator.transports import InProcess

REPO = Path(__file__).resolve().parents[1]
HERE = Path(__file__).parent / "virtual_alexa"
MODEL = REPO / "interaction_model" / "interactionModels" / "custom" / "en-US.json"
DIALOG: dict[str, Any] = yaml.safe_load((HERE / "dialog.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def virtual_alexa() -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip(
            "Node.js and npm are not installed, so virtual-alexa (npm) cannot run: "
            "sudo apt-get install -y nodejs npm"
        )
    installed = subprocess.run(
        ["bash", "script/virtual-alexa"], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert installed.returncode == 0, f"virtual-alexa did not install: {installed.stderr}"
    return Path(installed.stdout.strip())


def utter(folder: Path, utterances: list[str]) -> list[dict[str, Any]]:
    done = subprocess.run(
        ["node", str(HERE / "va_run.js"), str(MODEL)],
        input=json.dumps(utterances),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**os.environ, "VA_DIR": str(folder)},
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def understood(line: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    slots = {name: slot["id"] for name, slot in (line.get("slots") or {}).items()}
    return line.get("intent"), slots


def test_virtual_alexa_is_the_pinned_version(virtual_alexa: Path) -> None:
    installed = json.loads(
        (virtual_alexa / "node_modules" / "virtual-alexa" / "package.json").read_text()
    )
    pinned = json.loads((HERE / "package.json").read_text())["dependencies"]["virtual-alexa"]
    assert installed["version"] == pinned == "0.7.8"


def test_virtual_alexa_matches_ordinary_sentences(virtual_alexa: Path) -> None:
    cases = DIALOG["ordinary"]
    lines = utter(virtual_alexa, [case["say"] for case in cases])
    wrong = [
        (case["say"], line)
        for case, line in zip(cases, lines, strict=True)
        if understood(line) != (case["intent"], case.get("slots") or {})
    ]
    assert wrong == []


async def test_the_skill_answers_virtual_alexas_conversation(virtual_alexa: Path) -> None:
    skill = InProcess()
    for session in DIALOG["conversation"]:
        lines = utter(virtual_alexa, [turn["say"] for turn in session])
        attributes: dict[str, Any] = {}
        for index, (turn, line) in enumerate(zip(session, lines, strict=True)):
            assert "error" not in line, f"{turn['say']!r}: {line.get('error')}"
            assert understood(line) == (turn["intent"], turn.get("slots") or {}), turn["say"]
            envelope = line["request"]
            envelope["session"]["new"] = index == 0
            envelope["session"]["attributes"] = attributes
            for holder in (envelope["session"], envelope["context"]["System"]):
                holder["application"] = {"applicationId": DEV_SKILL_ID}
            answer = await skill.send(envelope)
            reply = Reply.of(answer)
            attributes = dict(answer.get("sessionAttributes") or {})
            if "starts_with" in turn:
                assert reply.speech.startswith(turn["starts_with"]), reply.speech
            for text in turn.get("contains", []):
                assert text in reply.speech, (turn["say"], reply.speech)
            assert not reply.end_session
