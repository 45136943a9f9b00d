"""The documents attached to a saved e-mail, read as the same files saved into the corpus folder
would be: a mail that sends a policy as a PDF is found by what the PDF says, and its passages are
cited in the mail. Each attachment read goes under "## Attachment: <name>", its own headings two
levels below; a mail attached whole (a forwarded message) is read as its text, its own
attachments left out. One that is not read (a picture, a mail saved as a file inside the mail, a
file its converter cannot read) is named on one line with why, and never stops the mail from
being read. Pictures
shown in the body (a signature's logo, kept as hidden attachments) are not named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from qa.ingest.converted import UnreadableFileError

_MESSAGES = (".eml", ".msg")  # a mail inside a mail: read when saved on its own
_HEADING = re.compile(r"^(#{1,6}) ", re.MULTILINE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes | None  # None: no file (an embedded message, a link)
    inline: bool = False  # shown in the body (a signature's logo): no attachment to the reader
    text: str | None = None  # a message attached whole (a forwarded mail), already read


def attachment_blocks(
    attachments: list[Attachment], label: str = "Attachment: ", level: int = 2
) -> tuple[list[str], list[str]]:
    """The blocks of the attachments read, each under its own heading ("## Attachment: name";
    ``label`` and ``level`` change it: an archive's files are "# folder/name.pdf"), and the
    names of those not read with why ("photo.jpg: not a kind of document read"). A saved mail
    is read only where ``label`` is empty (in an archive), never inside another mail."""
    from qa.ingest.formats import SUFFIXES, TEXT_SUFFIXES, convert, text_of

    blocks: list[str] = []
    unread: list[str] = []
    for attachment in attachments:
        name = " ".join(attachment.name.split()) or "unnamed"  # one line: no heading of its own
        suffix = Path(name).suffix.lower()
        if attachment.inline and suffix not in SUFFIXES:
            continue  # a picture in the body: nobody attached it
        if attachment.text is not None:
            blocks += _under(name, attachment.text, label, level)
            continue
        if suffix in _MESSAGES and label:
            unread.append(f"{name} (a mail saved as a file: read when saved on its own)")
            continue
        if attachment.data is None:
            unread.append(f"{name} (no file in the mail: a link, or a message without text)")
            continue
        if suffix not in SUFFIXES:
            unread.append(f"{name} (not a kind of document read)")
            continue
        try:
            if suffix in TEXT_SUFFIXES:
                text = text_of(attachment.data)
            else:
                text = convert(Path(name), attachment.data).text
        except (UnreadableFileError, ImportError) as e:
            unread.append(f"{name} ({str(e).split(';')[0]})")
            continue
        blocks += _under(name, text, label, level)
    return blocks, unread


def _under(name: str, text: str, label: str, level: int) -> list[str]:
    """An attachment's blocks under its own heading, its headings ``level`` levels below."""
    below = _HEADING.sub(lambda m: "#" * min(len(m.group(1)) + level, 6) + " ", text)
    return [f"{'#' * level} {label}{name}", *_PARAGRAPH_BREAK.split(below)]
