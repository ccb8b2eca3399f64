"""What several test modules share. Test modules import from here, never from each other."""

from __future__ import annotations

import array
import logging
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from speech.simulator.asr.audio import read_wav, resample, to_pcm16
from speech.simulator.devpki import DevPaths, load_signing_key
from speech.simulator.devservice import start_service
from speech.simulator.envelopes import Reply, Session
from speech.simulator.transports import SignedClient

# What the browser tests saw, for the end of the run: screenshot paths and measurements.
BROWSER_NOTES: list[str] = []


async def launch(url: str, pki: DevPaths) -> Reply:
    """One LaunchRequest in a new session, signed with the dev CA, to a running service."""
    async with SignedClient(url, load_signing_key(pki.signing_key)) as client:
        return Reply.of(await client.send(Session().launch()))


@dataclass(frozen=True)
class Served:
    reply: Reply
    returncode: int
    stderr: str


async def serve_one_launch(pki: DevPaths, extra: Sequence[str]) -> Served:
    """Start `heroin-help serve` with `extra` arguments, send one signed launch, and stop it."""
    service = start_service(pki, extra)
    try:
        reply = await launch(service.url, pki)
    finally:
        returncode, stderr = service.stop()
    return Served(reply, returncode, stderr)


class Clock:
    """A clock a test moves by hand (wall or monotonic time)."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def metric_samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Prometheus text as {(sample name, its labels): value}."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def wait_until_answering(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: it is up
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer in {timeout} s")


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's DynamoDB-compatible server on 127.0.0.1, in a thread of this process; its URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()  # returns before the socket answers
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(url + "/moto-api/")
        yield url
    finally:
        server.stop()


class Alexa(SignedClient):
    """A signed client that also keeps one conversation's session, like a speaker would."""

    def __init__(self, url: str, pki: DevPaths) -> None:
        super().__init__(url, load_signing_key(pki.signing_key))
        self.session = Session()

    async def turn(self, name: str | None, **slots: str) -> Reply:
        envelope = self.session.launch() if name is None else self.session.intent(name, slots)
        answer = await self.send(envelope)
        self.session.absorb(answer)
        return Reply.of(answer)

    def new_session(self) -> None:
        self.session = Session()


# Places in parsed JSON, for tests that plant or swap values in envelopes.

JsonPath = tuple[Any, ...]  # keys and indexes from the root


def json_paths(value: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, Any]]:
    """Every place in `value`, the root first, with what is there."""
    yield path, value
    if isinstance(value, dict):
        for key, item in value.items():
            yield from json_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from json_paths(item, (*path, index))


def put(root: Any, path: JsonPath, value: Any) -> None:
    """Put `value` at `path` (not the root) inside `root`."""
    for step in path[:-1]:
        root = root[step]
    root[path[-1]] = value


# Which process holds which connection, read from /proc (Linux).


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def established_on(port: int) -> set[int]:
    """Socket inodes of established TCP connections whose local port is `port`."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":
                inodes.add(int(fields[9]))
    return inodes


def sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def split(server_pid: int, port: int) -> list[int]:
    connections = established_on(port)
    return sorted(
        (len(sockets_of(worker) & connections) for worker in children(server_pid)), reverse=True
    )


def spoken_wav(
    text: str, path: Path, *, rate: int | None = None, lead_seconds: float = 0.0
) -> Path:
    """espeak-ng (en-us) saying `text` as a mono 16-bit WAV: resampled to `rate` when given, and
    with `lead_seconds` of silence in front (a fake microphone starts before anyone listens)."""
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(raw), text], check=True)
    sound = read_wav(raw.read_bytes())
    raw.unlink()
    out_rate = rate or sound.rate
    # No noise floor: the recording is what a microphone gave; the recogniser adds its own.
    samples = to_pcm16(resample(sound.samples, sound.rate, out_rate), noise_floor=0.0)
    silence = array.array("h", bytes(2 * int(lead_seconds * out_rate)))
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(out_rate)
        writer.writeframes(silence.tobytes() + samples)
    return path
