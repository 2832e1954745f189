"""The office's list of wrong and outdated wording (SPEC 4a ``--words``) as the store keeps it:
read from a CSV or XLSX file or from the page's table editor — both checked by the monitor's own
reader (:func:`scoring.monitor.words.read_words`), every problem at once — and written back as one
canonical CSV so that the same list always has the same sha256."""

from __future__ import annotations

import dataclasses

import pandas as pd

from scoring.errors import InputError
from scoring.monitor.words import SEVERITIES, WORDS_COLUMNS, read_words
from scoring.output import csv_bytes
from scoring.tables import InputFile, as_text

__all__ = ["SEVERITIES", "WORDS_COLUMNS", "read_words_list", "words_csv", "words_from_table"]


def read_words_list(f: InputFile) -> pd.DataFrame:
    """wrong, right, severity in file order; an InputError naming every bad cell otherwise."""
    return read_words(f).drop(columns="_row")


def words_from_table(table: pd.DataFrame, name: str = "错误表述清单(页面编辑)") -> pd.DataFrame:
    """The list as edited on the page (columns wrong, right, severity; None for an empty cell),
    checked as the file it would be: the table's rows are the file's rows (header = row 1), and a
    row being added (every cell empty) is passed over, as a blank line of a file is."""
    frame = pd.DataFrame({c: as_text(table[c].astype(object)) if c in table else "" for c in WORDS_COLUMNS.aliases})
    text = frame.fillna("").astype(str).to_csv(index=False, lineterminator="\n")
    try:
        return read_words_list(InputFile(f"{name}.csv", text.encode("utf-8")))
    except InputError as err:  # the problems are the table's, by its own name
        raise InputError([dataclasses.replace(i, file=name) for i in err.issues]) from None


def words_csv(words: pd.DataFrame) -> bytes:
    """The list as the canonical CSV the store keeps (UTF-8, the English header, file order)."""
    return csv_bytes(words[list(WORDS_COLUMNS.aliases)])
