"""The recogniser's language model and dictionary, built from the skill's own data and cached.

A build is a folder under the user's cache directory (`$XDG_CACHE_HOME/heroin-help/asr/`),
named by a hash of everything it is made from (the interaction model, the resolver's lexicon and
background, this package's data and code version, pocketsphinx's dictionary and espeak-ng's
version), so a changed sample makes a new build and an
unchanged one is reused. It holds the corpus, the ARPA trigram model and its binary form, the
dictionary restricted to the model's words, and a report of where each pronunciation came from.
The folder appears whole or not at all (built beside it and renamed), so two processes starting
at once cannot read half a build.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from skill.settings import APP_NAME
from speech.simulator.asr import corpus
from speech.simulator.asr.ngram import KneserNey
from speech.simulator.asr.pronounce import ACCENTS, espeak_version, load_cmudict, pronounce
from speech.simulator.nlu.background import BACKGROUND_DIR, background_for
from speech.simulator.nlu.lexicon import LEXICON_DIR, lexicon_for
from speech.simulator.nlu.resolver import MODELS_DIR, interaction_model

# Bump when the corpus or the build changes in a way the inputs' hash cannot see.
BUILD_VERSION = "3"
DATA_DIR = Path(__file__).parent
DISCOUNT_MASS = 0.5
ESTIMATOR = "kn"


class NoAcousticModel(LookupError):
    """pocketsphinx ships an acoustic model for en-US only."""


@dataclass(frozen=True, slots=True)
class Build:
    directory: Path

    @property
    def lm(self) -> Path:
        return self.directory / "lm.bin"

    @property
    def dictionary(self) -> Path:
        return self.directory / "words.dict"

    @property
    def corpus(self) -> Path:
        return self.directory / "corpus.txt"

    @property
    def report(self) -> dict[str, Any]:
        found: dict[str, Any] = json.loads((self.directory / "report.json").read_text("utf-8"))
        return found


@dataclass(frozen=True, slots=True)
class LocaleData:
    """This package's data for a locale: hand-checked pronunciations, contraction twins and
    numbers' other spoken forms."""

    pronunciations: dict[str, list[str]]
    twins: dict[str, str]
    numbers: dict[str, list[str]]  # a number said digit by digit -> its other spoken forms

    @classmethod
    def load(cls, locale: str) -> LocaleData:
        data = yaml.safe_load((DATA_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))
        return cls(
            {str(w): [str(p) for p in ps] for w, ps in data["pronunciations"].items()},
            {str(k): str(v) for k, v in data["twins"].items()},
            {str(k): [str(f) for f in v] for k, v in (data.get("numbers") or {}).items()},
        )


def acoustic_model(locale: str) -> Path:
    """pocketsphinx's acoustic model folder for the locale."""
    from pocketsphinx import get_model_path

    if locale != "en-US":
        raise NoAcousticModel(
            f"speech recognition has an acoustic model for en-US only, not {locale}"
        )
    return Path(get_model_path()) / "en-us" / "en-us"


def cmudict_path() -> Path:
    from pocketsphinx import get_model_path

    return Path(get_model_path()) / "en-us" / "cmudict-en-us.dict"


def default_cache() -> Path:
    """`$XDG_CACHE_HOME/heroin-help/asr`, or `~/.cache/heroin-help/asr` when it is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / APP_NAME / "asr"


def build_for(locale: str, cache_dir: Path | None = None) -> Build:
    """The build for this locale's current data: from the cache, or made now (seconds)."""
    acoustic_model(locale)
    key = input_key(locale)
    root = default_cache() if cache_dir is None else cache_dir
    build = Build(root / f"{locale}-{key}")
    if (build.directory / "report.json").is_file():
        return build
    root.mkdir(parents=True, exist_ok=True)
    scratch = root / f".{build.directory.name}.{uuid.uuid4().hex}"
    scratch.mkdir()
    try:
        _make(locale, scratch)
        try:
            os.rename(scratch, build.directory)
        except OSError:  # another process finished the same build first: theirs is as good
            if not (build.directory / "report.json").is_file():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return build


@cache
def input_key(locale: str) -> str:
    """A hash of everything a build is made from."""
    digest = hashlib.sha256(BUILD_VERSION.encode())
    inputs = [
        MODELS_DIR / f"{locale}.json",
        LEXICON_DIR / f"{locale}.yaml",
        BACKGROUND_DIR / f"{locale}.yaml",
        DATA_DIR / f"{locale}.yaml",
        cmudict_path(),
        Path(corpus.__file__),  # how the sentences are made from the data
    ]
    for path in inputs:
        digest.update(path.read_bytes())
    digest.update(espeak_version().encode())
    for setting in (
        corpus.PER_CARRIER,
        corpus.PER_VALUE,
        corpus.ONE_SHOT_EVERY,
        corpus.FILLER_EVERY,
        corpus.PER_ALIAS,
        DISCOUNT_MASS,
        ESTIMATOR,
        ACCENTS,
    ):
        digest.update(repr(setting).encode())
    return digest.hexdigest()[:16]


def _make(locale: str, into: Path) -> None:
    from pocketsphinx import Config, LogMath, NGramModel
    from pocketsphinx.lm import ArpaBoLM

    data = LocaleData.load(locale)
    sources = corpus.Sources(
        interaction_model(locale),
        lexicon_for(locale),
        background_for(locale),
        data.twins,
        data.numbers,
    )
    said = corpus.sentences(sources)
    words = {w for sentence in said for w in sentence.split()}
    found = pronounce(words, load_cmudict(cmudict_path()), data.pronunciations, locale)
    unsayable = set(found.missing)
    kept = [s for s in said if unsayable.isdisjoint(s.split())]
    (into / "corpus.txt").write_text("\n".join(kept) + "\n", encoding="utf-8")
    arpa = io.StringIO()
    if ESTIMATOR == "kn":
        model = KneserNey(s.split() for s in kept)
        model.write_arpa(arpa)
        ngrams = [len(p) for p in model.probability]
    else:
        fixed = ArpaBoLM(text="".join(f"<s> {s} </s>\n" for s in kept), discount_mass=DISCOUNT_MASS)
        fixed.compute()
        fixed.write(arpa)
        ngrams = [fixed.count_1, fixed.count_2, fixed.count_3]
    (into / "lm.arpa").write_text(arpa.getvalue(), encoding="utf-8")
    vocabulary = {w for s in kept for w in s.split()}
    found.phones = {w: p for w, p in found.phones.items() if w in vocabulary}
    (into / "words.dict").write_text(found.dictionary(), encoding="utf-8")
    # The binary form loads in a fraction of the time the ARPA text takes.
    config = Config(lm=None, dict=None, hmm=None, loglevel="FATAL")
    NGramModel(config, LogMath(), str(into / "lm.arpa")).write(str(into / "lm.bin"))
    report = {
        "locale": locale,
        "sentences": len(kept),
        "left_out": len(said) - len(kept),
        "vocabulary": len(vocabulary),
        "ngrams": ngrams,
        "unpronounceable": sorted(unsayable),
        "pronunciations": found.not_from_cmudict(),
    }
    (into / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
