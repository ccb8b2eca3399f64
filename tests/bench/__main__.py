"""`make bench`: the speed goals, measured as ratios in one run.

1. Throughput: each server pinned to core 0, wrk on core 1 with 16 connections, cycling 64
   distinct signed bodies (`bodies.py`), so no cache keyed on the body helps anyone. Every
   server runs on the same event loop (BENCH_LOOP, `serve --loop`) and is first checked to
   answer every body with a 200 (and the skills with speech that is not the apology). The
   servers (`servers.py`): bare aiohttp, the limit; bare aiohttp with the minimal verification,
   the ceiling for any verified skill; Heroin Help; ask-sdk-core's CustomSkill in aiohttp with
   the same verification, the naive peer; the service with a constant answer. They take turns
   over alternating rounds, so drift on a shared machine hits all of them alike, and each ratio
   is the median of the per-round ratios. req/s, p50, p99 and CPU per request (the server's
   own CPU time over the requests it answered).
2. Lambda cold start: the zip `script/build-lambda` builds, unpacked; a fresh interpreter
   imports the handler and answers one event, against a hello-world ask-sdk-core skill in the
   same package; medians over interleaved runs, with and without the shipped bytecode.
3. Resolver: utterances per second after start-up.
4. The guide store (`store.py`): lookup costs, a store that is down, boto3 kept off the cold path.

BENCH_SECONDS, BENCH_ROUNDS, BENCH_COLD_RUNS, BENCH_LOOP and BENCH_SERVERS (a comma list; bare
aiohttp always runs) change the run. Results go to .bench/latest.json (and a timestamped copy),
compared with the previous run.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import os
import platform
import py_compile
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import zipfile
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
from skill.settings import STORE_ENV
from speech import content
from speech.simulator.devpki import DEV_CERT_URL, load_signing_key, sign_body, write_dev_pki
from speech.simulator.devservice import dev_serve_args
from speech.simulator.envelopes import DEV_SKILL_ID, Session
from tests.bench import store
from tests.bench.bodies import wrk_script

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / ".bench"
CONNECTIONS = 16
WARMUP_SECONDS = 3
LOAD_SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
LOOP = os.environ.get("BENCH_LOOP", "asyncio")  # every server runs on it: `serve --loop`
COLD_RUNS = int(os.environ.get("BENCH_COLD_RUNS", "9"))
SERVER_CORE, LOAD_CORE = "0", "1"
# Another checkout of this project (say `git archive main | tar -x -C DIR`): its service runs
# too, as "heroin_help_before", so a change is measured against what it changes in one run.
BEFORE = Path(os.environ["BENCH_BEFORE"]).resolve() if os.environ.get("BENCH_BEFORE") else None
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def pinned(core: str, command: list[str]) -> list[str]:
    return ["taskset", "-c", core, *command] if shutil.which("taskset") else command


@contextmanager
def running(command: list[str], cwd: Path = REPO) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        pinned(SERVER_CORE, command),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=cwd,
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


def answers_each(url: str, bodies: list[bytes], key: RSAPrivateKey, speaks: bool) -> None:
    """Post every body once; each must get a 200 (and, from a skill, speech that is not the
    apology): a server that refuses or fails fast would otherwise look fast."""
    parsed = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parsed.hostname or "", parsed.port, timeout=30)
    apology = content.load(content.DEFAULT_LOCALE).prompts["error"].speech
    try:
        for body in bodies:
            headers = {
                "Content-Type": "application/json",
                "SignatureCertChainUrl": DEV_CERT_URL,
                "Signature-256": sign_body(key, body),
            }
            connection.request("POST", "/", body=body, headers=headers)
            response = connection.getresponse()
            answer = orjson.loads(response.read())
            if response.status != 200:
                raise RuntimeError(f"{url} answered {response.status}: {answer}")
            if speaks:
                ssml = answer["response"]["outputSpeech"]["ssml"]
                if apology in ssml:
                    raise RuntimeError(f"{url} apologised: the skill failed")
    finally:
        connection.close()


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


# Each server, how it starts (after the interpreter), and whether its answers speak.
SERVERS: dict[str, tuple[list[str], bool]] = {
    "bare_aiohttp": (["-m", "tests.bench.servers", "bare"], False),
    "ceiling": (["-m", "tests.bench.servers", "ceiling"], False),
    "heroin_help": (["-m", "skill.cli"], True),
    "ask_sdk_peer": (["-m", "tests.bench.servers", "peer"], True),
    "service_constant": (["-m", "tests.bench.servers", "constant"], False),
}
ROWS = {
    "bare_aiohttp": "bare aiohttp (the limit)",
    "ceiling": "minimal verification (ceiling)",
    "heroin_help": "Heroin Help",
    "ask_sdk_peer": "ask-sdk-core CustomSkill (peer)",
    "service_constant": "service, constant answer",
    "heroin_help_before": "Heroin Help, BENCH_BEFORE",
}


def throughput(workdir: Path) -> dict[str, Any]:
    pki = write_dev_pki(workdir / "pki")
    key = load_signing_key(pki.signing_key)
    service = [*dev_serve_args(pki), *(["--loop", LOOP] if LOOP != "asyncio" else [])]
    only = os.environ.get("BENCH_SERVERS")
    names = [
        name for name in SERVERS if not only or name in only.split(",") or name == "bare_aiohttp"
    ]
    if BEFORE is not None:
        names.append("heroin_help_before")
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_number in range(1, ROUNDS + 1):
        # Alternate the order too: whatever drifts within a round falls on each server in turn.
        order = names if round_number % 2 else names[::-1]
        for name in order:
            before = name == "heroin_help_before"
            start, speaks = SERVERS["heroin_help" if before else name]
            cwd = BEFORE if before and BEFORE is not None else REPO
            # Fresh bodies each time: their timestamps are valid for 150 s.
            script, bodies = wrk_script(workdir, key)
            with running([sys.executable, *start, *service], cwd) as (process, url):
                answers_each(url, bodies, key, speaks)
                runs[name].append(load(url, process.pid, script))
            print(f"  round {round_number} {name}: {runs[name][-1]}", flush=True)
    results: dict[str, Any] = {name: summarize(name_runs) for name, name_runs in runs.items()}
    results["ratios"] = {name: median_ratio(runs[name], runs["bare_aiohttp"]) for name in names}
    # Bare aiohttp's CPU per request over the server's: the ratio with a core each. On a shared
    # machine it holds far steadier than req/s, which moves with whatever else has the core.
    results["cpu_ratios"] = {
        name: round(
            results["bare_aiohttp"]["cpu_us_per_request"] / results[name]["cpu_us_per_request"], 3
        )
        for name in names
    }
    results["round_ratios"] = {
        name: [
            round(a["req_per_s"] / b["req_per_s"], 3)
            for a, b in zip(runs[name], runs["bare_aiohttp"], strict=True)
        ]
        for name in names
    }
    results["rounds"] = ROUNDS
    results["seconds_per_run"] = LOAD_SECONDS
    results["loop"] = LOOP
    sizes = [len(body) for body in wrk_script(workdir, key)[1]]
    results["bodies"] = {"distinct": len(sizes), "median_bytes": statistics.median(sizes)}
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


# What Lambda's Python runtime (awslambdaric's bootstrap) has imported before it imports the
# handler, and so costs neither side anything; then the handler's import and its first answer.
COLD_START = """
import importlib, json, logging, os, sys, time, traceback
started = time.perf_counter()
from {module} import handler
answer = handler(json.loads(sys.argv[1]), None)
elapsed = time.perf_counter() - started
assert answer["response"]["outputSpeech"]["ssml"]
print(json.dumps({{"seconds": elapsed, "aiohttp": "aiohttp" in sys.modules}}))
"""
HANDLERS = {"heroin_help": "skill.lambda_function", "hello_world": "hello_lambda"}


def cold_events() -> dict[str, dict[str, Any]]:
    """What a cold start answers: the overdose question that opens a session (issue 10's
    event), and a medicine question."""
    return {
        "overdose_signs_new_session": Session().intent("OverdoseSignsIntent"),
        "medication_naloxone": Session().intent("MedicationIntent", {"medication": "naloxone"}),
    }


def lambda_task(workdir: Path, bytecode: bool) -> Path:
    """The Lambda zip as `make lambda-package` builds it, unpacked as Lambda unpacks it into
    /var/task, with the hello-world skill beside it: both sides import the same ask-sdk files,
    compiled (or not) the same way."""
    name = "bytecode" if bytecode else "sources"
    archive = workdir / f"lambda-{name}.zip"
    build = [sys.executable, str(REPO / "script/build-lambda"), "--out", str(archive)]
    subprocess.run(build + ([] if bytecode else ["--no-bytecode"]), check=True, cwd=REPO,
                   capture_output=True)  # fmt: skip
    task = workdir / f"task-{name}"
    with zipfile.ZipFile(archive) as unzip:
        unzip.extractall(task)
    hello = task / "hello_lambda.py"
    shutil.copy(REPO / "tests/bench/hello_lambda.py", hello)
    if bytecode:
        py_compile.compile(
            str(hello),
            cfile=importlib.util.cache_from_source(str(hello)),
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    return task


def cold_start(workdir: Path) -> dict[str, Any]:
    """Fresh interpreters that import a handler from the unpacked package and answer one event,
    ours and the hello world's in turn so drift hits both alike; medians. `-S` keeps this
    virtualenv's site-packages out: only the package's files are importable, and nothing is
    written back (Lambda's /var/task is read-only). No guide store is configured."""
    env = {**os.environ, SKILL_ID_ENV: DEV_SKILL_ID, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop(STORE_ENV, None)
    events = cold_events()
    results: dict[str, Any] = {"runs": COLD_RUNS, "lambda_imports_aiohttp": False}
    variants = [(True, name) for name in events] + [(False, "overdose_signs_new_session")]
    tasks = {bytecode: lambda_task(workdir, bytecode) for bytecode in (True, False)}
    for bytecode, event_name in variants:
        event = json.dumps(events[event_name])
        samples: dict[str, list[float]] = {name: [] for name in HANDLERS}
        for _ in range(COLD_RUNS):
            for name, module in HANDLERS.items():
                output = subprocess.run(
                    [sys.executable, "-S", "-c", COLD_START.format(module=module), event],
                    capture_output=True, text=True, check=True, cwd=tasks[bytecode],
                    env={**env, "PYTHONPATH": str(tasks[bytecode])},
                ).stdout  # fmt: skip
                result = json.loads(output.strip().splitlines()[-1])
                samples[name].append(result["seconds"] * 1000)
                results["lambda_imports_aiohttp"] |= name == "heroin_help" and result["aiohttp"]
        medians = {name: round(statistics.median(values), 1) for name, values in samples.items()}
        key = event_name if bytecode else f"{event_name}_without_bytecode"
        results[key] = {
            "median_ms": medians,
            "ratio": round(medians["heroin_help"] / medians["hello_world"], 3),
            "round_ratios": [
                round(ours / hello, 3)
                for ours, hello in zip(samples["heroin_help"], samples["hello_world"], strict=True)
            ],
        }
        print(f"  {key}: {results[key]['median_ms']} ratio {results[key]['ratio']}", flush=True)
    results["ratio"] = max(results[name]["ratio"] for name in events)
    return results


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
    print("Lambda cold start (the built package, unpacked):", flush=True)
    with tempfile.TemporaryDirectory() as workdir:
        results["cold_start"] = cold_start(Path(workdir))
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
    ours, ratio = t["heroin_help"], t["ratios"]["heroin_help"]
    errors = ours["non_2xx"] + ours["socket_errors"]
    rows = [
        ("1. throughput vs bare aiohttp", f"{ratio:.2f}x", ">= 0.50x", ratio >= 0.5),
        ("   by CPU per request", f"{t['cpu_ratios']['heroin_help']:.2f}x", ">= 0.50x",
         t["cpu_ratios"]["heroin_help"] >= 0.5),
        ("   worst p99 at 16 connections", f"{ours['worst_p99_ms']:.2f} ms", "<= 10 ms",
         ours["worst_p99_ms"] <= 10),
        ("   errors", str(errors), "0", errors == 0),
        ("2. Lambda cold start vs hello world", f"{c['ratio']:.2f}x", "<= 1.05x",
         c["ratio"] <= 1.05),
        ("   overdose signs, new session", f"{c['overdose_signs_new_session']['ratio']:.2f}x",
         "<= 1.00x", c["overdose_signs_new_session"]["ratio"] <= 1.0),
        ("   Lambda path imports aiohttp", str(c["lambda_imports_aiohttp"]), "False",
         not c["lambda_imports_aiohttp"]),
        ("3. resolver (wall, CPU)", f"{r['per_second']}/s, {r['per_cpu_second']}/s",
         ">= 2000/s", r["per_second"] >= 2000),
    ]  # fmt: skip
    bodies = t["bodies"]
    print(
        f"\nMedians of {t['rounds']} alternating rounds of {t['seconds_per_run']} s each, "
        f"{bodies['distinct']} distinct signed bodies ({bodies['median_bytes']:.0f} B median), "
        f"event loop {t['loop']}:"
    )
    print(
        f"{'':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU us/req':>12}{'vs bare':>9}"
        f"{'by CPU':>8}"
    )
    for name, label in ROWS.items():
        if name not in t["ratios"]:
            continue
        row = t[name]
        print(
            f"{label:<34}{row['req_per_s']:>9.0f}{row['p50_ms']:>9.2f}{row['p99_ms']:>9.2f}"
            f"{row['cpu_us_per_request']:>12.1f}{t['ratios'][name]:>8.2f}x"
            f"{t['cpu_ratios'][name]:>7.2f}x"
        )
    print(f"per-round ratios, Heroin Help: {t['round_ratios']['heroin_help']}")
    for name in ("overdose_signs_new_session", "medication_naloxone",
                 "overdose_signs_new_session_without_bytecode"):  # fmt: skip
        cold = c[name]["median_ms"]
        print(
            f"cold start, {name}: ours {cold['heroin_help']} ms, hello world "
            f"{cold['hello_world']} ms, {c[name]['ratio']:.2f}x"
        )
    print()
    for goal, measured, target, met in rows:
        print(f"{goal:<38}{measured:>14}  target {target:<10} {'met' if met else 'NOT MET'}")
    if previous and "ratios" in previous.get("throughput", {}):
        before = previous["throughput"]
        print(
            f"\nvs last run ({previous['when']}): ratio {before['ratios']['heroin_help']:.2f}x"
            f" -> {ratio:.2f}x, CPU/request {before['heroin_help']['cpu_us_per_request']:.0f}"
            f" -> {ours['cpu_us_per_request']:.0f} us, cold start "
            f"{previous['cold_start']['ratio']:.2f}x -> {c['ratio']:.2f}x"
        )


def _read(path: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data


if __name__ == "__main__":
    sys.exit(main())
