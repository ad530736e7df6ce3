"""Word files as a member sends them: a .docx with the article's paragraphs (python-docx)."""

from __future__ import annotations

from pathlib import Path

import docx


def docx_file(path: Path, *paragraphs: str) -> Path:
    """A .docx at ``path`` holding ``paragraphs``, one each."""
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path
