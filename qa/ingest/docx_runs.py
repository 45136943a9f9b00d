"""What Word shows of a document, read from its XML where python-docx reads less.

python-docx's ``Paragraph.text`` reads only the runs directly in a paragraph, so a tracked
insertion (``<w:ins>``, the words a reviewer added and Word shows underlined) is lost, and
``iter_inner_content`` skips every block inside a content control (``<w:sdt>``: a cover page, a
form, a templated policy's clauses) or a text box (a callout, a box of key figures). Here a
paragraph's text is every run Word shows (inserted words in, deleted and moved-away words out,
field codes out), and the body's blocks include those inside content controls (not Word's table
of contents) and text boxes. A paragraph's outline level says whether it is a heading when its
style's name does not.
"""

from __future__ import annotations

from collections.abc import Iterator

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# what Word does not show as the paragraph's text: deleted or moved-away runs, field codes,
# a text box's own paragraphs (blocks of their own), a content control's settings, and the copy
# for older readers of what a newer Word stores twice (mc:Fallback)
_HIDDEN = {W + t for t in ("del", "moveFrom", "delText", "instrText", "txbxContent", "sdtPr")}
_HIDDEN.add(_FALLBACK)
_SPACE = {W + t for t in ("tab", "ptab", "br", "cr")}


def paragraph_text(paragraph) -> str:
    """The text Word shows for a ``<w:p>`` element (lxml or ElementTree), spaces normalised.

    Example: <w:p><w:r><w:t>Boats </w:t></w:r><w:ins><w:r><w:t>may</w:t></w:r></w:ins>
    <w:del><w:r><w:delText>must</w:delText></w:r></w:del></w:p> -> "Boats may"
    """
    pieces: list[str] = []

    def walk(node) -> None:
        for child in node:
            tag = child.tag
            if tag in _HIDDEN:
                continue
            if tag == W + "t":
                pieces.append(child.text or "")
            elif tag in _SPACE:
                pieces.append(" ")
            elif tag == W + "noBreakHyphen":
                pieces.append("-")
            else:
                walk(child)

    walk(paragraph)
    return " ".join("".join(pieces).split())


def text_boxes(paragraph) -> Iterator:
    """The ``<w:txbxContent>`` of each text box a paragraph anchors (a callout, a box of key
    figures), once: Word stores a box twice, as a shape and as its older VML fallback. A box
    inside a box is its box's."""
    for box in paragraph.iter(W + "txbxContent"):
        between = []
        for ancestor in box.iterancestors():
            if ancestor is paragraph:
                break
            between.append(ancestor.tag)
        if _FALLBACK not in between and W + "txbxContent" not in between:
            yield box


def body_blocks(container) -> Iterator:
    """The ``<w:p>`` and ``<w:tbl>`` elements of a body in order, those inside content controls
    (``<w:sdt>``) and custom XML wrappers included."""
    return children(container, (W + "p", W + "tbl"))


def paragraphs_text(element) -> str:
    """Every ``<w:p>`` under an element (a table cell, a note), those of tables nested in it
    included, as one line."""
    return " ".join(t for p in element.iter(W + "p") if (t := paragraph_text(p)))


def children(container, tags: tuple[str, ...]) -> Iterator:
    """The children of ``container`` with one of ``tags``, in order, looking inside content
    controls and custom XML wrappers (Word may wrap a paragraph, a table, a row or a cell)."""
    for child in container:
        if child.tag in tags:
            yield child
        elif child.tag == W + "sdt":
            content = child.find(W + "sdtContent")
            if content is not None and not is_contents_control(child):
                yield from children(content, tags)
        elif child.tag == W + "customXml":
            yield from children(child, tags)


def is_contents_control(sdt) -> bool:
    """Word's table of contents: a content control of the "Table of Contents" gallery, whose
    entries ("Introduction 3") would read as text and compete with the sections they list."""
    gallery = sdt.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
    return gallery is not None and "contents" in (gallery.get(W + "val") or "").lower()


def outline_level(element, style) -> int | None:
    """Word's outline level of a ``<w:p>`` (0 for a first-level heading, up to 8), from the
    paragraph or its style or a style that one is based on; None for body text (level 9 or
    none). A custom heading style ("Policy Section", based on "Heading 1") has one."""
    own = element.find(f"{W}pPr/{W}outlineLvl")
    for _ in range(10):  # a style chain is short; a loop in a damaged file ends here
        if own is not None:
            try:
                level = int(own.get(W + "val") or "9")
            except ValueError:
                return None
            return level if 0 <= level < 9 else None
        if style is None:
            return None
        own = style.element.find(f"{W}pPr/{W}outlineLvl")
        style = style.base_style
    return None
