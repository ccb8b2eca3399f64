"""`heroin-help serve` as a real process: the command-line contract, SIGTERM draining, workers."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.devservice import DevService, start_service
from speech.simulator.envelopes import Reply, Session
from speech.simulator.transports import SignedClient
from tests.helpers import launch


@pytest.fixture
def service(dev_pki: DevPaths) -> Iterator[DevService]:
    running = start_service(dev_pki)
    yield running
    running.stop()


async def test_serve_answers_signed_requests_and_logs_them(
    service: DevService, dev_pki: DevPaths
) -> None:
    reply = await launch(service.url, dev_pki)
    assert "emergency" in reply.speech.lower()
    returncode, errors = service.stop()
    assert returncode == 0
    [line] = service.requests()
    assert line["outcome"] == "ok" and line["type"] == "LaunchRequest" and line["status"] == 200
    assert "Traceback" not in errors


async def test_hostile_requests_get_4xx_and_no_stack_trace(
    service: DevService, dev_pki: DevPaths
) -> None:
    async with SignedClient(service.url, load_signing_key(dev_pki.signing_key)) as client:
        statuses = [
            (await client.post(b"{oops", {"Content-Type": "application/json"}))[0],
            (await client.post(b"{oops", client.signed_headers(b"{oops")))[0],
            (await client.post(b"x" * (300 * 1024), client.signed_headers(b"x")))[0],
        ]
        assert statuses == [400, 400, 413]
        assert Reply.of(await client.send(Session().launch())).speech
    _, errors = service.stop()
    assert "Traceback" not in errors


async def test_sigterm_lets_a_request_in_flight_finish(
    service: DevService, dev_pki: DevPaths
) -> None:
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
    returncode, errors = service.wait()  # it exits by itself: SIGTERM was sent
    assert returncode == 0, errors


async def test_workers_share_one_port_and_stop_together(dev_pki: DevPaths) -> None:
    service = start_service(dev_pki, ["--workers", "2"])
    try:
        replies = await asyncio.gather(*(launch(service.url, dev_pki) for _ in range(12)))
        assert all("emergency" in reply.speech.lower() for reply in replies)
        children = _children(service.process.pid)
        assert len(children) == 2, children
    finally:
        returncode, errors = service.stop()
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
