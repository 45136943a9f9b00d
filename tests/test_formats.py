"""PDF, Word and HTML documents: converters, the offsets contract over every format, pages,
files that cannot be read (skipped with a reason), and the real plan in each format."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import replace
from pathlib import Path

import pytest

from qa.config import Settings
from qa.errors import CorpusError
from qa.ingest.chunking import chunk, chunk_corpus
from qa.ingest.converted import UnreadableFileError
from qa.ingest.corpus import SUFFIXES, CorpusWarning, load_corpus, read_corpus
from qa.ingest.docx_text import heading_prefix
from qa.ingest.formats import convert
from qa.ingest.html_text import html_to_text
from qa.ingest.pdf_text import Line, drop_furniture, join_pages, reflow
from qa.ingest.titles import document_title
from qa.types import Document
from tests.conftest import PLAN, TINY_DOCS
from tests.format_files import (
    write_docx,
    write_html,
    write_image_pdf,
    write_odt,
    write_pdf,
    write_rtf,
)

pytest.importorskip("pypdf", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("docx", reason="the formats extra is needed: pip install -e '.[formats]'")
pytest.importorskip("fpdf", reason="the test extra is needed: pip install -e '.[test]'")

FARMING = TINY_DOCS["alpha.txt"]
WRITERS = {
    ".pdf": write_pdf,
    ".docx": write_docx,
    ".odt": write_odt,
    ".rtf": write_rtf,
    ".html": write_html,
}


def test_the_readmes_formats_table_names_every_kind_read_and_no_other():
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    table = readme.split("### Formats", 1)[1].split("\n\n", 2)[1]
    suffix_cells = "\n".join(row.split("|")[2] for row in table.splitlines()[2:])
    assert set(re.findall(r"`(\.[a-z0-9]+)`", suffix_cells)) == set(SUFFIXES)


def test_suffixes_cover_every_format():
    assert set(SUFFIXES) == {
        ".txt", ".md", ".pdf", ".docx", ".doc", ".odt", ".rtf", ".pptx", ".ppt", ".odp", ".odg", ".xlsx", ".xlsm",
        ".xls", ".xlsb", ".ods", ".csv", ".html", ".htm", ".eml", ".msg", ".epub", ".mht", ".mhtml", ".zip",
    }  # fmt: skip


# ---------------------------------------------------------------------------- HTML


def test_html_keeps_headings_and_drops_scripts_styles_nav_footer():
    page = (
        b"<html><head><title>T</title><style>p {color: red}</style>"
        b"<script>var secret = 1;</script></head><body><nav><a>Home menu</a></nav>"
        b"<h1>Harbour rules</h1><p>Boats <b>must</b> dock&nbsp;before sunset &amp; pay.</p>"
        b"<h2>Fees</h2><ul><li>Ten coins a day.</li><li>Five at night.</li></ul>"
        b"<footer>Contact us</footer></body></html>"
    )
    text = html_to_text(page)
    assert text == (
        "# Harbour rules\n\nBoats must dock before sunset & pay.\n\n## Fees\n\n"
        "- Ten coins a day.\n\n- Five at night.\n"
    )
    for dropped in ("secret", "color", "Home menu", "Contact us", "<"):
        assert dropped not in text


def test_html_of_a_generated_page_drops_its_sidebar_and_permalinks():
    """A documentation generator's page (Sphinx: a sidebar and breadcrumbs marked by role, a
    "¶" permalink in each heading, a list of authors): the text is the body's, each list item
    a bulleted line, which no heading rule takes for a title."""
    page = (
        b'<html><body><div class="related" role="navigation"><h3>Navigation</h3>'
        b'<ul><li><a href="#">Policy 1.0 documentation</a> &#187;</li></ul></div>'
        b'<div class="document"><div class="body" role="main">'
        b'<h1>Harbour policy<a class="headerlink" href="#harbour" title="Permalink">\xc2\xb6</a>'
        b"</h1><dl><dt>Authors:</dt><dd><ul><li><p>Ann Lee &lt;<a href='mailto:ann@x.org'>"
        b"ann@x.org</a>&gt;</p></li><li><p>Bo Chen</p><ul><li>harbour master</li></ul></li></ul>"
        b"</dd></dl><h2>1. Fees<a class='headerlink' href='#fees'>\xc2\xb6</a></h2>"
        b"<p>Boats pay ten coins.</p></div></div>"
        b'<div class="sphinxsidebar" role="navigation"><div><h3>Table of Contents</h3>'
        b"<ul><li><a href='#fees'>1. Fees</a></li></ul></div><div role='search'>"
        b"<form><input></form></div></div>"
        b'<div class="footer" role="contentinfo">&#169; 2021, the harbour board.</div>'
        b"<p>After the footer.</p></body></html>"
    )
    text = html_to_text(page)
    assert text == (
        "# Harbour policy\n\nAuthors:\n\n- Ann Lee <ann@x.org>\n\n- Bo Chen\n\n"
        "- harbour master\n\n## 1. Fees\n\nBoats pay ten coins.\n\nAfter the footer.\n"
    )
    sections = {p.section for p in chunk(Document("policy.html", text))}
    assert sections == {"Harbour policy", "Harbour policy > 1. Fees"}


def test_html_titled_by_its_title_when_its_headings_are_sections():
    """Several <h1> (a Sphinx page: "Abstract", "Contents"), or none: the page's <title> is the
    document's title and every heading goes one level down. One <h1> first: that is the title."""
    sections = (
        b"<html><head><title>Harbour &amp; dock policy</title></head><body>"
        b"<h1>Abstract</h1><p>Rules for boats.</p><h1>Contents</h1><h2>1. Fees</h2>"
        b"<p>Boats pay ten coins.</p>"
        b"<svg><title>an icon</title></svg><h6>Small print</h6><p>None.</p></body></html>"
    )
    text = html_to_text(sections)
    assert text == (
        "# Harbour & dock policy\n\n## Abstract\n\nRules for boats.\n\n## Contents\n\n"
        "### 1. Fees\n\nBoats pay ten coins.\n\n###### Small print\n\nNone.\n"
    )
    document = Document("policy.html", text)
    assert document_title(document) == "Harbour & dock policy"
    assert {p.section for p in chunk(document)} == {
        "Harbour & dock policy",
        "Harbour & dock policy > Abstract",
        "Harbour & dock policy > Contents",
        "Harbour & dock policy > 1. Fees",  # a numbered section is no part of "Contents"
        "Harbour & dock policy > 1. Fees > Small print",
    }
    no_headings = b"<title>Opening hours</title><p>Open at nine.</p>"
    assert html_to_text(no_headings) == "# Opening hours\n\nOpen at nine.\n"
    one_title = b"<title>Council site | News</title><h1>Harbour rules</h1><h2>Fees</h2><p>Ten.</p>"
    assert html_to_text(one_title) == "# Harbour rules\n\n## Fees\n\nTen.\n"
    # the first of several <h1> says the title: it is the title, the others go below it
    repeated = b"<title>Harbour rules</title><h1>Harbour rules</h1><h1>Fees</h1><p>Ten.</p>"
    assert html_to_text(repeated) == "# Harbour rules\n\n## Fees\n\nTen.\n"


def test_html_of_a_docbook_manual():
    """DocBook's HTML (Debian's, GNOME's manuals): the title an <h2> like the chapters, its
    authors and subtitle headings of a title page, a table of contents and navigation bars by
    class. The title heads everything, the credits are text, the contents and bars are gone."""
    page = (
        b"<html><head><title>Harbour manual</title></head><body>"
        b'<div class="navheader"><a href="#">Prev</a> <a href="#">Next</a></div>'
        b'<div class="titlepage"><h2 class="title">Harbour manual</h2>'
        b'<h3 class="subtitle">Protocol version 2.1</h3><h3 class="author">Ann Lee</h3>'
        b'<p>Copyright 2020 the harbour board</p></div><div class="toc"><p>Table of Contents</p>'
        b'<dl><dt>1. Fees</dt><dt>1.1. Night fees</dt></dl></div>'
        b'<h2 class="title">1. Fees</h2><p>Boats pay ten coins.</p>'
        b'<h3 class="title">1.1. Night fees</h3><p>Five at night.</p>'
        b'<div class="navfooter"><a href="#">Up</a></div></body></html>'
    )
    text = html_to_text(page)
    assert text == (
        "# Harbour manual\n\nProtocol version 2.1\n\nAnn Lee\n\nCopyright 2020 the harbour "
        "board\n\n## 1. Fees\n\nBoats pay ten coins.\n\n### 1.1. Night fees\n\nFive at night.\n"
    )
    paths = {p.section for p in chunk(Document("manual.html", text))}
    assert "Harbour manual > 1. Fees > 1.1. Night fees" in paths
    assert not any("Ann Lee" in path or "Protocol" in path for path in paths)


def test_html_whose_dropped_landmark_never_closes_keeps_its_text():
    """A <div role="navigation"> without its end tag would drop the rest of the page: the page
    is read again with nothing dropped by role, so no text is lost."""
    page = b'<div role="navigation"><p>Home</p></div><div role="search"><p>Boats pay ten coins.</p>'
    assert html_to_text(page) == "Home\n\nBoats pay ten coins.\n"
    closed = b'<div role="search"><p>Find</p></div><p>Boats pay ten coins.</p>'
    assert html_to_text(closed) == "Boats pay ten coins.\n"


@pytest.mark.parametrize(
    ("page", "text"),
    [
        (  # a data table: a row is a block, its cells joined as other formats join them
            "<table><tr><th>Vessel</th><th>Fee</th></tr><tr><td><p>Ferry</p></td>"
            "<td>Five<br>coins</td></tr></table><p>Paid daily.</p>",
            "Vessel | Fee\n\nFerry | Five coins\n\nPaid daily.\n",
        ),
        (  # end tags left out, as HTML allows
            "<table><tr><td>Ferry<td>Five<tr><td>Boat<td>Ten</table>",
            "Ferry | Five\n\nBoat | Ten\n",
        ),
        (  # a table laid out around a list, another table or paragraphs: blocks as they are
            "<table><tr><td><ul><li>Dock early</li></ul></td><td>Side note</td></tr></table>"
            "<table><tr><td>Menu<table><tr><td>A</td><td>B</td></tr></table></td><td>Body</td>"
            "</tr></table>",
            "- Dock early\n\nSide note\n\nMenu\n\nA | B\n\nBody\n",
        ),
        (
            "<table><tr><td>" + "word " * 61 + "</td><td>Side</td></tr></table>",
            "word " * 60 + "word\n\nSide\n",
        ),
        ("<table><tr><td>One cell</td><td></td></tr></table>", "One cell\n"),
    ],
)
def test_html_data_tables_read_row_by_row_and_layout_tables_block_by_block(page, text):
    assert html_to_text(page.encode()) == text


# A page as Chrome saves it ("Webpage, Single File"): the page in quoted-printable Windows-1252
# (no <meta charset>), a picture, and a frame's page after it.
MHTML = (
    b"From: <Saved by Blink>\r\nSnapshot-Content-Location: https://harbour.example/fees\r\n"
    b"Subject: Harbour fees\r\nMIME-Version: 1.0\r\nContent-Type: multipart/related;\r\n"
    b'\ttype="text/html";\r\n\tboundary="----MultipartBoundary--x"\r\n\r\n'
    b"------MultipartBoundary--x\r\nContent-Type: text/html; charset=windows-1252\r\n"
    b"Content-ID: <frame-1@mhtml.blink>\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    b"<html><head><title>Harbour fees</title></head><body><h1>Fees</h1><p>A caf=E9 boat pays=\r\n"
    b" ten coins.</p><script>track()</script></body></html>\r\n"
    b"------MultipartBoundary--x\r\nContent-Type: image/png\r\n"
    b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n"
    b"------MultipartBoundary--x\r\nContent-Type: text/html\r\n\r\n<p>An advert frame</p>\r\n"
    b"------MultipartBoundary--x--\r\n"
)


def test_a_page_saved_as_one_file_reads_as_the_page():
    assert convert(Path("fees.mht"), MHTML).text == "# Fees\n\nA café boat pays ten coins.\n"
    with pytest.raises(UnreadableFileError, match="no web page in it"):
        convert(Path("fees.mhtml"), b"Subject: a mail\r\n\r\nplain words")


def test_html_in_a_declared_charset_and_undecodable_html():
    latin = "<meta charset='latin-1'><p>Café au lait.</p>".encode("latin-1")
    assert html_to_text(latin) == "Café au lait.\n"
    with pytest.raises(UnreadableFileError, match=r"not valid UTF-8 \(byte 9\).*re-save"):
        html_to_text("<p>Un café.</p>".encode("latin-1"))


# ---------------------------------------------------------------------------- DOCX


@pytest.mark.parametrize(
    "style, prefix", [("Heading 1", "## "), ("Heading 3", "#### "), ("Title", "# "), ("Normal", "")]
)
def test_heading_styles(style, prefix):
    assert heading_prefix(style) == prefix


def test_docx_headings_paragraphs_and_tables(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("Harbour rules", level=0)
    document.add_paragraph("Boats must dock before sunset.")
    document.add_heading("Fees", level=1)
    table = document.add_table(rows=2, cols=2)
    for r, row in enumerate([("Day", "Ten coins"), ("Night", "Five coins")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("Pay the harbour master.")
    path = tmp_path / "rules.docx"
    document.save(str(path))
    assert convert(path, path.read_bytes()).text == (
        "# Harbour rules\n\nBoats must dock before sunset.\n\n## Fees\n\n"
        "Day | Ten coins\n\nNight | Five coins\n\nPay the harbour master.\n"
    )


# ---------------------------------------------------------------------------- PDF


def test_reflow_joins_wrapped_lines_and_keeps_headings_apart():
    assert reflow("Dock early at the\nharbour.\n2. Fees\nPay now.") == (
        "Dock early at the harbour.\n\n2. Fees\n\nPay now."
    )


def test_join_pages_rejoins_a_paragraph_cut_by_a_page_break():
    joined = join_pages(["Dock early at\n", "the harbour.\n", "Fees\n"])
    assert joined.text == "Dock early at the harbour.\n\nFees\n"
    assert joined.pages == (0, 14, 28)
    assert joined.text[joined.pages[2] :] == "Fees\n"


def test_page_numbers_and_running_heads_are_dropped():
    pages = [
        [Line("Harbour Rules, 2024 edition", 800, 9), Line(f"Rule {n} text.", 700, 10),
         Line(f"Page {n} of 4", 40, 9)]
        for n in range(1, 5)
    ]  # fmt: skip
    kept = drop_furniture(pages)
    assert [[x.text for x in page] for page in kept] == [[f"Rule {n} text."] for n in range(1, 5)]
    alone = [[Line("Rule one.", 700, 10), Line("Rule two.", 680, 10)]]
    assert drop_furniture(alone) == alone  # one page: nothing repeats, nothing is a number


def test_pdf_paragraphs_and_headings_come_back(tmp_path):
    path = write_pdf(FARMING, tmp_path / "farming.pdf")
    converted = convert(path, path.read_bytes())
    assert converted.pages == (0,)
    paragraphs = converted.text.split("\n\n")
    assert "1. Crops" in paragraphs and "2. Animals" in paragraphs
    assert "Store the grain in dry barns. Dry barns keep mice away from the grain." in paragraphs


def test_plan_pdf_pages_point_at_the_right_page(tmp_path):
    import pypdf

    path = write_pdf(PLAN.read_text("utf-8"), tmp_path / "plan.pdf")
    document = load_corpus(tmp_path)[0]
    assert len(document.pages) > 2 and document.pages[0] == 0
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    passages = chunk_corpus([document])
    assert {p.page for p in passages} == set(range(1, len(document.pages) + 1))
    for p in passages:
        first_words = " ".join(p.text.lstrip("# ").split()[:4])  # a heading marked by its size
        page_text = " ".join(reader.pages[p.page - 1].extract_text().split())
        assert first_words in page_text, (p.page, first_words)


# ---------------------------------------------------------------------------- every format


@pytest.mark.parametrize("suffix", [".txt", ".md", ".pdf", ".docx", ".odt", ".rtf", ".html"])
@pytest.mark.parametrize("text", [FARMING, TINY_DOCS["beta.md"], "Café 知识产权 “quoted” — ok."])
def test_offsets_slice_back_to_passages_in_every_format(tmp_path, suffix, text):
    path = tmp_path / f"doc{suffix}"
    if suffix in WRITERS:
        WRITERS[suffix](text, path)
    else:
        path.write_text(text, "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fpdf2: DejaVu lacks a glyph or two
        documents = load_corpus(tmp_path)
    passages = chunk_corpus(documents)
    assert passages and documents[0].source == path.name
    text_of = {d.source: d.text for d in documents}
    for p in passages:
        assert text_of[p.source][p.start : p.end] == p.text
        assert (p.page is not None) == (suffix == ".pdf")
    words = {w.strip(".“”") for w in text.split()} - {"#", "—"}
    if suffix == ".pdf":  # the PDF's font (DejaVu Sans) has no CJK glyphs: they are not drawn
        words.discard("知识产权")
    got = {w.strip(".“”") for p in passages for w in p.text.split()}
    assert words <= got  # nothing lost on the way


def test_heading_path_in_every_converted_format(tmp_path):
    for suffix, write in WRITERS.items():
        write(FARMING, tmp_path / f"farming{suffix}")
    passages = chunk_corpus(load_corpus(tmp_path))
    sections = {(p.source, p.section) for p in passages if "goats" in p.text.lower()}
    assert {s.split(".")[-1] for s, _ in sections} == {"pdf", "docx", "odt", "rtf", "html"}
    for _, section in sections:
        assert section == "Farming notes > 2. Animals > Keep goats on the hill"


# ---------------------------------------------------------------------------- unreadable files


def _bad_files(folder: Path) -> dict[str, str]:
    """name -> what the reason must say."""
    folder.mkdir(exist_ok=True)
    write_image_pdf(folder / "scanned.pdf")
    write_pdf(FARMING, folder / "locked.pdf", password="secret")
    good = write_pdf(FARMING, folder / "tmp.pdf").read_bytes()
    (folder / "tmp.pdf").unlink()
    (folder / "cut.pdf").write_bytes(good[: len(good) // 3])
    (folder / "noise.pdf").write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (folder / "blank.html").write_text("<html><script>x = 1</script><nav>Menu</nav></html>")
    (folder / "renamed.rtf").write_bytes(b"%PDF-1.7 not rich text")
    return {
        "scanned.pdf": "no.* text layer .*scanned.*OCR",
        "locked.pdf": "encrypted with a password; save a copy without the password",
        "cut.pdf": "not a readable PDF",
        "noise.pdf": "not a readable PDF",
        "broken.docx": "not a readable Word .docx file",
        "blank.html": "holds no text",
        "renamed.rtf": "not an RTF file",
    }


def test_unreadable_files_are_skipped_with_a_reason_and_the_rest_is_read(tmp_path):
    expected = _bad_files(tmp_path)
    (tmp_path / "ok.txt").write_text(FARMING, "utf-8")
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["ok.txt"]
    reasons = {s.source: s.reason for s in corpus.skipped}
    assert set(reasons) == set(expected)
    for name, pattern in expected.items():
        assert re.search(pattern, reasons[name]), (name, reasons[name])
    with pytest.warns(CorpusWarning) as record:
        assert [d.source for d in load_corpus(tmp_path)] == ["ok.txt"]
    assert sorted(str(w.message).split(":")[0] for w in record) == sorted(expected)
    messages = [str(w.message) for w in record]
    assert any(
        m.startswith("locked.pdf: skipped, it is encrypted with a password") for m in messages
    )


def test_a_corpus_of_only_unreadable_files_is_an_error_naming_them(tmp_path):
    _bad_files(tmp_path)
    with pytest.raises(CorpusError, match=r"no document in .* could be read \(blank\.html: "):
        read_corpus(tmp_path)


def test_a_bad_txt_is_skipped_like_a_bad_pdf(tmp_path):
    write_html(FARMING, tmp_path / "farming.html")
    (tmp_path / "bad.txt").write_bytes("会议纪要".encode("gbk"))
    corpus = read_corpus(tmp_path)
    assert [d.source for d in corpus.documents] == ["farming.html"]
    assert [s.source for s in corpus.skipped] == ["bad.txt"]
    assert "not valid UTF-8" in corpus.skipped[0].reason


def test_importing_the_corpus_reader_loads_no_converter():
    import subprocess
    import sys

    code = (
        "import sys, qa.ingest.corpus; "
        "print(sorted(m for m in ('pypdf', 'docx', 'fpdf', 'lxml', 'olefile', 'pptx') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ---------------------------------------------------------------------------- the real plan


def test_the_plan_in_every_converted_format_answers_the_pledge_question(
    tmp_path, encoder_dir, capsys, monkeypatch
):
    from qa import cli
    from qa.assistant import Assistant, build

    plan = PLAN.read_text("utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for suffix, write in WRITERS.items():
        write(plan, corpus / f"action_plan{suffix}")
    write_image_pdf(corpus / "scan.pdf")
    settings = Settings(
        corpus_dir=corpus, index_dir=tmp_path / "index", encoder_dir=encoder_dir, use_e5=False
    )
    report = build(settings)
    assert report.files == len(WRITERS) and report.skipped == (
        "scan.pdf: skipped, none of its 1 page(s) has a text layer (a scanned PDF?); run OCR on "
        "it (e.g. ocrmypdf) and index the result",
    )
    with pytest.warns(CorpusWarning, match="scan.pdf"):
        assistant = Assistant.open(settings, auto_build=False)
    question = "How are small enterprises supported in pledge loans?"
    hits = assistant.search(question, k=6)
    pledge = "provide key support for intellectual property pledge loans"
    assert pledge in hits[0].passage.text
    # the files are one text: where two extract it alike, one hit names the other
    named = {h.passage.source for h in hits} | {s for h in hits for s in h.also_in}
    assert {f"action_plan{suffix}" for suffix in WRITERS} <= named
    # each format's own passages, copies not counted once
    config = assistant.retriever.config
    assistant.retriever.config = replace(config, collapse_copies=False)
    hits = assistant.search(question, k=6)
    best = {}
    for h in hits:
        best.setdefault(h.passage.source, h)
    assert set(best) == {f"action_plan{suffix}" for suffix in WRITERS}
    assert all(pledge in h.passage.text for h in best.values())
    assert best["action_plan.pdf"].to_dict()["page"] >= 1
    assert "page" not in best["action_plan.html"].to_dict()
    for h in best.values():
        assert h.passage.section.startswith("How to build an intellectual property power > ")
    monkeypatch.setattr(cli, "_settings", lambda args: settings)  # this encoder, no e5
    capsys.readouterr()
    assert cli.main(["index"]) == 0  # up to date: a no-op that still names the skipped file
    out = capsys.readouterr()
    assert "warning: scan.pdf: skipped, none of its 1 page(s) has a text layer" in out.err
    assert "index is up to date" in out.out and f"from {len(WRITERS)} file(s)" in out.out
    assert cli.main(["search", "pledge loans", "-k", "1"]) == 0  # a one-line warning, not Python's
    err = capsys.readouterr().err
    assert "warning: scan.pdf: skipped, none of its 1 page(s)" in err and "CorpusWarning" not in err
    # a PDF's source line names the page its passage starts on; a Word file's has none
    question = "How are small enterprises supported in pledge loans?"
    for doc, page in (("action_plan.pdf", True), ("action_plan.docx", False)):
        assert cli.main(["ask", question, "--doc", doc]) == 0
        sources = capsys.readouterr().out.split("Sources:")[1].splitlines()
        cited = [line.strip() for line in sources if line.strip().startswith(doc)]
        assert cited and all(bool(re.search(r", page \d+$", c)) == page for c in cited), cited


def test_converted_text_is_reused_until_the_file_changes(tmp_path, monkeypatch):
    from qa.ingest import conversion_cache as cache_module
    from qa.ingest.conversion_cache import ConversionCache

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_docx(FARMING, corpus / "farming.docx")
    write_html(FARMING, corpus / "farming.html")
    (corpus / "notes.txt").write_text("Plain notes.\n", "utf-8")
    cache = ConversionCache(tmp_path / "converted")
    first = read_corpus(corpus, cache).documents
    calls = []
    real = cache_module.convert
    monkeypatch.setattr(cache_module, "convert", lambda p, d: calls.append(p.name) or real(p, d))
    again = read_corpus(corpus, ConversionCache(tmp_path / "converted")).documents
    assert again == first and calls == []  # nothing converted a second time
    write_html(FARMING + "\nMore notes on goats.\n", corpus / "farming.html")
    changed = read_corpus(corpus, ConversionCache(tmp_path / "converted")).documents
    assert calls == ["farming.html"] and "goats." in changed[1].text
    # a damaged entry is converted again, never an error
    for entry in (tmp_path / "converted").glob("*.json"):
        entry.write_text("{not json", "utf-8")
    assert read_corpus(corpus, ConversionCache(tmp_path / "converted")).documents == changed
    pruned = ConversionCache(tmp_path / "converted")
    read_corpus(corpus, pruned)
    (corpus / "farming.docx").unlink()
    kept = ConversionCache(tmp_path / "converted")
    read_corpus(corpus, kept)
    assert kept.prune() >= 2  # the .docx text and the older .html text are gone
    assert len(list((tmp_path / "converted").glob("*.json"))) == 1
