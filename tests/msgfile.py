"""Outlook ``.msg`` files for the intake tests, written as real OLE compound files.

olefile (what svcmonth reads them with) cannot write, and the writers of .msg files on PyPI
are GPL; so this is a minimal Compound File Binary writer ([MS-CFB] version 3: 512-byte
sectors, a mini stream of 64-byte sectors for streams under 4096 bytes, one FAT chain per
stream, directory entries linked as right-sibling chains, all black) and the property
layout of [MS-OXMSG] that Outlook writes when a message is dragged out:

- ``__substg1.0_0037001F`` subject, ``__substg1.0_0C1F001F`` sender e-mail,
  ``__substg1.0_0C1A001F`` sender name, ``__substg1.0_1000001F`` plain body,
  ``__substg1.0_1035001F`` Internet Message-ID (all UTF-16LE, no terminator);
- ``__properties_version1.0``: a 32-byte header (reserved 8, next recipient id, next
  attachment id, recipient count, attachment count, reserved 8), then 16-byte entries
  ``tag, flags, value``: ``0E060040`` PR_MESSAGE_DELIVERY_TIME and ``00390040``
  PR_CLIENT_SUBMIT_TIME as FILETIMEs (100 ns ticks since 1601-01-01 UTC);
- ``__attach_version1.0_#00000000`` storages with ``__substg1.0_3707001F`` long file name,
  ``__substg1.0_3704001F`` 8.3 name and ``__substg1.0_37010102`` the file's bytes, and
  their own ``__properties_version1.0`` (an 8-byte header).
"""

from __future__ import annotations

import struct
from datetime import UTC, datetime

SECTOR, MINI, CUTOFF = 512, 64, 4096
FREE, END, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def filetime(when: datetime) -> bytes:
    ticks = int((when - datetime(1601, 1, 1, tzinfo=UTC)).total_seconds() * 10_000_000)
    return struct.pack("<Q", ticks)


def properties(entries: dict[int, bytes], header: int = 32, attachments: int = 0) -> bytes:
    head = bytearray(header)
    if header == 32:
        struct.pack_into("<IIII", head, 8, 0, attachments, 0, attachments)
    body = b"".join(struct.pack("<II", tag, 6) + value for tag, value in entries.items())
    return bytes(head) + body


def msg_file(
    *,
    subject: str,
    sender: str,
    sender_name: str = "",
    body: str = "",
    delivered: datetime | None = None,
    submitted: datetime | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, bytes]] = (),  # type: ignore[assignment]
) -> bytes:
    """The bytes of a ``.msg`` file holding one message."""

    def text(value: str) -> bytes:
        return value.encode("utf-16-le")

    fixed = {}
    if delivered is not None:
        fixed[0x0E060040] = filetime(delivered)
    if submitted is not None:
        fixed[0x00390040] = filetime(submitted)
    tree: dict[str, object] = {
        "__substg1.0_0037001F": text(subject),
        "__substg1.0_0C1F001F": text(sender),
        "__substg1.0_1000001F": text(body),
        "__properties_version1.0": properties(fixed, attachments=len(attachments)),
    }
    if sender_name:
        tree["__substg1.0_0C1A001F"] = text(sender_name)
    if message_id:
        tree["__substg1.0_1035001F"] = text(message_id)
    for n, (name, data) in enumerate(attachments):
        tree[f"__attach_version1.0_#{n:08X}"] = {
            "__substg1.0_3707001F": text(name),
            "__substg1.0_3704001F": text(name[-12:]),
            "__substg1.0_37010102": data,
            "__properties_version1.0": properties({}, header=8),
        }
    return compound_file(tree)


def compound_file(tree: dict[str, object]) -> bytes:
    """A CFB v3 file of ``tree`` (name → bytes for a stream, → dict for a storage)."""
    entries: list[dict[str, object]] = [{"name": "Root Entry", "type": 5, "kids": []}]

    def add(items: dict[str, object], parent: int) -> None:
        for name, value in items.items():
            index = len(entries)
            entry: dict[str, object] = {"name": name, "kids": []}
            entries.append(entry)
            entries[parent]["kids"].append(index)  # type: ignore[attr-defined]
            if isinstance(value, dict):
                entry["type"] = 1
                add(value, index)
            else:
                entry["type"], entry["data"] = 2, value

    add(tree, 0)
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes, marker: int | None = None) -> int:
        if not data:
            return END
        first = len(sectors)
        count = (len(data) + SECTOR - 1) // SECTOR
        for i in range(count):
            sectors.append(data[i * SECTOR : (i + 1) * SECTOR].ljust(SECTOR, b"\0"))
            fat.append(marker if marker is not None else (first + i + 1 if i < count - 1 else END))
        return first

    mini = bytearray()
    minifat: list[int] = []
    for entry in entries:
        data = entry.get("data")
        if data is None:
            continue
        assert isinstance(data, bytes)
        if len(data) >= CUTOFF:
            entry["start"] = chain(data)
        elif data:
            first = len(mini) // MINI
            count = (len(data) + MINI - 1) // MINI
            mini += data.ljust(count * MINI, b"\0")
            minifat += [first + i + 1 if i < count - 1 else END for i in range(count)]
            entry["start"] = first
        else:
            entry["start"] = END
        entry["size"] = len(data)
    entries[0]["start"] = chain(bytes(mini)) if mini else END
    entries[0]["size"] = len(mini)
    minifat_start = chain(b"".join(struct.pack("<I", v) for v in minifat)) if minifat else END

    for entry in entries:  # siblings as a right-linked chain under their parent
        kids = entry["kids"]
        assert isinstance(kids, list)
        entry["child"] = kids[0] if kids else NOSTREAM
        for a, b in zip(kids, kids[1:], strict=False):
            entries[a]["right"] = b
    directory = b""
    for entry in entries:
        name = str(entry["name"]).encode("utf-16-le") + b"\0\0"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            entry["type"],
            1,  # black
            NOSTREAM,
            entry.get("right", NOSTREAM),
            entry["child"],
            b"\0" * 16,
            0,
            0,
            0,
            entry.get("start", END) if entry["type"] != 1 else 0,
            entry.get("size", 0),
        )
    unused = struct.pack(
        "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0
    )
    while len(directory) % SECTOR:
        directory += unused
    directory_start = chain(directory)
    # the FAT's own sectors: enough for every sector including themselves
    n_fat = 1
    while (len(sectors) + n_fat) > n_fat * (SECTOR // 4):
        n_fat += 1
    fat_start = len(sectors)
    fat += [FATSECT] * n_fat
    table = fat + [FREE] * (n_fat * (SECTOR // 4) - len(fat))
    packed = struct.pack(f"<{len(table)}I", *table)
    for i in range(n_fat):
        sectors.append(packed[i * SECTOR : (i + 1) * SECTOR])
    assert n_fat <= 109
    difat = [fat_start + i for i in range(n_fat)] + [FREE] * (109 - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        n_fat,
        directory_start,
        0,
        CUTOFF,
        minifat_start,
        -(-len(minifat) * 4 // SECTOR) if minifat else 0,
        END,
        0,
    ) + struct.pack("<109I", *difat)
    return header + b"".join(sectors)
