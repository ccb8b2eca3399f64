"""Reviewing how the content sounds: `heroin-help say` for one answer, `say --all` for every
response as a caller hears it (a topic part with the question that offers the next part), with a
report sorted longest first, the text beside each duration, and every first answer over
FIRST_ANSWER_MAX_SECONDS flagged (CONTENT.md, "Tone and length")."""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TextIO

from speech import content, ssml
from speech.content.model import Heard
from speech.tts.engine import TTSError, TTSUnavailable, render_wav, speaker
from speech.tts.playback import play

REPORT_TSV = "report.tsv"
REPORT_JSON = "report.json"
FIRST_ANSWER_MAX_SECONDS = 25.0
OVER_LIMIT = f"first answer over {FIRST_ANSWER_MAX_SECONDS:g} s"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class RenderReport:
    key: str
    first: bool  # the first thing said for a request, where the 25-second limit applies
    words: int  # whitespace tokens of the plain text, as a reviewer would count them
    seconds: float
    text: str  # what is heard, so a reviewer reads the answer beside its length
    file: Path

    @property
    def flag(self) -> str:
        return OVER_LIMIT if self.first and self.seconds > FIRST_ANSWER_MAX_SECONDS else ""


def safe_name(key: str) -> str:
    """A file name for an answer key such as "topics.yaml:CostIntent.more[0]"."""
    return _UNSAFE.sub("_", key).strip("._") or "answer"


def render_all(
    answers: Iterable[Heard],
    out_dir: Path,
    *,
    progress: TextIO | None = sys.stderr,
) -> list[RenderReport]:
    """Render every response to `out_dir/<key>.wav` and write report.tsv/report.json.

    The reports, and the list returned, put the longest answers first: those are the ones a
    caller in an emergency is least likely to sit through.
    """
    pending = list(answers)
    out_dir.mkdir(parents=True, exist_ok=True)
    bar = _ProgressBar(progress, len(pending))
    used: set[str] = set()
    reports: list[RenderReport] = []
    for done, heard in enumerate(pending, start=1):
        key, speech = heard.key, heard.speech
        name = safe_name(key)
        # Different keys can sanitise to one name; a silent overwrite would lose an answer.
        unique, suffix = name, 2
        while unique.lower() in used:
            unique, suffix = f"{name}-{suffix}", suffix + 1
        used.add(unique.lower())
        path = out_dir / f"{unique}.wav"
        seconds = speaker().render(ssml.segments(speech, spell_telephone=True), path)
        text = ssml.to_text(speech)
        reports.append(RenderReport(key, heard.first, len(text.split()), seconds, text, path))
        bar.update(done, key)
    bar.close()
    reports.sort(key=lambda report: (-report.seconds, report.key))
    _write_reports(reports, out_dir)
    return reports


REPORT_COLUMNS = ("key", "first", "words", "seconds", "flag", "text", "file")


def _write_reports(reports: Sequence[RenderReport], out_dir: Path) -> None:
    # File names relative to the report, so the directory can be zipped and sent to a reviewer.
    rows = [
        {
            **asdict(report),
            "seconds": round(report.seconds, 2),
            "flag": report.flag,
            "file": report.file.name,
        }
        for report in reports
    ]
    with (out_dir / REPORT_TSV).open("w", encoding="utf-8", newline="") as tsv:
        writer = csv.DictWriter(tsv, fieldnames=list(REPORT_COLUMNS), dialect="excel-tab")
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
    except (TTSError, OSError, ValueError) as error:  # WavFormatError is a ValueError
        print(f"say: {error}", file=sys.stderr)
        return 1


def _say_one(text: str, out: Path) -> int:
    seconds = render_wav(text, out)
    print(f"wrote {out} ({seconds:.1f} s)")
    if not play(out):
        print(f"no audio device here; listen to {out.resolve()}")
    return 0


def _say_all(out_dir: Path, locale: str) -> int:
    started = time.monotonic()
    reports = render_all(content.load(locale).heard(), out_dir)
    total = sum(report.seconds for report in reports)
    print(
        f"rendered {len(reports)} answers ({total:.1f} s of speech) to {out_dir} "
        f"in {time.monotonic() - started:.1f} s; see {out_dir / REPORT_TSV}"
    )
    firsts = [report for report in reports if report.first]
    if firsts:
        print("longest first answers, with the offer of more:")
        for report in firsts[:5]:
            print(f"  {report.seconds:5.1f} s  {report.words:4d} words  {report.key}")
    flagged = [report for report in reports if report.flag]
    print(f"{len(flagged)} {OVER_LIMIT}" + (":" if flagged else ""))
    for report in flagged:
        print(f"  {report.seconds:5.1f} s  {report.key}: {report.text}")
    return 0
