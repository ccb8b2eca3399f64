"""Offline text-to-speech: hear an answer, or render every answer to WAV for review.

Alexa's own voice is only reachable through the cloud, so reviewers use espeak-ng through pyttsx3
to catch what reads badly aloud: answers that run too long, numbers read as arithmetic, pauses in
the wrong place. espeak-ng sounds nothing like Alexa; durations and pacing are what carry over.

espeak-ng does not honour SSML through pyttsx3, so we split the SSML at each `<break>`, render
every piece on its own and join the pieces with real silence.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

from speech import content, ssml
from speech.ssml import Segment

INSTALL_COMMAND = "apt-get install -y espeak-ng"
DEFAULT_RATE = 175  # words per minute; pyttsx3 would otherwise speed espeak-ng up to 200
PREFERRED_VOICE = "en-us"  # the skill's first locale; espeak-ng's default voice is British
# A generous ceiling: espeak-ng renders a minute of speech in a fraction of a second, so reaching
# it means the engine is stuck, and a review run should fail rather than hang.
SEGMENT_TIMEOUT_S = 60.0
REPORT_TSV = "report.tsv"
REPORT_JSON = "report.json"

# What the espeak driver writes; used only when an answer is nothing but pauses.
_FALLBACK_PARAMS = (1, 2, 22050)  # channels, sample width in bytes, frames per second
_SPACES = re.compile(r"\s+")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_SSML_TAG = re.compile(rf"</?(?:{'|'.join(sorted(ssml.ALLOWED_TAGS))})\b[^<>]*>")


class TTSUnavailable(RuntimeError):
    """The speech engine cannot start on this machine."""


class TTSError(RuntimeError):
    """The engine started but failed to render some text."""


@dataclass(frozen=True, slots=True)
class RenderReport:
    key: str
    words: int  # whitespace tokens of the plain text, as a reviewer would count them
    seconds: float
    file: Path


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
            self._errors.append(TTSError("espeak-ng cancelled the utterance"))
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
                self._configure(rate, voice)
                rendered: list[tuple[Path | None, int]] = []
                for index, piece in enumerate(pieces):
                    part: Path | None = None
                    if piece.text:
                        part = Path(scratch) / f"{index:04d}.wav"
                        self._synthesize(piece.text, part)
                    rendered.append((part, piece.pause_ms))
            except BaseException:
                # The engine's settings are unknown after a failure: set them again next time.
                self._current = None
                raise
            _concatenate(rendered, path)
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
        self._done.clear()
        # pyttsx3 2.99 saves only the last of several queued files, so run one file per loop.
        # Its espeak driver prints "Audio saved to ..." for each file, which would bury the
        # CLI's own output.
        with contextlib.redirect_stdout(io.StringIO()):
            self._wait_until_idle()
            self._engine.save_to_file(text, str(part))
            self._engine.runAndWait()
            finished = self._done.wait(SEGMENT_TIMEOUT_S)
        if self._errors:
            raise TTSError(f"espeak-ng failed on {text!r}: {self._errors[0]}") from self._errors[0]
        if not finished or not part.is_file():
            raise TTSError(f"espeak-ng produced no audio for {text!r}")

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


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def _concatenate(parts: Sequence[tuple[Path | None, int]], path: Path) -> None:
    """Join rendered pieces, each followed by `pause_ms` of silence, into one WAV."""
    params = _FALLBACK_PARAMS
    for part, _ in parts:
        if part is not None:
            with wave.open(str(part), "rb") as wav:
                params = (wav.getnchannels(), wav.getsampwidth(), wav.getframerate())
            break
    channels, width, framerate = params
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(framerate)
        for part, pause_ms in parts:
            if part is not None:
                with wave.open(str(part), "rb") as wav:
                    if (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) != params:
                        raise TTSError(f"{part.name}: audio format changed between segments")
                    out.writeframes(wav.readframes(wav.getnframes()))
            # Zero is silence only for signed samples; 8-bit WAV is unsigned, centred on 128.
            silence = b"\x80" if width == 1 else b"\x00" * width
            out.writeframes(silence * channels * (framerate * pause_ms // 1000))


def _players() -> list[list[str]]:
    """Commands that can play a WAV here, most likely to work first; empty when no device."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    pipewire = bool(os.environ.get("PIPEWIRE_REMOTE")) or (
        bool(runtime) and Path(runtime, "pipewire-0").exists()
    )
    pulse = bool(os.environ.get("PULSE_SERVER")) or (
        bool(runtime) and Path(runtime, "pulse", "native").exists()
    )
    snd = Path("/dev/snd")
    alsa = snd.is_dir() and any(snd.iterdir())
    # A sound server, when running, owns the device, so direct ALSA playback comes last.
    candidates = [
        (pipewire, ["pw-play"]),
        (pulse or pipewire, ["paplay"]),
        (alsa, ["aplay", "-q"]),
    ]
    return [
        command
        for available, command in candidates
        if available and shutil.which(command[0]) is not None
    ]


def play(path: Path) -> bool:
    """Play a WAV on this machine's audio device; False when there is none or playback fails."""
    if not path.is_file():
        raise FileNotFoundError(path)
    try:
        timeout = wav_duration(path) + 10.0
    except (wave.Error, EOFError):
        return False
    for command in _players():
        try:
            result = subprocess.run(
                [*command, str(path)], capture_output=True, timeout=timeout, check=False
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if result.returncode == 0:
            return True
    return False


def safe_name(key: str) -> str:
    """A file name for an answer key such as "topics.yaml:CostIntent.more[0]"."""
    return _UNSAFE.sub("_", key).strip("._") or "answer"


def render_all(
    answers: Iterable[tuple[str, str]],
    out_dir: Path,
    *,
    progress: TextIO | None = sys.stderr,
) -> list[RenderReport]:
    """Render every (key, ssml) pair to `out_dir/<key>.wav` and write report.tsv/report.json.

    The reports, and the list returned, put the longest answers first: those are the ones a
    caller in an emergency is least likely to sit through.
    """
    pending = list(answers)
    out_dir.mkdir(parents=True, exist_ok=True)
    bar = _ProgressBar(progress, len(pending))
    used: set[str] = set()
    reports: list[RenderReport] = []
    for done, (key, speech) in enumerate(pending, start=1):
        name = safe_name(key)
        # Different keys can sanitise to one name; a silent overwrite would lose an answer.
        unique, suffix = name, 2
        while unique.lower() in used:
            unique, suffix = f"{name}-{suffix}", suffix + 1
        used.add(unique.lower())
        path = out_dir / f"{unique}.wav"
        seconds = speaker().render(ssml.segments(speech, spell_telephone=True), path)
        reports.append(RenderReport(key, len(ssml.to_text(speech).split()), seconds, path))
        bar.update(done, key)
    bar.close()
    reports.sort(key=lambda report: (-report.seconds, report.key))
    _write_reports(reports, out_dir)
    return reports


def _write_reports(reports: Sequence[RenderReport], out_dir: Path) -> None:
    # File names relative to the report, so the directory can be zipped and sent to a reviewer.
    rows = [
        {**asdict(report), "seconds": round(report.seconds, 2), "file": report.file.name}
        for report in reports
    ]
    with (out_dir / REPORT_TSV).open("w", encoding="utf-8", newline="") as tsv:
        writer = csv.DictWriter(
            tsv, fieldnames=["key", "words", "seconds", "file"], dialect="excel-tab"
        )
        writer.writeheader()
        writer.writerows(rows)
    (out_dir / REPORT_JSON).write_text(
        json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


class _ProgressBar:
    """`[#####.....] 12/80 key` redrawn in place on one line."""

    WIDTH = 30
    LABEL = 48  # a line that wraps in the terminal can no longer be redrawn with "\r"

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self._stream = stream
        self._total = total
        self._last_length = 0

    def update(self, done: int, label: str) -> None:
        if self._stream is None or self._total == 0:
            return
        filled = self.WIDTH * done // self._total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        line = f"[{bar}] {done}/{self._total} {label[: self.LABEL]}"
        # Pad so a shorter key fully overwrites the longer one before it.
        self._stream.write("\r" + line.ljust(self._last_length))
        self._stream.flush()
        self._last_length = len(line)

    def close(self) -> None:
        if self._stream is not None and self._last_length:
            self._stream.write("\n")
            self._stream.flush()


def say_main(text: str | None, out: Path, *, all_answers: bool, locale: str) -> int:
    """`heroin-help say TEXT_OR_SSML --out FILE.wav` and `heroin-help say --all --out DIR`."""
    try:
        if all_answers:
            if text is not None:
                print("say: give either TEXT_OR_SSML or --all, not both", file=sys.stderr)
                return 2
            return _say_all(out, locale)
        if not text:
            print("say: give TEXT_OR_SSML to speak, or --all", file=sys.stderr)
            return 2
        return _say_one(text, out)
    except TTSUnavailable as error:
        print(f"say: {error}", file=sys.stderr)
        return 1
    except ssml.SSMLError as error:
        print(f"say: invalid SSML: {error}", file=sys.stderr)
        return 2
    except (TTSError, OSError, ValueError) as error:
        print(f"say: {error}", file=sys.stderr)
        return 1


def _say_one(text: str, out: Path) -> int:
    seconds = render_wav(text, out)
    print(f"wrote {out} ({seconds:.1f} s)")
    if not play(out):
        print(f"no audio device here; listen to {out.resolve()}")
    return 0


def _say_all(out_dir: Path, locale: str) -> int:
    answers = content.load(locale).answers()
    started = time.monotonic()
    reports = render_all(((answer.key, answer.speech) for answer in answers), out_dir)
    total = sum(report.seconds for report in reports)
    print(
        f"rendered {len(reports)} answers ({total:.1f} s of speech) to {out_dir} "
        f"in {time.monotonic() - started:.1f} s; see {out_dir / REPORT_TSV}"
    )
    if reports:
        print("longest:")
        for report in reports[:5]:
            print(f"  {report.seconds:5.1f} s  {report.words:4d} words  {report.key}")
    return 0
