"""The guide store's costs: what a turn pays for a lookup, and what a store that is down costs.

    python -m tests.bench.store        (also run by `make bench`)

1. SQLite: save and load on a real file in WAL mode, medians in µs.
2. DynamoDB on moto's server (on 127.0.0.1, in this process): save and load round trips, ms.
3. A DynamoDB store that is down: nothing listening (refused), and a server that accepts and never
   answers (hung): seconds to StoreError, and the next call during the pause.
4. The Lambda cold path: boto3's import and first client (what HEROIN_HELP_STORE=dynamodb://...
   does not cost before a lookup), and the import of skill.lambda_function with and without a
   store named; medians over fresh processes.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from intents.continuity import StoreError, user_key
from skill.settings import STORE_ENV
from skill.stores.dynamodb import DynamoStore
from skill.stores.sqlite import SqliteStore
from tests.helpers import free_port, moto_server

REPO = Path(__file__).resolve().parents[2]
STATE = {"guide": "overdose", "step": "naloxone", "facts": {"responds": False, "doses": 1}}
RUNS = int(os.environ.get("BENCH_STORE_RUNS", "2000"))
FRESH = int(os.environ.get("BENCH_COLD_RUNS", "9"))
AWS_TEST_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def median_us(action: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter_ns()
        action()
        samples.append(time.perf_counter_ns() - started)
    return round(statistics.median(samples) / 1000, 1)


def sqlite_costs() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteStore(Path(folder) / "guide.sqlite3")
        keys = [user_key(f"caller {n}") for n in range(RUNS)]
        store.save(keys[0], STATE)  # opens the connection and creates the table
        it = iter(keys)
        save = median_us(lambda: store.save(next(it), STATE), RUNS)
        it = iter(keys)
        load = median_us(lambda: store.load(next(it)), RUNS)
        miss = median_us(lambda: store.load(user_key("nobody")), RUNS)
        store.close()
    return {"save_us": save, "load_us": load, "load_missing_us": miss}


def dynamodb_costs() -> dict[str, float]:
    with moto_server() as url:
        store = DynamoStore("heroin-help-guide", region="us-east-1", endpoint=url)
        store.create_table()
        key = user_key("caller")
        store.save(key, STATE)
        runs = max(RUNS // 20, 20)
        return {
            "save_ms": round(median_us(lambda: store.save(key, STATE), runs) / 1000, 2),
            "load_ms": round(median_us(lambda: store.load(key), runs) / 1000, 2),
        }


def seconds_to_store_error(store: DynamoStore) -> float:
    started = time.perf_counter()
    try:
        store.load(user_key("caller"))
    except StoreError:
        return time.perf_counter() - started
    raise AssertionError("the store answered")


def down_costs() -> dict[str, Any]:
    logging.getLogger("heroin_help.store").setLevel(logging.ERROR)
    refused = []
    for _ in range(5):
        closed = f"http://127.0.0.1:{free_port()}"  # nothing listens: a stopped server
        refused.append(
            seconds_to_store_error(DynamoStore("t-1", region="us-east-1", endpoint=closed))
        )
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    hung_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    hung = []
    paused = []
    for _ in range(3):
        store = DynamoStore("t-1", region="us-east-1", endpoint=hung_url)
        hung.append(seconds_to_store_error(store))
        paused.append(seconds_to_store_error(store))
    listener.close()
    for connection in held:
        connection.close()
    return {
        "refused_s": {
            "median": round(statistics.median(refused), 3),
            "max": round(max(refused), 3),
        },
        "hung_s": {"median": round(statistics.median(hung), 3), "max": round(max(hung), 3)},
        "during_pause_us": round(max(paused) * 1e6, 1),
    }


FIRST_CLIENT = """
import json, time
started = time.perf_counter()
import boto3
from botocore.config import Config
imported = time.perf_counter()
boto3.session.Session().client("dynamodb", region_name="us-east-1", config=Config())
made = time.perf_counter()
print(json.dumps([imported - started, made - imported]))
"""

IMPORT_ENTRY = """
import json, time
started = time.perf_counter()
import skill.lambda_function
print(json.dumps(time.perf_counter() - started))
"""


def fresh(program: str, env: dict[str, str]) -> Any:
    output = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
        env={k: v for k, v in os.environ.items() if k != STORE_ENV} | env,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def cold_path_costs() -> dict[str, Any]:
    clients = [fresh(FIRST_CLIENT, AWS_TEST_ENV) for _ in range(FRESH)]
    named = {STORE_ENV: "dynamodb://heroin-help-guide?region=us-east-1"}
    without, with_table = [], []
    for _ in range(FRESH):  # interleaved, so drift hits both alike
        without.append(fresh(IMPORT_ENTRY, {}))
        with_table.append(fresh(IMPORT_ENTRY, named))
    return {
        "boto3_import_ms": round(statistics.median(c[0] for c in clients) * 1000, 1),
        "boto3_first_client_ms": round(statistics.median(c[1] for c in clients) * 1000, 1),
        "import_entry_no_store_ms": round(statistics.median(without) * 1000, 1),
        "import_entry_dynamodb_store_ms": round(statistics.median(with_table) * 1000, 1),
        "runs": FRESH,
    }


def measure() -> dict[str, Any]:
    os.environ.update(AWS_TEST_ENV)
    return {
        "sqlite": sqlite_costs(),
        "dynamodb_moto": dynamodb_costs(),
        "dynamodb_down": down_costs(),
        "lambda_cold_path": cold_path_costs(),
    }


def report(results: dict[str, Any]) -> None:
    s, d = results["sqlite"], results["dynamodb_moto"]
    down, cold = results["dynamodb_down"], results["lambda_cold_path"]
    print(
        f"SQLite: save {s['save_us']} µs, load {s['load_us']} µs, "
        f"load of a missing key {s['load_missing_us']} µs (medians)"
    )
    print(f"DynamoDB on moto: save {d['save_ms']} ms, load {d['load_ms']} ms (medians)")
    print(
        f"DynamoDB down: refused -> StoreError in {down['refused_s']['median']} s "
        f"(max {down['refused_s']['max']}), hung -> {down['hung_s']['median']} s "
        f"(max {down['hung_s']['max']}), next call while paused {down['during_pause_us']} µs"
    )
    print(
        f"Lambda cold path: boto3 import {cold['boto3_import_ms']} ms + first client "
        f"{cold['boto3_first_client_ms']} ms, paid only on a lookup; import of the entry point "
        f"{cold['import_entry_no_store_ms']} ms without a store, "
        f"{cold['import_entry_dynamodb_store_ms']} ms with a DynamoDB store named"
    )


if __name__ == "__main__":
    measured = measure()
    report(measured)
    print(json.dumps(measured, indent=2))
