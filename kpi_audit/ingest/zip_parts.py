"""Where an Office workbook keeps its sheets: the workbook part lists each sheet with a
relationship id, and the workbook's ``.rels`` part maps that id to the sheet's part.
Read with two regular expressions, not an XML parser: these parts are small and
written by the same few programs, and what is found here only bounds what calamine
will read (limits.py), it is never the data."""

from __future__ import annotations

import html
import re
import zipfile

_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
# name="value", as Office writes its package parts (always double quotes)
ATTRIBUTE = re.compile(rb'([\w:]+)="([^"]*)"')


def relationship_targets(rels: bytes) -> dict[bytes, str]:
    """Relationship id → the part it names (under xl/), from a workbook's .rels part."""
    targets: dict[bytes, str] = {}
    for rel in _RELATIONSHIP.findall(rels):
        attrs = dict(ATTRIBUTE.findall(rel))
        target = attrs.get(b"Target", b"").decode("utf-8", "replace")
        target = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        targets[attrs.get(b"Id", b"")] = target
    return targets


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its XML part, from xl/workbook.xml and its relationships (.xlsx and
    .xlsm; an .xlsb lists its sheets in binary records: xlsb_extent.xlsb_sheet_parts)."""
    names = set(book.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return {}
    targets = relationship_targets(book.read("xl/_rels/workbook.xml.rels"))
    parts: dict[str, str] = {}
    for sheet in _SHEET.findall(book.read("xl/workbook.xml")):
        attrs = dict(ATTRIBUTE.findall(sheet))
        rid = next((v for k, v in attrs.items() if k.endswith(b":id")), b"")
        part = targets.get(rid)
        if part in names:
            # an XML attribute: 东县&amp;西县 is the sheet calamine calls 东县&西县
            name = html.unescape(attrs.get(b"name", b"?").decode("utf-8", "replace"))
            parts[name] = part
    return parts
