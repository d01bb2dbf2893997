"""Turning file bytes into chunks, with the documented strategies (auto = static 800/400)."""

from __future__ import annotations

from .resources import Json

AUTO_STRATEGY: Json = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}
CHARS_PER_TOKEN = 4
TEXT_EXTENSIONS = frozenset({
    "c", "cpp", "cs", "css", "csv", "doc", "docx", "go", "html", "java", "js", "json", "md", "pdf", "php",
    "pptx", "py", "rb", "sh", "tex", "ts", "txt",
})


def is_supported(filename: str) -> bool:
    return "." in filename and filename.rsplit(".", 1)[1].lower() in TEXT_EXTENSIONS


def chunk_text(data: bytes, strategy: Json) -> list[str]:
    """Fixed-size windows of `max_chunk_size_tokens` overlapping by `chunk_overlap_tokens`."""
    text = data.decode("utf-8", "replace")
    size = strategy["static"]["max_chunk_size_tokens"] * CHARS_PER_TOKEN
    step = max(1, size - strategy["static"]["chunk_overlap_tokens"] * CHARS_PER_TOKEN)
    if len(text) <= size:
        return [text] if text else []
    return [text[start:start + size] for start in range(0, len(text) - size + step, step)]
