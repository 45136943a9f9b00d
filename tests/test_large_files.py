"""Large index files are checked by size and sampled blocks and memory-mapped, not read whole
at start; the answers are those of an index read into memory."""

from __future__ import annotations

import json

import numpy as np
import pytest

from qa.config import Settings
from qa.errors import IndexMismatchError
from qa.index import writer
from qa.index.build import build_index
from qa.index.hash_embedder import HashEmbedder
from qa.index.store import MANIFEST, load_index
from qa.index.writer import save_index
from qa.ingest.corpus import load_corpus
from qa.retrieval.scorers import MaxSimScorer
from tests.conftest import write_corpus
from tests.test_late_interaction import TokenHash

DOCS = {
    f"d{i}.txt": "\n\n".join(
        f"Section {i}.{j}. The {w} board reviews permits within {j * 7} days of filing."
        for j, w in enumerate(["water", "road", "school", "port", "forest", "energy"], 1)
    )
    for i in range(5)
}


@pytest.fixture
def two_indexes(tmp_path, monkeypatch):
    """The same corpus saved with every file small (read whole) and with a tiny 'large' bound."""
    corpus = write_corpus(tmp_path / "corpus", DOCS)
    docs = load_corpus(corpus)
    out = {}
    for name, bound in (("whole", 1 << 40), ("mapped", 2000)):
        settings = Settings(corpus_dir=corpus, index_dir=tmp_path / name, use_e5=False)
        monkeypatch.setattr(writer, "WHOLE_CHECK_BYTES", bound)
        save_index(build_index(docs, settings, TokenHash(32)), settings.index_dir)
        out[name] = settings
    return docs, out


def test_large_files_are_memory_mapped_and_score_alike(two_indexes):
    docs, settings = two_indexes
    whole = load_index(settings["whole"].index_dir, docs)
    mapped = load_index(settings["mapped"].index_dir, docs)
    manifest = json.loads((settings["mapped"].index_dir / MANIFEST).read_text())
    assert "minilm-tokens.npy" in manifest["large_files"]
    assert isinstance(mapped.tokens, np.memmap) and not isinstance(whole.tokens, np.memmap)
    assert mapped.tokens.dtype == np.float16  # half the disk of float32
    q = TokenHash(32).encode_tokens(["which board reviews road permits?"])[0]
    from qa.retrieval.candidates import SentenceMap

    owner = np.array([s.passage for s in whole.sentences])
    some = SentenceMap(owner, len(whole.passages)).candidates(np.array([0, 3, 7]))
    a = MaxSimScorer(whole.tokens, whole.token_starts).score(q, some)
    b = MaxSimScorer(mapped.tokens, mapped.token_starts).score(q, some)
    assert np.allclose(a, b) and len(a) == 3


def test_a_truncated_large_file_is_refused(two_indexes):
    docs, settings = two_indexes
    path = settings["mapped"].index_dir / "minilm-tokens.npy"
    path.write_bytes(path.read_bytes()[:-4096])
    with pytest.raises(IndexMismatchError, match="size or sampled checksum"):
        load_index(settings["mapped"].index_dir, docs)


def test_a_changed_block_of_a_large_file_is_refused(two_indexes):
    docs, settings = two_indexes
    path = settings["mapped"].index_dir / "minilm-sentences.npy"
    data = bytearray(path.read_bytes())
    data[-10] ^= 0xFF  # the last block is always sampled
    path.write_bytes(bytes(data))
    with pytest.raises(IndexMismatchError, match="sampled checksum"):
        load_index(settings["mapped"].index_dir, docs)


def test_hash_embedder_index_has_no_large_files_by_default(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", DOCS)
    settings = Settings(corpus_dir=corpus, index_dir=tmp_path / "i", use_e5=False)
    save_index(build_index(load_corpus(corpus), settings, HashEmbedder(16)), settings.index_dir)
    assert json.loads((settings.index_dir / MANIFEST).read_text())["large_files"] == {}
