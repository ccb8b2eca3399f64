"""The embedded guide store: one SQLite file that every worker on the machine shares.

WAL mode lets readers and one writer work at once across processes, and a busy timeout makes a
writer wait its turn instead of failing; each process opens its own connection on first use
(a connection must never cross a fork). Rows live KEEP_SECONDS: a read ignores an expired row,
and a save now and then deletes them. Keys are user_key() hashes; anything else is refused.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from intents.continuity import KEEP_SECONDS
from skill.stores.guard import ErrorHook, Failures, is_user_key

BUSY_SECONDS = 1.0  # a writer waits this long for another process's write to finish
PURGE_EVERY_SECONDS = 300.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS guide (
    key TEXT PRIMARY KEY,   -- user_key(): a SHA-256 of the Alexa user id
    state TEXT NOT NULL,    -- JSON
    expires_at REAL NOT NULL
) WITHOUT ROWID
"""
_T = TypeVar("_T")


class SqliteStore:
    def __init__(
        self,
        path: Path,
        keep_seconds: float = KEEP_SECONDS,
        clock: Callable[[], float] = time.time,
        on_error: ErrorHook | None = None,
    ) -> None:
        self.path = Path(path)
        self.keep_seconds = keep_seconds
        self.clock = clock
        self.failures = Failures("sqlite", on_error)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._purged_at = float("-inf")

    def load(self, key: str) -> dict[str, Any] | None:
        def read(db: sqlite3.Connection) -> tuple[str] | None:
            return db.execute(  # type: ignore[no-any-return]
                "SELECT state FROM guide WHERE key = ? AND expires_at > ?", (key, self.clock())
            ).fetchone()

        row = self._run("load", key, read)
        if row is None:
            return None
        try:
            state = json.loads(row[0])
        except ValueError:
            state = None
        if not isinstance(state, dict):
            raise self.failures("load", "a saved state is not a JSON object") from None
        return state

    def save(self, key: str, state: dict[str, Any]) -> None:
        try:
            text = json.dumps(state, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            raise self.failures("save", "the state is not plain JSON") from None

        def write(db: sqlite3.Connection) -> None:
            now = self.clock()
            db.execute(
                "INSERT INTO guide (key, state, expires_at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                "expires_at = excluded.expires_at",
                (key, text, now + self.keep_seconds),
            )
            if now - self._purged_at >= PURGE_EVERY_SECONDS:
                db.execute("DELETE FROM guide WHERE expires_at <= ?", (now,))
                self._purged_at = now

        self._run("save", key, write)

    def forget(self, key: str) -> None:
        self._run("forget", key, lambda db: db.execute("DELETE FROM guide WHERE key = ?", (key,)))

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None

    def _run(self, operation: str, key: str, work: Callable[[sqlite3.Connection], _T]) -> _T:
        if not is_user_key(key):
            raise self.failures(operation, "the key is not a user_key() hash") from None
        try:
            with self._lock:
                return work(self._connect())
        except (sqlite3.Error, OSError) as error:
            raise self.failures(operation, error) from None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        # A connection opened before a fork belongs to the parent: leave it (closing it here
        # could release the parent's locks) and open this process's own.
        self._connection = None
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The file (and so its -wal and -shm, which SQLite creates alike) readable by us alone.
        os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
        connection = sqlite3.connect(
            self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False
        )
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")  # WAL: safe across a crash
            connection.execute("PRAGMA secure_delete = ON")  # a forgotten state is overwritten
            connection.execute(_SCHEMA)
        except BaseException:
            connection.close()
            raise
        self._connection, self._pid = connection, os.getpid()
        return connection
