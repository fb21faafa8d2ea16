"""Report runs beyond one notebook: languages, workbooks, districts from a matrix, tasks on Dask."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nbformat
import openpyxl
import pytest

from renostats import cli, paths, report
from tests.conftest import write_notebook

BILINGUAL_PARAMS = 'lang = "en"\ndistrict = "双清区"\nas_of = "2020-03-31"'
TABLE_CELL = (
    "import pandas as pd\n"
    "import renostats as rs\n"
    "t = rs.lang.Text(lang)\n"
    "rs.report.table(pd.DataFrame({t('Street', '街道'): ['小江湖街道'], t('Share', '完成率'): [0.858]}),\n"
    "                t('Progress', '进度'), formats={t('Share', '完成率'): 'percent'})\n"
    "rs.report.record('share', 0.858, label=t('completed', '完成率'))\n"
    "if district == '坏区':\n"
    "    raise RuntimeError('this district fails on purpose')"
)


def bilingual(folder: Path) -> Path:
    path = write_notebook(folder / "05_bilingual.ipynb", BILINGUAL_PARAMS, TABLE_CELL)
    nb = nbformat.read(str(path), as_version=4)
    en = nbformat.v4.new_markdown_cell("# Progress report\n\nCommunities renovated.")
    en.metadata["tags"] = ["lang-en"]
    zh = nbformat.v4.new_markdown_cell("# 改造进度报告\n\n已改造的小区。")
    zh.metadata["tags"] = ["lang-zh"]
    nb.cells = [en, zh, *nb.cells[1:]]
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    return tmp_path / "reports"


def test_a_chinese_run_keeps_the_chinese_cells_and_writes_a_chinese_workbook(tmp_path, reports):
    nb = bilingual(tmp_path)
    result = report.run([nb], parameters={"lang": "zh"}, out=reports, progress=None)
    assert result.ok, result.failures
    page = (result.run_dir / "05_bilingual.html").read_text(encoding="utf-8")
    assert "改造进度报告" in page and "Progress report" not in page
    assert "85.8%" in page and 'class="rs-table"' in page and '<html lang="zh-CN">' in page
    index = (result.run_dir / "index.html").read_text(encoding="utf-8")
    assert "改造进度报告" in index and "笔记本" in index and "05_bilingual.xlsx" in index
    book = openpyxl.load_workbook(result.run_dir / "05_bilingual.xlsx")
    assert book.sheetnames == ["说明", "进度"]
    about = {row[0].value: row[1].value for row in book["说明"].iter_rows()}
    assert about["标题"] == "改造进度报告" and "lang = zh" in about["参数"]
    assert book["进度"]["B2"].value == 0.858 and book["进度"]["B2"].number_format == "0.0%"
    assert result.notebooks[0].metrics["share"]["label"] == "完成率"


def test_an_english_run_keeps_the_english_cells(tmp_path, reports):
    result = report.run([bilingual(tmp_path)], out=reports, progress=None)
    page = (result.run_dir / "05_bilingual.html").read_text(encoding="utf-8")
    assert "Progress report" in page and "改造进度报告" not in page
    assert openpyxl.load_workbook(result.run_dir / "05_bilingual.xlsx").sheetnames == ["About", "Progress"]


def test_an_unknown_language_is_refused_with_exit_2(tmp_path, reports):
    nb = tmp_path / "06_lang.ipynb"
    write_notebook(nb, 'lang = "en"', "import renostats as rs\nrs.lang.check_lang(lang)")
    code = cli.main(["run", str(nb), "-p", "lang", "fr", "--out", str(reports)])
    assert code == 2


def test_a_matrix_runs_every_district_and_one_failure_stops_none(tmp_path, reports, capsys):
    nb = bilingual(tmp_path)
    matrix = tmp_path / "districts.csv"
    matrix.write_text(
        "district,lang,as_of\n双清区,zh,2020-03-31\n北塔区,en,2020-03-31\n坏区,zh,\n", encoding="utf-8"
    )
    code = cli.main(["run", str(nb), "--matrix", str(matrix), "--out", str(reports)])
    assert code == 1
    out = capsys.readouterr()
    assert "2 left" in out.out and "this district fails on purpose" in out.err
    run_dir = next(p for p in reports.iterdir() if p.name.endswith("-districts"))
    assert sorted(p.name for p in run_dir.iterdir() if p.is_dir()) == ["北塔区", "双清区", "坏区"]
    assert (run_dir / "北塔区" / "05_bilingual.xlsx").is_file()
    rows = list(csv.DictReader((run_dir / "metrics.csv").open(encoding="utf-8")))
    assert {(r["set"], r["status"]) for r in rows} == {("双清区", "ok"), ("北塔区", "ok"), ("坏区", "failed")}
    assert next(r for r in rows if r["set"] == "双清区")["value"] == "0.858"
    index = (run_dir / "index.html").read_text(encoding="utf-8")
    assert "Districts" in index and "this district fails on purpose" in index
    assert not (reports / "latest").exists()
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["notebooks"]["双清区/05_bilingual"]["parameters"]["as_of"] == "2020-03-31"


def test_matrix_files_are_checked_before_anything_runs(tmp_path, reports):
    nb = bilingual(tmp_path)
    twice = tmp_path / "twice.csv"
    twice.write_text("district\n双清区\n双清区\n", encoding="utf-8")
    with pytest.raises(report.UsageError, match="'双清区' appears twice"):
        report.run([nb], matrix=twice, out=reports, progress=None)
    missing = tmp_path / "missing.yaml"
    missing.write_text("- district: 双清区\n  data_dir: /no/such/folder\n", encoding="utf-8")
    with pytest.raises(report.UsageError, match="data_dir: '/no/such/folder' does not exist"):
        report.run([nb], matrix=missing, out=reports, progress=None)
    assert not reports.exists() or not any(reports.iterdir())


def test_unquoted_yaml_dates_and_set_parameters_for_other_notebooks(tmp_path, reports, monkeypatch):
    nb = bilingual(tmp_path)
    params = tmp_path / "p.yaml"
    params.write_text("as_of: 2020-03-25\n", encoding="utf-8")
    result = report.run([nb], param_file=params, out=reports, progress=None)
    assert result.ok and result.notebooks[0].parameters == {"as_of": "2020-03-25"}
    sets = tmp_path / "params"
    sets.mkdir()
    # plan_years is taken by a report notebook other than the one run: the set may still hold it
    (sets / "daxiang.yaml").write_text("district: 大祥区\nplan_years: [2021, 2022]\n", encoding="utf-8")
    monkeypatch.setattr(paths, "PARAMS_DIR", sets)
    result = report.run([nb], sets=["daxiang"], out=reports, progress=None)
    assert result.ok and result.notebooks[0].parameters == {"district": "大祥区"}


def test_sets_run_as_tasks_on_a_dask_scheduler(tmp_path, reports):
    distributed = pytest.importorskip("distributed")
    nb = bilingual(tmp_path)
    matrix = tmp_path / "two.yaml"
    matrix.write_text("- {district: 双清区, lang: zh}\n- {district: 北塔区}\n", encoding="utf-8")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, memory_limit="2GiB", dashboard_address=":0"
    ) as lc:
        result = report.run([nb], matrix=matrix, out=reports, progress=None, scheduler=lc.scheduler_address)
    assert result.ok, result.failures
    for r in result.notebooks:
        assert r.html.is_file() and r.output.is_file() and r.workbook.is_file()
        assert r.html.parent == result.run_dir / r.set_name
    assert "改造进度报告" in (result.run_dir / "双清区" / "05_bilingual.html").read_text(encoding="utf-8")
    assert (reports / "latest").resolve() == result.run_dir.resolve()


def test_check_date_takes_today_for_scheduled_runs():
    import datetime as dt

    assert report.check_date("as_of", "today").date() == dt.date.today()
    with pytest.raises(report.ParameterError, match="not a valid date"):
        report.check_date("as_of", "yesterday")


def test_start_sets_up_a_page_and_takes_dates_from_the_data(tmp_path):
    import pandas as pd

    with pd.option_context("display.width", 80, "display.unicode.east_asian_width", False):
        _check_start(tmp_path)


def _check_start(tmp_path):
    import pandas as pd

    demo = report.start("en")
    assert demo.folder == paths.DEMO_DIR.resolve() and not demo.own_data
    # the demo keeps its default date even when the data would say otherwise
    assert demo.date("as_of", "2021-12-31", "2021-12-31", from_data="2025-06-30") == pd.Timestamp(
        "2021-12-31"
    )
    own = report.start("zh", data_dir=str(tmp_path))
    assert own.own_data and own.t.zh
    assert own.date("as_of", "2021-12-31", "2021-12-31", from_data="2025-06-30") == pd.Timestamp("2025-06-30")
    assert own.notes == ["as_of未设置(示例默认值为2021-12-31),本页采用数据中的日期2025年6月30日。"]
    # a date the analyst chose is kept; one before every date in the data is refused
    assert own.date("as_of", "2025-01-31", "2021-12-31", from_data="2025-06-30") == pd.Timestamp("2025-01-31")
    with pytest.raises(report.ParameterError, match="before every date in the data"):
        own.date("as_of", "2019-01-01", "2021-12-31", from_data="2025-06-30", earliest="2024-01-01")
    with pytest.raises(report.ParameterError, match="parameter lang"):
        report.start("fr")


def test_relative_data_paths_mean_the_callers_folder(tmp_path, reports, monkeypatch):
    nb = tmp_path / "07_dir.ipynb"
    write_notebook(
        nb,
        'data_dir = ""',
        "from renostats.report import check_dir, record\nrecord('found', check_dir('data_dir', data_dir).name)",
    )
    (tmp_path / "mydistrict").mkdir()
    monkeypatch.chdir(tmp_path)
    result = report.run([nb], parameters={"data_dir": "mydistrict"}, out=reports, progress=None)
    assert result.ok, result.failures
    assert result.notebooks[0].metrics["found"]["value"] == "mydistrict"
    assert result.notebooks[0].parameters["data_dir"] == str(tmp_path / "mydistrict")
