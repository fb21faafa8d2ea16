"""Enterprise recovery: resumption, staff return and an electricity output proxy, with honest uncertainty.

A resumption rate such as "24 of 24 enterprises resumed: 100%" is a count of firms, and a count of firms
says nothing about staff on duty or output. When the firms counted are all the firms in scope (Beita's 24
large-scale industrial enterprises are all of them), the count is a census: it has no sampling error, and
what is uncertain is what counted as resumed and how it was reported (:func:`audit_headline`).

This module turns liaison officers' twice-daily reports into a daily status per firm
(:func:`daily_status`), measures recovery several ways with intervals (:func:`resumption_curve`), times
resumption with Kaplan-Meier curves following R's ``survival`` conventions (:func:`time_to_resumption`),
and says in plain words what a headline can support (:func:`audit_headline`). :func:`rate_ci` and
:func:`compare_rates` give rate intervals for samples.

Examples
--------
>>> ci = rate_ci(24, 24)
>>> round(float(ci.low), 3), float(ci.high)
(0.858, 1.0)
>>> print(audit_headline(24, 24, claimed=1.0).text_en)  # doctest: +NORMALIZE_WHITESPACE
24 of 24 firms in scope (all of them: a census, not a sample) resumed: 100.0%. The count is exact and has
no sampling error; the claimed 100.0% matches it. What is uncertain is what counted as resumed (reopened,
staff back, output back) and how it was reported; the count alone says nothing about staff on duty or
output.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from renostats import _outofcore, _validate
from renostats.errors import InputError

__all__ = [
    "MEASURES",
    "METHODS",
    "DailyStatus",
    "HeadlineAudit",
    "RateCI",
    "RateComparison",
    "ResumptionTimes",
    "audit_headline",
    "compare_rates",
    "daily_status",
    "finite_population_ci",
    "rate_ci",
    "resumption_curve",
    "time_to_resumption",
]

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


# --------------------------------------------------------------------------------------------------
# Daily status from twice-daily reports

#: Recovery measures of :func:`resumption_curve`.
MEASURES = (
    "resumption",
    "staff",
    "staff_at_least",
    "capacity",
    "capacity_at_least",
    "electricity_vs_baseline",
    "electricity",
)
_STATUS = ("reported", "carried", "unknown")


@dataclass(frozen=True)
class DailyStatus:
    """Each firm's status on each day, held as dense firm x day arrays.

    ``status`` codes: 0 reported that day, 1 carried forward from an earlier report (at most
    ``carry_days`` days old), 2 unknown. Values are missing where the status is unknown.
    :meth:`to_frame` gives the tidy table (one row per firm and day).
    """

    firms: pd.DataFrame  # enterprise and firm attributes (district, sector, large_scale), one row per firm
    dates: pd.DatetimeIndex
    status: np.ndarray  # int8, firms x days
    age: np.ndarray  # int16: days since the report used (0 when reported that day; -1 unknown)
    resumed: np.ndarray  # float32 1/0, NaN unknown
    staff_on_duty: np.ndarray
    staff_total: np.ndarray
    capacity_share: np.ndarray
    electricity_kwh: np.ndarray
    carry_days: int
    baseline_kwh: np.ndarray | None = None  # per firm, when a baseline period was given
    corrections: int = 0  # firm-days whose reports disagreed on resumption (the latest one was used)
    scope: str = "all"  # the firms kept: "all" or "large_scale"

    def to_frame(self) -> pd.DataFrame:
        """One row per firm and day: enterprise, date, status, age, resumed and the reported values."""
        n, t = self.status.shape
        frame = pd.DataFrame(
            {
                "enterprise": np.repeat(self.firms["enterprise"].to_numpy(), t),
                "date": np.tile(self.dates.to_numpy(), n),
                "status": pd.Categorical.from_codes(self.status.ravel(), _STATUS),
                "age": self.age.ravel(),
            }
        )
        frame["resumed"] = pd.array(
            np.where(np.isnan(self.resumed.ravel()), None, self.resumed.ravel() == 1), dtype="boolean"
        )
        for name in ("staff_on_duty", "staff_total", "capacity_share", "electricity_kwh"):
            frame[name] = getattr(self, name).ravel().astype(float)
        return frame

    def summary(self) -> pd.DataFrame:
        """Per day: firms in scope, reported, carried forward and unknown (the table analysts publish)."""
        return pd.DataFrame(
            {
                "date": self.dates,
                "in_scope": self.status.shape[0],
                "reported": (self.status == 0).sum(axis=0),
                "carried": (self.status == 1).sum(axis=0),
                "unknown": (self.status == 2).sum(axis=0),
            }
        )


def daily_status(
    reports: pd.DataFrame,
    *,
    carry_days: int = 2,
    scope: str = "all",
    start: Any = None,
    end: Any = None,
    baseline: tuple[Any, Any] | None = None,
) -> DailyStatus:
    """Each firm's status on each day from liaison officers' reports.

    Parameters
    ----------
    reports : DataFrame or dask.dataframe.DataFrame
        An ``enterprise_reports`` ledger (:func:`renostats.ledger.read_ledger`): enterprise, date,
        report_time, resumed, staff_on_duty, staff_total, capacity_share, electricity_kwh, and
        optionally district, sector, large_scale. A Dask DataFrame (reports larger than memory, e.g. a
        Parquet dataset) must be partitioned by enterprise: every report of a firm in one partition. The
        result is the same as for the same rows in pandas.
    carry_days : int
        A day without a report carries the firm's last status forward for at most this many days and is
        flagged ``carried``; beyond that the firm is ``unknown`` that day, never counted as resumed or not.
    scope : {"all", "large_scale"}
        Firms in scope: every firm, or large-scale industrial enterprises (规上) only.
    start, end : date-like, optional
        Days covered (default: the first and last report date outside the baseline period).
    baseline : (start, end), optional
        Baseline period for the electricity measures; each firm's mean daily kWh over it is kept.

    Returns
    -------
    DailyStatus

    Notes
    -----
    The latest report of a day wins (by ``report_time``; at equal times the later row, a correction).
    Everything is vectorised over a dense firm x day grid: 400,000 firms x 90 days fit in memory.

    Examples
    --------
    >>> r = pd.DataFrame({
    ...     "enterprise": ["a", "a", "a", "b"],
    ...     "date": pd.to_datetime(["2020-02-10", "2020-02-10", "2020-02-11", "2020-02-10"]),
    ...     "report_time": ["09:00", "16:00", "16:00", "16:00"],
    ...     "resumed": [False, True, True, False],
    ...     "staff_on_duty": [0, 30, 40, 0], "staff_total": [50, 50, 50, 20],
    ... })
    >>> s = daily_status(r, end="2020-02-14")
    >>> s.summary()[["reported", "carried", "unknown"]].to_numpy().tolist()
    [[2, 0, 0], [1, 1, 0], [0, 2, 0], [0, 1, 1], [0, 0, 2]]
    """
    carry_days = _validate.number(carry_days, name="carry_days", low=0, integer=True)
    if _outofcore.is_dask(reports):
        # larger than memory: each partition (whole firms) through this function, grids stacked
        return _outofcore.daily_status_dask(
            reports, daily_status, carry_days=carry_days, scope=scope, start=start, end=end, baseline=baseline
        )
    _validate.one_of(scope, ("all", "large_scale"), name="scope")
    missing = [c for c in ("enterprise", "date", "resumed") if c not in reports]
    if missing:
        raise InputError(f"reports lack column(s) {missing}")
    dates_all = pd.to_datetime(reports["date"]).to_numpy(dtype="datetime64[D]")
    in_baseline = np.zeros(len(reports), dtype=bool)
    if baseline is not None:
        b0, b1 = (_day(b, "baseline") for b in baseline)
        in_baseline = (dates_all >= b0) & (dates_all <= b1)
    study = ~in_baseline
    first = _day(start, "start") if start is not None else dates_all[study].min()
    last = _day(end, "end") if end is not None else dates_all[study].max()
    if last < first:
        raise InputError(f"end {last} is before start {first}")

    codes, names = pd.factorize(reports["enterprise"], sort=True)
    firms = _firm_table(reports, codes, names)
    keep_firm = np.ones(len(firms), dtype=bool)
    if scope == "large_scale":
        if "large_scale" not in firms:
            raise InputError("scope 'large_scale' needs a large_scale column in the reports")
        keep_firm = firms["large_scale"].fillna(False).to_numpy(dtype=bool)
    remap = np.full(len(firms), -1, dtype=np.int64)
    remap[keep_firm] = np.arange(keep_firm.sum())
    firms = firms[keep_firm].reset_index(drop=True)
    n = len(firms)
    t = int((last - first).astype(int)) + 1
    firm = remap[codes]

    baseline_kwh = None
    if baseline is not None and "electricity_kwh" in reports:
        rows = in_baseline & (firm >= 0)
        kwh = reports["electricity_kwh"].to_numpy(dtype=float, na_value=np.nan)[rows]
        ok = ~np.isnan(kwh)
        sums = np.bincount(firm[rows][ok], weights=kwh[ok], minlength=n)
        counts = np.bincount(firm[rows][ok], minlength=n)
        with np.errstate(invalid="ignore", divide="ignore"):
            baseline_kwh = np.where(counts > 0, sums / counts, np.nan)

    day = (dates_all - first).astype(np.int64)
    use = study & (firm >= 0) & (day >= 0) & (day < t)
    key = firm[use] * t + day[use]
    minutes = _minutes(reports["report_time"])[use] if "report_time" in reports else np.zeros(key.size)
    # the latest report of each firm-day: largest time, then the last row among equal times
    best = np.full(n * t, -1, dtype=np.int64)
    order_key = (minutes + 1) * (len(reports) + 1) + np.flatnonzero(use)
    np.maximum.at(best, key, order_key)
    winner = order_key == best[key]
    rows = np.flatnonzero(use)[winner]
    cell = key[winner]
    # firm-days whose reports disagreed on resumption: the latest report corrected an earlier one
    flag = reports["resumed"].to_numpy(dtype=float, na_value=np.nan)[use]
    hi = np.full(n * t, -np.inf)
    lo = np.full(n * t, np.inf)
    np.maximum.at(hi, key, np.nan_to_num(flag, nan=-1))
    np.minimum.at(lo, key, np.nan_to_num(flag, nan=-1))
    corrections = int(np.count_nonzero(np.isfinite(hi) & (hi != lo)))

    def grid(column: str, dtype=np.float32) -> np.ndarray:
        out = np.full(n * t, np.nan, dtype=dtype)
        if column in reports:
            values = reports[column].to_numpy(dtype=float, na_value=np.nan)
            out[cell] = values[rows]
        return out.reshape(n, t)

    values = {
        c: grid(c) for c in ("resumed", "staff_on_duty", "staff_total", "capacity_share", "electricity_kwh")
    }
    reported = np.zeros(n * t, dtype=bool)
    reported[cell] = True
    reported = reported.reshape(n, t)
    # carry forward: index of the last reported day at or before each day
    idx = np.where(reported, np.arange(t, dtype=np.int32)[None, :], -1)
    np.maximum.accumulate(idx, axis=1, out=idx)
    age = np.where(idx >= 0, np.arange(t, dtype=np.int32)[None, :] - idx, -1)
    carried = ~reported & (idx >= 0) & (age <= carry_days)
    unknown = ~reported & ~carried
    status = np.where(reported, 0, np.where(carried, 1, 2)).astype(np.int8)
    source = np.where(idx >= 0, idx, 0)
    rows_idx = np.arange(n)[:, None]
    for name, arr in values.items():
        filled = arr[rows_idx, source]
        filled[unknown] = np.nan
        values[name] = filled
    return DailyStatus(
        firms=firms,
        dates=pd.date_range(pd.Timestamp(first), pd.Timestamp(last), freq="D"),
        status=status,
        age=np.where(unknown, -1, age).astype(np.int16),
        carry_days=carry_days,
        baseline_kwh=baseline_kwh,
        corrections=corrections,
        scope=scope,
        **values,
    )


def _firm_table(reports: pd.DataFrame, codes: np.ndarray, names) -> pd.DataFrame:
    """One row per firm with its attributes as last reported."""
    last = np.full(len(names), -1, dtype=np.int64)
    np.maximum.at(last, codes, np.arange(len(codes)))
    firms = pd.DataFrame({"enterprise": pd.Series(names).astype("string")})
    for col in ("district", "sector", "large_scale"):
        if col in reports:
            firms[col] = reports[col].iloc[last].to_numpy()
    return firms


def _day(value: Any, name: str) -> np.datetime64:
    return np.datetime64(_validate.date(value, name=name), "D")


def _minutes(times: pd.Series) -> np.ndarray:
    """Report times (HH:MM text, categorical or datetime.time) as minutes after midnight.

    A missing time sorts before every stated time of the day; a time that cannot be read is refused.
    """
    codes, uniques = pd.factorize(times)
    table = []
    for u in uniques:
        hh, _, mm = str(u).partition(":")
        try:
            hours, minutes = int(hh), int(mm[:2] or 0)
        except ValueError:
            hours, minutes = -1, -1
        if not (0 <= hours <= 23 and 0 <= minutes <= 59):
            raise _validate.fail("report_time", "a time of day such as '16:00'", u)
        table.append(hours * 60 + minutes)
    table = np.asarray([*table, -1], dtype=np.int64)
    return table[codes]  # missing times (code -1) take the last entry, before any stated time


# --------------------------------------------------------------------------------------------------
# Recovery curves

_SHARES = ("staff", "capacity")  # means of shares in [0, 1]: beta interval by default
_COUNTS = ("resumption", "electricity", "staff_at_least", "capacity_at_least")  # counts of firms
_CUTOFFS = {"staff_at_least": 0.9, "capacity_at_least": 0.8}


def resumption_curve(
    status: DailyStatus | pd.DataFrame,
    measure: str = "resumption",
    by: str | None = None,
    *,
    alpha: float = 0.05,
    method: str = "exact",
    threshold: float = 0.3,
    cutoff: float | None = None,
    staff_rate: str = "firm_average",
    ci: str | None = None,
    n_boot: int = 500,
    seed: int | None = 0,
    **status_options: Any,
) -> pd.DataFrame:
    """A recovery measure per day (and group) with its interval, as a tidy table.

    Parameters
    ----------
    status : DailyStatus or DataFrame
        From :func:`daily_status`, or reports (then ``status_options`` go to :func:`daily_status`).
    measure : str
        One of :data:`MEASURES`:

        - ``resumption``: firms resumed / firms whose status and ``resumed`` are known (a count of
          firms; binomial interval by ``method``). A report whose ``resumed`` is missing is not counted
          as "not resumed": the firm leaves the denominator that day.
        - ``staff``: the staff-return rate (到岗率). With ``staff_rate="firm_average"`` (the default) the
          average of firms' rates, as official figures are announced (人员平均复岗率); with
          ``"pooled"`` staff on duty over staff total summed over firms (a ratio estimator). Firms
          without ``staff_total`` (or with zero) leave the denominator.
        - ``staff_at_least``: share of firms whose staff-return rate is at least ``cutoff`` (default
          0.9, 到岗率 >= 90%; binomial interval).
        - ``capacity``: mean capacity share (产能恢复率, 达产率) over firms reporting it.
        - ``capacity_at_least``: share of firms at or above ``cutoff`` of capacity (default 0.8).
        - ``electricity_vs_baseline``: an **electricity output proxy**: electricity used / baseline
          electricity, summed over firms with both (a ratio estimator; it can exceed 1). It is not
          output: it moves with output only as far as a firm's power use does.
        - ``electricity``: share of firms whose daily kWh exceeds ``threshold`` x their baseline mean
          (a count of firms; binomial interval).

        The electricity measures need a baseline period in :func:`daily_status`. ``"output"``, the
        old name of ``electricity_vs_baseline``, still works with a ``DeprecationWarning``.
    by : str, optional
        A firm attribute to group by (``sector``, ``district``, ``large_scale``: large-scale against
        small firms, with ``scope="all"``).
    alpha : float
        One minus the confidence level.
    method : {"exact", "wilson", "jeffreys", "agresti_coull"}
        Interval of the counts of firms (see :func:`rate_ci`).
    threshold : float
        The share of baseline use above which the ``electricity`` measure counts a firm.
    cutoff : float, optional
        The bar of ``staff_at_least`` and ``capacity_at_least`` (defaults 0.9 and 0.8).
    staff_rate : {"firm_average", "pooled"}
        How ``staff`` combines firms (see above).
    ci : {"beta", "delta", "bootstrap"}, optional
        Interval of the continuous measures. ``beta`` (default for ``staff`` and ``capacity``): Korn and
        Graubard's interval, a Clopper-Pearson interval at the effective sample size
        ``p (1 - p) / var`` with the degrees-of-freedom correction of R's
        ``survey::svyciprop(method = "beta")`` (firms - 1 degrees of freedom); the variance is the firm-clustered linearised
        (delta-method) variance, so staff within a firm are not counted as independent. ``delta``
        (default for ``electricity_vs_baseline``): a normal interval on that variance. ``bootstrap``:
        percentiles of a seeded firm-level bootstrap. For shares, a day whose estimate is exactly 0
        or 1 gets the exact interval of its firms all at that value (every firm fully staffed, say:
        the data show no variation between firms to estimate, and a zero-width interval would claim
        certainty), whatever ``ci``.
    n_boot, seed : int
        Bootstrap draws and seed.

    Returns
    -------
    DataFrame
        Columns date, group, measure, value, low, high, n (firms whose values enter the measure that
        day: the denominator of a count, the firms averaged or pooled), successes (firms counted, for
        the counts of firms; missing for the other measures), no_value (firms with a known status but
        no value for the measure), unknown (firms in scope whose status is unknown), interval (how the
        interval was computed).

    Examples
    --------
    >>> r = pd.DataFrame({"enterprise": ["a", "b", "c"], "date": pd.Timestamp("2020-03-31"),
    ...                   "resumed": True, "staff_on_duty": [10, 30, 5], "staff_total": [10, 30, 5]})
    >>> row = resumption_curve(r, "staff").iloc[0]
    >>> float(row["value"]), round(float(row["low"]), 3), float(row["high"])  # 3 firms, all staffed
    (1.0, 0.292, 1.0)
    """
    if measure == "output":
        warnings.warn(
            'resumption_curve(measure="output") is now measure="electricity_vs_baseline": it measures '
            "electricity use against a baseline, a proxy for output",
            DeprecationWarning,
            stacklevel=2,
        )
        measure = "electricity_vs_baseline"
    _validate.one_of(measure, MEASURES, name="measure")
    _validate.one_of(method, sorted(METHODS), name="method")
    _validate.one_of(staff_rate, ("firm_average", "pooled"), name="staff_rate")
    alpha = _validate.alpha(alpha)
    threshold = _validate.number(threshold, name="threshold", low=0)
    if cutoff is not None and measure not in _CUTOFFS:
        raise InputError(f"cutoff applies to {sorted(_CUTOFFS)}, not to measure {measure!r}")
    cutoff = _validate.number(
        _CUTOFFS.get(measure, 0.0) if cutoff is None else cutoff, name="cutoff", low=0, high=1
    )
    if ci is not None and measure in _COUNTS:
        raise InputError(
            f"measure {measure!r} is a count of firms: its interval is chosen by method=, not ci="
        )
    choices = ("beta", "delta", "bootstrap") if measure in _SHARES else ("delta", "bootstrap")
    if ci is None:
        ci = "beta" if measure in _SHARES else "delta"
    if measure not in _COUNTS:
        _validate.one_of(ci, choices, name=f"ci for measure {measure!r}")
    n_boot = _validate.number(n_boot, name="n_boot", low=1, integer=True)
    if not isinstance(status, DailyStatus):
        status = daily_status(status, **status_options)
    if by is None:
        groups = np.zeros(len(status.firms), dtype=np.int64)
        labels = np.array(["all"], dtype=object)
    else:
        if by not in status.firms:
            raise _validate.fail("by", f"a firm attribute, one of {list(status.firms.columns)}", by)
        groups, labels = pd.factorize(status.firms[by].astype("string").fillna("(missing)"), sort=True)
        labels = np.asarray(labels, dtype=object)
    values = _values(status, measure, threshold, cutoff, staff_rate)
    known = status.status != 2
    frames = []
    for g, label in enumerate(labels):
        rows = groups == g
        ok = values.ok[rows] & known[rows]
        n = ok.sum(axis=0)
        if measure in _COUNTS:
            x = (values.y[rows] * ok).sum(axis=0).astype(np.int64)
            value, low, high = (np.full(len(n), np.nan) for _ in range(3))
            has = n > 0
            if has.any():
                res = rate_ci(x[has], n[has], method=method, alpha=alpha)
                value[has], low[has], high[has] = res.rate, res.low, res.high
            successes = pd.array(np.where(has, x, 0), dtype="Int64")
            successes[~has] = pd.NA
            interval = f"{method} binomial"
        else:
            y = np.where(ok, values.y[rows], 0.0)
            x = np.where(ok, values.x[rows], 0.0)
            value, low, high = _ratio_ci(y, x, n, alpha, ci, n_boot, seed, share=measure in _SHARES)
            successes = pd.array([pd.NA] * len(n), dtype="Int64")
            interval = {"beta": "Korn-Graubard beta", "delta": "delta method", "bootstrap": "firm bootstrap"}[
                ci
            ]
        frames.append(
            pd.DataFrame(
                {"date": status.dates, "group": label, "measure": measure, "value": value, "low": low,
                 "high": high, "n": n, "successes": successes, "no_value": known[rows].sum(axis=0) - n,
                 "unknown": (~known[rows]).sum(axis=0), "interval": interval}
            )
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class _Values:
    """Per firm and day: numerator ``y``, denominator ``x`` (1 for means and counts), usable ``ok``."""

    y: np.ndarray
    x: np.ndarray
    ok: np.ndarray


def _values(status: DailyStatus, measure: str, threshold: float, cutoff: float, staff_rate: str) -> _Values:
    shape = status.status.shape
    ones = np.ones(shape)
    if measure == "resumption":
        resumed = status.resumed.astype(float)
        return _Values(np.nan_to_num(resumed) == 1, ones, ~np.isnan(resumed))
    if measure in ("staff", "staff_at_least"):
        on, total = status.staff_on_duty.astype(float), status.staff_total.astype(float)
        ok = ~np.isnan(on) & ~np.isnan(total) & (total > 0)
        over = ok & (on > total)
        if over.any():
            i, d = np.argwhere(over)[0]
            raise InputError(
                f"staff_on_duty exceeds staff_total on {over.sum()} firm-day(s), first "
                f"{status.firms['enterprise'].iloc[i]} on {status.dates[d]:%Y-%m-%d} "
                f"({on[i, d]:g} of {total[i, d]:g})"
            )
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(ok, on / total, 0.0)
        if measure == "staff_at_least":
            return _Values(share >= cutoff, ones, ok)
        if staff_rate == "pooled":
            return _Values(np.where(ok, on, 0.0), np.where(ok, total, 0.0), ok)
        return _Values(share, ones, ok)
    if measure in ("capacity", "capacity_at_least"):
        share = status.capacity_share.astype(float)
        ok = ~np.isnan(share)
        if ((share[ok] < 0) | (share[ok] > 1)).any():
            raise InputError("capacity_share must be a share between 0 and 1 (产能恢复率 80% is 0.8)")
        if measure == "capacity_at_least":
            return _Values(ok & (share >= cutoff), ones, ok)
        return _Values(np.where(ok, share, 0.0), ones, ok)
    if status.baseline_kwh is None:
        raise InputError(
            f"measure {measure!r} needs a baseline period: daily_status(..., baseline=(start, end))"
        )
    kwh = status.electricity_kwh.astype(float)
    base = np.broadcast_to(status.baseline_kwh[:, None], shape).astype(float)
    ok = ~np.isnan(kwh) & ~np.isnan(base)
    if measure == "electricity":
        with np.errstate(invalid="ignore"):
            return _Values(ok & (kwh > threshold * base), ones, ok)
    return _Values(np.where(ok, kwh, 0.0), np.where(ok, base, 0.0), ok)


def _ratio_ci(y, x, n, alpha, ci, n_boot, seed, share):
    """Ratio of sums sum(y) / sum(x) over firms (rows; columns are days) with a firm-clustered interval.

    A mean over firms is the ratio with ``x`` 1 for each firm used. The variance is the linearised
    one, ``k / (k - 1) * sum((y - R x)^2) / sum(x)^2`` over the ``k`` firms used (as R's ``survey``).
    """
    sy, sx = y.sum(axis=0), x.sum(axis=0)
    has = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(has, sy / sx, np.nan)
        resid = np.where(x > 0, y - ratio * x, 0.0)
        var = np.where(n > 1, (resid**2).sum(axis=0) * n / np.maximum(n - 1, 1) / sx**2, 0.0)
    z = stats.norm.ppf(1 - alpha / 2)
    if ci == "beta":
        low, high = _beta_interval(ratio, var, n, sx, alpha)
    elif ci == "delta":
        se = np.sqrt(var)
        low, high = ratio - z * se, ratio + z * se
    else:
        rng = np.random.default_rng(seed)
        k = y.shape[0]
        draws = np.empty((n_boot, y.shape[1]))
        for b in range(n_boot):
            weight = np.bincount(rng.integers(0, k, k), minlength=k).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                draws[b] = (weight @ y) / (weight @ x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # days no draw could estimate stay NaN
            low, high = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    low, high = np.where(has, low, np.nan), np.where(has, high, np.nan)
    if share:
        edge = has & ((ratio == 0) | (ratio == 1))
        b_low, b_high = _beta_interval(ratio, np.zeros_like(ratio), n, sx, alpha)
        low, high = np.where(edge, b_low, np.clip(low, 0, 1)), np.where(edge, b_high, np.clip(high, 0, 1))
    else:
        low = np.clip(low, 0, None)
    # an interval always holds its estimate (a bootstrap's percentiles need not)
    return ratio, np.fmin(low, ratio), np.fmax(high, ratio)


def _beta_interval(p, var, n, units, alpha):
    """Korn and Graubard's (1998) interval for a share ``p`` with design variance ``var`` over ``n`` firms.

    Clopper-Pearson at the effective sample size ``p (1 - p) / var``, scaled by
    ``(t_{units - 1} / t_{n - 1})^2`` where ``units`` are the elements averaged (firms for a mean over
    firms, staff for a pooled rate), as R's ``survey::svyciprop(method = "beta")``. Where ``var`` is 0
    (every firm at the same value) the effective sample size is the number of firms: the exact
    interval of ``n`` firms all at ``p``.
    """
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df = np.maximum(n - 1, 1)
        scale = (stats.t.ppf(alpha / 2, np.maximum(units - 1, 1)) / stats.t.ppf(alpha / 2, df)) ** 2
        n_eff = np.where(var > 0, p * (1 - p) / var * scale, n)
        x = n_eff * p
        low = np.where(p <= 0, 0.0, stats.beta.ppf(alpha / 2, x, n_eff - x + 1))
        high = np.where(p >= 1, 1.0, stats.beta.ppf(1 - alpha / 2, x + 1, n_eff - x))
    return low, high


# --------------------------------------------------------------------------------------------------
# Time to resumption


@dataclass(frozen=True)
class ResumptionTimes:
    """Kaplan-Meier analysis of days until a firm resumed, by group.

    Attributes
    ----------
    durations : DataFrame
        enterprise, group, days, resumed (False: censored at its last known day).
    curves : DataFrame
        group, days (each day with a resumption), survival (share not yet resumed), low, high (the
        pointwise log-log interval; missing where survival is 0), at_risk, events, resumed_share
        (``1 - survival``).
    medians : DataFrame
        group, n, events, median, low, high: the median days to resumption and its interval, missing
        where the curve (or its bound) never reaches one half ("not reached", R's ``NA``).
    logrank_statistic, logrank_df, logrank_p : float, int, float or None
        The log-rank test of equal curves across groups (None with one group). With a few firms per
        group a large p-value is not evidence that groups resume alike: the test has little power.
    smallest_group : int
        Firms in the smallest group, to read the log-rank test by.
    alpha : float
        One minus the confidence level.
    """

    durations: pd.DataFrame
    curves: pd.DataFrame
    medians: pd.DataFrame
    logrank_statistic: float | None
    logrank_df: int | None
    logrank_p: float | None
    smallest_group: int
    alpha: float


def time_to_resumption(status: DailyStatus, by: str | None = None, alpha: float = 0.05) -> ResumptionTimes:
    """Days from the first study day until each firm first reported resuming, with Kaplan-Meier curves.

    Firms that never resumed in the window are censored at their last known day, not dropped; firms
    resumed on the first day have duration 0. The conventions are those of R's ``survival`` package,
    ``survfit(Surv(days, resumed) ~ group, conf.type = "log-log")`` (also lifelines' default interval):

    - the pointwise interval is the log-log one, ``S ** exp(±z se / log S)`` with Greenwood's
      ``se`` of ``log S``; where ``S`` is 0 no such interval exists and the bounds are missing (R's
      ``NA``);
    - the median is the first time the curve is at or below one half; where the curve sits exactly at
      one half over a stretch, the middle of that stretch, up to the group's last observed time when
      the curve ends there (R's rule; statsmodels takes the first time strictly below, lifelines the
      first time at or below). The median's interval applies the same
      rule to the pointwise bounds: the lower bound curve gives the earlier limit (as R);
    - groups are compared by the log-rank test (R's ``survdiff``).

    Examples
    --------
    >>> r = pd.DataFrame({"enterprise": ["a", "b", "c", "d"], "date": pd.Timestamp("2020-02-10"),
    ...                   "resumed": [True, False, False, False]})
    >>> r = pd.concat([r, r.assign(date=pd.Timestamp("2020-02-20"), resumed=[True, True, False, False])])
    >>> t = time_to_resumption(daily_status(r, carry_days=10))
    >>> t.curves[["days", "survival"]].to_numpy().tolist()
    [[0.0, 0.75], [10.0, 0.5]]
    >>> float(t.medians.loc[0, "median"])  # the curve sits at 1/2 from day 10 to the end
    10.0
    """
    from statsmodels.duration.survfunc import survdiff

    alpha = _validate.alpha(alpha)
    if not isinstance(status, DailyStatus):
        raise _validate.fail("status", "a DailyStatus from daily_status()", type(status).__name__)
    resumed = np.nan_to_num(status.resumed) == 1
    ever = resumed.any(axis=1)
    first = np.where(ever, resumed.argmax(axis=1), -1)
    known = status.status != 2
    last_known = np.where(known.any(axis=1), known.shape[1] - 1 - known[:, ::-1].argmax(axis=1), 0)
    days = np.where(ever, first, last_known).astype(float)
    if by is not None and by not in status.firms:
        raise _validate.fail("by", f"a firm attribute, one of {list(status.firms.columns)}", by)
    groups = (
        status.firms[by].astype("string").fillna("(missing)")
        if by
        else pd.Series("all", index=status.firms.index)
    )
    durations = pd.DataFrame(
        {"enterprise": status.firms["enterprise"], "group": groups.to_numpy(), "days": days, "resumed": ever}
    )
    z = stats.norm.ppf(1 - alpha / 2)
    curves, medians = [], []
    for label, part in durations.groupby("group", sort=True):
        curve = _kaplan_meier(part["days"].to_numpy(), part["resumed"].to_numpy(), z)
        curves.append(curve.assign(group=label))
        t, last = curve["days"].to_numpy(), float(part["days"].max())
        medians.append(
            {"group": label, "n": len(part), "events": int(part["resumed"].sum()),
             "median": _r_quantile(t, curve["survival"].to_numpy(), last),
             "low": _r_quantile(t, curve["low"].to_numpy(), last),
             "high": _r_quantile(t, curve["high"].to_numpy(), last)}
        )  # fmt: skip
    columns = ["group", "days", "survival", "low", "high", "at_risk", "events", "resumed_share"]
    k = durations["group"].nunique()
    statistic = p_value = None
    if k > 1:
        stat, p = survdiff(durations["days"].to_numpy(), durations["resumed"].to_numpy().astype(int),
                           durations["group"].to_numpy())  # fmt: skip
        statistic, p_value = float(stat), float(p)
    return ResumptionTimes(
        durations=durations,
        curves=pd.concat(curves, ignore_index=True)[columns],
        medians=pd.DataFrame(medians),
        logrank_statistic=statistic,
        logrank_df=k - 1 if k > 1 else None,
        logrank_p=p_value,
        smallest_group=int(durations["group"].value_counts().min()),
        alpha=alpha,
    )


def _kaplan_meier(days: np.ndarray, event: np.ndarray, z: float) -> pd.DataFrame:
    """Kaplan-Meier curve at each event time with Greenwood's variance and the log-log interval."""
    times, inverse = np.unique(days, return_inverse=True)
    events = np.bincount(inverse, weights=event.astype(float), minlength=times.size)
    leaving = np.bincount(inverse, minlength=times.size)
    at_risk = days.size - np.concatenate([[0], np.cumsum(leaving)[:-1]])
    keep = events > 0
    times, events, at_risk = times[keep], events[keep], at_risk[keep]
    survival = np.cumprod(1 - events / at_risk)
    with np.errstate(invalid="ignore", divide="ignore"):
        # Greenwood: var(log S) = sum d / (n (n - d)); the log-log interval is S ** exp(±z se / log S)
        se_log = np.sqrt(np.cumsum(events / (at_risk * (at_risk - events))))
        half = z * se_log / np.log(survival)
        low = survival ** np.exp(-half)  # log S < 0, so exp(-half) > 1 and low < S
        high = survival ** np.exp(half)
    # no log-log interval exists where S is 0 (R gives NA there); bounds missing, never zero width
    low = np.where(survival > 0, low, np.nan)
    high = np.where(survival > 0, high, np.nan)
    return pd.DataFrame(
        {"days": times, "survival": survival, "low": low, "high": high, "at_risk": at_risk,
         "events": events.astype(np.int64), "resumed_share": 1 - survival}
    )  # fmt: skip


def _r_quantile(times: np.ndarray, surv: np.ndarray, last: float, p: float = 0.5) -> float:
    """Time a step curve first falls to ``1 - p``, by R survival's ``findq`` (see time_to_resumption).

    ``times`` are the event times, ``surv`` the curve (or a bound of it; missing values are skipped
    as R's ``approx`` skips them) and ``last`` the group's last observed time, resumed or censored.
    """
    tol = np.sqrt(np.finfo(float).eps)
    x = np.r_[0.0, times]
    y = np.r_[0.0, 1 - surv]
    if not np.nanmax(y) >= p:
        return float("nan")
    new = np.r_[True, ~((y[1:] == y[:-1]) | (np.isnan(y[1:]) & np.isnan(y[:-1])))]
    x, y = x[new], y[new]
    ends_on_p = not np.isnan(y[-1]) and abs(p - y[-1]) < tol
    reach = np.flatnonzero(y + tol >= p)  # NaN compares False: skipped
    if reach.size == 0:
        return float("nan")
    past = np.flatnonzero(y - tol >= p)
    if ends_on_p:
        return float((x[reach[0]] + last) / 2)
    if past.size == 0:
        return float("nan")
    return float((x[reach[0]] + x[past[0]]) / 2)


# --------------------------------------------------------------------------------------------------
# Headline audit


@dataclass(frozen=True)
class HeadlineAudit:
    """What a published count of firms can and cannot support.

    Attributes
    ----------
    successes, total : int
        Firms counted resumed, and firms counted.
    population : int
        Firms in scope (equal to ``total`` for a census).
    census : bool
        Whether every firm in scope was counted. A census has no sampling error.
    rate : float
        ``successes / total``.
    low, high : float
        For a census the count itself (``low == high == rate``); for a sample the exact
        finite-population interval of the population share (:func:`finite_population_ci`).
    interval : str
        ``"none: census"`` or ``"exact finite-population"``.
    alpha : float
        One minus the confidence level.
    claimed : float or None
        The published rate.
    consistent : bool or None
        Census: whether the claim matches the count (to 0.05 percentage points, the rounding of a
        published percent); sample: whether it lies inside the interval.
    staff_share, output_share : float or None
        The staff-return rate and the electricity output proxy on the same day, if given: the
        definitional uncertainty (what counted as resumed) that a census leaves.
    superpopulation_low, superpopulation_high : float or None
        Only when asked (``superpopulation=True``): the binomial interval answering a different
        question, how often firms like these resume, by ``superpopulation_method``.
    superpopulation_method : str or None
    reference : float or None
        A rate to compare with (a national figure, say).
    reference_inside : bool or None
        Whether the reference lies inside the interval shown (the sample's, or the superpopulation
        one); None for a census alone, which has no interval.
    text_en, text_zh : str
        The reading, in English and in Chinese: the count first, then what is uncertain.
    """

    successes: int
    total: int
    population: int
    census: bool
    rate: float
    low: float
    high: float
    interval: str
    alpha: float
    claimed: float | None
    consistent: bool | None
    staff_share: float | None
    output_share: float | None
    superpopulation_low: float | None
    superpopulation_high: float | None
    superpopulation_method: str | None
    reference: float | None
    reference_inside: bool | None
    text_en: str
    text_zh: str


def audit_headline(
    successes: int,
    total: int,
    claimed: float | None = None,
    reference: float | None = None,
    *,
    population: int | None = None,
    staff_share: float | None = None,
    output_share: float | None = None,
    superpopulation: bool = False,
    alpha: float = 0.05,
    method: str = "exact",
) -> HeadlineAudit:
    """Audit a headline count such as "24 of 24 enterprises resumed: 100%".

    A count over every firm in scope is a census: the default reading (``population`` omitted) is that
    ``total`` is the whole population, so the count is exact and has no sampling error. What is
    uncertain is what counted as resumed (reopened, staff back, output back) and how it was reported;
    pass ``staff_share`` and ``output_share`` of the same day to put numbers on that. A binomial
    interval answers a different, superpopulation question (how often do firms like these resume?)
    and appears only with ``superpopulation=True``, labelled as such. When fewer firms reported than
    are in scope (``population > total``), the count is a sample and gets the exact interval with the
    finite-population correction (:func:`finite_population_ci`).

    Parameters
    ----------
    successes, total : int
        The counts behind the headline.
    claimed : float, optional
        The published rate (a fraction).
    reference : float, optional
        A rate to compare with, e.g. the national rate at the time.
    population : int, optional
        Firms in scope; default ``total`` (a census).
    staff_share, output_share : float, optional
        Staff-return rate and electricity output proxy (use against baseline) on the same day.
    superpopulation : bool
        Also give the binomial interval for the superpopulation question.
    alpha : float
        One minus the confidence level.
    method : {"exact", "wilson", "jeffreys", "agresti_coull"}
        Method of the superpopulation interval (see :func:`rate_ci`).

    Returns
    -------
    HeadlineAudit

    Examples
    --------
    >>> a = audit_headline(24, 24, claimed=1.0, staff_share=0.97, output_share=0.81)
    >>> a.census, a.low, a.high
    (True, 1.0, 1.0)
    >>> for sentence in a.text_zh.split("。")[:-1]:
    ...     print(sentence + "。")
    范围内24家企业中24家复工(100.0%),这是全数统计,不是抽样:这个数确切,没有抽样误差;公布的100.0%与之相符。
    不确定的是“复工”按什么算以及如何上报:同一天职工到岗率为97.0%,用电量(产出的替代指标)为基期的81.0%。
    >>> s = audit_headline(20, 20, population=24)  # 4 firms did not report: a sample
    >>> s.census, s.interval, round(s.low, 3)
    (False, 'exact finite-population', 0.958)
    >>> p = audit_headline(24, 24, reference=0.986, superpopulation=True)
    >>> round(p.superpopulation_low, 3), p.reference_inside
    (0.858, True)
    """
    successes, total = (int(v) for v in _counts(successes, total))
    population = (
        total
        if population is None
        else _validate.number(population, name="population", low=total, integer=True)
    )
    alpha = _validate.alpha(alpha)
    _validate.one_of(method, sorted(METHODS), name="method")
    for name, value in (("claimed", claimed), ("reference", reference), ("staff_share", staff_share),
                        ("output_share", output_share)):  # fmt: skip
        if value is not None:
            _validate.number(value, name=name, low=0, high=None if name == "output_share" else 1)
    census = population == total
    rate = successes / total
    level = f"{1 - alpha:.0%}"
    if census:
        low = high = rate
        interval = "none: census"
        consistent = None if claimed is None else bool(abs(claimed - rate) <= 0.0005 + 1e-12)
    else:
        fpc = finite_population_ci(successes, total, population, alpha=alpha)
        low, high = fpc.low, fpc.high
        interval = "exact finite-population"
        consistent = None if claimed is None else bool(low - 1e-12 <= claimed <= high + 1e-12)

    if census:
        en = (
            f"{successes} of {total} firms in scope (all of them: a census, not a sample) resumed: {rate:.1%}. "
            "The count is exact and has no sampling error"
        )
        zh = f"范围内{total}家企业中{successes}家复工({rate:.1%}),这是全数统计,不是抽样:这个数确切,没有抽样误差"
        if claimed is not None:
            en += f"; the claimed {claimed:.1%} {'matches it' if consistent else 'does not match it'}"
            zh += f";公布的{claimed:.1%}{'与之相符' if consistent else '与之不符'}"
    else:
        en = (
            f"{total} of {population} firms in scope reported (a sample) and {successes} of them resumed "
            f"({rate:.1%}); with the finite-population correction, between {low:.1%} and {high:.1%} of "
            f"the {population} resumed (exact {level} interval); {population - total} did not report"
        )
        zh = (
            f"范围内{population}家企业中{total}家上报(抽样),其中{successes}家复工({rate:.1%});经有限总体校正,"
            f"{population}家中复工的比例在{low:.1%}至{high:.1%}之间(精确{level}区间);{population - total}家未上报"
        )
        if claimed is not None:
            en += f"; the claimed {claimed:.1%} lies {'inside' if consistent else 'outside'} the interval"
            zh += f";公布的{claimed:.1%}{'在区间内' if consistent else '不在区间内'}"
    en += ". What is uncertain is what counted as resumed"
    zh += "。不确定的是“复工”按什么算"
    if staff_share is None and output_share is None:
        en += (
            " (reopened, staff back, output back) and how it was reported; the count alone says nothing "
            "about staff on duty or output"
        )
        zh += "(开门、人员到岗还是产出恢复)以及如何上报;单看家数,看不出到岗和产出情况"
    else:
        parts_en, parts_zh = [], []
        if staff_share is not None:
            parts_en.append(f"staff on duty were {staff_share:.1%}")
            parts_zh.append(f"职工到岗率为{staff_share:.1%}")
        if output_share is not None:
            parts_en.append(f"electricity use (an output proxy) was {output_share:.1%} of its baseline")
            parts_zh.append(f"用电量(产出的替代指标)为基期的{output_share:.1%}")
        en += " and how it was reported: on the same day " + " and ".join(parts_en)
        zh += "以及如何上报:同一天" + ",".join(parts_zh)
        if output_share is None:
            en += "; no output or electricity figure is given"
            zh += ";没有产出或用电数据"
        if staff_share is None:
            en += "; no staff figure is given"
            zh += ";没有到岗数据"

    sp_low = sp_high = sp_method = None
    shown = None if census else (low, high)
    if superpopulation:
        ci = rate_ci(successes, total, method=method, alpha=alpha)
        sp_low, sp_high, sp_method = float(ci.low), float(ci.high), method
        shown = (sp_low, sp_high)
        name = _METHOD_NAMES[method]
        en += (
            f". Only for a different question, how often firms like these resume (a superpopulation "
            f"reading), is there sampling uncertainty: {name[0]} {level} binomial interval "
            f"{sp_low:.1%} to {sp_high:.1%}"
        )
        zh += (
            f"。只有换一个问题,即同类企业复工的可能性有多大(超总体问题),才有抽样不确定性:"
            f"{name[1]}{level}二项区间为{sp_low:.1%}至{sp_high:.1%}"
        )
    inside = None
    if reference is not None:
        if shown is None:
            gap = (rate - reference) * 100
            en += (
                f". The reference {reference:.1%} describes other firms; this count is "
                f"{abs(gap):.1f} points {'above' if gap >= 0 else 'below'} it"
            )
            zh += f"。参照值{reference:.1%}描述的是另一批企业;这个数比它{'高' if gap >= 0 else '低'}{abs(gap):.1f}个百分点"
        else:
            inside = bool(shown[0] - 1e-12 <= reference <= shown[1] + 1e-12)
            if inside:
                en += f"; the reference {reference:.1%} lies inside that interval, so it cannot tell the two apart"
                zh += f";参照值{reference:.1%}也在该区间内,无法把两者区分开"
            else:
                en += f"; the reference {reference:.1%} lies outside that interval"
                zh += f";参照值{reference:.1%}在该区间外"
    return HeadlineAudit(
        successes=successes, total=total, population=int(population), census=census, rate=rate,
        low=float(low), high=float(high), interval=interval, alpha=alpha, claimed=claimed,
        consistent=consistent, staff_share=staff_share, output_share=output_share,
        superpopulation_low=sp_low, superpopulation_high=sp_high, superpopulation_method=sp_method,
        reference=reference, reference_inside=inside, text_en=en + ".", text_zh=zh + "。",
    )  # fmt: skip


_METHOD_NAMES = {
    "exact": ("exact", "精确"),
    "wilson": ("Wilson", "Wilson"),
    "jeffreys": ("Jeffreys", "Jeffreys"),
    "agresti_coull": ("Agresti-Coull", "Agresti-Coull"),
}
