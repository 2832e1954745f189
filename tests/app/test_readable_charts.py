"""Charts and tables a person can read at province scale (issue 21): a group of 2,000 units is
drawn as its first and last ranks and the units searched for; tables scroll past 40 rows."""

import pandas as pd

from ui.tables import CHART_ENDS, TABLE_ROWS, chart_units, table_height


def _group(n: int) -> pd.DataFrame:
    return pd.DataFrame({"rank": range(1, n + 1), "unit_name": [f"单位{i:04d}" for i in range(1, n + 1)]})


def test_a_small_group_is_drawn_whole():
    small = _group(2 * CHART_ENDS)
    assert chart_units(small).equals(small)


def test_a_large_group_is_drawn_as_its_ends_and_the_units_searched_for():
    big = _group(2000)
    ends = chart_units(big)
    assert list(ends["rank"]) == [*range(1, CHART_ENDS + 1), *range(2000 - CHART_ENDS + 1, 2001)]
    found = chart_units(big, "单位10")  # 单位1000..单位1099 match; at most 20 are added, in rank order
    extra = [r for r in found["rank"] if CHART_ENDS < r <= 2000 - CHART_ENDS]
    assert extra == list(range(1000, 1020))
    assert list(found["rank"]) == sorted(found["rank"])
    assert len(chart_units(big, "没有这个单位")) == 2 * CHART_ENDS


def test_a_search_in_a_small_group_keeps_every_unit():
    small = _group(10)
    assert len(chart_units(small, "单位0003")) == 10


def test_tables_are_as_tall_as_their_rows_up_to_a_limit():
    assert table_height(33) == 35 * 33 + 38  # the 33 departments without an inner scroll bar
    assert table_height(2000) == table_height(TABLE_ROWS) == 35 * TABLE_ROWS + 38
    assert table_height(0) == 35 + 38
