"""Quantities: values, kinds, qualifiers and bounds; the vectorised column parser; prose extraction."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from renostats.errors import InputError
from renostats.units import (
    chinese_number,
    extract_figures,
    format_chinese_number,
    parse_quantities,
    parse_quantity,
    scale_decimal,
)

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


# --------------------------------------------------------------------------------------------------
# Issue 11: every case that was silently wrong or refused, with its value worked out by hand

READ = [
    # text, value, kind, qualifier, low, high (None: missing)
    ("三万五", 35_000, "number", "exact", 35_000, 35_000),
    ("四千三", 4300, "number", "exact", 4300, 4300),
    ("一百五", 150, "number", "exact", 150, 150),
    ("两千三点一", 2300.1, "number", "exact", 2300.1, 2300.1),
    ("一百二十万三", 1_203_000, "number", "exact", 1_203_000, 1_203_000),
    ("千三", 1300, "number", "exact", 1300, 1300),
    ("一千零十", 1010, "number", "exact", 1010, 1010),
    ("一万零十二点一五", 10_012.15, "number", "exact", 10_012.15, 10_012.15),
    ("一百零一万零三千零十二", 1_013_012, "number", "exact", 1_013_012, 1_013_012),
    ("一百二十到一百五十万元", 1_350_000, "money", "range", 1_200_000, 1_500_000),
    ("七千到九千亿元", 8e11, "money", "range", 7e11, 9e11),
    ("10-15万元不等", 125_000, "money", "range", 100_000, 150_000),
    ("三五百", 400, "number", "about", 300, 500),
    ("八九亿", 8.5e8, "number", "about", 8e8, 9e8),
    ("百分之二三十", 0.25, "percent", "about", 0.2, 0.3),
    ("四万万", 4e8, "number", "exact", 4e8, 4e8),
    ("负5", -5, "number", "exact", -5, -5),
    ("-5%", -0.05, "percent", "exact", -0.05, -0.05),
    ("减少5", -5, "number", "exact", -5, -5),
    ("下降3.5%", -0.035, "percent", "exact", -0.035, -0.035),
    ("增长12.5个百分点", 0.125, "points", "exact", 0.125, 0.125),
    ("减少5个百分点", -0.05, "points", "exact", -0.05, -0.05),
    ("3万4000", 34_000, "number", "exact", 34_000, 34_000),
    ("3万5千", 35_000, "number", "exact", 35_000, 35_000),
    ("三成", 0.3, "percent", "exact", 0.3, 0.3),
    ("七八成", 0.75, "percent", "about", 0.7, 0.8),
    ("千分之五", 0.005, "percent", "exact", 0.005, 0.005),
    ("壹拾壹元壹角壹分", 11.11, "money", "exact", 11.11, 11.11),
    ("十块三毛", 10.3, "money", "exact", 10.3, 10.3),
    ("五角", 0.5, "money", "exact", 0.5, 0.5),
    ("0元5角", 0.5, "money", "exact", 0.5, 0.5),
    ("负十元五角", -10.5, "money", "exact", -10.5, -10.5),
    ("四五千块钱", 4500, "money", "about", 4000, 5000),  # 钱 closes a vague amount too
    ("约三百元整", 300, "money", "about", None, None),
    ("肆佰叁拾萬圆整", 4_300_000, "money", "exact", 4_300_000, 4_300_000),
    ("壹佰壹拾壹圆正", 111, "money", "exact", 111, 111),
    ("三億元", 3e8, "money", "exact", 3e8, 3e8),
    ("兩千六", 2600, "number", "exact", 2600, 2600),
    ("三點五萬", 35_000, "number", "exact", 35_000, 35_000),
    ("負三十二", -32, "number", "exact", -32, -32),
    ("5千余万元", 5e7, "money", "over", 5e7, None),
    ("一千多万", 1e7, "number", "over", 1e7, None),
    ("三十万多亿", 3e13, "number", "over", 3e13, None),
    ("1万元--5万元", 30_000, "money", "range", 10_000, 50_000),
    ("两到三仟元", 2500, "money", "range", 2000, 3000),
    ("50万元(含)以上", 500_000, "money", "at_least", 500_000, None),
    ("人民币三百万", 3e6, "money", "exact", 3e6, 3e6),
    ("1,234,567.5元", 1_234_567.5, "money", "exact", 1_234_567.5, 1_234_567.5),
    ("387万亩", 2.58e9, "area", "exact", 2.58e9, 2.58e9),
    ("1万600", 10_600, "number", "exact", 10_600, 10_600),
    ("200亿零四千230", 20_000_004_230, "number", "exact", 20_000_004_230, 20_000_004_230),
    ("一亿二千万", 1.2e8, "number", "exact", 1.2e8, 1.2e8),
    ("二〇二〇", 2020, "number", "exact", 2020, 2020),
    ("零点零零一", 0.001, "number", "exact", 0.001, 0.001),
    ("1万千瓦时", 10_000, "energy", "exact", 10_000, 10_000),  # not 1万 + 千 of 瓦时
    ("三分之一", 1 / 3, "percent", "exact", 1 / 3, 1 / 3),
    ("五百分之二", 0.004, "percent", "exact", 0.004, 0.004),
    ("负一又二分之一", -1.5, "number", "exact", -1.5, -1.5),
    ("3百分点", 0.03, "points", "exact", 0.03, 0.03),
    ("1万千米", 1e7, "length", "exact", 1e7, 1e7),
]


@pytest.mark.parametrize(("text", "value", "kind", "qualifier", "low", "high"), READ)
def test_forms_read_as_speakers_mean_them(text, value, kind, qualifier, low, high):
    q = parse_quantity(text)
    assert (q.kind, q.qualifier) == (kind, qualifier)
    assert q.value == pytest.approx(value, rel=1e-12)
    assert _same(q.low, low) and _same(q.high, high)
    row = parse_quantities(pd.Series([text]))
    assert row["value"].iloc[0] == q.value and row["qualifier"].iloc[0] == q.qualifier


REFUSED = [
    # text, words the message must contain
    ("万", "no number"),
    ("万元", "no number"),
    ("亿元", "no number"),
    ("两两", "digit by digit"),
    ("十十", "out of order"),
    ("1,23", "well-formed"),
    ("1,2,3", "well-formed"),
    ("2,00", "well-formed"),
    ("1.234,5", "well-formed"),
    ("9" * 400, "longer than"),
    ("十" * 16000 + "x", "longer than"),
    ("二〇二〇年", "date"),
    ("2020年", "date"),
    ("减少负5个百分点", "sign is written twice"),
    ("至少九千块钱以上", "qualifiers conflict"),
    ("八到九百亿元", "could take"),
    ("-5--3", "more than one way"),
    ("几十万元", "几"),
    ("十几户", "几"),
    ("五兆", "兆"),
    ("3万5", "ambiguous"),
    ("零一", "leading 零"),
    ("点五", "no whole number"),
    ("10.1万零100", "decimal"),
    ("元整", "no number"),
    ("三七百", "side by side"),
    ("1" + "0" * 400, "longer than"),
    ("9" * 60 + "亿" * 32, "too large"),
    ("3万3千瓦时", "ambiguous"),  # 33 kWh or 33,000 kWh
    ("零分之一", "over zero"),
    ("三五分之一", "vague"),
]


@pytest.mark.parametrize(("text", "words"), REFUSED)
def test_refusals_say_why(text, words):
    with pytest.raises(InputError, match=re.escape(words)):
        parse_quantity(text)
    coerced = parse_quantities(pd.Series([text]), errors="coerce")
    assert np.isnan(coerced["value"].iloc[0]) and words in coerced["error"].iloc[0]


def test_values_that_are_not_text_or_real_numbers():
    with pytest.raises(InputError, match="too large"):
        parse_quantity(10**400)
    with pytest.raises(InputError, match="finite"):
        parse_quantity(float("inf"))
    with pytest.raises(InputError, match="truth value"):
        parse_quantity(True)
    with pytest.raises(InputError, match="not a quantity"):
        parse_quantity(1 + 2j)
    with pytest.raises(InputError, match="string"):
        extract_figures(None)
    with pytest.raises(InputError, match="complex"):
        parse_quantities([1 + 2j])
    with pytest.raises(InputError, match="finite"):
        parse_quantities(pd.Series([1.0, np.inf]))
    with pytest.raises(InputError, match="errors must be one of"):
        parse_quantities(["1"], errors="ignore")
    mixed = parse_quantities(pd.Series([3, "4栋", 10**400, True], dtype=object), errors="coerce")
    assert mixed["value"].tolist()[:2] == [3.0, 4.0]
    assert mixed["error"].isna().tolist() == [True, True, False, False]


def test_prose_keeps_figures_whole_or_leaves_them_out():
    text = "投资10-15万元不等,5千余万元,3万5千元,1,2345户,增长12.5个百分点,减少负5个百分点,五元三毛。"
    figs = extract_figures(text)
    got = {
        text[s:e]: (v, k, q)
        for s, e, v, k, q in figs[["start", "end", "value", "kind", "qualifier"]].itertuples(index=False)
    }
    assert got == {
        "10-15万元不等": (125_000, "money", "range"),
        "5千余万元": (5e7, "money", "over"),
        "3万5千元": (35_000, "money", "exact"),
        "增长12.5个百分点": (0.125, "points", "exact"),
        "五元三毛": (5.3, "money", "exact"),
    }
    assert extract_figures("为四十九兆九千五百九十二億元").empty  # 兆: no part of it is guessed
    assert extract_figures("面积１２㎡")["value"].tolist() == [12.0]
    assert extract_figures("五百分之二").empty  # a fraction, not 百分之二
    assert extract_figures("共五百分之二").empty
    assert extract_figures("共百分之二")["value"].tolist() == [0.02]
    assert extract_figures("十" * 20_000 + "x").empty
    commas = extract_figures("共24，12栋;1,2345户和5户;人口1,234,567人")
    assert commas["value"].tolist() == [24, 12, 5, 1_234_567]
    months = extract_figures("1-2月完成3至5栋,10时开会")  # month and hour ranges are not figures
    assert months[["value", "unit"]].values.tolist() == [[4.0, "栋"]]


def test_format_chinese_number_writes_what_a_clerk_writes():
    cases = {
        0: "零", 7: "七", 10: "十", 15: "十五", 20: "二十", 105: "一百零五", 110: "一百一十", 1010: "一千零一十",
        3050: "三千零五十", 10_001: "一万零一", 100_001: "十万零一", 101_000: "十万一千", 1_000_000: "一百万",
        120_000_000: "一亿二千万", 100_000_001: "一亿零一", 1_000_000_000_000: "一万亿",
    }  # fmt: skip
    for n, text in cases.items():
        assert format_chinese_number(n) == text
    assert format_chinese_number("3.05") == "三点零五"
    with pytest.raises(InputError):
        format_chinese_number(-1)


CN_NUMBER = st.one_of(
    st.integers(min_value=0, max_value=2**53),
    st.integers(min_value=0, max_value=10**6),
)


@settings(max_examples=400, deadline=None)
@given(n=CN_NUMBER, places=st.integers(min_value=0, max_value=3))
def test_chinese_numerals_round_trip(n, places):
    written = Decimal(n).scaleb(-places)
    assume(written < Decimal(2**53).scaleb(-places))
    text = format_chinese_number(written)
    assert parse_quantity(text).value == float(written)
    assert chinese_number(text) == float(written)


TEXT = st.text(
    alphabet=st.sampled_from(
        list(
            "零〇一二两三四五六七八九十百千万亿点负余多来约近超不足以上下左右元户%成之分角整至到-~.,0123456789 "
        )
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(TEXT, st.text(max_size=12)))
def test_any_text_reads_to_a_value_that_round_trips_or_is_refused(text):
    row = parse_quantities(pd.Series([text]), errors="coerce")  # vectorised == scalar
    try:
        q = parse_quantity(text)
    except ValueError:
        assert np.isnan(row["value"].iloc[0])
        return
    assert math.isfinite(q.value)
    assert (np.isnan(q.low) or q.low <= q.value) and (np.isnan(q.high) or q.value <= q.high)
    if q.kind == "number" and q.value >= 0 and q.value < 2**53:
        formatted = format_chinese_number(Decimal(repr(q.value)))
        assert parse_quantity(formatted).value == q.value
    assert row["value"].iloc[0] == q.value and row["qualifier"].iloc[0] == q.qualifier


def test_error_message_lists_twenty_cells_then_counts_the_rest():
    for n, tail in ((20, ""), (21, " (and 1 more)")):
        cells = pd.Series([f"x{i}" for i in range(n)])
        with pytest.raises(InputError) as info:
            parse_quantities(cells)
        message = str(info.value)
        assert message.startswith(f"{n} cell(s) are not quantities: [0] ")
        assert message.endswith(tail) and "[19]" in message and "[20]" not in message


def test_extract_figures_context():
    figs = extract_figures("共有12栋楼房\n待改造", context=2)
    assert figs["context"].tolist() == ["共有12栋楼房"]
    assert extract_figures("楼12栋楼\n待", context=3)["context"].tolist() == ["楼12栋楼 待"]


def test_messages_show_text_up_to_sixty_characters_of_its_repr():
    with pytest.raises(InputError) as info:
        parse_quantity("x" * 58)  # repr: 60 characters, shown whole
    assert str(info.value) == f"{'x' * 58!r} has no number in it"
    with pytest.raises(InputError) as info:
        parse_quantity("x" * 59)
    assert str(info.value) == f"{('x' * 59)!r}"[:57] + "... has no number in it"


def test_scale_decimal_rounds_powers_of_ten_only():
    assert scale_decimal(np.array([4.03, 147.58]), 2, 1e4).tolist() == [40300.0, 1475800.0]
    assert scale_decimal(np.array([0.07]), 2, 0.01)[0] == 0.0007
    mu = 10000 / 15  # 亩 in m²: applied as it is, not rounded to a whole number
    assert scale_decimal(np.array([7.0]), 0, mu)[0] == 7.0 * mu


def test_format_chinese_number_range():
    assert format_chinese_number(10**16 - 1).startswith("九千九百九十九万")
    with pytest.raises(InputError):
        format_chinese_number(10**16)
