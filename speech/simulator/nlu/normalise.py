"""Putting samples and what people say into one form, so they can be compared."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence

from speech.simulator.nlu.lexicon import Ages, Lexicon

# Rejoins words speech recognition split ("nar can"); see `phonetic.Joiner`.
Rejoin = Callable[[Sequence[str]], list[str]]

_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS: tuple[str, ...] = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen")
_TEENS += ("sixteen", "seventeen", "eighteen", "nineteen")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
NUMBER_WORDS = frozenset((*_DIGITS, *_TEENS, *_TENS[2:], "hundred", "oh", "double", "triple"))


def fold(text: str) -> str:
    """Plain lower-case text: NFKC ("ＯＶＥＲＤＯＳＥ" -> "overdose"), accents off ("naloxóne")."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().replace("’", "'").replace("‘", "'").replace("ʼ", "'")


class Normaliser:
    """Puts samples and user utterances into one form so they can be compared."""

    def __init__(self, lexicon: Lexicon, rejoin: Rejoin | None = None) -> None:
        self.lexicon = lexicon
        self.rejoin = rejoin
        self._phrases = alternation(lexicon.phrases)
        states = "|".join(re.escape(state) for state in lexicon.elided_states)
        # A state said, then denied last with the state left out: "breathing ... he is not".
        self._elided = (
            re.compile(
                rf"\b(?P<state>{states})\b.*\b(?:(?:he|she|they|it|someone) (?:is|are|was|were)"
                r" not(?: any ?more| again| now)?"
                # ... or stopped: "he was breathing a minute ago and now he stopped"
                r"|(?:he|she|they|it|someone|and) (?:has |have |had |just |then )?stopped"
                r"(?: again| now| completely)?)$"
            )
            if states
            else None
        )
        self._ages = _ages(lexicon.ages) if lexicon.ages is not None else None
        self._contractions = re.compile(
            "|".join(re.escape(k) for k in sorted(lexicon.contractions, key=len, reverse=True))
        )

    def __call__(self, text: str) -> str:
        text = fold(text)
        text = re.sub(r"\b((?:[a-z]\.\s*){2,})", _join_letters, text)  # "c. b. t." -> "cbt"
        text = re.sub(r"[^a-z0-9'{} ]+", " ", text)
        text = re.sub(r"\d+", lambda m: number_words(m.group()), text)
        words = text.split()
        text = " ".join(self.rejoin(words) if self.rejoin else words)
        text = self._phrases.sub(lambda m: self.lexicon.phrases[m.group(1)], f" {text} ").strip()
        if self._ages is not None:
            text = self._ages.sub(self._age, text)
        text = self._contractions.sub(lambda m: self.lexicon.contractions[m.group()], text)
        words = [w.strip("'") for w in text.split()]
        text = " ".join(w for w in words if w and w not in self.lexicon.fillers)
        elided = self._elided.search(text) if self._elided else None
        return text if elided is None else f"{text} {elided.group('state')}"

    def _age(self, match: re.Match[str]) -> str:
        assert self.lexicon.ages is not None
        return f"{match.group('number')} {self.lexicon.ages.units[match.group('unit')]}"


def _ages(ages: Ages) -> re.Pattern[str]:
    """ "boy five years", "my daughter two year old": the noun, an age in words, a unit."""
    return re.compile(
        rf"\b(?:{_either(ages.nouns)}) (?P<number>{_either(ages.numbers)}) "
        rf"(?P<unit>{_either(ages.units)})(?: old)?\b"
    )


def _either(options: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(options, key=len, reverse=True))


def _join_letters(match: re.Match[str]) -> str:
    return re.sub(r"[.\s]", "", match.group(1)) + " "


def alternation(phrases: Iterable[str]) -> re.Pattern[str]:
    """Any of the phrases as whole words, the longest where several start at one place (group
    1 is the phrase said). Built as a trie of words, so thousands of phrases (every pairing of
    two lists) cost a search no more than a few dozen."""
    return re.compile(r"(?<= )(" + _trie_pattern(phrases) + r")(?= )")


def in_order(
    cues: Iterable[str],
    near: Iterable[tuple[Iterable[str], Iterable[str], int]],
    pairs: tuple[Iterable[str], Iterable[str], Iterable[str]] | None = None,
) -> re.Pattern[str]:
    """Any of the phrases as whole words (`alternation`); or a phrase of each `near` first list
    followed by one of its second list with at most so many words between them; or a phrase of
    either `pairs` list, one of its joining words (an empty one: none) and one of the other list.
    Each part is its own trie, so pairings cost neither a list of every combination nor the
    seconds it took to compile one."""
    options = []
    if pairs is not None:  # first: a pairing is longer than the cue its first part may be
        one, other, joins = (list(part) for part in pairs)
        words = [j for j in joins if j]
        join = f" {_trie_pattern(words)} " if words else " "
        if words and len(words) < len(joins):
            join = f" (?:{_trie_pattern(words)} )?"
        options += [
            f"{_trie_pattern(a)}{join}{_trie_pattern(b)}" for a, b in ((one, other), (other, one))
        ]
    said = list(cues)
    options += [_trie_pattern(said)] if said else []
    options += [
        f"{_trie_pattern(list(first))}(?: [^ ]+){{0,{within}}} {_trie_pattern(list(then))}"
        for first, then, within in near
    ]
    return re.compile(r"(?<= )(" + "|".join(f"(?:{o})" for o in options) + r")(?= )")


def _trie_pattern(phrases: Iterable[str]) -> str:
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for word in phrase.split(" "):
            node = node.setdefault(word, {})
        node[_END] = {}
    return _pattern(trie)


_Trie = dict[str, "_Trie"]
_END = ""  # marks a node where a phrase ends (no word is empty)


def _pattern(node: _Trie) -> str:
    options = []
    for word in sorted(w for w in node if w != _END):
        child = node[word]
        rest = {w: c for w, c in child.items() if w != _END}
        if not rest:
            options.append(re.escape(word))
            continue
        more = f" {_pattern(child)}"
        options.append(re.escape(word) + (f"(?:{more})?" if _END in child else more))
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


def number_words(digits: str) -> str:
    """Numbers as people say them: 911 -> "nine one one", 90 -> "ninety"."""
    value = int(digits)
    if len(digits) >= 3 and not (value % 100 == 0 and len(digits) == 3):
        return " ".join(_DIGITS[int(d)] for d in digits)  # phone-like: digit by digit
    if value < 10:
        return _DIGITS[value]
    if value < 20:
        return _TEENS[value - 10]
    if value < 100:
        tens, ones = divmod(value, 10)
        return _TENS[tens] + ("" if ones == 0 else f" {_DIGITS[ones]}")
    return f"{_DIGITS[value // 100]} hundred"


@functools.cache
def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def features(text: str, stopwords: frozenset[str]) -> list[str]:
    """Words that carry meaning, and every pair of neighbouring words (keeps "not breathing")."""
    words = [_stem(w) for w in text.replace("'", " ").split()]
    return [w for w in words if w not in stopwords] + [
        f"{a}_{b}" for a, b in itertools.pairwise(words)
    ]
