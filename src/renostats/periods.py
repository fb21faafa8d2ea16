"""Calendar helpers: months, quarters and years of a monthly panel.

:func:`by_period` averages a monthly panel within months, quarters or years; :func:`period_start` gives
the first day of the period a date falls in; :func:`periods_between` counts whole periods between two
first days. They serve any analysis that works by quarter or year (difference-in-differences in
notebook 02 among them). Imports only pandas and :mod:`renostats._validate`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from renostats import _validate

__all__ = ["FREQS", "by_period", "period_start", "periods_between"]

#: Period codes accepted by :func:`by_period` and :func:`periods_between`.
FREQS = {"month": ("M", 1), "quarter": ("Q", 3), "year": ("Y", 12)}


def by_period(
    data: pd.DataFrame, time: str, period: str, keys: Sequence[str], values: Sequence[str]
) -> pd.DataFrame:
    """Average a monthly panel within months, quarters or years (``period``), by ``keys``.

    The ``period`` column of the result holds the first day of each period, so cohorts given as dates of
    completion map onto it with :func:`periods_between` or ``Series.dt.to_period``.

    Examples
    --------
    >>> monthly = pd.DataFrame({"unit": ["a"] * 4, "month": pd.date_range("2020-01-01", periods=4, freq="MS"),
    ...                         "y": [1.0, 2.0, 3.0, 5.0]})
    >>> by_period(monthly, "month", "quarter", ["unit"], ["y"])["y"].tolist()
    [2.0, 5.0]
    """
    period = _validate.one_of(period, FREQS, name="period")
    frame = data.assign(period=period_start(data[time], period))
    return frame.groupby([*keys, "period"], as_index=False)[list(values)].mean()


def period_start(dates: pd.Series, period: str) -> pd.Series:
    """First day of the month, quarter or year each date falls in (missing dates stay missing)."""
    period = _validate.one_of(period, FREQS, name="period")
    return pd.to_datetime(dates).dt.to_period(FREQS[period][0]).dt.to_timestamp()


def periods_between(later: pd.Series, earlier: pd.Series, period: str) -> pd.Series:
    """Whole months, quarters or years from ``earlier`` to ``later`` (both first days of periods)."""
    period = _validate.one_of(period, FREQS, name="period")
    later, earlier = pd.to_datetime(later), pd.to_datetime(earlier)
    months = (later.dt.year - earlier.dt.year) * 12 + later.dt.month - earlier.dt.month
    return months // FREQS[period][1]
