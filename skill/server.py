"""Running the service: one process, or several workers sharing one listening socket.

The parent binds the port before forking so every worker accepts on the same socket (the kernel
spreads connections), and so `--port 0` works for tests. SIGTERM stops accepting and lets requests
in flight finish before the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

from aiohttp import web

from skill.app import IN_FLIGHT, create_app
from skill.settings import Settings

DRAIN_SECONDS = 10.0
# Printed once the service accepts requests: whoever started it (the simulator, the tests, the
# bench) reads the address from it, and may signal the process right after.
LISTENING = "Heroin Help listening on {url}"
_LISTENING = re.compile(r"listening on (http://\S+)")
log = logging.getLogger("heroin_help.server")


def listening_url(line: str) -> str | None:
    """The service's base URL from its listening line, or None when the line is something else."""
    match = _LISTENING.search(line)
    return match.group(1) if match else None


AppFactory = Callable[[Settings], web.Application]


def serve(
    settings: Settings,
    host: str,
    port: int,
    workers: int = 1,
    app_factory: AppFactory = create_app,
) -> int:
    """Serve until SIGTERM or SIGINT. `app_factory` builds each worker's app (the bench serves
    the same app with a constant answer in place of the skill)."""
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    if settings.skill_id is None:
        log.warning("no skill id configured: requests for any skill id are accepted")
    listening = LISTENING.format(url=f"http://{bound_host}:{bound_port}")
    if workers <= 1:
        asyncio.run(run_worker(app_factory(settings), sock, lambda: print(listening, flush=True)))
        return 0
    return supervise(
        lambda: app_factory(settings), sock, workers, lambda: print(listening, flush=True)
    )


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def run_worker(
    app: web.Application, sock: socket.socket, ready: Callable[[], None] | None = None
) -> None:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=DRAIN_SECONDS)
    await runner.setup()
    site = web.SockSite(runner, sock)
    await site.start()
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    if ready is not None:
        ready()
    await stopping.wait()
    log.info("stopping: no new connections; draining requests in flight (pid %d)", os.getpid())
    await site.stop()
    if not await app[IN_FLIGHT].wait_idle(DRAIN_SECONDS):
        log.warning("%d requests still in flight after %.0fs", app[IN_FLIGHT].count, DRAIN_SECONDS)
    await runner.cleanup()


def supervise(
    app: Callable[[], web.Application],
    sock: socket.socket,
    workers: int,
    ready: Callable[[], None],
) -> int:
    """Fork the workers, restart any that dies, and pass SIGTERM/SIGINT on to all of them."""
    children: set[int] = set()
    stopping = False

    def spawn() -> None:
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            try:
                asyncio.run(run_worker(app(), sock))
            finally:
                os._exit(0)
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
    ready()  # the socket already queues connections; workers pick them up as they start
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        children.discard(pid)
        if not stopping:
            log.error("worker %d exited (status %d); starting another", pid, status)
            spawn()
    sock.close()
    return 0


def configure_logging(level: int = logging.INFO) -> None:
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
