"""`make bench-voice`: what speech recognition does to understanding, on held-out utterances.

    python -m tests.bench.voice                     100 kept utterances (40 emergencies), 2 voices
                                                    x 2 speeds, through `listen --wav`'s code
    python -m tests.bench.voice --variant NAME      the same with one improvement taken out
    python -m tests.bench.voice --all               every utterance of the open sets
    python -m tests.bench.voice --set PATH          every utterance of one set; a sealed set's
                                                    figures only (no utterance is printed or
                                                    stored, and its audio is named by hash)
    ... --causes                                    why audio lost what typing got right

The open held-out sets (never the sealed ones) are spoken by espeak-ng, heard by the recogniser
exactly as `heroin-help listen --wav` hears them (`listen_files`, the same JSON lines), and
scored beside the same utterances typed: word error rate (contractions spelled out on both
sides, so "isn't" = "is not"), intent accuracy, emergency recall, negations lost or gained
("isn't breathing" heard as "is breathing"), and the real-time factor (CPU seconds of the
listener per second of audio, the build excluded). Results go to .bench/voice-<variant>.json.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from intents.names import EMERGENCY, LAUNCH_REQUEST
from speech.simulator.asr import audio, build, pitch, recogniser
from speech.simulator.asr.corpus import words_of
from speech.simulator.asr.listen import listen_files
from speech.simulator.asr.understand import Chooser, Listener, Understood
from speech.simulator.nlu.resolver import resolver_for
from tests.heldout import OPEN_SETS, Entry, load, sealed

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / ".bench"
AUDIO = RESULTS / "voice-audio"
VOICES = (("en-us", 150), ("en-us", 185), ("en-us+f3", 150), ("en-us+f3", 185))
KEPT, KEPT_EMERGENCIES = 100, 40
SEED = "issue 13"
NEGATIONS = frozenset({"not", "no", "never", "nobody", "nothing", "none", "nope", "cannot"})


def variants() -> dict[str, Callable[[Listener], None]]:
    """Each improvement, taken out alone: what it is worth is `final` against the variant."""

    def final(listener: Listener) -> None:
        pass

    def top_reading(listener: Listener) -> None:
        rec, chooser = listener.parts()
        listener._parts = (rec, Chooser(chooser.resolver, readings=1))

    def no_noise_floor(listener: Listener) -> None:
        audio.NOISE_FLOOR = 0.0

    def fixed_discount(listener: Listener) -> None:
        build.ESTIMATOR = "arpabolm"

    def default_insertion_penalty(listener: Listener) -> None:
        recogniser.SETTINGS = {}

    def dev_tuned_chooser(listener: Listener) -> None:
        rec, chooser = listener.parts()
        tuned = Chooser(chooser.resolver, readings=10, scale=1000.0, out_of_domain=1.5)
        listener._parts = (rec, tuned)

    def padded(listener: Listener) -> None:
        audio.PAD_SECONDS = 0.3

    def no_pitch_normalisation(listener: Listener) -> None:
        pitch.SLOWEST = pitch.FASTEST = 1.0

    def noise_removal(listener: Listener) -> None:
        recogniser.FRONT_END = {}

    return {
        "final": final,
        "top-reading": top_reading,
        "no-noise-floor": no_noise_floor,
        "fixed-discount-lm": fixed_discount,
        "default-insertion-penalty": default_insertion_penalty,
        "dev-tuned-chooser": dev_tuned_chooser,
        "padded": padded,
        "no-pitch-normalisation": no_pitch_normalisation,
        "noise-removal": noise_removal,
    }


class _Keeping(Listener):
    """A listener that keeps what it understood of each recording, readings and all, so the
    bench can say why a reading was lost (the JSON lines hold the chosen one only)."""

    def __init__(self, locale: str) -> None:
        super().__init__(locale)
        self.understood: list[Understood] = []

    def wav(self, wav: bytes) -> Understood:
        found = super().wav(wav)
        self.understood.append(found)
        return found


@dataclass(frozen=True, slots=True)
class Spoken:
    entry: Entry
    voice: str
    speed: int
    path: Path


def kept(all_sets: bool, dev: bool = False, sets: Sequence[Path] = OPEN_SETS) -> list[Entry]:
    """The utterances spoken: a fixed sample of the open sets (or all of them). `dev` is a
    second sample, disjoint from the first, for choosing settings without touching it."""
    declared = set(resolver_for("en-US").intent_slots) | {LAUNCH_REQUEST}
    pool = [e for path in sets for e in load(path) if e.intent in declared]
    unique = list({e.utterance: e for e in pool}.values())
    if all_sets:
        return unique
    pick = random.Random(SEED)
    emergencies = [e for e in unique if e.intent == EMERGENCY]
    others = [e for e in unique if e.intent != EMERGENCY]
    chosen = pick.sample(emergencies, KEPT_EMERGENCIES) + pick.sample(
        others, KEPT - KEPT_EMERGENCIES
    )
    if not dev:
        return chosen
    left = {e.utterance for e in chosen}
    pick = random.Random(SEED + " dev")
    emergencies = [e for e in emergencies if e.utterance not in left]
    others = [e for e in others if e.utterance not in left]
    return pick.sample(emergencies, KEPT_EMERGENCIES) + pick.sample(others, KEPT - KEPT_EMERGENCIES)


def speak(
    entries: Sequence[Entry], voices: Sequence[tuple[str, int]], *, named: bool = True
) -> list[Spoken]:
    """espeak-ng saying each utterance in each voice and speed (kept between runs); without
    `named`, files are named by a hash alone, not by their words."""
    spoken = []
    for voice, speed in voices:
        folder = AUDIO / f"{voice}-{speed}"
        folder.mkdir(parents=True, exist_ok=True)
        for entry in entries:
            name = "".join(c if c.isalnum() else "-" for c in entry.utterance)[:80]
            if not named:
                name = "utterance"
            path = folder / f"{name}-{abs(hash_text(entry.utterance))}.wav"
            if not path.exists():
                subprocess.run(
                    ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(path), entry.utterance],
                    check=True,
                )
            spoken.append(Spoken(entry, voice, speed, path))
    return spoken


def hash_text(text: str) -> int:
    import hashlib

    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16)


def spelled(text: str, twins: dict[str, str]) -> list[str]:
    return " ".join(twins.get(w, w) for w in words_of(text)).split()


def negations(words: Sequence[str]) -> int:
    return sum(w in NEGATIONS or w.endswith("n't") for w in words)


def edits(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    row = list(range(len(hypothesis) + 1))
    for i, word in enumerate(reference, start=1):
        previous, row[0] = row[0], i
        for j, heard in enumerate(hypothesis, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (word != heard))
    return row[-1]


def measure(
    variant: str,
    all_sets: bool,
    voices: Sequence[tuple[str, int]] = VOICES,
    one_set: Path | None = None,
) -> dict[str, Any]:
    listener = _Keeping("en-US")
    variants()[variant](listener)
    started = time.monotonic()
    listener.parts()  # built (or read from the cache) before the clock starts
    built = time.monotonic() - started
    entries = kept(all_sets) if one_set is None else kept(True, sets=(one_set,))
    spoken = speak(entries, voices, named=one_set is None or not sealed(one_set))
    out = io.StringIO()
    cpu_by_voice: dict[str, float] = {}
    wall = time.monotonic()
    for voice, speed in voices:  # one voice at a time, for each voice's real-time factor
        paths = [s.path for s in spoken if (s.voice, s.speed) == (voice, speed)]
        started_cpu = time.process_time()
        listen_files(paths, listener, out)
        cpu_by_voice[f"{voice}@{speed}"] = time.process_time() - started_cpu
    cpu, wall = sum(cpu_by_voice.values()), time.monotonic() - wall
    lines = [orjson.loads(line) for line in out.getvalue().splitlines()]
    lengths = {s.path: audio.read_wav(s.path.read_bytes()).seconds for s in spoken}
    seconds = sum(lengths.values())
    twins = build.LocaleData.load("en-US").twins
    resolver = resolver_for("en-US")
    recogniser_in_use, chooser = listener.parts()
    dictionary = recogniser_in_use.build.dictionary.read_text("utf-8").splitlines()
    vocabulary = {line.split(" ", 1)[0].split("(")[0] for line in dictionary if line}
    rows = []
    for item, line, understood in zip(spoken, lines, listener.understood, strict=True):
        reference = spelled(item.entry.utterance, twins)
        hypothesis = spelled(line["transcript"], twins)
        rows.append({
            "utterance": item.entry.utterance, "voice": f"{item.voice}@{item.speed}",
            "expected": item.entry.intent, "typed": resolver.resolve(item.entry.utterance).intent,
            "transcript": line["transcript"], "heard": line["intent"],
            "confidence": line["confidence"], "words": len(reference),
            "errors": edits(reference, hypothesis),
            "negations": negations(reference), "negations_heard": negations(hypothesis),
            "seconds": lengths[item.path],
            "unknown": sorted(set(words_of(item.entry.utterance)) - vocabulary),
            "readings": [  # all the recogniser offered, the chooser's share first
                [r.text, r.score, found.intent, found.confidence]
                for r in understood.heard.readings
                for found in (resolver.resolve(r.text),)
            ],
            "weighed": chooser.readings,
        })  # fmt: skip
    result = summary(variant, rows, seconds, cpu, wall, built)
    for voice, spent in cpu_by_voice.items():
        mine = sum(r["seconds"] for r in rows if r["voice"] == voice)
        result["per_voice"][voice]["rtf_cpu"] = spent / mine if mine else 0.0
    return result


def summary(
    variant: str, rows: list[dict[str, Any]], seconds: float, cpu: float, wall: float, built: float
) -> dict[str, Any]:
    emergencies = [r for r in rows if r["expected"] == EMERGENCY]
    negated = [r for r in rows if r["negations"]]
    per_voice = {}
    for voice in sorted({r["voice"] for r in rows}):
        mine = [r for r in rows if r["voice"] == voice]
        negated_here = [r for r in mine if r["negations"]]
        per_voice[voice] = {
            "wer": sum(r["errors"] for r in mine) / max(1, sum(r["words"] for r in mine)),
            "intent_audio": sum(r["heard"] == r["expected"] for r in mine) / len(mine),
            "intent_typed": sum(r["typed"] == r["expected"] for r in mine) / len(mine),
            "emergencies": sum(r["heard"] == EMERGENCY for r in mine if r["expected"] == EMERGENCY),
            "false_alarms": sum(
                r["heard"] == EMERGENCY for r in mine if r["expected"] != EMERGENCY
            ),
            "negations_lost": sum(r["negations_heard"] < r["negations"] for r in negated_here),
            "negations_gained": sum(r["negations_heard"] > r["negations"] for r in mine),
        }
    return {
        "variant": variant,
        "decodes": len(rows),
        "utterances": len(rows) // len(per_voice),
        "wer": sum(r["errors"] for r in rows) / max(1, sum(r["words"] for r in rows)),
        "exact": sum(r["errors"] == 0 for r in rows) / len(rows),
        "intent_audio": sum(r["heard"] == r["expected"] for r in rows) / len(rows),
        "intent_typed": sum(r["typed"] == r["expected"] for r in rows) / len(rows),
        "emergency_recall_audio": sum(r["heard"] == EMERGENCY for r in emergencies),
        "emergency_recall_typed": sum(r["typed"] == EMERGENCY for r in emergencies),
        "emergencies": len(emergencies),
        "false_alarms_audio": sum(
            r["heard"] == EMERGENCY for r in rows if r["expected"] != EMERGENCY
        ),
        "false_alarms_typed": sum(
            r["typed"] == EMERGENCY for r in rows if r["expected"] != EMERGENCY
        ),
        "negated": len(negated),
        "negations_lost": sum(r["negations_heard"] < r["negations"] for r in negated),
        "negations_gained": sum(r["negations_heard"] > r["negations"] for r in rows),
        "emergency_negation_gone": sum(
            r["negations_heard"] == 0 for r in negated if r["expected"] == EMERGENCY
        ),
        "emergency_negation_gone_missed": sum(
            r["negations_heard"] == 0 and r["heard"] != EMERGENCY
            for r in negated
            if r["expected"] == EMERGENCY
        ),
        "audio_seconds": seconds,
        "rtf_cpu": cpu / seconds,
        "rtf_wall": wall / seconds,
        "build_or_load_seconds": built,
        "per_voice": per_voice,
        "rows": rows,
    }


def report(result: dict[str, Any]) -> str:
    r = result
    lines = [
        f"variant {r['variant']}: {r['utterances']} utterances x {len(r['per_voice'])} voices = "
        f"{r['decodes']} decodes, {r['audio_seconds']:.0f} s of audio",
        f"  WER {r['wer']:.1%}, exactly right {r['exact']:.1%}",
        f"  intent accuracy: audio {r['intent_audio']:.1%}, typed {r['intent_typed']:.1%}",
        f"  emergency recall: audio {r['emergency_recall_audio']}/{r['emergencies']}, "
        f"typed {r['emergency_recall_typed']}/{r['emergencies']}; "
        f"false alarms: audio {r['false_alarms_audio']}, typed {r['false_alarms_typed']}",
        f"  negations: lost in {r['negations_lost']}/{r['negated']} that had one, gained in "
        f"{r['negations_gained']}; emergencies with every negation gone "
        f"{r['emergency_negation_gone']} (of them not taken as the emergency: "
        f"{r['emergency_negation_gone_missed']})",
        f"  real-time factor: CPU {r['rtf_cpu']:.3f}, wall {r['rtf_wall']:.3f} "
        f"(build or load {r['build_or_load_seconds']:.1f} s, not counted)",
    ]
    for voice, v in r["per_voice"].items():
        lines.append(
            f"    {voice}: WER {v['wer']:.1%}, intent {v['intent_audio']:.1%} "
            f"(typed {v['intent_typed']:.1%}), emergencies "
            f"{v['emergencies']}/{r['emergencies'] // len(r['per_voice'])}, false alarms "
            f"{v['false_alarms']}, negations lost {v['negations_lost']} gained "
            f"{v['negations_gained']}, RTF {v.get('rtf_cpu', 0.0):.3f}"
        )
    return "\n".join(lines)


def causes(rows: Sequence[dict[str, Any]]) -> str:
    """Why audio lost what typing got right: each such decode in the first category that fits.

    unknown word: the utterance has a word the language model cannot produce at all;
    chooser: a reading the recogniser offered meant the right intent, another was chosen;
    misheard: known words heard wrong, and no reading offered meant the right intent."""
    lost = [r for r in rows if r["typed"] == r["expected"] and r["heard"] != r["expected"]]
    gained = sum(r["typed"] != r["expected"] and r["heard"] == r["expected"] for r in rows)

    def cause(row: dict[str, Any]) -> str:
        if row["unknown"]:
            return "unknown word"
        weighed = row["readings"][: row["weighed"]]
        if any(intent == row["expected"] for _, _, intent, _ in weighed):
            return "chooser"
        return "misheard"

    lines = [
        f"audio lost {len(lost)} that typing got right (and got {gained} typing missed); "
        f"decodes whose utterance has a word the LM lacks: "
        f"{sum(bool(r['unknown']) for r in rows)}/{len(rows)}"
    ]
    for label, chosen in (
        ("all", lost),
        ("emergencies", [r for r in lost if r["expected"] == EMERGENCY]),
        ("with a negation lost", [r for r in lost if r["negations_heard"] < r["negations"]]),
    ):
        counts: dict[str, int] = {}
        for row in chosen:
            counts[cause(row)] = counts.get(cause(row), 0) + 1
        lines.append(
            f"  {label}: {len(chosen)}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        )
    unknown = sorted({w for r in rows for w in r["unknown"]})
    lines.append(f"  words the LM lacks ({len(unknown)}): {' '.join(unknown)}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.voice", description=__doc__)
    parser.add_argument("--variant", choices=sorted(variants()), default="final")
    parser.add_argument("--all", action="store_true", help="every utterance of the open sets")
    parser.add_argument("--misheard", action="store_true", help="list the wrong intents")
    parser.add_argument("--causes", action="store_true", help="why audio lost what text got")
    parser.add_argument(
        "--set",
        type=Path,
        dest="one_set",
        metavar="PATH",
        help="speak every utterance of this held-out set instead (a sealed set: figures only)",
    )
    parser.add_argument(
        "--voices",
        type=lambda text: [(v, int(s)) for v, s in (p.split(":") for p in text.split(","))],
        default=list(VOICES),
        help="espeak-ng voices and words per minute: en-us:150,en-us+f3:185 (default: "
        + ",".join(f"{v}:{s}" for v, s in VOICES)
        + ")",
    )
    args = parser.parse_args(argv)
    hidden = args.one_set is not None and sealed(args.one_set)
    if hidden and args.misheard:
        parser.error("a sealed set's utterances are never listed: drop --misheard")
    result = measure(args.variant, args.all, args.voices, args.one_set)
    if hidden:
        del result["rows"]  # a sealed set's figures only, on screen and on disk
    RESULTS.mkdir(exist_ok=True)
    suffix = "-all" if args.all else ""
    if args.one_set is not None:
        suffix = "-set-" + args.one_set.stem
    if args.voices != list(VOICES):
        suffix += "-" + "-".join(f"{v}{s}" for v, s in args.voices)
    (RESULTS / f"voice-{args.variant}{suffix}.json").write_text(json.dumps(result, indent=1))
    print(report(result))
    if args.causes and not hidden:
        print(causes(result["rows"]))
    if args.misheard:
        for row in result["rows"]:
            if row["heard"] != row["expected"]:
                print(
                    f"  {row['voice']}: {row['utterance']!r} -> {row['transcript']!r} "
                    f"{row['heard']} (expected {row['expected']}, typed {row['typed']})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
