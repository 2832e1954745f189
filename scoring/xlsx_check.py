"""The bounded look at a workbook that runs before calamine or openpyxl sees it (issue 27).

First the zip's central directory, which costs no inflating: how many parts, how large each says
it is, how well it says it compresses. Then every part is inflated here, in chunks, never past the
size it declared (a part that inflates to more is refused: a reader trusting the directory would
be misled). Worksheets are scanned on the way for how far their cells reach, whatever the
``<dimension>`` says: the furthest ``r`` reference, written as any XML parser would take it, and
for cells or rows without one, how many there are (such a cell is placed one past the previous).
The same pass finds formulas that carry no cached value, which every reader would take as empty.

The scan errs on the side of refusing: a reference counts wherever it stands (an empty cell that
only carries a format, text that happens to read ``r="…"``), and a value longer than any real
reference (four letters, eight digits, leading zeros) counts as beyond every limit. A workbook
refused for a formatted far cell is told which cell, to delete what lies outside its table.

The scan is vectorised: per 4 MB chunk the text is upper-cased and blanks unified with one
``bytes.translate``, references are found with numpy comparisons and parsed from a fixed window
after each; nothing loops per cell in Python. Why this bounds calamine is in :mod:`scoring.limits`.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree import ElementTree

import numpy as np

from scoring.errors import InputError, Issue
from scoring.limits import (
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_MEMBER_BYTES,
    MAX_RATIO,
    MAX_RATIO_FROM,
    MAX_ROWS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEET_CELLS,
    MAX_SHEETS,
    MAX_TEXT_BYTES,
    MAX_TOTAL_BYTES,
    MAX_ZIP_MEMBERS,
    mib,
)

__all__ = ["FORMULAS_SHOWN", "SheetExtent", "check_xlsx", "column_letters"]

CHUNK = 16 * 2**20
MAX_TAG = 2**20  # a tag longer than this is no spreadsheet's; a chunk is cut only between tags
FORMULAS_SHOWN = 200  # formula cells listed one by one; the rest are counted
_WINDOW = 12  # bytes of a reference looked at: 3 letters, 7 digits and the quote
_HUGE = 10**12
_SMALL_PART = 16 * 2**20  # the workbook's own index (workbook.xml, its relationships) is a few KB

_BLANK_EQUALS = re.compile(rb"[ \t\n\r]*=[ \t\n\r]*")


def column_letters(n: int) -> str:
    """1 -> A, 16384 -> XFD."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass
class SheetExtent:
    """How far one worksheet's cells reach, and its formulas without a cached value."""

    part: str
    name: str
    file: str = ""
    max_row: int = 0
    max_col: int = 0
    cells: int = 0
    unplaced_cells: int = 0  # cells without an r reference
    unplaced_rows: int = 0
    widest_unplaced_row: int = 0
    furthest: str = ""  # the reference of the furthest cell, as a person writes it
    formulas: list[tuple[int, int]] = field(default_factory=list)  # (row, column) without a value
    formulas_unplaced: int = 0
    formula_count: int = 0

    @property
    def rows(self) -> int:
        """At most how many rows a reader places (a row without r follows the previous)."""
        return self.max_row + self.unplaced_rows

    @property
    def columns(self) -> int:
        return self.max_col + (self.widest_unplaced_row if self.unplaced_cells else 0)


def _issue(f_name: str, code: str, message: str, sheet: str | None = None, **kw) -> Issue:
    return Issue(code=code, message=message, file=f_name, sheet=sheet, **kw)


def _refuse(f_name: str, code: str, message: str, sheet: str | None = None) -> InputError:
    return InputError([_issue(f_name, code, message, sheet)])


def _one_directory(data: bytes) -> bool:
    """Whether the zip has exactly one reading: one end record, ending the file, right after the
    central directory it points to (no data before the zip, no second archive inside its tail for
    another reader to find)."""
    tail_at = max(len(data) - (0xFFFF + 22), 0)
    tail = data[tail_at:]
    if tail.count(b"PK\x05\x06") != 1:
        return False
    end = tail_at + tail.index(b"PK\x05\x06")
    if len(data) < end + 22 or end + 22 + struct.unpack("<H", data[end + 20 : end + 22])[0] != len(data):
        return False
    size, offset = struct.unpack("<II", data[end + 12 : end + 20])
    stop = end
    z64 = data.rfind(b"PK\x06\x06", max(end - 20 - 56 - 0xFFFF, 0), end)  # a zip64 end record, if any
    if z64 >= 0 and data[end - 20 : end - 16] == b"PK\x06\x07":
        size, offset = struct.unpack("<QQ", data[z64 + 40 : z64 + 56])
        stop = z64
    return offset + size == stop


def _directory(name: str, data: bytes) -> list[zipfile.ZipInfo]:
    """The parts as the central directory lists them; refused when it promises too much."""
    if b"PK\x05\x06" in data[-(0xFFFF + 22) :] and not _one_directory(data):  # a zip, but which one?
        raise _refuse(name, "xlsx-unreadable", "工作簿的压缩结构有歧义(文件已损坏或被改动,例如两个压缩包拼在一起);"
                      "请在 Excel 中另存为新文件后再上传")  # fmt: skip
    try:
        with zipfile.ZipFile(_Bytes(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error):
        raise _refuse(name, "xlsx-unreadable", "无法作为 Excel 工作簿(.xlsx)读取:文件已损坏或不是 XLSX 格式") from None
    issues: list[Issue] = []
    if len(infos) > MAX_ZIP_MEMBERS:
        issues.append(_issue(name, "xlsx-too-many-parts", f"工作簿由 {len(infos):,} 个部件组成,超过 {MAX_ZIP_MEMBERS:,} "
                             "个的上限;正常的工作簿只有十几个部件,请在 Excel 中另存为新文件后再上传"))  # fmt: skip
        raise InputError(issues)
    names = [i.filename for i in infos]
    if len(set(names)) != len(names):
        issues.append(
            _issue(name, "xlsx-unreadable", "工作簿中有同名部件(文件已损坏或被改动);请在 Excel 中另存为新文件后再上传")
        )
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        total += size
        if size > MAX_MEMBER_BYTES or (info.filename.lower().endswith("sharedstrings.xml")
                                        and size > MAX_SHARED_STRINGS_BYTES):  # fmt: skip
            limit = MAX_SHARED_STRINGS_BYTES if size <= MAX_MEMBER_BYTES else MAX_MEMBER_BYTES
            issues.append(_issue(name, "xlsx-part-too-large", f"工作簿部件 {info.filename} 解压后 {mib(size)},超过 "
                                 f"{mib(limit)} 的上限;一个 60 万行的结果表约 190 MB,请检查文件或分成几个文件上传"))  # fmt: skip
        elif size > MAX_RATIO_FROM and size > MAX_RATIO * max(packed, 1):
            issues.append(_issue(name, "xlsx-ratio", f"工作簿部件 {info.filename} 压缩比为 {size / max(packed, 1):,.0f} 倍"
                                 f"(解压后 {mib(size)}),超过 {MAX_RATIO} 倍的上限;正常的工作表压缩比在 30 倍以内,"
                                 "这可能是恶意构造的文件"))  # fmt: skip
    if not issues and total > MAX_TOTAL_BYTES:
        issues.append(_issue(name, "xlsx-too-large", f"工作簿解压后共 {mib(total)},超过 {mib(MAX_TOTAL_BYTES)} 的上限;"
                             "请分成几个文件上传"))  # fmt: skip
    if issues:
        raise InputError(issues)
    return infos


class _Bytes:
    """A read-only file over bytes without copying them (zipfile wants seek and read)."""

    def __init__(self, data: bytes):
        self.view, self.pos = memoryview(data), 0

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else (self.pos + offset if whence == 1 else len(self.view) + offset)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def read(self, n: int = -1) -> bytes:
        end = len(self.view) if n is None or n < 0 else min(self.pos + n, len(self.view))
        out = bytes(self.view[self.pos : end])
        self.pos = end
        return out

    def seekable(self) -> bool:
        return True


def _inflate(name: str, data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks, never more than it declared; refused when its local header
    disagrees with the directory, or its data is more, less or other than declared."""
    damaged = _refuse(name, "xlsx-unreadable", f"工作簿部件 {info.filename} 已损坏或被改动(与目录不符);"
                      "请在 Excel 中另存为新文件后再上传")  # fmt: skip
    if info.flag_bits & 0x1:
        raise _refuse(name, "xlsx-encrypted", "工作簿已加密;请在 Excel 中取消密码保护后再上传")
    at = info.header_offset
    head = data[at : at + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        raise damaged
    n_name, n_extra = struct.unpack("<HH", head[26:30])
    raw_name = data[at + 30 : at + 30 + n_name]
    expected = info.orig_filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
    if raw_name != expected:
        raise damaged
    start = at + 30 + n_name + n_extra
    end = start + info.compress_size
    if end > len(data):
        raise damaged
    view = memoryview(data)[start:end]
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise damaged
        for i in range(0, len(view), CHUNK):
            yield bytes(view[i : i + CHUNK])
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise _refuse(name, "xlsx-unreadable", f"工作簿部件 {info.filename} 使用了不支持的压缩方式;"
                      "请在 Excel 中另存为新文件后再上传")  # fmt: skip
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    total, pos = 0, 0
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                piece = inflater.unconsumed_tail
            elif pos < len(view):
                piece, pos = view[pos : pos + CHUNK], pos + CHUNK
            else:
                raise damaged  # the stream stops before its end
            out = inflater.decompress(piece, CHUNK)
            total += len(out)
            if total > info.file_size:
                raise damaged  # inflates past what it declared
            if out:
                yield out
    except zlib.error:
        raise damaged from None
    if total != info.file_size:
        raise damaged


def _sheet_parts(name: str, data: bytes, infos: list[zipfile.ZipInfo]) -> dict[str, str]:
    """Part path -> sheet name, for every worksheet the workbook lists, and every part under
    xl/worksheets/ (a reader may find one the index does not name)."""
    by_name = {i.filename: i for i in infos}
    sheets: dict[str, str] = {}
    book, rels = by_name.get("xl/workbook.xml"), by_name.get("xl/_rels/workbook.xml.rels")
    if book is not None and rels is not None and book.file_size < _SMALL_PART and rels.file_size < _SMALL_PART:
        try:
            targets = {
                el.get("Id"): el.get("Target", "")
                for el in ElementTree.fromstring(b"".join(_inflate(name, data, rels))).iter()
                if el.tag.endswith("Relationship")
            }
            listed = [el for el in ElementTree.fromstring(b"".join(_inflate(name, data, book))).iter()
                      if el.tag.endswith("}sheet") or el.tag == "sheet"]  # fmt: skip
        except ElementTree.ParseError:
            raise _refuse(name, "xlsx-unreadable", "无法作为 Excel 工作簿(.xlsx)读取:工作簿目录已损坏") from None
        if len(listed) > MAX_SHEETS:
            raise _refuse(name, "xlsx-too-many-sheets", f"工作簿有 {len(listed):,} 个工作表,超过 {MAX_SHEETS} 个的上限")
        for el in listed:
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id") or k == "id"), None)
            target = targets.get(rid, "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            sheets[path] = el.get("name", path)
    for info in infos:
        low = info.filename.lower()
        if low.startswith("xl/worksheets/") and low.endswith(".xml") and info.filename not in sheets:
            sheets[info.filename] = posixpath.basename(info.filename)
    if len(sheets) > MAX_SHEETS:
        raise _refuse(name, "xlsx-too-many-sheets", f"工作簿有 {len(sheets):,} 个工作表,超过 {MAX_SHEETS} 个的上限")
    return sheets


def _table(chars: bytes) -> np.ndarray:
    t = np.zeros(256, dtype=bool)
    t[list(chars)] = True
    return t


_BLANK = _table(b" \t\n\r")
_TAG_END = _table(b" \t\n\r/>")
_NAME = _table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NAME_START = _table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_PAD = 40  # zero bytes after a chunk, so that every look past a position stays inside the array


class _Tags:
    """Where the elements that place cells open, from the chunk's ``<`` positions: two gathers over
    them, and the rest only over the few that could be what is looked for."""

    def __init__(self, a: np.ndarray, lt: np.ndarray):
        self.a, b1 = a, a[lt + 1]
        self.cell = lt[(b1 == 0x63) & _TAG_END[a[lt + 2]]]
        r = lt[b1 == 0x72]
        self.row = r[(a[r + 2] == 0x6F) & (a[r + 3] == 0x77) & _TAG_END[a[r + 4]]]
        f = lt[b1 == 0x66]
        self.formula = f[_TAG_END[a[f + 2]]]
        self._lt, self._b1 = lt, b1

    @property
    def value(self) -> np.ndarray:
        v, i = self._lt[self._b1 == 0x76], self._lt[self._b1 == 0x69]
        a = self.a
        return np.sort(np.concatenate([v[_TAG_END[a[v + 2]]], i[(a[i + 2] == 0x73) & _TAG_END[a[i + 3]]]]))

    @property
    def cell_end(self) -> np.ndarray:
        e = self._lt[self._b1 == 0x2F]
        return e[(self.a[e + 2] == 0x63) & (self.a[e + 3] == 0x3E)]


def _prefixed(a: np.ndarray, lt: np.ndarray) -> bool:
    """Whether any element name carries a namespace prefix (``<x:c>``, ``</x:c>``): a colon with
    only name characters between it and the ``<`` before it."""
    colons = np.flatnonzero(a == 0x3A)
    colons = colons[colons > 0]
    # between two name characters ("x:c"), not in "http://" or "10:30"
    colons = colons[_NAME[a[colons - 1]] & _NAME_START[a[colons + 1]]]
    if not len(colons) or not len(lt):
        return False
    opener = lt[np.maximum(np.searchsorted(lt, colons) - 1, 0)]
    near = (opener < colons) & (colons - opener <= 32)
    colons, opener = colons[near], opener[near]
    if not len(colons):
        return False
    first = opener + 1 + (a[opener + 1] == 0x2F)
    span = first[:, None] + np.arange(32)
    inside = span < colons[:, None]
    return bool((_NAME[a[np.minimum(span, len(a) - 1)]] | ~inside).all(axis=1).any())


_PREFIX = re.compile(rb"<(/?)[A-Za-z_][\w.-]*:")


def _references(a: np.ndarray, eq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(where, row, column) of every ``r="…"`` attribute; column 0 for a row's own. A value too
    long to be a real reference (more than 3 letters, 7 digits, or leading zeros that make it
    so) comes back as a huge number, which the limits refuse."""
    quote = a[eq + 1]
    at = eq[(a[eq - 1] == 0x72) & _BLANK[a[eq - 2]] & ((quote == 0x22) | (quote == 0x27))]
    col = np.zeros(len(at), dtype=np.int64)
    row = np.zeros(len(at), dtype=np.int64)
    n_letters = np.zeros(len(at), dtype=np.int64)
    n_digits = np.zeros(len(at), dtype=np.int64)
    letters = np.ones(len(at), dtype=bool)
    digits = np.zeros(len(at), dtype=bool)
    for k in range(_WINDOW):  # across the window, not the cells: a dozen vector steps per chunk
        w = a[at + 2 + k]
        up = w & 0xDF  # a-z as A-Z: calamine takes "xfd1048576" as XFD1048576
        is_letter = (up - 0x41).astype(np.uint8) < 26
        is_digit = (w - 0x30).astype(np.uint8) < 10
        letter = letters & is_letter
        col = np.where(letter, col * 26 + (up.astype(np.int64) - 0x40), col)
        n_letters += letter
        digit = (digits | (letters & ~is_letter)) & is_digit
        row = np.where(digit, row * 10 + (w.astype(np.int64) - 0x30), row)
        n_digits += digit
        letters, digits = letter, digit
        if not (letters.any() or digits.any()):
            break
    unfinished = letters | digits  # still going at the window's end: longer than any real reference
    col = np.where((n_letters > 3) | unfinished, _HUGE, col)
    row = np.where((n_digits > 7) | unfinished, _HUGE, row)
    return at, row, col


def _between_tags(name: str, data: bytes, info: zipfile.ZipInfo, sheet: str | None) -> Iterator[bytes]:
    """The part inflated in chunks that each end where a tag begins, so that no tag is split."""
    carry = b""
    for piece in _inflate(name, data, info):
        buf = carry + piece
        cut = buf.rfind(b"<")
        if cut <= 0:
            if len(buf) > MAX_TAG:
                raise _refuse(name, "xlsx-unreadable", "工作簿中有超长的标记或文字,不是正常的工作簿;"
                              "请在 Excel 中另存为新文件后再上传", sheet)  # fmt: skip
            carry = buf
            continue
        carry = buf[cut:]
        yield buf[:cut]
    if carry:
        yield carry


def _longest_text(a: np.ndarray, lt: np.ndarray) -> int:
    """Bytes of the longest text between two tags (the chunk begins at a tag)."""
    if not len(lt):
        return len(a) - _PAD
    return max(int(np.diff(lt).max()) if len(lt) > 1 else 0, len(a) - _PAD - int(lt[-1]))


def _text_issue(name: str, where: str, sheet: str | None) -> InputError:
    return _refuse(name, "cell-too-long", f"{where}有超过 {MAX_CELL_CHARS:,} 个字符(Excel 单元格的上限)的文字;"
                   "测评结果的单元格只需几十个字,请检查文件是否损坏或选错", sheet)  # fmt: skip


def _scan_strings(name: str, data: bytes, info: zipfile.ZipInfo) -> None:
    for buf in _between_tags(name, data, info, None):
        a = np.frombuffer(buf + b"\0" * _PAD, dtype=np.uint8)
        if _longest_text(a, np.flatnonzero(a == 0x3C)) > MAX_TEXT_BYTES:
            raise _text_issue(name, "共享字符串表中", None)


def _scan_sheet(name: str, data: bytes, info: zipfile.ZipInfo, sheet: str) -> SheetExtent:
    ext = SheetExtent(part=info.filename, name=sheet, file=name)
    open_row = 0  # cells of the row still open at the end of the previous chunk
    for buf in _between_tags(name, data, info, sheet):
        open_row = _scan_chunk(buf, ext, open_row)
    return ext


def _scan_chunk(buf: bytes, ext: SheetExtent, open_row: int) -> int:
    """Fold one chunk (cut between tags) into the extent; returns the cells of the row left open."""
    a = np.frombuffer(buf + b"\0" * _PAD, dtype=np.uint8)
    lt = np.flatnonzero(a == 0x3C)
    if _longest_text(a, lt) > MAX_TEXT_BYTES:
        raise _text_issue(ext.file, "工作表中", ext.name)
    if _prefixed(a, lt):  # <x:c r="…">: the same elements to every reader; spelled plainly to be counted
        a = np.frombuffer(_PREFIX.sub(rb"<\1", a.tobytes()), dtype=np.uint8)
        lt = np.flatnonzero(a == 0x3C)
    eq = np.flatnonzero(a == 0x3D)
    eq = eq[eq >= 2]
    if (_BLANK[a[eq - 1]] | _BLANK[a[eq + 1]]).any():  # r = "A1", spelled as r="A1"
        a = np.frombuffer(_BLANK_EQUALS.sub(b"=", a.tobytes()), dtype=np.uint8)
        lt, eq = np.flatnonzero(a == 0x3C), np.flatnonzero(a == 0x3D)
        eq = eq[eq >= 2]
    at, row, col = _references(a, eq)
    tags = _Tags(a, lt)
    cell_ref = col > 0
    n_cells, n_rows = len(tags.cell), len(tags.row)
    ext.cells += n_cells
    if len(at):
        top_row, top_col = int(row.max()), int(col.max())
        if top_row > ext.max_row or top_col > ext.max_col:
            far = int(np.argmax(np.minimum(row, 10**7) * 10**7 + np.minimum(col, 10**6)))
            r, c = int(row[far]), int(col[far])
            ext.furthest = f"{column_letters(c) if c < 10**6 else '…'}{r if r < _HUGE else '…'}"
        ext.max_row, ext.max_col = max(ext.max_row, top_row), max(ext.max_col, top_col)
    n_cell_refs = int(cell_ref.sum())
    ext.unplaced_rows += max(n_rows - (len(at) - n_cell_refs), 0)
    if n_cells > n_cell_refs:
        ext.unplaced_cells += n_cells - n_cell_refs
        # cells per row, from where the row and cell tags stand: the widest row bounds how far a
        # cell without a reference can be placed past the furthest one with a reference
        per_row = np.bincount(np.searchsorted(tags.row, tags.cell), minlength=n_rows + 1)
        per_row[0] += open_row
        ext.widest_unplaced_row = max(ext.widest_unplaced_row, int(per_row.max()))
        open_row = int(per_row[-1])
    elif n_rows:
        open_row = 0
    if len(tags.formula):
        _formulas(tags, at[cell_ref], row[cell_ref], col[cell_ref], len(a), ext)
    return open_row


def _formulas(tags: _Tags, ref_at: np.ndarray, ref_row: np.ndarray, ref_col: np.ndarray, size: int,
              ext: SheetExtent) -> None:  # fmt: skip
    """Formula cells with no cached value: from the cell's reference to its end, no value."""
    f_at, ends, values = tags.formula, tags.cell_end, tags.value
    end = ends[np.minimum(np.searchsorted(ends, f_at), len(ends) - 1)] if len(ends) else np.full(len(f_at), size)
    owner = np.searchsorted(ref_at, f_at) - 1
    begin = np.where(owner >= 0, ref_at[np.maximum(owner, 0)], 0)
    missing = np.searchsorted(values, end) <= np.searchsorted(values, begin)
    ext.formula_count += int(missing.sum())
    placed = missing & (owner >= 0)
    ext.formulas_unplaced += int((missing & (owner < 0)).sum())
    room = FORMULAS_SHOWN - len(ext.formulas)
    if room > 0 and placed.any():
        idx = owner[placed][:room]
        ext.formulas.extend(zip(ref_row[idx].tolist(), ref_col[idx].tolist(), strict=True))


def check_xlsx(name: str, data: bytes) -> list[SheetExtent]:
    """Refuse, with every reason at once, a workbook too large to parse safely; its sheets' extents
    otherwise. Formula cells without a cached value are refused too: every reader takes them as
    empty, which an import would count as "not yet filled" (issue 27, finding 9)."""
    infos = _directory(name, data)
    sheets = _sheet_parts(name, data, infos)
    extents: list[SheetExtent] = []
    for info in infos:
        if info.filename in sheets:
            extents.append(_scan_sheet(name, data, info, sheets[info.filename]))
        elif info.filename.lower().endswith("sharedstrings.xml"):
            _scan_strings(name, data, info)
        elif not info.is_dir():
            for _ in _inflate(name, data, info):  # every part a reader may open is checked against its size
                pass
    issues: list[Issue] = []
    for ext in extents:
        issues.extend(_extent_issues(name, ext))
    if issues:
        raise InputError(issues)
    return extents


def _extent_issues(name: str, ext: SheetExtent) -> list[Issue]:
    rows, cols = ext.rows, ext.columns
    where = f"(最远的单元格为 {ext.furthest})" if ext.furthest else ""
    out: list[Issue] = []
    if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_SHEET_CELLS:
        size = f"{rows:,} 行 × {cols:,} 列" if rows < _HUGE and cols < _HUGE else "超出 Excel 的范围"
        unplaced = f";其中 {ext.unplaced_cells:,} 个单元格没有标注位置" if ext.unplaced_cells else ""
        out.append(_issue(name, "sheet-too-large", f"工作表的单元格范围为 {size}{where}{unplaced},超过上限"
                          f"(最多 {MAX_ROWS:,} 行、{MAX_COLUMNS:,} 列、共 {MAX_SHEET_CELLS:,} 个单元格);"
                          "请删除表格外多余的内容(或把表格分成几个文件)后再上传", ext.name))  # fmt: skip
        return out
    hint = "单元格含公式但没有计算结果(生成文件的程序只写了公式);请在 Excel 中打开并保存后再上传"
    for row, col in ext.formulas:
        out.append(_issue(name, "formula-without-value", hint, ext.name, row=row, column=column_letters(col)))
    more = ext.formula_count - len(ext.formulas)
    if more > 0:
        out.append(_issue(name, "formula-without-value", f"另有 {more:,} 个单元格含公式但没有计算结果;" + hint[hint.index("请"):],
                          ext.name))  # fmt: skip
    return out
