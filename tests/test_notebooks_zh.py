"""Every report notebook in Chinese: a `renostats run -p lang zh` over the bundled data, pages checked.

nbval checks the committed (English) outputs; this runs the same notebooks with ``lang = "zh"`` and checks
what a Chinese reader gets: the run succeeds, every page is headed in Chinese and holds no English
narrative cells, numbers are not "NaN", every page has its workbook with a 说明 sheet, and the index and
metric labels are Chinese.
"""

from __future__ import annotations

import re

import openpyxl
import pytest

from renostats import report

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def zh_run(tmp_path_factory):
    notebooks = report.list_notebooks()
    missing = [nb.stem for nb in notebooks if "lang" not in report.notebook_parameters(nb)]
    assert not missing, f"notebooks without a lang parameter: {missing}"
    out = tmp_path_factory.mktemp("zh-reports")
    return report.run(notebooks, parameters={"lang": "zh"}, out=out, progress=None)


def test_every_notebook_runs_in_chinese(zh_run):
    assert zh_run.ok, [f.error for f in zh_run.failures]


def test_every_page_is_headed_and_written_in_chinese(zh_run):
    for nb in zh_run.notebooks:
        assert CJK.search(nb.title), f"{nb.notebook}: title {nb.title!r} is not Chinese"
        page = nb.html.read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in page
        text = re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
        assert not re.search(r"\b(NaN|Traceback)\b", text), nb.notebook


def test_every_page_has_a_chinese_workbook(zh_run):
    for nb in zh_run.notebooks:
        assert nb.workbook is not None and nb.workbook.is_file(), f"{nb.notebook} registered no table"
        book = openpyxl.load_workbook(nb.workbook, read_only=True)
        assert book.sheetnames[0] == "说明" and len(book.sheetnames) >= 2


def test_index_and_metric_labels_are_chinese(zh_run):
    index = (zh_run.run_dir / "index.html").read_text(encoding="utf-8")
    assert "笔记本" in index and "主要指标" in index
    labels = [m["label"] for nb in zh_run.notebooks for m in nb.metrics.values() if m.get("label")]
    assert labels and all(CJK.search(label) for label in labels), [x for x in labels if not CJK.search(x)]
