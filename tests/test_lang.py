"""Report languages: the parameter, computed sentences, Chinese numbers that the quantity reader reads back."""

from __future__ import annotations

import math

import nbformat
import pytest
from hypothesis import given
from hypothesis import strategies as st

from renostats import lang, units
from renostats.errors import ParameterError


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0, "元", "0元"),
        (24, "家", "24家"),
        (9999, "户", "9999户"),
        (10000, "户", "1万户"),
        (29681, "户", "2.968万户"),
        (2482500, "平方米", "248.2万平方米"),
        (7.3e9, "元", "73亿元"),
        (2.4e11, "元", "2400亿元"),
        (1.332e11, "元", "1332亿元"),
        (3.2e12, "元", "3.2万亿元"),
    ],
)
def test_zh_amount_uses_wan_and_yi(value, unit, shown):
    assert lang.zh_amount(value, unit) == shown


@given(st.floats(min_value=1, max_value=1e14, allow_nan=False))
def test_zh_amounts_read_back_to_four_significant_digits(x):
    q = units.parse_quantity(lang.zh_amount(x, "元"))
    assert q.kind == "money"
    assert math.isclose(q.value, x, rel_tol=5e-4)


def test_text_picks_the_language_and_formats_numbers():
    en, zh = lang.Text("en"), lang.Text("zh")
    assert en("{n} firms", "{n}家", n=3) == "3 firms"
    assert zh("{n} firms", "{n}家", n=3) == "3家"
    assert en.money(33290000) == "33.3 million yuan"
    assert zh.money(33290000) == "3329万元"
    assert en.date("2020-03-31") == "2020-03-31" and zh.date("2020-03-31") == "2020年3月31日"
    assert en.month("2019-12-01") == "December 2019" and zh.month("2019-12-01") == "2019年12月"
    assert zh.percent(float("nan")) == "—"


def test_unknown_language_is_a_parameter_error():
    with pytest.raises(ParameterError, match="parameter lang: 'fr'"):
        lang.Text("fr")


def test_keep_language_drops_the_other_languages_cells():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title", metadata={"tags": ["lang-en"]}),
        nbformat.v4.new_markdown_cell("# 标题", metadata={"tags": ["lang-zh"]}),
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
    ]
    zh = lang.keep_language(nbformat.from_dict(nb), "zh")
    assert [c.source for c in zh.cells] == ["# 标题", "x = 1"]
    en = lang.keep_language(nbformat.from_dict(nb), "en")
    assert [c.source for c in en.cells] == ["# Title", "x = 1"]
