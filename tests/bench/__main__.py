"""`make bench`: the three speed goals, measured as ratios in one run.

1. Throughput: the real service (full verification, dev PKI) against bare aiohttp, each pinned to
   core 0 with wrk on core 1 at 16 connections; req/s, p50, p99, CPU per request. The servers
   take turns over several rounds, so drift on a shared machine hits all of them alike, and the
   ratio is the median of each round's ratio. A third server, the service with a constant answer
   in place of the skill, shows the ceiling that verification and aiohttp alone allow.
2. Lambda cold start: a fresh process imports skill.lambda_function and answers one
   IntentRequest, against a hello-world ask-sdk-core skill doing the same; medians.
3. Resolver: utterances per second after start-up.
4. The guide store (`store.py`): lookup costs, a store that is down, boto3 kept off the cold path.

Results go to .bench/latest.json (and a timestamped copy), compared with the previous run.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import yaml
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from skill.envelope import SKILL_ID_ENV
from skill.server import listening_url
from speech.simulator.devpki import DEV_CERT_URL, load_signing_key, sign_body, write_dev_pki
from speech.simulator.devservice import dev_serve_args
from speech.simulator.envelopes import DEV_SKILL_ID, Session
from tests.bench import store

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / ".bench"
CONNECTIONS = 16
WARMUP_SECONDS = 3
LOAD_SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "9"))
SERVER_CORE, LOAD_CORE = "0", "1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

WRK_SCRIPT = """
local f = assert(io.open("{body}", "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
wrk.headers["SignatureCertChainUrl"] = "{cert_url}"
wrk.headers["Signature-256"] = "{signature}"
"""


def wrk_script(workdir: Path, body: bytes, key: RSAPrivateKey) -> Path:
    """A wrk script that posts `body`, signed with `key`, as Alexa would."""
    (workdir / "body.json").write_bytes(body)
    script = workdir / "post.lua"
    script.write_text(
        WRK_SCRIPT.format(
            body=workdir / "body.json", cert_url=DEV_CERT_URL, signature=sign_body(key, body)
        )
    )
    return script


def request_body() -> bytes:
    """A realistic ~1.2 KB IntentRequest: a medicine question inside an ongoing session."""
    session = Session()
    session.new = False
    session.attributes = {"topic": {"key": "WithdrawalIntent", "part": 0}}
    envelope = session.intent("MedicationIntent", {"medication": "buprenorphine"})
    envelope["request"]["intent"]["slots"]["medication"]["value"] = "suboxone"
    return orjson.dumps(envelope)


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, *command] if shutil.which("taskset") else command


@contextmanager
def running(command: list[str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        pinned(SERVER_CORE, command),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        url = listening_url(process.stdout.readline())
        if url is None:
            raise RuntimeError(f"server did not start: {command}")
        # The request log follows on stdout: read it, or the server blocks once the pipe fills.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield process, url + "/"
    finally:
        process.terminate()
        process.wait(timeout=20)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def load(url: str, pid: int, script: Path) -> dict[str, float]:
    wrk = ["wrk", "-t1", f"-c{CONNECTIONS}", "--latency", "-s", str(script)]
    subprocess.run(pinned(LOAD_CORE, [*wrk, f"-d{WARMUP_SECONDS}s", url]), capture_output=True)
    before = cpu_seconds(pid)
    output = subprocess.run(
        pinned(LOAD_CORE, [*wrk, f"-d{LOAD_SECONDS}s", url]),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = cpu_seconds(pid) - before
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "req_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": _latency(output, "50%"),
        "p99_ms": _latency(output, "99%"),
        "cpu_us_per_request": round(cpu / max(requests, 1) * 1e6, 1),
        "requests": requests,
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": 1 if socket_errors else 0,
    }


def _latency(output: str, percentile: str) -> float:
    match = re.search(rf"{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\b", output)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return round(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value, 3)


def throughput(workdir: Path) -> dict[str, Any]:
    pki = write_dev_pki(workdir / "pki")
    key = load_signing_key(pki.signing_key)
    python = sys.executable
    service = dev_serve_args(pki)
    servers = {
        "bare_aiohttp": [python, "-m", "tests.bench.baseline", "0"],
        "heroin_help": [python, "-m", "skill.cli", *service],
        "verification_only": [python, "-m", "tests.bench.verified_constant", *service],
    }
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
    for round_number in range(1, ROUNDS + 1):
        for name, command in servers.items():
            # A fresh timestamp: valid for 150 s, longer than one load run.
            script = wrk_script(workdir, request_body(), key)
            with running(command) as (process, url):
                runs[name].append(load(url, process.pid, script))
            print(f"  round {round_number} {name}: {runs[name][-1]}", flush=True)
    results: dict[str, Any] = {name: summarize(name_runs) for name, name_runs in runs.items()}
    results["ratio"] = median_ratio(runs["heroin_help"], runs["bare_aiohttp"])
    results["ceiling_ratio"] = median_ratio(runs["verification_only"], runs["bare_aiohttp"])
    results["rounds"] = ROUNDS
    results["seconds_per_run"] = LOAD_SECONDS
    results["body_bytes"] = len(request_body())
    return results


def summarize(runs: list[dict[str, float]]) -> dict[str, float]:
    """Medians over the rounds; the worst p99 and every error, because those must not hide."""
    summary = {
        key: round(statistics.median(run[key] for run in runs), 3)
        for key in ("req_per_s", "p50_ms", "p99_ms", "cpu_us_per_request")
    }
    summary["worst_p99_ms"] = max(run["p99_ms"] for run in runs)
    summary["requests"] = sum(run["requests"] for run in runs)
    summary["non_2xx"] = sum(run["non_2xx"] for run in runs)
    summary["socket_errors"] = sum(run["socket_errors"] for run in runs)
    return summary


def median_ratio(ours: list[dict[str, float]], bare: list[dict[str, float]]) -> float:
    ratios = [a["req_per_s"] / b["req_per_s"] for a, b in zip(ours, bare, strict=True)]
    return round(statistics.median(ratios), 3)


COLD_START = """
import json, sys, time
started = time.perf_counter()
from {module} import handler
answer = handler(json.loads(sys.argv[1]), None)
elapsed = time.perf_counter() - started
assert answer["response"]["outputSpeech"]["ssml"]
print(json.dumps({{"seconds": elapsed, "aiohttp": "aiohttp" in sys.modules}}))
"""


def cold_start() -> dict[str, Any]:
    event = json.dumps(Session().intent("MedicationIntent", {"medication": "naloxone"}))
    env = {**os.environ, SKILL_ID_ENV: DEV_SKILL_ID, "PYTHONDONTWRITEBYTECODE": "1"}
    samples: dict[str, list[float]] = {"heroin_help": [], "hello_world": []}
    modules = {"heroin_help": "skill.lambda_function", "hello_world": "tests.bench.hello_lambda"}
    imports_aiohttp = False
    for _ in range(COLD_RUNS):
        for name, module in modules.items():  # interleaved, so drift hits both alike
            output = subprocess.run(
                [sys.executable, "-c", COLD_START.format(module=module), event],
                capture_output=True, text=True, check=True, cwd=REPO, env=env,
            ).stdout  # fmt: skip
            result = json.loads(output.strip().splitlines()[-1])
            samples[name].append(result["seconds"] * 1000)
            imports_aiohttp |= name == "heroin_help" and result["aiohttp"]
    medians = {name: round(statistics.median(values), 1) for name, values in samples.items()}
    return {
        "median_ms": medians,
        "runs": COLD_RUNS,
        "ratio": round(medians["heroin_help"] / medians["hello_world"], 3),
        "lambda_imports_aiohttp": imports_aiohttp,
    }


def resolver_speed() -> dict[str, Any]:
    """Utterances per second through `Resolver.resolve`, over the open held-out sets (the
    sealed one is never read), best of 3 rounds; wall clock, and CPU time of this process
    (what a core of its own would give on a shared machine)."""
    from speech.simulator.nlu.resolver import Resolver

    started = time.perf_counter()
    resolver = Resolver.for_locale("en-US")
    startup = time.perf_counter() - started
    utterances = [
        str(entry["utterance"])
        for path in sorted((REPO / "tests/data/heldout").glob("en-US*.yaml"))
        for entry in yaml.safe_load(path.read_text())
    ]
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for utterance in utterances * 2:
            resolver.resolve(utterance)
        walls.append(len(utterances) * 2 / (time.perf_counter() - wall))
        cpus.append(len(utterances) * 2 / (time.process_time() - cpu))
    return {
        "startup_ms": round(startup * 1000, 1),
        "utterances": len(utterances) * 2,
        "per_second": round(max(walls)),
        "per_cpu_second": round(max(cpus)),
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["resolver"]:  # `make bench ARGS=resolver`: the resolver alone, in seconds
        r = resolver_speed()
        print(
            f"resolver: {r['per_second']}/s wall, {r['per_cpu_second']}/s per CPU second "
            f"({r['utterances']} utterances, start-up {r['startup_ms']} ms); target >= 2000/s"
        )
        return 0
    previous = _read(RESULTS / "latest.json")
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
    }
    print("Throughput (server on core 0, wrk on core 1, 16 connections):", flush=True)
    with tempfile.TemporaryDirectory() as workdir:
        results["throughput"] = throughput(Path(workdir))
    print("Lambda cold start:", flush=True)
    results["cold_start"] = cold_start()
    results["resolver"] = resolver_speed()
    print("Guide store:", flush=True)
    results["store"] = store.measure()
    report(results, previous)
    store.report(results["store"])
    RESULTS.mkdir(exist_ok=True)
    text = json.dumps(results, indent=2)
    (RESULTS / "latest.json").write_text(text)
    stamp = results["when"].replace(":", "")
    (RESULTS / f"results-{stamp}.json").write_text(text)
    return 0


def report(results: dict[str, Any], previous: dict[str, Any] | None) -> None:
    t, c, r = results["throughput"], results["cold_start"], results["resolver"]
    ours, bare = t["heroin_help"], t["bare_aiohttp"]
    rows = [
        ("1. throughput vs bare aiohttp", f"{t['ratio']:.2f}x", ">= 0.50x", t["ratio"] >= 0.5),
        (
            "   worst p99 at 16 connections",
            f"{ours['worst_p99_ms']:.2f} ms",
            "<= 10 ms",
            ours["worst_p99_ms"] <= 10,
        ),
        (
            "   errors",
            str(ours["non_2xx"] + ours["socket_errors"]),
            "0",
            ours["non_2xx"] + ours["socket_errors"] == 0,
        ),
        ("2. Lambda cold start vs hello world", f"{c['ratio']:.2f}x", "<= 1.00x", c["ratio"] <= 1),
        (
            "   Lambda path imports aiohttp",
            str(c["lambda_imports_aiohttp"]),
            "False",
            not c["lambda_imports_aiohttp"],
        ),
        (
            "3. resolver (wall, CPU)",
            f"{r['per_second']}/s, {r['per_cpu_second']}/s",
            ">= 2000/s",
            r["per_second"] >= 2000,
        ),
    ]
    print(f"\nMedians of {t['rounds']} rounds of {t['seconds_per_run']} s each:")
    print(f"{'':<20}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'CPU us/req':>12}{'vs bare':>10}")
    rows_by_server = (
        ("bare aiohttp", bare, 1.0),
        ("Heroin Help", ours, t["ratio"]),
        ("verification only", t["verification_only"], t["ceiling_ratio"]),
    )
    for name, row, ratio in rows_by_server:
        print(
            f"{name:<20}{row['req_per_s']:>10.0f}{row['p50_ms']:>10.2f}"
            f"{row['p99_ms']:>10.2f}{row['cpu_us_per_request']:>12.1f}{ratio:>9.2f}x"
        )
    cold = c["median_ms"]
    print(f"cold start median: ours {cold['heroin_help']} ms, hello world {cold['hello_world']} ms")
    print()
    for goal, measured, target, met in rows:
        print(f"{goal:<38}{measured:>12}  target {target:<10} {'met' if met else 'NOT MET'}")
    if previous:
        before = previous["throughput"]
        print(
            f"\nvs last run ({previous['when']}): ratio {before['ratio']:.2f}x -> "
            f"{t['ratio']:.2f}x, {ours['req_per_s'] / before['heroin_help']['req_per_s'] - 1:+.1%}"
            " req/s"
        )


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data


if __name__ == "__main__":
    sys.exit(main())
