"""A note's mark in a web page (a superscript linking within the page, Sphinx's footnote link)
is no word of its sentence: "office.[1] Fees" read "[1]" beside the answer's own citation
marks. The note keeps its number; an exponent, an ordinal and a link elsewhere keep theirs."""

from __future__ import annotations

from qa.ingest.formats import convert

PAGE = b"""<html><head><title>Harbour Rules</title></head><body><h1>Harbour Rules</h1>
<p>Boats pay the harbour office.<sup id="r1"><a href="#n1">[1]</a></sup> Fees rise in
April.<sup><a href="#n2">2</a></sup> Berths close at ten
<a href="#f3" class="footnote"><sup class="footnote">[3]</sup></a> and open at six
<a class="footnote-reference brackets" href="#id6">4</a> every day.</p>
<div class="footnote"><p><a href="#r1"><sup class="para">[1] </sup></a>Harbours Act 1984.</p></div>
<p>E = mc<sup>2</sup> holds at the 1<sup>st</sup> berth, as <a href="rules.html#x"><sup>5</sup></a>
says.</p></body></html>"""


def test_note_marks_are_left_out_and_notes_keep_their_numbers(tmp_path):
    path = tmp_path / "rules.html"
    path.write_bytes(PAGE)
    text = convert(path, PAGE).text
    assert (
        "Boats pay the harbour office. Fees rise in April. Berths close at ten and open at six every day."
        in text
    )
    assert "[1] Harbours Act 1984." in text
    assert "E = mc2 holds at the 1st berth, as 5 says." in text


def test_a_note_lists_label_opens_its_note(tmp_path):
    """Sphinx lists notes as <dt>5</dt><dd><p>...</p></dd>: the label alone was a passage, and
    read as a heading it headed the notes after it."""
    page = (
        b"<html><body><h1>Harbour Rules</h1><p>Boats pay the office.</p>"
        b'<dl class="footnote brackets"><dt class="label"><span class="brackets">'
        b'<a class="fn-backref" href="#r5">5</a></span></dt><dd><p>Set each April.</p>'
        b"<p>See the board.</p></dd></dl><dl><dt>0</dt><dd>success</dd></dl>"
        b"<dl><dt><a href='#r6'>6</a></dt><dd></dd><dt><a href='#r7'>7</a></dt><dd>Rule seven.</dd>"
        b"</dl><p>Gates close at ten.</p></body></html>"
    )
    path = tmp_path / "rules.html"
    path.write_bytes(page)
    text = convert(path, page).text
    assert "\n\n[5] Set each April.\n\nSee the board.\n\n0\n\nsuccess" in text
    assert "\n\n[7] Rule seven.\n\nGates close at ten." in text  # the empty note 6 lends none
