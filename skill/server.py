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
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

from aiohttp import web

from skill.app import IN_FLIGHT, Settings, create_app

DRAIN_SECONDS = 10.0
log = logging.getLogger("heroin_help.server")


def serve(settings: Settings, host: str, port: int, workers: int = 1) -> int:
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    if settings.skill_id is None:
        log.warning("no skill id configured: requests for any skill id are accepted")
    # Tests and the simulator wait for this line to know the port, and may signal us right after.
    listening = f"Heroin Help listening on http://{bound_host}:{bound_port}"
    if workers <= 1:
        asyncio.run(run_worker(settings, sock, ready=lambda: print(listening, flush=True)))
        return 0
    return supervise(settings, sock, workers, ready=lambda: print(listening, flush=True))


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


async def run_worker(
    settings: Settings, sock: socket.socket, ready: Callable[[], None] | None = None
) -> None:
    app = create_app(settings)
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
    settings: Settings, sock: socket.socket, workers: int, ready: Callable[[], None]
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
                asyncio.run(run_worker(settings, sock))
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
