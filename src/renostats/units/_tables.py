"""The words of quantities: numerals, multipliers, units, qualifiers, signs, traditional characters.

Plain tables (no patterns, no code that reads text): :mod:`renostats.units._grammar` builds its regular
expressions from them and :mod:`renostats.units._numerals` reads numerals with them. Every entry is
pinned by ``tests/test_units_tables.py``.
"""

from __future__ import annotations

from decimal import Decimal

KINDS = ("money", "area", "length", "count", "percent", "points", "duration", "energy", "number", "date")
QUALIFIERS = ("exact", "over", "under", "nearly", "about", "at_least", "at_most", "range")
COLUMNS = ["value", "unit", "kind", "qualifier", "low", "high"]
MAX_LENGTH = 100  # characters in one figure; longer text is prose (extract_figures)

# --------------------------------------------------------------------------------------------------
# Vocabulary

# surface form -> (kind, canonical unit, factor to the base unit). Matched longest first.
_UNITS: dict[str, tuple[str, str, float]] = {
    # money
    "元": ("money", "yuan", 1.0),
    "圆": ("money", "yuan", 1.0),
    "块钱": ("money", "yuan", 1.0),
    "块": ("money", "yuan", 1.0),
    "yuan": ("money", "yuan", 1.0),
    # area
    "平方公里": ("area", "m²", 1e6),
    "平方千米": ("area", "m²", 1e6),
    "km2": ("area", "m²", 1e6),
    "平方米": ("area", "m²", 1.0),
    "平米": ("area", "m²", 1.0),
    "m2": ("area", "m²", 1.0),  # also ㎡ and m² after NFKC normalisation
    "㎡": ("area", "m²", 1.0),  # in prose, where characters keep their places
    "公顷": ("area", "m²", 1e4),
    "亩": ("area", "m²", 10000.0 / 15.0),
    # length
    "公里": ("length", "m", 1000.0),
    "千米": ("length", "m", 1000.0),
    "km": ("length", "m", 1000.0),
    "米": ("length", "m", 1.0),
    "m": ("length", "m", 1.0),
    # duration
    "个工作日": ("duration", "工作日", 1.0),
    "工作日": ("duration", "工作日", 1.0),
    "个小时": ("duration", "小时", 1.0),
    "小时": ("duration", "小时", 1.0),
    "个月": ("duration", "月", 1.0),
    "周年": ("duration", "年", 1.0),
    "年": ("duration", "年", 1.0),
    "周": ("duration", "周", 1.0),
    "天": ("duration", "天", 1.0),
    "日": ("duration", "天", 1.0),
    # energy
    "千瓦时": ("energy", "kWh", 1.0),
    "瓦时": ("energy", "kWh", 0.001),  # after a numeral that ended in 千: 3千瓦时
    "kwh": ("energy", "kWh", 1.0),
    "kWh": ("energy", "kWh", 1.0),
    "度": ("energy", "kWh", 1.0),
    # percent and percentage points
    "%": ("percent", "%", 0.01),
    "‰": ("percent", "%", 0.001),
    "个百分点": ("points", "pp", 0.01),
    "百分点": ("points", "pp", 0.01),
}
_COUNT_WORDS = (
    "人次", "户", "栋", "幢", "家", "人", "名", "份", "套", "项", "支", "座", "条", "间", "台", "辆",
    "所", "处", "件", "张", "位", "部", "片", "批", "次", "只", "头", "株", "吨", "个",
)  # fmt: skip
for _w in _COUNT_WORDS:
    _UNITS.setdefault(_w, ("count", _w, 1.0))

_QUAL_PREFIX = {
    "不超过": "at_most",
    "不高于": "at_most",
    "不大于": "at_most",
    "最多": "at_most",
    "至多": "at_most",
    "不少于": "at_least",
    "不低于": "at_least",
    "不小于": "at_least",
    "至少": "at_least",
    "超过": "over",
    "多于": "over",
    "高于": "over",
    "大于": "over",
    "逾": "over",
    "超": "over",
    "不足": "under",
    "不到": "under",
    "少于": "under",
    "低于": "under",
    "小于": "under",
    "将近": "nearly",
    "接近": "nearly",
    "近": "nearly",
    "大约": "about",
    "约为": "about",
    "大概": "about",
    "约": "about",
    # words that only announce a figure
    "共计": "exact",
    "合计": "exact",
    "累计": "exact",
    "共": "exact",
    "达到": "exact",
    "达": "exact",
    "为": "exact",
    "人民币": "exact",
}
# verbs of change: the figure after them is a change with this sign
_SIGN_PREFIX = {
    "增加": 1,
    "增长": 1,
    "上升": 1,
    "提高": 1,
    "减少": -1,
    "下降": -1,
    "降低": -1,
    "下滑": -1,
    "上涨": 1,
    "下跌": -1,
}
_QUAL_SUFFIX = {
    "(含)以上": "at_least",
    "以上": "over",
    "之多": "over",
    "有余": "over",
    "多": "over",
    "余": "over",
    "(含)以下": "at_most",
    "以下": "under",
    "以内": "at_most",
    "左右": "about",
    "上下": "about",
    "人民币": "exact",
}
_QUAL_INFIX = {"余": "over", "多": "over", "来": "about"}

_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3, "四": 4, "肆": 4,
    "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_MULT = {"十": 10.0, "百": 100.0, "千": 1000.0, "万": 1e4, "亿": 1e8}
_CN_CHARS = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG) + "点"
# Traditional and variant characters, read as their simplified forms before anything else.
_TRADITIONAL = str.maketrans(
    {
        "萬": "万", "億": "亿", "圓": "圆", "兩": "两", "倆": "两", "俩": "两", "點": "点", "負": "负",
        "貳": "贰", "參": "叁", "陸": "陆", "餘": "余", "約": "约", "幾": "几", "個": "个", "廿": "二十",
        "卅": "三十", "−": "-", "－": "-", "～": "~", "〜": "~", "（": "(", "）": ")",
    }
)  # fmt: skip
# Two numerals written side by side for "one or the other": 三五百 (300 to 500), 八九亿, 十一二.
_VAGUE_PAIRS = {(a, a + 1) for a in range(1, 9)} | {(3, 5)}
_FRACTION_WORDS = {
    "百分之": Decimal("0.01"),
    "佰分之": Decimal("0.01"),
    "千分之": Decimal("0.001"),
    "仟分之": Decimal("0.001"),
    "万分之": Decimal("0.0001"),
}
_RANGE_SEPS = ("至", "到", "~", "——", "--", "—", "–", "-")
