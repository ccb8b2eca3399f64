"""The offline TTS harness, rendering real audio with espeak-ng.

espeak-ng's output varies by a few hundredths of a second with what it rendered before, so the
comparisons below leave margins well above that and well below the effects they measure.
"""

from __future__ import annotations

import csv
import io
import json
import wave
from pathlib import Path

import pytest

from speech import content, ssml
from speech.content import loader
from speech.content.model import Heard
from speech.tts import engine, playback, review, wav

TELEPHONE = '<say-as interpret-as="telephone">1-800-662-4357</say-as>'


@pytest.fixture(scope="module", autouse=True)
def espeak() -> engine.Speaker:
    try:
        return engine.speaker()
    except engine.TTSUnavailable as error:
        pytest.skip(f"no offline TTS engine: {error}")


def test_an_utterance_the_driver_cancels_is_said_again_whole(
    espeak: engine.Speaker, tmp_path: Path
) -> None:
    """pyttsx3's espeak driver cancels the utterance it starts when espeak-ng still looked busy
    as runAndWait() began (a flake seen under load: "espeak-ng cancelled the utterance"). That
    state is set here on the real driver, since the race cannot be timed from a test."""
    text = "Stay with the person, keep them breathing."
    whole = engine.render_wav(text, tmp_path / "whole.wav")
    espeak._engine.proxy._driver._stopping = True  # what its stop() leaves when espeak looks busy

    again = engine.render_wav(text, tmp_path / "again.wav")

    assert abs(again - whole) < 0.1


def test_short_text_renders_and_longer_text_renders_longer(tmp_path: Path) -> None:
    short = engine.render_wav("Call for help now.", tmp_path / "short.wav")
    long = engine.render_wav(
        "Call for help now. Stay with the person, keep them breathing, "
        "and give naloxone if you have it.",
        tmp_path / "long.wav",
    )

    assert (tmp_path / "short.wav").is_file()
    assert short > 0.3
    assert short == wav.wav_duration(tmp_path / "short.wav")
    # Measured: about 1.55 s and 6.05 s.
    assert long > short + 3.0


def test_wav_is_mono_16_bit(tmp_path: Path) -> None:
    engine.render_wav("Hello.", tmp_path / "hello.wav")

    with wave.open(str(tmp_path / "hello.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        assert wav.getnframes() > 0


def test_break_becomes_a_real_pause(tmp_path: Path) -> None:
    with_break = engine.render_wav(
        'Stay with them.<break time="1s"/>Call for help.', tmp_path / "break.wav"
    )
    without = engine.render_wav("Stay with them. Call for help.", tmp_path / "plain.wav")

    # Measured: 3.35 s and 2.35 s.
    assert with_break - without >= 0.9


def test_break_only_is_exact_silence(tmp_path: Path) -> None:
    seconds = engine.render_wav('<break time="500ms"/>', tmp_path / "pause.wav")

    assert seconds == pytest.approx(0.5)
    with wave.open(str(tmp_path / "pause.wav"), "rb") as wav:
        assert set(wav.readframes(wav.getnframes())) == {0}


def test_telephone_number_reaches_the_engine_grouped_as_people_say_it(tmp_path: Path) -> None:
    # "one, eight hundred, six six two, four three five seven", as Alexa reads a telephone say-as.
    assert engine.speakable_segments(TELEPHONE) == [ssml.Segment("1, 800, 6 6 2, 4 3 5 7")]
    assert ssml.spell_number("1-800-222-1222") == "1, 800, 2 2 2, 1 2 2 2"
    assert ssml.spell_number("911") == "9 1 1"

    spelled_ssml = engine.render_wav(TELEPHONE, tmp_path / "tel.wav")
    spelled_text = engine.render_wav(ssml.spell_number("1-800-662-4357"), tmp_path / "spelled.wav")
    unspelled = engine.render_wav("1-800-662-4357", tmp_path / "unspelled.wav")
    three_digits = engine.render_wav(
        '<say-as interpret-as="telephone">911</say-as>', tmp_path / "911.wav"
    )

    # Measured: 4.1 s for both spelled forms, 5.6 s for "one minus eight hundred minus ...",
    # 1.19 s for "9 1 1".
    assert spelled_ssml == pytest.approx(spelled_text, abs=0.25)
    assert abs(spelled_ssml - unspelled) > 0.75
    assert spelled_ssml > three_digits + 2.0


def test_fragment_starting_with_words_is_still_ssml(tmp_path: Path) -> None:
    assert engine.is_ssml('Stay with them.<break time="1s"/>Call.')
    assert not engine.is_ssml("Tom & Jerry say 2 < 3")

    # Plain text is never parsed, so characters that are invalid in XML render fine.
    assert engine.render_wav("Tom & Jerry say 2 < 3", tmp_path / "plain.wav") > 0.3


def test_rate_changes_duration(tmp_path: Path) -> None:
    text = "This sentence is said at two different speeds."
    normal = engine.render_wav(text, tmp_path / "normal.wav")
    fast = engine.render_wav(text, tmp_path / "fast.wav", rate=350)
    again = engine.render_wav(text, tmp_path / "again.wav")

    assert fast < normal * 0.7
    # The default rate comes back after an explicit one.
    assert again == pytest.approx(normal, abs=0.1)


def test_voice_is_chosen_by_language_and_unknown_voices_are_refused(
    espeak: engine.Speaker, tmp_path: Path
) -> None:
    assert engine.render_wav("Tomato.", tmp_path / "gb.wav", voice="en-gb") > 0.3
    with pytest.raises(ValueError, match="unknown voice"):
        engine.render_wav("Tomato.", tmp_path / "x.wav", voice="no-such-voice")
    # A refused voice leaves the default in place.
    engine.render_wav("Tomato.", tmp_path / "us.wav")
    assert espeak.default_voice is not None and espeak.default_voice.endswith("en-us")


def test_invalid_ssml_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ssml.SSMLError):
        engine.render_wav("<speak>unclosed", tmp_path / "bad.wav")


def test_one_speaker_per_process() -> None:
    assert engine.speaker() is engine.speaker()


def test_render_all_writes_wavs_and_reports_longest_first(tmp_path: Path) -> None:
    answers = [
        Heard("prompts.yaml:responses.goodbye", "Take care.", first=True),
        Heard("guides.yaml:overdose.steps.call", f"Call {TELEPHONE} now.", first=True),
        Heard("topics.yaml:CostIntent", 'Costs vary.<break time="1s"/>Ask your insurer.', False),
    ]
    progress = io.StringIO()

    reports = review.render_all(answers, tmp_path / "out", progress=progress)

    out = tmp_path / "out"
    wavs = sorted(path.name for path in out.glob("*.wav"))
    assert wavs == [
        "guides.yaml_overdose.steps.call.wav",
        "prompts.yaml_responses.goodbye.wav",
        "topics.yaml_CostIntent.wav",
    ]
    seconds = [report.seconds for report in reports]
    assert seconds == sorted(seconds, reverse=True)
    assert reports[-1].key == "prompts.yaml:responses.goodbye"
    assert {report.key: report.words for report in reports} == {
        "prompts.yaml:responses.goodbye": 2,
        "guides.yaml:overdose.steps.call": 3,  # the number counts as one word, as written
        "topics.yaml:CostIntent": 5,
    }
    for report in reports:
        assert report.seconds == wav.wav_duration(report.file)

    rows = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [row["key"] for row in rows] == [report.key for report in reports]
    assert set(rows[0]) == {"key", "first", "words", "seconds", "flag", "text", "file"}
    assert all((out / row["file"]).is_file() for row in rows)
    texts = {row["key"]: row["text"] for row in rows}
    assert texts["guides.yaml:overdose.steps.call"] == "Call 1-800-662-4357 now."
    assert not any(row["flag"] for row in rows)  # all short
    with (out / "report.tsv").open(encoding="utf-8", newline="") as tsv:
        table = list(csv.DictReader(tsv, dialect="excel-tab"))
    assert [(row["key"], int(row["words"]), float(row["seconds"])) for row in table] == [
        (row["key"], row["words"], row["seconds"]) for row in rows
    ]
    assert [row["text"] for row in table] == [row["text"] for row in rows]

    bar = progress.getvalue()
    assert bar.startswith("\r[")
    assert "] 3/3 " in bar
    assert bar.endswith("\n")


def test_a_long_first_answer_is_flagged_and_a_long_follow_up_is_not(tmp_path: Path) -> None:
    # About 40 seconds of speech: the limit is for what is said first, offer included.
    long = " ".join(["Call for help now, and stay with the person until help arrives."] * 9)
    reports = review.render_all(
        [Heard("first", long, first=True), Heard("follow-up", long, first=False)],
        tmp_path,
        progress=None,
    )

    by_key = {report.key: report for report in reports}
    assert by_key["first"].seconds > review.FIRST_ANSWER_MAX_SECONDS
    assert by_key["first"].flag == review.OVER_LIMIT
    assert by_key["follow-up"].flag == ""


def test_render_all_keeps_keys_that_sanitise_alike_apart(tmp_path: Path) -> None:
    reports = review.render_all(
        [Heard("a:b", "One.", first=True), Heard("a/b", "Two.", first=True)],
        tmp_path,
        progress=None,
    )

    assert sorted(report.file.name for report in reports) == ["a_b-2.wav", "a_b.wav"]


def test_play_returns_a_bool_without_raising(tmp_path: Path) -> None:
    engine.render_wav("Hello.", tmp_path / "hello.wav")

    assert isinstance(playback.play(tmp_path / "hello.wav"), bool)


def test_say_renders_and_reports_where_the_wav_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "say.wav"

    code = review.say_main("Call for help now.", out, all_answers=False, locale="en-US")

    assert code == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"wrote {out} (")
    assert "Audio saved" not in printed  # pyttsx3's own chatter stays out of the CLI output
    assert out.is_file()


def test_say_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.wav"
    assert review.say_main("<speak>unclosed", out, all_answers=False, locale="en-US") == 2
    assert review.say_main(None, out, all_answers=False, locale="en-US") == 2
    assert review.say_main("Hi.", tmp_path, all_answers=True, locale="en-US") == 2
    assert "say:" in capsys.readouterr().err


def test_say_all_renders_every_response_as_heard_and_no_first_answer_runs_over_25_s(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        heard = list(content.load("en-US").heard())
    except loader.ContentError as error:
        pytest.skip(f"en-US content is not complete yet: {error}")

    code = review.say_main(None, tmp_path, all_answers=True, locale="en-US")

    assert code == 0
    rows = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert len(rows) == len(heard)
    printed = capsys.readouterr().out
    assert f"rendered {len(heard)} answers" in printed
    # The first answer is measured with the question that offers more, as a caller hears it.
    withdrawal = next(row for row in rows if row["key"] == "topics.yaml:WithdrawalIntent")
    assert withdrawal["first"] and withdrawal["text"].endswith(
        "Want to hear about how long withdrawal lasts?"
    )
    over = [(row["key"], row["seconds"]) for row in rows if row["flag"]]
    assert over == [], f"first answers over {review.FIRST_ANSWER_MAX_SECONDS} s: {over}"
    assert f"0 {review.OVER_LIMIT}" in printed


def write_clicks(path: Path, period_s: float, clicks: int, rate: int = 22050) -> None:
    """A WAV of short tone bursts every `period_s` seconds: a rhythm with a known tempo."""
    import math
    import struct

    burst = [int(12000 * math.sin(2 * math.pi * 440 * n / rate)) for n in range(rate // 20)]
    period = int(period_s * rate)
    samples = [0] * (period * clicks + rate // 2)
    for click in range(clicks):
        samples[click * period : click * period + len(burst)] = burst
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(struct.pack(f"<{len(samples)}h", *samples))


@pytest.mark.parametrize("period", [0.5, 0.6])
def test_the_tempo_measure_finds_a_known_rhythm(tmp_path: Path, period: float) -> None:
    write_clicks(tmp_path / "clicks.wav", period, 12)
    run = wav.steady_run(wav.onsets(tmp_path / "clicks.wav"))
    assert len(run) == 12
    assert wav.beats_per_minute(run) == pytest.approx(60 / period, rel=0.03)


def test_the_cpr_beat_holds_100_to_120_a_minute(tmp_path: Path) -> None:
    """CONTENT.md: push 100 to 120 times a minute. Measured on the rendered audio, not the SSML."""
    rhythm = content.load("en-US").guides["overdose"].rhythm
    assert rhythm is not None
    engine.render_wav(rhythm.speech, tmp_path / "beat.wav")
    beat = wav.steady_run(wav.onsets(tmp_path / "beat.wav"))
    assert len(beat) >= 30, "one round of 30 pushes"
    assert 100 <= wav.beats_per_minute(beat) <= 120
