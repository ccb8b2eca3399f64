"""One JSON line per request on stdout, written once the answer has been sent.

The line is written from aiohttp's access-log hook, after the response was prepared and its last
byte handed to the socket, so it holds the status the client actually got: our own answers, a
500 from a bug, and aiohttp's answers to requests it could not parse. The endpoint attaches a
`Record` to its answers; an answer without one is described from its status alone.

The line carries what operations need and nothing about the person: never user or device ids,
tokens, or what was said. Every field is a number or one of a fixed set of words (request types
and intents outside the skill's own names are "other"), so no line can grow with the request: a
line is at most a few hundred bytes.

At thousands of requests a second, a write per line (what a logging handler does) costs a system
call each and shows up in the benchmark; lines are buffered and written together every 200 ms and
at shutdown.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from typing import BinaryIO, NamedTuple

import orjson
from aiohttp import web

from skill.envelope import UNKNOWN, Summary
from skill.errors import reason_for

FLUSH_SECONDS = 0.2

# Routes, as the log and the metrics name them.
ALEXA = "alexa"
HEALTH = "health"
METRICS = "metrics"
NONE = "none"  # a request no route answered: aiohttp refused it, or nothing matched


class Record(NamedTuple):  # immutable, and cheaper to build than a frozen dataclass
    """What the endpoint knows about an answer that its status alone does not say."""

    route: str
    summary: Summary = UNKNOWN
    reason: str | None = None  # a fixed string from skill.errors, never request content
    notes: Sequence[str] = ()  # what was tolerated, in the skill's fixed words


RECORD = web.ResponseKey("heroin_help_record", Record)
NO_RECORD = Record(NONE)


def record_of(response: web.StreamResponse) -> Record:
    record = response.get(RECORD)
    return record if record is not None else NO_RECORD


def outcome(status: int) -> str:
    return "ok" if status < 400 else "rejected" if status < 500 else "error"


class RequestLog:
    def __init__(
        self, stream: BinaryIO | None = None, flush_seconds: float = FLUSH_SECONDS
    ) -> None:
        self.stream = stream
        self.flush_seconds = flush_seconds
        self._lines: list[bytes] = []
        self._scheduled = False

    def answered(self, record: Record, status: int, seconds: float) -> None:
        """The line for one answer, from what the endpoint recorded and the status sent."""
        line = {
            "ts": round(time.time(), 3),
            "route": record.route,
            "type": record.summary.request_type,
            "intent": record.summary.intent,
            "outcome": outcome(status),
            "status": status,
            "latency_ms": round(seconds * 1000, 3),
        }
        if status >= 400:
            line["reason"] = record.reason or reason_for(status)
        if record.notes:
            line["notes"] = list(record.notes)
        self.write(line)

    def write(self, fields: dict[str, object]) -> None:
        self._lines.append(orjson.dumps(fields))
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
        stream = self.stream or sys.stdout.buffer
        stream.write(b"\n".join(self._lines) + b"\n")
        stream.flush()
        self._lines.clear()
