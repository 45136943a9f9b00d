"""Rich Text Format (.rtf: WordPad's own format, and what older government and court sites
publish beside Word) -> text in the chunker's shape, as docx_text gives Word's: paragraphs in
the "Title" and "heading N" styles (or with an outline level) become Markdown heading lines, every
other paragraph a paragraph, each table row a paragraph (cells joined by " | "), a text box after
the paragraph that anchors it, numbered list labels kept ("1.", "(a)") and bullets dropped;
footnotes follow under "Notes". Headers, footers, pictures, field codes, comments, hidden text,
tracked deletions and a table of contents are not read.

Read by hand, not with striprtf (the package the registry has): it strips the markup to one
run of text and with it the styles that give a passage its heading path. Bytes written as \\'hh
are decoded in the file's code page (\\ansicpg) or their font's (\\fcharset: Chinese in GBK,
Cyrillic in Windows-1251), \\uN as Unicode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.ingest.converted import Converted, UnreadableFileError, join_blocks, literal, table_row
from qa.ingest.docx_text import heading_prefix

MAX_DEPTH = 1_000  # groups inside groups: Word nests a few dozen
_TOKEN = re.compile(
    r"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\([^a-zA-Z])|([{}])|[\r\n]+"
    r"|([^\\{}\r\n]+)"
)
# Destinations whose text is not the document's.
_SKIPPED = frozenset(
    "colortbl info pict object header headerl headerr headerf footer footerl footerr footerf "
    "themedata colorschememapping latentstyles datastore xmlnstbl listtable listoverridetable "
    "rsidtbl generator filetbl revtbl pgdsctbl fldinst bkmkstart bkmkend ftnsep ftnsepc ftncn "
    "aftnsep aftnsepc aftncn nonshppict xe tc template annotation atnid atnauthor atrfstart "
    "atrfend sp shprslt docvar userprops protusertbl mmathPr wgrffmtfilter pnseclvl".split()
)
_TABLES = frozenset({"fonttbl", "stylesheet"})  # read for fonts' code pages and styles' names
_APART = frozenset({"footnote", "shpinst"})  # read apart: notes; a text box's paragraphs
_LABELS = frozenset({"listtext", "pntext"})  # a list item's number or bullet
_DESTINATIONS = _SKIPPED | _TABLES | _APART | _LABELS
_CHARACTERS = {
    "tab": " ", "emspace": " ", "enspace": " ", "qmspace": " ", "line": "\n",
    "emdash": "\u2014", "endash": "\u2013", "bullet": "\u2022", "lquote": "\u2018",
    "rquote": "\u2019", "ldblquote": "\u201c", "rdblquote": "\u201d",
}  # fmt: skip
_SYMBOLS = {"~": "\u00a0", "_": "-", "-": "", "\\": "\\", "{": "{", "}": "}"}
_CHARSET_CODE_PAGES = {
    128: "cp932", 129: "cp949", 134: "gbk", 136: "cp950", 161: "cp1253", 162: "cp1254",
    163: "cp1258", 177: "cp1255", 178: "cp1256", 186: "cp1257", 204: "cp1251", 222: "cp874",
    238: "cp1250",
}  # fmt: skip
_TABLE_OF_CONTENTS = re.compile(r"toc \d", re.I)  # Word's styles of a contents' entries


@dataclass(frozen=True)
class _Group:
    """What a group inherits and gets back when it ends (RTF scopes formatting by group)."""

    destination: str = ""  # the innermost destination this group is in ("" for the body)
    opened: str = ""  # the destination this group itself opened
    starred: bool = False  # after \*: the next word names a destination to skip if unknown
    skip: bool = False
    hidden: bool = False  # \v hidden text, \deleted tracked deletion
    font: int = -1
    style: int = 0
    outline: int | None = None
    in_table: bool = False
    unicode_skip: int = 1  # \ucN: fallback characters after each \uN


@dataclass
class _Sink:
    """Where text goes: the body, a footnote or a text box."""

    blocks: list[str]
    text: list[str]  # the paragraph being read
    cells: list[str]  # the table row being read


class _Reader:
    def __init__(self) -> None:
        self.code_page = "cp1252"
        self.font_code_pages: dict[int, str] = {}
        self.style_names: dict[int, str] = {}
        self.style_outlines: dict[int, int] = {}
        self.notes: list[str] = []
        self.after_paragraph: list[str] = []  # text boxes, placed after their anchor's paragraph
        self.sink = _Sink([], [], [])
        self.outer: list[_Sink] = []  # the sinks a footnote or text box interrupted
        self.pending = bytearray()  # \'hh bytes not yet decoded (a GBK character is two)
        self.pending_code_page = "cp1252"
        self.defined = 0  # the font or style being defined in fonttbl / stylesheet
        self.label_at = 0  # where the list label being read starts in sink.text
        self.to_skip = 0  # fallback characters left after \uN
        self.group = _Group()
        self.stack: list[_Group] = []

    def read(self, source: str) -> list[str]:
        """The blocks of the document (source: the file's bytes as Latin-1)."""
        at = 0
        while m := _TOKEN.match(source, at):
            at = m.end()
            word, parameter, hex_byte, symbol, brace, chars = m.groups()
            if hex_byte is not None:
                self._byte(int(hex_byte, 16))
                continue
            self._decode_pending()
            if word is not None:
                number = int(parameter) if parameter is not None else None
                if word == "bin" and number:  # raw bytes (a picture's): not text
                    at += max(number, 0)
                else:
                    self._control(word, number)
            elif symbol is not None:
                self._symbol(symbol)
            elif brace == "{":
                self._open()
            elif brace == "}":
                self._close()
                if not self.stack:
                    break  # the document's group is closed: what follows (a NUL, say) is not text
            elif chars is not None:
                self._chars(chars)
        self._decode_pending()
        self._end_paragraph()
        self._end_row()
        return [*self.sink.blocks, *self.after_paragraph]

    # ---------------------------------------------------------------- groups and destinations

    def _open(self) -> None:
        if len(self.stack) >= MAX_DEPTH:
            raise UnreadableFileError(
                f"it nests groups deeper than {MAX_DEPTH}, which no word processor writes; "
                "open it and save it again, or convert it to text"
            )
        self.stack.append(self.group)
        self.group = replace(self.group, opened="", starred=False)
        if self.group.destination in _TABLES:
            self.defined = 0  # a style without \sN is style 0, "Normal"

    def _close(self) -> None:
        if not self.stack:
            return  # a brace too many: what was read stands
        ended = self.group
        if ended.opened in _APART and not ended.skip:
            self._end_paragraph()
            self._end_row()
            blocks, self.sink = self.sink.blocks, self.outer.pop()
            if ended.opened == "footnote":
                self.notes.append(" ".join(blocks))
            else:
                self.after_paragraph += blocks
        elif ended.opened in _LABELS and not ended.skip:
            label = "".join(self.sink.text[self.label_at :]).strip()
            del self.sink.text[self.label_at :]
            if any(c.isalnum() for c in label):  # "1." or "(a)", not a bullet glyph
                self.sink.text.append(label + " ")
        self.group = self.stack.pop()

    def _destination(self, word: str) -> None:
        skip = self.group.skip or word in _SKIPPED
        if self.group.starred and word not in _DESTINATIONS:
            skip = True  # an optional destination this reader does not know
        self.group = replace(self.group, destination=word, opened=word, starred=False, skip=skip)
        if skip:
            return
        if word in _APART:
            self.outer.append(self.sink)
            self.sink = _Sink([], [], [])
            self.group = replace(self.group, style=0, outline=None, in_table=False)
        elif word in _LABELS:
            self.label_at = len(self.sink.text)

    # ---------------------------------------------------------------- control words

    def _control(self, word: str, number: int | None) -> None:
        group = self.group
        if group.starred or word in _DESTINATIONS:
            self._destination(word)
        elif word == "ansicpg" and number:
            self.code_page = f"cp{number}"
        elif word == "uc" and number is not None:
            self.group = replace(group, unicode_skip=max(number, 0))
        elif word == "u" and number is not None:
            self._emit(chr(number % 65536))  # surrogate pairs are joined in rtf_to_text
            self.to_skip = group.unicode_skip
        elif group.skip:
            return
        elif group.destination in _TABLES:
            self._define(word, number)
        elif word in ("v", "deleted"):
            self.group = replace(group, hidden=number != 0)
        elif word == "plain":
            self.group = replace(group, hidden=False)
        elif word == "f" and number is not None:
            self.group = replace(group, font=number)
        elif word == "pard":
            self.group = replace(group, style=0, outline=None, in_table=False)
        elif word == "s" and number is not None:
            self.group = replace(group, style=number)
        elif word == "outlinelevel" and number is not None:
            self.group = replace(group, outline=number)
        elif word == "intbl":
            self.group = replace(group, in_table=True)
        elif word in ("par", "sect", "page"):
            self._end_paragraph()
        elif word in ("cell", "nestcell"):
            self.sink.cells.append(self._take_text())
        elif word == "row":
            self._end_row()
        elif word in _CHARACTERS:
            self._emit(_CHARACTERS[word])

    def _define(self, word: str, number: int | None) -> None:
        """A font's code page (fonttbl) or a style's number and outline level (stylesheet)."""
        if word in ("f", "s") and number is not None:
            self.defined = number
        elif word == "fcharset" and number in _CHARSET_CODE_PAGES:
            self.font_code_pages[self.defined] = _CHARSET_CODE_PAGES[number]
        elif word == "cpg" and number:
            self.font_code_pages[self.defined] = f"cp{number}"
        elif word == "outlinelevel" and number is not None:
            self.style_outlines[self.defined] = number

    def _symbol(self, symbol: str) -> None:
        if symbol == "*":
            self.group = replace(self.group, starred=True)
        elif symbol in "\r\n":  # a backslash before a line end is \par
            self._control("par", None)
        elif symbol in _SYMBOLS:
            self._emit(_SYMBOLS[symbol])

    # ---------------------------------------------------------------- text

    def _chars(self, chars: str) -> None:
        if self.to_skip:
            skipped = min(self.to_skip, len(chars))
            chars, self.to_skip = chars[skipped:], self.to_skip - skipped
        if self.group.destination == "stylesheet" and not self.group.skip:
            name = self.style_names.get(self.defined, "") + chars
            self.style_names[self.defined] = name.split(";")[0]
        elif chars.isascii():
            self._emit(chars)
        else:  # 8-bit bytes written raw: characters of the code page, as \'hh are
            for byte in chars.encode("latin-1"):
                self._byte(byte)

    def _byte(self, byte: int) -> None:
        if self.to_skip:
            self.to_skip -= 1
            return
        code_page = self.font_code_pages.get(self.group.font, self.code_page)
        if self.pending and code_page != self.pending_code_page:
            self._decode_pending()
        self.pending.append(byte)
        self.pending_code_page = code_page

    def _decode_pending(self) -> None:
        if self.pending:
            try:
                text = self.pending.decode(self.pending_code_page, "replace")
            except LookupError:  # a code page Python does not know
                text = self.pending.decode("cp1252", "replace")
            self.pending.clear()
            self._emit(text)

    def _emit(self, text: str) -> None:
        group = self.group
        if not (group.skip or group.hidden or group.destination in _TABLES):
            self.sink.text.append(text)

    def _take_text(self) -> str:
        text, self.sink.text = "".join(self.sink.text), []
        return " ".join(text.split())

    def _end_paragraph(self) -> None:
        if self.group.in_table:  # a paragraph inside a cell: the cell goes on
            self.sink.text.append(" ")
            return
        lines = "".join(self.sink.text).split("\n")
        self.sink.text = []
        text = "\n".join(" ".join(line.split()) for line in lines).strip()
        style = self.style_names.get(self.group.style, "")
        if text and not _TABLE_OF_CONTENTS.fullmatch(style.strip()):
            prefix = self._heading(style)
            self.sink.blocks.append(prefix + " ".join(text.split()) if prefix else literal(text))
        if not self.outer:
            self.sink.blocks += self.after_paragraph
            self.after_paragraph = []

    def _heading(self, style: str) -> str:
        """'## ' and so on for a heading paragraph (its style, or its outline level), else ''."""
        if prefix := heading_prefix(style):
            return prefix
        outline = self.group.outline
        if outline is None:
            outline = self.style_outlines.get(self.group.style)
        return "#" * min(outline + 2, 6) + " " if outline is not None and 0 <= outline < 9 else ""

    def _end_row(self) -> None:
        if "".join(self.sink.text).strip():
            self.sink.cells.append(self._take_text())
        self.sink.text = []
        if cells := [c for c in self.sink.cells if c]:
            self.sink.blocks.append(table_row(dict.fromkeys(cells)))
        self.sink.cells = []


def rtf_to_text(data: bytes) -> Converted:
    """The text of an .rtf file given as bytes; raises UnreadableFileError naming what is wrong.

    Example: rtf_to_text(rb"{\\rtf1\\ansi{\\stylesheet{\\s1 heading 1;}}"
    rb"{\\pard\\s1 Rules\\par}{\\pard Dock early.\\par}}").text -> '## Rules\\n\\nDock early.\\n'
    """
    if not data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        raise UnreadableFileError(
            f"not an RTF file: it starts {data[:8]!r}, not {{\\rtf; if it is another kind of "
            "file, give it that kind's suffix"
        )
    reader = _Reader()
    blocks = reader.read(data.decode("latin-1"))  # RTF is 7-bit: other bytes are read as \'hh
    if notes := [literal(note) for note in reader.notes if note.strip()]:
        blocks += ["## Notes", *notes]
    text = join_blocks(blocks)
    # \uN gives a character beyond U+FFFF as two surrogates: join them (a lone one becomes U+FFFD)
    return Converted(text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace"))
