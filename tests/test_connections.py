"""The transport of a real `serve` process, over real sockets: timeouts, the connection cap and the
open-file limit, workers sharing the port, and draining on SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from aiohttp import ClientSession

from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.devservice import DevService, start_service
from speech.simulator.envelopes import Session
from speech.simulator.transports import SignedClient
from tests.helpers import metric_samples, split

FAST = ["--header-timeout", "1", "--body-timeout", "1", "--keepalive-timeout", "2"]


@pytest.fixture
def fast(dev_pki: DevPaths) -> Iterator[DevService]:
    running = start_service(dev_pki, FAST)
    yield running
    running.stop()


def address(service: DevService) -> tuple[str, int]:
    host, port = service.url.removeprefix("http://").rstrip("/").split(":")
    return host, int(port)


def signed_request(dev_pki: DevPaths, *, close: bool = False) -> bytes:
    """A complete signed HTTP request for a LaunchRequest, as bytes on the wire."""
    body = orjson.dumps(Session().launch())
    client = SignedClient("http://unused/", load_signing_key(dev_pki.signing_key))
    headers = {**client.signed_headers(body), "Content-Length": str(len(body))}
    if close:
        headers["Connection"] = "close"
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    return f"POST / HTTP/1.1\r\nHost: skill\r\n{head}\r\n".encode() + body


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        name.lower(): value.strip()
        for name, _, value in (line.partition(":") for line in lines[1:] if line)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return int(lines[0].split()[1]), headers, body


async def closed_within(reader: asyncio.StreamReader, seconds: float) -> float:
    """How long until the server closes the connection (EOF or reset); fails after `seconds`."""
    started = time.monotonic()
    with contextlib.suppress(ConnectionError):
        await asyncio.wait_for(reader.read(), seconds)
    return time.monotonic() - started


# --- timeouts ---------------------------------------------------------------------------------


async def test_a_silent_connection_is_closed_after_the_header_timeout(fast: DevService) -> None:
    reader, writer = await asyncio.open_connection(*address(fast))
    assert await closed_within(reader, 30) < 10
    writer.close()


async def test_a_half_sent_request_head_is_closed_after_the_header_timeout(
    fast: DevService,
) -> None:
    reader, writer = await asyncio.open_connection(*address(fast))
    writer.write(b"POST / HTTP/1.1\r\nHost: skill\r\nContent-Le")
    await writer.drain()
    assert await closed_within(reader, 30) < 10
    writer.close()


async def test_a_stalled_body_gets_408_and_the_connection_closes(
    fast: DevService, dev_pki: DevPaths
) -> None:
    request = signed_request(dev_pki)
    reader, writer = await asyncio.open_connection(*address(fast))
    writer.write(request[:-50])  # all but the end of the body
    await writer.drain()
    status, headers, body = await asyncio.wait_for(read_answer(reader), 30)
    assert status == 408 and orjson.loads(body) == {"error": "request body too slow"}
    assert headers["connection"].lower() == "close"
    assert await closed_within(reader, 30) < 10
    writer.close()
    fast.stop()
    assert fast.requests()[-1]["status"] == 408


async def test_an_idle_keep_alive_connection_is_closed_after_the_keepalive_timeout(
    fast: DevService, dev_pki: DevPaths
) -> None:
    reader, writer = await asyncio.open_connection(*address(fast))
    writer.write(signed_request(dev_pki))
    await writer.drain()
    status, headers, _ = await asyncio.wait_for(read_answer(reader), 30)
    assert status == 200 and headers.get("connection", "keep-alive").lower() != "close"
    assert 1 < await closed_within(reader, 30) < 20
    writer.close()


@pytest.mark.long
async def test_with_default_settings_slow_and_idle_connections_close_in_time(
    dev_pki: DevPaths,
) -> None:
    service = start_service(dev_pki)
    try:
        host, port = address(service)
        silent = await asyncio.open_connection(host, port)
        half = await asyncio.open_connection(host, port)
        half[1].write(b"GET / HTTP/1.1\r\nHo")
        stalled = await asyncio.open_connection(host, port)
        stalled[1].write(signed_request(dev_pki)[:-50])
        idle = await asyncio.open_connection(host, port)
        idle[1].write(signed_request(dev_pki))
        await read_answer(idle[0])
        waits = await asyncio.gather(
            closed_within(silent[0], 30),
            closed_within(half[0], 30),
            closed_within(stalled[0], 30),
            closed_within(idle[0], 90),
        )
        assert max(waits[:3]) < 30 and waits[3] < 90, waits
    finally:
        service.stop()


# --- the connection cap and the open-file limit -------------------------------------------


def file_limit(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))


async def test_1100_idle_connections_at_a_file_limit_of_1024_do_not_lock_out_a_good_request(
    dev_pki: DevPaths,
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1400:
        pytest.skip("this test needs 1,400 open files in the test process")
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    service = start_service(dev_pki, preexec_fn=lambda: file_limit(1024))
    idle: list[asyncio.StreamWriter] = []
    try:
        host, port = address(service)
        for _ in range(1100):
            _, writer = await asyncio.open_connection(host, port)
            idle.append(writer)
        before = log_bytes(service)
        started = time.monotonic()
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(signed_request(dev_pki, close=True))
        await writer.drain()
        status, _, _ = await asyncio.wait_for(read_answer(reader), 5)
        assert status == 200
        answered_in = time.monotonic() - started
        assert answered_in < 5
        writer.close()
        await asyncio.sleep(20)
        grown = log_bytes(service) - before
        assert grown < 1_000_000
        print(
            f"\n1,100 idle at 1,024 files: 200 in {answered_in:.3f} s; log +{grown} bytes in 20 s"
        )
    finally:
        for writer in idle:
            writer.close()
        code, errors = service.stop()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert code == 0
    assert "Traceback" not in errors and "out of system resource" not in errors


def log_bytes(service: DevService) -> int:
    return sum(map(len, service.log_lines)) + sum(map(len, service.error_lines))


async def test_over_the_cap_with_nothing_idle_a_new_connection_gets_a_fast_503(
    dev_pki: DevPaths,
) -> None:
    # The busy connections must stay busy however slow this machine is: a long header timeout.
    service = start_service(
        dev_pki, ["--max-connections", "8", "--header-timeout", "120", "--metrics-port", "0"]
    )
    busy: list[asyncio.StreamWriter] = []
    try:
        host, port = address(service)
        for _ in range(8):  # each has sent part of a request head: busy, not idle
            _, writer = await asyncio.open_connection(host, port)
            writer.write(b"POST / HTTP/1.1\r\nHost: skill\r\n")
            await writer.drain()
            busy.append(writer)
        # A connection is idle until the service reads its first bytes, and the cap may close an
        # idle one: on a loaded machine, wait until the service itself says all 8 are busy.
        assert await connections_reported(service, open=8, idle=0)
        reader, writer = await asyncio.open_connection(host, port)
        # The answer comes at once: nothing is read from this connection. The generous wait is
        # for a loaded machine, not for the server.
        status, headers, body = await asyncio.wait_for(read_answer(reader), 30)
        assert status == 503 and headers["connection"] == "close"
        assert orjson.loads(body) == {"error": "server busy"}
        writer.close()
    finally:
        for writer in busy:
            writer.close()
        _, errors = service.stop()
    assert errors.count("connection cap 8 reached") == 1


async def connections_reported(service: DevService, *, open: int, idle: int) -> bool:
    """Whether the service's /metrics comes to show `open` connections, `idle` of them idle,
    within 30 seconds."""
    assert service.metrics_url is not None
    wanted: dict[tuple[str, frozenset[tuple[str, str]]], float] = {
        ("heroin_help_connections_open", frozenset()): open,
        ("heroin_help_connections_idle", frozenset()): idle,
    }
    deadline = time.monotonic() + 30
    async with ClientSession() as http:
        while time.monotonic() < deadline:
            async with http.get(service.metrics_url) as response:
                text = await response.text()
            found = metric_samples(text)
            if all(found.get(key) == value for key, value in wanted.items()):
                return True
            await asyncio.sleep(0.2)
    return False


# --- workers ------------------------------------------------------------------------------


async def test_two_workers_each_get_a_share_of_16_keep_alive_connections(
    dev_pki: DevPaths,
) -> None:
    service = start_service(dev_pki, ["--workers", "2"])
    connections = []
    try:
        host, port = address(service)
        for _ in range(16):
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(signed_request(dev_pki))
            await writer.drain()
            assert (await asyncio.wait_for(read_answer(reader), 30))[0] == 200
            connections.append(writer)
        counts = split(service.process.pid, port)
    finally:
        for writer in connections:
            writer.close()
        service.stop()
    assert sum(counts) == 16 and len(counts) == 2
    # SO_REUSEPORT hashes each connection to a worker: 16 land 8/8 on average, and fewer than 2
    # on one worker 1 time in 2,000. One socket shared by both gave 16/0 or 15/1.
    assert min(counts) >= 2, counts


# --- draining on SIGTERM ------------------------------------------------------------------


@dataclass
class Client:
    written: int = 0
    answered: int = 0
    closes: int = 0  # answers with Connection: close


async def keep_asking(host: str, port: int, request: bytes, client: Client) -> None:
    """Back-to-back requests on a keep-alive connection; a new connection after `Connection:
    close`; done when no connection can be had (the service stopped accepting)."""
    while True:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            return
        try:
            while True:
                writer.write(request)
                client.written += 1
                status, headers, _ = await read_answer(reader)
                assert status == 200
                client.answered += 1
                if headers.get("connection", "").lower() == "close":
                    client.closes += 1
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            return  # a request written and never answered: `lost` counts it
        finally:
            writer.close()


@pytest.mark.parametrize("workers", [1, 2])
async def test_sigterm_answers_every_request_already_written(
    dev_pki: DevPaths, workers: int
) -> None:
    service = start_service(dev_pki, ["--workers", str(workers)])
    host, port = address(service)
    request = signed_request(dev_pki)
    clients = [Client() for _ in range(16)]
    load = asyncio.gather(*(keep_asking(host, port, request, client) for client in clients))
    await asyncio.sleep(2)
    os.kill(service.process.pid, signal.SIGTERM)
    await asyncio.wait_for(load, 30)
    code, errors = service.wait()
    lost = sum(client.written - client.answered for client in clients)
    assert code == 0, errors
    assert lost == 0, [(client.written, client.answered) for client in clients]
    assert sum(client.answered for client in clients) > 16
    assert all(client.closes >= 1 for client in clients)  # each was told to close
    assert len(service.log_lines) == sum(client.answered for client in clients)
    answered = sum(client.answered for client in clients)
    print(f"\ndrain, {workers} worker(s): {answered} answered, {lost} lost")


def test_the_open_file_limit_is_raised_to_the_hard_limit_at_start(dev_pki: DevPaths) -> None:
    def lower_soft_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, 2048))

    service = start_service(dev_pki, preexec_fn=lower_soft_limit)
    try:
        limits = Path(f"/proc/{service.process.pid}/limits").read_text()
    finally:
        service.stop()
    [line] = [line for line in limits.splitlines() if line.startswith("Max open files")]
    assert line.split()[3:5] == ["2048", "2048"]
