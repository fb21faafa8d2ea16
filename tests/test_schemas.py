"""The declarations of each ledger kind: header aliases, units in headers, ranges and cross-column rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.errors
import pytest
from pandera.errors import SchemaErrorReason

from renostats.ledger import required_columns
from renostats.schemas import (
    FUNDING_SOURCES,
    SCHEMAS,
    adds_up,
    frame_rules,
    funding_gap_ok,
    normalise_header,
    pandera_schema,
    split_header_unit,
)


@pytest.mark.parametrize("kind", sorted(SCHEMAS))
def test_every_alias_names_its_own_column_and_no_other(kind):
    schema = SCHEMAS[kind]
    seen: dict[str, str] = {}
    for col in schema.columns:
        for alias in (col.name, *col.aliases):
            assert schema.match_header(alias) == col.name, alias
            key = normalise_header(alias)
            assert seen.setdefault(key, col.name) == col.name, f"{alias} names {seen[key]} and {col.name}"


@pytest.mark.parametrize(
    ("header", "base", "unit"),
    [
        ("建筑面积(万平方米)", "建筑面积", "万平方米"),
        ("总投资（万元）", "总投资", "万元"),  # full-width brackets
        ("户数[户]", "户数", "户"),
        ("改造意愿【%】", "改造意愿", "%"),
        ("改造意愿(%) ", "改造意愿", "%"),
        ("小区名称", "小区名称", None),
    ],
)
def test_a_unit_in_brackets_is_split_from_the_header(header, base, unit):
    assert split_header_unit(header) == (base, unit)


@pytest.mark.parametrize(
    "written", ["*小区名称", "小区\n名称", "小区名称:", "小区名称：", " 小区 名称 ", "ＸＸ"]
)
def test_headers_compare_loosely(written):
    expected = "xx" if written == "ＸＸ" else "小区名称"
    assert normalise_header(written) == expected


def _failures(
    kind: str, frame: pd.DataFrame, **kwargs
) -> list[tuple[SchemaErrorReason, str | None, list[int]]]:
    try:
        pandera_schema(SCHEMAS[kind], **kwargs).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        return [
            (
                e.reason_code,
                getattr(e.check, "name", e.check),
                sorted(set(e.failure_cases["index"].dropna().astype(int))),
            )
            for e in exc.schema_errors
        ]
    return []


def _renovation(**columns) -> pd.DataFrame:
    n = len(next(iter(columns.values())))
    base = {
        "community": pd.array([f"小区{i}" for i in range(n)], dtype="string"),
        "street": pd.array(["甲街道"] * n, dtype="string"),
        "buildings": pd.array([1] * n, dtype="Int64"),
        "households": pd.array([10] * n, dtype="Int64"),
        "floor_area_m2": np.full(n, 100.0),
        "investment_yuan": np.full(n, 1_000_000.0),
    }
    base.update(columns)
    return pd.DataFrame(base)


def test_ranges_hold_at_their_bounds_and_fail_just_beyond():
    frame = _renovation(
        built_year=pd.array([1900, 2030, 1899, 2031], dtype="Int64"),
        willingness=np.array([0.0, 1.0, -0.0001, 1.0001]),
        households=pd.array([0, 5, -1, 5], dtype="Int64"),
    )
    got = {(check, tuple(rows)) for reason, check, rows in _failures("renovation", frame)}
    assert got == {
        ("greater_than_or_equal_to", (2,)),  # built_year 1899; willingness -0.0001; households -1
        ("less_than_or_equal_to", (3,)),  # built_year 2031; willingness 1.0001
    }
    assert len(_failures("renovation", frame)) == 5


def test_needed_columns_may_not_be_blank_and_others_may():
    frame = _renovation(
        investment_yuan=np.array([np.nan, 1.0]), households=pd.array([None, 3], dtype="Int64")
    )
    default = _failures("renovation", frame)
    assert {(r, rows[0]) for r, _c, rows in default} == {(SchemaErrorReason.SERIES_CONTAINS_NULLS, 0)}
    assert len(default) == 2  # households and investment are required by default
    progress_only = _failures(
        "renovation", frame, required=required_columns(SCHEMAS["renovation"], ["households"])
    )
    assert len(progress_only) == 1  # the investment is not needed


def test_required_columns_are_the_key_plus_what_the_analysis_needs():
    schema = SCHEMAS["enterprise_reports"]
    assert required_columns(schema, []) == ("enterprise", "date", "report_time")
    assert required_columns(schema, "resumed") == ("enterprise", "date", "report_time", "resumed")
    assert set(required_columns(schema)) == {c.name for c in schema.columns if c.required}


def test_completion_on_the_start_day_passes_and_a_day_earlier_fails():
    start = pd.to_datetime(["2020-04-08", "2020-04-08", "2020-04-08", None])
    end = pd.to_datetime(["2020-04-08", "2020-04-07", None, "2020-01-01"])
    frame = _renovation(start_date=start.to_numpy(), completion_date=end.to_numpy())
    assert _failures("renovation", frame) == [(SchemaErrorReason.DATAFRAME_CHECK, "dates_in_order", [1])]


def test_staff_on_duty_may_equal_the_total_but_not_exceed_it():
    n = 4
    frame = pd.DataFrame(
        {
            "enterprise": pd.array(list("abcd"), dtype="string"),
            "district": pd.array(["北塔区"] * n, dtype="string"),
            "large_scale": pd.array([True] * n, dtype="boolean"),
            "date": pd.to_datetime(["2020-02-10"] * n).to_numpy(),
            "report_time": pd.array(["09:00"] * n, dtype="string"),
            "resumed": pd.array([True] * n, dtype="boolean"),
            "staff_on_duty": pd.array([100, 101, 0, 5], dtype="Int64"),
            "staff_total": pd.array([100, 100, 0, 4], dtype="Int64"),
        }
    )
    assert _failures("enterprise_reports", frame) == [
        (SchemaErrorReason.DATAFRAME_CHECK, "staff_within_total", [1, 3])
    ]


def test_funding_adds_up_within_one_percent_plus_one_yuan():
    # by hand: 1,000,000 yuan at 1% allows a gap of 10,000 + 1 = 10,001 yuan
    total = pd.Series([1_010_001.0, 1_010_002.0, 989_999.0, 989_998.0, 0.0, 1.0, 2.0])
    investment = pd.Series([1_000_000.0] * 4 + [0.0, 0.0, 0.0])
    assert adds_up(total, investment).tolist() == [True, False, True, False, True, True, False]
    assert not adds_up(pd.Series([5.0]), pd.Series([np.nan])).iloc[0]  # missing investment never adds up


def test_funding_rule_applies_only_where_a_source_is_given():
    sources = {c: np.array([np.nan, np.nan, np.nan]) for c in FUNDING_SOURCES}
    sources["subsidy_central_yuan"] = np.array([np.nan, 600_000.0, 600_000.0])
    sources["residents_yuan"] = np.array([np.nan, 400_000.0, 300_000.0])
    frame = _renovation(**sources)
    assert funding_gap_ok(frame).tolist() == [True, True, False]
    rules = {name for name, *_ in frame_rules(SCHEMAS["renovation"])}
    assert rules == {"dates_in_order", "funding_adds_up"}
    assert _failures("renovation", frame) == [(SchemaErrorReason.DATAFRAME_CHECK, "funding_adds_up", [2])]
    assert _failures("renovation", frame, funding_tolerance=0.2) == []


def test_a_rule_about_columns_a_frame_lacks_passes():
    frame = _renovation(households=pd.array([1], dtype="Int64"))
    assert _failures("renovation", frame) == []
