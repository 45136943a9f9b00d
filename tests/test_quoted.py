"""A phrase the question puts in quotation marks ('What does "Modified Works" mean?') is read
as that exact phrase: the passage that holds it outranks one that only shares the question's
other words (here the document's title, which the question also names)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.query.quoted import normalised, quoted_phrases
from qa.retrieval.candidates import SentenceMap
from qa.retrieval.scorers import QuotedPhrases
from tests.conftest import built_library

OTHER = Path(__file__).resolve().parents[1] / "eval" / "other" / "corpus"


@pytest.mark.parametrize(
    ("question", "phrases"),
    [
        ('What does "Modified  Works" mean?', ("modified works",)),
        ("What is the “Source Code Form”?", ("source code form",)),
        ("Is a 'Contribution' also a ‘Work’?", ("contribution", "work")),
        ('«droit d’auteur» et "droit d’auteur"', ("droit d’auteur",)),  # once
        ("Don't I need the licensee's notice?", ()),  # apostrophes quote nothing
        ('What does "" or "!?" mean?', ()),  # nothing to match
        ("What does Share mean?", ()),
    ],
)
def test_quoted_phrases(question, phrases):
    assert quoted_phrases(question) == phrases


def test_a_quoted_phrase_is_matched_in_any_case_across_wrapped_lines():
    texts = ['"Modified\n   Works" shall mean any work ...', "Works of art.", "MODIFIED WORKS."]
    scorer = QuotedPhrases(lambda i: texts[i])
    candidates = SentenceMap(np.arange(3), 3).all()
    assert scorer.score(("modified works",), candidates).tolist() == [1.0, 0.0, 1.0]
    both = scorer.score(("modified works", "works of art"), candidates)
    assert both.tolist() == [0.5, 0.5, 0.5]
    assert scorer.score((), candidates).tolist() == [0.0, 0.0, 0.0]
    assert normalised("  A\tB\n C ") == "a b c"


def test_the_passage_holding_the_quoted_term_ranks_first(tmp_path, encoder_dir):
    names = ("epl_2_0.txt", "apache_2_0.txt", "mpl_2_0.txt", "cc_by_4_0.txt")
    docs = {name: (OTHER / name).read_text(encoding="utf-8") for name in names}
    assistant = Assistant.open(built_library(tmp_path, docs, encoder_dir), auto_build=False)
    question = 'What does "Modified Works" mean in the Eclipse Public License?'
    first = assistant.search(question, k=3)[0].passage
    assert first.source == "epl_2_0.txt" and '"Modified Works" shall mean' in first.text
    # the ablation: without it the licence's opening lines, which repeat its title, come first
    assistant.retriever.config = replace(assistant.retriever.config, quoted_weight=0.0)
    without = assistant.search(question, k=3)[0].passage
    assert "Modified Works" not in without.text and "ECLIPSE" in without.text
