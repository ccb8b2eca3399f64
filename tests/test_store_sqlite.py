"""The SQLite guide store on a real file: several processes, a restart, expiry, privacy, failure."""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import subprocess
import sys
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest

from intents.continuity import KEEP_SECONDS, StoreError, user_key
from skill.stores.guard import FAILED
from skill.stores.sqlite import PURGE_EVERY_SECONDS, SqliteStore
from speech.simulator.devpki import DevPaths
from tests.helpers import Clock, serve_one_launch

RAW_ID = "amzn1.ask.account.AHEROINHELPTESTCALLERWITHAVERYRECOGNISABLEID"
STATE = {"guide": "overdose", "step": "naloxone", "facts": {"responds": False, "doses": 1}}
CALLERS_PER_WORKER = 40


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "heroin-help" / "guide.sqlite3"


@pytest.fixture
def store(path: Path) -> SqliteStore:
    return SqliteStore(path)


def file_bytes(path: Path) -> bytes:
    """The database and its WAL and shared-memory files, as they are on disk now."""
    return b"".join(
        part.read_bytes()
        for part in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"))
        if part.exists()
    )


def rows(path: Path) -> int:
    with sqlite3.connect(path) as db:
        count: int = db.execute("SELECT count(*) FROM guide").fetchone()[0]
    return count


def test_a_saved_state_is_loaded_and_forgotten(store: SqliteStore) -> None:
    key, other = user_key(RAW_ID), user_key(RAW_ID + "-someone-else")
    assert store.load(key) is None
    store.save(key, STATE)
    assert store.load(key) == STATE
    assert store.load(other) is None
    store.save(key, {**STATE, "step": "breathing"})
    assert store.load(key) == {**STATE, "step": "breathing"}
    store.forget(key)
    assert store.load(key) is None
    store.forget(key)  # forgetting twice is not an error


def test_a_state_expires_after_keep_seconds_and_old_rows_are_purged(path: Path) -> None:
    clock = Clock()
    store = SqliteStore(path, clock=clock)
    key = user_key(RAW_ID)
    store.save(key, STATE)
    clock.now += KEEP_SECONDS - 1
    assert store.load(key) == STATE
    clock.now += 1
    assert store.load(key) is None
    assert rows(path) == 1, "a read only ignores the expired row"
    clock.now += PURGE_EVERY_SECONDS
    store.save(user_key("another caller"), STATE)
    assert rows(path) == 1, "the next save purged the expired row"


def test_a_restart_keeps_the_state(path: Path) -> None:
    """One process saves and exits; a new one, and a store opened again, find the state."""
    key = user_key(RAW_ID)
    program = (
        "import sys; from pathlib import Path; from skill.stores.sqlite import SqliteStore; "
        "SqliteStore(Path(sys.argv[1])).save(sys.argv[2], {'step': 'call'})"
    )
    subprocess.run([sys.executable, "-c", program, str(path), key], check=True, timeout=60)
    first = SqliteStore(path)
    assert first.load(key) == {"step": "call"}
    first.save(key, STATE)
    first.close()
    assert SqliteStore(path).load(key) == STATE


def _worker(
    store: SqliteStore, index: int, barrier: Barrier, results: Queue[Any], first_key: str
) -> None:
    for n in range(CALLERS_PER_WORKER):
        store.save(user_key(f"caller {index} {n}"), {"worker": index, "n": n})
    barrier.wait(timeout=60)
    other = 1 - index
    seen = [store.load(user_key(f"caller {other} {n}")) for n in range(CALLERS_PER_WORKER)]
    results.put((index, seen, store.load(first_key)))


def test_two_worker_processes_share_one_file(store: SqliteStore, path: Path) -> None:
    """Like `serve --workers 2`: the store is made before the fork and used on both sides."""
    first_key = user_key(RAW_ID)
    store.save(first_key, STATE)  # the parent's connection is open when the workers fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    results: Queue[Any] = context.Queue()
    workers = [
        context.Process(target=_worker, args=(store, index, barrier, results, first_key))
        for index in (0, 1)
    ]
    for worker in workers:
        worker.start()
    answers = {}
    for _ in workers:
        index, seen, first = results.get(timeout=60)
        answers[index] = (seen, first)
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    for index, (seen, first) in answers.items():
        assert seen == [{"worker": 1 - index, "n": n} for n in range(CALLERS_PER_WORKER)]
        assert first == STATE
    assert store.load(user_key(f"caller 1 {CALLERS_PER_WORKER - 1}")) is not None
    assert rows(path) == 1 + 2 * CALLERS_PER_WORKER


def test_the_file_never_holds_the_raw_user_id(store: SqliteStore, path: Path) -> None:
    key = user_key(RAW_ID)
    store.save(key, STATE)
    with pytest.raises(StoreError):
        store.save(RAW_ID, STATE)  # a raw id passed by mistake is refused, not written
    with pytest.raises(StoreError):
        store.load(RAW_ID)
    written = file_bytes(path)
    assert key.encode() in written  # the check reads what the store wrote (the WAL included)
    assert RAW_ID.encode() not in written
    assert RAW_ID[len("amzn1.ask.account.") :].encode() not in written
    assert path.stat().st_mode & 0o077 == 0, "only the service's user can read the file"


def test_a_forgotten_state_is_gone_from_the_file(store: SqliteStore, path: Path) -> None:
    key = user_key(RAW_ID)
    store.save(key, {"secret": "FORGET-ME-PLEASE"})
    assert b"FORGET-ME-PLEASE" in file_bytes(path)
    store.forget(key)
    store.close()  # the last connection folds the WAL into the file
    assert b"FORGET-ME-PLEASE" not in file_bytes(path)


def test_a_corrupt_file_raises_store_error(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database, it is a text file " * 200)
    failures: list[str] = []
    store = SqliteStore(path, on_error=failures.append)
    key = user_key(RAW_ID)
    with caplog.at_level(logging.WARNING, logger="heroin_help.store"):
        for operation in ("load", "save", "forget"):
            with pytest.raises(StoreError) as raised:
                if operation == "save":
                    store.save(key, STATE)
                else:
                    getattr(store, operation)(key)
            assert str(raised.value) == FAILED
            assert raised.value.__cause__ is None
    assert failures == ["load", "save", "forget"]
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 1, "failures are logged once, then counted"
    assert "not a database" in lines[0] and key not in lines[0]


@pytest.mark.parametrize("where", ["under a file", "a directory"])
def test_an_unusable_path_raises_store_error(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "blocker"
    if where == "under a file":
        blocker.write_text("a file, not a folder")
        path = blocker / "guide.sqlite3"
    else:
        blocker.mkdir()
        path = blocker
    store = SqliteStore(path)
    with pytest.raises(StoreError):
        store.save(user_key(RAW_ID), STATE)
    with pytest.raises(StoreError):
        store.load(user_key(RAW_ID))


def test_a_state_that_is_not_plain_json_raises_store_error(store: SqliteStore) -> None:
    with pytest.raises(StoreError):
        store.save(user_key(RAW_ID), {"when": object()})
    with pytest.raises(StoreError):
        store.save(user_key(RAW_ID), {"doses": float("nan")})
    assert store.load(user_key(RAW_ID)) is None


async def test_serve_with_a_sqlite_store_answers(dev_pki: DevPaths, path: Path) -> None:
    served = await serve_one_launch(dev_pki, ["--store", f"sqlite://{path}", "--workers", "2"])
    assert "emergency" in served.reply.speech.lower()
    assert served.returncode == 0
    assert f"guide store: sqlite://{path}" in served.stderr
    assert "Traceback" not in served.stderr
