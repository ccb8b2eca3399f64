"""The Lambda package, unzipped and run by a clean Python that has only the zip on its path."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from skill.settings import STORE_ENV
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


def invoke(
    unpacked: Path, event: dict[str, Any], env: dict[str, str] | None = None
) -> dict[str, Any]:
    # -I -S: no site-packages, no PYTHONPATH, no user site; only the stdlib and the zip.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", RUNNER, str(unpacked)],
        input=json.dumps(event),
        capture_output=True,
        text=True,
        env={"HEROIN_HELP_SKILL_ID": DEV_SKILL_ID, **(env or {})},
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


def test_the_lambda_handler_answers_with_a_guide_store_named(unpacked: Path) -> None:
    """The store connects only on a lookup, so naming one (here unreachable, and without boto3,
    which the zip leaves to the Lambda runtime) changes nothing for an answer."""
    store = {STORE_ENV: "dynamodb://heroin-help-guide?region=us-east-1&endpoint=http://127.0.0.1:9"}
    answer = invoke(unpacked, Session().intent("OverdoseEmergencyIntent"), store)
    assert Reply.of(answer["response"]).speech.startswith("Call 9 1 1")


def test_the_zip_holds_the_lambda_path_and_not_the_tools(unpacked: Path) -> None:
    assert (unpacked / "speech" / "content" / "en-US.compiled.json").is_file()
    assert (unpacked / "intents" / "asksdk" / "serializer.py").is_file()
    assert (unpacked / "skill" / "stores" / "dynamodb.py").is_file()
    for tool in ("speech/simulator", "speech/tts", "aiohttp", "cryptography", "pyttsx3"):
        assert not (unpacked / tool).exists(), f"{tool} is not on the Lambda path"
    for runtime in ("boto3", "botocore"):
        assert not (unpacked / runtime).exists(), f"{runtime} comes with the Lambda runtime"


def importtime(program: str, env: dict[str, str]) -> str:
    """What `python -X importtime -c program` writes to stderr, HEROIN_HELP_STORE unset but
    for `env`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", program],
        capture_output=True,
        text=True,
        env={k: v for k, v in os.environ.items() if k != STORE_ENV} | env,
        timeout=120,
        check=True,
    )
    return result.stderr


def modules_in(importtime: str) -> set[str]:
    lines = importtime.splitlines()
    return {line.rpartition("|")[2].strip() for line in lines if line.startswith("import time:")}


STORE_BACKENDS = {"boto3", "botocore", "sqlite3", "_sqlite3"}


def test_the_cold_start_without_a_store_imports_no_store() -> None:
    stderr = importtime("import skill.lambda_function", {})
    modules = modules_in(stderr)
    assert "skill.lambda_function" in modules
    assert modules & (STORE_BACKENDS | {"skill.stores"}) == set()
    assert f"{STORE_ENV} is not set" in stderr


def test_the_cold_start_with_a_dynamodb_store_imports_boto3_only_for_a_lookup() -> None:
    program = (
        "import skill.lambda_function as entry\n"
        "from intents.continuity import StoreError, user_key\n"
        "import sys\n"
        "print('LOOKUP', file=sys.stderr, flush=True)\n"
        "try:\n"
        "    entry._skill.store.load(user_key('amzn1.ask.account.CALLER'))\n"
        "except StoreError:\n"
        "    pass\n"
    )
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens
    env = {
        STORE_ENV: f"dynamodb://heroin-help-guide?region=us-east-1&endpoint={closed}",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    stderr = importtime(program, env)
    before, _, after = (modules_in(part) for part in stderr.partition("LOOKUP"))
    assert "skill.stores.dynamodb" in before
    assert before & STORE_BACKENDS == set()
    assert {"boto3", "botocore"} <= after


def test_the_zip_carries_bytecode_that_stays_valid_when_unpacked(unpacked: Path) -> None:
    """Lambda's /var/task is read-only: without .pyc files in the zip, every cold start compiles
    every module it imports. Unpacking gives the sources new times, so the .pyc files must be
    the kind that is used without checking the source (PEP 552: hash-based, unchecked)."""
    modules = [
        path
        for root in ("skill", "intents", "speech", "ask_sdk_core", "yaml")
        for path in (unpacked / root).rglob("*.py")
    ]
    assert len(modules) > 50
    for module in modules:
        cached = Path(importlib.util.cache_from_source(str(module)))
        header = cached.read_bytes()[:8]
        assert header[:4] == importlib.util.MAGIC_NUMBER, module
        flags = int.from_bytes(header[4:8], "little")
        assert flags == 0b01, f"{module}: not an unchecked hash-based .pyc"
