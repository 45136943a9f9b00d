"""How much of what a question is about does one sentence say? Its idf-weighted coverage.

The subject rule (qa.answering.subject) asks that a typed value stand in a sentence holding the
question's rarest word. That lets through a sentence that shares one distinctive word and
nothing else: "How many days' notice must a contributor give before my patent licence ends?"
met "... prior to 30 days after Your receipt of the notice" (a licence's cure period, not a
patent licence's end) through "contributor". Weighing every content word of the question by
its rarity in English (a name or term no English list holds weighs most) and asking what share
of that weight the value's sentence holds is the general form: a sentence answers the question
only when it says most of what the question is about. The weights are the query stage's English
word frequencies, so no corpus statistics are needed and a score means the same in any document.

A paraphrase says a question's word in another word of the same root or meaning ("how long had
the economy been *growing*" - "37 straight months of economic *growth*"; "which courts hear
*disputes*" - "any *litigation* ... shall be subject to the jurisdiction of the Federal Courts").
With CloseWords, such a word counts as said: one of the sentence's words lies within a cosine
of it in MiniLM's vectors of single words (the query stage's word table).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import numpy as np

from qa.answering.subject import (
    holds_number,
    naming_numbers,
    not_subject_words,
    sentence_stems,
    stem_word,
)
from qa.ingest.words import content_words
from qa.query.acronyms import spells_out, typed_acronyms
from qa.query.english import word_frequency

_CORPUS_SIZE = 1e8  # the word list's counts are out of about this many words
_SMOOTHING = 100  # a word seen fewer times than this is as distinctive as an unknown one


@dataclass(frozen=True)
class WeightedTerm:
    """A question word, or a number that names something ("version 4"), and how much it says
    about the question (higher: rarer in English; a naming number weighs as a name)."""

    word: str
    stem: str
    weight: float
    number: bool = False


@lru_cache(maxsize=256)  # coverage() asks it again for every value sentence of one question
def weighted_terms(question: str) -> tuple[WeightedTerm, ...]:
    """The question's content words (answer-kind words aside) and naming numbers, each once,
    with its weight.

    Example: [t.word for t in weighted_terms("How many days does Perl 6 support last?")]
    -> ["perl", "support", "last", "6"]
    """
    stem = stem_word
    skip = not_subject_words()
    words = dict.fromkeys(w for w in content_words(question) if w not in skip)
    terms = [WeightedTerm(w, stem(w), _weight(w)) for w in words]
    name_weight = math.log(_CORPUS_SIZE / _SMOOTHING)
    terms += [WeightedTerm(n, n, name_weight, True) for n in dict.fromkeys(naming_numbers(question))]
    return tuple(terms)


class WordVectors(Protocol):
    """Unit vectors of single words (qa.index.word_table.WordTable)."""

    def vectors(self, words: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class CloseWords:
    """Which question words a sentence says in other words: a word of the sentence within
    ``min_cosine`` of them."""

    table: WordVectors
    min_cosine: float  # RetrievalConfig.close_words

    def said(self, words: list[str], sentence: str) -> set[str]:
        """The ``words`` that one of the sentence's content words is close to."""
        skip = not_subject_words()
        own = [w for w in dict.fromkeys(content_words(sentence)) if w.isalpha() and w not in skip]
        if not words or not own:
            return set()
        vectors = self.table.vectors([*words, *own])  # perhaps the table's own rows: not in place
        vectors = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        best = (vectors[: len(words)] @ vectors[len(words) :].T).max(axis=1)
        return {w for w, cosine in zip(words, best, strict=True) if cosine >= self.min_cosine}


def coverage(
    question: str, sentence: str, acronyms: bool = True, close: CloseWords | None = None
) -> float:
    """The share of the question's word weight that the sentence holds (1.0 for a question
    with no content words: nothing to miss). An acronym the question types in capitals is held
    where the sentence spells it out ("GPL", "the GNU General Public License"); with ``close``,
    a word is held where the sentence says a word close to it.

    Example: coverage("Which courts hear disputes?", "The courts of Paris hear all disputes.")
    -> 1.0
    """
    terms = weighted_terms(question)
    total = sum(t.weight for t in terms)
    if total <= 0:
        return 1.0
    held = sentence_stems(sentence)
    typed = typed_acronyms(question) if acronyms else frozenset()

    def says(t: WeightedTerm) -> bool:
        if t.number:
            return holds_number(sentence, t.word)
        return t.stem in held or (t.word in typed and spells_out(sentence, t.word))

    said = {t.word for t in terms if says(t)}
    missed = [t.word for t in terms if not t.number and t.word not in said]
    if close is not None and missed:
        said |= close.said(missed, sentence)
    return sum(t.weight for t in terms if t.word in said) / total


def _weight(word: str) -> float:
    return math.log(_CORPUS_SIZE / (word_frequency(word) + _SMOOTHING))

