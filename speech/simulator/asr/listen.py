"""`heroin-help listen`: recordings or the microphone to what the skill would understand.

    listen --wav FILE [FILE ...]   one JSON line per file, in order:
                                   {"file", "transcript", "intent", "slots", "confidence"}
                                   (a file that cannot be read adds "error", and the exit
                                   status is 1); a contract acceptance checks read
    listen                         push-to-talk: Enter, speak, and the turn ends when you stop
                                   talking (or press Enter again); one JSON line per turn

`confidence` is the recogniser's posterior probability of its best reading (0 to 1): on synthetic
speech a transcript that lost a negation ("isn't breathing" heard as "is breathing") is rarely
above 0.1.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import orjson

from speech.simulator.asr.microphone import Microphone, NoMicrophone, open_microphone
from speech.simulator.asr.recogniser import RecognitionError
from speech.simulator.asr.understand import Listener


def listen_files(paths: Sequence[Path], listener: Listener, out: TextIO | None = None) -> int:
    """One JSON line per file; 1 when any file could not be heard."""
    write = out or sys.stdout
    status = 0
    for path in paths:
        try:
            line = listener.wav(path.read_bytes()).to_json(str(path))
        except (OSError, RecognitionError) as error:
            reason = error.strerror if isinstance(error, OSError) and error.strerror else error
            line = _failed(str(path), str(reason))
            status = 1
        write.write(orjson.dumps(line).decode() + "\n")
        write.flush()
    return status


def _failed(file: str, error: str) -> dict[str, Any]:
    return {
        "file": file, "transcript": "", "intent": None, "slots": {}, "confidence": None,
        "error": error,
    }  # fmt: skip


def listen_live(
    listener: Listener,
    *,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Push-to-talk turns until end of input; 1, with the reason, when there is no microphone."""
    lines, write, say = stdin or sys.stdin, out or sys.stdout, err or sys.stderr
    try:
        microphone = open_microphone()
    except NoMicrophone as error:
        print(error, file=say)
        return 1
    print(f"Listening with {microphone.name}; loading the recogniser...", file=say, flush=True)
    listener.parts()
    presses = _Presses(lines)
    while True:
        print("Press Enter, then speak (Ctrl-D quits).", file=say, flush=True)
        if not presses.wait():
            return 0
        pcm = record(microphone, presses, say)
        if not pcm:
            print("Nothing was heard.", file=say, flush=True)
            continue
        understood = listener.pcm(pcm)
        write.write(orjson.dumps(understood.to_json("-")).decode() + "\n")
        write.flush()


def record(microphone: Microphone, presses: _Presses, say: TextIO) -> bytes:
    """One turn: until the endpointer hears the end of speech, or Enter is pressed again."""
    stop = threading.Event()
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            pressed = presses.wait(timeout=0.1)
            if pressed is None:
                continue
            if pressed is False:  # input ended mid-turn: the main loop must see that too
                presses.ended()
            stop.set()
            return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    print("Listening... (Enter stops)", file=say, flush=True)
    try:
        return microphone.record_turn(stop)
    finally:
        done.set()
        watcher.join()


class _Presses:
    """Lines typed on the terminal, read on a thread so recording can watch for one."""

    def __init__(self, lines: TextIO) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        self._lines = lines
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in iter(self._lines.readline, ""):
            self._queue.put(line)
        self._queue.put("")  # end of input

    def ended(self) -> None:
        self._queue.put("")

    def wait(self, timeout: float | None = None) -> bool | None:
        """True for Enter, False at end of input, None when `timeout` passed first."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
        return bool(line)
