"""Every entry of every numeral, unit and qualifier table in renostats.units (its _tables module),
against expectations written here by hand (not derived from the tables), so a changed entry (玖 read as
0, 亩 multiplied instead of divided) fails a test. Each test also checks that the table has exactly the
entries listed, so an entry added without an expectation fails too."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from renostats.units import _tables as units
from renostats.units import chinese_number, parse_quantities, parse_quantity

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG = {"万": 10_000, "亿": 100_000_000}

# unit word -> (kind, unit, value of "3" + word in base units)
UNITS = {
    "元": ("money", "yuan", 3), "圆": ("money", "yuan", 3), "块钱": ("money", "yuan", 3),
    "块": ("money", "yuan", 3), "yuan": ("money", "yuan", 3),
    "平方公里": ("area", "m²", 3_000_000), "平方千米": ("area", "m²", 3_000_000), "km2": ("area", "m²", 3_000_000),
    "平方米": ("area", "m²", 3), "平米": ("area", "m²", 3), "m2": ("area", "m²", 3), "㎡": ("area", "m²", 3),
    "公顷": ("area", "m²", 30_000), "亩": ("area", "m²", 2000),  # 1 亩 = 10000/15 m²: 3 亩 = 2000 m²
    "公里": ("length", "m", 3000), "千米": ("length", "m", 3000), "km": ("length", "m", 3000),
    "米": ("length", "m", 3), "m": ("length", "m", 3),
    "个工作日": ("duration", "工作日", 3), "工作日": ("duration", "工作日", 3),
    "个小时": ("duration", "小时", 3), "小时": ("duration", "小时", 3), "个月": ("duration", "月", 3),
    "周年": ("duration", "年", 3), "年": ("duration", "年", 3), "周": ("duration", "周", 3),
    "天": ("duration", "天", 3), "日": ("duration", "天", 3),
    "千瓦时": ("energy", "kWh", 3), "瓦时": ("energy", "kWh", 0.003), "kwh": ("energy", "kWh", 3),
    "kWh": ("energy", "kWh", 3), "度": ("energy", "kWh", 3),
    "%": ("percent", "%", 0.03), "‰": ("percent", "%", 0.003),
    "个百分点": ("points", "pp", 0.03), "百分点": ("points", "pp", 0.03),
}  # fmt: skip
COUNT_WORDS = (
    "人次 户 栋 幢 家 人 名 份 套 项 支 座 条 间 台 辆 所 处 件 张 位 部 片 批 次 只 头 株 吨 个".split()
)

PREFIXES = {
    "不超过": "at_most", "不高于": "at_most", "不大于": "at_most", "最多": "at_most", "至多": "at_most",
    "不少于": "at_least", "不低于": "at_least", "不小于": "at_least", "至少": "at_least",
    "超过": "over", "多于": "over", "高于": "over", "大于": "over", "逾": "over", "超": "over",
    "不足": "under", "不到": "under", "少于": "under", "低于": "under", "小于": "under",
    "将近": "nearly", "接近": "nearly", "近": "nearly",
    "大约": "about", "约为": "about", "大概": "about", "约": "about",
    "共计": "exact", "合计": "exact", "累计": "exact", "共": "exact", "达到": "exact", "达": "exact",
    "为": "exact", "人民币": "exact",
}  # fmt: skip
SUFFIXES = {
    "(含)以上": "at_least", "以上": "over", "之多": "over", "有余": "over", "多": "over", "余": "over",
    "(含)以下": "at_most", "以下": "under", "以内": "at_most", "左右": "about", "上下": "about",
    "人民币": "exact",
}  # fmt: skip
INFIXES = {"余": "over", "多": "over", "来": "about"}
SIGNS = {
    "增加": 1, "增长": 1, "上升": 1, "提高": 1, "上涨": 1,
    "减少": -1, "下降": -1, "降低": -1, "下滑": -1, "下跌": -1,
}  # fmt: skip
FRACTIONS = {"百分之": 0.01, "佰分之": 0.01, "千分之": 0.001, "仟分之": 0.001, "万分之": 0.0001}
# traditional or variant form -> a text using it and its value
TRADITIONAL = {
    "萬": ("三萬", 30_000), "億": ("三億", 300_000_000), "圓": ("三圓", 3), "兩": ("兩千", 2000),
    "倆": ("倆千", 2000), "俩": ("俩千", 2000), "點": ("三點五", 3.5), "負": ("負三", -3), "貳": ("貳拾", 20),
    "參": ("參拾", 30), "陸": ("陸拾", 60), "餘": ("三十餘萬", 300_000), "約": ("約三十", 30), "幾": None,
    "個": ("三個", 3), "廿": ("廿二", 22), "卅": ("卅五", 35), "−": ("−3", -3), "－": ("－3", -3),
    "～": ("3～5年", 4), "〜": ("3〜5年", 4), "（": ("50万元（含）以上", 500_000), "）": ("50万元（含）以上", 500_000),
}  # fmt: skip
VAGUE = {(1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7), (7, 8), (8, 9), (3, 5)}
CN = "零一二三四五六七八九"


def test_tables_hold_exactly_the_entries_tested_here():
    assert units._CN_DIGITS == DIGITS
    assert units._CN_SMALL == SMALL and units._CN_BIG == BIG
    assert set(units._UNITS) == set(UNITS) | set(COUNT_WORDS)
    assert units._QUAL_PREFIX == PREFIXES and units._QUAL_SUFFIX == SUFFIXES
    assert units._QUAL_INFIX == INFIXES and units._SIGN_PREFIX == SIGNS
    assert {k: float(v) for k, v in units._FRACTION_WORDS.items()} == FRACTIONS
    assert {chr(k) for k in units._TRADITIONAL} == set(TRADITIONAL)
    assert units._VAGUE_PAIRS == VAGUE


@pytest.mark.parametrize(("char", "digit"), DIGITS.items())
def test_each_digit(char, digit):
    assert chinese_number(char) == digit
    if digit:
        assert parse_quantity(char + "百").value == digit * 100
        assert parse_quantity("一千零" + char).value == 1000 + digit
        assert parse_quantity(char + "万户").value == digit * 10_000


@pytest.mark.parametrize(("char", "unit"), SMALL.items())
def test_each_small_multiplier(char, unit):
    assert chinese_number("三" + char) == 3 * unit
    assert chinese_number("九" + char) == 9 * unit
    assert parse_quantity("2" + char + "元").value == 2 * unit


@pytest.mark.parametrize(("char", "unit"), BIG.items())
def test_each_big_multiplier(char, unit):
    assert chinese_number("三" + char) == 3 * unit
    assert parse_quantity("1.5" + char).value == 1.5 * unit
    with pytest.raises(ValueError, match="no number"):
        parse_quantity(char)
    with pytest.raises(ValueError, match="no number"):
        parse_quantity(char + "元")


@pytest.mark.parametrize(("word", "expected"), UNITS.items())
def test_each_unit(word, expected):
    kind, unit, value = expected
    q = parse_quantity("3" + word)
    assert (q.kind, q.unit) == (kind, unit)
    assert q.value == pytest.approx(value, rel=1e-12)
    row = parse_quantities(pd.Series(["3" + word]))
    assert (row["kind"].iloc[0], row["unit"].iloc[0]) == (kind, unit)
    assert row["value"].iloc[0] == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("word", COUNT_WORDS)
def test_each_count_word(word):
    q = parse_quantity("12" + word)
    assert (q.value, q.kind, q.unit) == (12, "count", word)


@pytest.mark.parametrize(("word", "qualifier"), PREFIXES.items())
def test_each_qualifier_prefix(word, qualifier):
    q = parse_quantity(word + "10万元")
    assert (q.value, q.qualifier, q.kind) == (100_000, qualifier, "money")
    lows = {"exact": 100_000, "over": 100_000, "at_least": 100_000}
    highs = {"exact": 100_000, "under": 100_000, "nearly": 100_000, "at_most": 100_000}
    assert (q.low if not math.isnan(q.low) else None) == lows.get(qualifier)
    assert (q.high if not math.isnan(q.high) else None) == highs.get(qualifier)


@pytest.mark.parametrize(("word", "qualifier"), SUFFIXES.items())
def test_each_qualifier_suffix(word, qualifier):
    q = parse_quantity("10万元" + word)
    assert (q.value, q.qualifier) == (100_000, qualifier)


@pytest.mark.parametrize(("word", "qualifier"), INFIXES.items())
def test_each_qualifier_infix(word, qualifier):
    q = parse_quantity("三十" + word + "万元")
    assert (q.value, q.qualifier) == (300_000, qualifier)


@pytest.mark.parametrize(("word", "sign"), SIGNS.items())
def test_each_verb_of_change(word, sign):
    assert parse_quantity(word + "5%").value == sign * 0.05
    assert parse_quantity(word + "2.5个百分点").value == sign * 0.025
    with pytest.raises(ValueError, match="sign is written twice"):
        parse_quantity(word + "负5%")


@pytest.mark.parametrize(("word", "scale"), FRACTIONS.items())
def test_each_fraction_word(word, scale):
    q = parse_quantity(word + "五")
    assert q.value == pytest.approx(5 * scale, rel=1e-12) and q.kind == "percent"
    assert parse_quantity("负" + word + "五").value == pytest.approx(-5 * scale, rel=1e-12)


@pytest.mark.parametrize(("char", "case"), TRADITIONAL.items())
def test_each_traditional_or_variant_character(char, case):
    if case is None:  # 幾 is 几: no number can be read
        with pytest.raises(ValueError, match="几"):
            parse_quantity("十" + char + "万")
        return
    text, value = case
    assert char in text
    assert parse_quantity(text).value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize(("a", "b"), sorted(VAGUE))
def test_each_vague_pair(a, b):
    q = parse_quantity(CN[a] + CN[b] + "百户")
    assert (q.low, q.high, q.qualifier, q.value) == (a * 100, b * 100, "about", (a + b) * 50)


def test_pairs_that_are_not_vague_are_refused_before_a_multiplier():
    for a in range(1, 10):
        for b in range(1, 10):
            if (a, b) in VAGUE:
                continue
            with pytest.raises(ValueError):
                parse_quantity(CN[a] + CN[b] + "百")
