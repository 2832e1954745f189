"""The text of the files the monitored pages link to (SPEC extension 4a): PDF, DOCX, XLSX, XLS,
CSV and TXT, each read within bounds (``scoring.limits``: bytes, pages, characters, time).

An attachment is the web's file, not the office's: whatever it holds (a zip bomb posing as .docx,
a PDF of endless pages, a workbook claiming a billion cells), reading it gives text or raises
``Unreadable`` with the reason a warning names; it never ends the run. pypdf (pure Python, its
own caps on every decompression) reads PDF; python-docx reads DOCX after its zip directory is
checked here; calamine reads workbooks after :mod:`scoring.xlsx_check` has bounded them."""

from __future__ import annotations

import io
import logging
import time
import warnings
import zipfile

from scoring.errors import InputError
from scoring.limits import (
    ATTACHMENT_BUDGET_S,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENT_CHARS,
    MAX_ATTACHMENT_PAGES,
    MAX_ATTACHMENT_PARTS_BYTES,
    MAX_RATIO,
    MAX_RATIO_FROM,
    MAX_ZIP_MEMBERS,
    mib,
)
from scoring.monitor.pages import Unreadable, decode

__all__ = ["attachment_text"]


class _Budget:
    def __init__(self) -> None:
        self.start = time.monotonic()
        self.chars = 0

    def take(self, text: str, out: list[str]) -> bool:
        """Keep ``text``; False once the characters or the time are spent (reading stops there)."""
        room = MAX_ATTACHMENT_CHARS - self.chars
        out.append(text[:room])
        self.chars += min(len(text), room)
        if time.monotonic() - self.start > ATTACHMENT_BUDGET_S:
            raise Unreadable(f"附件 {ATTACHMENT_BUDGET_S:g} 秒内未能读完")
        return self.chars < MAX_ATTACHMENT_CHARS


def attachment_text(data: bytes, kind: str) -> str:
    """The text of an attachment of ``kind`` (.pdf ...), at most MAX_ATTACHMENT_CHARS characters."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise Unreadable(f"附件超过 {mib(MAX_ATTACHMENT_BYTES)},未读取")
    if not data:
        raise Unreadable("附件内容为空(0 字节)")
    budget, out = _Budget(), []
    try:
        if kind == ".pdf":
            _pdf(data, budget, out)
        elif kind == ".docx":
            _docx(data, budget, out)
        elif kind in (".xlsx", ".xls"):
            _workbook(data, kind, budget, out)
        else:
            budget.take(decode(data, None)[0], out)
    except Unreadable:
        raise
    except InputError as exc:  # the workbook pre-check's refusal
        raise Unreadable("附件" + exc.issues[0].message) from None
    except (RecursionError, MemoryError) as exc:
        raise Unreadable(f"附件无法解析({type(exc).__name__})") from None
    except Exception as exc:  # every reader raises its own kinds for a damaged or hostile file
        raise Unreadable(f"附件已损坏或格式不符,无法读取({type(exc).__name__})") from None
    return "\n".join(out)


def _pdf(data: bytes, budget: _Budget, out: list[str]) -> None:
    from pypdf import PdfReader

    # pypdf logs and warns about every oddity of a damaged file; the monitor's one warning says it
    logging.getLogger("pypdf").setLevel(logging.CRITICAL + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unreadable("PDF 附件已加密,无法读取")
        for i, page in enumerate(reader.pages):
            if i >= MAX_ATTACHMENT_PAGES or not budget.take(page.extract_text() or "", out):
                break


def _check_zip(data: bytes) -> None:
    """A .docx is a zip: refused when its directory promises too much (zipfile never inflates a
    part past what the directory declares, so these figures bound the reading)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise Unreadable(f"附件由 {len(infos):,} 个部件组成,超过 {MAX_ZIP_MEMBERS:,} 个的上限")
    total = sum(i.file_size for i in infos)
    if total > MAX_ATTACHMENT_PARTS_BYTES:
        raise Unreadable(f"附件解压后共 {mib(total)},超过 {mib(MAX_ATTACHMENT_PARTS_BYTES)} 的上限")
    for i in infos:
        if i.file_size > MAX_RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            raise Unreadable(f"附件部件 {i.filename[:60]} 压缩比为 {i.file_size / max(i.compress_size, 1):,.0f} 倍,"
                             f"超过 {MAX_RATIO} 倍的上限(可能是恶意构造的文件)")  # fmt: skip


def _docx(data: bytes, budget: _Budget, out: list[str]) -> None:
    import docx

    _check_zip(data)
    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        if not budget.take(paragraph.text, out):
            return
    for table in document.tables:
        for row in table.rows:
            if not budget.take(" ".join(cell.text for cell in row.cells), out):
                return


def _workbook(data: bytes, kind: str, budget: _Budget, out: list[str]) -> None:
    import python_calamine

    from scoring.xlsx_check import check_xlsx

    if kind == ".xlsx":
        check_xlsx("附件", data)  # before calamine allocates what the file claims (scoring.limits)
    # .xls (BIFF) has no zip to look into first: its 20 MB bound its records, and an .xls sheet
    # holds at most 65,536 × 256 cells
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python(skip_empty_area=True):
            if not budget.take(" ".join("" if c is None else str(c) for c in row), out):
                return
