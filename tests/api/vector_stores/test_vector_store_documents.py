"""file_search reads documents, not bytes, through the real SDK: the text of a PDF, a DOCX, a PPTX and an HTML
page (built here, in the test) is what is chunked, searched, counted in `usage_bytes` and shown as the file's
content; an unsupported type fails `unsupported_file`, a broken or encrypted document `invalid_file`, and without
the `documents` extra a document fails with a message naming it.

The PDFs are written by hand (`pdf_with`): a page whose content stream shows one line of Helvetica, with a
correct cross-reference table. That needs no PDF-writing library (pypdf writes structure, not text); pypdf
then compresses and encrypts copies of it. DOCX and PPTX files are made with python-docx and python-pptx.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from files_support import PLANETS, upload
from sdk_matrix import Sdk

SENTENCE = "The lighthouse keeper counted seventeen herons at dawn."
MARKUP = ("<", ">", "%PDF", " obj", "endstream", "/Font", "w:t", "a:t", "PK\x03\x04")


def one_page_pdf(content: bytes, *, to_unicode: bytes | None = None) -> bytes:
    """A one-page PDF whose content stream is `content`, in Helvetica (its ToUnicode map `to_unicode`, when
    given), uncompressed, with a correct xref table."""
    mapped = b"" if to_unicode is None else b" /ToUnicode 6 0 R"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica" + mapped
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        font + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    if to_unicode is not None:
        objects.append(b"<< /Length %d >>\nstream\n" % len(to_unicode) + to_unicode + b"endstream")
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def pdf_with(*lines: str) -> bytes:
    """A one-page PDF showing `lines`."""
    shown = b" ".join(b"(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
                      + b") Tj 0 -16 Td" for line in lines)
    return one_page_pdf(b"BT /F1 12 Tf 72 720 Td " + shown + b" ET")


def pdf_whose_a_reads_as(target: bytes) -> bytes:
    """A one-page PDF showing "AAA" in a font whose ToUnicode map reads "A" as the UTF-16 code `target` (hex):
    `<D800>`, half of a surrogate pair, is handed on by pypdf as a lone surrogate."""
    cmap = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CMapName /X def\n"
            b"1 begincodespacerange\n<00> <FF>\nendcodespacerange\n1 beginbfchar\n<41> " + target +
            b"\nendbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
    return one_page_pdf(b"BT /F1 12 Tf 10 10 Td (AAA) Tj ET", to_unicode=cmap)


def rewritten_pdf(data: bytes, *, user_password: str | None = None) -> bytes:
    """`data` rewritten by pypdf with compressed content streams (Flate), encrypted when a password is given."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    for page in writer.pages:
        page.compress_content_streams()
    if user_password is not None:
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx_with(*paragraphs: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading("Field notes", level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pptx_with(*bullets: str) -> bytes:
    from pptx import Presentation

    presentation = Presentation()
    slide = presentation.slides.add_slide(presentation.slide_layouts[1])
    slide.shapes.title.text = "Field notes"
    slide.placeholders[1].text_frame.text = "\n".join(bullets)
    out = io.BytesIO()
    presentation.save(out)
    return out.getvalue()


HTML = (b"<!doctype html><html><head><title>Notes</title><style>p { color: red; }</style>"
        b"<script>var x = '<b>';</script></head><body><h1>Field notes</h1><p>The lighthouse keeper counted "
        b"<b>seventeen</b> herons at dawn.</p></body></html>")


async def ingest(client: Sdk, name: str, data: bytes) -> tuple[Any, Any, Any]:
    """The File, its store, and the vector-store file once ingestion ended."""
    stored = await upload(client, name, data)
    store = await client.vector_stores.create(file_ids=[stored.id])
    done = await client.vector_stores.files.poll(stored.id, vector_store_id=store.id)
    return stored, store, done


def documents() -> list[Any]:
    pytest.importorskip("pypdf")
    pytest.importorskip("docx")
    pytest.importorskip("pptx")
    return [
        ("report.pdf", pdf_with("Field notes", SENTENCE)),
        ("compressed.pdf", rewritten_pdf(pdf_with("Field notes", SENTENCE))),
        ("no-password.pdf", rewritten_pdf(pdf_with("Field notes", SENTENCE), user_password="")),
        ("notes.docx", docx_with(SENTENCE)),
        ("slides.pptx", pptx_with(SENTENCE)),
        ("page.html", HTML),
    ]


@pytest.mark.parametrize("index", range(6), ids=["pdf", "compressed-pdf", "pdf-without-password", "docx", "pptx",
                                                 "html"])
async def test_a_document_is_searched_by_its_text(client: Sdk, index: int) -> None:
    name, data = documents()[index]

    stored, store, done = await ingest(client, name, data)
    page = await client.vector_stores.search(store.id, query=SENTENCE)

    assert (done.status, done.last_error) == ("completed", None)
    best = page.data[0]
    assert (best.file_id, best.filename, best.score) == (stored.id, name, 1.0)
    text = best.content[0].text
    assert SENTENCE in " ".join(text.split())
    assert "Field notes" in text
    assert not [mark for mark in MARKUP if mark in text], text
    assert done.usage_bytes == len(text.encode())  # the extracted text, not the File's bytes
    assert done.usage_bytes < len(data)
    content = await client.vector_stores.files.content(stored.id, vector_store_id=store.id)
    assert [part.text for part in content.data] == [text]


async def test_a_run_cites_the_document(client: Sdk) -> None:
    pytest.importorskip("pypdf")
    stored, store, _ = await ingest(client, "report.pdf", pdf_with(SENTENCE))
    assistant = await client.beta.assistants.create(
        model="gpt-4o", tools=[{"type": "file_search"}],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}})
    thread = await client.beta.threads.create(messages=[{"role": "user", "content": "What did the keeper count?"}])

    run = await client.beta.threads.runs.create_and_poll(
        thread_id=thread.id, assistant_id=assistant.id,
        include=["step_details.tool_calls[*].file_search.results[*].content"])

    steps = await client.beta.threads.runs.steps.list(
        run.id, thread_id=thread.id, order="asc", include=["step_details.tool_calls[*].file_search.results[*].content"])
    (result,) = steps.data[0].step_details.tool_calls[0].file_search.results
    assert (result.file_id, result.content[0].text) == (stored.id, SENTENCE)


async def test_chunks_follow_the_extracted_text(client: Sdk) -> None:
    pytest.importorskip("pypdf")
    lines = [f"Line {n} tells of herons." for n in range(40)]
    stored = await upload(client, "long.pdf", pdf_with(*lines))
    small: Any = {"type": "static", "static": {"max_chunk_size_tokens": 100, "chunk_overlap_tokens": 0}}
    store = await client.vector_stores.create(file_ids=[stored.id], chunking_strategy=small)
    await client.vector_stores.files.poll(stored.id, vector_store_id=store.id)

    page = await client.vector_stores.search(store.id, query="herons", max_num_results=50)

    texts = [r.content[0].text for r in page.data]
    assert len(texts) > 1 and all(len(t.encode()) <= 400 for t in texts)
    assert texts[0].startswith("Line 0 tells of herons.")
    vocabulary = {word for line in lines for word in line.split()}
    assert all(set(t.split()) <= vocabulary for t in texts)  # cut in the text, at whitespace, not in PDF syntax


@pytest.mark.parametrize(("name", "data"), [("image.png", b"\x89PNG\r\n\x1a\n"), ("sheet.xlsx", b"PK\x03\x04"),
                                            ("noextension", PLANETS)])
async def test_a_type_file_search_does_not_read_fails_unsupported_file(client: Sdk, name: str, data: bytes) -> None:
    _, store, done = await ingest(client, name, data)

    assert done.status == "failed"
    assert done.last_error.model_dump() == {"code": "unsupported_file", "message": "The file type is not supported."}
    assert done.usage_bytes == 0
    assert (await client.vector_stores.retrieve(store.id)).file_counts.failed == 1


async def test_a_broken_document_fails_invalid_file(client: Sdk) -> None:
    pytest.importorskip("pypdf")
    pytest.importorskip("docx")
    _, _, pdf = await ingest(client, "broken.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    _, _, docx = await ingest(client, "broken.docx", b"PK\x03\x04 not really a zip")

    for done, kind in ((pdf, "pdf"), (docx, "docx")):
        assert (done.status, done.last_error.code, done.usage_bytes) == ("failed", "invalid_file", 0)
        assert done.last_error.message.startswith(f"The file could not be parsed as a .{kind} document: ")


async def test_a_pdf_whose_text_holds_a_lone_surrogate_reads_it_as_the_replacement_character(client: Sdk) -> None:
    """pypdf hands on what a font's ToUnicode map says, half a surrogate pair included. That text could not be
    encoded: the store's every read then answered 500. It now reads as U+FFFD, as a text extractor shows it."""
    pytest.importorskip("pypdf", reason="reading PDFs needs the documents extra (pypdf)")
    store = await client.vector_stores.create(name="Odd fonts")
    odd = await client.vector_stores.files.upload_and_poll(vector_store_id=store.id,
                                                           file=("odd.pdf", pdf_whose_a_reads_as(b"<D800>")))
    assert odd.status == "completed"
    (content,) = (await client.vector_stores.files.content(odd.id, vector_store_id=store.id)).data
    assert content.text == "\ufffd" * 3
    assert (await client.vector_stores.retrieve(store.id)).file_counts.completed == 1
    assert [s.id for s in (await client.vector_stores.list()).data] == [store.id]
    assert [r.filename for r in (await client.vector_stores.search(store.id, query="anything")).data] == ["odd.pdf"]


async def test_an_encrypted_pdf_fails_invalid_file(client: Sdk) -> None:
    pytest.importorskip("pypdf")
    locked = rewritten_pdf(pdf_with(SENTENCE), user_password="secret")

    _, _, done = await ingest(client, "locked.pdf", locked)

    assert (done.status, done.usage_bytes) == ("failed", 0)
    assert done.last_error.model_dump() == {"code": "invalid_file",
                                            "message": "The file could not be parsed because it is encrypted."}


# -- without the extra ------------------------------------------------------------------------------------------

# A fresh interpreter (-I) in which the document libraries cannot be imported, installed or not; the documents
# are made by the test and handed over as hex on stdin.
WITHOUT_EXTRA = textwrap.dedent(
    """
    import importlib.abc, json, sys

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {"pypdf", "docx", "pptx"}:
                raise ModuleNotFoundError(f"No module named {name!r} (blocked)", name=name)
            return None

    sys.meta_path.insert(0, Blocker())
    from fake_assistants import FakeAssistants

    client = FakeAssistants(seed=0).openai_client()
    report = {}
    for name, data in json.loads(sys.stdin.read()).items():
        stored = client.files.create(file=(name, bytes.fromhex(data)), purpose="assistants")
        store = client.vector_stores.create(file_ids=[stored.id])
        done = client.vector_stores.files.poll(stored.id, vector_store_id=store.id)
        report[name] = [done.status, done.last_error and done.last_error.model_dump()]
    report["loaded"] = sorted(m for m in sys.modules if m.partition(".")[0] in {"pypdf", "docx", "pptx"})
    print(json.dumps(report))
    """
)


def test_without_the_extra_a_document_fails_naming_it(tmp_path: Path) -> None:
    pytest.importorskip("docx")
    pytest.importorskip("pptx")
    made = {"report.pdf": pdf_with(SENTENCE), "notes.docx": docx_with(SENTENCE), "slides.pptx": pptx_with(SENTENCE),
            "notes.txt": SENTENCE.encode(), "page.html": HTML}

    completed = subprocess.run(
        [sys.executable, "-I", "-c", WITHOUT_EXTRA], input=json.dumps({k: v.hex() for k, v in made.items()}),
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )

    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout.splitlines()[-1])
    for name, library in (("report.pdf", "pypdf"), ("notes.docx", "python-docx"), ("slides.pptx", "python-pptx")):
        status, error = report[name]
        assert (status, error["code"]) == ("failed", "server_error")
        kind = name.rsplit(".", 1)[1]
        assert error["message"] == (f"fake-assistants reads .{kind} files with {library}, which is not installed: "
                                    "pip install 'fake-assistants[documents]'")
    assert report["notes.txt"] == ["completed", None]  # text and HTML need no extra
    assert report["page.html"] == ["completed", None]
    assert report["loaded"] == []
