"""Words speech recognition splits or misspells, put back together by how they sound.

A recogniser that does not know "narcan" writes what it heard: "nar can", "sub oxone",
"meth a done", "lucy mira". `Joiner` looks at each run of two to four neighbouring words and
joins it when the letters spell a vocabulary word exactly, or sound like one (`sound_key`, a
Metaphone-like key) and still look like it (edit ratio); one unknown word that sounds like a
vocabulary word ("naloxon") is replaced the same way. The vocabulary is the slot values and
synonyms of the interaction model, so the medicines and drugs people name. Words that sound
alike are told apart by how they look: the closest wins when every rival of another sense
("perks" and "percs" share one; "grunted" and "grandad" do not) is clearly further.

Known words are never re-spelt by sound alone: "her own" sounds like "heroin", but both are
words the skill knows, so only an exact spelling ("her o in") would join them.

A dropped g is put back when that makes a known word: "he ain't breathin'" -> "breathing".
A known word with an English ending ("showing", "rested") is never respelt by sound.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence

from rapidfuzz import fuzz

_VOWELS = frozenset("aeiouy")
_SOFTENERS = frozenset("eiy")
_SILENT_STARTS = ("kn", "gn", "pn", "wr", "ps")
MIN_LENGTH = 5  # shorter words sound like too many others
SOUND_RATIO = 70  # a sound-alike must also share most of its letters...
LONG_KEY, LONG_KEY_RATIO = 5, 50  # ...or half of them when five consonants sound alike
RIVAL_MARGIN = 15  # ...and more of them than any sound-alike of another sense
WINDOW = 4
INFLECTIONS = ("ing", "ed", "es", "s", "er", "ers", "ly")


def sound_key(word: str) -> str:
    """Consonant skeleton by sound: "lucemyra" and "lucymira" -> LSMR, "clonidine" -> KLNTN."""
    w = "".join(c for c in word.lower() if "a" <= c <= "z")
    if w.startswith(_SILENT_STARTS):
        w = w[1:]
    elif w.startswith("x"):
        w = "s" + w[1:]
    out: list[str] = []
    for i, c in enumerate(w):
        nxt = w[i + 1] if i + 1 < len(w) else ""
        prev = w[i - 1] if i else ""
        code = ""
        if c in _VOWELS:
            code = "A" if i == 0 else ""
        elif c == "c":
            code = "S" if nxt in _SOFTENERS else "X" if nxt == "h" else "K"
        elif c == "g":
            code = "J" if nxt in _SOFTENERS else "" if nxt == "h" else "K"
        elif c == "h":
            code = "H" if nxt in _VOWELS and (not prev or prev not in "cgpst") else ""
        elif c == "p":
            code = "F" if nxt == "h" else "P"
        elif c == "s":
            code = "X" if nxt == "h" else "S"
        elif c == "t":
            code = "0" if nxt == "h" else "T"
        elif c == "d":
            code = "T"
        elif c in "kq":
            code = "" if prev == "c" else "K"
        elif c == "v":
            code = "F"
        elif c == "w":
            code = "W" if nxt in _VOWELS else ""
        elif c == "x":
            code = "KS"
        elif c == "z":
            code = "S"
        else:
            code = c.upper()
        if code and not (out and out[-1] == code):
            out.append(code)
    return "".join(out)


class Joiner:
    """Rejoins split vocabulary words in a list of words (already lower-case, no punctuation)."""

    def __init__(
        self,
        vocabulary: Mapping[str, Collection[str]],
        known: Iterable[str],
        names: Collection[str] = (),
    ) -> None:
        """`vocabulary`: each word of the slot values, with its senses (the values it is in,
        as "TYPE:value"); `names`: the slot types whose words are names (a medicine, a drug),
        the only words joined from pieces that are words themselves ("sub oxone" is suboxone,
        "for getting" is no "forgetting")."""
        words = {w for w in vocabulary if len(w) >= MIN_LENGTH and w.isalpha()}
        self.exact = frozenset(words)
        self.senses = {word: frozenset(vocabulary[word]) for word in words}
        by_key: dict[str, list[str]] = {}
        for word in sorted(words):
            by_key.setdefault(sound_key(word), []).append(word)
        self.by_sound = {key: tuple(alike) for key, alike in by_key.items()}
        self.known = frozenset(known) | self.exact
        self.names = frozenset(
            word
            for word, senses in self.senses.items()
            if any(sense.split(":", 1)[0] in names for sense in senses)
        )
        # Every way to cut a vocabulary word into two to four pieces, so an exact join is one
        # lookup: ("meth", "a", "done") -> "methadone".
        self._pieces: dict[tuple[str, ...], str] = {}
        for word in words:
            for cuts in _cuts(len(word)):
                bounds = (0, *cuts, len(word))
                self._pieces.setdefault(
                    tuple(word[a:b] for a, b in itertools.pairwise(bounds)), word
                )
        # What may follow each first piece: "meth" -> {"a", "ad", "adone", ...}.
        self._next: dict[str, set[str]] = {}
        for pieces in self._pieces:
            self._next.setdefault(pieces[0], set()).add(pieces[1])

    def __call__(self, words: Sequence[str]) -> list[str]:
        if any(w.endswith(("in", "in'")) and w not in self.known for w in words):
            words = [self._with_g(w) for w in words]
        unknown = [w not in self.known for w in words]
        joinable = [
            w in self._next and i + 1 < len(words) and words[i + 1] in self._next[w]
            for i, w in enumerate(words)
        ]
        if not any(unknown) and not any(joinable):
            return list(words)  # nothing to join or respell: most sentences
        out: list[str] = []
        i = 0
        while i < len(words):
            joined = (
                self._join_at(words, unknown, i) if joinable[i] or any(unknown[i : i + 4]) else None
            )
            if joined is None:
                respell = unknown[i] and not self._inflected(words[i])
                out.append(self._sounds_like(words[i]) or words[i] if respell else words[i])
                i += 1
            else:
                word, size = joined
                out.append(word)
                i += size
        return out

    def _inflected(self, word: str) -> bool:
        """A known word with an English ending ("showing", "rested") is a word the recogniser
        knew, not a drug name it misheard: never respelt by sound ("showing" is no "chewing")."""
        for ending in INFLECTIONS:
            stem = word.removesuffix(ending)
            if stem != word and len(stem) >= 3:
                if stem in self.known or stem + "e" in self.known:
                    return True
                if len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in self.known:
                    return True  # "stopped", "running"
        return False

    def _with_g(self, word: str) -> str:
        """ "breathin'" -> "breathing" when the skill knows that word and not this one."""
        if word in self.known or not word.endswith(("in", "in'")):
            return word
        full = word.rstrip("'") + "g"
        return full if full in self.known else word

    def _join_at(
        self, words: Sequence[str], unknown: Sequence[bool], start: int
    ) -> tuple[str, int] | None:
        for size in range(min(WINDOW, len(words) - start), 1, -1):
            window = tuple(words[start : start + size])
            if any(w in self.exact for w in window):
                continue  # a whole vocabulary word is already there
            exact = self._pieces.get(window)
            if exact is not None and (exact in self.names or any(unknown[start : start + size])):
                return exact, size
            if any(unknown[start : start + size]):
                match = self._sounds_like("".join(window))
                if match is not None:
                    return match, size
        return None

    def _sounds_like(self, letters: str) -> str | None:
        if len(letters) < MIN_LENGTH or not letters.isalpha():
            return None
        key = sound_key(letters)
        alike = self.by_sound.get(key)
        if alike is None:
            return None
        ranked = sorted(((fuzz.ratio(letters, word), word) for word in alike), reverse=True)
        ratio, match = ranked[0]
        needed = LONG_KEY_RATIO if len(key) >= LONG_KEY else SOUND_RATIO
        if ratio < needed:
            return None
        for rival_ratio, rival in ranked[1:]:
            if self.senses[rival] != self.senses[match] and ratio - rival_ratio < RIVAL_MARGIN:
                return None  # better unjoined than wrong
        return match


def _cuts(length: int) -> Iterator[tuple[int, ...]]:
    """Cut positions splitting a word of this length into two to four non-empty pieces."""
    for pieces in range(2, WINDOW + 1):
        yield from itertools.combinations(range(1, length), pieces - 1)
