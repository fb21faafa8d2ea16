"""Chinese and Arabic numerals read as one exact number: tokens, sections below 10,000, 万 and 亿.

:func:`_numeral` gives a numeral's value as (low, high), equal unless the numeral is vague (三五百);
:class:`_Refuse` says why a numeral cannot be read as one number. :func:`_format_int` writes an integer
back in Chinese numerals. Imports only :mod:`renostats.units._tables`.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from renostats.units._tables import _CN_BIG, _CN_DIGITS, _CN_SMALL, _VAGUE_PAIRS

_ARABIC_OK = re.compile(r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


class _Refuse(Exception):
    """A numeral that cannot be read as one number (turned into an InputError with its text)."""


class _Ambiguous(_Refuse):
    """Text that reads as a figure in more than one way."""


def _tokens(run: str) -> list[tuple[str, Any]]:
    """The tokens of a numeral: ('D', digit, char) a Chinese digit, ('Z', 0, char) 零 or 〇,
    ('A', digits) an Arabic number, ('S', 10 | 100 | 1000), ('B', 10**4 | 10**8), ('P',) 点."""
    out: list[tuple[str, Any]] = []
    i, n = 0, len(run)
    while i < n:
        c = run[i]
        if c.isdigit() and c.isascii():
            j = i
            while j < n and (run[j].isascii() and (run[j].isdigit() or run[j] in ".,")):
                j += 1
            text = run[i:j]
            if not _ARABIC_OK.fullmatch(text):
                raise _Refuse(f"{text!r} is not a well-formed number (digits, thousands commas, one point)")
            out.append(("A", text.replace(",", "")))
            i = j
            continue
        if c in ("零", "〇"):
            out.append(("Z", 0, c))
        elif c in _CN_DIGITS:
            out.append(("D", _CN_DIGITS[c], c))
        elif c in _CN_SMALL:
            out.append(("S", _CN_SMALL[c]))
        elif c in _CN_BIG:
            out.append(("B", _CN_BIG[c]))
        elif c == "点":
            out.append(("P",))
        elif c == "几":
            raise _Refuse("几 says 'some': no number or bounds can be read from it")
        elif c == "兆":
            raise _Refuse("兆 is 10**6 in some texts and 10**12 in others: write 万亿 or 百万")
        else:
            raise _Refuse(f"{c!r} is not part of a number")
        i += 1
    return out


def _numeral(run: str) -> tuple[Decimal, Decimal]:
    """The value of a numeral as (low, high): equal unless the numeral is vague (三五百: 300, 500)."""
    toks = _tokens(run)
    if not toks:
        raise _Refuse("no number")
    pairs = [
        i
        for i in range(len(toks) - 1)
        if toks[i][0] == "D" and toks[i + 1][0] == "D" and (toks[i][1], toks[i + 1][1]) in _VAGUE_PAIRS
    ]
    only_digits = all(t[0] in ("D", "Z") for t in toks)
    if pairs and not (only_digits and len(toks) > 2) and not any(t[0] == "P" for t in toks):
        if len(pairs) > 1:
            raise _Refuse("more than one pair of numerals side by side")
        i = pairs[0]
        low = _exact(toks[: i + 1] + toks[i + 2 :])
        high = _exact(toks[:i] + toks[i + 1 :])
        if not low < high:
            raise _Refuse("a vague pair whose readings are not in order")
        return low, high
    value = _exact(toks)
    return value, value


def _exact(toks) -> Decimal:
    if any(t[0] == "P" for t in toks):
        at = next(i for i, t in enumerate(toks) if t[0] == "P")
        whole, frac = toks[:at], toks[at + 1 :]
        if not whole:
            raise _Refuse("点 with no whole number before it")
        if frac and frac[0][0] == "A":
            if "." in frac[0][1]:
                raise _Refuse("two decimal points")
            k = 1
        else:
            k = 0
            while k < len(frac) and frac[k][0] in ("D", "Z"):
                k += 1
        digits, tail = frac[:k], frac[k:]
        if not digits or any(t[0] not in ("S", "B") for t in tail):
            raise _Refuse("the digits after 点 must be plain numerals, then at most a multiplier")
        if any(t[0] == "D" and t[2] == "两" for t in digits):
            raise _Refuse("两 is not a digit after 点")
        text = "".join(t[1] if t[0] == "A" else str(t[1]) for t in digits)
        value = _integer(whole) + Decimal("0." + text)
        return value * _product(tail)
    arabic_decimal = [i for i, t in enumerate(toks) if t[0] == "A" and "." in t[1]]
    if arabic_decimal:
        i = arabic_decimal[0]
        if i != 0 or any(t[0] not in ("S", "B") for t in toks[1:]):
            raise _Refuse("a decimal number can be followed only by multipliers (10.1万)")
        return Decimal(toks[0][1]) * _product(toks[1:])
    return _integer(toks)


def _product(toks) -> Decimal:
    out = Decimal(1)
    for t in toks:
        out *= t[1]
    return out


def _integer(toks) -> Decimal:
    if not toks:
        raise _Refuse("no number")
    if len(toks) == 1 and toks[0][0] == "Z":
        return Decimal(0)
    if all(t[0] in ("D", "Z") for t in toks) and len(toks) > 1:
        # read digit by digit: 二〇二〇, 一七二零; not 两两 or 零一
        if any(t[2] == "两" for t in toks):
            raise _Refuse("两 is not read digit by digit")
        if toks[0][0] == "Z":
            raise _Refuse("a leading 零 (a code, not a quantity)")
        return Decimal("".join(str(t[1]) for t in toks))
    bigs = [i for i, t in enumerate(toks) if t[0] == "B"]
    if not bigs:
        return _section(toks)
    top = max(toks[i][1] for i in bigs)
    at = max(i for i in bigs if toks[i][1] == top)
    left, right = toks[:at], toks[at + 1 :]
    if not left:
        raise _Refuse("a multiplier with no number before it")
    if left[-1][0] == "Z":
        raise _Refuse("零 before a multiplier")
    head = _integer(left)
    return head * top + _remainder(right, top)


def _remainder(toks, unit: int) -> Decimal:
    """What follows 万 or 亿: 三万五 (elided 千), 十万零一, 1万600, 四亿五千六百四十二万零一十五."""
    if not toks:
        return Decimal(0)
    if toks[0][0] == "Z":
        rest = toks[1:]
        if not rest or rest[0][0] == "Z":
            raise _Refuse("零 with nothing after it")
        value = _integer(rest)
    elif len(toks) == 1 and toks[0][0] == "D":
        value = Decimal(toks[0][1]) * unit / 10  # 三万五 = 35,000
    elif len(toks) == 1 and toks[0][0] == "A":
        digits = toks[0][1]
        if len(digits) < len(str(unit)) - 2:
            raise _Refuse(f"{digits!r} after a multiplier is ambiguous (elided place or units?)")
        value = Decimal(digits)
    else:
        value = _integer(toks)
    if value >= unit:
        raise _Refuse("the part after a multiplier is not smaller than it")
    return value


def _section(toks) -> Decimal:
    """A number below 10,000 (or an Arabic integer): 三千零五十, 一百五 (150), 千三, 零十, 1百01."""
    total = Decimal(0)
    last: int | None = None
    pending: tuple | None = None
    after_zero = False
    for pos, t in enumerate(toks):
        if t[0] in ("D", "A"):
            if pending is not None:
                raise _Refuse("two numbers side by side")
            pending = t
        elif t[0] == "Z":
            if pending is not None or after_zero:
                raise _Refuse("零 in the wrong place")
            after_zero = True
        else:  # small unit
            u = t[1]
            if last is not None and u >= last:
                raise _Refuse("multipliers out of order")
            if pending is None:
                if u == 10 or (pos == 0 and u in (100, 1000)):
                    n = Decimal(1)  # 十九, 一千零十, 千三, 百家
                else:
                    raise _Refuse("a multiplier with no digit before it")
            elif pending[0] == "A":
                if pos != 1 and (len(pending[1]) != 1 or pending[1] == "0"):
                    raise _Refuse("Arabic digits inside a Chinese numeral")
                n = Decimal(pending[1])
            else:
                n = Decimal(pending[1])
                if n == 0:
                    raise _Refuse("零 before a multiplier")
            total += n * u
            last, pending, after_zero = u, None, False
    if pending is None:
        if after_zero:
            raise _Refuse("零 at the end")
        return total
    if last is None:
        return Decimal(pending[1])
    if after_zero:
        value = Decimal(pending[1])
        if value >= last // 10:
            raise _Refuse("the part after 零 is too large for its place")
        return total + value
    if pending[0] == "A":
        digits = pending[1]
        if len(digits) != len(str(last)) - 1 or Decimal(digits) >= last:
            raise _Refuse(f"{digits!r} after {last} is ambiguous")
        return total + Decimal(digits)
    d = Decimal(pending[1])
    if last == 10:
        return total + d
    return total + d * last / 10  # 一百五 = 150, 四千三 = 4300


def _format_int(n: int) -> str:
    if n == 0:
        return "零"
    for unit, name in ((10**8, "亿"), (10**4, "万")):
        if n >= unit:
            head, rest = divmod(n, unit)
            tail = "" if rest == 0 else ("零" if rest < unit // 10 else "") + _format_int(rest)
            return _format_int(head) + name + tail
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // unit % 10
        if d == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + "零一二三四五六七八九"[d] + name
        zero = False
    return out
