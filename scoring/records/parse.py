"""From trimmed text to compact typed columns, vectorised, with every bad cell located.

Dates become int32 day numbers (days since 1970-01-01) plus, where an order between two times
of one record must be checked, int64 seconds that live only as long as that check. Codes with few
values (unit, item, channel) become ``Coded`` columns or small ints; ids stay Arrow strings. Dates
and counts a file stores typed (Parquet's timestamps and integers, a CSV's cells Arrow's reader
converted) skip the text parsers: only their range and the calendar can be wrong.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import Issue
from scoring.records.read import Block, Kind
from scoring.records.table import Coded, Table
from scoring.tables import NUL_MESSAGE, Columns

__all__ = [
    "ACCOUNTS",
    "CASES",
    "CHANNELS",
    "LEVELS",
    "MISSING",
    "POSTS",
    "RATINGS",
    "Problems",
    "parse_accounts",
    "parse_cases",
    "parse_posts",
    "parse_ratings",
]

MISSING = np.int32(-(2**31))  # an empty date or count
SECONDS_PER_DAY = 86_400
MAX_COUNT = 10**9
SHOWN_PER_KIND = 200  # located problems listed per kind of problem; the rest are counted

CASES = Kind("办件", Columns(
    {"case_id": "办件编号", "unit_id": "单位编码", "item_code": "事项编码", "channel": "办理渠道",
     "accepted_at": "受理时间", "finished_at": "办结时间", "promised_days": "承诺时限",
     "statutory_days": "法定时限", "visits": "跑动次数"},
    ("case_id", "unit_id", "channel", "accepted_at", "promised_days"),
), dates=("accepted_at", "finished_at"), counts=("promised_days", "statutory_days", "visits"),
   few=("unit_id", "channel"))  # fmt: skip
RATINGS = Kind("好差评", Columns(
    {"rating_id": "评价编号", "unit_id": "单位编码", "case_id": "办件编号", "rated_at": "评价时间",
     "level": "评价等级", "verified": "核实结果", "fixed_at": "整改完成时间", "callback_at": "回访时间"},
    ("rating_id", "unit_id", "rated_at", "level"),
), dates=("rated_at", "fixed_at", "callback_at"), few=("unit_id", "level", "verified"))  # fmt: skip
ACCOUNTS = Kind("政务新媒体账号", Columns(
    {"account_id": "账号编码", "unit_id": "单位编码", "platform": "平台", "name": "账号名称"},
    ("account_id", "unit_id"),
), few=("unit_id",))  # fmt: skip
POSTS = Kind("政务新媒体发文", Columns(
    {"account_id": "账号编码", "published_at": "发布时间", "title": "标题"}, ("account_id", "published_at")
), dates=("published_at",))  # fmt: skip

# channel codes: 0 online, 1 mobile (both count as handled online), 2 window, 3 self-service
CHANNELS = {"online": 0, "网上办理": 0, "mobile": 1, "移动端": 1, "window": 2, "窗口": 2, "self_service": 3,
            "自助终端": 3}  # fmt: skip
CHANNEL_WORDS = "online(网上办理)、mobile(移动端)、window(窗口)、self_service(自助终端)"
LEVELS = {"非常满意": 5, "满意": 4, "基本满意": 3, "不满意": 2, "非常不满意": 1, **{str(i): i for i in range(1, 6)}}
LEVEL_WORDS = "非常满意、满意、基本满意、不满意、非常不满意,或数字 5 到 1"
# verified: 1 founded (属实), 0 unfounded (不属实), -1 not yet verified
VERIFIED = {"属实": 1, "不属实": 0, "": -1}


class Problems:
    """Located problems of one run, at most ``SHOWN_PER_KIND`` listed per (code, column); the
    rest counted and said in one line each at the end."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        self.hidden: dict[tuple[str, str], int] = {}
        self.shown: dict[tuple[str, str], int] = {}
        # every room asked: (issues listed before it, key, asked, given), so that problems found on
        # another thread can be replayed after these as if found here (``extend``)
        self.rooms: list[tuple[int, tuple[str, str], int, int]] = []

    def room(self, code: str, column: str, n: int) -> int:
        """How many of ``n`` new problems may be listed; the others are counted."""
        key = (code, column)
        free = max(0, SHOWN_PER_KIND - self.shown.get(key, 0))
        take = min(free, n)
        self.shown[key] = self.shown.get(key, 0) + take
        if n > take:
            self.hidden[key] = self.hidden.get(key, 0) + n - take
        self.rooms.append((len(self.issues), key, n, take))
        return take

    def checkpoint(self) -> Callable[[], None]:
        """What undoes every problem recorded after now (a file read again records its own anew)."""
        issues, rooms, shown, hidden = len(self.issues), len(self.rooms), dict(self.shown), dict(self.hidden)

        def undo() -> None:
            del self.issues[issues:], self.rooms[rooms:]
            self.shown, self.hidden = shown, hidden

        return undo

    def extend(self, later: Problems) -> None:
        """The problems ``later`` found (on another thread, on its own caps) after these, exactly as
        if they had been found here in that order: each room it was given is asked again here, and
        of the issues it listed there only as many as this one allows are kept. (Every room is
        followed by as many issues as it gave, and ``later`` is not closed.)"""
        rooms = iter(later.rooms)
        room = next(rooms, None)
        i = 0
        while i < len(later.issues) or room is not None:
            if room is not None and room[0] <= i:
                _, (code, column), n, take = room
                self.issues.extend(later.issues[i : i + self.room(code, column, n)])
                i += take
                room = next(rooms, None)
            else:
                self.issues.append(later.issues[i])
                i += 1

    def at(self, block: Block, mask: np.ndarray, code: str, column: str, message: str,
           values: str | pa.Array | np.ndarray | None = None) -> None:  # fmt: skip
        """One issue per row of ``mask``, each naming the file, sheet, row and column; ``values``
        gives each row's cell: an array, or the name of the block's column (text or typed)."""
        where = np.flatnonzero(mask)
        if len(where) == 0:
            return
        where = where[: self.room(code, column, len(where))]
        shown = block.headers.get(column, column)
        if values is None:
            cells: list = [None] * len(where)
        elif isinstance(values, str):
            cells = block.cells(values, where)
        elif isinstance(values, np.ndarray):
            cells = values[where].tolist()
        else:
            cells = values.take(pa.array(where)).to_pylist()
        for row, cell in zip(block.rows[where], cells, strict=True):
            text = message if cell is None else message.replace("{value}", str(cell))
            self.issues.append(Issue(code=code, message=text, file=block.file, sheet=block.sheet, row=int(row),
                                     column=shown, value=None if cell is None else str(cell)))  # fmt: skip

    def close(self) -> None:
        for (code, column), n in self.hidden.items():
            self.issues.append(Issue(code=code, column=column, message=f"另有 {n:,} 处同类问题(列 {column})未列出"))
        self.hidden.clear()


def _required(block: Block, problems: Problems, columns: Columns) -> np.ndarray:
    bad = np.zeros(len(block), dtype=bool)
    for name in columns.required:
        empty = block.empty(name)
        problems.at(block, empty, "records-empty-cell", name, f"必填单元格为空:{columns.describe((name,))}")
        bad |= empty
    return bad


# the forms an export writes (and their length), tried in Arrow first; whatever is left goes to
# pandas' ISO 8601 parser
FAST_FORMATS = (("%Y-%m-%d %H:%M:%S", 19), ("%Y-%m-%d", 10))


def _typed_seconds(column: pa.Array) -> np.ndarray:
    """A Parquet file's naive timestamps or dates as int64 seconds (MISSING where null), truncated to
    the whole second as the text path reads them."""
    if pa.types.is_timestamp(column.type):
        seconds = pc.cast(column, pa.timestamp("s"), safe=False).cast(pa.int64())
    else:
        seconds = pc.multiply(column.cast(pa.date32()).cast(pa.int32()).cast(pa.int64()), SECONDS_PER_DAY)
    return _numbers(seconds, MISSING)


def _numbers(array: pa.Array, fill: int) -> np.ndarray:
    """An Arrow int64 array as numpy, ``fill`` where null: numpy's ``where`` over Arrow's own buffer
    (Arrow's fill_null copied each of ten million values first, issue 28)."""
    if array.null_count == len(array) or array.buffers()[1] is None:
        return np.full(len(array), np.int64(fill))
    values = np.frombuffer(array.buffers()[1], dtype=np.int64, count=len(array), offset=8 * array.offset)
    if not array.null_count:
        return values
    return np.where(array.is_valid().to_numpy(zero_copy_only=False), values, np.int64(fill))


def _dates(block: Block, problems: Problems, name: str) -> np.ndarray:
    """int64 seconds since 1970 (MISSING where empty); unparseable dates are located problems."""
    if name in block.typed:  # every stored timestamp is a real date: only the calendar may refuse it
        return _typed_seconds(block.typed[name])
    text = block.text[name]
    seconds = np.full(len(text), np.int64(MISSING))
    todo = ~block.empty(name)
    length = pc.utf8_length(text).to_numpy(zero_copy_only=False)
    for fmt, size in FAST_FORMATS:
        where = np.flatnonzero(todo & (length == size))
        if len(where) == 0:
            continue
        cells = text.take(pa.array(where))
        parsed = pc.strptime(cells, format=fmt, unit="s", error_is_null=True)
        # strptime rolls 2017-02-30 over to 03-02: the day must be the day written
        day = pc.cast(pc.utf8_slice_codeunits(pc.if_else(pc.is_valid(parsed), cells, "0000-00-00"), 8, 10), pa.int8())
        ok = pc.fill_null(pc.equal(pc.day(parsed), day), False).to_numpy(zero_copy_only=False)
        seconds[where[ok]] = parsed.cast(pa.int64()).to_numpy(zero_copy_only=False)[ok]
        todo[where[ok]] = False
    if todo.any():
        # unpadded (2017-9-4) and slashed (2017/9/4) forms, and ISO's T: few rows, pandas' parser
        where = np.flatnonzero(todo)
        rest = pd.Series(text.take(pa.array(where)).to_pylist(), dtype=object).str.replace("/", "-", regex=False)
        parsed = pd.to_datetime(rest, format="ISO8601", errors="coerce")
        good = parsed.notna().to_numpy()
        seconds[where[good]] = parsed[good].to_numpy(dtype="datetime64[s]").astype(np.int64)
        todo[where[good]] = False
    problems.at(block, todo, "records-bad-date", name,
                "“{value}” 不是日期;请写作 2017-09-04 或 2017-09-04 10:30:00(日期须真实存在)", name)  # fmt: skip
    return seconds


def day_numbers(seconds: np.ndarray) -> np.ndarray:
    """Days since 1970 (MISSING where empty). Floored in floating point, which is exact here (a
    whole number of seconds below 2^40 is s = 86400·q + r, and q + r/86400 lies at least 1/86400
    from the next whole number) and half the cost of numpy's 64-bit integer division."""
    q = seconds / SECONDS_PER_DAY
    np.floor(q, out=q)
    days = q.astype(np.int32)
    days[seconds == MISSING] = MISSING
    return days


def _counts(block: Block, problems: Problems, name: str, what: str) -> np.ndarray:
    """Whole numbers 0..10^9 as int32 (MISSING where empty); anything else a located problem."""
    filled = ~block.empty(name)
    if name in block.typed:  # a Parquet integer column: only its range may be wrong
        numbers = _numbers(block.typed[name].cast(pa.int64(), safe=False), 0)
        if not len(numbers) or (numbers.min() >= 0 and numbers.max() <= MAX_COUNT):  # as a rule
            return np.where(filled, numbers, MISSING).astype(np.int32) if block.typed[name].null_count else \
                numbers.astype(np.int32)  # fmt: skip
        good = (numbers >= 0) & (numbers <= MAX_COUNT)
        problems.at(block, filled & ~good, "records-bad-count", name,
                    f"“{{value}}” 不是{what}:须为 0 或正整数(工作日或次数)", name)  # fmt: skip
        return np.where(filled & good, numbers, MISSING).astype(np.int32)
    text = block.text[name]
    cells = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    try:
        numbers = cells.cast(pa.int64()).to_numpy(zero_copy_only=False).astype("float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        # 3.0 from a spreadsheet, or a bad cell somewhere: the careful way, still whole-column
        numbers = pd.to_numeric(pd.Series(cells.to_pylist(), dtype=object), errors="coerce").to_numpy(dtype="float64")
    numbers = np.where(filled, numbers, 0)
    good = np.isfinite(numbers) & (numbers >= 0) & (numbers <= MAX_COUNT) & (numbers == np.floor(numbers))
    problems.at(block, filled & ~good, "records-bad-count", name,
                f"“{{value}}” 不是{what}:须为 0 或正整数(工作日或次数)", name)  # fmt: skip
    return np.where(filled & good, np.nan_to_num(numbers), MISSING).astype(np.int32)


def _coded(block: Block, problems: Problems, name: str, table: dict[str, int], words: str) -> np.ndarray:
    """A few-valued column by its table (case-insensitive), as int8; -1 where empty or unknown."""
    text = block.text[name]
    encoded = text if pa.types.is_dictionary(text.type) else pc.dictionary_encode(text)
    lookup = {k.lower(): v for k, v in table.items()}
    codes = np.array([lookup.get(str(c).lower(), -2) for c in encoded.dictionary.to_pylist()] + [-1], dtype=np.int8)
    out = codes[encoded.indices.to_numpy(zero_copy_only=False)] if len(encoded) else np.zeros(0, np.int8)
    filled = ~block.empty(name)
    problems.at(block, filled & (out == -2), "records-bad-value", name, f"“{{value}}” 无法识别;可填 {words}",
                name)  # fmt: skip
    return np.where(out == -2, -1, out).astype(np.int8)


def categories(array: pa.Array) -> Coded:
    """Ids with few distinct values (units, items) as codes: hashed once, in Arrow."""
    return Coded.of(array)


def ids(array: pa.Array) -> pa.Array:
    return array


# the ids and names a store keeps or a page shows (evidence, drill-down): a unit's code with U+0000
# is off the roster anyway
KEPT_TEXT = {"cases": ("case_id", "item_code"), "ratings": ("rating_id", "case_id"),
             "accounts": ("account_id", "name"), "posts": ("account_id",)}  # fmt: skip


def _may_hold_nul(array: pa.Array | pa.ChunkedArray) -> bool:
    """Whether a zero byte is anywhere in the text's data buffer: one pass of ``min`` over the
    bytes, no temporary (a buffer shared with other cells may say yes for nothing: checked after)."""
    for chunk in array.chunks if isinstance(array, pa.ChunkedArray) else [array]:
        if not (pa.types.is_string(chunk.type) or pa.types.is_large_string(chunk.type)):
            return True
        data = chunk.buffers()[2]
        if data is not None and data.size and np.frombuffer(data, dtype=np.uint8).min() == 0:
            return True
    return False


def _nul_cells(block: Block, problems: Problems, kind: str) -> None:
    """Cells holding U+0000 where a store would keep them, each located: PostgreSQL refuses the
    character and SQLite keeps it, so a later copy would fail (the results files are checked alike)."""
    for name in KEPT_TEXT[kind]:
        array = block.text.get(name)
        if array is None or not _may_hold_nul(array):
            continue
        found = pc.fill_null(pc.match_substring(array, "\x00"), False)
        problems.at(block, np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool), "nul-character", name,
                    NUL_MESSAGE)  # fmt: skip


def _timed(block: Block, name: str, seconds: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Cells that give a time of day: more than a date, and not the midnight of a date cell."""
    midnight = seconds == days.astype(np.int64) * SECONDS_PER_DAY  # a product, not a remainder: cheaper
    if name in block.typed:  # a stored timestamp always has a time (a stored date never)
        return ~midnight if pa.types.is_timestamp(block.typed[name].type) else np.zeros(len(seconds), dtype=bool)
    longer = pc.greater(pc.utf8_length(block.text[name]), 10).to_numpy(zero_copy_only=False)
    return longer & ~midnight


def _order(block: Block, problems: Problems, first: np.ndarray, then: np.ndarray, days: dict[str, np.ndarray],
           name: str, message: str) -> np.ndarray:  # fmt: skip
    """``then`` before ``first``: by the time where both cells give one, else by the date (a case
    finished "2017-09-04" was not finished before its acceptance at 10:30 that day). ``days`` holds
    both columns' day numbers, made once."""
    first_name = {"finished_at": "accepted_at"}.get(name, "rated_at")
    first_day, then_day = days[first_name], days[name]
    timed = _timed(block, first_name, first, first_day) & _timed(block, name, then, then_day)
    earlier = np.where(timed, then < first, then_day < first_day)
    bad = (first != MISSING) & (then != MISSING) & earlier
    problems.at(block, bad, "records-order", name, message, name)
    return bad


def _base(block: Block, kind: Kind) -> dict[str, object]:
    n = len(block)
    return {"_file": _constant(block.file, n), "_sheet": _constant(block.sheet or "", n), "_row": block.rows}


def _constant(value: str, n: int) -> Coded:
    # one byte a row: a file's name and sheet are the same for its whole block
    return Coded(np.zeros(n, dtype=np.uint8), pa.array([value], pa.string()))


def parse_cases(block: Block, problems: Problems) -> Table:
    bad = _required(block, problems, CASES.columns)
    _nul_cells(block, problems, "cases")
    accepted = _dates(block, problems, "accepted_at")
    finished = _dates(block, problems, "finished_at")
    days = {"accepted_at": day_numbers(accepted), "finished_at": day_numbers(finished)}
    bad |= _order(block, problems, accepted, finished, days, "finished_at",
                  "办结时间 {value} 早于受理时间;办结不能早于受理")  # fmt: skip
    t = block.text
    return Table({
        "case_id": ids(t["case_id"]), "unit_id": categories(t["unit_id"]), "item_code": ids(t["item_code"]),
        "channel": _coded(block, problems, "channel", CHANNELS, CHANNEL_WORDS),
        "accepted": days["accepted_at"], "finished": days["finished_at"],
        "promised": _counts(block, problems, "promised_days", "承诺时限"),
        "statutory": _counts(block, problems, "statutory_days", "法定时限"),
        "visits": _counts(block, problems, "visits", "跑动次数"), **_base(block, CASES),
    })  # fmt: skip


def parse_ratings(block: Block, problems: Problems) -> Table:
    _required(block, problems, RATINGS.columns)
    _nul_cells(block, problems, "ratings")
    rated = _dates(block, problems, "rated_at")
    fixed = _dates(block, problems, "fixed_at")
    called = _dates(block, problems, "callback_at")
    days = {"rated_at": day_numbers(rated), "fixed_at": day_numbers(fixed), "callback_at": day_numbers(called)}
    _order(block, problems, rated, fixed, days, "fixed_at", "整改完成时间 {value} 早于评价时间")
    _order(block, problems, rated, called, days, "callback_at", "回访时间 {value} 早于评价时间")
    t = block.text
    return Table({
        "rating_id": ids(t["rating_id"]), "unit_id": categories(t["unit_id"]), "case_id": ids(t["case_id"]),
        "rated": days["rated_at"], "level": _coded(block, problems, "level", LEVELS, LEVEL_WORDS),
        "verified": _coded(block, problems, "verified", VERIFIED, "属实、不属实,或留空(尚未核实)"),
        "fixed": days["fixed_at"], "callback": days["callback_at"], **_base(block, RATINGS),
    })  # fmt: skip


def parse_accounts(block: Block, problems: Problems) -> Table:
    _required(block, problems, ACCOUNTS.columns)
    _nul_cells(block, problems, "accounts")
    t = block.text
    return Table({"account_id": ids(t["account_id"]), "unit_id": categories(t["unit_id"]),
                         "name": ids(t["name"]), **_base(block, ACCOUNTS)})  # fmt: skip


def parse_posts(block: Block, problems: Problems) -> Table:
    _required(block, problems, POSTS.columns)
    _nul_cells(block, problems, "posts")
    published = _dates(block, problems, "published_at")
    return Table({"account_id": ids(block.text["account_id"]), "published": day_numbers(published),
                         **_base(block, POSTS)})  # fmt: skip
