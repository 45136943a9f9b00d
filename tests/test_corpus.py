from __future__ import annotations

import pytest

from qa.errors import CorpusError
from qa.ingest.corpus import corpus_checksums, load_corpus


def test_reads_txt_and_md_exactly(tiny_corpus):
    docs = load_corpus(tiny_corpus)
    assert [d.source for d in docs] == ["alpha.txt", "beta.md"]
    assert docs[0].text == (tiny_corpus / "alpha.txt").read_text("utf-8")


def test_nested_sources_are_relative_posix_paths(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "doc.txt").write_text("Some text here.", "utf-8")
    (tmp_path / ".hidden.txt").write_text("skip me", "utf-8")
    assert [d.source for d in load_corpus(tmp_path)] == ["sub/doc.txt"]


def test_missing_folder(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        load_corpus(tmp_path / "nope")


def test_empty_folder(tmp_path):
    with pytest.raises(CorpusError, match=r"has no documents \(\.txt, \.md, \.pdf, \.docx"):
        load_corpus(tmp_path)


def test_non_utf8_names_file_and_byte(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"caf\xe9 au lait")
    with pytest.raises(CorpusError, match=r"bad\.txt: not valid UTF-8 \(byte 3"):
        load_corpus(tmp_path)


def test_other_extension_is_an_error_naming_the_file(tmp_path):
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    (tmp_path / "slides.pptx").write_bytes(b"PK")
    with pytest.raises(CorpusError, match=r"slides\.pptx: only \.txt, \.md, \.pdf, .* can be"):
        load_corpus(tmp_path)


def test_empty_file_is_an_error(tmp_path):
    (tmp_path / "blank.txt").write_text("  \n\n", "utf-8")
    with pytest.raises(CorpusError, match="blank.txt: the file is empty"):
        load_corpus(tmp_path)


def test_checksums_change_with_text(tiny_corpus):
    before = corpus_checksums(load_corpus(tiny_corpus))
    (tiny_corpus / "beta.md").write_text("changed", "utf-8")
    after = corpus_checksums(load_corpus(tiny_corpus))
    assert before["alpha.txt"] == after["alpha.txt"]
    assert before["beta.md"] != after["beta.md"]
