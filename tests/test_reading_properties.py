"""Acronym and typo reading on arbitrary questions: it never breaks a question or a citation."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from qa.errors import EmptyQueryError
from qa.query.acronyms import AcronymReader

TEXT = (
    "Support small and micro enterprises. Fund research & development. Reform state-owned "
    "enterprises. Protect intellectual property. Use intellectual property. Manage intellectual "
    "property well."
)
# Questions made of acronym-like tokens, words, "&", apostrophes and punctuation.
_token = st.one_of(
    st.from_regex(r"[A-Z]{1,7}s?", fullmatch=True),
    st.from_regex(r"[a-z]{1,9}", fullmatch=True),
    st.from_regex(r"[A-Za-z]&[A-Za-z]", fullmatch=True),
    st.sampled_from(["SMEs", "SME's", "SMES", "R&D", "ipr", "IP", "&", "?", ",", "'s", "和"]),
)
_question = st.lists(_token, min_size=1, max_size=12).map(" ".join)

_reader = AcronymReader.from_texts([TEXT])


@settings(max_examples=300, deadline=None)
@given(_question)
def test_expand_replaces_only_what_it_reports(question):
    read, how = _reader.expand(question)
    for short, long in how.items():
        assert short in question
        assert long == long.lower() and long.split()[0][0] == short[0].lower()
    if not how:
        assert read == question


@settings(max_examples=40, deadline=None)
@given(_question)
def test_ask_keeps_citations_verbatim_whatever_the_question(plan_assistant, question):
    if not re.search(r"[^\W_]", question):  # "& ?": a clear error, not a search
        with pytest.raises(EmptyQueryError):
            plan_assistant.ask(question)
        return
    ans = plan_assistant.ask(question)
    texts = {d.source: d.text for d in plan_assistant.documents}
    for short in ans.signals.read_as or {}:
        assert short in question
    for q in ans.quotes:
        assert texts[q.source][q.start : q.end] == q.text
    for h in ans.hits:
        assert texts[h.passage.source][h.passage.start : h.passage.end] == h.passage.text
