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


ODT_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" office:version="1.3">'
    '<office:automatic-styles><style:style style:name="P1" style:family="paragraph" '
    'style:parent-style-name="Title"/></office:automatic-styles>'
    "<office:body><office:text>{body}</office:text></office:body></office:document-content>"
)


def write_odt(text: str, path: Path, body: str | None = None, manifest: str = "") -> Path:
    """An OpenDocument text file as LibreOffice writes one: the title in a style derived from
    "Title", headings as text:h by outline level, paragraphs as text:p (or ``body``, raw XML)."""
    import zipfile

    if body is None:
        parts = []
        for level, words in blocks(text):
            words = html.escape(words, quote=False)
            if level == 1:
                parts.append(f'<text:p text:style-name="P1">{words}</text:p>')
            elif level:
                parts.append(f'<text:h text:outline-level="{level - 1}">{words}</text:h>')
            else:
                parts.append(f"<text:p>{words}</text:p>")
        body = "".join(parts)
    manifest = manifest or (
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", ODT_CONTENT.format(body=body))
        package.writestr("META-INF/manifest.xml", manifest)
    return path


RTF_HEAD = (
    r"{\rtf1\ansi\ansicpg1252\deff0\uc1"
    r"{\fonttbl{\f0\fswiss\fcharset0 Calibri;}{\f1\fnil\fcharset134 SimSun;}}"
    r"{\colortbl;\red0\green0\blue0;}"
    r"{\stylesheet{\ql\f0\fs22 Normal;}{\s1\ql\outlinelevel0\b\fs32 \sbasedon0 heading 1;}"
    r"{\s2\ql\outlinelevel1\b\fs26 \sbasedon0 heading 2;}{\s15\qc\fs56 \sbasedon0 Title;}"
    r"{\*\cs10 \additive Default Paragraph Font;}}"
    r"{\info{\title Not the text}{\author Someone}}"
    r"{\*\generator Microsoft Word 16;}"
    "\n"
)


def rtf_escape(text: str) -> str:
    """Text as Word writes it in RTF: Windows-1252 letters as \\'hh, others as \\uN? (two
    surrogates for a character beyond U+FFFF)."""
    out = []
    for c in text:
        if c in "\\{}":
            out.append("\\" + c)
        elif c.isascii():
            out.append(c)
        elif (byte := c.encode("cp1252", "ignore")) and len(byte) == 1:
            out.append(f"\\'{byte[0]:02x}")
        else:
            units = memoryview(c.encode("utf-16-le")).cast("h")  # signed, as RTF writes them
            out += [f"\\u{unit}\\'3f" for unit in units]
    return "".join(out)


def write_rtf(text: str, path: Path, body: str | None = None) -> Path:
    """An RTF file as Word writes one: the title in the "Title" style, numbered headings in
    "heading 1"/"heading 2" (level 2/3), paragraphs in Normal (or ``body``, raw RTF)."""
    if body is None:
        styles = {1: r"\s15", 2: r"\s1", 3: r"\s2"}
        parts = []
        for level, words in blocks(text):
            style = styles.get(level, "") if level else ""
            parts.append(f"\\pard\\plain {style}\\f0 {rtf_escape(words)}\\par\n")
        body = "".join(parts)
    path.write_bytes((RTF_HEAD + body + "}").encode("ascii"))
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
