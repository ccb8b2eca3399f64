"""The Lambda package, unzipped and run by a clean Python that has only the zip on its path."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from speech.simulator.envelopes import DEV_SKILL_ID, Reply, Session

BUILD = Path(__file__).resolve().parents[1] / "script" / "build-lambda"
RUNNER = """
import json, sys
sys.path.insert(0, sys.argv[1])
from skill.lambda_function import handler
try:
    response = handler(json.load(sys.stdin), None)
except Exception as error:
    print(json.dumps({"error": type(error).__name__}))
else:
    print(json.dumps({"response": response, "web_stack": [m for m in ("aiohttp", "cryptography")
                                                          if m in sys.modules]}))
"""


@pytest.fixture(scope="module")
def unpacked(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lambda")
    archive = directory / "heroin-help-lambda.zip"
    subprocess.run([sys.executable, str(BUILD), "--out", str(archive)], check=True)
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(directory / "app")
    return directory / "app"


def invoke(unpacked: Path, event: dict[str, Any]) -> dict[str, Any]:
    # -I -S: no site-packages, no PYTHONPATH, no user site; only the stdlib and the zip.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(unpacked)],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env={"HEROIN_HELP_SKILL_ID": DEV_SKILL_ID},
        timeout=60,
        check=True,
    )
    answer: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_the_lambda_handler_answers_a_launch_request(unpacked: Path) -> None:
    answer = invoke(unpacked, Session().launch())
    reply = Reply.of(answer["response"])
    assert "say emergency" in reply.speech.lower()
    assert not reply.end_session
    assert answer["web_stack"] == []


def test_the_lambda_handler_starts_the_overdose_guide(unpacked: Path) -> None:
    answer = invoke(unpacked, Session().intent("OverdoseEmergencyIntent"))
    assert Reply.of(answer["response"]).speech.startswith("Call 9 1 1")


def test_the_lambda_handler_refuses_another_skill(unpacked: Path) -> None:
    answer = invoke(unpacked, Session(skill_id="amzn1.ask.skill.not-ours").launch())
    assert answer == {"error": "VerificationError"}


def test_the_zip_holds_the_lambda_path_and_not_the_tools(unpacked: Path) -> None:
    assert (unpacked / "speech" / "content" / "en-US.compiled.json").is_file()
    assert (unpacked / "intents" / "asksdk" / "serializer.py").is_file()
    for tool in ("speech/simulator", "speech/tts", "aiohttp", "cryptography", "pyttsx3"):
        assert not (unpacked / tool).exists(), f"{tool} is not on the Lambda path"
