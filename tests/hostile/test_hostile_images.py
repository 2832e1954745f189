"""Pictures that decode to far more than their bytes (issue 27, finding 5), and the upload page
given the 2 KB workbook (finding 1): refused where stored, thumbnails where shown, the app alive."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from helpers import ROOT
from scoring import InputError, InputFile
from scoring.images import image_issue, image_size, thumbnail
from scoring.limits import MAX_IMAGE_PIXELS, MAX_THUMBNAIL_PX
from scoring.store import open_store
from scoring.store.accounts import OPERATOR, User, add_user
from scoring.store.evidence import add_evidence, evidence_files
from scoring.store.users import User as StoreUser

EVALUATOR = StoreUser("评估机构", "evaluator")
XIAO = StoreUser("萧县", "unit", "341322")


def png(width: int, height: int, mode: str = "1", color: int = 0) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (width, height), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def giant() -> bytes:
    """The issue's proof image: 13000×13000 px in under a megabyte."""
    data = png(13000, 13000)
    assert len(data) < 1_000_000
    return data


def test_the_size_comes_from_the_header_and_a_giant_is_refused_by_pixels(giant):
    assert image_size(giant) == (13000, 13000)
    issue = image_issue("截图.png", giant)
    assert issue is not None and issue.code == "image-too-large"
    assert "13000×13000 像素(约 16,900 万像素),超过 5,000 万像素的上限" in issue.message
    assert image_issue("截图.png", png(1920, 1080, "RGB")) is None
    assert image_issue("不是图片.png", b"\x89PNG not really") is None  # kept, offered as a download


def test_past_pillows_own_bomb_limit_it_is_still_an_error_not_an_exception():
    data = png(20000, 20000)  # 400 M px: Pillow refuses to open it at all
    assert image_size(data) == (0, 0)
    issue = image_issue("巨图.png", data)
    assert issue is not None and "像素数极大" in issue.message


def test_an_evidence_upload_of_the_giant_is_refused_and_nothing_stored(tmp_path, giant):
    store = open_store(tmp_path / "s.db")
    small = InputFile("正常.png", png(800, 600, "RGB"))
    with pytest.raises(InputError) as err:
        add_evidence(store, [InputFile("截图.png", giant), small], EVALUATOR)
    assert [(i.code, i.file) for i in err.value.issues] == [("image-too-large", "截图.png")]
    assert evidence_files(store).empty
    # the same bytes under a name that is never shown inline are a download, never decoded
    assert add_evidence(store, [InputFile("截图.bin", giant)], EVALUATOR).stored == ["截图.bin"]


def test_an_appeal_proof_of_the_giant_is_refused(tmp_path, giant):
    from scoring.store.appeals import appeals_table, file_appeal
    from ui.demo import seed_demo

    store = open_store(tmp_path / "demo.db")
    seed_demo(store)  # 2018Q2 is in its appeal window
    before = len(appeals_table(store, "2018Q2"))
    with pytest.raises(InputError) as err:
        file_appeal(store, "2018Q2", "341322", "GK1.1.1", "已更新", "见截图", XIAO, [InputFile("证明.png", giant)])
    assert [i.code for i in err.value.issues] == ["image-too-large"]
    assert len(appeals_table(store, "2018Q2")) == before


def test_a_thumbnail_is_at_most_1600_px_and_a_photo_stays_a_jpeg():
    buf = io.BytesIO()
    Image.new("RGB", (6000, 4000), (200, 30, 30)).save(buf, "JPEG")
    with Image.open(io.BytesIO(thumbnail(buf.getvalue()))) as shown:
        assert (shown.format, shown.size) == ("JPEG", (MAX_THUMBNAIL_PX, 1067))
    with Image.open(io.BytesIO(thumbnail(png(400, 3000, "RGB")))) as shown:
        assert (shown.format, shown.size) == ("PNG", (213, MAX_THUMBNAIL_PX))
    small = png(300, 200, "RGB")
    with Image.open(io.BytesIO(thumbnail(small))) as shown:
        assert shown.size == (300, 200)  # never enlarged
    assert thumbnail(png(13000, 13000)) is None
    assert thumbnail(b"\x89PNG not really") is None


def test_twelve_pictures_at_the_pixel_limit_are_shown_in_bounded_memory(tmp_path):
    # twelve distinct screenshots as large as the limit allows (an appeal shows up to 12 inline)
    side = int(MAX_IMAGE_PIXELS**0.5)
    maker = subprocess.run([sys.executable, "-c", f"""
import sys
from PIL import Image
for i in range(12):
    Image.new("RGB", ({side}, {side}), (i * 20, 100, 200 - i * 10)).save(sys.argv[1] + f"/{{i}}.png", compress_level=1)
""", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=600)  # fmt: skip
    assert maker.returncode == 0, maker.stderr
    p = subprocess.run([sys.executable, "-c", """
import sys
from pathlib import Path
from scoring.images import thumbnail
sizes = [len(thumbnail(p.read_bytes())) for p in sorted(Path(sys.argv[1]).glob("*.png"))]
print(len(sizes), min(sizes) > 0)
print(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')))
""", str(tmp_path)], capture_output=True, text=True, cwd=ROOT, timeout=600)  # fmt: skip
    assert p.returncode == 0, p.stderr
    count, peak_kb = p.stdout.split("\n")[:2]
    assert count == "12 True"
    # decoded whole, twelve of them at once would be 12 × 150 MB; one at a time, it is one
    assert int(peak_kb) / 1024 < 450


PASSWORD = "correct-horse-1"
UPLOAD = """
import json, sys
from streamlit.testing.v1 import AppTest
from hostile.workbooks import bomb
at = AppTest.from_file("app.py", default_timeout=180).run()
at.text_input[0].input("tester")
at.text_input[1].input(sys.argv[1])
at.button[0].click().run()
at.switch_page("ui/pages/upload.py").run()
at.file_uploader(key="upload").set_value(("bomb.xlsx", bomb(), "application/octet-stream"))
at.button[0].click()
at.run()
issues = at.dataframe[0].value if at.dataframe else None
print(json.dumps({"exception": [str(e.value) for e in at.exception],
                  "places": issues[["文件", "工作表"]].values.tolist() if issues is not None else None,
                  "problem": issues["问题"].iloc[0] if issues is not None else None}, ensure_ascii=False))
"""


def test_the_upload_page_given_the_2kb_workbook_shows_the_error_and_lives(tmp_path):
    # in a child: on the old code this page took the whole process down (SIGABRT), pytest with it
    db = tmp_path / "assess.db"
    store = open_store(db)
    add_user(store, "tester", "evaluator", PASSWORD, User("test", OPERATOR))
    store.close()
    env = {**os.environ, "ASSESS_DB": str(db), "PYTHONPATH": f"{ROOT / 'tests'}:{ROOT}"}
    p = subprocess.run([sys.executable, "-c", UPLOAD, PASSWORD], capture_output=True, text=True, cwd=ROOT, env=env,
                       timeout=600)  # fmt: skip
    assert p.returncode == 0, p.stderr[-2000:]
    page = json.loads(p.stdout.strip().splitlines()[-1])
    assert page["exception"] == []
    assert page["places"] == [["bomb.xlsx", "测评结果"]]
    assert "最远的单元格为 XFD1048576" in page["problem"]
