"""Test data for the website pages: pictures made in memory, and attachments stored the way
the mail intake stores them (table ``attachment``, files under ``attachments/`` beside the
database) — the contract of SPEC.md's Mail intake, built here until the intake lands."""

from __future__ import annotations

import hashlib
import sqlite3
import struct
import zlib
from pathlib import Path

# the mail intake's table as its contract names it; IF NOT EXISTS: once the intake's own
# migration creates it, this only inserts
ATTACHMENT_TABLE = """
CREATE TABLE IF NOT EXISTS attachment (
    id INTEGER PRIMARY KEY,
    intake_id INTEGER,
    submission_id INTEGER REFERENCES submission(id),
    file_name TEXT NOT NULL,
    path TEXT NOT NULL,
    content_type TEXT,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL
)
"""


def png(width: int, height: int, seed: int = 0) -> bytes:
    """A real PNG picture (a coloured gradient with a band), made without any library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            band = (y * 5 // height) % 2 == 1
            r = (x * 255 // max(width - 1, 1) + seed * 70) % 256
            g = (y * 255 // max(height - 1, 1)) % 256
            b = 60 if band else 180
            row += bytes((r, g, b))
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG from its header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def add_attachment(
    db: Path,
    submission_id: int | None,
    file_name: str,
    data: bytes,
    content_type: str = "image/png",
    *,
    rel: str | None = None,
    sha256: str | None = None,
) -> Path:
    """Store one attachment as the mail intake would; returns the file's path."""
    root = db.parent / "attachments"
    conn = sqlite3.connect(db)
    try:
        conn.execute(ATTACHMENT_TABLE)
        n = conn.execute("SELECT count(*) + 1 FROM attachment").fetchone()[0]
        rel = rel or f"{n}/{file_name}"
        path = root / rel
        if rel.startswith(".."):
            path = (root / rel).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        conn.execute(
            "INSERT INTO attachment (intake_id, submission_id, file_name, path, content_type,"
            " size, sha256) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                n,
                submission_id,
                file_name,
                rel,
                content_type,
                len(data),
                sha256 or hashlib.sha256(data).hexdigest(),
            ),
        )
        conn.commit()
    finally:
        conn.close()
    return path
