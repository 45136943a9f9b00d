"""Web pages saved as one file (.mht / .mhtml: a browser's "Web Page, single file", how offices
keep a page of a ministry's site as it stood) -> the page's text, read as an .html file is.

MHTML is a MIME message (RFC 2557): the page's HTML and its pictures and styles as parts. The
standard library's e-mail parser decodes it; the first HTML part (or the one the message names
as its start) is the page.
"""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from qa.ingest.converted import Converted, UnreadableFileError


def mhtml_to_text(data: bytes) -> Converted:
    """The text of an .mht file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: mhtml_to_text(<a page "<h1>Fees</h1><p>Pay early.</p>" saved as one file>).text
    -> '# Fees\\n\\nPay early.\\n'
    """
    from qa.ingest.html_text import html_to_text

    message = BytesParser(policy=policy.default).parsebytes(data)
    page = _page(message) if isinstance(message, EmailMessage) else None
    if page is None:
        raise UnreadableFileError(
            "no web page in it (an .mht file holds the page as a text/html part); save the "
            "page again as .html, or give the file the suffix of what it holds"
        )
    html = page.get_payload(decode=True) or b""
    charset = page.get_content_charset()
    if charset:  # the part's charset, where the page declares none in a <meta>
        try:
            html = html.decode(charset).encode("utf-8")
        except (LookupError, UnicodeDecodeError):
            pass  # read as an .html file is: UTF-8, else its <meta charset>
    return Converted(html_to_text(html))


def _page(message: EmailMessage) -> EmailMessage | None:
    """The part holding the page: the one the multipart/related's start parameter names, else
    the first text/html part."""
    start = message.get_param("start") if message.is_multipart() else None
    parts = list(message.walk())
    if start:
        named = [p for p in parts if p["Content-ID"] == start]
        if named and named[0].get_content_type() == "text/html":
            return named[0]
    return next((p for p in parts if p.get_content_type() == "text/html"), None)
