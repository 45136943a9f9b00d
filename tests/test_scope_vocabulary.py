"""A question asked within a few documents is read against their words (qa.query.vocabulary)."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from qa.assistant import Assistant
from qa.index.lexical import TermLists
from qa.query.vocabulary import Vocabularies
from tests.conftest import built_library


def test_the_vocabulary_of_some_passages_holds_their_terms_and_the_words_that_stem_to_them():
    term_ids = {"pier": 0, "ship": 1, "tax": 2, "dredg": 3}
    terms = TermLists.encode([["pier", "ship"], ["tax", "pier"], ["dredg"]], term_ids)
    words = ["piers", "ship", "taxes", "dredge", "the"]
    vectors = np.eye(5, dtype=np.float32)
    stems = {"piers": "pier", "ship": "ship", "taxes": "tax", "dredge": "dredg", "the": "the"}
    texts = ["Piers for ships.", "A pier tax.", "Dredge (per RFC5322)."]
    lexical = SimpleNamespace(  # what Vocabularies reads of a LexicalIndex
        vocab=frozenset(term_ids),
        matrix=SimpleNamespace(vocab=term_ids),
        passage_terms=terms,
        stems=lambda ws: [stems[w] for w in ws],
    )
    vocabularies = Vocabularies(lexical, words, vectors, texts.__getitem__)
    assert vocabularies.whole.stems == {"pier", "ship", "tax", "dredg"}
    first_and_last = vocabularies.within(np.array([0, 2]))
    assert first_and_last.stems == {"pier", "ship", "dredg"}
    assert first_and_last.words == ["piers", "ship", "dredge"]
    assert np.array_equal(first_and_last.vectors, vectors[[0, 1, 3]])
    second = vocabularies.within(np.array([1]))
    assert second.stems == {"tax", "pier"} and second.words == ["piers", "taxes"]
    assert vocabularies.within(np.array([], dtype=np.int64)).stems == frozenset()
    # a word the text says where BM25 keeps another term ("RFC5322") is no unseen word
    assert not first_and_last.unseen("rfc", "rfc") and first_and_last.unseen("tax", "tax")
    assert second.unseen("rfc", "rfc") and not second.unseen("taxes", "tax")
    assert vocabularies.whole.unseen("rfc", "rfc")  # the library's: judged by its terms


@pytest.fixture
def harbour_library(tmp_path, encoder_dir):
    docs = {
        "harbour_plan.txt": "Harbour Development Plan\n\nBuild a second pier for cargo ships. "
        "Dredge the channel every spring. The Harbour Development Authority runs the pier.\n",
        "annual_message.txt": "Annual Message to the Council\n\nOur harbour needs a second pier "
        "for cargo ships, and the pier taxes will pay for it. Taxes on moorings stay as they are. "
        "The Harbour Development Authority (HDA) will report to the Council.\n",
    }
    return built_library(tmp_path, docs, encoder_dir)


def test_a_word_only_other_documents_use_is_no_word_of_the_documents_asked(harbour_library):
    """ "taxes" is the speech's word: asked of the plan, it is a word the plan never uses, and
    the keyword question is declined as it would be in a library holding the plan alone."""
    assistant = Assistant.open(harbour_library, auto_build=False)
    question = "What does the plan say about taxes?"
    within = assistant.retrieve(question, k=3)
    assert {h.passage.source for h in within.hits} == {"harbour_plan.txt"}
    assert within.query.foreign_words == ("taxes",)
    answer = assistant.ask(question)
    assert answer.abstained and "'taxes'" in answer.reason
    # read against the whole library, the speech's word counts as a word of the documents
    settings = replace(
        harbour_library, retrieval=replace(harbour_library.retrieval, scope_vocabulary=False)
    )
    library_wide = Assistant.open(settings, auto_build=False)
    assert library_wide.retrieve(question, k=3).query.foreign_words == ()
    # the same holds for documents the user chooses, and a word they use is found
    chosen = assistant.retrieve("taxes", k=3, documents=["harbour_plan.txt"])
    assert chosen.query.foreign_words == ("taxes",)
    assert assistant.retrieve("taxes", k=3, documents=["annual_message.txt"]).hits
    assert (
        assistant.retrieve("taxes", k=3, documents=["annual_message.txt"]).query.term_coverage
        == 1.0
    )


def test_an_acronym_read_beside_its_spelling_is_no_unseen_word_of_documents_that_spell_it(
    harbour_library,
):
    """The speech writes "HDA", the plan only "Harbour Development Authority": asked of the
    plan, "HDA" is read beside its spelling, and the plan's words answer."""
    assistant = Assistant.open(harbour_library, auto_build=False)
    retrieval = assistant.retrieve("Does the plan mention the HDA?", k=3)
    assert "harbour development authority" in retrieval.signals.read_as["HDA"].lower()
    assert retrieval.query.foreign_words == ()
    assert not assistant.ask("Does the plan mention the HDA?").abstained
