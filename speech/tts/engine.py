"""Offline text-to-speech: hear an answer, or render every answer to WAV for review.

Alexa's own voice is only reachable through the cloud, so reviewers use espeak-ng through pyttsx3
to catch what reads badly aloud: answers that run too long, numbers read as arithmetic, pauses in
the wrong place. espeak-ng sounds nothing like Alexa; durations and pacing are what carry over.

espeak-ng does not honour SSML through pyttsx3, so we split the SSML at each `<break>`, render
every piece on its own and join the pieces with real silence.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from speech import ssml
from speech.ssml import Segment
from speech.tts.wav import concatenate, wav_duration

INSTALL_COMMAND = "apt-get install -y espeak-ng"
DEFAULT_RATE = 175  # words per minute; pyttsx3 would otherwise speed espeak-ng up to 200
PREFERRED_VOICE = "en-us"  # the skill's first locale; espeak-ng's default voice is British
# A generous ceiling: espeak-ng renders a minute of speech in a fraction of a second, so reaching
# it means the engine is stuck, and a review run should fail rather than hang.
SEGMENT_TIMEOUT_S = 60.0

_SPACES = re.compile(r"\s+")
_SSML_TAG = re.compile(rf"</?(?:{'|'.join(sorted(ssml.ALLOWED_TAGS))})\b[^<>]*>")


class TTSUnavailable(RuntimeError):
    """The speech engine cannot start on this machine."""


class TTSError(RuntimeError):
    """The engine started but failed to render some text."""


class _Cancelled(TTSError):
    """espeak-ng stopped the utterance before its end (see Speaker._synthesize)."""


def is_ssml(ssml_or_text: str) -> bool:
    """SSML when it starts with a tag or contains one of the tags our content uses.

    Content fragments often start with words ("Stay with them.<break .../>"); treating those as
    plain text would make the engine read the markup aloud.
    """
    return ssml_or_text.lstrip().startswith("<") or _SSML_TAG.search(ssml_or_text) is not None


def speakable_segments(ssml_or_text: str) -> list[Segment]:
    """What the engine is given: pieces of plain text, each followed by a pause."""
    if is_ssml(ssml_or_text):
        # Plain engines read "1-800-662-4357" as a subtraction, so numbers go digit by digit.
        return ssml.segments(ssml_or_text, spell_telephone=True)
    text = _SPACES.sub(" ", ssml_or_text).strip()
    return [Segment(text)] if text else []


class Speaker:
    """One pyttsx3 engine for the whole process.

    espeak-ng can be initialised only once per process, and pyttsx3 keeps per-engine state that
    breaks if two callers queue work at the same time, so every render goes through one lock.
    """

    def __init__(self) -> None:
        try:
            import pyttsx3
            from pyttsx3.drivers import _espeak

            # Named, not the platform default: the waiting in _synthesize is specific to how
            # the espeak driver behaves, and espeak-ng exists on macOS and Windows too.
            self._engine: Any = pyttsx3.init("espeak")
            voices = self._engine.getProperty("voices")
        except Exception as error:  # the driver raises bare RuntimeError/OSError/ImportError
            raise TTSUnavailable(
                f"espeak-ng cannot start ({type(error).__name__}: {error}); "
                f"install it with: {INSTALL_COMMAND}"
            ) from error
        self._espeak: Any = _espeak
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._errors: list[BaseException] = []
        # The espeak driver synthesises on espeak's own thread and writes the WAV after
        # runAndWait() has returned, so we wait for its completion event instead.
        self._engine.connect("finished-utterance", self._on_finished)
        self._engine.connect("error", self._on_error)
        self._voices: dict[str, str] = {}
        for voice in voices:
            names = [voice.id, voice.id.rsplit("/", 1)[-1], voice.name, *(voice.languages or [])]
            for name in names:
                self._voices.setdefault(str(name).lower(), voice.id)
        self.default_voice: str | None = self._voices.get(PREFERRED_VOICE)
        self._current: tuple[str | None, int] | None = None

    def _on_finished(self, completed: bool = True, **_: object) -> None:
        if not completed:
            self._errors.append(_Cancelled("espeak-ng cancelled the utterance"))
        self._done.set()

    def _on_error(self, exception: BaseException | None = None, **_: object) -> None:
        if exception is not None:
            self._errors.append(exception)
        self._done.set()

    def render(
        self,
        pieces: Sequence[Segment],
        path: Path,
        *,
        rate: int | None = None,
        voice: str | None = None,
    ) -> float:
        """Render plain-text pieces and their pauses to a WAV; return its seconds."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, tempfile.TemporaryDirectory(prefix="tts-") as scratch:
            self._errors.clear()
            try:
                base = DEFAULT_RATE if rate is None else rate
                rendered: list[tuple[Path | None, int]] = []
                for index, piece in enumerate(pieces):
                    part: Path | None = None
                    if piece.text:
                        # SSML prosody rates scale the words per minute of their piece only.
                        self._configure(round(base * piece.rate), voice)
                        part = Path(scratch) / f"{index:04d}.wav"
                        self._synthesize(piece.text, part)
                    rendered.append((part, piece.pause_ms))
            except BaseException:
                # The engine's settings are unknown after a failure: set them again next time.
                self._current = None
                raise
            concatenate(rendered, path)
        return wav_duration(path)

    def _configure(self, rate: int | None, voice: str | None) -> None:
        wanted_voice = self.default_voice if voice is None else self._voice_id(voice)
        wanted = (wanted_voice, DEFAULT_RATE if rate is None else rate)
        if wanted == self._current:
            return
        if wanted_voice is not None:
            self._engine.setProperty("voice", wanted_voice)
        # After the voice: choosing a voice can reset espeak-ng's rate.
        self._engine.setProperty("rate", wanted[1])
        # pyttsx3 reports a failed setting through the error event, not by raising.
        self._current = None if self._errors else wanted

    def _voice_id(self, voice: str) -> str:
        found = self._voices.get(voice.lower())
        if found is None:
            raise ValueError(f"unknown voice {voice!r}; `espeak-ng --voices` lists them")
        return found

    def _synthesize(self, text: str, part: Path) -> None:
        finished = self._synthesize_once(text, part)
        if self._errors and all(isinstance(error, _Cancelled) for error in self._errors):
            # The driver cancels the utterance it is about to start when espeak-ng still looked
            # busy as runAndWait() began (its stop flag is read after the new synthesis starts).
            # Nothing was wrong with the text, and the flag is spent: say it once more.
            self._errors.clear()
            finished = self._synthesize_once(text, part)
        if self._errors:
            raise TTSError(f"espeak-ng failed on {text!r}: {self._errors[0]}") from self._errors[0]
        if not finished or not part.is_file():
            raise TTSError(f"espeak-ng produced no audio for {text!r}")

    def _synthesize_once(self, text: str, part: Path) -> bool:
        """Whether espeak-ng reported the utterance finished in time."""
        self._done.clear()
        # pyttsx3 2.99 saves only the last of several queued files, so run one file per loop.
        # Its espeak driver prints "Audio saved to ..." for each file, which would bury the
        # CLI's own output.
        with contextlib.redirect_stdout(io.StringIO()):
            self._wait_until_idle()
            self._engine.save_to_file(text, str(part))
            self._engine.runAndWait()
            return self._done.wait(SEGMENT_TIMEOUT_S)

    def _wait_until_idle(self) -> None:
        # espeak-ng runs everything, settings included, on its own queue, and reports an
        # utterance finished a moment before that queue goes idle. The driver cancels whatever
        # espeak-ng is still doing when runAndWait() starts, which cut the next utterance short
        # or left it empty, so nothing may be queued until espeak-ng is idle.
        deadline = time.monotonic() + SEGMENT_TIMEOUT_S
        while self._espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.001)


_speaker: Speaker | None = None
_speaker_lock = threading.Lock()


def speaker() -> Speaker:
    """The process's Speaker, started on first use so importing this module never needs espeak.

    Use this rather than `Speaker()`: espeak-ng is initialised once per process, so two Speakers
    would drive the same engine without sharing a lock.
    """
    global _speaker
    with _speaker_lock:
        if _speaker is None:
            _speaker = Speaker()
        return _speaker


def render_wav(
    ssml_or_text: str, path: Path, *, rate: int | None = None, voice: str | None = None
) -> float:
    """Render SSML (anything starting with `<`) or plain text to a WAV; return its seconds.

    `rate` is in words per minute (default 175); `voice` is an espeak-ng voice name, identifier
    or language such as "en-gb" (default en-us when installed).
    """
    return speaker().render(speakable_segments(ssml_or_text), path, rate=rate, voice=voice)
