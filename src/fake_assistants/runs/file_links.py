"""Files that code_interpreter generates, as the answer shows them: `sandbox:/mnt/data/<name>` links with
`file_path` annotations, and the message's `attachments`.

The real answers linked a generated file in markdown, `[Download the CSV](sandbox:/mnt/data/data.csv)`,
with a `file_path` annotation whose `text` is the sandbox path and whose indexes slice exactly that path
out of the message text. The fake annotates every occurrence of a generated file's path in the scripted
reply; a file the reply does not mention gets a link of its own, appended as a new paragraph.
"""

from __future__ import annotations

from ..core.types import Json
from ..model.run_progress import GeneratedFile


def link(text: str, annotations: list[Json], files: list[GeneratedFile]) -> tuple[str, list[Json]]:
    """`text` with a link to each generated file, and `annotations` plus their `file_path` ones, by position."""
    for generated in files:
        if generated.sandbox_path not in text:
            text += f"\n\n[{generated.filename}]({generated.sandbox_path})"
    found = [annotation for generated in files for annotation in _occurrences(text, generated)]
    return text, sorted([*annotations, *found], key=lambda a: a["start_index"])


def _occurrences(text: str, generated: GeneratedFile) -> list[Json]:
    path = generated.sandbox_path
    annotations: list[Json] = []
    start = text.find(path)
    while start != -1:
        annotations.append({
            "type": "file_path", "text": path, "start_index": start, "end_index": start + len(path),
            "file_path": {"file_id": generated.file_id},
        })
        start = text.find(path, start + len(path))
    return annotations


def attachments(files: list[GeneratedFile]) -> list[Json]:
    """What the answer's `attachments` list: each generated file, for code_interpreter."""
    return [{"file_id": f.file_id, "tools": [{"type": "code_interpreter"}]} for f in files]
