"""The office's list of wrong and outdated wording (SPEC 4a ``--words``): wrong form, right form,
severity. Read from a CSV or XLSX file or from the page's table editor, checked with every problem
at once, and written back as one canonical CSV so that the same list always has the same sha256."""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.errors import InputError, Issue
from scoring.output import csv_bytes
from scoring.tables import Columns, InputFile, as_text, frame_from_sheet, read_sheets

__all__ = ["SEVERITIES", "WORDS_COLUMNS", "read_words_list", "words_csv", "words_from_table"]

WORDS_COLUMNS = Columns(
    {"wrong": "错误表述", "right": "正确表述", "severity": "严重程度"}, ("wrong", "right", "severity")
)
SEVERITIES = ("严重", "一般")


def read_words_list(f: InputFile) -> pd.DataFrame:
    """wrong, right, severity in file order; an InputError naming every bad cell otherwise."""
    issues: list[Issue] = []
    frame, sheet = None, None
    for sheet_name, header, body in read_sheets(f, WORDS_COLUMNS):
        tried: list[Issue] = []
        frame = frame_from_sheet(f, sheet_name, header, body, WORDS_COLUMNS, tried)
        if frame is not None or sheet_name is None:
            issues += tried
            sheet = sheet_name
            break
        issues = issues or tried
    if frame is None:
        raise InputError(issues)
    return _checked(frame, f.name, sheet, issues)


def words_from_table(table: pd.DataFrame, name: str = "错误表述清单(页面编辑)") -> pd.DataFrame:
    """The list as edited on the page (columns wrong, right, severity; None for an empty cell),
    checked like a file whose rows are the table's rows (header = row 1)."""
    frame = pd.DataFrame({c: as_text(table[c].astype(object)) if c in table else "" for c in WORDS_COLUMNS.aliases})
    frame = frame.fillna("").astype(str)
    frame["_row"] = np.arange(2, len(frame) + 2, dtype="int64")
    empty = np.logical_and.reduce([(frame[c].str.strip() == "").to_numpy() for c in WORDS_COLUMNS.aliases])
    return _checked(frame[~empty].reset_index(drop=True), name, None, [])


def _checked(frame: pd.DataFrame, name: str, sheet: str | None, issues: list[Issue]) -> pd.DataFrame:
    for col in WORDS_COLUMNS.aliases:
        frame[col] = as_text(frame[col]).astype(str).str.strip()
    rows = frame["_row"].to_numpy()

    def each(mask: pd.Series, col: str, code: str, message: str) -> None:
        for i in np.flatnonzero(mask.to_numpy()):
            value = frame[col].iat[i]
            issues.append(Issue(code=code, message=message.format(v=value), file=name, sheet=sheet, row=int(rows[i]),
                                column=WORDS_COLUMNS.aliases[col], value=value or None))  # fmt: skip

    each(frame["wrong"] == "", "wrong", "empty-cell", "错误表述为空;每行须写出一个错误或过时的表述")
    each(frame["right"] == "", "right", "empty-cell", "正确表述为空;请写出应改成的表述")
    each(~frame["severity"].isin(SEVERITIES), "severity", "bad-severity",
         "严重程度 “{v}” 不可用;可填 " + " 或 ".join(SEVERITIES))  # fmt: skip
    each((frame["wrong"] == frame["right"]) & (frame["wrong"] != ""), "right", "right-is-wrong",
         "正确表述与错误表述相同({v});请改正其中之一")  # fmt: skip
    each(frame.duplicated("wrong") & (frame["wrong"] != ""), "wrong", "wrong-twice",
         "错误表述 “{v}” 出现了不止一次;每个错误表述只写一行")  # fmt: skip
    if issues:
        raise InputError(issues)
    if frame.empty:
        raise InputError([Issue(code="words-empty", file=name, sheet=sheet,
                                message="错误表述清单没有任何一行;请至少写一行 错误表述、正确表述、严重程度")])  # fmt: skip
    return frame[list(WORDS_COLUMNS.aliases)].reset_index(drop=True)


def words_csv(words: pd.DataFrame) -> bytes:
    """The list as the canonical CSV the store keeps (UTF-8, the English header, file order)."""
    return csv_bytes(words[list(WORDS_COLUMNS.aliases)])
