"""Push-to-talk in a terminal: Enter starts listening, and the turn ends when the caller stops
talking (the endpointer hears it) or presses Enter again.

The microphone is opened through `sounddevice` (PortAudio), at the device's own rate; what it
hears is resampled to 16 kHz for the endpointer and the recogniser. A machine without PortAudio
or without an input device gets `NoMicrophone`, whose message says which, and what to do.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from speech.simulator.asr.audio import resample, to_pcm16
from speech.simulator.asr.endpoint import Endpointer

MAX_SECONDS = 30.0  # a turn longer than this is cut here
CHUNK_SECONDS = 0.1
INSTALL_PORTAUDIO = "sudo apt-get install -y libportaudio2"


class NoMicrophone(RuntimeError):
    """Live audio cannot start on this machine; the message says why, for a person."""


def open_microphone() -> Microphone:
    """The default input device, or NoMicrophone saying why there is none."""
    try:
        import sounddevice
    except OSError as error:  # the Python package is there, PortAudio is not
        raise NoMicrophone(
            f"No microphone: PortAudio, which sounddevice records through, is not installed "
            f"({error}). Install it with: {INSTALL_PORTAUDIO}. Until then, recordings work: "
            f"--wav FILE (listen) or :wav FILE (chat)."
        ) from None
    except ImportError:
        raise NoMicrophone(
            "No microphone: sounddevice is not installed; install the simulator's extra: "
            "pip install -e '.[sim]'"
        ) from None
    try:
        device: Any = sounddevice.query_devices(kind="input")
    except (sounddevice.PortAudioError, ValueError) as error:
        raise NoMicrophone(
            f"No microphone: this machine has no audio input device ({error}). "
            "Recordings still work: --wav FILE (listen) or :wav FILE (chat)."
        ) from None
    return Microphone(sounddevice, int(device["default_samplerate"]), str(device["name"]))


class Microphone:
    def __init__(self, sounddevice: Any, rate: int, name: str) -> None:
        self._sounddevice = sounddevice
        self.rate = rate
        self.name = name

    def record_turn(
        self, stop: threading.Event, on_speech: Callable[[], None] | None = None
    ) -> bytes:
        """Record until the caller stops talking, `stop` is set, or MAX_SECONDS pass; the
        turn's speech as 16 kHz mono 16-bit PCM ("" if nothing was said)."""
        chunks: queue.Queue[np.ndarray[Any, Any]] = queue.Queue()

        def callback(data: np.ndarray[Any, Any], frames: int, time: Any, status: Any) -> None:
            chunks.put(data[:, 0].copy())

        endpointer = Endpointer()
        recorded: list[np.ndarray[Any, Any]] = []
        heard_speech = False
        limit = int(MAX_SECONDS * self.rate)
        with self._sounddevice.InputStream(
            samplerate=self.rate,
            channels=1,
            dtype="float32",
            blocksize=int(CHUNK_SECONDS * self.rate),
            callback=callback,
        ):
            while not stop.is_set() and sum(map(len, recorded)) < limit:
                try:
                    chunk = chunks.get(timeout=CHUNK_SECONDS * 2)
                except queue.Empty:
                    continue
                recorded.append(chunk)
                ended = endpointer.push(to_pcm16(resample(chunk, self.rate), noise_floor=0.0))
                if endpointer.in_speech and not heard_speech:
                    heard_speech = True
                    if on_speech is not None:
                        on_speech()
                if ended:
                    break
        if not recorded or not heard_speech:
            return b""
        return to_pcm16(resample(np.concatenate(recorded), self.rate))
