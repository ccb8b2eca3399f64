"""Connections: which ones aiohttp gets, for how long, and how they end on shutdown.

    Listener        accepts on one listening socket. Over the cap it closes the least recently
                    used idle connection to make room, or, when none is idle, answers the new
                    one 503 at once without reading it. drain() stops accepting and lets every
                    open connection finish.
    GuardedHandler  aiohttp's RequestHandler with a header-read timeout, JSON bodies for
                    aiohttp's own errors, and `Connection: close` on every answer once draining
    raise_file_limit()  the soft file limit up to the hard one, and the cap that leaves room

The Listener takes any aiohttp `web.Server` (an Application's, through its runner, or a bare one),
so the endpoint can change without touching what happens here. GuardedHandler relies on two
internals of aiohttp 3's RequestHandler, named where they are used: the count of request heads
parsed (`_request_count`) and the queue of parsed requests (`_messages`).
"""

from __future__ import annotations

import asyncio
import errno
import logging
import resource
import socket
import time
from collections.abc import Callable
from typing import Any

import orjson
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from skill.errors import reason_for
from skill.metrics import TALLY
from skill.settings import Limits

log = logging.getLogger("heroin_help.transport")

ACCEPT_BURST = 16  # connections accepted per wake-up: also how far the cap may be overshot
RESERVED_FILES = 64  # kept for everything but client connections (logs, downloads, metrics)
ACCEPT_PAUSE_SECONDS = 1.0  # after the system refused an accept (out of files or memory)
IDLE_GRACE_SECONDS = 1.0  # a connection idle when draining starts may still be sending
NOTICE_SECONDS = 10.0  # one operator line per this long for a repeating condition
_OUT_OF_RESOURCES = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}


def raise_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; return the limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            soft = hard
        except (ValueError, OSError):  # an unlimited hard limit can exceed the kernel's maximum
            log.warning("could not raise the open-file limit above %d", soft)
    return soft


def connection_cap(configured: int, file_limit: int) -> int:
    """The connection cap: the configured one, or less when the file limit would not fit it
    with room for the files the service itself opens and one accept burst."""
    if file_limit == resource.RLIM_INFINITY:
        return configured
    return max(1, min(configured, file_limit - RESERVED_FILES - ACCEPT_BURST))


def json_error(status: int) -> web.Response:
    return web.Response(
        status=status,
        body=orjson.dumps({"error": reason_for(status)}),
        content_type="application/json",
    )


_BUSY = json_error(503).body
assert isinstance(_BUSY, bytes)
BUSY_ANSWER = (
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
    b"Content-Length: %d\r\nConnection: close\r\nRetry-After: 1\r\n\r\n%s" % (len(_BUSY), _BUSY)
)


class Notice:
    """An operator line for a condition that may repeat thousands of times a second: the first
    time, then at most once per NOTICE_SECONDS with how often it happened meanwhile."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.count = 0
        self.last = float("-inf")

    def __call__(self, *args: Any) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last >= NOTICE_SECONDS:
            log.warning(self.message + " (%d times)", *args, self.count)
            self.count = 0
            self.last = now


class Listener:
    """Accepts connections on `sock` for `server`, within `limits`."""

    def __init__(
        self,
        sock: socket.socket,
        server: web.Server,
        limits: Limits,
        *,
        cap: int,
        handler_args: dict[str, Any] | None = None,
    ) -> None:
        self.sock = sock
        self.server = server
        self.limits = limits
        self.cap = cap
        self.handler_args = handler_args or {}
        self.open = 0  # connections with a handler
        self.idle: dict[GuardedHandler, None] = {}  # idle ones, least recently active first
        TALLY.connections_idle = self.idle.__len__
        self.draining = False
        # Accepted connections not yet opened by a handler, by file descriptor. Counted apart
        # from `open` until the moment they join it: a count kept by the attaching task would
        # hold each one twice between its handler opening and the task's done callback, and a
        # burst of connections would then meet the cap early.
        self._attaching: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._loop = asyncio.get_running_loop()
        self._reading = False
        self._refused = Notice("connection cap %d reached, nothing idle to close: answered 503")
        self._evicted = Notice("connection cap %d reached: closed the longest idle connection")
        self._starved = Notice("accept failed (%s): pausing accepts")

    def start(self) -> None:
        self.sock.setblocking(False)
        self._resume()

    def _resume(self) -> None:
        if not self.draining and not self._reading:
            self._loop.add_reader(self.sock.fileno(), self._accept)
            self._reading = True

    def _pause(self) -> None:
        if self._reading:
            self._loop.remove_reader(self.sock.fileno())
            self._reading = False

    def _accept(self, burst: int = ACCEPT_BURST) -> None:
        for _ in range(burst):
            try:
                conn, _ = self.sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except ConnectionAbortedError:
                continue
            except OSError as error:
                if error.errno not in _OUT_OF_RESOURCES:
                    raise
                self._starved(errno.errorcode.get(error.errno or 0, "?"))
                self._pause()
                self._loop.call_later(ACCEPT_PAUSE_SECONDS, self._resume)
                return
            if self.open + len(self._attaching) >= self.cap and not self._evict_idle():
                self._refuse(conn)
                continue
            conn.setblocking(False)
            self._attaching.add(conn.fileno())
            task = self._loop.create_task(self._attach(conn))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _evict_idle(self) -> bool:
        oldest = next(iter(self.idle), None)
        if oldest is None:
            return False
        del self.idle[oldest]
        oldest.force_close()
        TALLY.connection_closed("evicted")
        self._evicted(self.cap)
        return True

    def _refuse(self, conn: socket.socket) -> None:
        # Without a handler or a task: a flood of connections must cost as little as possible.
        try:
            conn.setblocking(False)
            conn.send(BUSY_ANSWER)
        except OSError:
            pass
        finally:
            conn.close()
        TALLY.connection_closed("refused")
        self._refused(self.cap)

    async def _attach(self, conn: socket.socket) -> None:
        fd = conn.fileno()
        try:
            await self._loop.connect_accepted_socket(self._handler, conn)
        except OSError:
            self._attaching.discard(fd)
            conn.close()

    def _handler(self) -> GuardedHandler:
        return GuardedHandler(self.server, self, loop=self._loop, **self.handler_args)

    # Called by the handlers.

    def opened(self, handler: GuardedHandler) -> None:
        transport = handler.transport
        if transport is not None:
            self._attaching.discard(transport.get_extra_info("socket").fileno())
        self.open += 1
        TALLY.connections_open += 1
        if self.draining:
            handler.close_soon_if_idle()

    def closed(self, handler: GuardedHandler) -> None:
        self.open -= 1
        TALLY.connections_open -= 1
        self.idle.pop(handler, None)

    # Shutdown.

    def stop_accepting(self) -> None:
        """Take every connection the kernel has already queued for us, then close the socket:
        a queued connection may already hold a request, which closing would throw away."""
        self._pause()
        self._accept(burst=1_000_000)
        self.draining = True
        self.sock.close()
        for handler in list(self.idle):
            handler.close_soon_if_idle()

    async def drain(self) -> bool:
        """Stop accepting; wait until every connection has been answered and closed, or the
        drain time is up. True when all closed in time."""
        self.stop_accepting()
        deadline = self._loop.time() + self.limits.drain_seconds
        while self.open or self._attaching:
            if self._loop.time() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True


class GuardedHandler(RequestHandler):
    """One connection, as aiohttp handles it, with the Listener's limits."""

    __slots__ = ("_answered", "_head_timer", "_listener")

    def __init__(self, manager: web.Server, listener: Listener, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._listener = listener
        self._answered = 0  # requests answered; aiohttp counts the heads parsed
        self._head_timer: asyncio.TimerHandle | None = None

    # The header-read timeout: from connecting, or from the first byte of the next request,
    # until its head is complete.

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._listener.opened(self)
        self._listener.idle[self] = None
        self._start_head_timer()

    def _start_head_timer(self) -> None:
        self._head_timer = self._loop.call_later(
            self._listener.limits.header_timeout, self._head_too_slow
        )

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._request_count == self._answered:  # aiohttp's count of heads parsed
            TALLY.connection_closed("header_timeout")
            self.force_close()

    def data_received(self, data: bytes) -> None:
        idle = self._listener.idle
        if self in idle:
            del idle[self]
        super().data_received(data)
        if self._request_count > self._answered:  # a whole head arrived: the endpoint's turn
            if self._head_timer is not None:
                self._head_timer.cancel()
                self._head_timer = None
        elif self._head_timer is None:
            self._start_head_timer()

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._listener.closed(self)
        super().connection_lost(exc)

    # Answers: JSON for aiohttp's own, `Connection: close` while draining.

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """aiohttp's answer to a request it could not parse, or to an exception that escaped a
        handler: JSON with a fixed reason instead of text that quotes the request. A parse error
        is the client's and is only counted; a 500 is ours, and the operator gets its trace."""
        if status >= 500 and exc is not None:
            log.error("unhandled error answering a request", exc_info=exc)
        if request.writer.output_size > 0:
            raise ConnectionError("the response had started; cannot send another")
        response = json_error(status)
        response.force_close()
        return response

    async def finish_response(
        self, request: BaseRequest, resp: web.StreamResponse, start_time: float | None
    ) -> tuple[web.StreamResponse, bool]:
        if isinstance(resp, web.HTTPException):  # raised by aiohttp's router, as text/plain
            resp = json_error(resp.status)
        if self._listener.draining:
            resp.force_close()
        try:
            return await super().finish_response(request, resp, start_time)
        finally:
            self._answered += 1
            if (
                not self._messages  # aiohttp's queue of parsed requests: none waiting
                and resp.keep_alive
                and not self._listener.draining
                and self.transport is not None
            ):
                self._listener.idle[self] = None

    # Draining.

    def close_soon_if_idle(self) -> None:
        self._loop.call_later(IDLE_GRACE_SECONDS, self._close_if_idle)

    def _close_if_idle(self) -> None:
        if self in self._listener.idle:  # not a byte of another request since the last answer
            self.force_close()


def request_handler_args(
    limits: Limits, on_answer: Callable[[BaseRequest, web.StreamResponse, float], None]
) -> dict[str, Any]:
    """The RequestHandler arguments that carry `limits`, and call `on_answer` after each answer
    has been sent (aiohttp's access-log hook)."""
    from aiohttp.abc import AbstractAccessLogger

    class Answered(AbstractAccessLogger):
        def log(self, request: BaseRequest, response: web.StreamResponse, time: float) -> None:
            on_answer(request, response, time)

    return {
        "keepalive_timeout": limits.keepalive_timeout,
        # After an answer sent before the body was read (a 413, a 408), read and drop what is
        # still coming for this long, so the client sees the answer rather than a reset.
        "lingering_time": 2.0,
        "access_log_class": Answered,
        "access_log": log,  # any logger: aiohttp calls the hook only when one is given
    }
