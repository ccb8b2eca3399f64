"""One JSON line per request, written in batches.

At thousands of requests a second, a write per line (what a logging handler does) costs a system
call each and shows up in the benchmark; lines are buffered and written together every 200 ms and
at shutdown. The line carries what operations need and nothing about the person: never user or
device ids, tokens, or what was said.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any, TextIO

import orjson

FLUSH_SECONDS = 0.2


class RequestLog:
    def __init__(self, stream: TextIO | None = None, flush_seconds: float = FLUSH_SECONDS) -> None:
        self.stream = stream
        self.flush_seconds = flush_seconds
        self._lines: list[bytes] = []
        self._scheduled = False

    def write(self, **fields: Any) -> None:
        self._lines.append(orjson.dumps({"ts": round(time.time(), 3), **fields}))
        if not self._scheduled:
            self._scheduled = True
            try:
                asyncio.get_running_loop().call_later(self.flush_seconds, self.flush)
            except RuntimeError:  # no event loop (a plain function call): write now
                self.flush()

    def flush(self) -> None:
        self._scheduled = False
        if not self._lines:
            return
        stream = self.stream or sys.stderr
        stream.write(b"\n".join(self._lines).decode() + "\n")
        stream.flush()
        self._lines.clear()
