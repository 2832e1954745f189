"""Hand-worked records at the edges of SPEC 6, written as four exports in four shapes, and the
values worked out by hand (tests/records/test_reference_golden.py checks the reference against
them; tests/records/test_differential.py checks `assess records`).

Window 2017-09-01 .. 2017-10-20 (--to = 2017-10-20). The 2017 calendar: 2017-09-30 (Sat) is a
make-up workday; 2017-10-01 .. 2017-10-08 are days off (10-02 .. 10-06 weekdays); 10-09 is Monday.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent
RUBRIC = ROOT / "rubric.yaml"
WINDOW = ("2017Q4", "2017-09-01", "2017-10-20")
ROSTER = [("A1", "甲县人民政府", "county"), ("A2", "乙县人民政府", "county"),
          ("B1", "市交通局", "department"), ("B2", "市统计局", "department")]  # fmt: skip

CASES_HEADER = ["办件编号", "单位编码", "事项编码", "事项名称", "办理渠道", "受理时间", "办结时间",
                "承诺时限", "法定时限", "跑动次数"]  # fmt: skip
CASES = [
    # c1: (09-28, 10-10] = 09-29, 09-30 (make-up Sat), 10-09, 10-10 = 4 working days > 3: late
    ["BJ2017092800000001", "A1", "I1", "不动产登记(首次,转移)", "网上办理", "2017-09-28 10:00:00", "2017-10-10 15:00:00", "3", "5", "0"],
    # c2: (09-29, 10-09] = 09-30, 10-09 = 2 ≤ 2: on time
    ["BJ2017092900000002", "A1", "I2", '"个体"设立\n登记', "窗口", "2017-09-29 09:00:00", "2017-10-09 11:00:00", "2", "8", "1"],
    # c3: finished the day it was accepted: 0 ≤ 0 (即办件); no statutory limit
    ["BJ2017101600000003", "A1", "I2", "", "窗口", "2017-10-16 09:00:00", "2017-10-16 16:00:00", "0", "", "1"],
    # c4: unfinished; (10-10, 10-20] = 10-11..13, 10-16..20 = 8 > 5: its deadline has passed
    ["BJ2017101000000004", "A1", "I1", "", "移动端", "2017-10-10 09:00:00", "", "5", "10", ""],
    # c5: unfinished; (10-16, 10-20] = 4 ≤ 5: not yet due. promised = statutory: reduction 0
    ["BJ2017101600000005", "A1", "I3", "", "自助终端", "2017-10-16 09:30:00", "", "5", "5", "2"],
    # c6: accepted and finished before the window: in no measure
    ["BJ2017082000000006", "A1", "I1", "", "窗口", "2017-08-21 09:00:00", "2017-08-25 09:00:00", "1", "20", "3"],
    # c7: accepted before the window, finished in it: (08-28, 09-04] = 08-29..31, 09-01, 09-04 = 5 > 3: late
    ["BJ2017082800000007", "A1", "I4", "", "窗口", "2017-08-28 09:00:00", "2017-09-04 17:00:00", "3", "6", "1"],
    # d1: accepted on the make-up Saturday; (09-30, 10-09] = 10-09 = 1 ≤ 1: on time; promised = statutory
    ["BJ2017093000000008", "A2", "J1", "", "网上办理", "2017-09-30 09:00:00", "2017-10-09 10:00:00", "1", "1", "0"],
    # a unit not on the roster: ignored
    ["BJ2017100900000009", "ZZ", "X1", "", "窗口", "2017-10-09 09:00:00", "2017-10-30 09:00:00", "1", "1", "5"],
]  # fmt: skip
RATINGS_HEADER = ["rating_id", "unit_id", "case_id", "rated_at", "level", "rating_channel", "verified", "fixed_at",
                  "callback_at"]  # fmt: skip
D = dt.datetime
RATINGS = [
    ["PJ2017101000000001", "A1", "BJ2017092800000001", D(2017, 10, 10, 16), 5, "网上评价", None, None, None],
    # 差评 due ((10-09, 10-20] = 9 ≥ 5), fixed (10-09, 10-16] = 10-10..13, 10-16 = 5 ≤ 5: on time; called back
    ["PJ2017100900000002", "A1", "BJ2017092900000002", D(2017, 10, 9, 12), 2, "窗口评价器", "属实", D(2017, 10, 16, 10),
     D(2017, 10, 17, 9)],
    # 差评 fixed late: (09-29, 10-13] = 09-30, 10-09..13 = 6 > 5 (the make-up Saturday decides it); no callback
    ["PJ2017092900000003", "A1", "BJ2017082800000007", D(2017, 9, 29, 18), 1, "短信评价", "属实", D(2017, 10, 13, 9), None],
    # 差评 not yet due: (10-18, 10-20] = 2 < 5 and not fixed; not yet verified; called back
    ["PJ2017101800000004", "A1", None, D(2017, 10, 18, 9), 2, "12345热线", None, None, D(2017, 10, 19, 9)],
    # 差评 verified 不属实: left out of every measure (c3 is not covered by it)
    ["PJ2017101600000005", "A1", "BJ2017101600000003", D(2017, 10, 16, 17), 1, "窗口评价器", "不属实", None,
     D(2017, 10, 17, 9)],
    # rated after --to: outside the window
    ["PJ2017102100000006", "A1", "BJ2017101600000003", D(2017, 10, 21, 9), 5, "网上评价", None, None, None],
    ["PJ2017090500000007", "A1", "BJ2017082800000007", D(2017, 9, 5, 9), 3, "网上评价", None, None, None],
    ["PJ2017101200000008", "B1", None, D(2017, 10, 12, 9), 5, "移动端评价", None, None, None],
]  # fmt: skip
ACCOUNTS = [
    ["WX-A1-1", "A1", "微信公众号", "甲县发布"],
    ["WB-A1-2", "A1", "微博", "甲县政务微博"],
    ["DY-A1-3", "A1", "抖音", "甲县融媒"],
    ["TT-A1-4", "A1", "头条号", "甲县头条"],
    ["WX-B1-1", "B1", "微信公众号", "市交通局"],
]
POSTS = [
    ("WX-A1-1", D(2017, 10, 10, 8)),  # 10 days before --to: fresh
    ("WX-A1-1", D(2017, 9, 1, 8)),
    ("WB-A1-2", D(2017, 10, 5, 8)),  # 15 days: stale at 14, fresh at 30
    ("WB-A1-2", D(2017, 10, 25, 8)),  # after --to: does not count
    ("TT-A1-4", D(2017, 10, 6, 20)),  # exactly 14 days: not "more than 14"
    ("WX-B1-1", D(2017, 10, 20, 23)),
    # DY-A1-3 never posted: stale at 14 and at 30
]

# the values, worked by hand in the comments above (A1's in full in test_reference_golden.py)
EXPECTED = {
    ("A1", "R1.1.1"): "0.500000",  # finished in the window c1 c2 c3 c7; on time c2 c3
    ("A1", "R1.1.2"): "3",  # late c1 c7 + unfinished past its deadline c4
    ("A1", "R1.1.3"): "0.416667",  # I1 from c4: 1/2, I2 from c2: 3/4, I3 from c5: 0 → 5/12
    ("A1", "R1.2.1"): "0.400000",  # accepted c1..c5: online c1, mobile c4
    ("A1", "R1.2.2"): "0.200000",  # promised 0: c3
    ("A1", "R1.2.3"): "0.750000",  # visits recorded c1 c2 c3 c5 (0 1 1 2): ≤ 1 three
    ("A1", "R2.1.1"): "0.400000",  # rated in window (not 不属实): 5 2 1 2 3 → ≥3 two of five
    ("A1", "R2.1.2"): "0.500000",  # due: r2 (on time), r3 (late); r4 not yet due
    ("A1", "R2.1.3"): "0.666667",  # 差评 r2 r3 r4: callback r2 r4
    ("A1", "R2.1.4"): "0.750000",  # c1 c2 c7 rated; c3 only by 不属实 and after --to
    ("A1", "R3.1.1"): "2",  # WB (15 days) and DY (none); TT at exactly 14 is not stale
    ("A1", "R3.1.2"): "1",  # veto at 30 days: DY
    ("A2", "R1.1.1"): "1.000000",
    ("A2", "R1.1.2"): "0",
    ("A2", "R1.1.3"): "0.000000",  # promised = statutory
    ("A2", "R1.2.1"): "1.000000",
    ("A2", "R1.2.2"): "0.000000",
    ("A2", "R1.2.3"): "1.000000",
    ("A2", "R2.1.1"): "NA",  # no ratings at all
    ("A2", "R2.1.2"): "NA",
    ("A2", "R2.1.3"): "NA",
    ("A2", "R2.1.4"): "0.000000",  # d1 finished, never rated
    ("A2", "R3.1.1"): "NA",  # no accounts
    ("A2", "R3.1.2"): "NA",
    ("B1", "R1.1.1"): "NA",
    ("B1", "R1.1.2"): "NA",
    ("B1", "R1.1.3"): "NA",
    ("B1", "R1.2.1"): "NA",
    ("B1", "R1.2.3"): "NA",
    ("B1", "R2.1.1"): "1.000000",
    ("B1", "R2.1.2"): "NA",  # no 差评
    ("B1", "R2.1.3"): "NA",
    ("B1", "R2.1.4"): "NA",
    ("B1", "R3.1.1"): "0",
    **{
        ("B2", c): "NA"
        for c in ("R1.1.1", "R1.1.2", "R1.1.3", "R1.2.1", "R1.2.3", "R2.1.1", "R2.1.2", "R2.1.3", "R2.1.4", "R3.1.1")
    },
}


def write_golden(folder: Path) -> dict[str, object]:
    """The roster and the four exports in four shapes: cases as GB18030 CSV with Chinese headers,
    ratings as XLSX with English headers and level digits, accounts as UTF-8 CSV, posts as Parquet.
    Returns the keyword arguments of ``reference_values`` (and of the command line)."""
    folder.mkdir(parents=True, exist_ok=True)
    units = folder / "units.csv"
    with units.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["unit_id", "name", "group"], *ROSTER])
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([CASES_HEADER, *CASES])
    cases = folder / "cases.csv"
    cases.write_bytes(buf.getvalue().encode("gb18030"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "好差评"
    ws.append(RATINGS_HEADER)
    for row in RATINGS:
        ws.append(row)
    ratings = folder / "ratings.xlsx"
    wb.save(ratings)
    accounts = folder / "accounts.csv"
    with accounts.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["账号编码", "单位编码", "平台", "账号名称"], *ACCOUNTS])
    posts = folder / "posts.parquet"
    pq.write_table(
        pa.table({"account_id": [p[0] for p in POSTS], "published_at": pa.array([p[1] for p in POSTS], pa.timestamp("s")),
                  "title": ["通知"] * len(POSTS)}),
        posts,
    )  # fmt: skip
    return {"units_path": units, "cases": [cases], "ratings": [ratings], "accounts": accounts, "posts": [posts]}
