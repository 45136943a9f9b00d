"""E-mail messages saved as files (.eml: RFC 5322 / MIME, what Thunderbird, Apple Mail and
Outlook's "Save as" write) -> text in the chunker's shape: the subject is the document's title
(``#``), then who wrote it to whom and when (one block of "From: ..." lines), then the body,
then its attached documents, each read as the same file in the corpus folder would be
(qa.ingest.attachments). A shared drive keeps the e-mails that announced, sent or explained a
policy beside the policy.

The body is the HTML part, read as an .html file is (qa.ingest.html_text: its paragraphs and
tables as written, where the plain-text part is often wrapped at 72 characters), else the
plain-text part; quoted replies stay (they are what was said). Parsing is the
standard library's (email, policy.default), which decodes headers and transfer encodings;
qa.ingest.msg_text reads Outlook's .msg files into the same shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from qa.ingest.attachments import Attachment, attachment_blocks
from qa.ingest.converted import Converted, UnreadableFileError, join_blocks, literal
from qa.ingest.sheet_rows import MAX_TEXT_CHARS

_HEADERS = ("From", "To", "Cc", "Date")
_LEVEL_ONE = re.compile(r"^# ", re.MULTILINE)  # the body's headings go under the subject's
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def eml_to_text(data: bytes) -> Converted:
    """The text of an .eml file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: eml_to_text(b"From: a@b.org\\nSubject: Fees\\n\\nPay early.\\n").text ->
    '# Fees\\n\\nFrom: a@b.org\\n\\nPay early.\\n'
    """
    message = BytesParser(policy=policy.default).parsebytes(data)
    if not isinstance(message, EmailMessage) or not any(message[h] for h in (*_HEADERS, "Subject")):
        raise UnreadableFileError(
            "no e-mail headers (From, To, Subject, Date) at its start, so it is no saved e-mail; "
            "give it the suffix of what it holds"
        )
    subject, headers, body = _parts(message)
    attachments = [_attachment(part) for part in message.iter_attachments()]
    return Converted(message_text(subject, headers, body, attachments))


def message_text(
    subject: str, headers: Iterable[tuple[str, str]], body: str, attachments: list[Attachment]
) -> str:
    """An e-mail as text: "# subject", a block of "Name: value" lines (empty values left
    out), the body's paragraphs (``body`` as plain_body or html_body give it), a line naming
    the attachments not read, then those read (qa.ingest.attachments)."""
    lines = [f"{name}: {' '.join(value.split())}" for name, value in headers if value.strip()]
    blocks = [f"# {literal(' '.join(subject.split())) or 'E-mail without a subject'}"]
    read, unread = attachment_blocks(attachments)
    # beside its attachments the mail's own words are a section too: with two marked headings
    # the chunker takes no short line for one (a signature's "Harbour Office" heading a PDF)
    blocks += ["\n".join(lines), *(["## Message"] if read else []), *_PARAGRAPH_BREAK.split(body)]
    if unread:
        blocks.append(f"Attachments not read: {'; '.join(unread)}")
    if not body.strip() and not read:
        raise UnreadableFileError("the message has no body text (only headers or attachments)")
    text = join_blocks(blocks + read)
    if len(text) > MAX_TEXT_CHARS:
        raise UnreadableFileError(
            f"it holds more than {MAX_TEXT_CHARS:,} characters with its attachments, the limit "
            "for one document; save the attachments on their own"
        )
    return text


def plain_body(text: str) -> str:
    """A plain-text body as the chunker reads it: its lines as they are, none a heading."""
    return literal(text.replace("\r\n", "\n").replace("\r", "\n"))


def html_body(html: str) -> str:
    """An HTML body's readable text, as an .html file is read; its headings under the subject."""
    from qa.ingest.html_text import html_to_text

    return _LEVEL_ONE.sub("## ", html_to_text(html.encode("utf-8")))


def rtf_body(rtf: bytes) -> str:
    """An RTF body's text, as an .rtf file is read; its headings under the subject."""
    from qa.ingest.rtf_text import rtf_to_text

    return _LEVEL_ONE.sub("## ", rtf_to_text(rtf).text)


def _attachment(part: EmailMessage) -> Attachment:
    """A file's bytes, or a message attached whole (a forwarded mail) read as its text, its own
    attachments left out (no nesting)."""
    name = part.get_filename() or "unnamed"
    if part.get_content_type() != "message/rfc822":
        return Attachment(name, part.get_payload(decode=True), _inline(part))
    inner = part.get_content()
    if not isinstance(inner, EmailMessage):
        return Attachment(name, None)
    subject, headers, body = _parts(inner)
    try:
        text = message_text(subject, headers, body, [])
    except UnreadableFileError:
        return Attachment(name, None)
    return Attachment(part.get_filename() or subject or name, None, text=text)


def _inline(part: EmailMessage) -> bool:
    """A part the HTML body shows (a picture it names by its Content-ID), not one attached."""
    return bool(part["Content-ID"]) and part.get_content_disposition() != "attachment"


def _parts(message: EmailMessage) -> tuple[str, list[tuple[str, str]], str]:
    """A message's subject, From / To / Cc / Date, and body."""
    return _header(message, "Subject"), [(h, _header(message, h)) for h in _HEADERS], _body(message)


def _header(message: EmailMessage, name: str) -> str:
    try:
        return str(message[name] or "")
    except (ValueError, TypeError, IndexError):  # a header too malformed to parse: its raw text
        raw = (value for key, value in message.raw_items() if key.lower() == name.lower())
        return str(next(raw, ""))


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html", "plain"))  # HTML keeps tables and paragraphs
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown charset: read its bytes as Western text
        content = (part.get_payload(decode=True) or b"").decode("latin-1")
    if not isinstance(content, str):
        return ""
    return html_body(content) if part.get_content_subtype() == "html" else plain_body(content)
