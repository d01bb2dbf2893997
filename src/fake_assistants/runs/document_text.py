"""The text file_search reads from a File: its bytes for text and source files, the extracted text of a document.

The real service extracted the text of the files file_search supports (the documented list: `.c .cpp .cs
.css .doc .docx .go .html .java .js .json .md .pdf .php .pptx .py .rb .sh .tex .ts .txt`) and failed the
others with `unsupported_file`. The fake reads:

- text and source files (`.txt .md .json .tex .py ...`) as they are: their bytes are their text;
- `.html` with the standard library's parser: the text without markup, scripts or styles, a line per block;
- `.pdf`, `.docx` and `.pptx` with pypdf, python-docx and python-pptx, the optional extra
  `fake-assistants[documents]`; without it, ingestion fails with a `last_error` naming the extra;
- `.doc` (Word 97-2003, binary) best effort: the runs of readable text in the file (no library reads it).

A document that cannot be read (corrupt, encrypted) fails ingestion with `invalid_file` and a clear message.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from typing import Final

from ..core.wire import is_utf8
from ..model.file import StoredFile
from ..model.vector_store import VectorStoreFile

# Read as they are (UTF-8; a broken byte reads as U+FFFD).
TEXT_EXTENSIONS: Final = frozenset({
    "c", "cpp", "cs", "css", "go", "java", "js", "json", "md", "php", "py", "rb", "sh", "tex", "ts", "txt",
})
# Extracted: extension -> the library that reads it (None: the standard library or the fake itself).
DOCUMENT_EXTENSIONS: Final[dict[str, str | None]] = {
    "html": None, "doc": None, "pdf": "pypdf", "docx": "python-docx", "pptx": "python-pptx",
}
SUPPORTED_EXTENSIONS: Final = TEXT_EXTENSIONS | DOCUMENT_EXTENSIONS.keys()
EXTRA = "documents"
UNSUPPORTED_MESSAGE = "The file type is not supported."  # (real) ERRORS.md #25


class Unreadable(Exception):
    """Why a File's text could not be read: a vector-store file's `last_error` {code, message}."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[1].lower() if "." in filename else ""


def is_supported(filename: str) -> bool:
    return extension(filename) in SUPPORTED_EXTENSIONS


def is_document(filename: str) -> bool:
    """Whether the text is extracted (else the File's bytes are its text)."""
    return extension(filename) in DOCUMENT_EXTENSIONS


def text_of(filename: str, data: bytes) -> bytes:
    """The UTF-8 text file_search reads from a File named `filename` holding `data` (for a text file, `data`
    itself: no copy). Raises `Unreadable` for a type file_search does not read, a document whose library is
    not installed, and a document that cannot be read."""
    kind = extension(filename)
    if kind in TEXT_EXTENSIONS:
        return data
    reader = _READERS.get(kind)
    if reader is None:
        raise Unreadable("unsupported_file", UNSUPPORTED_MESSAGE)
    try:
        text = reader(data)
    except Unreadable:
        raise
    except ImportError as missing:  # the optional extra is not installed
        library = DOCUMENT_EXTENSIONS[kind] or str(missing.name)
        raise Unreadable("server_error", (
            f"fake-assistants reads .{kind} files with {library}, which is not installed: "
            f"pip install 'fake-assistants[{EXTRA}]'")) from missing
    except Exception as broken:  # the libraries raise many kinds of errors for a damaged file
        raise Unreadable("invalid_file", f"The file could not be parsed as a .{kind} document: "
                                         f"{type(broken).__name__}: {broken}"[:500]) from broken
    return _tidy(text).encode("utf-8")


def searchable(vs_file: VectorStoreFile, stored: StoredFile) -> bytes:
    """The text a completed vector-store file is searched and chunked in: its extracted text (kept when
    ingestion completed), else the File's bytes; a document loaded as completed from a seed is read now
    (nothing when it cannot be)."""
    if vs_file.text is not None:
        return vs_file.text.encode("utf-8")
    return file_text(stored)


def file_text(stored: StoredFile) -> bytes:
    """A File's text as `text_of` reads it, or nothing when it cannot be read."""
    if not is_document(stored.filename):
        return stored.data
    try:
        return text_of(stored.filename, stored.data)
    except Unreadable:
        return b""


# -- the readers -------------------------------------------------------------------------------------------


def _pdf(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:  # a PDF encrypted with an empty user password opens without one, as in any viewer
            opened = reader.decrypt("")
        except Exception as failure:  # e.g. AES without the `cryptography` package
            message = f"The file could not be parsed because it is encrypted ({failure})."
            raise Unreadable("invalid_file", message) from failure
        if not opened:
            raise Unreadable("invalid_file", "The file could not be parsed because it is encrypted.")
    return "\n\n".join(page.extract_text() or "" for page in reader.pages)


def _docx(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _pptx(data: bytes) -> str:
    from pptx import Presentation

    presentation = Presentation(io.BytesIO(data))
    slides = []
    for slide in presentation.slides:
        texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
        slides.append("\n".join(texts))
    return "\n\n".join(slides)


_READABLE_RUN = re.compile(rb"[\x20-\x7e\t\r\n]{6,}")
_READABLE_RUN_UTF16 = re.compile(rb"(?:[\x20-\x7e\t\r\n]\x00){6,}")


def _doc(data: bytes) -> str:
    """Word 97-2003: the runs of readable text (8-bit or UTF-16), in file order."""
    found = [(m.start(), m.group().decode("utf-16-le")) for m in _READABLE_RUN_UTF16.finditer(data)]
    if not found:
        found = [(m.start(), m.group().decode("latin-1")) for m in _READABLE_RUN.finditer(data)]
    return "\n".join(text for _, text in sorted(found))


class _HtmlText(HTMLParser):
    BLOCKS: Final = frozenset({
        "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption", "footer",
        "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre",
        "section", "table", "td", "th", "tr", "ul",
    })
    HIDDEN: Final = frozenset({"script", "style", "template", "noscript", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self.hidden += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _html(data: bytes) -> str:
    parser = _HtmlText()
    parser.feed(data.decode("utf-8", "replace"))
    parser.close()
    return "".join(parser.parts)


_READERS = {"pdf": _pdf, "docx": _docx, "pptx": _pptx, "doc": _doc, "html": _html}


_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _tidy(text: str) -> str:
    """Runs of spaces as one, lines trimmed, blank lines as one; a lone surrogate (a PDF whose ToUnicode map
    points to half of a UTF-16 pair, which pypdf hands on) as U+FFFD, the replacement character."""
    if not is_utf8(text):
        text = _SURROGATE.sub("\ufffd", text)
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
