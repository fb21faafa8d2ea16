"""Quantities: values, kinds, qualifiers and bounds; the vectorised column parser; prose extraction."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from renostats.units import chinese_number, extract_figures, parse_quantities, parse_quantity

CASES = [
    # text, value, unit, kind, qualifier, low, high
    ("960余万户", 9_600_000, "户", "count", "over", 9_600_000, None),
    ("248.25万平方米", 2_482_500, "m²", "area", "exact", 2_482_500, 2_482_500),
    ("3千万元", 30_000_000, "yuan", "money", "exact", 30_000_000, 30_000_000),
    ("2.5万亿元", 2.5e12, "yuan", "money", "exact", 2.5e12, 2.5e12),
    ("三十余万元", 300_000, "yuan", "money", "over", 300_000, None),
    ("97.5%", 0.975, "%", "percent", "exact", 0.975, 0.975),
    ("百分之八十", 0.8, "%", "percent", "exact", 0.8, 0.8),
    ("四成", 0.4, "%", "percent", "exact", 0.4, 0.4),
    ("八成五", 0.85, "%", "percent", "exact", 0.85, 0.85),
    ("超过1万人", 10_000, "人", "count", "over", 10_000, None),
    ("近10家", 10, "家", "count", "nearly", None, 10),
    ("约2400亿元", 2.4e11, "yuan", "money", "about", None, None),
    ("不足5%", 0.05, "%", "percent", "under", None, 0.05),
    ("至少3个月", 3, "月", "duration", "at_least", 3, None),
    ("不超过300万元", 3_000_000, "yuan", "money", "at_most", None, 3_000_000),
    ("3至5年", 4, "年", "duration", "range", 3, 5),
    ("10-15万元", 125_000, "yuan", "money", "range", 100_000, 150_000),
    ("１２栋", 12, "栋", "count", "exact", 12, 12),
    ("1,234.5", 1234.5, "", "number", "exact", 1234.5, 1234.5),
    ("三千零五十", 3050, "", "number", "exact", 3050, 3050),
    ("十九", 19, "", "number", "exact", 19, 19),
    ("三点五", 3.5, "", "number", "exact", 3.5, 3.5),
    ("2个工作日", 2, "工作日", "duration", "exact", 2, 2),
    ("92人次", 92, "人次", "count", "exact", 92, 92),
    ("10万人以上", 100_000, "人", "count", "over", 100_000, None),
    ("1万多人", 10_000, "人", "count", "over", 10_000, None),
    ("50左右", 50, "", "number", "about", None, None),
    ("3.5公里", 3500, "m", "length", "exact", 3500, 3500),
    ("12㎡", 12, "m²", "area", "exact", 12, 12),
    ("逾百家", 100, "家", "count", "over", 100, None),
]


def _same(a, b):
    return (b is None and math.isnan(a)) or a == pytest.approx(b, rel=1e-12)


@pytest.mark.parametrize(("text", "value", "unit", "kind", "qualifier", "low", "high"), CASES)
def test_parse_quantity(text, value, unit, kind, qualifier, low, high):
    q = parse_quantity(text)
    assert (q.unit, q.kind, q.qualifier, q.text) == (unit, kind, qualifier, text)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert _same(q.low, low) and _same(q.high, high)


def test_multipliers_give_exact_decimal_values():
    assert parse_quantity("4.03万个").value == 40300.0  # not 40300.000000000004
    assert parse_quantity("0.1万").value == 1000.0
    assert parse_quantity("三点五万").value == 35000.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("abc", "no number"),
        ("12栋楼", "unknown unit or words '栋楼'"),
        ("4月18日", "is a date"),
        ("2020年", "is a date"),
        ("约近10家", "not a figure"),
    ],
)
def test_unparseable_text_says_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_quantity(text)


def test_chinese_numerals():
    assert chinese_number("两万三千") == 23000
    assert chinese_number("一亿二千万") == 120_000_000
    assert chinese_number("十万") == 100_000
    assert chinese_number("二〇二〇") == 2020
    assert chinese_number("一百零五") == 105
    with pytest.raises(ValueError):
        chinese_number("三a")


def test_parse_quantities_matches_parse_quantity_cell_by_cell():
    texts = [c[0] for c in CASES]
    frame = parse_quantities(pd.Series(texts, index=[f"r{i}" for i in range(len(texts))]))
    assert list(frame.index) == [f"r{i}" for i in range(len(texts))]
    for label, text in zip(frame.index, texts, strict=True):
        q = parse_quantity(text)
        row = frame.loc[label]
        assert (row["unit"], row["kind"], row["qualifier"]) == (q.unit, q.kind, q.qualifier), text
        assert row["value"] == q.value, text
        assert _same(row["low"], None if math.isnan(q.low) else q.low), text
        assert _same(row["high"], None if math.isnan(q.high) else q.high), text


def test_parse_quantities_numbers_missing_and_mixed():
    frame = parse_quantities(pd.Series(["12栋", "3.4万", None, "", 7, np.nan, 2.5]))
    assert frame["value"].tolist()[:2] == [12.0, 34000.0]
    assert frame.loc[[2, 3, 5], "value"].isna().all() and frame.loc[[2, 3, 5], "kind"].isna().all()
    assert frame.loc[4, "value"] == 7.0 and frame.loc[4, "kind"] == "number"
    numeric = parse_quantities(pd.Series([1.5, None, 3], dtype="float64"))
    assert numeric["value"].tolist()[0] == 1.5 and numeric["kind"].tolist()[2] == "number"
    assert pd.isna(numeric["kind"].iloc[1])


def test_parse_quantities_reports_every_bad_cell():
    cells = pd.Series(["12栋", "abc", "3x", "2020年"], index=["a", "b", "c", "d"])
    with pytest.raises(ValueError, match=r"3 cell\(s\).*\[b\] 'abc'.*\[c\] '3x'.*\[d\] '2020年'"):
        parse_quantities(cells)
    coerced = parse_quantities(cells, errors="coerce")
    assert coerced["error"].isna().tolist() == [True, False, False, False]
    assert coerced.loc["a", "value"] == 12.0 and np.isnan(coerced.loc["b", "value"])


@settings(max_examples=300, deadline=None)
@given(
    integer=st.integers(min_value=0, max_value=10**9),
    places=st.integers(min_value=0, max_value=4),
    multiplier=st.sampled_from([("万", 4), ("亿", 8), ("千万", 7), ("", 0)]),
    unit=st.sampled_from(["元", "户", "平方米", "个", ""]),
)
def test_round_trip_with_multipliers(integer, places, multiplier, unit):
    word, power = multiplier
    written = Decimal(integer).scaleb(-places)  # e.g. 12.345
    text = f"{written}{word}{unit}"
    expected = float(written.scaleb(power))
    assume(expected < 1e15)  # doubles hold every whole yuan up to here; no ledger comes near it
    assert parse_quantity(text).value == expected
    assert parse_quantities(pd.Series([text]))["value"].iloc[0] == expected


def test_extract_figures_from_prose():
    text = (
        "4月18日,该区3年内对11个(镇)街道267个老旧小区进行改造,涉及2230栋29681户居民,"
        "总建筑面积248.25万平方米。口罩60000余个,近10家企业,4月22日是第51个世界地球日,一户一策。"
    )
    figs = extract_figures(text)
    assert figs["kind"].tolist() == [
        "date", "duration", "count", "count", "count", "count", "area", "count", "count", "date",
    ]  # fmt: skip
    assert figs.loc[figs["unit"] == "户", "value"].item() == 29681
    masks = figs[figs["unit"] == "个"].iloc[-1]
    assert (masks["value"], masks["qualifier"]) == (60000, "over")
    firms = figs[figs["unit"] == "家"].iloc[0]
    assert (firms["qualifier"], firms["high"]) == ("nearly", 10)
    assert 51 not in figs["value"].tolist()  # the ordinal 第51个 is left out
    first = figs.iloc[2]
    assert text[first["start"] : first["end"]] == "11个"
