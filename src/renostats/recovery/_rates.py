"""Rates of firms with intervals: samples (:func:`rate_ci`), small populations (:func:`finite_population_ci`),
two rates compared (:func:`compare_rates`). Imports numpy, scipy, statsmodels and the package's validator."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from renostats import _validate
from renostats.errors import InputError

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

    Attributes
    ----------
    rate, low, high : float, array or Series
        The rate ``successes / total`` and its interval bounds.
    n : int, array or Series
        The denominator.
    method : str
        The interval method.
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
    """Difference of two rates (first minus second) with Newcombe's interval and Fisher's test.

    Attributes
    ----------
    rate1, rate2, diff : float
        The two rates and their difference.
    low, high : float
        Newcombe's hybrid score interval for ``diff`` (an approximate interval).
    p_value, odds_ratio : float
        Fisher's exact test (two-sided) and the sample odds ratio.
    alpha : float
        One minus the confidence level of the interval.
    agree : bool
        Whether the interval and the test tell the same story at ``alpha`` (the interval excludes 0
        exactly when ``p_value < alpha``). When they disagree, read Fisher's p-value for "do the rates
        differ?" (it is exact) and the interval only for the size of a difference.
    """

    rate1: float
    rate2: float
    diff: float
    low: float
    high: float
    p_value: float
    odds_ratio: float
    alpha: float
    agree: bool


def rate_ci(successes: Any, total: Any, method: str = "exact", alpha: float = 0.05) -> RateCI:
    """Rate ``successes / total`` of a sample, with a two-sided ``1 - alpha`` confidence interval.

    The interval is for a sample from a large population (or a superpopulation question: "how often do
    firms like these resume?"). For a census (every firm in scope counted) the count has no sampling
    error; for a sample from a small population use :func:`finite_population_ci`; :func:`audit_headline`
    chooses between them.

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
    InputError
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
    _validate.one_of(method, sorted(METHODS), name="method")
    alpha = _validate.alpha(alpha)
    index = successes.index if isinstance(successes, pd.Series) else None
    if index is None and isinstance(total, pd.Series):
        index = total.index
    scalar = np.ndim(successes) == 0 and np.ndim(total) == 0
    x, n = _counts(successes, total)

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


def finite_population_ci(successes: int, total: int, population: int, alpha: float = 0.05) -> RateCI:
    """Exact interval for a population share when ``total`` of ``population`` firms were observed.

    The finite-population version of Clopper-Pearson: the number of firms in the population that
    resumed, ``M``, is bounded by inverting the two hypergeometric tails (sampling without
    replacement), and the bounds are ``M / population``. It shrinks to the observed share as the sample
    approaches the census (at ``total == population`` it is the count itself) and tends to the
    Clopper-Pearson interval of :func:`rate_ci` as the population grows.

    Parameters
    ----------
    successes, total : int
        The firms observed resumed, and observed at all.
    population : int
        The firms in scope (``total <= population``).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    RateCI
        ``rate`` is ``successes / total``; ``n`` is ``total``; method ``"exact finite-population"``.

    Examples
    --------
    >>> ci = finite_population_ci(20, 20, 24)  # 20 of 24 firms reported, all resumed
    >>> int(round(ci.low * 24)), ci.high
    (23, 1.0)
    >>> finite_population_ci(24, 24, 24).low   # a census: no sampling error
    1.0
    """
    x, n = (int(v) for v in _counts(successes, total))
    big_n = _validate.number(population, name="population", low=n, integer=True)
    alpha = _validate.alpha(alpha)
    m = np.arange(big_n + 1)
    # P(X >= x | M) and P(X <= x | M) for every possible number M of resumed firms in the population
    upper_tail = stats.hypergeom.sf(x - 1, big_n, m, n)
    lower_tail = stats.hypergeom.cdf(x, big_n, m, n)
    keep_low = m[upper_tail > alpha / 2]
    keep_high = m[lower_tail > alpha / 2]
    low = 0.0 if x == 0 else keep_low.min() / big_n
    high = 1.0 if x == n else keep_high.max() / big_n
    return RateCI(x / n, float(low), float(high), n, "exact finite-population")


def compare_rates(
    successes1: int, total1: int, successes2: int, total2: int, alpha: float = 0.05
) -> RateComparison:
    """Compare two sample rates: Newcombe's hybrid score interval and Fisher's exact test.

    The two can disagree with small counts: ``compare_rates(0, 30, 1, 2)`` has a Newcombe interval
    that excludes 0 while Fisher's p = 0.0625. Read Fisher's exact p-value for whether the rates
    differ (it holds its size at any count) and the interval for how large a difference the data allow;
    ``agree`` says whether they tell the same story.

    Examples
    --------
    >>> c = compare_rates(24, 24, 18, 24)
    >>> round(c.diff, 3), round(c.p_value, 4), c.agree
    (0.25, 0.0219, True)
    >>> compare_rates(0, 30, 1, 2).agree
    False
    """
    alpha = _validate.alpha(alpha)
    for s, t in ((successes1, total1), (successes2, total2)):
        _counts(s, t)  # the same checks on each pair
    low, high = confint_proportions_2indep(
        successes1, total1, successes2, total2, method="newcomb", compare="diff", alpha=alpha
    )
    table = [[successes1, total1 - successes1], [successes2, total2 - successes2]]
    res = stats.fisher_exact(table)
    r1, r2 = successes1 / total1, successes2 / total2
    excludes_zero = bool(low > 0 or high < 0)
    return RateComparison(
        rate1=r1,
        rate2=r2,
        diff=r1 - r2,
        low=float(low),
        high=float(high),
        p_value=float(res.pvalue),
        odds_ratio=float(res.statistic),
        alpha=alpha,
        agree=excludes_zero == bool(res.pvalue < alpha),
    )


def _counts(successes: Any, total: Any) -> tuple[np.ndarray, np.ndarray]:
    """Counts as float arrays of one shape, refused unless whole, non-negative and x <= n >= 1."""
    try:
        x = np.asarray(successes, dtype=float)
        n = np.asarray(total, dtype=float)
    except (TypeError, ValueError):
        raise _validate.fail("successes and total", "whole counts", (successes, total)) from None
    x, n = (a.copy() for a in np.broadcast_arrays(x, n))
    if np.isnan(x).any() or np.isnan(n).any():
        raise InputError("successes and total must not be missing")
    if (x != np.round(x)).any() or (n != np.round(n)).any():
        raise InputError("successes and total must be whole counts")
    if (x < 0).any() or (n < 0).any():
        raise InputError("counts must not be negative")
    if (n == 0).any():
        raise InputError("total must be at least 1: a rate over no units is undefined")
    if (x > n).any():
        bad = np.flatnonzero(np.atleast_1d(x > n))[:5]
        raise InputError(f"successes exceed total at position(s) {bad.tolist()}")
    return x, n
