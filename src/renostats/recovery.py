"""Enterprise recovery: rates with honest intervals.

A resumption rate such as "24 of 24 enterprises resumed: 100%" is a count over a small number of
firms. :func:`rate_ci` attaches the interval that count supports; :func:`compare_rates` compares two
districts or sectors with small samples.

Examples
--------
>>> from renostats.recovery import rate_ci
>>> ci = rate_ci(24, 24)
>>> round(float(ci.low), 3), float(ci.high)
(0.858, 1.0)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

__all__ = ["METHODS", "RateCI", "RateComparison", "compare_rates", "rate_ci"]

#: Interval methods accepted by :func:`rate_ci`, mapped to statsmodels' names.
METHODS: dict[str, str] = {
    "exact": "beta",  # Clopper-Pearson
    "wilson": "wilson",
    "jeffreys": "jeffreys",
    "agresti_coull": "agresti_coull",
}


@dataclass(frozen=True)
class RateCI:
    """A rate with its confidence interval.

    Scalars when :func:`rate_ci` got scalars; arrays (or Series aligned to the input) otherwise.
    """

    rate: Any
    low: Any
    high: Any
    n: Any
    method: str

    def to_frame(self) -> pd.DataFrame:
        """The result as a DataFrame with columns rate, low, high, n, method."""
        frame = pd.DataFrame(
            {
                "rate": np.atleast_1d(self.rate),
                "low": np.atleast_1d(self.low),
                "high": np.atleast_1d(self.high),
                "n": np.atleast_1d(self.n),
            },
            index=self.rate.index if isinstance(self.rate, pd.Series) else None,
        )
        frame["method"] = self.method
        return frame

    def __str__(self) -> str:
        if np.ndim(self.rate) == 0:
            return f"{self.rate:.1%} ({self.method} interval {self.low:.1%} to {self.high:.1%}, n = {self.n})"
        return self.to_frame().to_string()


@dataclass(frozen=True)
class RateComparison:
    """Difference of two rates (first minus second) with Newcombe's interval and Fisher's test."""

    rate1: float
    rate2: float
    diff: float
    low: float
    high: float
    p_value: float
    odds_ratio: float
    alpha: float


def rate_ci(successes: Any, total: Any, method: str = "exact", alpha: float = 0.05) -> RateCI:
    """Rate ``successes / total`` with a two-sided ``1 - alpha`` confidence interval.

    Parameters
    ----------
    successes, total : int, array-like or Series
        Counts; arrays are matched element by element. A Series keeps its index.
    method : {"exact", "wilson", "jeffreys", "agresti_coull"}
        ``exact`` is Clopper-Pearson, which never undercovers and is what a published headline should
        carry; the others are shorter on average (Brown, Cai and DasGupta 2001).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    RateCI
        At ``successes == total`` the upper bound is exactly 1 and at ``successes == 0`` the lower bound
        is exactly 0, for every method (the one-sided boundary convention of the literature).

    Raises
    ------
    ValueError
        For negative counts, ``successes > total``, ``total == 0``, non-integer counts, an unknown
        method or ``alpha`` outside (0, 1).

    Examples
    --------
    >>> ci = rate_ci(24, 24)
    >>> print(ci)
    100.0% (exact interval 85.8% to 100.0%, n = 24)
    >>> rate_ci([3, 10], [10, 10], method="wilson").high.round(3)
    array([0.603, 1.   ])
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {sorted(METHODS)}, got {method!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha!r}")
    index = successes.index if isinstance(successes, pd.Series) else None
    if index is None and isinstance(total, pd.Series):
        index = total.index
    scalar = np.ndim(successes) == 0 and np.ndim(total) == 0
    x = np.asarray(successes, dtype=float)
    n = np.asarray(total, dtype=float)
    x, n = (a.copy() for a in np.broadcast_arrays(x, n))
    if np.isnan(x).any() or np.isnan(n).any():
        raise ValueError("successes and total must not be missing")
    if (x != np.round(x)).any() or (n != np.round(n)).any():
        raise ValueError("successes and total must be whole counts")
    if (x < 0).any() or (n < 0).any():
        raise ValueError("counts must not be negative")
    if (n == 0).any():
        raise ValueError("total must be at least 1: a rate over no units is undefined")
    if (x > n).any():
        bad = np.flatnonzero(np.atleast_1d(x > n))[:5]
        raise ValueError(f"successes exceed total at position(s) {bad.tolist()}")

    low, high = proportion_confint(x, n, alpha=alpha, method=METHODS[method])
    low = np.clip(np.where(x == 0, 0.0, low), 0.0, 1.0)
    high = np.clip(np.where(x == n, 1.0, high), 0.0, 1.0)
    rate = x / n
    if scalar:
        return RateCI(float(rate), float(low), float(high), int(n), method)
    if index is not None:
        return RateCI(
            pd.Series(rate, index=index, name="rate"),
            pd.Series(low, index=index, name="low"),
            pd.Series(high, index=index, name="high"),
            pd.Series(n.astype(np.int64), index=index, name="n"),
            method,
        )
    return RateCI(rate, low, high, n.astype(np.int64), method)


def compare_rates(
    successes1: int, total1: int, successes2: int, total2: int, alpha: float = 0.05
) -> RateComparison:
    """Compare two rates with small samples: Newcombe's hybrid score interval and Fisher's exact test.

    Examples
    --------
    >>> c = compare_rates(24, 24, 18, 24)
    >>> round(c.diff, 3), round(c.p_value, 4)
    (0.25, 0.0219)
    """
    for s, t in ((successes1, total1), (successes2, total2)):
        rate_ci(s, t)  # the same checks on each pair
    low, high = confint_proportions_2indep(
        successes1, total1, successes2, total2, method="newcomb", compare="diff", alpha=alpha
    )
    table = [[successes1, total1 - successes1], [successes2, total2 - successes2]]
    res = stats.fisher_exact(table)
    r1, r2 = successes1 / total1, successes2 / total2
    return RateComparison(
        rate1=r1,
        rate2=r2,
        diff=r1 - r2,
        low=float(low),
        high=float(high),
        p_value=float(res.pvalue),
        odds_ratio=float(res.statistic),
        alpha=alpha,
    )
