"""Answers as WAV files, rendered once, and the microphone's WAV checked before it is heard.

Renders are cached in the state directory under a hash of the SSML, so a page that plays the
same answer again, or the review page opened a second time, costs nothing. Each engine runs on a
thread of its own: espeak-ng and pocketsphinx are neither thread-safe nor fast enough for the
event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import uuid
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from speech.simulator.web.engines import EngineError, Render

CACHE_DIR = "audio-cache"  # under the state directory
_KEY = re.compile(r"[0-9a-f]{32}")
MIC_RATE = 16000
MAX_MIC_SECONDS = 30.0
T = TypeVar("T")


class EngineThread:
    """One thread that runs one engine's calls in turn, off the event loop."""

    def __init__(self, name: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def run(self, call: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, call)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def audio_key(ssml: str) -> str:
    return hashlib.sha256(ssml.encode("utf-8")).hexdigest()[:32]


def is_audio_key(key: str) -> bool:
    return _KEY.fullmatch(key) is not None


def wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


@dataclass(frozen=True, slots=True)
class Rendered:
    key: str
    seconds: float


class AudioCache:
    """SSML to a cached WAV: `register` names it at once, `path_for` renders it when asked."""

    def __init__(self, directory: Path, render: Render | None, thread: EngineThread) -> None:
        self.directory = directory
        self.render = render
        self.thread = thread
        self._ssml: dict[str, str] = {}  # key -> SSML, for WAVs asked for before they exist
        self._pending: dict[str, asyncio.Future[Rendered]] = {}

    @property
    def available(self) -> bool:
        return self.render is not None

    def register(self, ssml: str) -> str:
        key = audio_key(ssml)
        self._ssml[key] = ssml
        return key

    def cached(self, key: str) -> Path:
        return self.directory / f"{key}.wav"

    async def rendered(self, ssml: str) -> Rendered:
        """The WAV for this SSML, rendered now unless it already is."""
        key = self.register(ssml)
        path = self.cached(key)
        if path.is_file():
            return Rendered(key, wav_seconds(path))
        pending = self._pending.get(key)
        if pending is None:
            # Two pages asking for one answer at once share one render.
            pending = asyncio.ensure_future(self._render(key, ssml))
            self._pending[key] = pending
            pending.add_done_callback(self._settled)
        return await asyncio.shield(pending)

    def _settled(self, done: asyncio.Future[Rendered]) -> None:
        self._pending = {key: future for key, future in self._pending.items() if future is not done}
        if not done.cancelled():
            done.exception()  # seen here, so a page that left early leaves no warning behind

    async def path_for(self, key: str) -> Path | None:
        """The WAV file under this key, rendering it first if its SSML is known; else None."""
        path = self.cached(key)
        if path.is_file():
            return path
        ssml = self._ssml.get(key)
        if ssml is None:
            return None
        await self.rendered(ssml)
        return path

    async def _render(self, key: str, ssml: str) -> Rendered:
        render = self.render
        if render is None:
            raise EngineError("text-to-speech is not installed")
        self.directory.mkdir(parents=True, exist_ok=True)
        # Rendered beside the cache and renamed into it, so no page ever gets half a file.
        part = self.directory / f"{key}.{uuid.uuid4().hex}.part"
        try:
            seconds = await self.thread.run(lambda: render(ssml, part))
            os.replace(part, self.cached(key))
        except Exception as error:
            # The engine is plugged in from outside, so its failures are of its own kinds.
            raise EngineError(str(error) or type(error).__name__) from error
        finally:
            part.unlink(missing_ok=True)
        return Rendered(key, seconds)


class BadAudio(ValueError):
    """An upload that is not the 16 kHz mono 16-bit WAV the page records."""


def check_recording(body: bytes) -> float:
    """The recording's length in seconds, or BadAudio saying what is wrong with it."""
    try:
        with wave.open(io.BytesIO(body), "rb") as wav:
            shape = (wav.getframerate(), wav.getnchannels(), wav.getsampwidth())
            seconds = wav.getnframes() / wav.getframerate()
    except (wave.Error, EOFError, ZeroDivisionError):
        raise BadAudio("the recording is not a WAV file") from None
    if shape != (MIC_RATE, 1, 2):
        rate, channels, width = shape
        raise BadAudio(
            f"the recording must be 16 kHz mono 16-bit WAV, not {rate} Hz, "
            f"{channels} channel(s), {8 * width}-bit"
        )
    if seconds > MAX_MIC_SECONDS:
        raise BadAudio(f"the recording is longer than {MAX_MIC_SECONDS:.0f} seconds")
    return seconds


def audio_url(key: str) -> str:
    """Where the page fetches the WAV cached under `key` (the app's audio route)."""
    return f"/audio/{key}.wav"
