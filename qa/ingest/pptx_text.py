"""PowerPoint (.pptx: briefings, board decks and consultation summaries on a shared drive) -> text
in the chunker's shape: the first slide's title is the document's title (``#``), every slide
opens with its title as a heading (``##``; "Slide 4" when it has none), then its text frames'
paragraphs and its tables' rows (cells joined by " | "), shapes inside groups too, in the order
the slide lists them, and its speaker notes under "Notes". Each slide's first character is
recorded as a page start, so a passage carries its slide number as its ``page``. Pictures,
charts and slide masters' boilerplate are not read.

Read with python-pptx (the package the registry has, built on lxml as python-docx is).
"""

from __future__ import annotations

import io
import re
import zipfile

from qa.ingest.converted import (
    Converted,
    UnreadableFileError,
    join_blocks,
    literal,
    require,
    table_row,
)
from qa.ingest.ooxml_strict import transitional


def pptx_to_text(data: bytes) -> Converted:
    """The text of a .pptx file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: pptx_to_text(<a deck: slide 1 "Harbour rules", slide 2 "Fees" / "Ten coins.">).text
    -> '# Harbour rules\\n\\n## Fees\\n\\nTen coins.\\n'
    """
    require("pptx", "python-pptx")
    from pptx import Presentation
    from pptx.exc import PackageNotFoundError

    try:
        deck = Presentation(io.BytesIO(transitional(data)))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        why = re.sub(r"file '<[^>]*>' ", "", str(e))  # python-pptx names the BytesIO object
        raise UnreadableFileError(
            f"not a readable PowerPoint .pptx file ({type(e).__name__}: {why}); open it in "
            "PowerPoint or LibreOffice and save it again as .pptx (an old .ppt named .pptx: rename it .ppt)"
        ) from None
    text, pages = "", []
    for number, slide in enumerate(deck.slides, 1):
        title = _title(slide)
        heading = ("# " if number == 1 and title else "## ") + (title or f"Slide {number}")
        blocks = [heading, *_body(slide.shapes, skip=slide.shapes.title)]
        if slide.has_notes_slide and (notes := slide.notes_slide.notes_text_frame) is not None:
            said = [literal(p.text) for p in notes.paragraphs if p.text.strip()]
            blocks += ["### Notes", *said] if said else []
        text += "\n" if text else ""  # a blank line after the slide before
        pages.append(len(text))
        text += join_blocks(blocks)
    return Converted(text, tuple(pages))


def _title(slide) -> str:
    shape = slide.shapes.title  # a picture can sit in the title's placeholder: no text then
    if shape is None or not shape.has_text_frame:
        return ""
    return " ".join(shape.text_frame.text.split())


def _body(shapes, skip=None) -> list[str]:
    """Paragraphs and table rows of the shapes (groups opened), the title shape aside."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    blocks: list[str] = []
    for shape in shapes:
        if skip is not None and shape.shape_id == skip.shape_id:
            continue
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            blocks += _body(shape.shapes)
        elif shape.has_text_frame:
            blocks += [literal(p.text) for p in shape.text_frame.paragraphs if p.text.strip()]
        elif shape.has_table:
            for row in shape.table.rows:
                cells = [" ".join(c.text.split()) for c in row.cells]
                blocks.append(table_row(dict.fromkeys(cells)))
    return blocks
