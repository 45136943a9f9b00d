from __future__ import annotations

import json

import numpy as np
import pytest

from qa.index.embedding import TOKENIZER_FILE
from qa.index.hash_embedder import HashEmbedder
from qa.index.onnx_minilm import load_minilm
from qa.index.word_table import VECTORS_FILE, WORDS_FILE, WordTable, build_word_table, common_words


class CountingEncoder:
    """HashEmbedder vectors, counting the words it was asked to encode."""

    def __init__(self) -> None:
        self.embedder = HashEmbedder(16)
        self.asked: list[str] = []

    def __call__(self, words: list[str]) -> np.ndarray:
        self.asked += words
        return self.embedder.encode_queries(words)


def test_common_words_are_the_whole_words_of_the_vocabulary(tmp_path):
    path = tmp_path / "tokenizer.json"
    vocab = {"[CLS]": 0, "##ing": 1, "of": 2, "patent": 3, "2014": 4, "pledge": 5, "café": 6}
    path.write_text(json.dumps({"model": {"vocab": vocab}}), "utf-8")
    assert common_words(path) == ["patent", "pledge"]


def test_table_round_trip_serves_known_words_and_encodes_the_rest_once(tmp_path):
    build = CountingEncoder()
    build_word_table(build, ["grain", "wheat"], tmp_path)
    query = CountingEncoder()
    table = WordTable.load(tmp_path, query, 16)
    assert len(table) == 2
    got = table.vectors(["wheat", "barley", "grain", "barley"])
    want = HashEmbedder(16).encode_queries(["wheat", "barley", "grain", "barley"])
    np.testing.assert_allclose(got, want, atol=2e-3)  # the table stores float16
    assert query.asked == ["barley"]  # one call for the unknown word, none for the known
    table.vectors(["barley"])
    assert query.asked == ["barley"]  # remembered


@pytest.mark.parametrize("damage", ["missing", "truncated", "wrong shape"])
def test_a_damaged_table_falls_back_to_the_encoder(tmp_path, damage):
    build_word_table(CountingEncoder(), ["grain", "wheat"], tmp_path)
    if damage == "missing":
        (tmp_path / VECTORS_FILE).unlink()
    elif damage == "truncated":
        (tmp_path / WORDS_FILE).write_text('["grain", "wh', "utf-8")
    else:
        (tmp_path / WORDS_FILE).write_text('["grain"]', "utf-8")
    query = CountingEncoder()
    table = WordTable.load(tmp_path, query, 16)
    assert len(table) == 0
    np.testing.assert_allclose(
        table.vectors(["wheat"]), HashEmbedder(16).encode_queries(["wheat"]), atol=1e-6
    )
    assert query.asked == ["wheat"]


def test_real_table_agrees_with_the_encoder_and_keeps_expansions(plan_assistant, encoder_dir):
    """The table beside the ONNX export gives MiniLM's own vectors, so retrieval is unchanged."""
    minilm = load_minilm(encoder_dir)
    table = WordTable.load(encoder_dir, minilm.encode_queries, minilm.dim)
    assert len(table) == len(common_words(encoder_dir / TOKENIZER_FILE)) > 15000
    words = ["collateral", "oversee", "startups", "knockoffs", "lenders", "yardstick"]
    cos = np.sum(table.vectors(words) * minilm.encode_queries(words), axis=1)
    assert cos.min() > 0.999
    reader, config = plan_assistant.retriever.reader, plan_assistant.retriever.config
    for question in ["Who will oversee patent agents?", "Can startups use patents as collateral?"]:
        unseen = reader.unseen_words(question)
        assert unseen
        assert reader.expansions(unseen, table.vectors(unseen), config) == reader.expansions(
            unseen, minilm.encode_queries(unseen), config
        )
