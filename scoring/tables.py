"""Read rosters and test results from CSV or XLSX into frames of raw cells.

Cells keep their type from XLSX (a numeric cell is a number, a boolean cell a
boolean); CSV cells are text. Every row carries where it came from
(``_file``, ``_sheet``, ``_row``) with the row number a person sees in the
spreadsheet, so that later stages can point at it.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import python_calamine

from scoring.errors import InputError, Issue
from scoring.limits import MAX_CELL_CHARS, MAX_TABLE_BYTES, mib
from scoring.xlsx_check import check_xlsx

__all__ = [
    "RESULT_COLUMNS",
    "ROSTER_COLUMNS",
    "Columns",
    "InputFile",
    "SourceInfo",
    "as_text",
    "coded_text",
    "csv_encoding",
    "frame_from_sheet",
    "read_result_files",
    "read_roster",
    "read_sheets",
]

# a store cannot keep U+0000 in text (PostgreSQL refuses it; SQLite keeps it, then a copy fails)
NUL_MESSAGE = ("单元格含有空字符(U+0000),这不是可保存的文本(常见于从其他系统复制的内容);"
               "请在原系统或 Excel 中删除该字符后再试")  # fmt: skip


@dataclass(frozen=True)
class InputFile:
    """A file's name and bytes: the same path for a command-line file and an upload."""

    name: str
    data: bytes

    @classmethod
    def from_path(cls, path: str | Path, max_bytes: int | None = MAX_TABLE_BYTES) -> InputFile:
        """The file's bytes; with ``max_bytes``, at most one byte past it, so that a file too big to
        take is refused without being loaded (a table's limit unless told otherwise)."""
        try:
            with open(path, "rb") as f:
                return cls(str(path), f.read(-1 if max_bytes is None else max_bytes + 1))
        except FileNotFoundError:
            raise InputError([Issue(code="file-not-found", message="文件不存在", file=str(path))]) from None
        except OSError as exc:
            raise InputError(
                [Issue(code="file-unreadable", message=f"无法读取文件:{exc.strerror}", file=str(path))]
            ) from None

    @cached_property
    def sha256(self) -> str:
        # asked for by the manifest, the duplicate-batch check and the audit: hashed once (issue 34)
        return hashlib.sha256(self.data).hexdigest()

    @property
    def kind(self) -> str:
        return Path(self.name).suffix.lower().lstrip(".")


@dataclass(frozen=True)
class SourceInfo:
    """What the manifest records of one input file."""

    path: str
    sha256: str
    rows: int
    role: str
    encoding: str = "utf-8"  # a CSV's; 'gb18030' is read too, and said (SPEC extension 2a)
    pending: int = 0  # rows whose result is not yet recorded (empty 结果), when the reader may skip them


@dataclass(frozen=True)
class Columns:
    """A table's columns: English name -> Chinese alias, and which are required."""

    aliases: dict[str, str]
    required: tuple[str, ...]
    coded: tuple[str, ...] = ()  # columns with few distinct values, kept as categorical codes

    def describe(self, names: tuple[str, ...]) -> str:
        return "、".join(f"{n}({self.aliases[n]})" for n in names)


ROSTER_COLUMNS = Columns({"unit_id": "单位编码", "name": "单位名称", "group": "分组"}, ("unit_id", "name", "group"))
RESULT_COLUMNS = Columns(
    {
        "period": "期次",
        "unit_id": "单位编码",
        "check_id": "测评点编码",
        "value": "结果",
        "evidence": "佐证",
        "note": "备注",
        "evaluator": "测评人",
        "checked_at": "测评时间",
    },
    ("period", "unit_id", "check_id", "value"),
    coded=("period", "unit_id", "check_id", "value", "evaluator", "checked_at"),
)

TABLE_KINDS = ("csv", "xlsx", "xlsm")


def as_text(s: pd.Series) -> pd.Series:
    """Cells as trimmed text, missing as ''; whole numbers from XLSX lose their '.0' (341302.0 -> '341302').

    A coded (categorical) column stays coded: only its distinct values are trimmed.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes, uniq = coded_text(s)
        return pd.Series(pd.Categorical.from_codes(codes, categories=uniq, validate=False), index=s.index,
                         name=s.name)  # fmt: skip
    s = s.fillna("") if s.hasnans else s
    if s.dtype == object:
        kinds = s.map(type)
        numeric = kinds.isin((float, int, np.float64, np.int64))
        if numeric.any():
            nums = pd.to_numeric(s[numeric], errors="coerce").astype("float64")
            whole = np.isfinite(nums) & (nums == np.floor(nums))
            text = nums.astype(str)
            text[whole] = nums[whole].astype("int64").astype(str)
            s = s.copy()
            s[numeric] = text
        boolean = kinds.isin([bool])
        if boolean.any():
            s = s.copy()
            s[boolean] = s[boolean].map({True: "true", False: "false"})
        return s.astype(str).str.strip()
    return s.astype(str).str.strip()


def coded_text(s: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """A coded column's cells as codes into its distinct trimmed texts (empty cells: ''), and those texts.

    Only the categories are trimmed; the cells are one gather.
    """
    categories = s.cat.categories
    if pd.api.types.infer_dtype(categories, skipna=False) == "string":
        # text only (every CSV cell): trimmed in Arrow, not cell by cell in Python; a round of
        # continuous rates has a category per rate
        original = pa.array(categories.to_numpy(dtype=object), pa.string())
        trimmed = pc.utf8_trim_whitespace(original)
        raw = s.cat.codes.to_numpy()
        if raw.min(initial=0) >= 0 and pc.all(pc.equal(original, trimmed)).as_py() is not False:
            # already distinct and trimmed (a CSV read by Arrow): the codes are the answer
            words = pd.Index(categories, dtype=object)
            return raw, words if "" in words else words.append(pd.Index([""], dtype=object))
        cats = pd.Series(trimmed.to_numpy(zero_copy_only=False), dtype=object)
    else:
        cats = as_text(pd.Series(categories, dtype=object))
    merged, uniq = pd.factorize(pd.concat([cats, pd.Series([""], dtype=object)], ignore_index=True))
    raw = s.cat.codes.to_numpy()
    if raw.min(initial=0) >= 0 and np.array_equal(merged[:-1], np.arange(len(cats))):
        return raw, pd.Index(uniq, dtype=object)  # already distinct and trimmed, no cell empty
    return merged.astype(np.int32)[raw], pd.Index(uniq, dtype=object)  # code -1 takes ''


def _coded(text: pd.Series) -> pd.Series:
    """Text with few distinct values (ids, periods, result values) as codes, whichever reader made it."""
    if isinstance(text.dtype, pd.CategoricalDtype):
        return text
    codes, uniq = pd.factorize(text)
    return pd.Series(pd.Categorical.from_codes(codes, categories=pd.Index(uniq, dtype=object)), index=text.index,
                     name=text.name)  # fmt: skip


def _header_map(header: list[object], columns: Columns) -> tuple[dict[int, str], list[str]]:
    """Position -> column name for the known headers; duplicated names are reported."""
    lookup = {name.lower(): name for name in columns.aliases}
    lookup.update({alias: name for name, alias in columns.aliases.items()})
    found: dict[int, str] = {}
    dups: list[str] = []
    for pos, cell in enumerate(header):
        key = str(cell).strip() if cell is not None else ""
        name = lookup.get(key.lower(), lookup.get(key))
        if name is None:
            continue
        if name in found.values():
            dups.append(name)
        else:
            found[pos] = name
    return found, dups


# free text is mostly distinct, so coding it would only add a dictionary as big as the column
FREE_TEXT = ("evidence", "note")


def _too_long(name: str, column: str, row: int | None) -> None:
    raise InputError([Issue(code="cell-too-long", file=name, row=row, column=column or None,
                            message=f"单元格超过 {MAX_CELL_CHARS:,} 个字符(Excel 单元格的上限);测评结果的单元格只需"
                            "几十个字;请检查文件是否损坏或选错")])  # fmt: skip


def _longest_field(f: InputFile) -> None:
    """Refuse a stretch of bytes without a delimiter longer than any cell may be (a cell's
    characters are at most 4 bytes each), locating it by its line."""
    a = np.frombuffer(f.data, dtype=np.uint8)
    edges = np.flatnonzero((a == 0x2C) | (a == 0x0A))
    gaps = np.diff(edges, prepend=-1, append=len(a))
    if len(gaps) and gaps.max() > MAX_CELL_CHARS * 4:
        start = int(np.concatenate([[-1], edges])[int(np.argmax(gaps))]) + 1
        _too_long(f.name, "", int(np.count_nonzero(a[:start] == 0x0A)) + 1)


_BLANK_LINE = re.compile(rb"\n\r?\n")


def _read_csv_fast(data: bytes, columns: Columns, f_name: str = "") -> tuple[list[str], pd.DataFrame] | None:
    """Arrow's multi-threaded reader, for the common case: no blank line that would shift row numbers.

    Columns other than free text come back dictionary-encoded (categorical), so that a million
    rows are hashed once, in C++. Anything unusual (a blank line, ragged rows, bad UTF-8, a
    quoted header) returns None, and the careful reader below takes over and explains the problem.
    """
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    # one regex pass: `b"\n\n" in data` stops at each of a province's 600 k line ends (0.1 s)
    if _BLANK_LINE.search(data) or re.search(rb"\S", data) is None:
        return None
    end = data.find(b"\n")
    first = data[start : end if end >= 0 else len(data)].rstrip(b"\r")
    if b'"' in first or end < 0:
        return None
    try:
        header = first.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    found, _ = _header_map(header, columns)
    if not found:
        return None  # not a results file (a roster, or no header): the careful reader explains
    names = [f"f{i}" for i in range(len(header))]
    coded = pa.dictionary(pa.int32(), pa.string())
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(data)[end + 1 :]),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            convert_options=pa_csv.ConvertOptions(
                strings_can_be_null=False, quoted_strings_can_be_null=False,
                # only the known columns: a sheet exported with 100,000 stray columns reads as fast as 8
                include_columns=[names[i] for i in sorted(found)],
                column_types={names[i]: pa.string() if name in FREE_TEXT else coded for i, name in found.items()},
            ),
        )  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    for pos, column in zip(sorted(found), table.columns, strict=True):
        if pa.types.is_dictionary(column.type) and all(
            (pc.max(pc.utf8_length(c.dictionary)).as_py() or 0) <= MAX_CELL_CHARS for c in column.chunks
        ):
            continue  # a coded column's distinct texts are all short: no need to spell out every row
        chunked = column if not pa.types.is_dictionary(column.type) else pa.chunked_array(
            [c.dictionary.take(c.indices) for c in column.chunks], pa.string())  # fmt: skip
        lengths = pc.utf8_length(chunked)
        if len(lengths) and pc.max(lengths).as_py() > MAX_CELL_CHARS:
            row = int(pc.index(pc.greater(lengths, MAX_CELL_CHARS), True).as_py()) + 2
            _too_long(f_name, header[pos], row)
    # free text in one piece (a file is at most 100 MB): Arrow's gather from a column of many
    # pieces joins them first, on every call, and the import gathers in slices (issue 34)
    table = pa.table([c if pa.types.is_dictionary(c.type) else c.combine_chunks() for c in table.columns],
                     names=table.column_names)  # fmt: skip
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow", na_value=np.nan)}.get)
    frame.columns = sorted(found)
    return header, frame


def csv_encoding(data: bytes) -> str:
    """'utf-8', or 'gb18030' for what Chinese Excel saves as "CSV(逗号分隔)" (SPEC extension 2a);
    raises InputError-ready UnicodeDecodeError for neither."""
    # decoded a megabyte at a time: a province's 83 MB file as one str took 200 MB for a moment (issue 34)
    decoder, view = codecs.getincrementaldecoder("utf-8")(), memoryview(data)
    try:
        for start in range(0, len(view), 1 << 20):
            decoder.decode(view[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        data.decode("gb18030")  # raises for neither
        return "gb18030"


def _read_csv(f: InputFile, columns: Columns) -> list[tuple[str | None, list[str], pd.DataFrame]]:
    fast = _read_csv_fast(f.data, columns, f.name)
    if fast is not None:
        return [(None, *fast)]
    _longest_field(f)  # before the text is decoded: a 90 MB field would take ten times that as a str
    try:
        encoding = csv_encoding(f.data)
    except UnicodeDecodeError:
        raise InputError(
            [
                Issue(
                    code="not-utf8",
                    message="CSV 既不是 UTF-8 也不是 GB18030(GBK)编码;请在 Excel 中另存为「CSV UTF-8(逗号分隔)」后再试",
                    file=f.name,
                )
            ]
        ) from None
    text = f.data.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    if encoding != "utf-8":
        fast = _read_csv_fast(text.encode("utf-8"), columns, f.name)
        if fast is not None:
            return [(None, *fast)]
    if not text.strip():
        raise InputError([Issue(code="file-empty", message="文件为空:至少需要一行表头", file=f.name)])
    try:
        header = next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or len(text)])), [])
        found, _ = _header_map(header, columns)
        if not found:  # nothing to read past the header, however wide the file
            return [(None, header, pd.DataFrame())]
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            header=None,
            quoting=csv.QUOTE_MINIMAL,
            usecols=sorted(found),
        )
    except (pd.errors.ParserError, csv.Error, ValueError) as exc:
        raise InputError([Issue(code="csv-malformed", message=f"CSV 格式错误:{exc}", file=f.name)]) from None
    body = frame.iloc[1:].reset_index(drop=True)
    for pos in body.columns:
        lengths = body[pos].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            _too_long(f.name, header[pos] if pos < len(header) else "", int(np.argmax(lengths > MAX_CELL_CHARS)) + 2)
    return [(None, header, body)]


def _read_xlsx(f: InputFile) -> list[tuple[str | None, list[str], pd.DataFrame]]:
    check_xlsx(f.name, f.data)  # before calamine allocates what the file claims (scoring.limits)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(f.data))
        out = []
        for name in wb.sheet_names:
            rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            if not rows:
                out.append((name, [], pd.DataFrame()))
                continue
            width = max(len(r) for r in rows)
            header = [str(c).strip() for c in rows[0]] + [""] * (width - len(rows[0]))
            body = pd.DataFrame(rows[1:], columns=range(width), dtype=object)
            out.append((name, header, body))
        return out
    except InputError:
        raise
    except Exception:  # calamine raises several kinds for a file that is not a workbook
        raise InputError(
            [
                Issue(
                    code="xlsx-unreadable",
                    message="无法作为 Excel 工作簿(.xlsx)读取:文件已损坏或不是 XLSX 格式",
                    file=f.name,
                )
            ]
        ) from None


def read_sheets(f: InputFile, columns: Columns) -> list[tuple[str | None, list[str], pd.DataFrame]]:
    """(sheet name or None for CSV, header cells, body frame with positional columns).

    A CSV's body may hold only the positions of ``columns``' known headers. Every file is bounded
    first (:mod:`scoring.limits`): its bytes, and a workbook's parts and sheets before they are parsed."""
    if f.kind in TABLE_KINDS and len(f.data) > MAX_TABLE_BYTES:
        size = f"大于 {mib(MAX_TABLE_BYTES)}" if len(f.data) == MAX_TABLE_BYTES + 1 else mib(len(f.data))
        raise InputError([Issue(code="file-too-large", file=f.name,
                                message=f"文件{size},超过 {mib(MAX_TABLE_BYTES)} 的上限;一个省一轮约 60 万条结果的 CSV "
                                "约 35 MB,请检查是否选错了文件,或分成几个文件上传")])  # fmt: skip
    if f.kind == "csv":
        return _read_csv(f, columns)
    if f.kind in ("xlsx", "xlsm"):
        return _read_xlsx(f)
    raise InputError([Issue(code="file-type", message=f"不支持的文件类型 .{f.kind};只接受 .csv 或 .xlsx", file=f.name)])


def first_sheet_frame(f: InputFile, columns: Columns) -> tuple[pd.DataFrame, str | None, list[Issue]]:
    """The first sheet that holds ``columns``' required headers, as :func:`frame_from_sheet` gives it,
    with its sheet name and the issues it raised. A workbook with no such sheet raises its first
    sheet's header issues (InputError): the sheet a user most likely meant. A sheet before the one
    found (a 说明 sheet) raises nothing."""
    issues: list[Issue] = []
    for sheet_name, header, body in read_sheets(f, columns):
        tried: list[Issue] = []
        frame = frame_from_sheet(f, sheet_name, header, body, columns, tried)
        if frame is not None or sheet_name is None:
            if frame is None:
                raise InputError(issues + tried)
            return frame, sheet_name, tried
        issues = issues or tried
    raise InputError(issues)


def frame_from_sheet(
    f: InputFile, sheet: str | None, header: list[str], body: pd.DataFrame, columns: Columns, issues: list[Issue]
) -> pd.DataFrame | None:
    """Named columns plus location; None (with issues) when required columns are missing."""
    found, dups = _header_map(header, columns)
    for name in dups:
        issues.append(
            Issue(
                code="duplicate-column",
                message=f"列 {columns.describe((name,))} 出现了不止一次;请只保留一列",
                file=f.name,
                sheet=sheet,
                row=1,
                column=columns.aliases[name],
            )
        )
    missing = tuple(n for n in columns.required if n not in found.values())
    if missing:
        issues.append(
            Issue(
                code="missing-column",
                message=f"缺少必需的列:{columns.describe(missing)};第 1 行应为表头,"
                f"必需列为 {columns.describe(columns.required)}",
                file=f.name,
                sheet=sheet,
                row=1,
            )
        )
        return None
    n = len(body)
    position = {name: pos for pos, name in found.items()}
    text: dict[str, pd.Series] = {}
    for name in columns.aliases:
        pos = position.get(name)
        if pos is not None and pos in body.columns:
            cells = as_text(body[pos])
            text[name] = _coded(cells) if name in columns.coded else _plain(cells)
        else:
            text[name] = _constant("", n) if name in columns.coded else pd.Series(np.full(n, "", dtype=object))
    frame = pd.DataFrame(text)
    frame["_file"] = _constant(f.name, n)
    frame["_sheet"] = _constant(sheet if sheet is not None else "", n)
    frame["_row"] = np.arange(2, n + 2, dtype="int64")
    _nul_cells(f, sheet, frame, columns, issues)
    # rows left wholly empty (Excel's trailing rows, blank CSV lines) are not findings
    empty = np.logical_and.reduce([(frame[name] == "").to_numpy(dtype=bool) for name in columns.aliases])
    return frame[~empty].reset_index(drop=True) if empty.any() else frame


def _nul_cells(f: InputFile, sheet: str | None, frame: pd.DataFrame, columns: Columns, issues: list[Issue]) -> None:
    """Report every cell holding U+0000. PostgreSQL cannot store it in text (SQLite would, and a
    copy or a move of the store would then fail far from the file); it is never meant (a binary
    pasted into a cell), so it is refused on every backend, where the file is read. A CSV without
    a NUL byte (UTF-8 and GB18030 encode U+0000 as that byte alone) is passed over in one scan."""
    if f.kind == "csv" and b"\x00" not in f.data:
        return
    for name in columns.aliases:
        cells = frame[name]
        if isinstance(cells.dtype, pd.CategoricalDtype):
            hit = cells.cat.categories.astype(str).str.contains("\x00", regex=False)
            found = np.isin(cells.cat.codes.to_numpy(), np.flatnonzero(hit))
        else:
            found = cells.astype(str).str.contains("\x00", regex=False).to_numpy(dtype=bool)
        for i in np.flatnonzero(found):
            issues.append(Issue(code="nul-character", file=f.name, sheet=sheet, row=int(frame["_row"].iat[i]),
                                column=columns.aliases[name],
                                message=NUL_MESSAGE))  # fmt: skip


def _constant(value: str, n: int) -> pd.Series:
    return pd.Series(pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=pd.Index([value], dtype=object)))


def _plain(text: pd.Series) -> pd.Series:
    return text.astype(str) if isinstance(text.dtype, pd.CategoricalDtype) else text


def _empty_cells(frame: pd.DataFrame, columns: Columns, issues: list[Issue]) -> pd.Series:
    """Report every empty required cell; return the mask of rows that have one."""
    bad_rows = pd.Series(False, index=frame.index)
    for name in columns.required:
        empty = frame[name] == ""  # cells are trimmed text by now
        if empty.any():
            bad_rows |= empty
            for _, r in frame.loc[empty, ["_file", "_sheet", "_row"]].iterrows():
                issues.append(
                    Issue(
                        code="empty-cell",
                        message=f"必填单元格为空:{columns.describe((name,))}",
                        file=r["_file"],
                        sheet=r["_sheet"] or None,
                        row=int(r["_row"]),
                        column=columns.aliases[name],
                    )
                )
    return bad_rows


def read_roster(f: InputFile, groups: dict[str, str] | None = None) -> pd.DataFrame:
    """The unit roster: unit_id, name, group (+ location). Raises InputError."""
    issues: list[Issue] = []
    sheets = read_sheets(f, ROSTER_COLUMNS)
    chosen = next((s for s in sheets if s[0] == "units"), sheets[0])
    frame = frame_from_sheet(f, chosen[0], chosen[1], chosen[2], ROSTER_COLUMNS, issues)
    if frame is None:
        raise InputError(issues)
    bad = _empty_cells(frame, ROSTER_COLUMNS, issues)
    for col in ("unit_id", "name", "group"):
        frame[col] = as_text(frame[col])
    dup = frame["unit_id"].duplicated(keep=False) & ~bad
    for uid, rows in frame[dup].groupby("unit_id", sort=False)["_row"]:
        listed = "、".join(str(r) for r in rows)
        issues.append(
            Issue(
                code="duplicate-unit",
                message=f"单位编码 {uid} 重复(第 {listed} 行);每个单位只能出现一次",
                file=f.name,
                sheet=chosen[0],
                row=int(rows.iloc[1]),
                column=ROSTER_COLUMNS.aliases["unit_id"],
                value=uid,
            )
        )
    if groups is not None:
        unknown = ~frame["group"].isin(list(groups)) & ~bad
        for _, r in frame[unknown].iterrows():
            issues.append(
                Issue(
                    code="unknown-group",
                    message=f"未知分组 {r['group']};指标体系中的分组为:"
                    + "、".join(f"{k}({v})" for k, v in groups.items()),
                    file=f.name,
                    sheet=chosen[0],
                    row=int(r["_row"]),
                    column=ROSTER_COLUMNS.aliases["group"],
                    value=r["group"],
                )
            )
    if issues:
        raise InputError(issues)
    if frame.empty:
        raise InputError([Issue(code="roster-empty", message="单位名单没有任何单位", file=f.name, sheet=chosen[0])])
    return frame[["unit_id", "name", "group", "_file", "_sheet", "_row"]].reset_index(drop=True)


def read_result_files(
    files: list[InputFile], *, pending_allowed: bool = False
) -> tuple[pd.DataFrame, list[SourceInfo], list[Issue]]:
    """Every results row of every file and sheet, plus the problems found in reading.

    Returned issues cover file-level problems, missing columns and empty required
    cells; rows with an empty required cell are dropped so later stages can
    go on and report everything else at once. With ``pending_allowed`` (the store's import, SPEC
    extension 2a), a row whose only empty required cell is its result is not yet recorded: it is
    skipped and counted (``SourceInfo.pending``), not an error.
    """
    issues: list[Issue] = []
    frames: list[pd.DataFrame] = []
    sources: list[SourceInfo] = []
    for f in files:
        try:
            sheets = read_sheets(f, RESULT_COLUMNS)
        except InputError as exc:
            issues.extend(exc.issues)
            continue
        usable = 0
        n_rows = 0
        pending = 0
        sheet_issues: list[Issue] = []
        for sheet, header, body in sheets:
            found, _ = _header_map(header, RESULT_COLUMNS)
            if sheet is not None and not set(RESULT_COLUMNS.required) <= set(found.values()):
                continue  # instructions or drop-down lists: not a results sheet
            frame = frame_from_sheet(f, sheet, header, body, RESULT_COLUMNS, sheet_issues)
            if frame is None:
                continue
            usable += 1
            n_rows += len(frame)
            if pending_allowed:
                later = (frame["value"] == "").to_numpy(dtype=bool)
                pending += int(later.sum())
                frame = frame[~later] if later.any() else frame
            bad = _empty_cells(frame, RESULT_COLUMNS, sheet_issues)
            frames.append(frame[~bad])
        if f.kind != "csv" and usable == 0:
            issues.append(
                Issue(
                    code="no-results-sheet",
                    message="工作簿中没有测评结果工作表:需要某个工作表的第 1 行包含 "
                    + RESULT_COLUMNS.describe(RESULT_COLUMNS.required),
                    file=f.name,
                )
            )
        issues.extend(sheet_issues)
        if usable and n_rows == 0:
            issues.append(Issue(code="no-results", file=f.name,
                                message="文件只有表头,没有任何结果行;请检查是否选错了文件"))  # fmt: skip
        encoding = csv_encoding(f.data) if f.kind == "csv" else "utf-8"
        sources.append(SourceInfo(path=f.name, sha256=f.sha256, rows=n_rows - pending, role="results",
                                  encoding=encoding, pending=pending))  # fmt: skip
    if not frames:
        empty = {name: _constant("", 0) if name in RESULT_COLUMNS.coded else pd.Series([], dtype=object)
                 for name in RESULT_COLUMNS.aliases}  # fmt: skip
        return pd.DataFrame({**empty, "_file": _constant("", 0), "_sheet": _constant("", 0),
                             "_row": pd.Series([], dtype="int64")}), sources, issues  # fmt: skip
    results = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)
    # frames with different codes concatenate to plain text; code them again, together
    for name in (*RESULT_COLUMNS.coded, "_file", "_sheet"):
        results[name] = _coded(results[name])
    return results, sources, issues
