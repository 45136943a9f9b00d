from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import IndexMismatchError
from qa.index import lexical
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.lexical import LexicalIndex, bm25_text
from qa.index.store import MANIFEST, index_status, load_index
from qa.index.writer import save_index
from qa.ingest.chunking import chunk_corpus
from qa.ingest.corpus import load_corpus
from tests.conftest import PLAN, REPO

PLAN_QUESTIONS = [
    "patent examination highway",
    "What does the document say about loans to small and micro enterprises?",
    "trade secrets protection",
    "intellectual property intellectual property",  # a term twice counts twice
    "zzzunknown",
    "",
]


class Reference:
    """BM25 exactly as the retriever built it at every start, before it was saved."""

    def __init__(self, passages):
        import bm25s
        import Stemmer

        self.stemmer = Stemmer.Stemmer("english")
        texts = [bm25_text(p) for p in passages]
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.bm25 = bm25s.BM25()
        self.bm25.index(tokens, show_progress=False)
        self.vocab = set(tokens.vocab)
        word_of = {i: w for w, i in tokens.vocab.items()}
        self.words = [[word_of[i] for i in ids] for ids in tokens.ids]
        self.n = len(passages)

    def terms(self, text: str) -> list[str]:
        import bm25s

        return bm25s.tokenize(
            [text], stopwords="en", stemmer=self.stemmer, show_progress=False, return_ids=False
        )[0]

    def scores(self, terms: list[str]) -> np.ndarray:
        known = [t for t in terms if t in self.vocab]
        return self.bm25.get_scores(known) if known else np.zeros(self.n)


@pytest.fixture(scope="module")
def plan_passages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plan")
    (folder / PLAN.name).write_bytes(PLAN.read_bytes())
    return chunk_corpus(load_corpus(folder), Settings().chunking)


@pytest.fixture
def tiny_passages(tiny_corpus):
    return chunk_corpus(load_corpus(tiny_corpus), Settings().chunking)


def assert_same_model(a: LexicalIndex, b: LexicalIndex, questions: list[str]) -> None:
    assert a.vocab == b.vocab and a.passage_terms == b.passage_terms
    for q in questions:
        terms = a.tokenize([q])[0]
        np.testing.assert_array_equal(a.scores(terms), b.scores(terms))


def test_scores_are_identical_to_the_retrievers_bm25_on_the_plan(plan_passages, tmp_path):
    ref = Reference(plan_passages)
    lex = LexicalIndex.build(plan_passages)
    assert lex.vocab == frozenset(ref.vocab)
    assert lex.passage_terms == ref.words
    for q in PLAN_QUESTIONS:
        terms = ref.terms(q)
        assert lex.tokenize([q])[0] == terms
        np.testing.assert_array_equal(lex.scores(terms), ref.scores(terms))
    assert lex.scores(ref.terms("loans")).max() > 0
    lex.save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    assert_same_model(loaded, lex, PLAN_QUESTIONS)
    for q in PLAN_QUESTIONS:
        np.testing.assert_array_equal(loaded.scores(ref.terms(q)), ref.scores(ref.terms(q)))


@pytest.mark.parametrize(
    "question", ["wheat harvest", "goats' milk", "", "?", "façade 港口", "the"]
)
def test_round_trip_gives_identical_scores(tiny_passages, tmp_path, question):
    lex = LexicalIndex.build(tiny_passages)
    written = lex.save(tmp_path / "bm25")
    assert set(written) == set(lexical.FILES)
    assert sorted(p.name for p in (tmp_path / "bm25").iterdir()) == sorted(lexical.FILES)
    assert_same_model(LexicalIndex.load(tmp_path / "bm25"), lex, [question])
    assert_same_model(LexicalIndex.from_files(written), lex, [question])


def test_unknown_terms_are_ignored(tiny_passages):
    lex = LexicalIndex.build(tiny_passages)
    n = len(tiny_passages)
    np.testing.assert_array_equal(lex.scores([]), np.zeros(n))
    np.testing.assert_array_equal(lex.scores(["zzz", "qqq"]), np.zeros(n))
    assert "" in lex.vocab  # bm25s's empty-passage term scores nothing (bm25s itself raised)
    np.testing.assert_array_equal(lex.scores([""]), np.zeros(n))
    wheat = lex.scores([lex.stem("wheat")])
    np.testing.assert_array_equal(lex.scores(["zzz", lex.stem("wheat"), "qqq"]), wheat)
    best = tiny_passages[int(wheat.argmax())]
    assert "wheat" in best.text.lower() and lex.stem("wheat") in lex.passage_terms[best.id]


def test_stem_and_tokenize():
    lex = LexicalIndex.build(_one_passage("Loans for enterprises."))
    assert lex.stem("loans") == "loan" and lex.stem("enterprises") == lex.stem("enterprise")
    assert lex.tokenize(["The loans of the enterprises", ""]) == [["loan", "enterpris"], []]
    assert lex.vocab == {"loan", "enterpris", ""}  # bm25s indexes "" for empty passages
    assert lex.passage_terms == [["loan", "enterpris"]]


def test_no_pickle_in_the_saved_files(tiny_passages, tmp_path):
    files = LexicalIndex.build(tiny_passages).save(tmp_path)
    for name, data in files.items():
        if name.endswith(".npy"):
            np.load(tmp_path / name, allow_pickle=False)  # raises on an object array
        else:
            json.loads(data)


def _one_passage(text: str):
    from qa.types import Passage

    return [Passage(id=0, source="a.txt", start=0, end=len(text), section="", text=text)]


# ---------------------------------------------------------------------------- with the index


@pytest.fixture
def saved(tmp_path, tiny_corpus):
    settings = Settings(corpus_dir=tiny_corpus, index_dir=tmp_path / "index", use_e5=False)
    docs = load_corpus(tiny_corpus)
    index = build_index(docs, settings, HashEmbedder(64))
    save_index(index, settings.index_dir)
    return settings, docs, index


def test_index_saves_and_checksums_the_bm25_files(saved):
    settings, docs, index = saved
    manifest = json.loads((settings.index_dir / MANIFEST).read_text())
    assert set(lexical.FILES) <= set(manifest["files"])
    loaded = load_index(settings.index_dir, docs)
    assert_same_model(loaded.lexical, index.lexical, ["wheat harvest", "harbour licence", ""])
    assert_same_model(index.lexical, LexicalIndex.build(index.passages), ["dry barns"])


@pytest.mark.parametrize("name", ["minilm-sentences.npy", *lexical.FILES])
def test_tampered_bm25_file_is_treated_like_a_tampered_vectors_file(saved, name):
    settings, docs, _ = saved
    path = settings.index_dir / name
    path.write_bytes(path.read_bytes()[:-8] + b"tampered")
    with pytest.raises(IndexMismatchError, match="checksum"):
        load_index(settings.index_dir, docs)
    assert index_status(settings, docs).state == "fresh"  # manifest ok; load checks files
    path.unlink()
    with pytest.raises(IndexMismatchError, match="missing"):
        load_index(settings.index_dir, docs)


@pytest.mark.parametrize("name", lexical.FILES)
def test_bm25_file_left_out_of_the_manifest_is_detected(saved, name):
    settings, docs, _ = saved
    path = settings.index_dir / MANIFEST
    manifest = json.loads(path.read_text())
    del manifest["files"][name]
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="lacks"):
        load_index(settings.index_dir, docs)


def test_index_of_the_previous_format_is_stale(saved):
    settings, docs, _ = saved
    path = settings.index_dir / MANIFEST
    manifest = json.loads(path.read_text())
    manifest["format"] = "qa-index v1"
    path.write_text(json.dumps(manifest))
    status = index_status(settings, docs)
    assert status.state == "stale" and "BM25" in status.reason
    with pytest.raises(IndexMismatchError, match="format"):
        load_index(settings.index_dir, docs)


# ------------------------------------------------- answering without bm25s (qa.index.bm25_matrix)

OTHER_DOCUMENTS = sorted((REPO / "eval" / "other" / "corpus").glob("*.txt"))


def test_texts_are_split_into_terms_as_bm25s_splits_them():
    import bm25s

    texts = [p for path in OTHER_DOCUMENTS for p in path.read_text().split("\n\n")]
    texts += ["", "?", "a", "x1 y_2 __init__ 3.14 don't l'été Übung 港口 ＡＢＣ", "The the THE"]
    assert len(texts) > 1000
    stemmer = lexical._stemmer()
    expected = bm25s.tokenize(
        texts, stopwords="en", stemmer=stemmer, show_progress=False, return_ids=False
    )
    assert lexical.tokenize(texts, stemmer) == expected
    assert lexical.tokenize("The loans", stemmer) == [["loan"]]  # one text, as bm25s takes it


def test_stopword_lists_are_bm25s_own():
    from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_EN_PLUS

    from qa.ingest.stopword_lists import bm25s_stopwords

    assert bm25s_stopwords("STOPWORDS_EN") == tuple(STOPWORDS_EN)
    assert bm25s_stopwords("STOPWORDS_EN_PLUS") == tuple(STOPWORDS_EN_PLUS)


def test_scores_are_bm25s_scores_on_other_documents(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in OTHER_DOCUMENTS[:4]:
        (folder / path.name).write_bytes(path.read_bytes())
    passages = chunk_corpus(load_corpus(folder), Settings().chunking)
    ref = Reference(passages)
    lex = LexicalIndex.from_files(LexicalIndex.build(passages).files())
    questions = ["patent licence termination", "warranty disclaimer AS IS", "licence licence"]
    for q in questions + ["Who may distribute the Work in Source or Object form?"]:
        terms = ref.terms(q)
        assert lex.tokenize([q])[0] == terms
        np.testing.assert_array_equal(lex.scores(terms), ref.scores(terms))
    assert lex.scores(ref.terms("warranty")).max() > 0


def test_a_loaded_model_writes_back_the_files_it_was_read_from(tiny_passages, tmp_path):
    written = LexicalIndex.build(tiny_passages).save(tmp_path)
    loaded = LexicalIndex.load(tmp_path)
    LexicalIndex.build(_one_passage("Another model in the same folder.")).save(tmp_path)
    assert loaded.files() == written  # what it holds, not what the folder holds by now
    grown = loaded.extended(_one_passage("Wheat and goats."))
    assert len(grown) == len(tiny_passages) + 1
    assert grown.scores([grown.stem("goats")])[-1] > 0


def test_a_model_scored_otherwise_is_refused(tiny_passages):
    files = LexicalIndex.build(tiny_passages).files()
    params = json.loads(files["bm25-params.index.json"])
    files["bm25-params.index.json"] = json.dumps({**params, "method": "bm25l"}).encode()
    with pytest.raises(ValueError, match="bm25l"):
        LexicalIndex.from_files(files)


def test_a_matrix_that_does_not_fit_its_vocabulary_is_refused(tiny_passages):
    from qa.index.bm25_matrix import Bm25Matrix

    m = LexicalIndex.build(tiny_passages).matrix
    with pytest.raises(ValueError, match="columns"):
        Bm25Matrix(m.data, m.indices, m.indptr[:-1], m.vocab, m.passages)
    with pytest.raises(ValueError, match="cover"):
        Bm25Matrix(m.data[:-1], m.indices[:-1], m.indptr, m.vocab, m.passages)
    backwards = m.indptr.copy()
    backwards[1], backwards[2] = backwards[2], backwards[1]
    with pytest.raises(ValueError, match="cover"):
        Bm25Matrix(m.data, m.indices, backwards, m.vocab, m.passages)
    with pytest.raises(ValueError, match="outside"):
        Bm25Matrix(m.data, m.indices, m.indptr, m.vocab, m.passages - 1)
    first, second = list(m.vocab)[:2]
    for vocab in ({**m.vocab, second: m.vocab[first]}, {**m.vocab, first: -1}):
        with pytest.raises(ValueError, match="number"):
            Bm25Matrix(m.data, m.indices, m.indptr, vocab, m.passages)


def test_answering_never_imports_bm25s(tiny_passages, tmp_path):
    LexicalIndex.build(tiny_passages).save(tmp_path)
    code = (
        "import sys\n"
        "from qa.index.lexical import LexicalIndex\n"
        "from qa.ingest.words import stopwords\n"
        "from qa.answering.subject import function_words\n"
        f"lex = LexicalIndex.load({str(tmp_path)!r})\n"
        "assert lex.scores(lex.tokenize(['wheat harvest'])[0]).max() > 0\n"
        "assert 'the' in stopwords() and 'under' in function_words()\n"
        "bad = [m for m in ('bm25s', 'scipy') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


@pytest.mark.parametrize("shape", ["plan", "uneven"])
def test_the_array_builder_gives_bm25s_own_matrix(shape, plan_passages):
    """qa.index.bm25_build computes over whole arrays what bm25s computes passage by passage:
    the same float32 scores at the same places, and the same model saved."""
    import bm25s

    from qa.index.bm25_build import FlatTermIds, indexed_model

    if shape == "plan":
        rows = LexicalIndex.build(plan_passages).passage_terms
        vocab_words = sorted({w for row in rows for w in row})
        vocab = {w: i for i, w in enumerate(vocab_words)}
        ids = [[vocab[w] for w in row] for row in rows]
    else:  # empty passages, one very long, a term repeated, terms used by no passage
        rng = np.random.default_rng(5)
        ids = [rng.integers(0, 40, int(n)).tolist() for n in rng.integers(0, 9, 60)]
        ids[3], ids[7], ids[8] = [], [2] * 50, list(range(40))
        vocab = {f"w{i}": i for i in range(45)}
    reference = bm25s.BM25()
    reference.index(bm25s.tokenization.Tokenized(ids=ids, vocab=dict(vocab)), show_progress=False)
    starts = np.concatenate([[0], np.cumsum([len(r) for r in ids])]).astype(np.int64)
    flat = np.array([t for r in ids for t in r], np.int64)
    ours = indexed_model(FlatTermIds(flat, starts), dict(vocab))
    assert ours.vocab_dict == reference.vocab_dict
    for part in ("data", "indices", "indptr"):
        np.testing.assert_array_equal(ours.scores[part], reference.scores[part])
        assert ours.scores[part].dtype == reference.scores[part].dtype
    assert ours.scores["num_docs"] == reference.scores["num_docs"] == len(ids)


def test_an_extended_model_is_the_model_built_at_once(plan_passages):
    """Adding passages reuses the held terms; the statistics are those of building all at once."""
    half = len(plan_passages) // 2
    grown = LexicalIndex.build(plan_passages[:half]).extended(plan_passages[half:])
    whole = LexicalIndex.build(plan_passages)
    assert grown.vocab == whole.vocab and list(grown.passage_terms) == list(whole.passage_terms)
    for question in PLAN_QUESTIONS:
        terms = whole.tokenize([question])[0]
        np.testing.assert_allclose(grown.scores(terms), whole.scores(terms), rtol=1e-6)
