"""Calendar helpers: averaging a monthly panel by quarter or year, first days, whole periods between."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from renostats.errors import InputError
from renostats.periods import by_period, period_start, periods_between


def test_by_period_and_periods_between():
    monthly = pd.DataFrame(
        {"unit": ["a"] * 6 + ["b"] * 6, "month": list(pd.date_range("2020-01-01", periods=6, freq="MS")) * 2,
         "y": np.arange(12.0)}
    )  # fmt: skip
    q = by_period(monthly, "month", "quarter", ["unit"], ["y"])
    assert q["y"].tolist() == [1.0, 4.0, 7.0, 10.0]
    assert str(q["period"].iloc[1].date()) == "2020-04-01"
    start = period_start(pd.Series(pd.to_datetime(["2021-05-17", None])), "year")
    assert str(start.iloc[0].date()) == "2021-01-01" and pd.isna(start.iloc[1])
    between = periods_between(
        pd.Series(pd.to_datetime(["2021-07-01"])), pd.Series(pd.to_datetime(["2020-10-01"])), "quarter"
    )
    assert between.tolist() == [3]
    with pytest.raises(InputError, match="period must be one of 'month', 'quarter', 'year'; got 'week'"):
        by_period(monthly, "month", "week", ["unit"], ["y"])
    with pytest.raises(InputError, match="period must be one of"):
        periods_between(between, between, "weeks")
