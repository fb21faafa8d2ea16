"""Tables on the page and in the workbook agree: headers with units, number formats, widths, About sheet."""

from __future__ import annotations

import datetime as dt

import nbformat
import openpyxl
import pandas as pd
import pytest

from renostats import tables
from renostats.errors import InputError


@pytest.fixture
def progress():
    return pd.DataFrame(
        {
            "街道": ["小江湖街道", "汽车站街道"],
            "小区数": [12, 7],
            "完成率": [0.858, 0.5],
            "投资": [12345678.0, float("nan")],
            "竣工日期": pd.to_datetime(["2020-03-31", None]),
            "户均": [1234.5678, 2.0],
        }
    )


def test_spec_infers_formats_and_keeps_missing_values_empty(progress):
    spec = tables.table_spec(
        progress,
        "按街道进度",
        formats={"完成率": "percent", "投资": "money"},
        units={"投资": "元"},
        digits={"户均": 1},
    )
    assert [c["format"] for c in spec["columns"]] == ["text", "int", "percent", "money", "date", "float"]
    assert spec["columns"][3]["header"] == "投资 (元)"
    assert spec["rows"][0] == ["小江湖街道", 12, 0.858, 12345678.0, "2020-03-31", 1234.5678]
    assert spec["rows"][1][3] is None and spec["rows"][1][4] is None
    text = tables.to_text(spec)
    assert "85.8%" in text and "12,345,678" in text and "1,234.6" in text and "nan" not in text.lower()


def test_html_keeps_numbers_whole_and_escapes_text():
    spec = tables.table_spec(pd.DataFrame({"名称": ["<b>甲</b>"], "n": [1234567]}), "t")
    page = tables.to_html(spec)
    assert "&lt;b&gt;甲&lt;/b&gt;" in page
    assert "<td class=n>1,234,567</td>" in page
    assert "white-space:nowrap" in page
    # text left-aligned even under JupyterLab's right-aligning rule (two classes beat its one plus :not)
    assert (
        ".rs-table.rs-table td.t{text-align:left" in page and ".rs-table.rs-table th{text-align:left" in page
    )


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (0.8575, "percent", "85.8%"),
        (1.0, "percent", "100.0%"),
        (2.5, "int", "2"),
        (3.5, "money", "4"),
        (1234.5, "float", "1,234.50"),
        (None, "int", ""),
        (float("nan"), "float", ""),
        ("2020-03-31T00:00", "date", "2020-03-31"),
    ],
)
def test_format_cell(value, fmt, shown):
    assert tables.format_cell(value, fmt) == shown


def test_bad_names_formats_and_columns_are_refused(progress):
    with pytest.raises(InputError, match="name must be a sheet name"):
        tables.table_spec(progress, "a/b")
    with pytest.raises(InputError, match="name must be a sheet name"):
        tables.table_spec(progress, "x" * 32)
    with pytest.raises(InputError, match="format of column '完成率' must be one of"):
        tables.table_spec(progress, "t", formats={"完成率": "pct"})
    with pytest.raises(InputError, match="no column '完成'"):
        tables.table_spec(progress, "t", units={"完成": "%"})


def test_workbook_has_about_sheet_formats_frozen_headers_and_widths(tmp_path, progress):
    spec = tables.table_spec(
        progress, "按街道进度", formats={"完成率": "percent", "投资": "money"}, units={"投资": "元"}
    )
    other = tables.table_spec(pd.DataFrame({"a": [1]}), "按街道进度")
    path = tables.write_workbook(
        [spec, other],
        tmp_path / "01.xlsx",
        about=[("标题", "改造进度"), ("参数", {"district": "双清区"}), ("数据文件", ["a.xlsx", "b.csv"])],
        about_name="说明",
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["说明", "按街道进度", "按街道进度 (2)"]
    about = book["说明"]
    assert [c.value for c in about[2]] == ["参数", "district = 双清区"]
    assert about["B3"].value == "a.xlsx; b.csv"
    ws = book["按街道进度"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == ["街道", "小区数", "完成率", "投资 (元)", "竣工日期", "户均"]
    assert ws["C2"].value == 0.858 and ws["C2"].number_format == "0.0%"
    assert ws["D2"].number_format == "#,##0" and ws["D3"].value is None
    assert ws["E2"].value == dt.datetime(2020, 3, 31) and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["F2"].number_format == "#,##0.00"
    assert ws.column_dimensions["A"].width == len("小江湖街道") * 2 + 2
    assert ws["A1"].font.bold


def test_collect_finds_registered_tables_in_page_order():
    one = tables.table_spec(pd.DataFrame({"a": [1]}), "one")
    two = tables.table_spec(pd.DataFrame({"b": [2.0]}), "two")
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell(
            outputs=[nbformat.v4.new_output("display_data", data={tables.TABLE_MIME: one})]
        ),
        nbformat.v4.new_markdown_cell("text"),
        nbformat.v4.new_code_cell(
            outputs=[nbformat.v4.new_output("display_data", data={tables.TABLE_MIME: two})]
        ),
    ]
    assert [t["name"] for t in tables.collect(nb)] == ["one", "two"]
