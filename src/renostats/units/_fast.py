"""The vectorised path of ``parse_quantities``: plain Arabic figures in one pass of pyarrow's RE2.

Cells the pass cannot read (Chinese numerals, ranges, 百分之, 成, signs, conflicting qualifiers, malformed
text) go through :func:`renostats.units._grammar._read` once per distinct text, so both paths give the
same result. Imports :mod:`renostats.units._tables` and :mod:`renostats.units._grammar`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from renostats.units._grammar import _UNIT_RE, _alt, _qualifier, _read, _Refuse
from renostats.units._tables import _MULT, _QUAL_INFIX, _QUAL_PREFIX, _QUAL_SUFFIX, _UNITS, MAX_LENGTH


def scale_decimal(number: np.ndarray, digits: Any, scale: Any) -> np.ndarray:
    """``number * scale`` rounded to the decimals the exact product has, so 4.03万 is 40300, not
    40300.000000000004.

    ``digits`` is the number of decimals written (array or scalar); ``scale`` a power of ten (other
    scales, such as 亩, are applied as they are).

    Examples
    --------
    >>> scale_decimal(np.array([4.03, 147.58]), 2, 1e4)
    array([  40300., 1475800.])
    """
    scale = np.broadcast_to(np.asarray(scale, dtype=float), np.shape(number))
    product = number * scale
    with np.errstate(divide="ignore"):
        k = np.log10(scale)
    power = np.isfinite(k) & (np.abs(k - np.round(k)) < 1e-9)
    places = np.maximum(np.asarray(digits) - np.round(np.where(power, k, 0)), 0).astype(int)
    tens = 10.0**places
    exact = np.round(product * tens) / tens
    return np.where(power & (places < 16), exact, product)


# The vectorised pass: Arabic numbers only, the same grammar as _FIGURE otherwise (RE2 is linear).
# (Words with brackets and thousands commas in the pattern cost RE2 its fast automaton: commas are
# checked and removed first, and the rare (含) words go to the slow path.)
_FAST_PRE = _alt(w for w in _QUAL_PREFIX if w != "人民币")
_FAST_SUF = _alt(w for w in _QUAL_SUFFIX if w != "人民币" and "(" not in w)
_BAD_COMMA = r"(?:^|[^0-9]),|,(?:[^0-9]|$)|,[0-9]{0,2}(?:[^0-9]|$)|,[0-9]{4}|[0-9]{4},|\.[0-9]*,"
_FAST = (
    rf"^(?P<pre>{_FAST_PRE})?(?P<num>[-+]?[0-9]+(?:\.[0-9]+)?)"
    rf"(?P<inf1>[余多])?(?P<mult>[十百千]?[万亿]*)(?P<inf2>[余多])?(?P<unit>{_UNIT_RE})?(?P<suf>{_FAST_SUF})?$"
)
_FAST_SPACE = r"[\s\x{200b}\x{200c}\x{200d}\x{2060}\x{feff}]"


def _parse_text_cells(cells, positions, value, unit, kind, qual, low, high, error) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(cells, type=pa.string(), from_pandas=True)
    # as parse_quantity: text over 10 * MAX_LENGTH characters is refused before it is normalised
    short = pc.fill_null(pc.less_equal(pc.utf8_length(arr), 10 * MAX_LENGTH), False)
    arr = pc.utf8_normalize(arr, form="NFKC")
    arr = pc.replace_substring_regex(arr, pattern=_FAST_SPACE, replacement="")
    blank = pc.fill_null(pc.equal(arr, ""), True).to_numpy(zero_copy_only=False)
    ok = pc.fill_null(pc.less_equal(pc.utf8_length(arr), MAX_LENGTH), False).to_numpy(zero_copy_only=False)
    ok &= short.to_numpy(zero_copy_only=False)
    if pc.any(pc.match_substring(arr, ",")).as_py():
        bad_comma = pc.fill_null(pc.match_substring_regex(arr, _BAD_COMMA), False)
        ok &= ~bad_comma.to_numpy(zero_copy_only=False)
        arr = pc.replace_substring(arr, ",", "")
    got = pc.extract_regex(arr, pattern=_FAST)
    matched = pc.is_valid(got).to_numpy(zero_copy_only=False) & ok & ~blank
    fast = np.flatnonzero(matched)
    if fast.size:
        got = got.take(pa.array(fast))
        num_text = got.field("num")
        num = pc.cast(num_text, pa.float64()).to_numpy(zero_copy_only=False)
        dot = pc.find_substring(num_text, ".").to_numpy(zero_copy_only=False)
        length = pc.utf8_length(num_text).to_numpy(zero_copy_only=False)
        digits = np.where(dot >= 0, length - dot - 1, 0)
        # the word fields take few distinct values: work on their dictionary codes
        words = {k: _codes(got.field(k)) for k in ("pre", "inf1", "mult", "inf2", "unit", "suf")}
        mult_codes, mult_words = words["mult"]
        mult = np.array([math.prod(_MULT[c] for c in m) for m in mult_words])[mult_codes]
        unit_codes, unit_words = words["unit"]
        spec = [_UNITS.get(w, ("number", "", 1.0)) for w in unit_words]
        factor = np.array([f for _, _, f in spec])[unit_codes]
        mu = np.array([w == "亩" for w in unit_words])[unit_codes]  # 10000/15 m²: one rounding, as 亩 is
        with np.errstate(over="ignore", invalid="ignore"):
            v = scale_decimal(num, digits, mult * np.where(mu, 1.0, factor))
            v = np.where(mu, v * 10000.0 / 15.0, v)
        key = np.zeros(fast.size, dtype=np.int64)
        for k in ("pre", "inf1", "inf2", "suf"):
            key = key * (len(words[k][1]) + 1) + words[k][0]
        key_codes, _ = pd.factorize(key)
        firsts = np.unique(key_codes, return_index=True)[1]  # one row per distinct combination
        q_table = np.array([_fast_qualifier(words, i) for i in firsts], dtype=object)
        q = q_table[key_codes]
        year = np.array([w == "年" for w in unit_words])[unit_codes] & (num >= 1000)
        # conflicting qualifiers, non-finite values and 4-digit numbers of 年 (years: dates) go to the
        # slow path, which says why it refuses them
        ok = (q != None) & ~year & np.isfinite(v) & ((v != 0) | (num == 0))  # noqa: E711
        lo, hi = v.copy(), v.copy()
        lo[np.isin(q, ["under", "nearly", "at_most", "about"])] = np.nan
        hi[np.isin(q, ["over", "at_least", "about"])] = np.nan
        sel = positions[fast[ok]]
        value[sel], low[sel], high[sel] = v[ok], lo[ok], hi[ok]
        unit[sel] = np.array([u for _, u, _ in spec], dtype=object)[unit_codes[ok]]
        kind[sel] = np.array([k for k, _, _ in spec], dtype=object)[unit_codes[ok]]
        qual[sel] = q[ok]
        matched[fast[~ok]] = False
    # everything else, once per distinct text
    rest = np.flatnonzero(~matched & ~blank)
    if rest.size:
        texts = cells[rest]
        codes, uniques = pd.factorize(texts)
        parsed = []
        for t in uniques:
            try:
                parsed.append(_read(t))
            except ValueError as exc:
                parsed.append(str(exc))
        for code, pos in zip(codes, positions[rest], strict=True):
            item = parsed[code]
            if isinstance(item, str):
                error[pos] = item
            else:
                value[pos], unit[pos], kind[pos], qual[pos] = item.value, item.unit, item.kind, item.qualifier
                low[pos], high[pos] = item.low, item.high


def _fast_qualifier(words, i) -> str | None:
    try:
        return _qualifier(
            (words["pre"][1][words["pre"][0][i]], _QUAL_PREFIX),
            (words["inf1"][1][words["inf1"][0][i]], _QUAL_INFIX),
            (words["inf2"][1][words["inf2"][0][i]], _QUAL_INFIX),
            (words["suf"][1][words["suf"][0][i]], _QUAL_SUFFIX),
        )
    except _Refuse:
        return None


def _codes(field) -> tuple[np.ndarray, list[str]]:
    """Dictionary codes of an Arrow string field (nulls as '') and its distinct words."""
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(pc.fill_null(field, ""))
    if hasattr(encoded, "combine_chunks"):
        encoded = encoded.combine_chunks()
    return encoded.indices.to_numpy(zero_copy_only=False), encoded.dictionary.to_pylist()
