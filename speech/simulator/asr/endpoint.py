"""Where speech starts and ends in live audio: pocketsphinx's voice-activity endpointer.

A caller does not press a button when they stop talking. Audio arrives in chunks of any size;
the endpointer decides, over a 0.3 s window, when speech has started and when it has stopped,
and each stretch of speech is handed on as one utterance (with the endpointer's own bit of
audio before and after it).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from speech.simulator.asr.audio import RATE

WINDOW = 0.3  # seconds the endpointer decides over
RATIO = 0.9  # share of that window that must be speech (or silence) to change its mind
MODE = 0  # the VAD's aggressiveness, 0 (loose) to 3


@dataclass(frozen=True, slots=True)
class Utterance:
    start: float  # seconds into the stream
    end: float
    pcm: bytes  # 16 kHz mono 16-bit

    @property
    def seconds(self) -> float:
        return self.end - self.start


class Endpointer:
    """Feed it chunks with `push`; it returns each utterance as its end is heard."""

    def __init__(self) -> None:
        from pocketsphinx import Endpointer as Vad

        self._vad = Vad(window=WINDOW, ratio=RATIO, vad_mode=MODE, sample_rate=RATE)
        self._buffer = b""
        self._speech: list[bytes] = []

    @property
    def in_speech(self) -> bool:
        return bool(self._vad.in_speech)

    def push(self, chunk: bytes) -> list[Utterance]:
        self._buffer += chunk
        size = self._vad.frame_bytes
        ended: list[Utterance] = []
        while len(self._buffer) >= size:
            frame, self._buffer = self._buffer[:size], self._buffer[size:]
            ended += self._take(self._vad.process(frame))
        return ended

    def close(self) -> list[Utterance]:
        """The stream has ended: speech still going on ends here."""
        ended = self._take(self._vad.end_stream(self._buffer))
        self._buffer = b""
        if self._speech:  # the stream stopped mid-word
            ended.append(Utterance(self._vad.speech_start, self._vad.speech_end, self._flush()))
        return ended

    def _take(self, speech: bytes | None) -> list[Utterance]:
        if speech is None:
            return []
        self._speech.append(speech)
        if self._vad.in_speech:
            return []
        return [Utterance(self._vad.speech_start, self._vad.speech_end, self._flush())]

    def _flush(self) -> bytes:
        pcm = b"".join(self._speech)
        self._speech.clear()
        return pcm


def utterances(chunks: Iterable[bytes]) -> Iterator[Utterance]:
    """Each stretch of speech in a stream of 16 kHz mono 16-bit chunks."""
    endpointer = Endpointer()
    for chunk in chunks:
        yield from endpointer.push(chunk)
    yield from endpointer.close()
