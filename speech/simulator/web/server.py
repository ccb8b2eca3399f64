"""Serving the simulator's pages: on their own (`heroin-help web`), or beside the chat (`run`)."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from speech.simulator.devservice import ServiceDidNotStart, local_service
from speech.simulator.transports import transport_for
from speech.simulator.web.app import create_web_app
from speech.simulator.web.engines import Render, Transcribe

DEFAULT_PORT = 8081
# Printed once the pages are served; scripts read the address from it.
SERVING = "Simulator in the browser: {url}"

# The web app for the skill's service at a URL.
WebAppFactory = Callable[[str], web.Application]


def pages_for(
    state: Path, *, render: Render | None, transcribe: Transcribe | None
) -> WebAppFactory:
    """The web app for a service started by `run` or `web`, or given with --url: it signs with
    the dev CA in `state` and caches audio there. The engines come from the command line."""

    def build(skill_url: str) -> web.Application:
        return create_web_app(
            transport_for(skill_url, state),
            state=state,
            render=render,
            transcribe=transcribe,
            skill_url=skill_url,
        )

    return build


@asynccontextmanager
async def serving(app: web.Application, host: str, port: int) -> AsyncIterator[str]:
    """Serve `app` until the block ends; yields its address (port 0 picks a free port)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0]
        yield f"http://{host}:{bound[1]}/"
    finally:
        await runner.cleanup()


def serve_web(host: str, port: int, *, url: str | None, state: Path, build: WebAppFactory) -> int:
    """`heroin-help web`: serve the pages until Ctrl-C or SIGTERM. Without `url`, start the
    service on the dev CA first and stop it at the end."""
    if url is not None:
        return asyncio.run(_serve_until_stopped(build(url), host, port, url))
    try:
        with local_service(state) as service:
            return asyncio.run(_serve_until_stopped(build(service.url), host, port, service.url))
    except ServiceDidNotStart as error:
        print(f"{error}:\n{error.log_tail()}", file=sys.stderr)
        return 1


async def _serve_until_stopped(app: web.Application, host: str, port: int, skill: str) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with serving(app, host, port) as address:
            print(SERVING.format(url=address), f"(the skill: {skill})", flush=True)
            await stop.wait()
    except OSError as error:  # the port is taken, or the address is not this machine's
        print(f"cannot serve on {host}:{port}: {error.strerror or error}", file=sys.stderr)
        return 1
    return 0
