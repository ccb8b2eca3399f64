"""Hearing a WAV on this machine, when it has a sound device, and speaking an answer aloud."""

from __future__ import annotations

import os
import shutil
import subprocess
import wave
from pathlib import Path

from speech.tts.engine import TTSError, TTSUnavailable, render_wav
from speech.tts.wav import wav_duration


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


class Voice:
    """Speaks each answer when it can; says once why it cannot, and carries on in text.

    Each answer is rendered to `audio_dir/turn-NNN.wav`, so it can be heard later when this
    machine has no sound device.
    """

    def __init__(self, audio_dir: Path) -> None:
        self.audio_dir = audio_dir
        self.enabled = True
        self.turn = 0

    def __call__(self, ssml: str) -> str | None:
        """Speak SSML; return a note for the transcript when it was not heard here."""
        if not self.enabled:
            return None
        self.turn += 1
        path = self.audio_dir / f"turn-{self.turn:03d}.wav"
        try:
            seconds = render_wav(ssml, path)
        except (TTSUnavailable, TTSError) as error:
            self.enabled = False
            return f"no voice: {error}"
        if play(path):
            return None
        return f"audio {seconds:.1f} s: {path}"
