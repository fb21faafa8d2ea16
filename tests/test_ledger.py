"""Reading ledgers as district offices export them; every quirk written by the tests themselves."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
        match=r"row 9, column 总投资\(万元\): 3000000; expected the funding sources to add up to it within 1% \(they add up to 3,500,000 yuan\)",
    ):
        read_ledger(_workbook(tmp_path / "f.xlsx", rows), "renovation")


def test_completion_before_start_is_an_error(tmp_path):
    rows = [list(r) for r in ROWS]
    rows[0][7] = "2020.1.1"
    with pytest.raises(
        LedgerError,
        match=r"row 5, column 竣工日期: 2020-01-01; expected a date not before 开工日期 \(2020-04-08\)",
    ):
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
        LedgerError, match=r"r.csv, row 5, column 到岗人数: 135; expected at most 职工总数 \(100\)"
    ):
        read_ledger(path, "enterprise_reports")


def test_share_over_one_without_percent_header_is_refused(tmp_path):
    rows = [*CSV_ROWS]
    rows[5] = "乙公司,北塔区,建材,否,2020.2.10,16:00,是,8,12,85"
    path = tmp_path / "s.csv"
    path.write_bytes("\n".join(rows).encode("utf-8"))
    with pytest.raises(LedgerError, match=r"row 6, column 产能恢复率: 85; expected at most 1"):
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


def test_cli_check_picks_a_sheet_by_name_or_by_position_from_one(tmp_path, capsys):
    def sheets(book, ws):
        other = book.create_sheet("2020")  # a sheet whose name is a number is found by its name
        other.append(PLAIN)
        other.append(["乙小区", "乙街道", 30, 3, 0.1, 100])

    path = _plain_book(tmp_path / "two.xlsx", [["甲小区", "乙街道", 20, 2, 0.1, 100]], setup=sheets)
    assert cli.main(["check", str(path), "--kind", "renovation", "--sheet", "2"]) == 0
    assert "two.xlsx (sheet 2020): 1 renovation rows" in capsys.readouterr().out
    assert cli.main(["check", str(path), "--kind", "renovation", "--sheet", "2020"]) == 0
    assert "(sheet 2020)" in capsys.readouterr().out
    assert cli.main(["check", str(path), "--kind", "renovation", "--sheet", "1"]) == 0
    assert "(sheet 台账)" in capsys.readouterr().out
    assert cli.main(["check", str(path), "--kind", "renovation", "--sheet", "3"]) == 1
    assert "no sheet '3'; the workbook has 台账, 2020" in capsys.readouterr().err


def test_cli_check_asks_only_for_the_columns_named(tmp_path, capsys):
    header = ["小区名称", "街道", "户数"]
    path = _plain_book(tmp_path / "few.xlsx", [["甲小区", "乙街道", 20]], header=header)
    assert cli.main(["check", str(path), "--kind", "renovation"]) == 1
    assert "missing column(s) buildings" in capsys.readouterr().err
    assert cli.main(["check", str(path), "--kind", "renovation", "--needs", "households"]) == 0
    assert "1 renovation rows" in capsys.readouterr().out
    assert cli.main(["check", str(path), "--kind", "renovation", "--needs", "household"]) == 2
    assert "needs must be one of" in capsys.readouterr().err


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


# --------------------------------------------------------------------------------------------------
# Files as offices and scripts produce them: each case below used to give a wrong number silently

PLAIN = ["小区名称", "街道", "户数", "楼栋数", "建筑面积(万平方米)", "总投资(万元)"]


def _plain_book(path: Path, rows, header=PLAIN, setup=None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(header)
    for row in rows:
        ws.append(row)
    if setup is not None:
        setup(book, ws)
    book.save(path)
    return path


def test_a_total_row_is_skipped_whichever_column_holds_the_word(tmp_path):
    rows = [
        ["甲小区", "乙街道", 20, 2, 0.1, 100],
        ["丙小区", "乙街道", 40, 3, 0.2, 200],
        ["乙街道", "合计", 60, 5, 0.3, 300],  # the word under 街道, not in the first cell
        [None, "全区合计", 60, 5, 0.3, 300],
        ["Total", None, 60, 5, 0.3, 300],
        ["综合计量所宿舍", "乙街道", 5, 1, 0.01, 10],  # 合计 inside a real name is not a total
    ]
    read = read_ledger(_plain_book(tmp_path / "t.xlsx", rows), "renovation")
    assert read.data["households"].sum() == 65
    assert read.data["community"].tolist() == ["甲小区", "丙小区", "综合计量所宿舍"]
    assert read.skipped["row"].tolist() == [4, 5, 6]
    assert read.skipped["reason"].tolist() == ["total row (合计)", "total row (合计)", "total row (total)"]


def test_a_number_merged_over_two_communities_is_refused_with_the_range(tmp_path):
    rows = [["甲小区", "乙街道", 20, 2, 0.1, 100], ["丙小区", "乙街道", 40, 3, 0.2, None]]

    def merge(book, ws):
        ws.merge_cells("F2:F3")  # one investment written over two communities
        ws.merge_cells("B2:B3")  # a street over its communities: spread, as before

    with pytest.raises(LedgerError) as err:
        read_ledger(_plain_book(tmp_path / "m.xlsx", rows, setup=merge), "renovation")
    problems = err.value.problems
    assert [(p.row, p.column) for p in problems] == [(2, "总投资(万元)"), (3, "总投资(万元)")]
    assert all("merged over F2:F3" in p.expected and p.value == 100 for p in problems)


def test_a_note_or_total_row_merged_across_the_sheet_is_skipped_not_refused(tmp_path):
    rows = [["甲小区", "乙街道", 20, 2, 0.1, 100], ["合计", None, 20, 2, 0.1, 100], ["注:示例数据"]]

    def merge(book, ws):
        ws.merge_cells("A3:B3")
        ws.merge_cells("A4:F4")

    read = read_ledger(_plain_book(tmp_path / "n.xlsx", rows, setup=merge), "renovation")
    assert read.data["households"].tolist() == [20] and read.skipped["row"].tolist() == [3, 4]


def test_formulas_without_saved_values_are_named_cell_by_cell(tmp_path):
    rows = [
        ["甲小区", "乙街道", 20, 2, 0.1, 100],
        ['=A2&"二期"', "=B2", "=C2*2", "=D2", "=E2", "=F2"],  # a row of formulas, as scripts write them
        ["丙小区", "乙街道", 40, 3, 0.2, "=F2*2"],
    ]
    with pytest.raises(LedgerError) as err:
        read_ledger(_plain_book(tmp_path / "f.xlsx", rows), "renovation")
    where = [(p.row, p.column) for p in err.value.problems]
    assert where == [
        (3, c) for c in ("小区名称", "街道", "楼栋数", "户数", "建筑面积(万平方米)", "总投资(万元)")
    ] + [(4, "总投资(万元)")]
    last = err.value.problems[-1]
    assert last.value == "=F2*2" and "formula whose result was never saved" in last.expected
    assert "open and save the file in Excel or LibreOffice" in str(err.value)


def test_a_cell_that_writes_its_own_multiplier_replaces_the_headers(tmp_path):
    rows = [
        ["甲小区", "乙街道", 20, 2, "0.6万", "120万"],  # 6,000 m² and 1,200,000 yuan, not 6e7 and 1.2e10
        ["丙小区", "乙街道", 40, 3, "3400平方米", "1.2亿元"],
        ["丁小区", "乙街道", 40, 3, 0.34, "五十"],  # plain numbers and numerals take the header's 万
    ]
    d = read_ledger(_plain_book(tmp_path / "u.xlsx", rows), "renovation").data
    assert d["floor_area_m2"].tolist() == [6000.0, 3400.0, 3400.0]
    assert d["investment_yuan"].tolist() == [1_200_000.0, 120_000_000.0, 500_000.0]


def test_a_cell_formatted_as_a_percentage_is_read_as_the_fraction_excel_shows(tmp_path):
    header = [*PLAIN, "改造意愿(%)", "居民同意率"]
    rows = [
        ["甲小区", "乙街道", 20, 2, 0.1, 100, 0.85, 0.9],
        ["丙小区", "乙街道", 40, 3, 0.2, 200, 60, "90%"],
    ]

    def percent(book, ws):
        ws["G2"].number_format = "0%"  # stores 0.85, shows 85%
        ws["H2"].number_format = "0.0%"

    path = _plain_book(tmp_path / "p.xlsx", rows, header=header, setup=percent)
    with pytest.raises(LedgerError, match="one column for willingness"):
        read_ledger(path, "renovation")  # two headers for one column are refused, not guessed
    header[-1] = "备注"
    rows[1][-1] = None
    rows[0][-1] = None
    d = read_ledger(_plain_book(tmp_path / "p2.xlsx", rows, header=header, setup=percent), "renovation").data
    assert d["willingness"].tolist() == [0.85, 0.6]  # 85% as shown; 60 under (%) is 60%


def test_a_cell_multiplier_under_a_header_without_a_unit(tmp_path):
    header = ["小区名称", "街道", "户数", "楼栋数", "建筑面积", "总投资"]
    rows = [["甲小区", "乙街道", "1.2万", 2, "0.34万", "120万"], ["丙小区", "乙街道", 30, 3, 500, 800000]]
    d = read_ledger(_plain_book(tmp_path / "plain.xlsx", rows, header=header), "renovation").data
    assert d["households"].tolist() == [12000, 30]
    assert d["floor_area_m2"].tolist() == [3400.0, 500.0]
    assert d["investment_yuan"].tolist() == [1_200_000.0, 800_000.0]


def test_a_percentage_in_a_count_column_is_refused(tmp_path):
    rows = [["甲小区", "乙街道", 0.2, 2, 0.1, 100]]
    path = _plain_book(
        tmp_path / "c.xlsx", rows, setup=lambda b, ws: setattr(ws["C2"], "number_format", "0%")
    )
    with pytest.raises(LedgerError, match=r"row 2, column 户数: '20%'; expected a count .*not a percentage"):
        read_ledger(path, "renovation")


def test_a_cell_unit_must_fit_its_column(tmp_path):
    rows = [
        ["甲小区", "乙街道", "12平方米", 2, 0.1, 100],
        ["丙小区", "乙街道", "12户", "3栋", "5亩", "8万元"],
    ]
    with pytest.raises(LedgerError) as err:
        read_ledger(_plain_book(tmp_path / "k.xlsx", rows), "renovation")
    (problem,) = err.value.problems  # 12户, 3栋, 5亩 (an area) and 8万元 fit their columns
    assert (problem.row, problem.column, problem.value) == (2, "户数", "12平方米")
    assert problem.expected == "a count (12, 12栋), not an area"


def test_names_that_differ_only_in_width_or_invisible_characters_are_one_community(tmp_path):
    rows = [
        ["1号小区", "乙街道", 20, 2, 0.1, 100],
        ["１号小区", "乙街道", 30, 2, 0.1, 100],  # full-width digit
        ["1号\u200b小区", "乙街道", 40, 2, 0.1, 100],  # zero-width space
        ["1号小区", "丁街道", 50, 2, 0.1, 100],  # same name in another street: a different community
    ]
    with pytest.raises(LedgerError) as err:
        read_ledger(_plain_book(tmp_path / "n.xlsx", rows), "renovation")
    problems = err.value.problems
    assert [(p.row, p.column) for p in problems] == [(3, "小区名称"), (4, "小区名称")]
    assert "repeats row 2; '1号小区' and '１号小区' read as the same name" in problems[0].expected
    assert "repeats row 2" in problems[1].expected


def test_invisible_characters_are_dropped_from_names(tmp_path):
    rows = [["1号\u200b小区\ufeff", " 乙街道 ", 20, 2, 0.1, 100]]
    d = read_ledger(_plain_book(tmp_path / "z.xlsx", rows), "renovation").data
    assert d["community"].tolist() == ["1号小区"] and d["street"].tolist() == ["乙街道"]


def test_the_active_visible_sheet_is_read_and_named(tmp_path):
    def sheets(book, ws):
        notes = book.create_sheet("说明", 0)
        notes.append(["填表说明:每个小区一行"])
        hidden = book.create_sheet("旧表", 0)
        hidden.append(PLAIN)
        hidden.append(["旧小区", "旧街道", 1, 1, 1, 1])
        hidden.sheet_state = "hidden"
        book.active = 0  # the hidden sheet is marked active: the first visible one is read instead

    path = _plain_book(tmp_path / "s.xlsx", [["甲小区", "乙街道", 20, 2, 0.1, 100]], setup=sheets)
    read = read_ledger(path, "renovation")
    # 说明 is the first visible sheet but has no header: the search goes on to 台账
    assert read.source.sheet == "台账" and read.data["community"].tolist() == ["甲小区"]
    assert "s.xlsx (sheet 台账)" in read.summary()
    assert read_ledger(path, "renovation", sheet=0).data["community"].tolist() == ["旧小区"]
    with pytest.raises(LedgerError, match=r"s.xlsx, sheet 说明: no header row found"):
        read_ledger(path, "renovation", sheet="说明")


def test_a_workbook_with_no_header_anywhere_names_the_sheets_searched(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["hello"])
    book.create_sheet("二").append(["world"])
    book.save(tmp_path / "e.xlsx")
    with pytest.raises(LedgerError, match=r"any visible sheet \(Sheet, 二\)"):
        read_ledger(tmp_path / "e.xlsx", "renovation")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("csv.xlsx", "小区名称,街道\n甲,乙\n".encode(), "plain text (CSV?), not a .xlsx file; name it .csv"),
        ("junk.xlsx", bytes(range(256)) * 4, "neither a workbook nor text"),
        ("page.xls", b"<html><table><tr><td>1</td></tr></table></html>", "a web page (HTML)"),
        ("empty.xlsx", b"", "an empty file (0 bytes)"),
        ("empty.csv", b"", "an empty file (0 bytes)"),
        ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100, "not a readable .xlsx workbook"),
        ("ledger.pdf", b"%PDF-1.4", "unsupported file type '.pdf'"),
        ("unicode.csv", "小区名称\t街道\n".encode("utf-16"), "UTF-16 text (Excel's 'Unicode text' export)"),
    ],
)
def test_a_file_that_is_not_what_its_name_says_is_a_ledger_error(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LedgerError, match=re.escape(says)):
        read_ledger(path, "renovation")


def test_a_folder_is_not_a_ledger(tmp_path):
    with pytest.raises(LedgerError, match="a folder, not a ledger file"):
        read_ledger(tmp_path, "renovation")


def test_a_styled_empty_cell_at_the_last_row_does_not_make_a_million_rows(tmp_path):
    from openpyxl.styles import Font

    def styled(book, ws):
        ws["A1048576"].font = Font(bold=True)
        ws["XFD1048576"].font = Font(bold=True)

    path = _plain_book(tmp_path / "big.xlsx", [["甲小区", "乙街道", 20, 2, 0.1, 100]], setup=styled)
    read = read_ledger(path, "renovation")
    assert read.data["households"].tolist() == [20]
    far = _plain_book(tmp_path / "far.xlsx", [["甲小区", "乙街道", 20, 2, 0.1, 100]],
                      setup=lambda b, ws: ws.cell(1048576, 16384, "x"))  # fmt: skip
    with pytest.raises(
        LedgerError, match=r"values reach cell XFD1048576; a ledger may have at most 1,000 columns"
    ):
        read_ledger(far, "renovation")


def test_missing_columns_and_bad_cells_are_reported_in_one_pass(tmp_path):
    header = ["小区名称", "街道", "户数", "楼栋数"]
    rows = [["甲小区", "乙街道", "很多", 2], ["丙小区", None, 30, -1]]
    with pytest.raises(LedgerError) as err:
        read_ledger(_plain_book(tmp_path / "o.xlsx", rows, header=header), "renovation")
    message = str(err.value)
    assert message.startswith("o.xlsx, sheet 台账: missing column(s) floor_area_m2 (headers such as 建筑面积")
    assert "investment_yuan (headers such as 总投资" in message
    where = [(p.row, p.column) for p in err.value.problems]
    assert where == [
        (1, "(floor_area_m2)"),
        (1, "(investment_yuan)"),
        (2, "户数"),
        (3, "街道"),
        (3, "楼栋数"),
    ]


def test_an_analysis_asks_only_for_the_columns_it_needs(tmp_path):
    header = ["小区名称", "街道", "户数", "楼栋数", "建筑面积"]
    path = _plain_book(tmp_path / "n.xlsx", [["甲小区", "乙街道", 20, None, 3400]], header=header)
    with pytest.raises(LedgerError, match="missing column"):
        read_ledger(path, "renovation")  # the kind's default needs include the investment
    read = read_ledger(path, "renovation", needs=["households", "floor_area_m2"])
    assert read.data["households"].tolist() == [20] and read.data["investment_yuan"].isna().all()
    assert read.data["buildings"].isna().all()  # not needed: a blank is allowed
    with pytest.raises(
        LedgerError, match=r"row 2, column 楼栋数: \(blank\); expected a value \(buildings is needed\)"
    ):
        read_ledger(path, "renovation", needs=["buildings"])
    with pytest.raises(LedgerError, match=r"missing column\(s\) investment_yuan"):
        read_ledger(path, "renovation", needs=["investment_yuan"])
    with pytest.raises(ValueError, match="needs must be one of"):
        read_ledger(path, "renovation", needs=["investment"])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("23:59", "23:59"), ("0:00", "00:00"), ("8点", "08:00"), ("16时30分", "16:30"), ("下午", "15:00")],
)
def test_report_times_of_the_day_are_read(tmp_path, cell, expected):
    rows = [*CSV_ROWS[:3], f"甲公司,北塔区,医药,是,2020/2/10,{cell},是,35,100,0.3"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    assert read_ledger(path, "enterprise_reports").data["report_time"].tolist() == [expected]


@pytest.mark.parametrize("cell", ["25:00", "24:00", "12:60", "半夜", "-1:00"])
def test_a_time_that_is_not_on_the_clock_is_refused(tmp_path, cell):
    rows = [*CSV_ROWS[:3], f"甲公司,北塔区,医药,是,2020/2/10,{cell},是,35,100,0.3"]
    path = tmp_path / "t.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    with pytest.raises(LedgerError, match=r"row 4, column 填报时间: .*expected a time of day"):
        read_ledger(path, "enterprise_reports")


@pytest.mark.parametrize(
    ("cell", "date"),
    [("20000", "1954-10-03"), ("43891", "2020-03-01"), ("43891.75", "2020-03-01"), ("80000", "2119-01-11")],
)
def test_excel_serial_dates_within_the_accepted_span(tmp_path, cell, date):
    # by hand from 2020-01-01 = serial 43831 (as Excel shows it): 43891 is 31 + 29 days later; 80000 is
    # 36169 days later = 99 years (36135 days + 24 leap days, 2100 is not one) + 10 days
    # = 2119-01-11; 20000 is 23831 days before = 65 years (23725 + 16 leap days) + 90 days = 1954-10-03
    path = tmp_path / "o.csv"
    path.write_text(f"小区名称,月份,排水投诉\n甲,{cell},3\n", encoding="utf-8")
    assert str(read_ledger(path, "outcomes").data["month"][0].date()) == date


@pytest.mark.parametrize("cell", ["19999", "80001", "99999"])
def test_numbers_outside_the_serial_date_span_are_refused(tmp_path, cell):
    path = tmp_path / "o.csv"
    path.write_text(f"小区名称,月份,排水投诉\n甲,{cell},3\n", encoding="utf-8")
    with pytest.raises(LedgerError, match=rf"row 2, column 月份: '?{cell}'?; expected a date"):
        read_ledger(path, "outcomes")


def test_merged_cells_in_a_legacy_xls_are_spread_or_refused(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    for c, h in enumerate(PLAIN):
        sheet.write(0, c, h)
    sheet.write_merge(1, 2, 1, 1, "乙街道")  # a street over two communities: spread
    for r, row in enumerate([["甲小区", None, 20, 2, 0.1, 100], ["丙小区", None, 40, 3, 0.2, 200]], start=1):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.save(str(tmp_path / "ok.xls"))
    read = read_ledger(tmp_path / "ok.xls", "renovation")
    assert read.data["street"].tolist() == ["乙街道", "乙街道"]
    sheet.write_merge(3, 4, 5, 5, 300)  # one investment over two communities: refused
    for r, row in enumerate([["丁小区", "乙街道", 20, 2, 0.1], ["戊小区", "乙街道", 40, 3, 0.2]], start=3):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "bad.xls"))
    with pytest.raises(
        LedgerError,
        match=r"row 5, column 总投资\(万元\): 300; expected one figure per row; the cell is merged over F4:F5",
    ):
        read_ledger(tmp_path / "bad.xls", "renovation")


def test_a_fraction_under_a_percent_header_in_an_xls_file_is_refused_as_ambiguous(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    header = [*PLAIN, "改造意愿(%)"]
    rows = [["甲小区", "乙街道", 20, 2, 0.1, 100, 85], ["丙小区", "乙街道", 40, 3, 0.2, 200, 0.85]]
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            # .xls keeps the format, but the reader cannot see it: 0.85 may be shown as 85%
            sheet.write(
                r,
                c,
                value,
                xlwt.easyxf(num_format_str="0%") if (r, c) == (2, 6) else xlwt.Style.default_style,
            )
    book.save(str(tmp_path / "p.xls"))
    with pytest.raises(LedgerError) as err:
        read_ledger(tmp_path / "p.xls", "renovation")
    (problem,) = err.value.problems  # 85 under (%) is 85%: read; 0.85 is ambiguous: refused
    assert (problem.row, problem.column, problem.value) == (3, "改造意愿(%)", 0.85)
    assert "save the file as .xlsx" in problem.expected


_NAME = st.text(alphabet="甲乙丙丁戊己庚辛壬癸东南西北新村苑里坊", min_size=1, max_size=6)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(
            _NAME,
            st.sampled_from(["甲街道", "乙街道", "丙街道"]),
            st.integers(0, 5000),
            st.integers(0, 200),
            st.decimals(0, 99999, places=2, allow_nan=False),
            st.decimals(0, 9999, places=2, allow_nan=False),
        ),
        min_size=1,
        max_size=12,
        unique_by=lambda r: (r[0], r[1]),
    ),
    total_at=st.integers(0, 12),
    total_column=st.integers(0, 1),
    encoding=st.sampled_from(["utf-8", "gbk", "utf-8-sig"]),
    data=st.data(),
)
def test_a_csv_ledger_reads_back_what_was_written_in_any_row_order(
    tmp_path, rows, total_at, total_column, encoding, data
):
    order = data.draw(st.permutations(range(len(rows))))
    lines = ["小区名称,街道,户数,楼栋数,建筑面积,总投资(万元)"]
    lines += [",".join(str(x) for x in rows[i]) for i in order]
    total = ["", "", str(sum(r[2] for r in rows)), "", "", ""]
    total[total_column] = "合计"  # under the community or the street column
    lines.insert(1 + min(total_at, len(rows)), ",".join(total))
    path = tmp_path / f"p-{encoding}.csv"
    path.write_bytes("\n".join(lines).encode(encoding))
    read = read_ledger(path, "renovation")
    got = read.data.sort_values(["community", "street"]).reset_index(drop=True)
    want = sorted(rows)
    assert got["community"].tolist() == [r[0] for r in want]
    assert got["households"].tolist() == [r[2] for r in want]  # the total row never counts
    assert got["buildings"].tolist() == [r[3] for r in want]
    assert got["floor_area_m2"].tolist() == [float(r[4]) for r in want]
    # 万元 scaled in decimal: 751.53 -> 7,515,300 exactly, as a hand multiplication gives
    assert got["investment_yuan"].tolist() == [float(r[5] * 10000) for r in want]
    assert len(read.skipped) == 1


def test_a_legacy_or_password_protected_workbook_named_xlsx_is_named_as_such(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    book.add_sheet("台账").write(0, 0, "小区名称")
    book.save(str(tmp_path / "old.xls"))
    (tmp_path / "old.xls").rename(tmp_path / "old.xlsx")  # password-protected .xlsx files look like this too
    with pytest.raises(LedgerError, match=r"old.xlsx: the file is an Excel 97-2003 workbook \(.xls\) or a "
                       r"password-protected workbook, not a .xlsx file; save it as .xlsx without a password"):  # fmt: skip
        read_ledger(tmp_path / "old.xlsx", "renovation")


def test_the_funding_total_in_the_message_counts_a_source_given_with_its_parts_once(tmp_path):
    header = [*PLAIN, "中央补助(万元)", "中央财政补助(万元)", "中央预算内投资(万元)", "居民出资(万元)"]
    rows = [["甲小区", "乙街道", 20, 2, 0.1, 300, 200, 150, 50, 50]]  # 200 = 150 + 50, then 50: 250, not 300
    with pytest.raises(LedgerError) as err:
        read_ledger(_plain_book(tmp_path / "parts.xlsx", rows, header=header), "renovation")
    (problem,) = err.value.problems
    assert (problem.row, problem.column) == (2, "总投资(万元)")
    assert problem.expected.endswith("(they add up to 2,500,000 yuan)")


def test_a_hidden_sheet_of_an_xls_file_is_passed_over(tmp_path):
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    old = book.add_sheet("旧表")
    current = book.add_sheet("台账")
    for sheet, name in ((old, "旧小区"), (current, "甲小区")):
        for c, value in enumerate(PLAIN):
            sheet.write(0, c, value)
        for c, value in enumerate([name, "乙街道", 20, 2, 0.1, 100]):
            sheet.write(1, c, value)
    old.visibility = 1  # hidden
    book.save(str(tmp_path / "h.xls"))
    read = read_ledger(tmp_path / "h.xls", "renovation")
    assert read.source.sheet == "台账" and read.data["community"].tolist() == ["甲小区"]
    assert read_ledger(tmp_path / "h.xls", "renovation", sheet="旧表").data["community"].tolist() == [
        "旧小区"
    ]


def test_a_csv_row_that_stops_early_reads_its_missing_cells_as_blank(tmp_path):
    rows = [
        *CSV_ROWS[:3],
        "甲公司,北塔区,医药,是,2020/2/10,上午,是,35,100",
        "乙公司,北塔区,建材,否,2020/2/10,上午,是,8,12,0.5",
    ]
    path = tmp_path / "short.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    d = read_ledger(path, "enterprise_reports").data
    assert d["staff_total"].tolist() == [100, 12]
    assert d["capacity_share"].isna().tolist() == [True, False]  # the first row ends before 产能恢复率


def test_a_file_may_be_as_large_as_the_cap_and_not_a_byte_more(tmp_path, monkeypatch):
    from renostats import _workbook as workbook

    path = tmp_path / "cap.csv"
    path.write_text("小区名称,月份,排水投诉\n甲,2020-01,3\n", encoding="utf-8")
    size = path.stat().st_size
    monkeypatch.setattr(workbook, "_MAX_BYTES", size)
    assert read_ledger(path, "outcomes").data["drainage_complaints"].tolist() == [3]
    monkeypatch.setattr(workbook, "_MAX_BYTES", size - 1)
    with pytest.raises(LedgerError, match="a ledger may be at most"):
        read_ledger(path, "outcomes")


def test_a_two_row_header_written_without_merging_in_a_csv(tmp_path):
    text = (
        "小区名称,街道,户数,楼栋数,建筑面积,总投资(万元),资金来源(万元),,\n"
        ",,,,,,中央补助,地方配套,居民出资\n"
        "甲小区,乙街道,20,2,3400,100,60,30,10\n"
    )
    path = tmp_path / "two.csv"
    path.write_text(text, encoding="utf-8")
    read = read_ledger(path, "renovation")
    assert read.source.header_rows == (1, 2)
    assert read.source.columns["subsidy_local_yuan"] == "资金来源(万元) / 地方配套"
    d = read.data
    # the group's 万元 covers the sub-headers to its right
    assert (d["subsidy_central_yuan"][0], d["subsidy_local_yuan"][0], d["residents_yuan"][0]) == (
        6e5,
        3e5,
        1e5,
    )
    assert d["investment_yuan"].tolist() == [1e6] and d["source_row"].tolist() == [3]


def test_a_ledger_with_a_header_and_no_rows_reads_as_empty(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("小区名称,街道,户数,楼栋数,建筑面积,总投资\n", encoding="utf-8")
    read = read_ledger(path, "renovation")
    assert len(read.data) == 0 and list(read.data.columns)[-1] == "source_row"


def test_yes_no_under_a_percent_header_reads_as_one_or_zero(tmp_path):
    # the template writes 供水改造需求(%) and says 是/否 read as 1/0; 79 and 79% read as 0.79 beside them
    path = tmp_path / "yn.csv"
    text = "小区名称,街道,户数,总投资(元),供水改造需求(%),改造意愿(%)\n甲,城西街道,10,100,是,79\n乙,城西街道,12,100,否,79%\n丙,城西街道,9,100,50,0.79%\n"
    path.write_text(text, encoding="utf-8")
    d = read_ledger(path, "renovation", needs=["households"]).data
    assert d["need_water"].tolist() == [1.0, 0.0, 0.5]
    assert d["willingness"].round(6).tolist() == [0.79, 0.79, 0.0079]


def test_whole_percents_and_percents_above_one_in_an_xls_file_are_read_as_percents(tmp_path):
    """Under a (%) header an .xls cell of 1 or 1.5 can only mean 1% or 1.5%: read, not refused."""
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("台账")
    header = [*PLAIN, "改造意愿(%)"]
    rows = [["甲小区", "乙街道", 20, 2, 0.1, 100, 1], ["丙小区", "乙街道", 40, 3, 0.2, 200, 1.5],
            ["丁小区", "乙街道", 60, 4, 0.3, 300, 100]]  # fmt: skip
    for r, row in enumerate([header, *rows]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(tmp_path / "p.xls"))
    read = read_ledger(tmp_path / "p.xls", "renovation")
    assert read.data["willingness"].tolist() == pytest.approx([0.01, 0.015, 1.0])
