from __future__ import annotations

from pathlib import Path

import pytest

from qa.errors import CorpusError
from qa.ingest.corpus import (
    CorpusWarning,
    corpus_checksums,
    corpus_files,
    left_out_summary,
    load_corpus,
    read_corpus,
)
from tests.test_shared_drive import GBK_SAYS


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


def test_non_utf8_is_skipped_naming_file_and_byte(tmp_path):
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    (tmp_path / "bad.txt").write_bytes("会议纪要".encode("gbk"))
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["ok.txt"]
    assert [str(s) for s in corpus.skipped] == [f"bad.txt: skipped, {GBK_SAYS}"]


def test_only_unreadable_text_files_is_an_error_naming_them(tmp_path):
    (tmp_path / "bad.txt").write_bytes("会议纪要".encode("gbk"))
    with pytest.raises(CorpusError, match=r"could be read \(bad\.txt: skipped, not valid UTF-8"):
        load_corpus(tmp_path)


def test_other_kinds_are_left_out_and_counted(tmp_path):
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    (tmp_path / "budget.numbers").write_bytes(b"PK")
    (tmp_path / "pics").mkdir()
    for name in ("a.JPG", "b.jpg", "README"):
        (tmp_path / "pics" / name).write_bytes(b"\xff\xd8")
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["ok.txt"] and corpus.skipped == ()
    assert corpus.left_out == ("budget.numbers", "pics/README", "pics/a.JPG", "pics/b.jpg")
    assert left_out_summary(corpus.left_out) == (
        "4 file(s) of other kinds (.jpg 2, .numbers 1, no suffix 1; e.g. budget.numbers)"
    )
    assert corpus_files(tmp_path) == [tmp_path / "ok.txt"]


def test_a_folder_of_only_other_kinds_says_what_it_holds(tmp_path):
    (tmp_path / "budget.numbers").write_bytes(b"PK")
    with pytest.raises(
        CorpusError, match=r"has no documents .* it holds 1 file\(s\) of other kinds"
    ):
        load_corpus(tmp_path)


def test_office_lock_files_are_no_documents(tmp_path):
    (tmp_path / "report.docx").write_bytes(b"PK")  # unreadable here; only its lock matters
    (tmp_path / "~$report.docx").write_bytes(b"\x05Alice" + b"\x00" * 40)
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    corpus = read_corpus(tmp_path)
    assert "~$report.docx" not in {s.source for s in corpus.skipped} | set(corpus.left_out)
    assert all(not p.name.startswith("~$") for p in corpus_files(tmp_path))


def test_the_listing_passes_over_hidden_files_and_folders_and_enters_no_linked_folder(tmp_path):
    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    for folder in (corpus / "b" / "c", corpus / ".git" / "objects", elsewhere):
        folder.mkdir(parents=True)
    for path in (corpus / "z.txt", corpus / "b" / "a.txt", corpus / "b" / "c" / "d.md"):
        path.write_text("text", "utf-8")
    (corpus / ".notes.txt").write_text("hidden", "utf-8")
    (corpus / ".git" / "objects" / "x.txt").write_text("hidden", "utf-8")
    (elsewhere / "out.txt").write_text("outside", "utf-8")
    (corpus / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "b" / "same.txt").symlink_to(corpus / "z.txt")  # a linked file inside is read
    listed = [p.relative_to(corpus).as_posix() for p in corpus_files(corpus)]
    assert listed == ["b/a.txt", "b/c/d.md", "b/same.txt", "z.txt"]  # sorted as paths


def test_empty_file_is_skipped(tmp_path):
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    (tmp_path / "blank.txt").write_text("  \n\n", "utf-8")
    with pytest.warns(CorpusWarning, match="blank.txt: skipped, the file is empty"):
        documents = load_corpus(tmp_path)
    assert [d.source for d in documents] == ["ok.txt"]


def test_a_file_this_user_may_not_read_is_skipped(tmp_path, monkeypatch):
    (tmp_path / "ok.txt").write_text("fine", "utf-8")
    locked = tmp_path / "locked.txt"
    locked.write_text("secret", "utf-8")
    real = Path.read_bytes

    def read_bytes(self):
        if self.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)  # root may read any file: fake it
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["ok.txt"]
    assert [str(s) for s in corpus.skipped] == [
        "locked.txt: skipped, it could not be read (Permission denied); "
        "check that this user may read it"
    ]
    assert set(corpus.stats) == {"ok.txt", "locked.txt"}  # the next open need not read again


def test_checksums_change_with_text(tiny_corpus):
    before = corpus_checksums(load_corpus(tiny_corpus))
    (tiny_corpus / "beta.md").write_text("changed", "utf-8")
    after = corpus_checksums(load_corpus(tiny_corpus))
    assert before["alpha.txt"] == after["alpha.txt"]
    assert before["beta.md"] != after["beta.md"]
