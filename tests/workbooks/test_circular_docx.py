"""The Word circular in the format of 党政机关公文 (GB/T 9704), read back with python-docx."""

import io

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from scoring.store import open_store
from scoring.store.publish import all_rounds
from scoring.views.circular import circular_text, round_title
from scoring.workbooks.circular_docx import circular_docx
from ui.demo import seed_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    store = open_store(tmp_path_factory.mktemp("demo") / "a.db")
    seed_demo(store)
    return all_rounds(store)[0]


@pytest.fixture(scope="module")
def document(demo):
    data = circular_docx(demo, "2018Q1", "2018Q1 · 已发布 第 1 版", "ab" * 32, "")
    return docx.Document(io.BytesIO(data))


def _east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_round_titles_are_what_the_office_named_them_or_the_quarter_in_words():
    assert round_title("2018Q4") == "2018年第四季度"
    assert round_title("2017Q1") == "2017年第一季度"
    assert round_title("2018Q4", " 2018年第四季度(补测) ") == "2018年第四季度(补测)"
    assert round_title("2018-H1") == "2018-H1"  # not a quarter: the id as the office chose it


def test_the_page_is_a4_with_the_margins_of_gb_t_9704(document):
    section = document.sections[0]
    # Word keeps lengths in twentieths of a point: within a hundredth of a millimetre
    assert section.page_width.mm == pytest.approx(210, abs=0.01)
    assert section.page_height.mm == pytest.approx(297, abs=0.01)
    margins = [section.top_margin, section.left_margin, section.right_margin, section.bottom_margin]
    assert [m.mm for m in margins] == pytest.approx([37, 28, 26, 35], abs=0.01)


def test_title_in_xiaobiaosong_erhao_body_in_fangsong_sanhao(document):
    title = document.paragraphs[0]
    assert title.text == "2017年度全市政务公开政务服务绩效考核第三方测评情况通报(2018年第一季度)"
    assert _east_asian(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size == Pt(22)
    body = [p for p in document.paragraphs if p.text.startswith("本期共测评")]
    assert len(body) == 1
    run = body[0].runs[0]
    assert _east_asian(run) == "仿宋" and run.font.size == Pt(16)
    headings = [p for p in document.paragraphs if p.text in ("一、总体情况", "二、各组排名")]
    assert [_east_asian(p.runs[0]) for p in headings] == ["黑体", "黑体"]
    # every run says which Chinese font it is set in; none falls back to the theme's
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for c in t._cells for p in c.paragraphs for r in p.runs]
    assert {_east_asian(r) for r in runs} == {"方正小标宋简体", "仿宋", "黑体"}


def test_no_command_line_hint_in_a_document_for_leaders(document, demo):
    text = [p.text for p in document.paragraphs]
    text += [c.text for t in document.tables for c in t._cells]
    assert not [t for t in text if "assess " in t or "--" in t]
    assert any("发布摘要 sha256:" + "ab" * 32 in t for t in text)  # the digest itself stays
    assert "assess " not in circular_text(demo, "2018Q1", "x", "ab" * 32)


def test_the_office_s_round_title_heads_the_circular(demo):
    data = circular_docx(demo, "2018Q1", title="2018年一季度专项测评")
    assert docx.Document(io.BytesIO(data)).paragraphs[0].text.endswith("通报(2018年一季度专项测评)")
