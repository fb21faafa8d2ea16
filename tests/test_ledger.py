"""Reading ledgers as district offices export them; every quirk written by the tests themselves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from renostats import cli
from renostats.ledger import LedgerError, read_ledger

TOP = ["序号", "街道", "小区名称", "户数", "楼栋数", "建筑面积(万平方米)", "开工日期", "竣工日期",
       "总投资(万元)", "资金来源(万元)", None, None]  # fmt: skip
SUB = [None] * 9 + ["中央补助", "地方配套", "居民出资"]
ROWS = [
    [1, "小江湖街道", "供销社小区", 379, "22栋", 3.6439, dt.datetime(2020, 4, 8), "2020.10.18", 751.53, 500, 200, 51.53],
    [2, None, "染料厂小区", "５６", 4, "0.4327", "2020/4/13", "2021年2月26日", 147.58, 100, 40, 7.58],
    [None] * 12,  # wholly blank: dropped silently
    ["小计", None, None, 435, 26],
    [3, "东风路街道", "林化厂家属区", 120, 6, 1.2, "2020-05", None, 300, 200, 100, 0],
    ["合计", None, "3个", 555, 32],
    ["注:示例数据"],
]  # fmt: skip


def _workbook(path: Path, rows=ROWS, sheet="台账") -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(["双清区老旧小区改造台账"])
    ws.append(["填报单位:双清区住建局", None, None, None, "填报日期:2020年4月18日"])
    ws.append(TOP)
    ws.append(SUB)
    for col in range(1, 10):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=10, end_row=3, end_column=12)
    for row in rows:
        ws.append(row)
    ws.merge_cells("B5:B6")  # 小江湖街道 written once over its two communities
    book.save(path)
    return path


def test_xlsx_with_titles_merged_group_header_units_and_skipped_rows(tmp_path):
    read = read_ledger(_workbook(tmp_path / "台账.xlsx"), "renovation")
    d = read.data
    assert d["community"].tolist() == ["供销社小区", "染料厂小区", "林化厂家属区"]
    assert d["street"].tolist() == ["小江湖街道", "小江湖街道", "东风路街道"]  # merged cell spread
    assert d["households"].tolist() == [379, 56, 120]  # full-width digits
    assert d["buildings"].tolist() == [22, 4, 6]  # "22栋" read with its measure word
    assert d["floor_area_m2"].tolist() == [36439.0, 4327.0, 12000.0]  # header 万平方米
    assert d["investment_yuan"].tolist() == [7515300.0, 1475800.0, 3000000.0]  # header 万元
    assert d["subsidy_central_yuan"].tolist() == [5_000_000.0, 1_000_000.0, 2_000_000.0]  # group unit
    assert d["residents_yuan"].tolist() == [515300.0, 75800.0, 0.0]
    assert [str(x.date()) for x in d["start_date"]] == ["2020-04-08", "2020-04-13", "2020-05-01"]
    assert str(d["completion_date"][1].date()) == "2021-02-26" and pd.isna(d["completion_date"][2])
    assert d["source_row"].tolist() == [5, 6, 9]  # rows as Excel shows them
    assert read.skipped["row"].tolist() == [8, 10, 11]
    assert read.skipped["reason"].tolist() == ["subtotal row (小计)", "total row (合计)", "note row (注)"]
    assert read.source.header_rows == (3, 4)
    assert read.source.columns["subsidy_central_yuan"] == "资金来源(万元) / 中央补助"
    assert read.source.units["floor_area_m2"] == "万平方米 (x10000)"
    assert "序号" in read.source.unmapped
    # optional columns not in the file are present and empty
    assert d["willingness"].isna().all() and list(d.columns)[-1] == "source_row"


def test_every_bad_cell_is_listed_with_file_sheet_row_and_header(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][3] = "三百多户?"  # households
    rows[1][5] = "很大"  # floor area
    rows[4][6] = "2020-13-45"  # start date
    rows[4][4] = -6  # buildings below zero
    path = _workbook(tmp_path / "bad.xlsx", rows)
    with pytest.raises(LedgerError) as err:
        read_ledger(path, "renovation")
    problems = err.value.problems
    where = [(p.row, p.column) for p in problems]
    assert (5, "户数") in where
    assert (6, "建筑面积(万平方米)") in where
    assert (9, "开工日期") in where
    assert (9, "楼栋数") in where
    first = next(p for p in problems if p.column == "户数")
    assert (first.file, first.sheet, first.value) == ("bad.xlsx", "台账", "三百多户?")
    assert "a count" in first.expected
    message = str(err.value)
    assert "bad.xlsx, sheet 台账, row 6, column 建筑面积(万平方米): '很大'; expected an area" in message
    assert "row 9, column 楼栋数: -6; expected at least 0" in message
    assert len(err.value.to_frame()) == len(problems)


def test_funding_that_does_not_add_up_names_the_community_row(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[4][9] = 250  # 250 + 100 + 0 != 300
    with pytest.raises(
        LedgerError,
        match=r"row 9, column 总投资\(万元\): 3000000.0; expected the funding sources to add up to it within 1% \(they add up to 3,500,000 yuan\)",
    ):
        read_ledger(_workbook(tmp_path / "f.xlsx", rows), "renovation")


def test_completion_before_start_is_an_error(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][7] = "2020.1.1"
    with pytest.raises(LedgerError, match=r"row 5, column 竣工日期: .*a date not before start_date"):
        read_ledger(_workbook(tmp_path / "d.xlsx", rows), "renovation")


def test_duplicate_communities_are_errors(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[4][1], rows[4][2] = "小江湖街道", "供销社小区"
    with pytest.raises(LedgerError, match="one row per community, street"):
        read_ledger(_workbook(tmp_path / "dup.xlsx", rows), "renovation")


def test_missing_column_and_sheet(tmp_path):
    path = _workbook(tmp_path / "m.xlsx")
    with pytest.raises(LedgerError, match="no sheet '汇总'; the workbook has 台账"):
        read_ledger(path, "renovation", sheet="汇总")
    book = openpyxl.Workbook()
    book.active.append(["小区名称", "街道", "户数"])
    book.active.append(["甲小区", "乙街道", 10])
    book.save(tmp_path / "short.xlsx")
    with pytest.raises(LedgerError, match=r"missing column\(s\) buildings \(headers such as 楼栋数"):
        read_ledger(tmp_path / "short.xlsx", "renovation")


CSV_ROWS = [
    "北塔区企业复工复产日报表,,,,,,,,,",
    "填报单位:北塔区,,,,,,,,,",
    "企业名称,所属区县,所属行业,是否规上,填报日期,填报时间,是否复工,到岗人数,职工总数,产能恢复率",
    "甲公司,北塔区,医药,是,2020/2/10,上午,否,0,100,0%",
    "甲公司,北塔区,医药,是,2020/2/10,下午,是,35,100人,0.3",
    "乙公司,北塔区,建材,否,2020.2.10,16:00,是,８,12,八成",
    ",,,,,,,,,",
    "注:示例,,,,,,,,,",
]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_and_quirks(tmp_path, encoding):
    path = tmp_path / f"reports-{encoding}.csv"
    path.write_bytes("\n".join(CSV_ROWS).encode(encoding))
    read = read_ledger(path, "enterprise_reports")
    d = read.data
    assert (
        read.source.encoding == encoding
        if encoding != "gb18030"
        else read.source.encoding in ("gbk", "gb18030")
    )
    assert d["report_time"].tolist() == ["09:00", "15:00", "16:00"]
    assert d["resumed"].tolist() == [False, True, True]
    assert d["staff_total"].tolist() == [100, 100, 12]  # "100人"
    assert d["staff_on_duty"].tolist() == [0, 35, 8]
    assert d["capacity_share"].tolist() == [0.0, 0.3, 0.8]  # 0%, 0.3, 八成
    assert d["large_scale"].tolist() == [True, True, False]
    assert read.skipped["reason"].tolist() == ["note row (注)"]


def test_staff_on_duty_above_total_is_an_error(tmp_path):
    rows = [*CSV_ROWS]
    rows[4] = "甲公司,北塔区,医药,是,2020/2/10,下午,是,135,100,0.3"
    path = tmp_path / "r.csv"
    path.write_bytes("\n".join(rows).encode("gbk"))
    with pytest.raises(
        LedgerError, match=r"r.csv, row 5, column 到岗人数: 135; expected staff_on_duty not above staff_total"
    ):
        read_ledger(path, "enterprise_reports")


def test_share_over_one_without_percent_header_is_refused(tmp_path):
    rows = [*CSV_ROWS]
    rows[5] = "乙公司,北塔区,建材,否,2020.2.10,16:00,是,8,12,85"
    path = tmp_path / "s.csv"
    path.write_bytes("\n".join(rows).encode("utf-8"))
    with pytest.raises(LedgerError, match=r"row 6, column 产能恢复率: 85.0; expected at most 1"):
        read_ledger(path, "enterprise_reports")


def test_excel_serial_dates_and_compact_dates_in_csv(tmp_path):
    text = "小区名称,月份,排水投诉\n甲,43891,3\n乙,20200401,4\n丙,2020年5月,5\n"
    path = tmp_path / "o.csv"
    path.write_text(text, encoding="utf-8")
    d = read_ledger(path, "outcomes").data
    assert [str(x.date()) for x in d["month"]] == ["2020-03-01", "2020-04-01", "2020-05-01"]


def test_cli_check(tmp_path, capsys):
    good = _workbook(tmp_path / "ok.xlsx")
    assert cli.main(["check", str(good), "--kind", "renovation"]) == 0
    out = capsys.readouterr().out
    assert "3 renovation rows" in out and "skipped row 10: total row (合计)" in out
    rows = [list(r) for r in ROWS]
    rows[0][3] = "很多"
    bad = _workbook(tmp_path / "bad.xlsx", rows)
    assert cli.main(["check", str(bad), "--kind", "renovation"]) == 1
    assert "row 5, column 户数: '很多'" in capsys.readouterr().err
    assert cli.main(["check", str(bad), "--kind", "nope"]) == 2
    assert cli.main(["check", str(tmp_path / "none.xlsx"), "--kind", "renovation"]) == 2


def test_demo_ledgers_read_cleanly_and_match_the_source():
    from renostats.datasets import load_demo

    ren = load_demo("renovation")
    d = ren.data
    assert len(d) == 267 and d["street"].nunique() == 11
    assert (d["buildings"].sum(), d["households"].sum(), d["floor_area_m2"].sum()) == (2230, 29681, 2_482_500)
    due = d[d["planned_year"] == 2020]
    assert len(due) == 41 and int(due["urgent"].sum()) == 19
    started = d.loc[d["start_date"] <= "2020-04-18", "community"].tolist()
    assert sorted(started) == sorted(["供销社小区", "染料厂小区"])
    for name in ("林化厂家属区", "湘运家属区", "轴承厂家属区", "洗衣厂家属区"):
        assert name in set(d["community"])
    reports = load_demo("enterprise_reports").data
    large = reports[reports["large_scale"]]
    assert large["enterprise"].nunique() == 24
    last = large[large["date"] == "2020-03-31"]
    assert last["resumed"].all() and (last["staff_on_duty"] == last["staff_total"]).all()
    assert last["capacity_share"].mean() < 0.95  # output lags the count of firms resumed
    outcomes = load_demo("outcomes").data
    assert len(outcomes) == 267 * 72 and outcomes["month"].min() == pd.Timestamp("2018-01-01")
    assert np.isfinite(outcomes["complaints_per_100hh"]).all()


def test_legacy_xls_is_read(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    rows = [["双清区老旧小区改造台账"], ["小区名称", "街道", "户数", "楼栋数", "建筑面积(万平方米)", "总投资(万元)"],
            ["供销社小区", "小江湖街道", 379, "22栋", 3.6439, 751.53], ["合计", None, 379, 22]]  # fmt: skip
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(tmp_path / "old.xls"))
    read = read_ledger(tmp_path / "old.xls", "renovation")
    assert read.data["floor_area_m2"].tolist() == [36439.0]
    assert read.data["buildings"].tolist() == [22]
    assert read.source.sheet == "台账" and read.skipped["row"].tolist() == [4]
