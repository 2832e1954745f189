"""Write the files of SPEC §3: the three score tables and the manifest.

Files are first written into a fresh folder beside the destination and moved in
only when all four are complete, so a failure never leaves a half-written set.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.engine import CHECK_COLUMNS, DIMENSION_COLUMNS, UNIT_COLUMNS, Scores
from scoring.rounding import round_half_up
from scoring.rubric.load import Rubric
from scoring.tables import SourceInfo
from scoring.version import __version__

__all__ = [
    "DETAIL_DECIMALS", "FORMULA_START", "OUTPUT_FILES", "csv_bytes", "csv_pieces", "csv_text", "fixed_text", "formula_safe",
    "score_tables_as_text", "text_holds", "write_outputs",
]  # fmt: skip

OUTPUT_FILES = ("unit_scores.csv", "dimension_scores.csv", "check_scores.csv", "manifest.json")
# check- and dimension-level points: enough to add up to the cent without float noise
DETAIL_DECIMALS = 4


def _formatted(x: pd.Series, fmt: str, trim: bool = False) -> pd.Categorical:
    """Each distinct number formatted once (scores repeat a lot), kept as codes; empty where NaN."""
    codes, uniq = pd.factorize(x.to_numpy(dtype=float))
    text = [fmt.format(v) for v in uniq]
    if trim:
        text = [t.rstrip("0").rstrip(".") if "." in t else t for t in text]
    # two numbers may print alike (0.0 and -0.0): merge them, and give NaN the empty text
    merged, labels = pd.factorize(np.asarray([*text, ""], dtype=object))
    return pd.Categorical.from_codes(merged[codes], categories=pd.Index(labels, dtype=object))


def fixed_text(x: pd.Series, decimals: int) -> pd.Categorical:
    """Rounded half-up and written with exactly ``decimals`` places; empty where NaN."""
    return _formatted(round_half_up(x, decimals), "{:." + str(decimals) + "f}")


def _short(x: pd.Series) -> pd.Series:
    """Rounded half-up to DETAIL_DECIMALS and written without trailing zeros (2, 1.5, 1.3333)."""
    return _formatted(round_half_up(x, DETAIL_DECIMALS), "{:." + str(DETAIL_DECIMALS) + "f}", trim=True)


def score_tables_as_text(scores: Scores, decimals: int) -> dict[str, pd.DataFrame]:
    """The three tables exactly as written to CSV (every cell a string).

    Columns are replaced, not edited in place, so selecting without a copy leaves the scores
    as they were (copy-on-write) and spares copying a million rows.
    """
    u = scores.units[UNIT_COLUMNS]
    for col in ("base", "bonus", "score"):
        u[col] = fixed_text(u[col], decimals)
    u["target_points"] = fixed_text(u["target_points"], 2)
    u["vetoed"] = np.where(u["vetoed"], "true", "false")
    d = scores.dimensions[DIMENSION_COLUMNS]
    d["earned"], d["max"] = _short(d["earned"]), _short(d["max"])
    d["percent"] = fixed_text(d["percent"], decimals)
    c = scores.checks[CHECK_COLUMNS]
    for col in ("earned", "max", "lost"):
        c[col] = _short(c[col])
    return {"unit_scores.csv": u, "dimension_scores.csv": d, "check_scores.csv": c}


def _quote(text: str) -> str:
    """CSV minimal quoting: only a field holding , " CR or LF is quoted."""
    if any(ch in text for ch in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


# a run of coded columns is joined into one while it has at most rows / FOLD distinct lines
FOLD = 8


def _codes(values: pd.Series) -> tuple[np.ndarray, list[str]] | None:
    """A column's codes and quoted distinct texts, or None for mostly distinct text (evidence)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), [_quote(str(u)) for u in values.cat.categories]
    if _arrow_backed(values):
        return None
    if values.dtype.kind in "iu" and len(values):
        # counts (findings per check): a small range, coded by offset instead of hashing
        ints = values.to_numpy()
        lo, hi = int(ints.min()), int(ints.max())
        if hi - lo < len(values) // 4:
            return (ints - lo).astype(np.int64), [str(v) for v in range(lo, hi + 1)]
        # ids and row numbers: written by Arrow's cast (hashing 600 k of them as Python objects
        # to find them distinct took up to 0.15 s a column of a province's findings)
        return None
    codes, uniq = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    if len(uniq) > len(values) // 4:
        return None
    return codes, [_quote(str(u)) for u in uniq]


def _fold(a: tuple[np.ndarray, list[str]], b: tuple[np.ndarray, list[str]], limit: int):
    """Two adjacent coded columns as one, 'x,y' per distinct pair; None if the pairs are too many."""
    (ca, wa), (cb, wb) = a, b
    product = len(wa) * len(wb)
    if product > 4 * limit:
        return None
    pair = ca.astype(np.int64) * len(wb) + cb
    used = np.flatnonzero(np.bincount(pair, minlength=product))
    if len(used) > limit:
        return None
    remap = np.zeros(product, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return remap[pair], [wa[i] + "," + wb[j] for i, j in zip(used // len(wb), used % len(wb), strict=True)]


def _arrow_text(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """Mostly distinct text as Arrow, quoted where needed."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "iu":
        # str() of a NumPy integer and Arrow's cast write the same digits; nothing to quote
        return pa.array(values.to_numpy()).cast(pa.large_string())
    column = _large_text(values)
    needs, quotes = _to_quote(column)
    if not needs.any():  # most evidence (URLs) has nothing to quote
        return column
    # only the texts that need it are quoted (a quarter of a province's evidence), then put in
    # their places: quoting every text and choosing between the two took twice as long
    some = column.filter(needs)
    if quotes:
        some = pc.replace_substring(some, '"', '""')
    quote, empty = pa.scalar('"', pa.large_string()), pa.scalar("", pa.large_string())
    return pc.replace_with_mask(column, needs, pc.binary_join_element_wise(quote, some, quote, empty))


def _large_text(values: pd.Series) -> pa.LargeStringArray:
    """The column's texts as one Arrow array (``str`` of each cell; a missing Arrow cell empty)."""
    if _arrow_backed(values):
        column = pa.array(values.array, type=pa.large_string(), from_pandas=True).fill_null("")
    else:
        column = pa.array(values.astype(str).to_numpy(dtype=object), type=pa.large_string())
    if isinstance(column, pa.ChunkedArray):
        column = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    return column


def _text_bytes(column: pa.LargeStringArray) -> tuple[np.ndarray, np.ndarray]:
    """The column's characters as UTF-8 bytes (a view, no copy) and each text's offset in them
    (n + 1 offsets from 0: text i is bytes[offsets[i]:offsets[i + 1]])."""
    _, offsets, data = column.buffers()
    ends = np.frombuffer(offsets, dtype=np.int64)[column.offset : column.offset + len(column) + 1]
    if data is None or len(column) == 0:
        return np.zeros(0, dtype=np.uint8), np.zeros(len(column) + 1, dtype=np.int64)
    return np.frombuffer(data, dtype=np.uint8)[ends[0] : ends[-1]], ends - ends[0]


def _to_quote(column: pa.LargeStringArray) -> tuple[np.ndarray, bool]:
    """Which texts hold , " CR or LF (CSV quotes those), and whether any holds a quote: found in
    the column's bytes at once (an RE2 match text by text took three times as long)."""
    raw, ends = _text_bytes(column)
    low = np.flatnonzero(raw <= ord(","))  # ',' is the largest of the four: a cheap first cut
    byte = raw[low]
    at = low[(byte == ord(",")) | (byte == ord('"')) | (byte == ord("\r")) | (byte == ord("\n"))]
    needs = np.zeros(len(column), dtype=bool)
    needs[np.searchsorted(ends, at, side="right") - 1] = True
    return needs, bool((byte == ord('"')).any())


def text_holds(values: pd.Series, char: str) -> bool:
    """Whether any text of the column (``str`` of each cell; a missing Arrow cell is empty) holds
    the ASCII character ``char``. Searched in the text's bytes at once: asked text by text, a
    province's findings took 0.17 s."""
    if not _arrow_backed(values):
        return bool(values.astype(str).str.contains(char, regex=False).any())
    return bool((_text_bytes(_large_text(values))[0] == ord(char)).any())


def _arrow_backed(values: pd.Series) -> bool:
    dtype = values.dtype
    return isinstance(dtype, pd.ArrowDtype) or (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow")


def _csv_body(table: pd.DataFrame) -> pa.Buffer:
    """The rows of a non-empty table as CSV lines, each ending in '\n', built in Arrow.

    Runs of coded columns (ids, statuses, rounded numbers) are first joined into one coded
    column per run, so that only a few columns of a million strings are ever materialised.
    """
    limit = max(len(table) // FOLD, 1)
    parts: list[pa.Array | pa.ChunkedArray] = []
    run: tuple[np.ndarray, list[str]] | None = None
    for name in table.columns:
        coded = _codes(table[name])
        folded = _fold(run, coded, limit) if run is not None and coded is not None else None
        if folded is not None:
            run = folded
            continue
        if run is not None:
            parts.append(_decode(run))
        run = coded
        if coded is None:
            parts.append(_arrow_text(table[name]))
    if run is not None:
        parts.append(_decode(run))
    sep = pa.scalar(",", pa.large_string())
    lines = pc.binary_join_element_wise(*parts, sep) if len(parts) > 1 else parts[0]
    lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
    whole = pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines)
    return pc.binary_join(whole, pa.scalar("\n", pa.large_string()))[0].as_buffer()


def _decode(coded: tuple[np.ndarray, list[str]]) -> pa.Array:
    codes, words = coded
    return pa.DictionaryArray.from_arrays(
        pa.array(codes, pa.int32()), pa.array(words, pa.large_string())
    ).dictionary_decode()


def _csv_header(table: pd.DataFrame) -> bytes:
    return (",".join(_quote(str(c)) for c in table.columns) + "\n").encode("utf-8")


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as UTF-8 CSV (header, one row per line, '\\n' endings), joined in Arrow."""
    return b"".join(csv_pieces(table))


def csv_pieces(table: pd.DataFrame) -> list[bytes | pa.Buffer]:
    """``csv_bytes`` as the pieces it is made of, not yet joined: what is only hashed need not be
    copied (a province's check table is 100 MB of text)."""
    if table.empty:
        return [_csv_header(table)]
    return [_csv_header(table), _csv_body(table), b"\n"]


# rows joined at a time when writing a file: a province's check table is 10 M rows and 1.5 GB
# of text, which need not all be in memory at once
WRITE_CHUNK_ROWS = 1 << 19


def write_csv(table: pd.DataFrame, path: Path, chunk_rows: int = WRITE_CHUNK_ROWS) -> None:
    """csv_bytes written to ``path``, ``chunk_rows`` rows at a time, with the same bytes."""
    with open(path, "wb") as f:
        f.write(_csv_header(table))
        for start in range(0, len(table), chunk_rows):
            f.write(memoryview(_csv_body(table.iloc[start : start + chunk_rows])))
            f.write(b"\n")


# a cell Excel or WPS would run as a formula when a CSV is opened (OWASP: CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
    """Text cells that would start a formula, prefixed with an apostrophe, for CSV files meant for
    people (the annual roll-up, downloads). The data files of SPEC §3 stay as the contract says."""
    safe = frame.copy()
    for col in columns if columns is not None else list(safe.columns):
        if safe[col].dtype == object or isinstance(safe[col].dtype, (pd.StringDtype, pd.CategoricalDtype)):
            text = safe[col].astype(object)
            risky = text.map(lambda v: isinstance(v, str) and v.startswith(FORMULA_START), na_action="ignore")
            safe[col] = text.where(~risky.fillna(False).astype(bool), "'" + text.astype(str))
    return safe


def csv_text(table: pd.DataFrame) -> str:
    return csv_bytes(table).decode("utf-8")


def write_outputs(
    scores: Scores,
    rubric: Rubric,
    sources: list[SourceInfo],
    out_dir: str | Path,
    *,
    allow_missing: bool = False,
) -> Path:
    """Write the four files into ``out_dir`` (created if needed); returns the folder."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".assess-", dir=out))
    try:
        for name, table in score_tables_as_text(scores, rubric.spec.rounding.decimals).items():
            write_csv(table, staging / name)
        manifest = {
            "engine": "assess",
            "engine_version": __version__,
            "rubric": {
                "path": rubric.path,
                "id": rubric.id,
                "version": rubric.spec.version,
                "sha256": rubric.sha256,
            },
            "inputs": [{"role": s.role, "path": s.path, "sha256": s.sha256, "rows": s.rows} for s in sources],
            "periods": scores.periods,
            "options": {"allow_missing": allow_missing},
            "counts": {
                "unit_scores": len(scores.units),
                "dimension_scores": len(scores.dimensions),
                "check_scores": len(scores.checks),
                "missing": int((scores.checks["status"] == "missing").sum()),
            },
            "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        for name in OUTPUT_FILES:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out
