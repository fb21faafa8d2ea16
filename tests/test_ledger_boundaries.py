"""Ledger reading at the edges users meet: what the summary shows, header units, odd files and sheets.

Every expected value is written out by hand from the file the test writes.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from openpyxl.chart import BarChart, Reference

from renostats.ledger import LedgerError, read_ledger


def _csv(tmp_path: Path, text: str, name: str = "台账.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_columns_read_shows_the_smallest_median_and_largest_value_as_a_clerk_reads_them(tmp_path):
    path = _csv(
        tmp_path,
        "小区名称,街道,户数,楼栋数,建筑面积,总投资\n"
        "甲,城西街道,30,3,1234.5,100\n"
        "乙,城西街道,10,1,56.75,100\n"
        "丙,城西街道,20,2,3400,100\n",
    )
    table = read_ledger(path, "renovation").columns_read().set_index("column")
    # households 10, 20, 30: whole numbers with thousands separators
    assert tuple(table.loc["households", ["count", "min", "median", "max"]]) == (3, "10", "20", "30")
    # floor area 56.75, 1234.5, 3400: below 100 four significant digits, from 100 two decimals
    assert tuple(table.loc["floor_area_m2", ["min", "median", "max"]]) == ("56.75", "1,234.50", "3,400")


def test_data_rows_longer_than_the_header_row_read_as_if_the_extra_cells_were_absent(tmp_path):
    # exports that end every data row with a separator: the header row is one cell shorter
    plain = "小区名称,街道,户数,楼栋数,建筑面积,总投资\n甲,城西街道,30,3,1200,100\n乙,城东街道,10,1,300,50\n"
    padded = plain.replace("0\n甲", "0,\n甲").replace("100\n乙", "100,\n乙").replace("50\n", "50,\n")
    assert padded.count(",\n") == 2 and padded != plain
    want = read_ledger(_csv(tmp_path, plain, "plain.csv"), "renovation").data
    got = read_ledger(_csv(tmp_path, padded, "padded.csv"), "renovation").data
    pd.testing.assert_frame_equal(got, want)
    assert got["households"].tolist() == [30, 10]


def test_a_sub_header_reads_its_own_unit_not_its_groups(tmp_path):
    path = _csv(
        tmp_path,
        "小区名称,街道,改造规模,,资金来源(万元),\n"
        ",,建筑面积(万平方米),户数,中央补助,居民出资(元)\n"
        "甲小区,乙街道,0.36,120,60,5000\n",
    )
    read = read_ledger(path, "renovation", needs=["households"])
    d = read.data
    assert read.source.header_rows == (1, 2)
    # a group with no unit (改造规模) leaves the sub-header's 万平方米 in force
    assert d["floor_area_m2"].tolist() == [3600.0]
    assert d["households"].tolist() == [120]
    # the group's 万元 covers 中央补助, but 居民出资 states 元 itself
    assert d["subsidy_central_yuan"].tolist() == [600_000.0]
    assert d["residents_yuan"].tolist() == [5000.0]


def test_only_header_units_that_scale_the_cells_are_listed_as_applied(tmp_path):
    path = _csv(
        tmp_path,
        "小区名称,街道,户数(户),楼栋数,建筑面积(万平方米),总投资(元),改造意愿(%)\n甲,城西街道,30,3,0.12,1000000,80\n",
    )
    read = read_ledger(path, "renovation")
    # 户 and 元 multiply by one: nothing was applied; 万平方米 and (%) change every number read
    assert read.source.units == {"floor_area_m2": "万平方米 (x10000)", "willingness": "% (x0.01)"}
    d = read.data
    assert (d["households"][0], d["floor_area_m2"][0], d["investment_yuan"][0]) == (30, 1200.0, 1e6)
    assert d["willingness"][0] == pytest.approx(0.8)
    assert "元 (x1)" not in read.summary()


def test_a_workbook_saved_on_a_chart_tab_reads_its_first_worksheet(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(["小区名称", "街道", "户数", "楼栋数", "建筑面积", "总投资"])
    ws.append(["甲", "城西街道", 30, 3, 1200, 100])
    chart = book.create_chartsheet("户数图")
    bars = BarChart()
    bars.add_data(Reference(ws, min_col=3, min_row=1, max_row=2), titles_from_data=True)
    chart.add_chart(bars)
    book.active = chart  # the office saved the file while looking at the chart
    path = tmp_path / "chart.xlsx"
    book.save(path)
    read = read_ledger(path, "renovation")
    assert read.source.sheet == "台账"
    assert read.data["households"].tolist() == [30]


def _stray(path: Path, column: int) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(["小区名称", "街道", "户数", "楼栋数", "建筑面积", "总投资"])
    ws.append(["甲", "城西街道", 30, 3, 1200, 100])
    ws.cell(row=2, column=column, value="x")
    book.save(path)
    return path


def test_a_stray_value_beyond_the_thousandth_column_is_refused_naming_its_cell(tmp_path):
    # 2 rows x 1200 columns is far below the cell cap: the column cap alone refuses it
    with pytest.raises(
        LedgerError, match=r"sheet 台账: values reach cell ATD2; a ledger may have at most 1,000"
    ):
        read_ledger(_stray(tmp_path / "wide.xlsx", 1200), "renovation")
    # the thousandth column (ALL) is still read
    assert read_ledger(_stray(tmp_path / "edge.xlsx", 1000), "renovation").data["households"].tolist() == [30]


def test_yes_no_written_as_decimals_in_a_csv_reads_as_true_and_false(tmp_path):
    path = _csv(
        tmp_path,
        "小区名称,街道,户数,楼栋数,建筑面积,总投资,是否急需改造\n"
        "甲,城西街道,30,3,1200,100,1.0\n乙,城西街道,10,1,300,50,0.0\n丙,城西街道,10,1,300,50,是\n",
    )
    assert read_ledger(path, "renovation").data["urgent"].tolist() == [True, False, True]


def test_a_column_absent_from_the_file_has_the_type_it_has_when_present(tmp_path):
    head = "小区名称,街道,户数,楼栋数,建筑面积,总投资"
    extra = ",批次,危房等级,是否急需改造,改造意愿,竣工日期,加装电梯,改造管网长度"
    full = _csv(
        tmp_path, f"{head}{extra}\n甲,城西街道,30,3,1200,100,第一批,C级,是,0.8,2021-05-01,2,300\n", "full.csv"
    )
    bare = _csv(tmp_path, f"{head}\n甲,城西街道,30,3,1200,100\n", "bare.csv")
    present = read_ledger(full, "renovation").data
    absent = read_ledger(bare, "renovation").data
    columns = [
        "batch",
        "danger_grade",
        "urgent",
        "willingness",
        "completion_date",
        "elevators",
        "pipelines_m",
    ]
    assert {c: str(absent[c].dtype) for c in columns} == {c: str(present[c].dtype) for c in columns}
    assert absent[columns].isna().all().all()
    assert str(present["batch"].dtype) == "string" and str(present["elevators"].dtype) == "Int64"


def test_columns_read_shows_the_earliest_and_latest_date_and_values_from_100_with_two_decimals(tmp_path):
    path = _csv(
        tmp_path,
        "小区名称,街道,户数,楼栋数,建筑面积,总投资,竣工日期\n"
        "甲,城西街道,30,3,100.25,100,2021-05-01\n"
        "乙,城西街道,10,1,99.5,100,2019-03-15\n"
        "丙,城西街道,20,2,100.5,100,2020-07-20\n",
    )
    table = read_ledger(path, "renovation").columns_read().set_index("column")
    # completed 2021-05-01, 2019-03-15, 2020-07-20: the earliest is the low, the latest the high
    assert tuple(table.loc["completion_date", ["min", "median", "max"]]) == (
        "2019-03-15",
        "2020-07-20",
        "2021-05-01",
    )
    # 99.5 < 100 keeps four significant digits; 100.25 and 100.5 are from 100 on: two decimals
    assert tuple(table.loc["floor_area_m2", ["min", "median", "max"]]) == ("99.5", "100.25", "100.50")


def test_a_file_just_over_200_mib_is_refused_naming_its_size_before_it_is_read(tmp_path):
    big = tmp_path / "big.csv"
    with big.open("wb") as f:
        f.truncate(200 * 2**20 + 1)  # sparse: costs no disk
    with pytest.raises(LedgerError, match=r"big\.csv: 209,715,201 bytes .*a ledger may be at most 200 MB"):
        read_ledger(big, "renovation")
    # exactly 200 MiB passes the size check: the zeros are then refused as not text
    with big.open("r+b") as f:
        f.truncate(200 * 2**20)
    with pytest.raises(LedgerError, match="neither a workbook nor text"):
        read_ledger(big, "renovation")


def _noted(path: Path, span: str) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "台账"
    ws.append(["小区名称", "街道", "户数", "楼栋数", "建筑面积", "总投资"])
    ws.append(["甲", "城西街道", 30, 3, 1200, 100])
    ws.append(["乙", "城东街道", 10, 1, 300, 50])
    ws[span.split(":")[0]] = "备注:数据截至2020年底"
    ws.merge_cells(span)
    book.save(path)
    return path


def test_a_merged_note_counts_to_its_right_edge_against_the_thousandth_column(tmp_path):
    # merged over columns 999-1000 (ALK:ALL): within the cap, and the note row is skipped
    read = read_ledger(_noted(tmp_path / "edge.xlsx", "ALK5:ALL5"), "renovation")
    assert read.data["households"].tolist() == [30, 10]
    assert read.skipped["row"].tolist() == [5]
    # merged over columns 1000-1001 (ALL:ALM): the merge reaches column 1001, refused like a value there
    with pytest.raises(
        LedgerError, match=r"sheet 台账: values reach cell ALM5; a ledger may have at most 1,000"
    ):
        read_ledger(_noted(tmp_path / "wide.xlsx", "ALL5:ALM5"), "renovation")


def test_a_two_row_header_whose_group_row_ends_early_reads_every_sub_header(tmp_path):
    # the group row stops after 资金来源(万元); the sub-header row goes one cell further
    path = _csv(
        tmp_path,
        "小区名称,街道,改造规模,,资金来源(万元)\n"
        ",,建筑面积(万平方米),户数,中央补助,居民出资(元)\n"
        "甲小区,乙街道,0.36,120,60,5000\n",
    )
    read = read_ledger(path, "renovation", needs=["households"])
    d = read.data
    assert read.source.header_rows == (1, 2)
    assert (d["floor_area_m2"][0], d["households"][0]) == (3600.0, 120)
    assert d["subsidy_central_yuan"].tolist() == [600_000.0]  # 60 万元
    assert d["residents_yuan"].tolist() == [5000.0]  # 居民出资 states 元 itself


def test_a_header_unit_of_wan_alone_multiplies_whatever_the_column_holds(tmp_path):
    path = _csv(
        tmp_path,
        "小区名称,街道,户数,楼栋数,建筑面积(万),总投资(万)\n甲,城西街道,30,3,0.12,100\n",
    )
    read = read_ledger(path, "renovation")
    # 0.12 万 m2 = 1,200 m2 and 100 万 yuan = 1,000,000 yuan
    assert (read.data["floor_area_m2"][0], read.data["investment_yuan"][0]) == (1200.0, 1e6)
    assert read.source.units == {"floor_area_m2": "万 (x10000)", "investment_yuan": "万 (x10000)"}
