"""A Word document's footnotes and endnotes, which python-docx does not read.

Their text lives in their own parts (word/footnotes.xml, word/endnotes.xml); the body keeps only
a reference mark with no text. A policy's notes often hold what a question asks (the law a
clause cites, a definition, a date), so they are read in order and set after the body under a
"Notes" heading, each as "Footnote 3: ..." (the number counts the document's footnotes, as Word
numbers them by default).
"""

from __future__ import annotations

from qa.ingest.docx_runs import W, paragraphs_text

# part name -> (element, label)
NOTE_PARTS = {
    "/word/footnotes.xml": ("footnote", "Footnote"),
    "/word/endnotes.xml": ("endnote", "Endnote"),
}


def document_notes(document) -> list[str]:
    """'Footnote 1: ...', 'Endnote 1: ...' for each note of a python-docx Document that has text
    (Word's separator "notes" have none)."""
    from defusedxml.ElementTree import ParseError, fromstring

    parts = {str(p.partname): p for p in document.part.package.iter_parts()}
    out = []
    for name, (element, label) in NOTE_PARTS.items():
        if name not in parts:
            continue
        try:
            root = fromstring(parts[name].blob)
        except (ParseError, ValueError):
            continue  # a damaged notes part: the body is still read
        number = 0
        for note in root.iter(W + element):
            if note.get(W + "type") not in (None, "normal"):
                continue  # the separator lines Word draws above the notes
            number += 1
            if text := paragraphs_text(note):
                out.append(f"{label} {number}: {text}")
    return out
