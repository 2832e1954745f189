"""Hostile workbooks built for a test: a real openpyxl workbook, then zip surgery."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl

HEADER = ["期次", "单位编码", "测评点编码", "结果"]
SHEET = "xl/worksheets/sheet1.xml"


def small_workbook(rows: list[list[object]] | None = None, title: str = "测评结果") -> bytes:
    """A plain results workbook: the header and the given rows (one row of the worked example by default)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    ws.append(HEADER)
    for row in rows if rows is not None else [["2024Q1", "C01", "D1.1.1", "1"]]:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite(data: bytes, edit: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    """The workbook with each part passed through ``edit`` (None drops it), plus ``extra`` parts."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename.startswith("xl/theme/") or info.filename.startswith("docProps/"):
                continue  # not needed by any reader; keeps the file as small as the 2 KB
            part = edit(info.filename, zin.read(info.filename))
            if part is not None:
                zout.writestr(info.filename, part)
        for name, part in (extra or {}).items():
            zout.writestr(name, part)
    return out.getvalue()


def with_rows(xml: bytes, data: bytes | None = None, *, dimension: bytes | None = None) -> bytes:
    """The small workbook with ``xml`` added at the end of its sheet's cells (and its dimension replaced)."""

    def edit(name: str, part: bytes) -> bytes:
        if name != SHEET:
            return part
        part = part.replace(b"</sheetData>", xml + b"</sheetData>")
        if dimension is not None:
            start = part.index(b"<dimension ")
            part = part[:start] + b'<dimension ref="' + dimension + b'"/>' + part[part.index(b"/>", start) + 2 :]
        return part

    return rewrite(data or small_workbook(), edit)


def bomb() -> bytes:
    """The issue's 2 KB workbook: a header, one row, and one cell at XFD1048576."""
    return with_rows(b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>')


def shared_string_bomb(path: Path, size: int) -> Path:
    """A workbook whose one shared string is ``size`` bytes of 'x', written in a stream (never held)."""
    base = rewrite(small_workbook(), lambda n, p: p)
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            part = zin.read(info.filename)
            if info.filename == SHEET:
                part = part.replace(b'<c r="D2" t="inlineStr"><is><t>1</t></is></c>', b'<c r="D2" t="s"><v>0</v></c>')
            if info.filename == "xl/_rels/workbook.xml.rels":
                part = part.replace(b"</Relationships>", b'<Relationship Id="rId9" Type="http://schemas.openxmlformats'
                                    b'.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                                    b"</Relationships>")  # fmt: skip
            zout.writestr(info.filename, part)
        with zout.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            block = b"x" * 2**20
            for start in range(0, size, len(block)):
                f.write(block[: size - start])
            f.write(b"</t></si></sst>")
    return path


def understated(data: bytes, part: str = SHEET) -> bytes:
    """The workbook with ``part``'s declared size made smaller than what its data inflates to:
    a reader trusting the directory would be misled."""
    buf = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(part)
    smaller = struct.pack("<I", max(info.file_size // 4, 1))
    buf[info.header_offset + 22 : info.header_offset + 26] = smaller  # the local header's size
    end = buf.rindex(b"PK\x05\x06")
    at = struct.unpack("<I", buf[end + 16 : end + 20])[0]  # the central directory's start
    while at < end:
        n, m, k = struct.unpack("<HHH", buf[at + 28 : at + 34])
        if bytes(buf[at + 46 : at + 46 + n]).decode() == part:
            buf[at + 24 : at + 28] = smaller
            return bytes(buf)
        at += 46 + n + m + k
    raise AssertionError(f"{part} not in the central directory")
