"""Phrases a question puts in quotation marks: 'What does "Modified Works" mean?' asks about
that exact phrase, as a search engine reads quotes, so a passage that holds it is the one
asked about, whatever else shares the question's other words."""

from __future__ import annotations

import re

# "...", “...”, «...», and '...' / ‘...’ when they stand apart from words (not "don't"); an
# empty pair is matched too, so that quotes pair up in order ('"" or "x"' quotes no " or ")
_QUOTED = re.compile(
    r'"([^"\n]{0,80})"'
    r"|“([^”\n]{0,80})”"
    r"|«([^»\n]{0,80})»"
    r"|(?<!\w)['‘]([^'‘’\n]{0,80})['’](?!\w)"
)
_SPACE = re.compile(r"\s+")


def quoted_phrases(question: str) -> tuple[str, ...]:
    """The phrases in quotation marks (two characters or more, a letter or digit among them),
    lower case, spaces collapsed.

    Example: quoted_phrases('What does "Modified  Works" mean?') -> ("modified works",)
    """
    out = []
    for match in _QUOTED.finditer(question):
        phrase = normalised(next(g for g in match.groups() if g is not None))
        if len(phrase) >= 2 and any(ch.isalnum() for ch in phrase) and phrase not in out:
            out.append(phrase)
    return tuple(out)


def normalised(text: str) -> str:
    """Lower case, every run of white space one space (hard-wrapped lines match too)."""
    return _SPACE.sub(" ", text).strip().lower()
