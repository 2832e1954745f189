"""Evidence files (佐证材料) in the store: added whole or not at all, never changed, found by name."""

import subprocess
import sys

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from store_backends import drop_guards, raw_db, refused_errors

from scoring import InputError, InputFile
from scoring.store import open_store
from scoring.store.evidence import (
    MAX_EVIDENCE_BYTES,
    add_evidence,
    cited_files,
    evidence_content,
    evidence_files,
    name_problems,
)
from scoring.store.users import User

EVALUATOR = User("评估机构", "evaluator")
XIAO = User("萧县", "unit", "341322")


@pytest.fixture
def store(store_location):
    s = open_store(store_location)
    yield s
    s.close()


PNG = InputFile("uploads/2018Q2-341322-GK3.2.1-01.png", b"\x89PNG fake screenshot")
PDF = InputFile("答复函.pdf", b"%PDF-1.4 fake")


def test_files_are_stored_under_their_own_name_and_come_back_byte_for_byte(store):
    added = add_evidence(store, [PNG, PDF], EVALUATOR)
    assert sorted(added.stored) == ["2018Q2-341322-GK3.2.1-01.png", "答复函.pdf"] and added.already == []
    assert evidence_content(store, "答复函.pdf") == PDF.data
    listed = evidence_files(store).set_index("name")
    assert listed.loc["2018Q2-341322-GK3.2.1-01.png", ["size", "sha256", "uploaded_by"]].tolist() == [
        len(PNG.data), PNG.sha256, "评估机构"]  # fmt: skip
    actions = [r[0] for r in store.db.execute("SELECT action FROM audit")]
    assert actions == ["evidence.add", "evidence.add"]


def test_an_evidence_cell_finds_the_files_it_cites(store):
    add_evidence(store, [PNG, PDF], EVALUATOR)
    cells = ["截图 2018Q2-341322-GK3.2.1-01.png | http://x.sz-demo.gov.cn", None, "宿政〔2017〕2号"]
    assert cited_files(store, cells) == ["2018Q2-341322-GK3.2.1-01.png"]
    assert cited_files(store, ["见 答复函.pdf 与 截图 2018Q2-341322-GK3.2.1-01.png"]) == [
        "2018Q2-341322-GK3.2.1-01.png", "答复函.pdf"]  # fmt: skip
    assert cited_files(store, ["", None]) == []
    # a name cites only as a whole word, also at the end of a URL or inside brackets
    add_evidence(store, [InputFile("1.png", b"one")], EVALUATOR)
    assert cited_files(store, ["截图 11.png", "x1.png"]) == []
    assert cited_files(store, ["http://x.sz-demo.gov.cn/shots/1.png"]) == ["1.png"]
    assert cited_files(store, ["见(1.png)"]) == ["1.png"]


def test_the_same_file_again_is_skipped_and_other_content_under_its_name_refused(store):
    add_evidence(store, [PNG], EVALUATOR)
    again = add_evidence(store, [PNG, PDF], EVALUATOR)
    assert again.stored == ["答复函.pdf"] and again.already == ["2018Q2-341322-GK3.2.1-01.png"]
    changed = InputFile("2018Q2-341322-GK3.2.1-01.png", b"another picture")
    new = InputFile("新文件.png", b"new")
    with pytest.raises(InputError) as err:
        add_evidence(store, [new, changed], EVALUATOR)
    assert [i.code for i in err.value.issues] == ["evidence-name-taken"]
    # all or nothing: the good file of the refused upload is not stored either
    assert "新文件.png" not in set(evidence_files(store)["name"])
    assert evidence_content(store, "2018Q2-341322-GK3.2.1-01.png") == PNG.data


def test_every_problem_of_an_upload_is_reported_at_once(store):
    big = InputFile("big.png", b"0" * (MAX_EVIDENCE_BYTES + 1))
    twice = [InputFile("a/same.png", b"one"), InputFile("b/same.png", b"two")]
    with pytest.raises(InputError) as err:
        add_evidence(store, [big, *twice, InputFile("/", b"x")], EVALUATOR)
    codes = sorted(i.code for i in err.value.issues)
    assert codes == ["evidence-name", "evidence-name-twice", "evidence-too-large"]
    assert evidence_files(store).empty


def test_stored_files_can_be_neither_changed_nor_deleted(store):
    add_evidence(store, [PNG], EVALUATOR)
    for sql in ("UPDATE evidence_file SET content = content", "DELETE FROM evidence_file"):
        with pytest.raises(refused_errors(), match="never"):
            store.db.execute(sql)


def test_cli_adds_lists_and_gets_evidence(tmp_path, store_location):
    db = store_location
    shot = tmp_path / "2018Q2-341322-GK3.2.1-01.png"
    shot.write_bytes(PNG.data)

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "scoring.cli", "evidence", *map(str, args), "--db", str(db)],
                              capture_output=True, text=True)  # fmt: skip

    assert "已保存 1 个佐证文件" in cli("add", shot).stdout
    assert "此前已保存" in cli("add", shot).stdout
    assert cli("list").stdout.startswith("2018Q2-341322-GK3.2.1-01.png\t20\t")
    out = tmp_path / "back.png"
    assert cli("get", shot.name, "--out", out).returncode == 0
    assert out.read_bytes() == PNG.data
    # every missing file is named, and nothing is stored
    missing = cli("add", tmp_path / "nope1.png", tmp_path / "nope2.png")
    assert missing.returncode == 2
    assert "nope1.png" in missing.stderr and "nope2.png" in missing.stderr
    unknown = cli("get", "没有.png", "--out", out)
    assert unknown.returncode == 2 and "没有名为 没有.png 的佐证文件" in unknown.stderr


def test_an_appeal_keeps_its_proof_files_with_it_or_not_at_all(store_location):
    from scoring.store.appeals import appeals_table, file_appeal
    from ui.demo import seed_demo

    store = open_store(store_location)
    seed_demo(store)  # 2018Q2 is in its appeal window
    shot = InputFile("更新记录.png", b"\x89PNG proof")
    aid = file_appeal(store, "2018Q2", "341322", "GK1.1.1", "已更新", "见截图", XIAO, [shot])
    name = "申诉2018Q2-341322-GK1.1.1-更新记录.png"
    assert evidence_content(store, name) == shot.data
    proof = appeals_table(store, "2018Q2").set_index("id").loc[aid, "proof"]
    assert proof == f"见截图 | {name}"
    assert cited_files(store, [proof]) == [name]
    # a closed round, no reason and an oversized file: all said at once, nothing stored
    big = InputFile("大.png", b"0" * (MAX_EVIDENCE_BYTES + 1))
    before = len(evidence_files(store))
    with pytest.raises(InputError) as err:
        file_appeal(store, "2018Q1", "341322", "GK1.1.1", " ", "", XIAO, [big])
    assert sorted(i.code for i in err.value.issues) == ["appeal-closed", "evidence-too-large", "reason-required"]
    assert len(evidence_files(store)) == before
    assert len(appeals_table(store, "2018Q1")) == 0


def test_verify_checks_every_evidence_file_against_its_digest(store_location):
    from scoring.store.publish import verify

    db = store_location
    store = open_store(db)
    add_evidence(store, [PNG, PDF], EVALUATOR)
    assert verify(store).differences == [] and verify(store).files_checked == 2
    store.close()
    # altered behind the tool's back (triggers stop UPDATE, so drop them as an intruder would)
    with raw_db(db) as raw:
        drop_guards(raw, db)
        raw.execute("UPDATE evidence_file SET content = ? WHERE name = '答复函.pdf'", (b"\x00",))
    assert verify(open_store(db)).differences == ["佐证文件 答复函.pdf:内容与保存时的 sha256 不符"]


# issue 27: a name that hides characters, walks directories or runs on forever is never stored
HOSTILE_NAMES = [
    ("nul\x00.png", "evidence-name-hidden", "nul<U+0000>.png"),
    ("line\nbreak.png", "evidence-name-hidden", "line<U+000A>break.png"),
    ("tab\tin.png", "evidence-name-hidden", "tab<U+0009>in.png"),
    ("report\u202egnp.exe", "evidence-name-hidden", "report<U+202E>gnp.exe"),
    ("zero\u200bwidth.png", "evidence-name-hidden", "zero<U+200B>width.png"),
    ("para\u2029.png", "evidence-name-hidden", "para<U+2029>.png"),
    ("..", "evidence-name-dots", ".."),
    ("x/..", "evidence-name-dots", "x/.."),
    ("長" * 5000 + ".png", "evidence-name-too-long", "長" * 80 + "…(共 5004 个字符)"),
]


def test_names_with_hidden_characters_dot_dot_or_5000_characters_are_refused_each_by_its_rule(store):
    files = [InputFile(name, f"content {i}".encode()) for i, (name, _, _) in enumerate(HOSTILE_NAMES)]
    with pytest.raises(InputError) as err:
        add_evidence(store, [*files, PDF], EVALUATOR)
    got = [(i.code, i.file) for i in err.value.issues]
    assert got == [(code, shown) for _, code, shown in HOSTILE_NAMES]
    assert "U+202E" in err.value.issues[3].message and "200" in err.value.issues[-1].message
    assert evidence_files(store).empty  # all or nothing: the good PDF waits for a good upload
    # the longest name allowed, and a name with every visible kind of character, are stored
    fine = [InputFile("名" * 196 + ".png", b"a"), InputFile("报告 (2018) 第1号 – 附件#2.pdf", b"b")]
    assert len(add_evidence(store, fine, EVALUATOR).stored) == 2


def test_the_cli_refuses_a_file_whose_name_holds_a_line_break_and_its_list_stays_one_line_per_file(tmp_path):
    db = tmp_path / "a.db"
    odd = tmp_path / "a\nb.png"
    odd.write_bytes(b"\x89PNG odd")
    good = tmp_path / "good.png"
    good.write_bytes(b"\x89PNG good")

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "scoring.cli", "evidence", *map(str, args), "--db", str(db)],
                              capture_output=True, text=True)  # fmt: skip

    p = cli("add", odd)
    assert p.returncode == 2, p.stderr
    assert f"{tmp_path}/a<U+000A>b.png: 文件名含不可见字符(U+000A)" in p.stderr
    assert cli("add", good).returncode == 0
    assert [line.split("\t")[0] for line in cli("list").stdout.splitlines()] == ["good.png"]


def test_an_appeals_proof_name_obeys_the_same_rules_prefix_included(tmp_path):
    from scoring.store.appeals import appeals_table, file_appeal
    from ui.demo import seed_demo

    store = open_store(tmp_path / "demo.db")
    seed_demo(store)  # 2018Q2 is in its appeal window
    before = len(evidence_files(store))
    proofs = [
        InputFile("..", b"dots"),
        InputFile("proof\u202efdp.exe", b"rlo"),
        InputFile("证" * 190 + ".png", b"long"),
    ]
    with pytest.raises(InputError) as err:
        file_appeal(store, "2018Q2", "341322", "GK1.1.1", "已更新", "", XIAO, proofs)
    # "申诉2018Q2-341322-GK1.1.1-" and 194 characters make 219: over the limit though the file's own name is not
    assert [i.code for i in err.value.issues] == [
        "evidence-name-dots",
        "evidence-name-hidden",
        "evidence-name-too-long",
    ]
    assert len(evidence_files(store)) == before and len(appeals_table(store, "2018Q2")) == 1


# every character Python splits lines at, the bidi and zero-width ones, dots and separators, mixed
# into any text (lone surrogates included: an undecodable command-line name holds them)
TRICKY = [*"\n\r\t\x00\x0b\x0c\x1c\x1d\x1e\x7f\x85\u2028\u2029\u202e\u2066\u200b\ufeff./\\", "\udcff"]


# most drawn names hold a character the rules refuse: that they are filtered out is the point
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(st.text(st.one_of(st.characters(), st.sampled_from(TRICKY)), min_size=1, max_size=260))
def test_any_name_the_rules_accept_keeps_its_listing_line_one_line_of_five_fields(name):
    assume(not name_problems(name))
    line = f"{name}\t20\t2018-07-01T00:00:00+00:00\t评估机构\t{'0' * 64}"  # as `assess evidence list` prints it
    assert len(line.splitlines()) == 1 and len(line.split("\t")) == 5
    assert name not in (".", "..") and len(name) <= 200 and not {"/", "\\"} & set(name)
    line.encode("utf-8")  # printable: no lone surrogate from an undecodable command-line name
