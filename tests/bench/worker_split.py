"""How `serve --workers N` spreads wrk's keep-alive connections over its workers.

Each trial starts a fresh service, puts wrk's 16 connections on it, and counts, while the load
runs, the established connections each worker process holds on the service's port (read from
/proc, so it needs nothing but Linux). Run: `python -m tests.bench.worker_split [trials] [N]`.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from skill.server import listening_url
from speech.simulator.devpki import load_signing_key, write_dev_pki
from speech.simulator.devservice import dev_serve_args
from tests.bench.bodies import wrk_script
from tests.helpers import split

CONNECTIONS = 16
SECONDS = 4


def trial(workdir: Path, workers: int) -> list[int]:
    pki = write_dev_pki(workdir / "pki")
    script, _ = wrk_script(workdir, load_signing_key(pki.signing_key))
    command = [sys.executable, "-m", "skill.cli", *dev_serve_args(pki), "--workers", str(workers)]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        url = listening_url(process.stdout.readline())
        if url is None:
            raise RuntimeError("the service did not start")
        # Whatever the service writes to stdout after its listening line must be read, or it
        # would block once the pipe is full.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        port = int(url.rsplit(":", 1)[1])
        wrk = subprocess.Popen(
            ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "-s", str(script), url + "/"],
            stdout=subprocess.DEVNULL,
        )
        time.sleep(SECONDS / 2)
        counts = split(process.pid, port)
        wrk.wait()
        return counts
    finally:
        process.terminate()
        process.wait(timeout=30)


def main() -> int:
    trials = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with tempfile.TemporaryDirectory() as workdir:
        for number in range(1, trials + 1):
            counts = trial(Path(workdir), workers)
            print(f"trial {number}: {'/'.join(map(str, counts))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
