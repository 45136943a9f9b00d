"""Outlook messages saved as files (.msg: what dragging a mail out of Outlook writes) -> text in
the shape qa.ingest.email_text gives an .eml: the subject as the title, From / To / Cc / Date,
the body, the attached documents (qa.ingest.attachments).

An .msg is an OLE compound file (olefile) holding one stream per property, as [MS-OXMSG] lays
them out: "__substg1.0_" + the property's id and type in hex (0037 the subject, 1000 the plain
body, 1013 the HTML body; type 001F UTF-16, 001E 8-bit text in the message's code page, 0102
bytes), and the fixed-size properties (the code page, the time it was sent) in the
"__properties_version1.0" stream. A body kept only as compressed RTF (1009, older Outlook) is
decompressed ([MS-OXRTFCP]) and read as an .rtf file is.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import re
import struct

from qa.ingest.attachments import Attachment
from qa.ingest.code_pages import language_code_page
from qa.ingest.converted import Converted, UnreadableFileError, require
from qa.ingest.email_text import html_body, message_text, plain_body, rtf_body
from qa.ingest.sheet_rows import moment_text

_SUBJECT, _SENDER_NAME, _SENDER_ADDRESS, _TO, _CC = 0x0037, 0x0C1A, 0x0C1F, 0x0E04, 0x0E03
_BODY, _HTML, _RTF = 0x1000, 0x1013, 0x1009
_SENT, _DELIVERED, _CODE_PAGE, _INTERNET_CODE_PAGE, _LOCALE = 0x0039, 0x0E06, 0x3FFD, 0x3FDE, 0x3FF1
_ATTACHMENT_LONG_NAME, _ATTACHMENT_NAME, _ATTACHMENT_DATA = 0x3707, 0x3704, 0x3701
_UNICODE, _STRING8, _BINARY, _LONG, _TIME, _BOOLEAN = 0x001F, 0x001E, 0x0102, 0x0003, 0x0040, 0x000B
_ATTACHMENT_HIDDEN = 0x7FFE  # a picture the HTML body shows
_MESSAGE_HEADER = 32  # the top-level properties stream: 32 bytes before its 16-byte entries
_ATTACHMENT_HEADER = 8
_EMBEDDED, _EMBEDDED_HEADER = "__substg1.0_3701000D", 24  # a message attached whole
_FILETIME_EPOCH = dt.datetime(1601, 1, 1)
_MAIL_ADDRESS = re.compile(r"[^@\s/<>]+@[^@\s/<>]+\.[^@\s/<>]+")  # not an Exchange (X.500) address


def msg_to_text(data: bytes) -> Converted:
    """The text of an .msg file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: msg_to_text(<Outlook's "Fees" mail: "Pay early.">).text ->
    '# Fees\\n\\nFrom: Harbour Office <office@harbour.example>\\n\\nPay early.\\n'
    """
    olefile = require("olefile", "olefile")
    if not olefile.isOleFile(io.BytesIO(data)):
        raise UnreadableFileError(
            "not an Outlook .msg file (no OLE compound file); if it is an .eml, give it that "
            "suffix, else save the message from Outlook again"
        )
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            message = _Properties(ole, "", _MESSAGE_HEADER)
            if not message.names:
                raise UnreadableFileError(
                    "no message properties in it (another Office file named .msg?); save the "
                    "message from Outlook again"
                )
            subject, headers, body = _message(message)
            attachments = sorted(
                {e[0] for e in ole.listdir() if e[0].startswith("__attach_version1.0_")}
            )
            files = [_attachment(ole, folder, message.code_page) for folder in attachments]
    # olefile's words for a damaged file (an assertion among them: its checks of the structure)
    except (OSError, ValueError, struct.error, AssertionError) as e:
        raise UnreadableFileError(
            f"its OLE structure is damaged ({type(e).__name__}: {e}); save the message from "
            "Outlook again"
        ) from None
    return Converted(message_text(subject, headers, body, files))


def _message(message: _Properties) -> tuple[str, list[tuple[str, str]], str]:
    """A message's subject, From / To / Cc / Date, and body."""
    sender = message.text(_SENDER_NAME)
    address = message.text(_SENDER_ADDRESS)
    if _MAIL_ADDRESS.fullmatch(address) and address != sender:
        sender = f"{sender} <{address}>" if sender else address
    sent = message.time(_SENT) or message.time(_DELIVERED)
    headers = [
        ("From", sender),
        ("To", message.text(_TO)),
        ("Cc", message.text(_CC)),
        ("Date", moment_text(sent) if sent else ""),
    ]
    return message.text(_SUBJECT), headers, _body(message)


def _attachment(ole, folder: str, code_page: str | None) -> Attachment:
    """An attachment: a file's bytes, or a message attached whole (a forwarded mail) read as
    its text, its own attachments left out (no nesting)."""
    attachment = _Properties(ole, folder, _ATTACHMENT_HEADER, code_page)
    name = attachment.text(_ATTACHMENT_LONG_NAME) or attachment.text(_ATTACHMENT_NAME)
    hidden = bool(attachment.fixed.get((_ATTACHMENT_HIDDEN, _BOOLEAN)))  # a picture in the body
    if attachment.has(_ATTACHMENT_DATA):
        return Attachment(name or "unnamed", attachment.raw(_ATTACHMENT_DATA), hidden)
    inner = _Properties(ole, f"{folder}/{_EMBEDDED}", _EMBEDDED_HEADER, code_page)
    if not inner.names:
        return Attachment(name or "unnamed", None, hidden)
    subject, headers, body = _message(inner)
    try:
        text = message_text(subject, headers, body, [])
    except UnreadableFileError:
        text = None
    return Attachment(name or subject or "unnamed", None, hidden, text)


def _body(message: _Properties) -> str:
    """The HTML body (its paragraphs and tables as written), else the plain one, else the
    compressed RTF one (older Outlook keeps only that; decompressing it is the slowest)."""
    html = message.text(_HTML)
    if html.strip():
        return html_body(html)
    plain = message.text(_BODY)
    if plain.strip():
        return plain_body(plain)
    if message.has(_RTF):
        return rtf_body(rtf_decompressed(message.raw(_RTF)))
    return ""


# [MS-OXRTFCP]: compressed RTF refers back into a 4,096-byte window that starts out holding this
_RTF_PREFILL = (
    b"{\\rtf1\\ansi\\mac\\deff0\\deftab720{\\fonttbl;}{\\f0\\fnil \\froman \\fswiss "
    b"\\fmodern \\fscript \\fdecor MS Sans SerifSymbolArialTimes New RomanCourier"
    b"{\\colortbl\\red0\\green0\\blue0\r\n\\par \\pard\\plain\\f0\\fs20\\b\\i\\u\\tab\\tx"
)
_COMPRESSED, _UNCOMPRESSED = 0x75465A4C, 0x414C454D  # "LZFu", "MELA"
_MAX_RTF_BYTES = 50_000_000  # an RTF body's pictures make it large; more is no mail's text


def rtf_decompressed(raw: bytes) -> bytes:
    """The RTF of a body Outlook kept compressed ([MS-OXRTFCP]): after a 16-byte header, each
    control byte says of the next 8 tokens (lowest bit first) whether it is a literal byte or a
    2-byte reference (12 bits: where in the window, 4 bits: length - 2); the reference to where
    the window is being written ends it."""
    if len(raw) < 16:
        raise UnreadableFileError("its RTF body is cut short; save the message from Outlook again")
    size, raw_size, kind = struct.unpack_from("<III", raw)
    if raw_size > _MAX_RTF_BYTES:
        raise UnreadableFileError(
            f"its RTF body claims {raw_size:,} bytes, over the {_MAX_RTF_BYTES:,} read; save the "
            "message as .eml or as text"
        )
    if kind == _UNCOMPRESSED:
        return raw[16 : 16 + raw_size]
    if kind != _COMPRESSED:
        raise UnreadableFileError("its RTF body is in no known compression; save it again")
    window = bytearray(4096)
    window[: len(_RTF_PREFILL)] = _RTF_PREFILL
    write = len(_RTF_PREFILL)
    out = bytearray()
    data, at, end = raw, 16, min(len(raw), size + 4)
    while at < end and len(out) < raw_size:
        control = data[at]
        at += 1
        for bit in range(8):
            if at >= end:
                break
            if not control >> bit & 1:
                window[write] = data[at]
                out.append(data[at])
                write, at = (write + 1) % 4096, at + 1
                continue
            if at + 2 > end:
                break
            (word,) = struct.unpack_from(">H", data, at)
            at += 2
            offset, length = word >> 4, (word & 0xF) + 2
            if offset == write:
                return bytes(out)
            for i in range(length):
                byte = window[(offset + i) % 4096]
                window[write] = byte
                out.append(byte)
                write = (write + 1) % 4096
    return bytes(out)


class _Properties:
    """The properties of a message or an attachment: its storage's "__substg1.0_" streams and
    its fixed-size properties."""

    def __init__(self, ole, folder: str, header: int, code_page: str | None = None):
        self.ole = ole
        prefix = folder.split("/") if folder else []
        self.names: dict[int, tuple[int, str]] = {}  # property id -> (type, stream path)
        for entry in ole.listdir():
            name = entry[-1]
            if entry[:-1] == prefix and name.startswith("__substg1.0_") and len(name) == 20:
                if _is_hex(name[12:20]):
                    self.names[int(name[12:16], 16)] = (int(name[16:20], 16), "/".join(entry))
        self.fixed = self._fixed("/".join([*prefix, "__properties_version1.0"]), header)
        internet = _codec(self.fixed.get((_INTERNET_CODE_PAGE, _LONG)))
        locale = self.fixed.get((_LOCALE, _LONG))
        self.code_page = (  # for 8-bit text: the message's, else its language's
            code_page
            or _codec(self.fixed.get((_CODE_PAGE, _LONG)))
            or (language_code_page(locale) if locale else None)
        )
        if self.code_page is None:
            self.code_page = internet if internet not in (None, "utf-8") else "cp1252"
        self.html_code_page = internet  # an HTML body kept as bytes is in the internet code page

    def has(self, prop: int) -> bool:
        return prop in self.names

    def raw(self, prop: int) -> bytes:
        return self.ole.openstream(self.names[prop][1]).read() if prop in self.names else b""

    def text(self, prop: int) -> str:
        """A text property ("" when absent): UTF-16, 8-bit in the message's code page, or
        bytes (an HTML body) in the internet code page, else UTF-8, else the message's."""
        if prop not in self.names:
            return ""
        kind, raw = self.names[prop][0], self.raw(prop)
        if kind == _UNICODE:
            return raw.decode("utf-16-le", "replace").split("\x00", 1)[0]
        pages = (
            [self.code_page] if kind != _BINARY else [self.html_code_page, "utf-8", self.code_page]
        )
        for page in dict.fromkeys(p for p in pages if p):
            try:
                return raw.decode(page).split("\x00", 1)[0]
            except UnicodeDecodeError:
                continue
        return raw.decode(self.code_page, "replace").split("\x00", 1)[0]

    def time(self, prop: int) -> dt.datetime | None:
        ticks = self.fixed.get((prop, _TIME))
        if not ticks:
            return None
        try:
            return _FILETIME_EPOCH + dt.timedelta(microseconds=ticks // 10)
        except OverflowError:
            return None

    def _fixed(self, path: str, header: int) -> dict[tuple[int, int], int]:
        """(property id, type) -> value of the 4- and 8-byte properties."""
        if not self.ole.exists(path):
            return {}
        raw = self.ole.openstream(path).read()
        out = {}
        for at in range(header, len(raw) - 15, 16):
            kind, prop = struct.unpack_from("<HH", raw, at)
            out[(prop, kind)] = struct.unpack_from("<Q" if kind == _TIME else "<I", raw, at + 8)[0]
        return out


def _codec(page: int | None) -> str | None:
    """Python's codec for a Windows code page number (1252, 950, 65001), None when unknown."""
    if not page:
        return None
    name = "utf-8" if page == 65001 else f"cp{page}"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789ABCDEFabcdef" for c in text)
