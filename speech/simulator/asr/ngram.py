"""A trigram language model with interpolated modified Kneser-Ney smoothing, in ARPA format.

pocketsphinx ships only a fixed-discount estimator (`pocketsphinx.lm.ArpaBoLM`, which gives half
of every context's probability to words never seen after it). The corpus here is templates
filled with slot values: many contexts, each followed by few words, where Kneser-Ney's
count-of-counts discounts and continuation counts are the standard remedy (Chen and Goodman,
1998). Interpolated probabilities are written for the n-grams seen and the interpolation
weight as each context's back-off weight, which is exactly how an ARPA reader recombines them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import TextIO

START, END = "<s>", "</s>"
Gram = tuple[str, ...]


class KneserNey:
    """Counts of a corpus's sentences and the smoothed trigram model they give."""

    def __init__(self, sentences: Iterable[Sequence[str]]) -> None:
        self.counts: list[Counter[Gram]] = [Counter(), Counter(), Counter()]
        for words in sentences:
            padded = (START, *words, END)
            for order in (1, 2, 3):
                for at in range(len(padded) - order + 1):
                    self.counts[order - 1][padded[at : at + order]] += 1
        self.vocabulary = sorted({gram[0] for gram in self.counts[0]})
        # The counts each order is estimated from: raw for the highest order and for n-grams
        # that start a sentence (nothing can precede them), else how many words precede it.
        self._used: list[Counter[Gram]] = [Counter(), Counter(), self.counts[2]]
        for order in (1, 2):
            used = self._used[order - 1]
            for gram in self.counts[order]:
                used[gram[1:]] += 1
            for gram, count in self.counts[order - 1].items():
                if gram[0] == START:
                    used[gram] = count
        self._used[0].pop((START,), None)
        self.discounts = [_discounts(used) for used in self._used]
        self.probability: list[dict[Gram, float]] = [{}, {}, {}]
        self.backoff: list[dict[Gram, float]] = [{}, {}, {}]
        self._estimate()

    def _estimate(self) -> None:
        for order in (1, 2, 3):
            used = self._used[order - 1]
            d1, d2, d3 = self.discounts[order - 1]
            totals: dict[Gram, int] = defaultdict(int)
            kinds: dict[Gram, list[int]] = defaultdict(lambda: [0, 0, 0])
            for gram, count in used.items():
                context = gram[:-1]
                totals[context] += count
                kinds[context][min(count, 3) - 1] += 1
            weights: dict[Gram, float] = {}
            for context, total in totals.items():
                n1, n2, n3 = kinds[context]
                weights[context] = (d1 * n1 + d2 * n2 + d3 * n3) / total
            for gram, count in used.items():
                context = gram[:-1]
                discount = (d1, d2, d3)[min(count, 3) - 1]
                lower = self._lower(gram) if order > 1 else 1.0 / len(self.vocabulary)
                mass = max(count - discount, 0.0) / totals[context]
                self.probability[order - 1][gram] = mass + weights[context] * lower
            if order > 1:
                self.backoff[order - 2] = dict(weights)

    def _lower(self, gram: Gram) -> float:
        """The smoothed probability of `gram` without its first word, backing off as needed."""
        shorter = gram[1:]
        order = len(shorter)
        found = self.probability[order - 1].get(shorter)
        if found is not None:
            return found
        return self.backoff[order - 2].get(shorter[:-1], 1.0) * self._lower(shorter)

    def write_arpa(self, out: TextIO) -> None:
        grams = [[*sorted(self.probability[0]), (START,)], *map(sorted, self.probability[1:])]
        out.write("\\data\\\n")
        for order, listed in enumerate(grams, start=1):
            out.write(f"ngram {order}={len(listed)}\n")
        for order, listed in enumerate(grams, start=1):
            out.write(f"\n\\{order}-grams:\n")
            for gram in listed:
                p = self.probability[order - 1].get(gram)
                log_p = -99.0 if p is None else math.log10(p)
                text = f"{log_p:.6f} {' '.join(gram)}"
                if order < 3:
                    bow = self.backoff[order - 1].get(gram)
                    text += f" {math.log10(bow):.6f}" if bow else " 0.000000"
                out.write(text + "\n")
        out.write("\n\\end\\\n")


def _discounts(used: Counter[Gram]) -> tuple[float, float, float]:
    """Chen and Goodman's three discounts from the counts of counts, kept within sense."""
    n = Counter(count for count in used.values() if count <= 4)
    n1, n2, n3, n4 = (max(n[k], 1) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2)
    d1 = 1 - 2 * y * n2 / n1
    d2 = 2 - 3 * y * n3 / n2
    d3 = 3 - 4 * y * n4 / n3
    return (min(max(d1, 0.05), 0.95), min(max(d2, 0.1), 1.9), min(max(d3, 0.1), 2.9))
