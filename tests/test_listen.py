"""Voice in: `heroin-help listen`, the chat's `:wav` line, the recogniser's build and the live
endpointer, on real espeak-ng speech through the real pocketsphinx recogniser."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import orjson
import pytest

from intents.names import EMERGENCY, LAUNCH_REQUEST
from speech.simulator.asr.audio import RATE, pcm_for_recogniser
from speech.simulator.asr.build import build_for
from speech.simulator.asr.corpus import words_of
from speech.simulator.asr.endpoint import utterances
from speech.simulator.asr.recogniser import available
from speech.simulator.asr.understand import Listener
from speech.simulator.nlu.background import background_for
from tests.helpers import spoken_wav

pytestmark = pytest.mark.skipif(not available(), reason="pocketsphinx (the sim extra)")
CONTRACT = ["file", "transcript", "intent", "slots", "confidence"]


def heroin_help(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "skill.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def rewritten(source: Path, path: Path, *, rate: int, channels: int, width: int) -> Path:
    """The same speech as another WAV shape: resampled, the right channel at half level."""
    with wave.open(str(source), "rb") as reader:
        samples = np.frombuffer(reader.readframes(reader.getnframes()), "<i2") / 32768.0
        count = int(len(samples) * rate / reader.getframerate())
    mono = np.interp(np.linspace(0, len(samples) - 1, count), np.arange(len(samples)), samples)
    frames = np.stack([mono, mono / 2][:channels], axis=1).reshape(-1)
    scale = float(1 << (8 * width - 1)) - 1
    ints = np.round(frames * scale).astype(np.int32)
    if width == 3:
        data = np.stack([ints & 0xFF, (ints >> 8) & 0xFF, (ints >> 16) & 0xFF], 1)
        raw = data.astype(np.uint8).tobytes()
    else:
        raw = ints.astype("<i2").tobytes()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(width)
        writer.setframerate(rate)
        writer.writeframes(raw)
    return path


def test_listen_hears_any_wav_shape_and_prints_one_json_line_per_file(tmp_path: Path) -> None:
    said = spoken_wav("my friend is not breathing", tmp_path / "said.wav")
    files = [
        said,
        rewritten(said, tmp_path / "stereo-44k.wav", rate=44100, channels=2, width=2),
        rewritten(said, tmp_path / "24bit-48k.wav", rate=48000, channels=1, width=3),
    ]
    done = heroin_help("listen", "--wav", *map(str, files))

    assert done.returncode == 0, done.stderr
    lines = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == [str(f) for f in files]
    for line in lines:
        assert list(line) == CONTRACT
        assert line["transcript"] == "my friend is not breathing", line
        assert line["intent"] == EMERGENCY
        assert line["slots"] == {"person": "someone", "sign": "not_breathing"}
        assert 0 < line["confidence"] <= 1


def test_a_file_that_is_not_audio_is_a_line_saying_why_and_the_rest_are_heard(
    tmp_path: Path,
) -> None:
    junk = tmp_path / "junk.wav"
    junk.write_text("not audio")
    said = spoken_wav("what is narcan", tmp_path / "said.wav")

    done = heroin_help("listen", "--wav", str(junk), str(tmp_path / "missing.wav"), str(said))

    assert done.returncode == 1 and "Traceback" not in done.stderr
    bad, missing, good = (orjson.loads(line) for line in done.stdout.splitlines())
    assert bad["error"] == "not a WAV file (no RIFF/WAVE header)" and bad["intent"] is None
    assert missing["error"] == "No such file or directory"
    assert good["transcript"] == "what is narcan" and good["intent"] == "MedicationIntent"


def test_live_listening_without_a_microphone_says_why_and_exits(tmp_path: Path) -> None:
    done = heroin_help("listen")

    assert done.returncode == 1
    assert done.stderr.startswith("No microphone:"), done.stderr
    assert "--wav FILE" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_chat_with_voice_in_and_no_microphone_says_why_and_exits(tmp_path: Path) -> None:
    done = heroin_help("chat", "--voice-in", "--no-voice", "--state-dir", str(tmp_path))

    assert done.returncode == 1
    assert done.stderr.startswith("No microphone:") and "Traceback" not in done.stderr


def test_the_chat_sends_a_recording_as_a_turn(tmp_path: Path) -> None:
    said = spoken_wav("my friend isn't breathing", tmp_path / "said.wav")

    done = heroin_help("chat", "--jsonl", "--state-dir", str(tmp_path), stdin=f":wav {said}\n")

    assert done.returncode == 0, done.stderr
    [turn] = [orjson.loads(line) for line in done.stdout.splitlines()]
    assert turn["utterance"] == "my friend isn't breathing"
    assert turn["intent"] == EMERGENCY and turn["speech"].startswith("Call 9 1 1")
    assert 'heard: "my friend isn\'t breathing", recogniser confidence' in done.stderr


def test_the_build_says_the_medicines_and_expects_both_forms_of_a_negation() -> None:
    build = build_for("en-US")
    dictionary = build.dictionary.read_text(encoding="utf-8").split("\n")
    said = {line.split(" ", 1)[0] for line in dictionary if line}
    for word in ("naloxone", "narcan", "buprenorphine", "suboxone", "lofexidine", "xylazine"):
        assert word in said
    corpus = set(build.corpus.read_text(encoding="utf-8").splitlines())
    contracted = [line for line in corpus if " isn't breathing" in line and line.count("'") == 1]
    assert contracted
    assert all(line.replace("isn't", "is not") in corpus for line in contracted)
    background = [" ".join(words_of(s)) for kind in background_for("en-US").values() for s in kind]
    assert set(background) <= corpus  # what is not the skill's can be heard as itself
    assert build_for("en-US") == build  # the second start reads the cache


def test_the_skill_opened_as_people_say_it_and_slang_for_an_overdose_are_heard(
    tmp_path: Path,
) -> None:
    listener = Listener("en-US")
    opened = listener.wav(spoken_wav("open the heroin help skill", tmp_path / "1.wav").read_bytes())

    assert opened.intent == LAUNCH_REQUEST, opened.transcript
    corpus = build_for("en-US").corpus.read_text(encoding="utf-8").split("\n")
    assert any(" od " in f" {line} " for line in corpus)  # the resolver's "od" can be heard


def test_the_endpointer_splits_live_audio_into_what_was_said(tmp_path: Path) -> None:
    first = pcm_for_recogniser(
        spoken_wav("my friend is not breathing", tmp_path / "1.wav").read_bytes()
    )
    second = pcm_for_recogniser(spoken_wav("what is narcan", tmp_path / "2.wav").read_bytes())
    noise = np.random.default_rng(1).normal(0, 30, RATE * 5).astype("<i2")
    stream = noise[:RATE].tobytes() + first + noise[: RATE * 3 // 2].tobytes() + second
    stream += noise[:RATE].tobytes()
    chunks = [stream[at : at + 3200] for at in range(0, len(stream), 3200)]  # 100 ms each

    heard = list(utterances(chunks))

    assert len(heard) == 2
    listener = Listener("en-US")
    assert listener.pcm(heard[0].pcm).intent == EMERGENCY
    second_heard = listener.pcm(heard[1].pcm)
    assert second_heard.intent == "MedicationIntent" and "narcan" in second_heard.transcript
