"""Finding slot values in what was said, the way Alexa's slot tagger does for custom types.

An intent's slot types' values and synonyms are looked up in the normalised words, longest
first from the left, so "how do i use narcan" (a need) wins over "narcan" (a medication) for
the emergency, while the medicine question still finds "narcan". A state (a sign, a report)
right after a negation ("not", "no", "barely") is not that state: "he's barely breathing"
reports no breathing. Intensifiers inside a value are skipped: "his breathing is super slow" says
"breathing is slow"; so are articles and possessives after a value's first word ("inner words"):
"i gave him the narcan" says "gave him narcan", "put it in her mouth" says "put it in mouth". A
phrase that belongs to several types ("methadone": a medication and a
substance) keeps them all; each intent takes the one it declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Words that deny or impair the state after them: "not", "barely", "stopped" breathing.
NEGATIONS = frozenset(
    {"not", "no", "never", "barely", "hardly", "without", "stopped", "stop", "stops", "quit"}
)
NEGATION_REACH = 3  # "not really breathing", "barely feel her breathing"
# Verbs deny only the state they govern, right after them: "stopped breathing"; a noun said
# before a state does not ("the man at the bus stop is blue").
VERB_NEGATIONS = frozenset({"stopped", "stop", "stops", "quit"})
# Words that impair rather than deny: "barely breathing" is breathing too slowly.
WEAK_NEGATIONS = frozenset({"barely", "hardly"})


@dataclass(frozen=True, slots=True)
class Denial:
    """What a state says when it is denied: a breathing report denied ("his chest isn't going up
    and down") is the sign "not breathing", or "breathing slowly" when only impaired."""

    type: str
    value: str  # said when denied
    weakly: str  # said when impaired ("barely", "hardly")


@dataclass(frozen=True, slots=True)
class SlotType:
    name: str
    values: Mapping[str, str]  # every spoken form (normalised) -> canonical id
    order: Mapping[str, int]  # canonical id -> its place in the model: first is most urgent


@dataclass(frozen=True, slots=True)
class Span:
    start: int  # word index
    end: int  # one past the last word
    ids: Mapping[str, str]  # slot type name -> canonical id


@dataclass(frozen=True, slots=True)
class Candidates:
    words: tuple[str, ...]
    kept: tuple[int, ...]  # indexes of the words that are not intensifiers
    at: tuple[tuple[tuple[int, Mapping[str, str]], ...], ...]  # per kept word: (size, ids)


class SlotTagger:
    def __init__(
        self,
        types: Iterable[SlotType],
        intensifiers: frozenset[str],
        negatable: frozenset[str],
        inner: frozenset[str] = frozenset(),
        denied: Mapping[tuple[str, str], Denial] | None = None,
    ) -> None:
        self.types = {t.name: t for t in types}
        self.intensifiers = intensifiers
        self.inner = inner  # skipped after a value's first word: "gave him the narcan"
        self.negatable = negatable  # types whose values are states a negation denies
        self.denied = dict(denied or {})  # (type, id) denied -> the value that denial says
        self._denial_types = frozenset(d.type for d in self.denied.values())
        self._phrases: dict[str, dict[str, str]] = {}
        self._longest: dict[str, int] = {}  # first word -> longest phrase it starts, in words
        for slot_type in self.types.values():
            for spoken, canonical in slot_type.values.items():
                words = self._key(w for w in spoken.split() if w not in intensifiers)
                if not words:
                    continue
                # Two spoken forms may read alike once inner words are skipped ("have narcan",
                # "have the narcan"); the model's first keeps the phrase, as `values` does.
                self._phrases.setdefault(" ".join(words), {}).setdefault(slot_type.name, canonical)
                self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))

    def _key(self, words: Iterable[str]) -> list[str]:
        key: list[str] = []
        for word in words:
            if not key or word not in self.inner:
                key.append(word)
        return key

    def candidates(self, words: Sequence[str]) -> Candidates:
        """Every value of every type that starts at each word, longest first: what `spans`
        chooses from for any set of types."""
        kept = [i for i, word in enumerate(words) if word not in self.intensifiers]
        compact = [words[i] for i in kept]
        found: list[list[tuple[int, Mapping[str, str]]]] = []
        for start in range(len(compact)):
            here: list[tuple[int, Mapping[str, str]]] = []
            longest = self._longest.get(compact[start], 0)
            if longest:
                # The words a value starting here would say, inner words skipped, and how many
                # compact words each prefix spans.
                said, ends = [compact[start]], [1]
                position = start + 1
                while len(said) < longest and position < len(compact):
                    if compact[position] not in self.inner:
                        said.append(compact[position])
                        ends.append(position - start + 1)
                    position += 1
                for size in range(len(said), 0, -1):
                    ids = self._phrases.get(" ".join(said[:size]))
                    if ids is not None:
                        here.append((ends[size - 1], ids))
            found.append(here)
        return Candidates(tuple(words), tuple(kept), tuple(tuple(h) for h in found))

    def spans(self, candidates: Candidates, types: frozenset[str]) -> list[Span]:
        """Values of these slot types in the words, longest first from the left."""
        kept, at = candidates.kept, candidates.at
        found: list[Span] = []
        i = 0
        while i < len(kept):
            here = at[i]
            match = None
            for size, ids in here:  # most words start no value: an empty tuple
                if not types.isdisjoint(ids) or self._may_deny(ids, types):
                    match = size, ids
                    break
            if match is None:
                i += 1
                continue
            size, ids = match
            wanted = {t: v for t, v in ids.items() if t in types}
            span = Span(kept[i], kept[i + size - 1] + 1, wanted)
            negatable = not self.negatable.isdisjoint(ids)
            negation = _negation(candidates.words, span) if negatable else None
            if negation is None:
                if wanted:
                    found.append(span)
            else:  # "i can barely see her chest moving": a breathing report denied is a sign
                said = self._denial(ids, types, negation)
                if said:
                    found.append(Span(span.start, span.end, said))
            i += size
        return found

    def _may_deny(self, ids: Mapping[str, str], types: frozenset[str]) -> bool:
        return not self._denial_types.isdisjoint(types) and any(
            (t, v) in self.denied for t, v in ids.items()
        )

    def _denial(
        self, ids: Mapping[str, str], types: frozenset[str], negation: str
    ) -> dict[str, str]:
        said: dict[str, str] = {}
        for t, v in ids.items():
            denial = self.denied.get((t, v))
            if denial is not None and denial.type in types:
                said[denial.type] = denial.weakly if negation in WEAK_NEGATIONS else denial.value
        return said

    def most_urgent(self, type_name: str, ids: Iterable[str]) -> str:
        """Of several values said for one slot, the one the model lists first."""
        order = self.types[type_name].order
        return min(ids, key=lambda canonical: order.get(canonical, len(order)))


def _negation(words: Sequence[str], span: Span) -> str | None:
    """The word denying the state the span says, if one does."""
    if any(word in NEGATIONS for word in words[span.start : span.end]):
        return None  # the value says the negation itself: "no narcan", "i do not have narcan"
    before = words[max(0, span.start - NEGATION_REACH) : span.start]
    for at, word in enumerate(before):
        if word in NEGATIONS and (word not in VERB_NEGATIONS or at == len(before) - 1):
            return word
    return None
