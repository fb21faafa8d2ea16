"""Boundaries of the quantity parser: length limits, mixed numerals, qualifier pairs, blank cells,
word numerals in prose. Values are hand computations."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from renostats.errors import InputError
from renostats.units import MAX_LENGTH, chinese_number, extract_figures, parse_quantities, parse_quantity


# --- length limits: MAX_LENGTH characters is one figure, one more is prose -------------------------
def test_parse_quantity_reads_a_figure_of_exactly_max_length():
    text = "0" * (MAX_LENGTH - 1) + "5"  # leading zeros: 5
    assert len(text) == MAX_LENGTH
    assert parse_quantity(text).value == 5.0


def test_parse_quantity_refuses_one_character_over_max_length():
    with pytest.raises(InputError, match="longer than"):
        parse_quantity("0" * MAX_LENGTH + "5")


def test_chinese_number_reads_exactly_max_length_and_refuses_one_more():
    text = "三点" + "五" * (MAX_LENGTH - 2)  # 3.555...
    assert len(text) == MAX_LENGTH
    assert chinese_number(text) == pytest.approx(3 + 5 / 9)
    with pytest.raises(InputError, match="not a number in Chinese numerals"):
        chinese_number(text + "五")


# --- Arabic digits inside a Chinese numeral ----------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三千5百", 3500.0),  # one digit before a multiplier, after another section part
        ("一万3千", 13000.0),
        ("5百", 500.0),  # Arabic figure at the start: 5 hundred
        ("1百01", 101.0),
    ],
)
def test_single_arabic_digit_may_stand_before_a_multiplier(text, value):
    assert parse_quantity(text).value == value


@pytest.mark.parametrize("text", ["三千05百", "三千0百", "三千12百"])
def test_several_digits_or_zero_inside_a_chinese_numeral_are_refused(text):
    # 三千05百 / 三千12百 have no single reading; 三千0百 puts a zero before a multiplier
    with pytest.raises(InputError, match="Arabic digits inside a Chinese numeral"):
        parse_quantity(text)


# --- qualifier pairs: 余 and 多 on both sides of a multiplier ------------------------------------
def test_over_qualifier_on_both_sides_of_a_multiplier_reads_as_over():
    q = parse_quantity("3余万多元")  # 余 qualifies 3, 多 qualifies 3万: both say "more than 30,000"
    assert (q.value, q.unit, q.qualifier, q.low) == (30000.0, "yuan", "over", 30000.0)
    assert math.isnan(q.high)


@pytest.mark.parametrize("text", ["3余多元", "3万余多元", "三十余多人"])
def test_two_qualifiers_in_a_row_are_refused(text):
    with pytest.raises(InputError, match="qualifiers conflict"):
        parse_quantity(text)


# --- blank cells in an all-text column (the vectorised pass) -----------------------------------------
@pytest.mark.parametrize("blank", [None, np.nan, pd.NA, "", "  "])
def test_missing_cells_in_a_text_column_stay_missing_without_error(blank):
    cells = pd.Series(["12栋", blank, "3.4万"], dtype=object)
    out = parse_quantities(cells)  # errors="raise": a blank must not be reported as unparseable
    assert out["value"].iloc[0] == 12.0 and out["value"].iloc[2] == 34000.0
    assert math.isnan(out["value"].iloc[1]) and pd.isna(out["unit"].iloc[1])
    coerced = parse_quantities(cells, errors="coerce")
    assert pd.isna(coerced["error"].iloc[1])


def test_string_dtype_column_with_missing_cells():
    out = parse_quantities(pd.Series(["12栋", None, "三十余万元"], dtype="string"))
    assert out["value"].tolist()[0] == 12.0 and out["value"].tolist()[2] == 300000.0
    assert math.isnan(out["value"].iloc[1])


def test_over_long_cell_in_a_column_is_reported_like_parse_quantity():
    long = "0" * MAX_LENGTH + "5"
    out = parse_quantities(pd.Series(["12栋", long, "0" * (MAX_LENGTH - 1) + "5"]), errors="coerce")
    assert "longer than" in out["error"].iloc[1] and math.isnan(out["value"].iloc[1])
    assert out["value"].iloc[2] == 5.0


# --- word numerals in prose ------------------------------------------------------------------------
def test_multi_character_numeral_with_a_measure_word_is_a_figure():
    got = extract_figures("本轮改造三十户，涉及资金三十万元")
    assert got["value"].tolist() == [30.0, 300000.0]
    assert got["unit"].tolist() == ["户", "yuan"]


def test_bare_multi_character_numeral_in_prose_is_not_a_figure():
    assert extract_figures("三十而立").empty
    assert extract_figures("共有三十").empty


# --- raw length guard: text over 10 * MAX_LENGTH characters is refused before normalisation --------
def test_raw_text_over_ten_times_max_length_is_refused_even_if_it_shrinks():
    padded = "5" + " " * (10 * MAX_LENGTH)  # 1001 characters that normalise to "5"
    with pytest.raises(InputError, match="longer than"):
        parse_quantity(padded)
    assert parse_quantity("5" + " " * (10 * MAX_LENGTH - 1)).value == 5.0  # 1000 characters: read


def test_vectorised_pass_applies_the_raw_length_guard_like_parse_quantity():
    padded = "5" + " " * (10 * MAX_LENGTH)
    just = "5" + " " * (10 * MAX_LENGTH - 1)
    out = parse_quantities(pd.Series([padded, just, "12栋"]), errors="coerce")
    assert "longer than" in out["error"].iloc[0] and math.isnan(out["value"].iloc[0])
    assert out["value"].tolist()[1:] == [5.0, 12.0]


# --- 人民币 and (含) suffixes: the vectorised pass agrees with parse_quantity ---------------------
def test_renminbi_suffix_needs_a_money_unit_in_both_paths():
    cells = ["5户人民币", "100人民币", "100元人民币", "人民币3万元"]
    with pytest.raises(InputError, match="not money"):
        parse_quantity("5户人民币")
    out = parse_quantities(pd.Series(cells), errors="coerce")
    assert out["error"].notna().tolist() == [True, True, False, False]
    assert out["value"].tolist()[2:] == [100.0, 30000.0]
    assert out["unit"].tolist()[2:] == ["yuan", "yuan"]


@pytest.mark.parametrize(
    ("text", "qualifier", "low", "high"),
    [
        ("100万元(含)以上", "at_least", 1e6, None),
        ("5户(含)以下", "at_most", None, 5.0),
        ("5户以下", "under", None, 5.0),
        ("3万元左右", "about", None, None),
    ],
)
def test_suffix_qualifiers_read_the_same_in_a_column_and_alone(text, qualifier, low, high):
    q = parse_quantity(text)
    row = parse_quantities(pd.Series([text, "12栋"])).iloc[0]
    assert q.qualifier == row["qualifier"] == qualifier
    for got in (q.low, row["low"]):
        assert math.isnan(got) if low is None else got == low
    for got in (q.high, row["high"]):
        assert math.isnan(got) if high is None else got == high


def test_context_zero_gives_the_figure_itself():
    got = extract_figures("本轮改造三十户，涉及资金三十万元", context=0)
    assert got["context"].tolist() == ["三十户", "三十万元"]
    with pytest.raises(InputError):
        extract_figures("改造三十户", context=-1)


# --- conflicting qualifiers on plain Arabic figures: the vectorised pass refuses them too ------------
@pytest.mark.parametrize(
    "text",
    ["至少9000块钱以上", "超过5万元以下", "不足10%以上", "近300户以上"],
)
def test_contradicting_qualifiers_in_a_column_are_refused_not_read(text):
    # at_least/over, over/under, under/over, nearly/over: no single bound can be read from the cell
    frame = parse_quantities(pd.Series(["12栋", text]), errors="coerce")
    assert frame["value"].tolist()[0] == 12.0
    assert math.isnan(frame["value"].iloc[1]) and pd.isna(frame["qualifier"].iloc[1])
    assert "qualifiers conflict" in frame["error"].iloc[1]
    with pytest.raises(InputError, match=r"\[1\].*qualifiers conflict"):
        parse_quantities(pd.Series(["12栋", text]))


# --- four digits before 年: a year unless 余/多 makes it a duration ------------------------------------
@pytest.mark.parametrize("text", ["约2020年", "2020年左右", "超过2020年"])
def test_a_qualified_four_digit_year_is_a_date_not_a_duration(text):
    with pytest.raises(InputError, match="a year, not a duration"):
        parse_quantity(text)


@pytest.mark.parametrize(("text", "value"), [("1000余年", 1000.0), ("2000多年", 2000.0)])
def test_four_digits_with_over_before_nian_are_a_duration(text, value):
    # "more than 1000 years": 余/多 after the number cannot follow a year
    q = parse_quantity(text)
    assert (q.value, q.unit, q.kind, q.qualifier, q.low) == (value, "年", "duration", "over", value)
    assert math.isnan(q.high)
    column = parse_quantities(pd.Series([text]))
    assert (column["value"].iloc[0], column["kind"].iloc[0], column["qualifier"].iloc[0]) == (
        value,
        "duration",
        "over",
    )


def test_jiao_and_fen_follow_only_an_exact_amount_of_yuan():
    assert parse_quantity("5元3角").low == pytest.approx(5.3)
    for text in ("约5元3角", "超过5元3角"):
        with pytest.raises(InputError, match="角 and 分 follow an exact amount of yuan"):
            parse_quantity(text)


@pytest.mark.parametrize(
    ("text", "low", "high", "qualifier"),
    [("三四户", 3, 4, "about"), ("一三四户", 134, 134, "exact"), ("三零五户", 305, 305, "exact"),
     ("三零户", 30, 30, "exact"), ("一百零五户", 105, 105, "exact")],
)  # fmt: skip
def test_two_neighbouring_numerals_are_a_vague_pair_only_on_their_own(text, low, high, qualifier):
    """三四户 is three or four households; in a run of three digits (一三四, a count read digit by digit) not."""
    q = parse_quantity(text)
    assert (q.low, q.high, q.qualifier) == (low, high, qualifier)


def test_a_lone_numeral_before_money_is_a_figure_in_prose():
    money = extract_figures("每平方米收费一元")
    assert money[["value", "unit", "kind"]].values.tolist() == [[1.0, "yuan", "money"]]
    assert extract_figures("一户一策").empty  # a set phrase, not a count of one household
