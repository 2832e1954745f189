"""Content findings tracked across monitor runs (SPEC 4a, issue 31): new, still present, fixed
(已整改) asked of insert-only rows, and the office's versioned wrong-words list. Real SQLite files;
the findings frames are built by hand, as the monitor's rules hand them over."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_backends import raw_db, refused_errors

from scoring import InputError, InputFile
from scoring.store import open_store
from scoring.store.access import AccessDenied
from scoring.store.content import (
    content_history,
    insert_content,
    latest_words,
    run_counts,
    save_words,
    visible_part,
    words_version,
    words_versions,
)
from scoring.store.users import OPERATOR, User
from scoring.words_list import read_words_list, words_from_table

OP = User("操作员", OPERATOR)
OFFICE = User("考核办", "admin")
XIAO = User("xiaoxian", "unit", "341322")
# a fictional resident ID number with a valid GB 11643 check digit (1949-12-31, district 110105)
PLANTED_ID = "11010519491231002X"

# (unit, key letter, rule): the findings of the three runs
FOUND = {
    "a": ("C1", "hidden_links", "http://c1.example/", "http://casino.example/"),
    "b": ("C1", "wrong_words", "http://c1.example/news/1.html", "国土资源局"),
    "c": ("C2", "privacy_leaks", "http://c2.example/dibao.xlsx", "1101************2X"),
    "d": ("C1", "unanswered_messages", "http://c1.example/msg/", "留言 2018-01-02"),
    "e": ("C3", "hidden_links", "http://c3.example/", "http://bet.example/"),
}


def frame(*letters: str) -> pd.DataFrame:
    rows = [(FOUND[x][0], FOUND[x][1], FOUND[x][2], FOUND[x][3], f"……前文 {FOUND[x][3]} 后文……", "严重",
             f"{FOUND[x][1]}|{FOUND[x][2]}|{FOUND[x][3]}") for x in letters]  # fmt: skip
    return pd.DataFrame(rows, columns=["unit_id", "rule", "url", "found", "context", "severity", "key"])


def key(letter: str) -> str:
    return frame(letter)["key"].iat[0]


def record(store, content: pd.DataFrame, units: list[str], words_id: int | None = None, period="2018Q3") -> int:
    with store.transaction():
        return insert_content(store, period, content, units, OP, words_id)


@pytest.fixture
def three_runs(store_location):
    """Run 1 reads C1 and C2; run 2 reads all three; run 3 reads C1 and C3 but not C2."""
    store = open_store(store_location)
    runs = [
        record(store, frame("a", "b", "c"), ["C1", "C2"]),
        record(store, frame("a", "d", "c", "e"), ["C1", "C2", "C3"]),  # b fixed; d, e new
        record(store, frame("b", "d"), ["C1", "C3"]),  # b back; a, e fixed; C2 not read: c stays open
    ]
    return store, runs


def test_three_runs_count_new_still_and_fixed_by_hand(three_runs):
    store, (r1, r2, r3) = three_runs
    assert r1 < r2 < r3
    assert run_counts(store, r1) == {"new": 3, "still": 0, "fixed": 0}
    assert run_counts(store, r2) == {"new": 2, "still": 2, "fixed": 1}  # new d, e; still a, c; fixed b
    assert run_counts(store, r3) == {"new": 1, "still": 1, "fixed": 2}  # new b again; still d; fixed a, e


def test_each_episode_has_its_first_last_and_fixing_run(three_runs):
    store, (r1, r2, r3) = three_runs
    h = content_history(store)
    got = {(r.key, r.first_run): (r.unit_id, r.status, r.last_run, r.fixed_run, r.latest_run)
           for r in h.itertuples()}  # fmt: skip
    assert got == {
        (key("a"), r1): ("C1", "fixed", r2, r3, r3),
        # a finding that comes back after being fixed is a new episode: new again, the old one stays fixed
        (key("b"), r1): ("C1", "fixed_before", r1, r2, r3),
        (key("b"), r3): ("C1", "new", r3, 0, r3),
        (key("d"), r2): ("C1", "still", r3, 0, r3),
        # C2 was not read whole by run 3: nothing can say c is gone, so it stays open as of run 2
        (key("c"), r1): ("C2", "still", r2, 0, r2),
        (key("e"), r2): ("C3", "fixed", r2, r3, r3),
    }
    fixed = h[h["status"] == "fixed"]
    assert (fixed["fixed_at"] >= fixed["last_at"]).all() and (fixed["fixed_at"] != "").all()
    assert set(h.loc[h["fixed_run"] == 0, "fixed_at"]) == {""}
    # a unit's rows only: a unit account's view
    assert set(content_history(store, ["C2"])["key"]) == {key("c")}
    assert content_history(store, []).empty


def test_a_full_id_number_is_never_stored_even_when_handed_over_unmasked(store_location):
    store = open_store(store_location)
    leak = frame("c").assign(found=PLANTED_ID, context=f"低保名单 张三 {PLANTED_ID} 在册")
    record(store, leak, ["C2"])
    with raw_db(store_location) as raw:
        dump = "\n".join(str(tuple(r)) for r in raw.execute("SELECT * FROM content_finding").fetchall())
    assert PLANTED_ID not in dump
    assert content_history(store)["found"].tolist() == ["1101************2X"]
    # a longer run of digits is not an ID number and is left as it is
    record(store, frame("a").assign(context="编号 123456789012345678901 止"), ["C1"])
    assert "123456789012345678901" in content_history(store, ["C1"])["context"].iat[0]


@pytest.mark.parametrize("table", ["content_run", "content_unit", "content_finding", "words_version"])
def test_the_content_tables_refuse_update_and_delete(store_location, table):
    store = open_store(store_location)
    words_id = save_words(store, words_from_table(pd.DataFrame({"wrong": ["国土资源局"], "right": ["自然资源和规划局"],
                                                                "severity": ["严重"]})), "清单", OFFICE)  # fmt: skip
    record(store, frame("a"), ["C1"], words_id)
    column = {"content_unit": "unit_id", "content_finding": "rule"}.get(table, "id")
    with raw_db(store_location) as raw:
        with pytest.raises(refused_errors(), match="never changed"):
            raw.execute(f"UPDATE {table} SET {column} = {column}")
        with pytest.raises(refused_errors(), match="never deleted"):
            raw.execute(f"DELETE FROM {table}")


WORDS_V1 = pd.DataFrame({"wrong": ["国土资源局", "萧县县政府"], "right": ["自然资源和规划局", "萧县人民政府"],
                         "severity": ["严重", "一般"]})  # fmt: skip


def test_words_list_versions_are_kept_and_a_run_names_the_one_it_used(store_location):
    store = open_store(store_location)
    assert latest_words(store) is None
    v1 = save_words(store, words_from_table(WORDS_V1), "初版", OFFICE)
    v2 = save_words(store, words_from_table(WORDS_V1.iloc[:1]), "删去一条", OFFICE)
    assert save_words(store, words_from_table(WORDS_V1.iloc[:1]), "再存一次", OFFICE) == v2  # unchanged: no version
    assert v1 < v2 and latest_words(store).id == v2
    assert latest_words(store).words.to_dict("list") == WORDS_V1.iloc[:1].to_dict("list")
    assert words_version(store, v1).words.to_dict("list") == WORDS_V1.to_dict("list")
    assert words_versions(store)[["id", "name", "entries", "saved_by"]].values.tolist() == [
        [v2, "删去一条", 1, "考核办"], [v1, "初版", 2, "考核办"]]  # fmt: skip
    # the first list saved again is current again, as a version of its own
    v3 = save_words(store, words_from_table(WORDS_V1), "恢复初版", OFFICE)
    assert v3 > v2 and latest_words(store).words.to_dict("list") == WORDS_V1.to_dict("list")
    run = record(store, frame("b"), ["C1"], v1)
    with raw_db(store_location) as raw:
        assert raw.execute("SELECT words_id FROM content_run WHERE id = ?", (run,)).fetchone()[0] == v1
    with pytest.raises(InputError):  # a unit keeps no list for the office
        save_words(store, words_from_table(WORDS_V1), "单位改的", XIAO)


def test_a_words_file_in_chinese_headers_reads_and_a_bad_one_names_every_cell(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws.append(["错误表述", "正确表述", "严重程度"])
    ws.append(["国土资源局", "自然资源和规划局", "严重"])
    ws.append(["", "某某", "一般"])
    ws.append(["安监局", "安监局", "很严重"])
    ws.append(["国土资源局", "", "一般"])
    path = tmp_path / "words.xlsx"
    wb.save(path)
    with pytest.raises(InputError) as err:
        read_words_list(InputFile.from_path(path))
    got = sorted((i.sheet, i.row, i.column, i.code) for i in err.value.issues)
    assert got == [("清单", 3, "错误表述", "empty-cell"), ("清单", 4, "严重程度", "unknown-severity"),
                   ("清单", 4, "正确表述", "same-forms"), ("清单", 5, "正确表述", "empty-cell"),
                   ("清单", 5, "错误表述", "wrong-twice")]  # fmt: skip
    good = InputFile("words.csv", "错误表述,正确表述,严重程度\n国土资源局,自然资源和规划局,严重\n".encode())
    assert read_words_list(good).values.tolist() == [["国土资源局", "自然资源和规划局", "严重"]]


def test_the_page_editors_table_is_checked_like_a_file():
    """The table editor hands over None for an empty cell and an empty row for a row being added."""
    edited = pd.DataFrame({"wrong": ["国土资源局", None, "安监局"], "right": ["自然资源和规划局", None, "应急管理局"],
                           "severity": ["严重", None, None]})  # fmt: skip
    with pytest.raises(InputError) as err:
        words_from_table(edited, "页面编辑")
    assert [(i.file, i.row, i.column, i.code) for i in err.value.issues] == [("页面编辑", 4, "严重程度", "empty-cell")]
    good = words_from_table(edited.assign(severity=["严重", None, "一般"]))
    assert good.values.tolist() == [["国土资源局", "自然资源和规划局", "严重"], ["安监局", "应急管理局", "一般"]]


def _reference(runs: list[tuple[set[str], set[tuple[str, str]]]]) -> tuple[set[tuple], dict[int, dict[str, int]]]:
    """Episodes and per-run counts, walked run by run, finding by finding: the definition, slowly."""
    episodes: list[dict] = []
    open_: dict[tuple[str, str], dict] = {}
    pairs = sorted({p for _, seen in runs for p in seen})
    for r, (covered, seen) in enumerate(runs, start=1):
        for pair in pairs:
            if pair in seen:
                if pair not in open_:
                    open_[pair] = {"pair": pair, "first": r, "last": r, "fixed": 0, "seen": {r}}
                    episodes.append(open_[pair])
                open_[pair]["last"] = r
                open_[pair]["seen"].add(r)
            elif pair[0] in covered and pair in open_:
                open_.pop(pair)["fixed"] = r
    latest = {u: max(r for r, (c, s) in enumerate(runs, start=1) if u in c or any(p[0] == u for p in s))
              for u in {p[0] for p in pairs}}  # fmt: skip

    def status(e: dict) -> str:
        top = latest[e["pair"][0]]
        if e["last"] == top:
            return "new" if e["first"] == top else "still"
        return "fixed" if e["fixed"] == top else ("still" if e["fixed"] == 0 else "fixed_before")

    got = {(*e["pair"], e["first"], e["last"], e["fixed"], status(e)) for e in episodes}
    counts = {r: {"new": sum(e["first"] == r for e in episodes),
                  "still": sum(r in e["seen"] and e["first"] < r for e in episodes),
                  "fixed": sum(e["fixed"] == r for e in episodes)} for r in range(1, len(runs) + 1)}  # fmt: skip
    return got, counts


UNITS = ["C1", "C2", "C3"]
PAIRS = [(u, k) for u in UNITS for k in ("k1", "k2")]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sets(st.sampled_from(UNITS)), st.sets(st.sampled_from(PAIRS))), min_size=1, max_size=6))
def test_episodes_and_counts_agree_with_walking_the_runs_one_by_one(tmp_path_factory, runs):
    store = open_store(tmp_path_factory.mktemp("p") / "s.db")
    ids = []
    for covered, seen in runs:
        found = pd.DataFrame([(u, "hidden_links", f"http://{u}.example/", k, "", "", k) for u, k in sorted(seen)],
                             columns=["unit_id", "rule", "url", "found", "context", "severity", "key"])  # fmt: skip
        ids.append(record(store, found, sorted(covered)))
    assert ids == list(range(1, len(runs) + 1))  # a fresh store numbers its runs from 1
    expected, counts = _reference(runs)
    h = content_history(store)
    assert set(zip(h["unit_id"], h["key"], h["first_run"], h["last_run"], h["fixed_run"], h["status"],
                   strict=True)) == expected  # fmt: skip
    assert len(h) == len(expected)
    assert {r: run_counts(store, r) for r in ids} == counts
    # the app keeps every unit's history for all sessions and gives a unit account its own rows:
    # those must be exactly the history computed from the unit's runs alone
    for u in UNITS:
        mine = visible_part(h, User(f"unit-{u}", "unit", u))
        pd.testing.assert_frame_equal(mine, content_history(store, [u]), check_dtype=False)
    assert visible_part(h, OFFICE) is h


def test_the_shared_history_is_refused_to_an_account_without_the_right(three_runs):
    h = content_history(three_runs[0])
    with pytest.raises(AccessDenied):
        visible_part(h, None)
    with pytest.raises(AccessDenied):  # leaders see rankings, not the sites' findings
        visible_part(h, User("领导", "leader"))
