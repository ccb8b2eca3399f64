"""Starting `heroin-help serve` trusting the development CA: the one way `run`, the tests and
the bench do it, so all of them exercise the same verification path a real request takes."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import orjson

from skill.server import listening_url, metrics_url
from skill.settings import state_dir
from speech.simulator.devpki import DevPaths, write_dev_pki
from speech.simulator.envelopes import DEV_SKILL_ID

STOP_SECONDS = 20.0
SERVICE_LOG = "service.log"  # in the state directory: what the tools' own service wrote


def dev_pki(state: Path | None = None) -> DevPaths:
    """The development CA and signing chain, kept (and renewed) under the state directory."""
    return write_dev_pki((state or state_dir()) / "pki")


def dev_serve_args(pki: DevPaths, *, host: str = "127.0.0.1", port: int = 0) -> list[str]:
    """`heroin-help serve` arguments for a service that trusts the dev CA the simulator signs
    with, and accepts the dev skill id; port 0 picks a free port, named on the listening line."""
    return [
        "serve", "--host", host, "--port", str(port), "--skill-id", DEV_SKILL_ID,
        "--trust-root", str(pki.trust_root), "--cert-chain", str(pki.cert_chain),
    ]  # fmt: skip


@dataclass
class DevService:
    process: subprocess.Popen[str]
    url: str  # the Alexa endpoint, with its trailing slash
    metrics_url: str | None = None  # /metrics, when started with --metrics-port
    # Both output streams are read as they come, so neither pipe fills and blocks the service:
    # the request log (stdout after the listening line) into `log_lines`, and `log` when given;
    # the operator stream (stderr, when captured) into `error_lines`.
    log_lines: list[str] = field(default_factory=list)
    error_lines: list[str] = field(default_factory=list)
    log: IO[str] | None = None
    _readers: list[threading.Thread] = field(default_factory=list)

    def read_output(self) -> None:
        for stream, lines, copy in (
            (self.process.stdout, self.log_lines, self.log),
            (self.process.stderr, self.error_lines, None),
        ):
            if stream is not None:
                reader = threading.Thread(target=_read, args=(stream, lines, copy), daemon=True)
                reader.start()
                self._readers.append(reader)

    def requests(self) -> list[dict[str, Any]]:
        """The request log so far, one dict per line."""
        return [orjson.loads(line) for line in list(self.log_lines)]

    def errors(self) -> str:
        return "".join(self.error_lines)

    def wait(self, timeout: float = STOP_SECONDS) -> tuple[int, str]:
        """Wait for the process to exit; its exit code and what it wrote to stderr."""
        code = self.process.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout=timeout)
        return code, self.errors()

    def stop(self) -> tuple[int, str]:
        """SIGTERM, wait for the drain, and return the exit code and what it wrote to stderr
        (when stderr was captured). The request log is complete in `log_lines` afterwards."""
        if self.process.poll() is None:
            self.process.terminate()
        return self.wait()


def _read(stream: IO[str], lines: list[str], copy: IO[str] | None) -> None:
    for line in stream:
        lines.append(line)
        if copy is not None:
            copy.write(line)
            copy.flush()


def start_service(
    pki: DevPaths,
    extra: Sequence[str] = (),
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    stderr: int | IO[str] | None = subprocess.PIPE,
    log: IO[str] | None = None,
    command: Sequence[str] = (sys.executable, "-m", "skill.cli"),
    preexec_fn: Any = None,
) -> DevService:
    """Start the service and wait for its listening line; raise with its output if it fails.
    `preexec_fn` runs in the child before the service starts (a test lowers a limit there)."""
    process = subprocess.Popen(
        [*command, *dev_serve_args(pki, host=host, port=port), *extra],
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        preexec_fn=preexec_fn,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    metrics = metrics_url(line)
    if metrics is not None:
        line = process.stdout.readline()
    url = listening_url(line)
    if url is None:
        process.kill()
        _, errors = process.communicate(timeout=STOP_SECONDS)
        raise RuntimeError(f"the service did not start: {line!r} {errors or ''}"[-2000:])
    service = DevService(process, url + "/", metrics, log=log)
    service.read_output()
    return service


@contextmanager
def running_service(pki: DevPaths, extra: Sequence[str] = ()) -> Iterator[DevService]:
    service = start_service(pki, extra)
    try:
        yield service
    finally:
        service.stop()


class ServiceDidNotStart(RuntimeError):
    def __init__(self, log_path: Path) -> None:
        super().__init__(f"the service did not start; see {log_path}")
        self.log_path = log_path

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]


@contextmanager
def local_service(state: Path, *, host: str = "127.0.0.1", port: int = 0) -> Iterator[DevService]:
    """The service `run` and `web` start for themselves and stop when they end: on the dev CA
    kept in `state`, writing its log to `state/service.log`."""
    log_path = state / SERVICE_LOG
    with log_path.open("w") as log:
        try:
            service = start_service(dev_pki(state), host=host, port=port, stderr=log, log=log)
        except RuntimeError as error:
            raise ServiceDidNotStart(log_path) from error
        try:
            yield service
        finally:
            service.stop()
