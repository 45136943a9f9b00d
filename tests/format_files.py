"""Real PDF, DOCX and HTML files built from plain text (for tests/test_formats.py and
bench/formats.py): headings become headings (PDF: bold lines; DOCX: Heading styles; HTML: <hN>),
paragraphs paragraphs. Needs the `formats` and `test` extras (pypdf, python-docx, fpdf2)."""

from __future__ import annotations

import html
from pathlib import Path

from qa.ingest.chunking import heading_label, heading_level, paragraphs

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def blocks(text: str) -> list[tuple[int | None, str]]:
    """(heading level or None, text) for each paragraph: 1 for a title line, 2 for a numbered
    heading ("2. Main actions"), 3 for a parenthesised one ("(1) ...")."""
    out = []
    for span in paragraphs(text):
        body = " ".join(text[span.start : span.end].split())
        level = heading_level(body)
        if level is None:
            out.append((None, body))
        else:
            out.append((level + 1 if level else 1, heading_label(body)))
    return out


def write_pdf(text: str, path: Path, password: str | None = None) -> Path:
    """A text PDF (DejaVu Sans, so '——' and curly quotes survive), several pages for a long text."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    for level, body in blocks(text):
        pdf.set_font("DejaVu", "B" if level else "", 13 if level else 10)
        pdf.multi_cell(0, 6 if level else 5, body, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    if password:
        pdf.set_encryption(owner_password=password + "-owner", user_password=password)
    pdf.output(str(path))
    return path


def write_image_pdf(path: Path) -> Path:
    """A 'scanned' PDF: one page holding only a drawing, no text layer."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_fill_color(40, 40, 40)
    for row in range(20):
        pdf.rect(20, 20 + row * 8, 150 - (row % 5) * 20, 4, style="F")
    pdf.output(str(path))
    return path


def write_docx(text: str, path: Path) -> Path:
    import docx

    document = docx.Document()
    for level, body in blocks(text):
        if level:  # the title in the Title style, then Heading 1, 2, ...
            document.add_heading(body, level=min(level - 1, 9))
        else:
            document.add_paragraph(body)
    document.save(str(path))
    return path


def write_html(text: str, path: Path, title: str = "Document") -> Path:
    """A web page: the text in <main>, with a nav bar, a script and a style the converter drops."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title>",
        "<style>body { font-family: sans-serif } .menu { color: red }</style>",
        "<script>var tracking = 'do not index this script';</script></head><body>",
        "<nav class='menu'><a href='/'>Home</a> | <a href='/news'>News menu link</a></nav><main>",
    ]
    for level, body in blocks(text):
        tag = f"h{min(level, 6)}" if level else "p"
        parts.append(f"<{tag}>{html.escape(body)}</{tag}>")
    parts.append("</main><footer>Footer: contact the web team</footer></body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
