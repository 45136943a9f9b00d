"""The English word list answers as pyspellchecker's own SpellChecker does, read by binary search."""

from __future__ import annotations

import gzip
import json
import pkgutil

import pytest

from qa.query.english import WordList, _english, is_english_word, word_frequency


@pytest.fixture(scope="module")
def packaged() -> dict[str, int]:
    return json.loads(gzip.decompress(pkgutil.get_data("spellchecker", "resources/en.json.gz")))


def test_every_word_of_the_packaged_list_is_found_with_its_frequency(packaged):
    words = _english()
    assert words._whole is None  # the binary search, not a whole read
    assert all(words.frequency(w) == n for w, n in packaged.items())
    assert all(words.frequency(w.upper()) == n for w, n in list(packaged.items())[::997])


def test_words_not_in_the_list_are_not_english(packaged):
    for word in ["smes", "zzzz", "aaa'", "qqq", "\u00fcber-x", "a" * 40]:
        assert word not in packaged
        assert not is_english_word(word)
        assert word_frequency(word) == 0
    assert is_english_word("Vases") and is_english_word("ZÜRICH")
    assert word_frequency("version") > word_frequency("mozilla") > 0


def test_agrees_with_spellchecker_on_question_words():
    from spellchecker import SpellChecker

    checker = SpellChecker(language="en", distance=1)
    words = "How are SMEs supported in pledge loans unprotected vases Zürich IP fairs".split()
    for word in words:
        assert is_english_word(word) == (word in checker)


@pytest.mark.parametrize(
    "text",
    [
        json.dumps({"b": 2, "a": 1, "C": 3}, indent=0),  # not sorted
        json.dumps({"a": 1, "b": 2, "C": 1, "c": 2}),  # "C" and "c": one word, as SpellChecker
        json.dumps({"a": 1, "b": 2, "c": 3}),  # one line
        json.dumps({"a": 1, "b": 2, "c": 3}, indent=2),  # indented
        '{\n"a": 1,\n"b\\u00e9": 2,\n"c": 3\n}',  # an escape: read by json
    ],
)
def test_a_list_in_another_layout_is_read_whole(text):
    words = WordList(text.encode())
    assert words.frequency("a") == 1 and words.frequency("C") == 3
    assert words.frequency("d") == 0
    if "u00e9" in text:
        assert words.frequency("b\u00e9") == 2


def test_a_sorted_list_one_word_per_line_is_searched():
    data = (
        "{\n"
        + ",\n".join(f'"{w}": {n}' for n, w in enumerate(sorted(["x", "ab", "abc", "m\u00fc"]), 1))
        + "\n}"
    )
    words = WordList(data.encode())
    assert words._whole is None
    assert [words.frequency(w) for w in ["ab", "abc", "m\u00fc", "x", "a", "abd", "z"]] == [
        1,
        2,
        3,
        4,
        0,
        0,
        0,
    ]
