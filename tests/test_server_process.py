"""`heroin-help serve` as a real process: the command-line contract, SIGTERM draining, workers."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from skill.devpki import DevPaths, load_signing_key
from speech.alexa_requests import Reply, Session
from speech.chat import dev_serve_args
from speech.client import SignedClient

CLI = [sys.executable, "-m", "skill.cli"]
LISTENING = re.compile(r"listening on http://([\d.]+):(\d+)")


class Service:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url


def start(dev_pki: DevPaths, *extra: str) -> Service:
    process = subprocess.Popen(
        [*CLI, *dev_serve_args(dev_pki), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = LISTENING.search(line)
    assert match, f"no listening line: {line!r}"
    return Service(process, f"http://{match.group(1)}:{match.group(2)}/")


@pytest.fixture
def service(dev_pki: DevPaths) -> Iterator[Service]:
    running = start(dev_pki)
    yield running
    stop(running)


def stop(service: Service) -> tuple[int, str]:
    if service.process.poll() is None:
        service.process.send_signal(signal.SIGTERM)
    _, errors = service.process.communicate(timeout=20)
    return service.process.returncode, errors


async def launch(url: str, dev_pki: DevPaths) -> Reply:
    async with SignedClient(url, load_signing_key(dev_pki.signing_key)) as client:
        return Reply.of(await client.send(Session().launch()))


async def test_serve_answers_signed_requests_and_logs_them(
    service: Service, dev_pki: DevPaths
) -> None:
    reply = await launch(service.url, dev_pki)
    assert "emergency" in reply.speech.lower()
    returncode, errors = stop(service)
    assert returncode == 0
    assert '"outcome":"ok"' in errors and '"type":"LaunchRequest"' in errors
    assert "Traceback" not in errors


async def test_hostile_requests_get_4xx_and_no_stack_trace(
    service: Service, dev_pki: DevPaths
) -> None:
    async with SignedClient(service.url, load_signing_key(dev_pki.signing_key)) as client:
        statuses = [
            (await client.post(b"{oops", {"Content-Type": "application/json"}))[0],
            (await client.post(b"{oops", client.signed_headers(b"{oops")))[0],
            (await client.post(b"x" * (300 * 1024), client.signed_headers(b"x")))[0],
        ]
        assert statuses == [400, 400, 413]
        assert Reply.of(await client.send(Session().launch())).speech
    _, errors = stop(service)
    assert "Traceback" not in errors


async def test_sigterm_lets_a_request_in_flight_finish(service: Service, dev_pki: DevPaths) -> None:
    """Send half a request, SIGTERM the server, then the other half: it must still be answered."""
    client = SignedClient(service.url, load_signing_key(dev_pki.signing_key))
    body = orjson.dumps(Session().launch())
    headers = client.signed_headers(body)
    host, port = service.url.removeprefix("http://").rstrip("/").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    writer.write(
        f"POST / HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n{head}\r\n".encode()
    )
    writer.write(body[:100])
    await writer.drain()
    await asyncio.sleep(1.0)  # the handler is now waiting for the rest of the body
    service.process.send_signal(signal.SIGTERM)
    await asyncio.sleep(0.5)
    writer.write(body[100:])
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), timeout=10)
    writer.close()
    assert status_line.startswith(b"HTTP/1.1 200"), status_line
    _, errors = service.process.communicate(timeout=20)  # it exits by itself: SIGTERM was sent
    assert service.process.returncode == 0, errors


async def test_workers_share_one_port_and_stop_together(dev_pki: DevPaths) -> None:
    service = start(dev_pki, "--workers", "2")
    try:
        replies = await asyncio.gather(*(launch(service.url, dev_pki) for _ in range(12)))
        assert all("emergency" in reply.speech.lower() for reply in replies)
        children = _children(service.process.pid)
        assert len(children) == 2, children
    finally:
        returncode, errors = stop(service)
    assert returncode == 0
    assert "Traceback" not in errors
    assert all(not _alive(pid) for pid in children)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
