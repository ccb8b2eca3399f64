"""Scoring an utterance against every sample: the classifier under the resolver.

Each sample is a document of words and word pairs weighted by TF-IDF. An utterance scores, for
each class (an intent, or a kind of out-of-domain request), its best sample by cosine blended
with a character edit ratio (forgives small slips), plus its cosine with the class centroid
(what the class's samples share), plus how much of what was said (by IDF) the class's samples
ever say: "how long does spray paint take to dry" shares its frame with a treatment question but
its words with no sample of the skill. A heterogeneous class (a kind of out-of-domain request:
"how long does a sunburn last" and "how long is a marathon" share little) has no one centre, so
it scores its nearest samples' mean cosine instead.

Samples are stored with the slot values of their group's types replaced by `{TYPE}`, and are
compared with the utterance read the same way (`Group`): "my son ate my methadone" meets
"{PERSON} ate my {SUBSTANCE}". Every sample, centroid and class vocabulary of every group is a
row of one sparse matrix kept as columns per (group, term), so an utterance's products with all
of them, for all its readings, are one weighted bincount.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from speech.simulator.nlu.normalise import features

COSINE_WEIGHT = 0.7
EDIT_WEIGHT = 0.3
CENTROID_WEIGHT = 1.5
COVERAGE_WEIGHT = 0.3
CANDIDATES = 12  # best samples by cosine whose edit ratio is computed
NEIGHBOURS = 3  # a heterogeneous class's local centre: its nearest samples

# (slot type, slot name) pairs an utterance is read with for an intent; "" names a type read
# for scoring only, never reported as a slot.
Group = tuple[tuple[str, str], ...]
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Sample:
    text: str  # normalised, slot values of its group's types replaced by {TYPE}
    label: str
    group: Group


@dataclass(frozen=True, slots=True)
class _Shelf:
    """Where one group's rows are: its samples (sorted by class, so a class is one slice),
    then one centroid row per class, then one vocabulary row per class."""

    samples: list[Sample]
    labels: dict[str, int]  # class -> its row among the centroids and the vocabularies
    slices: dict[str, slice]  # class -> its samples' rows, relative to `documents`
    documents: slice
    centroids: slice
    words: slice
    outside: Ints  # the rows, relative to `documents`, of heterogeneous classes' samples


class SampleIndex:
    def __init__(
        self, samples: Sequence[Sample], stopwords: frozenset[str], heterogeneous: frozenset[str]
    ) -> None:
        self.stopwords = stopwords
        self.heterogeneous = heterogeneous
        documents = [features(sample.text, stopwords) for sample in samples]
        frequency = Counter(term for doc in documents for term in set(doc))
        count = len(documents)
        self._idf = {term: math.log((count + 1) / (n + 1)) + 1 for term, n in frequency.items()}
        self._unknown_idf = math.log(count + 1) + 1
        vectors = [self.vector(doc) for doc in documents]
        sums: dict[str, Counter[str]] = defaultdict(Counter)
        words: dict[str, set[str]] = defaultdict(set)
        members: dict[Group, list[int]] = defaultdict(list)
        for i, (sample, doc) in enumerate(zip(samples, documents, strict=True)):
            words[sample.label].update(t for t in doc if "_" not in t)
            sums[sample.label].update(vectors[i])
            members[sample.group].append(i)
        centroids = {label: _unit(dict(total)) for label, total in sums.items()}

        rows: list[tuple[Group, Mapping[str, float]]] = []
        vocabulary_rows: list[int] = []  # rows met by the words' IDF, not the query vector
        self._shelves: dict[Group, _Shelf] = {}
        for group, indexes in members.items():
            indexes.sort(key=lambda i: samples[i].label)
            start = len(rows)
            slices: dict[str, slice] = {}
            for position, i in enumerate(indexes):
                label = samples[i].label
                slices[label] = slice(slices.get(label, slice(position, 0)).start, position + 1)
                rows.append((group, vectors[i]))
            labels = list(slices)
            rows.extend((group, centroids[label]) for label in labels)
            vocabulary_rows.extend(range(len(rows), len(rows) + len(labels)))
            rows.extend((group, dict.fromkeys(words[label], 1.0)) for label in labels)
            size = len(indexes)
            self._shelves[group] = _Shelf(
                samples=[samples[i] for i in indexes],
                labels={label: row for row, label in enumerate(labels)},
                slices=slices,
                documents=slice(start, start + size),
                centroids=slice(start + size, start + size + len(labels)),
                words=slice(start + size + len(labels), start + size + 2 * len(labels)),
                outside=np.array(
                    [p for p, i in enumerate(indexes) if samples[i].label in heterogeneous],
                    dtype=np.int64,
                ),
            )
        self._size = len(rows)
        vocabulary = frozenset(vocabulary_rows)
        # Keyed (group's number, term, whether the row is a vocabulary row): a group is a tuple
        # of tuples, slow to hash once per term.
        self._numbers = {group: number for number, group in enumerate(self._shelves)}
        columns: dict[tuple[int, str, bool], tuple[list[int], list[float]]] = defaultdict(
            lambda: ([], [])
        )
        for row, (group, vector) in enumerate(rows):
            number = self._numbers[group]
            for term, weight in vector.items():
                column = columns[number, term, row in vocabulary]
                column[0].append(row)
                column[1].append(weight)
        # Per group's number, per kind of row (query rows, vocabulary rows): term -> its
        # column. A term is a string, whose hash Python keeps: one lookup per term.
        self._columns: list[tuple[dict[str, tuple[Ints, Floats]], ...]] = [
            ({}, {}) for _ in self._numbers
        ]
        for (number, term, of_vocabulary), (r, w) in columns.items():
            self._columns[number][of_vocabulary][term] = (
                np.array(r, dtype=np.int64),
                np.array(w, dtype=np.float64),
            )
        self.groups = tuple(self._shelves)

    def vector(self, terms: list[str]) -> dict[str, float]:
        counts = Counter(terms)
        return _unit({t: n * self._idf.get(t, self._unknown_idf) for t, n in counts.items()})

    def scores(self, readings: Mapping[Group, str]) -> dict[str, float]:
        """Every class with a close sample, scored with the utterance read for its group; none
        when no word of it is in any sample."""
        rows: list[Ints] = []
        weights: list[Floats] = []
        scale: list[float] = []
        asked: dict[Group, tuple[str, float]] = {}
        read: dict[str, tuple[dict[str, float], dict[str, float]]] = {}  # readings often agree
        for group, text in readings.items():
            if text not in read:
                terms = features(text, self.stopwords)
                said = {t: self._idf.get(t, self._unknown_idf) for t in terms if "_" not in t}
                read[text] = (self.vector(terms), said)
            query, said = read[text]
            asked[group] = (text, sum(said.values()) or 1.0)
            # The query vector meets samples and centroids; its words' IDF meets vocabularies.
            for words, columns in zip(
                (query, said), self._columns[self._numbers[group]], strict=True
            ):
                for term, weight in words.items():
                    column = columns.get(term)
                    if column is not None:
                        rows.append(column[0])
                        weights.append(column[1])
                        scale.append(weight)
        if not rows:
            return {}
        lengths = np.fromiter((len(r) for r in rows), dtype=np.int64, count=len(rows))
        products: Floats = np.asarray(
            np.bincount(
                np.concatenate(rows),
                weights=np.concatenate(weights) * np.repeat(np.array(scale), lengths),
                minlength=self._size,
            ),
            dtype=np.float64,
        )
        scores: dict[str, float] = {}
        for group, (text, said_mass) in asked.items():
            scores.update(self._score_group(self._shelves[group], products, text, said_mass))
        return scores

    def _score_group(
        self, shelf: _Shelf, products: Floats, text: str, said: float
    ) -> dict[str, float]:
        cosines = products[shelf.documents]
        if not cosines.any():
            return {}  # no word in common with any of this group's samples
        count = min(CANDIDATES, len(cosines))
        best: dict[str, float] = {}
        candidates = np.argpartition(-cosines, count - 1)[:count].tolist()
        if len(shelf.outside):
            # The nearest out-of-domain sample is always weighed: a frame many samples share
            # ("what are the signs of ...") must not crowd out the request it really is.
            closest = int(shelf.outside[np.argmax(cosines[shelf.outside])])
            if closest not in candidates:
                candidates.append(closest)
        for position, cosine in zip(candidates, cosines[candidates].tolist(), strict=True):
            if cosine <= 0.0:
                continue
            sample = shelf.samples[position]
            score = COSINE_WEIGHT * cosine + EDIT_WEIGHT * fuzz.ratio(text, sample.text) / 100
            if score > best.get(sample.label, 0.0):
                best[sample.label] = score
        centres = products[shelf.centroids]
        covered = products[shelf.words]
        scores: dict[str, float] = {}
        for label, score in best.items():
            row = shelf.labels[label]
            if label in self.heterogeneous:
                mine = cosines[shelf.slices[label]]
                if len(mine) > NEIGHBOURS:
                    mine = np.partition(mine, -NEIGHBOURS)[-NEIGHBOURS:]
                centre = float(mine.sum()) / NEIGHBOURS
            else:
                centre = float(centres[row])
            coverage = float(covered[row]) / said
            scores[label] = score + CENTROID_WEIGHT * centre + COVERAGE_WEIGHT * coverage
        return scores


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {term: weight / norm for term, weight in vector.items()}
