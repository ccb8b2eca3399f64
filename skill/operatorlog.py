"""The operator's stream: warnings and errors on stderr, apart from the request log on stdout.

Two promises hold whatever a request does:

- No request content. A traceback names exception types and code locations only: exception
  messages (which often quote the value that failed to parse) are left out.
- Bounded volume. At most BURST lines per WINDOW seconds; the next line that gets through says how
  many were dropped. A flood of bad requests or refused connections costs a few lines, not one
  each.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any, TextIO

BURST = 20
WINDOW = 10.0
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class RateLimit(logging.Filter):
    """A token bucket: BURST lines at once, refilled at BURST per WINDOW seconds."""

    def __init__(
        self,
        burst: int = BURST,
        window: float = WINDOW,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.burst = burst
        self.rate = burst / window
        self.clock = clock
        self.tokens = float(burst)
        self.last = clock()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens < 1:
            self.dropped += 1
            return False
        self.tokens -= 1
        if self.dropped:
            record.dropped = self.dropped  # the formatter says so on this line
            self.dropped = 0
        return True


class ContentFree(logging.Formatter):
    """Tracebacks as exception types and code locations only."""

    def formatException(self, ei: ExcInfo) -> str:
        kind, _, tb = ei
        frames = traceback.extract_tb(tb)
        lines = ["Traceback (types and locations only):"]
        lines += [f"  {frame.filename}:{frame.lineno} in {frame.name}" for frame in frames]
        lines.append(kind.__qualname__ if kind is not None else "unknown exception")
        return "\n".join(lines)

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        dropped = getattr(record, "dropped", 0)
        return f"{text} [{dropped} earlier lines dropped]" if dropped else text


def configure(stream: TextIO | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send every logger's records to `stream` (stderr), content-free and rate-limited."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(ContentFree(FORMAT))
    handler.addFilter(RateLimit())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


_loop_log = logging.getLogger("heroin_help.loop")


def loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """asyncio's unhandled errors (a failed accept, a callback that raised): asyncio's own fixed
    message and the exception's type, through the same limits as everything else."""
    error = context.get("exception")
    message = str(context.get("message", "event loop error"))
    if isinstance(error, BaseException):
        _loop_log.error("%s (%s)", message, type(error).__name__, exc_info=error)
    else:
        _loop_log.error("%s", message)
