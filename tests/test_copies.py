"""Copies of one text in several documents count once in a ranking (qa.retrieval.copies)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from qa.assistant import Assistant, build
from qa.config import Settings
from qa.retrieval.copies import collapse_copies, text_key
from qa.types import Passage

SHARED = (
    "The licensor grants you a worldwide, royalty-free licence to copy and share the work, "
    "provided you keep this notice and the names of the authors with every copy you share."
)


def _p(i: int, source: str, text: str) -> Passage:
    return Passage(i, source, 0, len(text), "", text)


def test_text_key_ignores_case_spacing_and_punctuation():
    assert text_key("Grant of\n   Licence.") == text_key("grant of licence")
    assert text_key("Grant of licence") != text_key("Grant of a licence")


def test_the_best_ranked_copy_stays_and_names_the_others():
    a, b, c = _p(0, "a.txt", SHARED), _p(1, "b.txt", SHARED.upper()), _p(2, "c.txt", "Other.")
    d = _p(3, "d.txt", " ".join(SHARED.split()))
    ranked = collapse_copies([(a, ()), (c, ()), (b, ()), (d, ()), (_p(4, "a.txt", SHARED), ())])
    assert [(p.source, also) for p, _, also in ranked] == [
        ("a.txt", ("b.txt", "d.txt")),  # a copy in its own document is dropped, not named
        ("c.txt", ()),
    ]


@pytest.fixture
def library(tmp_path, encoder_dir):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, month in (("first.md", "May"), ("second.md", "June")):
        text = f"# Terms\n\n## Fees\n\nFees are due in {month}.\n\n## Licence\n\n{SHARED}\n"
        (corpus / name).write_text(text, "utf-8")
    (corpus / "third.txt").write_text("Boats dock before sunset.\n\nNets are dried on the quay.\n", "utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", encoder_dir=encoder_dir)
    build(settings)
    return settings


def test_a_search_shows_one_copy_naming_the_other(library, capsys):
    assistant = Assistant.open(library, auto_build=False)
    hits = assistant.search("may I copy and share the work royalty-free?", k=5)
    texts = [" ".join(h.passage.text.split()) for h in hits]
    assert texts.count(SHARED) == 1
    top = hits[texts.index(SHARED)]
    other = {"first.md", "second.md"} - {top.passage.source}
    assert top.also_in == tuple(other) and top.to_dict()["also_in"] == list(other)
    assert all("also_in" not in h.to_dict() for h in hits if h is not top)
    assistant.retriever.config = replace(assistant.retriever.config, collapse_copies=False)
    hits = assistant.search("may I copy and share the work royalty-free?", k=5)
    assert [" ".join(h.passage.text.split()) for h in hits].count(SHARED) == 2
    assert all(not h.also_in for h in hits)


def test_the_cli_says_where_else_the_text_is(library, capsys, monkeypatch):
    from qa.cli import main

    monkeypatch.setenv("QA_CORPUS_DIR", str(library.corpus_dir))
    monkeypatch.setenv("QA_INDEX_DIR", str(library.index_dir))
    main(["search", "may I copy and share the work royalty-free?", "--json"])
    passages = json.loads(capsys.readouterr().out)["passages"]
    assert sum("also_in" in p for p in passages) == 1
    main(["search", "may I copy and share the work royalty-free?"])
    assert "same text also in: " in capsys.readouterr().out


def test_the_app_shows_where_else_the_text_is(library):
    from qa.web.views import search_html

    assistant = Assistant.open(library, auto_build=False)
    hits = assistant.search("may I copy and share the work royalty-free?", k=5)
    html = search_html("copy and share", hits, ["copi", "share"])
    assert html.count("same text also in") == 1
    assert any(f"same text also in {h.also_in[0]}" in html for h in hits if h.also_in)
