"""One way to check the arguments of public functions, with one wording.

Every public function checks its arguments here, so a wrong value reads the same everywhere (and two
value helpers every module needs, :func:`missing` and :func:`plain`, live here too)::

    alpha must be a number in (0, 1); got 1.5

Each checker returns the value in the form the caller should use (a float, a Timestamp) and raises
:class:`renostats.errors.InputError` (a ``ValueError``) otherwise. Imports only the standard library,
numpy, pandas and :mod:`renostats.errors`.

>>> alpha(0.05)
0.05
>>> one_of("notyet", ("never", "notyet"), name="control")
'notyet'
>>> number(0, name="budget", low=0, low_open=True)
Traceback (most recent call last):
...
renostats.errors.InputError: budget must be a number in (0, inf); got 0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import pandas as pd

from renostats.errors import InputError

__all__ = ["alpha", "date", "fail", "missing", "number", "one_of", "plain"]


def missing(value: Any) -> bool:
    """True for a missing scalar: None, NaN, ``pd.NA`` or ``NaT`` (the one test every module uses).

    >>> [missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "")]
    [True, True, True, True, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def plain(value: Any) -> Any:
    """numpy and pandas scalars as plain Python values (for JSON, messages and workbooks).

    >>> import numpy as np
    >>> type(plain(np.int64(3))).__name__, plain("x")
    ('int', 'x')
    """
    if getattr(value, "ndim", None) == 0 and hasattr(value, "item"):
        return value.item()
    return value


def fail(name: str, expected: str, got: Any) -> InputError:
    """The error for argument ``name``: ``"{name} must be {expected}; got {got!r}"`` (returned, not raised)."""
    shown = repr(got)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    return InputError(f"{name} must be {expected}; got {shown}")


def number(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float:
    """A finite real number (an int when ``integer``) within the stated bounds."""
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    lb = "(" if (low is None or low_open) else "["
    hb = ")" if (high is None or high_open) else "]"
    kind = "an integer" if integer else "a number"
    expected = f"{kind} in {lb}{lo}, {hi}{hb}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise fail(name, expected, value)
    if integer and not float(value).is_integer():
        raise fail(name, expected, value)
    v = float(value)
    if not math.isfinite(v):
        raise fail(name, expected, value)
    if low is not None and (v < low or (low_open and v == low)):
        raise fail(name, expected, value)
    if high is not None and (v > high or (high_open and v == high)):
        raise fail(name, expected, value)
    return int(v) if integer else v


def alpha(value: Any, *, name: str = "alpha") -> float:
    """A significance level strictly between 0 and 1 (``0.05`` for 95% intervals)."""
    return number(value, name=name, low=0, high=1, low_open=True, high_open=True)


def one_of(value: Any, choices: Iterable[Any], *, name: str) -> Any:
    """One of a fixed set of choices."""
    options = tuple(choices)
    if value not in options:
        raise fail(name, "one of " + ", ".join(repr(c) for c in options), value)
    return value


def date(value: Any, *, name: str) -> pd.Timestamp:
    """A date: a ``Timestamp``, ``datetime.date`` or ISO text such as ``"2021-12-31"``."""
    if missing(value):
        raise fail(name, "a date such as '2021-12-31'", value)
    try:
        out = pd.Timestamp(value)
    except (TypeError, ValueError):
        raise fail(name, "a date such as '2021-12-31'", value) from None
    if pd.isna(out):
        raise fail(name, "a date such as '2021-12-31'", value)
    return out
