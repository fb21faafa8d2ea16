"""The grammar of one figure: [sign verb] [qualifier] [sign] numeral [余/多/来] [multipliers] [余/多]
[unit] [qualifier], percent words (百分之), 成, fractions, 角/分 after yuan, and ranges.

:func:`_read` is the whole reading of one cell (``parse_quantity`` is its public face); the vectorised
path and the prose scanner use it and the patterns here. Imports :mod:`renostats.units._tables` and
:mod:`renostats.units._numerals`.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from renostats.errors import InputError
from renostats.units._numerals import _Ambiguous, _numeral, _Refuse
from renostats.units._tables import (
    _CN_BIG,
    _CN_CHARS,
    _CN_DIGITS,
    _CN_SMALL,
    _FRACTION_WORDS,
    _QUAL_INFIX,
    _QUAL_PREFIX,
    _QUAL_SUFFIX,
    _RANGE_SEPS,
    _SIGN_PREFIX,
    _TRADITIONAL,
    _UNITS,
    MAX_LENGTH,
)


@dataclass(frozen=True)
class Quantity:
    """A parsed figure in base units, with its qualifier and the bounds it implies."""

    value: float
    unit: str
    kind: str
    qualifier: str
    low: float
    high: float
    text: str


# --------------------------------------------------------------------------------------------------
# Patterns


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_UNIT_RE = _alt(_UNITS)
_PRE_RE = _alt(_QUAL_PREFIX)
_SIGN_RE = _alt(_SIGN_PREFIX)
_SUF_RE = _alt(_QUAL_SUFFIX)
_NUM_CHARS = f"0-9{_CN_CHARS}"
# read as part of a numeral only to refuse it whole: 几 (十几万: no bounds), 兆 (10**6 or 10**12?)
_VAGUE_CHARS = "几兆"
_RUN_CHARS = _NUM_CHARS + _VAGUE_CHARS
# Not the first character of a unit: 3百分点 is 3 percentage points, 1万千瓦时 10,000 kWh.
_NOT_UNIT = r"(?!百分[点之]|千(?:瓦时|米))"
_RUN_CHAR = rf"{_NOT_UNIT}[{_RUN_CHARS}]"
# A numeral: digits, Chinese numerals, 点, decimal points and thousands commas (checked later), read
# possessively so that no input makes the scan backtrack.
_RUN = rf"{_RUN_CHAR}(?:{_RUN_CHAR}|[.,](?=[0-9{_CN_CHARS}]))*+"

# One figure: [sign verb] [qualifier] [sign] numeral [余/多/来] [multipliers] [余/多] [unit] [qualifier]
_FIGURE = (
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?"
    rf"(?P<num>{_RUN})"
    r"(?P<inf1>[余多来])?"
    rf"(?P<mult>(?:{_NOT_UNIT}[十百千万亿])*+)"
    r"(?P<inf2>[余多])?"
    rf"(?P<unit>{_UNIT_RE})?"
    rf"(?P<suf>{_SUF_RE})?"
)
_FIGURE_FULL = re.compile(_FIGURE)
_PERCENT_WORDS = re.compile(
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?(?P<per>{_alt(_FRACTION_WORDS)})"
    rf"(?P<sign2>[-+负])?(?P<num>{_RUN})(?P<suf>{_SUF_RE})?"
)
_CHENG = re.compile(
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?(?P<num>{_RUN})成"
    rf"(?P<frac>[{''.join(_CN_DIGITS)}0-9])?(?P<suf>{_SUF_RE})?"
)
# Fractions: 三分之一, 五百分之二 (2/500), 三百五又三分之一 (350 1/3); 分 ends the denominator, so its
# run may end in 百 (the figure's own run stops before 百分之)
_FRAC_RUN = rf"[{_RUN_CHARS}](?:[{_RUN_CHARS}]|\.(?=[0-9{_CN_CHARS}]))*+"
_FRACTION = re.compile(
    rf"(?P<verb>{_SIGN_RE})?(?P<pre>{_PRE_RE})?(?P<sign>[-+负])?(?:(?P<whole>{_FRAC_RUN})又)?"
    rf"(?P<den>{_FRAC_RUN})分之(?P<sign2>[-+负])?(?P<num>{_RUN})(?P<suf>{_SUF_RE})?"
)
_DATE = re.compile(r"(?:\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?|\d{1,2}月\d{1,2}[日号]|\d{1,2}月[底初中]旬?)")
_SPACE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]")
_DIGIT1 = f"[{''.join(_CN_DIGITS)}0-9]"
_MONEY_TAIL = re.compile(
    rf"(?P<head>.*?[元圆块])?(?:(?P<jiao>{_DIGIT1})[角毛])?(?:(?P<fen>{_DIGIT1})分)?(?P<zheng>[整正])?(?P<qian>钱)?"
)

_CN_YEAR = re.compile(r"[〇零一二三四五六七八九]{4}年")


# --------------------------------------------------------------------------------------------------
# One figure


def _read(text: Any) -> Quantity:
    """The body of :func:`renostats.units.parse_quantity` (see it for what is read and refused)."""
    if isinstance(text, bool | np.bool_):
        raise InputError(f"{text!r} is a truth value, not a quantity")
    if isinstance(text, int | float | np.integer | np.floating):
        try:
            v = float(text)
        except OverflowError:
            raise InputError(f"{_shown(text)} is too large for a quantity") from None
        if math.isnan(v):
            raise InputError("empty cell: no quantity")
        if not math.isfinite(v):
            raise InputError(f"{_shown(text)} is not a finite quantity")
        return Quantity(v, "", "number", "exact", v, v, str(text))
    if not isinstance(text, str):
        raise InputError(f"{_shown(text)} is not a quantity (text or a real number expected)")
    original = text
    if len(original) > 10 * MAX_LENGTH:
        raise InputError(_too_long(original))
    clean = _normalise(original)
    if not clean:
        raise InputError("empty cell: no quantity")
    if len(clean) > MAX_LENGTH:
        raise InputError(_too_long(original))
    if _DATE.fullmatch(clean) or _CN_YEAR.fullmatch(clean):
        raise InputError(f"{_shown(original)} is a date, not a quantity")
    if not re.search(rf"[{_NUM_CHARS}]", clean):
        raise InputError(f"{_shown(original)} has no number in it")
    try:
        value, unit, kind, qualifier, low, high = _parse(clean)
    except _Refuse as exc:
        raise InputError(f"{_shown(original)}: {exc}") from None
    return Quantity(value, unit, kind, qualifier, low, high, original)


def _normalise(text: str) -> str:
    """Full-width forms to ASCII (NFKC: １２ -> 12, ％ -> %, ㎡ -> m2), traditional characters to
    simplified, no spaces or invisible characters. Thousands commas stay (their grouping is checked)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text).translate(_TRADITIONAL))


def _shown(value: Any) -> str:
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _too_long(original: str) -> str:
    return (
        f"{_shown(original)} is longer than {MAX_LENGTH} characters: not one figure "
        "(use extract_figures for prose)"
    )


def _qualifier(*parts: tuple[str | None, dict[str, str]]) -> str:
    """The one qualifier named by the parts; refuses parts that contradict each other."""
    found = {(p, table[p]) for p, table in parts if p}
    named = {q for _, q in found} - {"exact"}
    if len(named) > 1:
        words = ", ".join(f"{p} ({q})" for p, q in sorted(found) if q != "exact")
        raise _Refuse(f"the qualifiers conflict: {words}")
    return named.pop() if named else "exact"


def _bounds(value: float, qualifier: str) -> tuple[float, float]:
    if qualifier == "exact":
        return value, value
    if qualifier in ("over", "at_least"):
        return value, math.nan
    if qualifier in ("under", "nearly", "at_most"):
        return math.nan, value
    return math.nan, math.nan


def _float(value: Decimal) -> float:
    out = float(value)
    if not math.isfinite(out) or (value != 0 and out == 0):
        raise _Refuse("too large or too small for a number")
    return out


def _sign(verb: str | None, sign: str | None, *more: str | None) -> int:
    signs = [s for s in (sign, *more) if s]
    if len(signs) > 1 or (verb and signs):
        raise _Refuse("the sign is written twice")
    out = _SIGN_PREFIX.get(verb, 1) if verb else 1
    if signs and signs[0] in ("-", "负"):
        out = -out
    return out


def _parse(clean: str):
    """(value, unit, kind, qualifier, low, high) of normalised text, or _Refuse saying why."""
    single_error: _Refuse | None = None
    try:
        return _single(clean)
    except _Refuse as exc:
        single_error = exc
    ranged = _parse_range(clean)
    if ranged is not None:
        return ranged
    raise single_error


def _single(clean: str):
    m = _PERCENT_WORDS.fullmatch(clean)
    if m:
        low, high = _numeral(m.group("num"))
        scale = _FRACTION_WORDS[m.group("per")]
        sign = _sign(m.group("verb"), m.group("sign"), m.group("sign2"))
        return _result(low * scale * sign, high * scale * sign, "%", "percent", m)
    m = _FRACTION.fullmatch(clean)
    if m:
        num, den = _numeral(m.group("num")), _numeral(m.group("den"))
        whole = _numeral(m.group("whole")) if m.group("whole") else (Decimal(0), Decimal(0))
        if num[0] != num[1] or den[0] != den[1] or whole[0] != whole[1]:
            raise _Refuse("a fraction with a vague part")
        if den[0] == 0:
            raise _Refuse("a fraction over zero")
        value = (whole[0] + num[0] / den[0]) * _sign(m.group("verb"), m.group("sign"), m.group("sign2"))
        if m.group("whole"):  # 三百五又三分之一: a number with a fraction
            return _result(value, value, "", "number", m)
        return _result(value, value, "%", "percent", m)  # 三分之一 of something: a share
    m = _CHENG.fullmatch(clean)
    if m:
        low, high = _numeral(m.group("num"))
        if m.group("frac"):
            if low != high or low != low.to_integral_value():
                raise _Refuse("成 with a tenth after a vague or decimal number")
            frac = _numeral(m.group("frac"))[0] / 10
            low, high = low + frac, high + frac
        sign = _sign(m.group("verb"), m.group("sign"))
        return _result(low / 10 * sign, high / 10 * sign, "%", "percent", m)
    m = _MONEY_TAIL.fullmatch(clean)
    if m and (m.group("jiao") or m.group("fen") or m.group("zheng") or m.group("qian")):
        extra = Decimal(0)
        if m.group("jiao"):
            extra += _numeral(m.group("jiao"))[0] / 10
        if m.group("fen"):
            extra += _numeral(m.group("fen"))[0] / 100
        head = m.group("head")
        if not head:
            if not extra:
                raise _Refuse("no number")
            return _finish(extra, extra, "yuan", "money", "exact")
        got = _figure(head)
        if not extra and got[2] == "money":
            return got  # 圆整, 块钱: words that only close the amount
        value, _, kind, qualifier, _, _ = got
        if kind != "money" or qualifier != "exact":
            raise _Refuse("角 and 分 follow an exact amount of yuan")
        total = Decimal(repr(value)) + (-extra if value < 0 else extra)
        return _finish(total, total, "yuan", "money", "exact")
    return _figure(clean)


def _figure(clean: str):
    m = _FIGURE_FULL.match(clean)
    if m is None:
        raise _Refuse("not a figure renostats can read (number, multiplier, unit, qualifier)")
    if m.end() != len(clean):
        after = max(m.end(g) for g in ("num", "inf1", "mult", "inf2"))
        raise _Refuse(f"unknown unit or words {clean[after:]!r} after the number")
    num, mult, unit_word = m.group("num"), m.group("mult"), m.group("unit") or ""
    if (
        unit_word == "年"
        and not mult
        and not m.group("inf1")
        and re.fullmatch(r"\d{4}|[〇零一二三四五六七八九]{4}", num)
    ):
        raise _Refuse("a year, not a duration")
    if m.group("inf1") and not mult and m.group("inf2"):
        raise _Refuse("the qualifiers conflict: two of 余/多")
    low, high = _numeral(num)
    scale = Decimal(1)
    for c in mult:
        scale *= _CN_BIG.get(c) or _CN_SMALL[c]
    kind, unit, to_base = _UNITS.get(unit_word, ("number", "", 1.0))
    factor = Decimal(10000) / 15 if unit_word == "亩" else Decimal(repr(to_base))  # 亩: 10000/15 m², exactly
    sign = _sign(m.group("verb"), m.group("sign"))
    rmb = "人民币" in (m.group("pre"), m.group("suf"))
    if rmb:
        if kind not in ("money", "number"):
            raise _Refuse("人民币 with a unit that is not money")
        kind, unit = "money", "yuan"
    return _result(low * scale * factor * sign, high * scale * factor * sign, unit, kind, m)


def _result(low: Decimal, high: Decimal, unit: str, kind: str, m: re.Match):
    groups = m.groupdict()
    parts = [(groups.get("pre"), _QUAL_PREFIX), (groups.get("suf"), _QUAL_SUFFIX)]
    parts += [(groups.get("inf1"), _QUAL_INFIX), (groups.get("inf2"), _QUAL_INFIX)]
    if low != high:  # a vague number: about, between its two readings
        parts.append(("(vague)", {"(vague)": "about"}))
        if low > high:
            low, high = high, low
    qualifier = _qualifier(*parts)
    return _finish(low, high, unit, kind, qualifier)


def _finish(low: Decimal, high: Decimal, unit: str, kind: str, qualifier: str):
    lo, hi = _float(low), _float(high)
    if lo != hi:
        return ((lo + hi) / 2, unit, kind, qualifier, lo, hi)
    return (lo, unit, kind, qualifier, *_bounds(lo, qualifier))


def _parse_range(clean: str):
    """``3至5年``, ``10-15万元``, ``一百二十到一百五十万元``, ``1万元--5万元``; None if not a range."""
    text = clean[1:] if clean.startswith("从") else clean
    if text.endswith("不等"):
        text = text[:-2]
    readings = set()
    # every separator at every place (a double dash may also be a dash and a minus sign)
    for i in range(1, len(text) - 1):
        for sep in _RANGE_SEPS:
            if not text.startswith(sep, i) or i + len(sep) >= len(text):
                continue
            try:
                readings.add(_range_ends(text[:i], text[i + len(sep) :]))
            except _Ambiguous:
                raise
            except _Refuse:
                continue
    if len(readings) > 1:
        raise _Refuse("a range that can be read in more than one way")
    return readings.pop() if readings else None


def _range_ends(left: str, right: str):
    left = left.removesuffix("(含)")  # 1万(含)-5万元: both ends are in the range anyway
    r = _single(right)
    rm = _FIGURE_FULL.fullmatch(right)
    lm = _FIGURE_FULL.fullmatch(left)
    candidates = []
    if lm is not None and not lm.group("unit") and rm is not None:
        tail_unit = rm.group("unit") or ""
        written = rm.group("num") + rm.group("mult")
        bigs = re.search(r"[万亿]*$", written).group(0)
        head = written[: len(written) - len(bigs)]
        small = re.fullmatch(rf"[{''.join(_CN_DIGITS)}1-9]([{''.join(_CN_SMALL)}])", head)
        lone = re.fullmatch(rf"[{''.join(_CN_DIGITS)}1-9]", lm.group("num")) and not lm.group("mult")
        if small and lone:
            if bigs:
                raise _Ambiguous("a range whose left end could take 百/千 or not (八到九百亿)")
            candidates.append(left + small.group(1) + tail_unit)
        elif bigs and not re.search("[万亿]", lm.group("num") + lm.group("mult")):
            candidates.append(left + bigs + tail_unit)
        if tail_unit == "%" or not (small and lone):
            candidates.append(left + tail_unit)
    candidates.append(left)
    for cand in candidates:
        try:
            lo = _single(cand)
        except _Refuse:
            continue
        if (lo[1], lo[2]) != (r[1], r[2]) or lo[3] != "exact" or r[3] != "exact":
            continue
        if lo[0] <= r[0]:
            a, b = lo[0], r[0]
            return ((a + b) / 2, r[1], r[2], "range", a, b)
    raise _Refuse("not a range")
