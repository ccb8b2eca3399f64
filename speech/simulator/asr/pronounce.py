"""How each word of the language model sounds, in the acoustic model's phones (ARPAbet).

pocketsphinx's en-US dictionary (CMUdict) knows most English words but none of the medicines
and street names a caller says: naloxone, narcan, suboxone, xylazine, fentanyl... For those, a
hand-checked table in `<locale>.yaml` gives the usual pronunciations, and espeak-ng's own reading
is added beside them: it is how a person who has only seen the word in print says it, and
exactly what synthetic test speech says. Any other unknown word is read by espeak-ng alone.
Without espeak-ng, such a word has no pronunciation and the sentences holding it are left out
of the language model (the build report lists them).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ESPEAK = "espeak-ng"
ESPEAK_VOICE = {"en-US": "en-us"}
# Accents whose espeak-ng readings are added to every word as variants: how a word is said
# often differs from CMUdict's one or two forms, and espeak-ng's reading is one more plausible
# form (it is also exactly what the synthetic test speech says, so gains measured on espeak-ng
# voices overstate what a person gains). Eighth and ninth samples, 3 voices, 600 decodes:
# intent 88.35% -> 89.35%, emergencies 220 -> 222 of 240, false alarms 13 -> 10, WER 26.2% ->
# 25.6%, the build 3 s longer; the same samples in en, en-us+m1 and en-us+f3: 80.8% -> 82.7%,
# 202 -> 207 emergencies (the run without variants already had the later rule for slang).
ACCENTS: dict[str, tuple[str, ...]] = {"en-US": ("en-us",)}
_ALTERNATE = re.compile(r"\(\d+\)$")

# espeak-ng's IPA to ARPAbet, longest symbols first. Stress marks, length marks and syllable
# breaks carry nothing ARPAbet without stress can use.
_IPA: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    sorted(
        {
            "aɪɚ": ("AY", "ER"), "aɪə": ("AY", "ER"), "aʊɚ": ("AW", "ER"),
            "ɑːɹ": ("AA", "R"), "ɔːɹ": ("AO", "R"), "oːɹ": ("AO", "R"), "ɛɹ": ("EH", "R"),
            "ɪɹ": ("IH", "R"), "ʊɹ": ("UH", "R"), "ɜːɹ": ("ER",), "əɹ": ("ER",), "ɚɹ": ("ER",),
            "tʃ": ("CH",), "dʒ": ("JH",), "oʊ": ("OW",), "eɪ": ("EY",), "aɪ": ("AY",),
            "aʊ": ("AW",), "ɔɪ": ("OY",), "ɪə": ("IH", "AH"), "eə": ("EH", "R"),
            "ʊə": ("UH", "R"), "iː": ("IY",), "uː": ("UW",), "ɑː": ("AA",), "ɔː": ("AO",),
            "ɜː": ("ER",), "oː": ("AO",), "ɚ": ("ER",), "ɝ": ("ER",), "i": ("IY",),
            "u": ("UW",), "ɪ": ("IH",), "ᵻ": ("IH",), "ɨ": ("IH",), "ʊ": ("UH",), "ɛ": ("EH",),
            "e": ("EH",), "æ": ("AE",), "a": ("AE",), "ɐ": ("AH",), "ə": ("AH",), "ʌ": ("AH",),
            "ɑ": ("AA",), "ɒ": ("AA",), "ɔ": ("AO",), "o": ("OW",), "p": ("P",), "b": ("B",),
            "t": ("T",), "d": ("D",), "k": ("K",), "g": ("G",), "ɡ": ("G",), "f": ("F",),
            "v": ("V",), "θ": ("TH",), "ð": ("DH",), "s": ("S",), "z": ("Z",), "ʃ": ("SH",),
            "ʒ": ("ZH",), "h": ("HH",), "m": ("M",), "n": ("N",), "ŋ": ("NG",), "l": ("L",),
            "ɫ": ("L",), "ɹ": ("R",), "r": ("R",), "ɾ": ("T",), "w": ("W",), "j": ("Y",),
            "x": ("K",), "ʔ": (), "n̩": ("AH", "N"), "l̩": ("AH", "L"),
        }.items(),
        key=lambda pair: -len(pair[0]),
    )
)  # fmt: skip
_IPA_SILENT = frozenset("ˈˌːˑ.‿- \u200d\u0329")


@dataclass
class Pronunciations:
    """Each word's pronunciations (the first is the usual one), and where each came from."""

    phones: dict[str, list[str]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # word -> cmudict | hand | espeak
    missing: list[str] = field(default_factory=list)  # words nothing could pronounce

    def dictionary(self) -> str:
        """pocketsphinx's dictionary format: `word PH O NES`, alternates as `word(2)`."""
        lines = []
        for word in sorted(self.phones):
            for number, phones in enumerate(self.phones[word], start=1):
                lines.append(f"{word if number == 1 else f'{word}({number})'} {phones}")
        return "\n".join(lines) + "\n"

    def not_from_cmudict(self) -> dict[str, list[str]]:
        return {w: self.phones[w] for w, s in sorted(self.sources.items()) if s != "cmudict"}


def load_cmudict(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            word, _, phones = line.partition(" ")
            if phones:
                found.setdefault(_ALTERNATE.sub("", word), []).append(phones.split("#")[0].strip())
    return found


def pronounce(
    words: Iterable[str],
    cmudict: Mapping[str, Sequence[str]],
    hand: Mapping[str, Sequence[str]],
    locale: str,
) -> Pronunciations:
    """Pronunciations for `words`: the hand table first (with espeak-ng's reading beside it),
    then CMUdict, then a possessive of a known word, then espeak-ng."""
    result = Pronunciations()
    unknown: list[str] = []
    for word in sorted(set(words)):
        if word in hand:
            result.phones[word], result.sources[word] = list(hand[word]), "hand"
        elif word in cmudict:
            result.phones[word], result.sources[word] = list(cmudict[word]), "cmudict"
        elif word.endswith("'s") and (word[:-2] in cmudict or word[:-2] in hand):
            base = hand.get(word[:-2]) or cmudict[word[:-2]]
            result.phones[word], result.sources[word] = [_possessive(p) for p in base], "cmudict"
        else:
            unknown.append(word)
    hand_words = [w for w in result.phones if result.sources[w] == "hand"]
    read = espeak_phones([*hand_words, *unknown], ESPEAK_VOICE.get(locale, "en-us"))
    for word in hand_words:
        said = read.get(word)
        if said and said not in result.phones[word]:
            result.phones[word].append(said)
    for word in unknown:
        said = read.get(word)
        if said:
            result.phones[word], result.sources[word] = [said], "espeak"
        else:
            result.missing.append(word)
    for accent in ACCENTS.get(locale, ()):
        for word, said in espeak_phones(sorted(result.phones), accent).items():
            if said not in result.phones[word]:
                result.phones[word].append(said)
    return result


_VOICELESS = frozenset({"P", "T", "K", "F", "TH"})
_SIBILANT = frozenset({"S", "Z", "SH", "ZH", "CH", "JH"})


def _possessive(phones: str) -> str:
    last = phones.split()[-1]
    return f"{phones} {'IH Z' if last in _SIBILANT else 'S' if last in _VOICELESS else 'Z'}"


def espeak_version() -> str:
    """Part of the build's cache key: another espeak-ng may read words differently."""
    if shutil.which(ESPEAK) is None:
        return "none"
    done = subprocess.run([ESPEAK, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def espeak_phones(words: Sequence[str], voice: str) -> dict[str, str]:
    """espeak-ng's reading of each word as ARPAbet; {} without espeak-ng."""
    if not words or shutil.which(ESPEAK) is None:
        return {}
    spoken = [w.replace("'", "") for w in words]
    done = subprocess.run(
        [ESPEAK, "-q", "--ipa", "-v", voice],
        input="\n".join(spoken) + "\n",
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or len(lines) != len(words):  # a word read as two lines: one by one
        lines = [_espeak_one(word, voice) for word in spoken]
    found = {}
    for word, ipa in zip(words, lines, strict=True):
        phones = ipa_to_arpabet(ipa)
        if phones:
            found[word] = " ".join(phones)
    return found


def _espeak_one(word: str, voice: str) -> str:
    done = subprocess.run(
        [ESPEAK, "-q", "--ipa", "-v", voice, word], capture_output=True, text=True, check=False
    )
    return " ".join(done.stdout.split())


def ipa_to_arpabet(ipa: str) -> list[str]:
    """espeak-ng's IPA as ARPAbet phones; a symbol without an equivalent is skipped."""
    phones: list[str] = []
    at = 0
    while at < len(ipa):
        if ipa[at] in _IPA_SILENT:
            at += 1
            continue
        for symbol, arpabet in _IPA:
            if ipa.startswith(symbol, at):
                phones.extend(arpabet)
                at += len(symbol)
                break
        else:
            at += 1  # a diacritic or a rare symbol: the rest of the word still counts
    return phones
