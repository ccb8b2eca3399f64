"""Running the service: one process, or several workers each with its own listening socket.

With `--workers N` every worker binds the port itself with SO_REUSEPORT, and the kernel spreads
new connections evenly over their sockets; one socket shared by all (what this did before) lets
whichever worker wakes first take them all. The parent reserves the port first (bound, never
listening), so `--port 0` gives every worker the same free port, and prints the listening line
once every worker listens.

SIGTERM drains (skill.transport): no new connections; every request already written on an open
connection is answered, with `Connection: close`; bodies still arriving get the body timeout; then
the process exits, after at most the drain time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import select
import shutil
import signal
import socket
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType

from aiohttp import web
from aiohttp.web_request import BaseRequest

from skill import operatorlog
from skill.app import create_app, front_door
from skill.metrics import TALLY, Exporter, metrics_app
from skill.requestlog import RequestLog, outcome, record_of
from skill.settings import Limits, Settings
from skill.transport import (
    Listener,
    connection_cap,
    raise_file_limit,
    request_handler_args,
)

# Printed once the service accepts requests: whoever started it (the simulator, the tests, the
# bench) reads the address from it, and may signal the process right after. When metrics are
# served, their line comes just before it.
LISTENING = "Heroin Help listening on {url}"
METRICS = "Heroin Help metrics on {url}"
_LISTENING = re.compile(r"listening on (http://\S+)")
_METRICS = re.compile(r"metrics on (http://\S+)")
READY_SECONDS = 60.0
RESPAWN_SECONDS = 0.5
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger("heroin_help.server")


def listening_url(line: str) -> str | None:
    """The service's base URL from its listening line, or None when the line is something else."""
    match = _LISTENING.search(line)
    return match.group(1) if match else None


def metrics_url(line: str) -> str | None:
    """The metrics URL from the metrics line, or None when the line is something else."""
    match = _METRICS.search(line)
    return match.group(1) if match else None


AppFactory = Callable[[Settings], web.Application]  # an app as create_app makes one
# The event loops `serve --loop` offers. uvloop is never required: it is only used when asked for,
# and then it must be installed (`pip install uvloop`).
LOOPS = ("asyncio", "uvloop")
LoopFactory = Callable[[], asyncio.AbstractEventLoop]


def loop_factory(name: str = "asyncio") -> LoopFactory | None:
    """What makes the event loop `name` (None: asyncio's own). Raises ValueError for a loop
    that is unknown or not installed."""
    if name == "asyncio":
        return None
    if name == "uvloop":
        try:
            import uvloop
        except ImportError:
            raise ValueError("uvloop is not installed (pip install uvloop)") from None
        factory: LoopFactory = uvloop.new_event_loop
        return factory
    raise ValueError(f"unknown event loop {name!r}: one of {', '.join(LOOPS)}")


@dataclass(frozen=True, slots=True)
class Address:
    host: str
    port: int


def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int = 1,
    app_factory: AppFactory = create_app,
    metrics: Address | None = None,
    loop: str = "asyncio",
) -> int:
    """Serve until SIGTERM or SIGINT. `app_factory` builds each worker's app (the bench serves
    the same app with a constant answer in place of the skill); `metrics`, when given, is where
    /metrics is served, apart from the public endpoint; `loop` names the event loop (LOOPS)."""
    new_loop = loop_factory(loop)
    limits = settings.limits
    file_limit = raise_file_limit()
    cap = connection_cap(limits.max_connections, file_limit)
    if cap < limits.max_connections:
        log.warning("open-file limit %d: at most %d connections per process", file_limit, cap)
    if settings.skill_id is None:
        log.warning("no skill id configured: requests for any skill id are accepted")
    metrics_dir = None
    if metrics is not None:  # before prometheus_client is imported: it reads this then
        metrics_dir = tempfile.mkdtemp(prefix="heroin-help-metrics-")
        os.environ[MULTIPROC_ENV] = metrics_dir
    worker = Worker(settings, app_factory, limits, cap, metrics_dir, new_loop)
    try:
        if workers <= 1:
            sock = listen(bind(host, port))
            metrics_sock = listen(bind(metrics.host, metrics.port)) if metrics else None
            with asyncio.Runner(loop_factory=new_loop) as runner:
                runner.run(worker.run(sock, metrics_sock, lambda: announce(sock, metrics_sock)))
            return 0
        return supervise(worker, host, port, metrics, workers)
    finally:
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def bind(host: str, port: int, *, reuse_port: bool = False) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def listen(sock: socket.socket) -> socket.socket:
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def announce(sock: socket.socket, metrics_sock: socket.socket | None) -> None:
    if metrics_sock is not None:
        print(METRICS.format(url=url_of(metrics_sock) + "/metrics"), flush=True)
    print(LISTENING.format(url=url_of(sock)), flush=True)


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class Worker:
    """One process's service: the app behind a Listener, the request log, the metrics."""

    def __init__(
        self,
        settings: Settings,
        app_factory: AppFactory,
        limits: Limits,
        cap: int,
        metrics_dir: str | None,
        new_loop: LoopFactory | None = None,
    ) -> None:
        self.settings = settings
        self.new_loop = new_loop
        self.app_factory = app_factory
        self.limits = limits
        self.cap = cap
        self.metrics_dir = metrics_dir

    async def run(
        self,
        sock: socket.socket,
        metrics_sock: socket.socket | None = None,
        ready: Callable[[], None] | None = None,
    ) -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(operatorlog.loop_exception_handler)
        request_log = RequestLog()

        def answered(request: BaseRequest, response: web.StreamResponse, seconds: float) -> None:
            record = record_of(response)
            status = response.status
            request_log.answered(record, status, seconds)
            summary = record.summary
            TALLY.request(
                record.route, summary.request_type, summary.intent, outcome(status), seconds
            )

        # The runner starts and stops the app (its certificate and guide stores); the requests go
        # to a low-level Server whose front door sends Alexa's straight to the endpoint; the
        # Listener feeds it connections.
        app = self.app_factory(self.settings)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        server = web.Server(front_door(app), request_factory=app._make_request)
        handler_args = request_handler_args(self.limits, answered)
        listener = Listener(sock, server, self.limits, cap=self.cap, handler_args=handler_args)
        listener.start()
        exporting, metrics_runner = await self.serve_metrics(metrics_sock)
        stopping = asyncio.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stopping.set)
        if ready is not None:
            ready()
        await stopping.wait()
        log.info("draining: no new connections; answering what is open (pid %d)", os.getpid())
        started = time.monotonic()
        if not await listener.drain():
            log.warning("%d connections still open after the drain time", listener.open)
        else:
            log.info("drained in %.2f s", time.monotonic() - started)
        await runner.cleanup()
        request_log.flush()
        if exporting is not None and metrics_runner is not None:
            exporting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await exporting
            await metrics_runner.cleanup()

    async def serve_metrics(
        self, sock: socket.socket | None
    ) -> tuple[asyncio.Task[None] | None, web.AppRunner | None]:
        if sock is None or self.metrics_dir is None:
            return None, None
        exporter = Exporter(self.metrics_dir)
        runner = web.AppRunner(metrics_app(exporter), access_log=None)
        await runner.setup()
        await web.SockSite(runner, sock).start()
        return asyncio.get_running_loop().create_task(exporter.run()), runner


def supervise(worker: Worker, host: str, port: int, metrics: Address | None, workers: int) -> int:
    """Fork the workers, restart any that dies, and pass SIGTERM/SIGINT on to all of them."""
    # Reserved, never listening: it holds the port (and picks it, for port 0) for the workers.
    reserved = bind(host, port, reuse_port=True)
    address = Address(host, reserved.getsockname()[1])
    reserved_metrics = bind(metrics.host, metrics.port, reuse_port=True) if metrics else None
    metrics_address = (
        Address(metrics.host, reserved_metrics.getsockname()[1])
        if metrics and reserved_metrics
        else None
    )
    children: set[int] = set()
    stopping = False
    ready_read, ready_write = os.pipe()

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            code = 0
            try:
                with asyncio.Runner(loop_factory=worker.new_loop) as runner:
                    runner.run(run_child(worker, address, metrics_address, ready_write))
            except BaseException:
                log.exception("worker failed")
                code = 1
            finally:
                os._exit(code)
        children.add(pid)

    def forward(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    for _ in range(workers):
        spawn()
    started = wait_ready(ready_read, workers)
    if not started:
        log.error("the workers did not start listening within %.0f s", READY_SECONDS)
        forward(signal.SIGTERM, None)
    else:
        print_lines(address, metrics_address)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        children.discard(pid)
        if not stopping:
            log.error("worker %d exited (status %d); starting another", pid, status)
            time.sleep(RESPAWN_SECONDS)  # a worker that cannot start must not spin the machine
            spawn()
    reserved.close()
    if reserved_metrics is not None:
        reserved_metrics.close()
    return 0 if started else 1


async def run_child(
    worker: Worker, address: Address, metrics: Address | None, ready_write: int
) -> None:
    sock = listen(bind(address.host, address.port, reuse_port=True))
    metrics_sock = listen(bind(metrics.host, metrics.port, reuse_port=True)) if metrics else None

    def ready() -> None:
        with contextlib.suppress(OSError):
            os.write(ready_write, b".")

    await worker.run(sock, metrics_sock, ready)


def wait_ready(ready_read: int, workers: int) -> bool:
    """Wait until every first worker listens; False when READY_SECONDS pass first."""
    deadline = time.monotonic() + READY_SECONDS
    seen = 0
    while seen < workers and (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([ready_read], [], [], left)
        if readable:
            seen += len(os.read(ready_read, workers - seen))
    return seen >= workers


def print_lines(address: Address, metrics: Address | None) -> None:
    if metrics is not None:
        print(METRICS.format(url=f"http://{metrics.host}:{metrics.port}/metrics"), flush=True)
    print(LISTENING.format(url=f"http://{address.host}:{address.port}"), flush=True)


def configure_logging(level: int = logging.INFO) -> None:
    """The operator stream: stderr, content-free tracebacks, rate-limited."""
    operatorlog.configure(level=level)
