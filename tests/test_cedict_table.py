"""CC-CEDICT as a SQLite table beside the encoder (qa.query.cedict_table): it reads as the parsed
dictionary does, is written once by a build, and a stale or damaged table is ignored."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import qa.query.cedict_table as table_module
from qa.query.cedict_table import TABLE_FILE, stored_dictionary, write_table
from qa.query.chinese_dictionary import ChineseDictionary, bundled_dictionary
from tests.test_chinese_dictionary import SAMPLE

QUESTIONS = ("海关的知识产权保险会", "如何支持小微企业的知识产权质押贷款？", "行业自律", "no Chinese")


def test_the_table_reads_as_the_parsed_dictionary(tmp_path):
    parsed = ChineseDictionary.from_cedict_text(SAMPLE)
    assert write_table(tmp_path / TABLE_FILE, parsed, "stamp-1")
    stored = table_module._opened(tmp_path / TABLE_FILE, "stamp-1")
    assert stored.longest == parsed.longest and len(stored.entries) == len(parsed.entries)
    for text in QUESTIONS:
        assert stored.segment(text) == parsed.segment(text)
        assert stored.readings(text) == parsed.readings(text)
    assert stored.senses("海關") == ("customs",) and "不在" not in stored.entries
    assert table_module._opened(tmp_path / TABLE_FILE, "another dictionary") is None


def test_a_build_writes_the_table_once_and_questions_read_it(tmp_path, monkeypatch):
    assert stored_dictionary(tmp_path) is None  # no table, and not asked to build one
    stored = stored_dictionary(tmp_path, build=True)
    written = (tmp_path / TABLE_FILE).stat().st_mtime_ns
    parsed = bundled_dictionary()
    for text in QUESTIONS:
        assert stored.english_words(text) == parsed.english_words(text)
    assert stored_dictionary(tmp_path, build=True) is not None
    assert (tmp_path / TABLE_FILE).stat().st_mtime_ns == written  # not written again
    # another version of the dictionary package: the table is stale, ignored, then rebuilt
    monkeypatch.setattr(table_module, "source_stamp", lambda: "a newer dictionary")
    assert stored_dictionary(tmp_path) is None
    assert stored_dictionary(tmp_path, build=True) is not None


def test_a_damaged_table_is_ignored(tmp_path):
    (tmp_path / TABLE_FILE).write_bytes(b"not a database")
    assert stored_dictionary(tmp_path) is None


def test_threads_read_the_table_each_with_its_own_connection(tmp_path):
    write_table(tmp_path / TABLE_FILE, ChineseDictionary.from_cedict_text(SAMPLE), "s")
    stored = table_module._opened(tmp_path / TABLE_FILE, "s")
    with ThreadPoolExecutor(4) as pool:  # an error in a thread is raised here
        got = list(pool.map(lambda _: stored.senses("保险"), range(8)))
    assert got == [("insurance", "to be insured")] * 8


def test_an_assistant_reads_chinese_from_the_table(plan_settings):
    from qa.assistant import Assistant

    assert (plan_settings.encoder_path / TABLE_FILE).is_file()  # written by the session's build
    assistant = Assistant.open(plan_settings, auto_build=False)
    dictionary = assistant.retriever.reader._dictionary()
    assert isinstance(dictionary.entries, table_module.TableEntries)
    hits = assistant.search("如何支持小微企业的知识产权质押贷款？", k=3)
    assert any("pledge" in h.passage.text for h in hits)


def test_asking_never_writes_the_table(tiny_settings):
    """Only `qa index` writes it: an ask on a folder without one (read-only, or built before
    the table existed) parses the dictionary as before and writes nothing."""
    from qa.assistant import Assistant, build

    build(tiny_settings)
    table = tiny_settings.encoder_path / TABLE_FILE
    assert table.is_file()
    table.unlink()
    assistant = Assistant.open(tiny_settings)  # fresh: nothing to build
    assert not isinstance(assistant.retriever.reader._dictionary().entries, table_module.TableEntries)
    assert not table.exists()
    build(tiny_settings)  # an up-to-date `qa index` puts it back
    assert table.is_file()
