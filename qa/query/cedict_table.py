"""CC-CEDICT as a SQLite table beside the encoder, so a process's first Chinese question does not
parse the whole dictionary.

A Chinese question looks up a few hundred substrings among 190,000 headwords. Parsing the
dictionary for them took 0.3 s of a cold Chinese `qa ask` (1.65 s in a 20 MB library, whose
target is 1.5 s). An index build writes the parsed entries once, into ``cedict.sqlite`` in the
encoder folder (every `qa index` checks it is there, in a millisecond when it is), and later
processes open it and read only the rows they look up; without it they parse as before. The table is
stamped with the size and modification time of the installed dictionary file. A table of another
dictionary, or one that cannot be read, is ignored, and the dictionary is parsed as before.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path

from qa.query.chinese_dictionary import ChineseDictionary, bundled_dictionary, cedict_path

TABLE_FILE = "cedict.sqlite"


class TableEntries(Mapping[str, str]):
    """The headword -> senses rows of a table file, read as they are looked up (one read-only
    connection per thread: the app answers on several)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
            self._local.db = db
        return db

    def get(self, word: str, default=None):
        row = self._db().execute("SELECT senses FROM entries WHERE word = ?", (word,)).fetchone()
        return row[0] if row else default

    def __getitem__(self, word: str) -> str:
        senses = self.get(word)
        if senses is None:
            raise KeyError(word)
        return senses

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and self.get(word) is not None

    def __iter__(self) -> Iterator[str]:
        return (word for (word,) in self._db().execute("SELECT word FROM entries"))

    def __len__(self) -> int:
        return self._db().execute("SELECT count(*) FROM entries").fetchone()[0]


def source_stamp() -> str | None:
    """Which dictionary file the installed package has: its size and modification time."""
    path = cedict_path()
    if path is None:
        return None
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def stored_dictionary(folder: Path, build: bool = False) -> ChineseDictionary | None:
    """The dictionary from ``folder``'s table when it matches the installed dictionary; with
    ``build``, the table is written first when it is missing or stale (an index build does this).
    None when there is no table to read: the reader then parses the dictionary itself."""
    stamp = source_stamp()
    if stamp is None:
        return None
    path = Path(folder) / TABLE_FILE
    found = _opened(path, stamp)
    if found is None and build:
        dictionary = bundled_dictionary()
        if dictionary is not None and write_table(path, dictionary, stamp):
            found = _opened(path, stamp)
    return found


def write_table(path: Path, dictionary: ChineseDictionary, stamp: str) -> bool:
    """Write the table atomically (a temp file renamed in); False when the folder refuses it
    (a read-only shared encoder folder: questions parse the dictionary instead)."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        os.close(fd)
        tmp = Path(name)
        with contextlib.closing(sqlite3.connect(tmp)) as db:
            db.execute("CREATE TABLE entries (word TEXT PRIMARY KEY, senses TEXT) WITHOUT ROWID")
            db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
            db.executemany("INSERT INTO entries VALUES (?, ?)", dictionary.entries.items())
            meta = {"stamp": stamp, "longest": str(dictionary.longest)}
            db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
            db.commit()
        os.replace(tmp, path)
        return True
    except (OSError, sqlite3.Error) as e:
        warnings.warn(f"could not write {path} ({e}); Chinese questions parse CC-CEDICT", stacklevel=2)
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        return False


def _opened(path: Path, stamp: str) -> ChineseDictionary | None:
    if not path.is_file():
        return None
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("stamp") != stamp:
            return None
        return ChineseDictionary(TableEntries(path), int(meta["longest"]))
    except (sqlite3.Error, KeyError, ValueError):
        return None
