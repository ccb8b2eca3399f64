"""What the command line plugs into the web app: a voice and a pair of ears.

The simulator and the speech engine are siblings that never import each other, so the app takes
both as plain callables. Either may be missing; the page then says so instead of failing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

# SSML (or plain text) to a WAV file at the given path; returns the WAV's length in seconds.
Render = Callable[[str, Path], float]


class Transcript(Protocol):
    """What a recogniser heard, and how sure it is (0 to 1, None when it cannot say)."""

    @property
    def text(self) -> str: ...

    @property
    def confidence(self) -> float | None: ...


# A 16 kHz mono 16-bit WAV and the locale spoken in, to what was heard.
Transcribe = Callable[[bytes, str], Transcript]

NO_VOICE = "Text-to-speech is not installed, so answers are shown but not spoken."
NO_EARS = (
    "Speech recognition is not installed, so the Talk button cannot listen. "
    "Type instead, or install the simulator's extra: pip install -e '.[sim]'."
)


class EngineError(RuntimeError):
    """A speech engine failed; the message is the engine's own, for the page to show."""
