"""Enterprise recovery: resumption, staff return and real output, with honest uncertainty.

A resumption rate such as "24 of 24 enterprises resumed: 100%" is a count over a small number of firms,
and a count of firms says nothing about staff on duty or output. This module turns liaison officers'
twice-daily reports into a daily status per firm (:func:`daily_status`), measures recovery three ways
with intervals (:func:`resumption_curve`), times resumption with Kaplan-Meier curves
(:func:`time_to_resumption`), and says in plain words what a headline can support
(:func:`audit_headline`). :func:`rate_ci` and :func:`compare_rates` give the rate intervals.

Examples
--------
>>> ci = rate_ci(24, 24)
>>> round(float(ci.low), 3), float(ci.high)
(0.858, 1.0)
>>> print(audit_headline(24, 24, claimed=1.0).text_en)  # doctest: +NORMALIZE_WHITESPACE
24 of 24 (100.0%) resumed: the data are consistent with a true rate as low as 85.8% (exact 95% interval
85.8% to 100.0%); the claimed 100.0% lies inside the interval.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

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


# --------------------------------------------------------------------------------------------------
# Daily status from twice-daily reports

#: Recovery measures of :func:`resumption_curve`.
MEASURES = ("resumption", "staff", "capacity", "output", "electricity")
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
    notes: dict[str, Any] = field(default_factory=dict)

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
    reports : DataFrame
        An ``enterprise_reports`` ledger (:func:`renostats.ledger.read_ledger`): enterprise, date,
        report_time, resumed, staff_on_duty, staff_total, capacity_share, electricity_kwh, and
        optionally district, sector, large_scale.
    carry_days : int
        A day without a report carries the firm's last status forward for at most this many days and is
        flagged ``carried``; beyond that the firm is ``unknown`` that day, never counted as resumed or not.
    scope : {"all", "large_scale"}
        Firms in scope: every firm, or large-scale industrial enterprises (规上) only.
    start, end : date-like, optional
        Days covered (default: the first and last report date outside the baseline period).
    baseline : (start, end), optional
        Baseline period for the electricity rule; each firm's mean daily kWh over it is kept.

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
    if carry_days < 0:
        raise ValueError(f"carry_days must be 0 or more, got {carry_days}")
    if scope not in ("all", "large_scale"):
        raise ValueError(f"scope must be 'all' or 'large_scale', got {scope!r}")
    missing = [c for c in ("enterprise", "date", "resumed") if c not in reports]
    if missing:
        raise ValueError(f"reports lack column(s) {missing}")
    dates_all = pd.to_datetime(reports["date"]).to_numpy(dtype="datetime64[D]")
    in_baseline = np.zeros(len(reports), dtype=bool)
    if baseline is not None:
        b0, b1 = (np.datetime64(pd.Timestamp(b), "D") for b in baseline)
        in_baseline = (dates_all >= b0) & (dates_all <= b1)
    study = ~in_baseline
    first = np.datetime64(pd.Timestamp(start), "D") if start is not None else dates_all[study].min()
    last = np.datetime64(pd.Timestamp(end), "D") if end is not None else dates_all[study].max()
    if last < first:
        raise ValueError(f"end {last} is before start {first}")

    codes, names = pd.factorize(reports["enterprise"], sort=True)
    firms = _firm_table(reports, codes, names)
    keep_firm = np.ones(len(firms), dtype=bool)
    if scope == "large_scale":
        if "large_scale" not in firms:
            raise ValueError("scope 'large_scale' needs a large_scale column in the reports")
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
    order_key = minutes.astype(np.int64) * (len(reports) + 1) + np.flatnonzero(use)
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
        notes={"scope": scope},
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


def _minutes(times: pd.Series) -> np.ndarray:
    """Report times (HH:MM text, categorical or datetime.time) as minutes after midnight."""
    codes, uniques = pd.factorize(times)
    table = []
    for u in uniques:
        text = str(u)
        hh, _, mm = text.partition(":")
        try:
            table.append(int(hh) * 60 + int(mm[:2] or 0))
        except ValueError:
            table.append(0)
    table = np.asarray([*table, 0], dtype=np.int64)
    return table[codes]  # missing times (-1) take the last entry, 0


# --------------------------------------------------------------------------------------------------
# Recovery curves


def resumption_curve(
    status: DailyStatus | pd.DataFrame,
    measure: str = "resumption",
    by: str | None = None,
    *,
    alpha: float = 0.05,
    method: str = "exact",
    threshold: float = 0.3,
    ci: str = "delta",
    n_boot: int = 500,
    seed: int | None = 0,
    **status_options: Any,
) -> pd.DataFrame:
    """A recovery measure per day (and group) with its interval, as a tidy table.

    Parameters
    ----------
    status : DailyStatus or DataFrame
        From :func:`daily_status`, or reports (then ``status_options`` go to :func:`daily_status`).
    measure : {"resumption", "staff", "capacity", "output", "electricity"}
        ``resumption``: firms resumed / firms with a known status (a count of firms, binomial
        interval by ``method``). ``staff``: staff on duty / staff total summed over firms (a ratio
        estimator; interval by the delta method over firms, or a seeded firm-level bootstrap with
        ``ci="bootstrap"``, so the clustering of staff within firms is respected). ``capacity``: mean
        capacity share over firms (t interval over firms). ``output``: electricity used / baseline
        electricity summed over firms (a ratio estimator like ``staff``), a measure of real output.
        ``electricity``: share of firms whose daily kWh exceeds ``threshold`` x their baseline mean
        (the provincial electricity rule; binomial interval). The last two need a baseline period
        in :func:`daily_status`.
    by : str, optional
        A firm attribute to group by (``sector``, ``district``, ``large_scale``).
    alpha : float
        One minus the confidence level.

    Returns
    -------
    DataFrame
        Columns date, group, measure, value, low, high, n (firms with a known status: the
        denominator), unknown (firms in scope whose status is unknown that day).
    """
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if ci not in ("delta", "bootstrap"):
        raise ValueError(f"ci must be 'delta' or 'bootstrap', got {ci!r}")
    if not isinstance(status, DailyStatus):
        status = daily_status(status, **status_options)
    if by is None:
        groups = np.zeros(len(status.firms), dtype=np.int64)
        labels = np.array(["all"], dtype=object)
    else:
        if by not in status.firms:
            raise ValueError(f"cannot group by {by!r}: the firms have {list(status.firms.columns)}")
        groups, labels = pd.factorize(status.firms[by].astype("string").fillna("(missing)"), sort=True)
        labels = np.asarray(labels, dtype=object)
    known = status.status != 2
    frames = []
    for g, label in enumerate(labels):
        rows = groups == g
        k = known[rows]
        n = k.sum(axis=0)
        unknown = (~k).sum(axis=0)
        value, low, high = _measure(status, rows, k, n, measure, alpha, method, threshold, ci, n_boot, seed)
        frames.append(
            pd.DataFrame(
                {"date": status.dates, "group": label, "measure": measure, "value": value,
                 "low": low, "high": high, "n": n, "unknown": unknown}
            )
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


def _measure(status, rows, known, n, measure, alpha, method, threshold, ci, n_boot, seed):
    t = known.shape[1]
    value = np.full(t, np.nan)
    low = np.full(t, np.nan)
    high = np.full(t, np.nan)
    has = n > 0
    if measure in ("resumption", "electricity"):
        if measure == "resumption":
            success = np.nan_to_num(status.resumed[rows]) == 1
        else:
            if status.baseline_kwh is None:
                raise ValueError(
                    "the electricity rule needs a baseline period: daily_status(..., baseline=(start, end))"
                )
            base = status.baseline_kwh[rows][:, None]
            kwh = status.electricity_kwh[rows]
            with np.errstate(invalid="ignore"):
                success = kwh > threshold * base
            known = known & ~np.isnan(kwh) & ~np.isnan(base)
            n = known.sum(axis=0)
            has = n > 0
        x = (success & known).sum(axis=0)
        if has.any():
            res = rate_ci(x[has], n[has], method=method, alpha=alpha)
            value[has], low[has], high[has] = res.rate, res.low, res.high
        return value, low, high
    if measure == "staff":
        y = np.where(known, np.nan_to_num(status.staff_on_duty[rows]), 0.0).astype(float)
        x = np.where(known, np.nan_to_num(status.staff_total[rows]), 0.0).astype(float)
        return _ratio_ci(y, x, n, alpha, ci, n_boot, seed)
    if measure == "output":
        if status.baseline_kwh is None:
            raise ValueError("output needs a baseline period: daily_status(..., baseline=(start, end))")
        kwh = status.electricity_kwh[rows].astype(float)
        base = np.broadcast_to(status.baseline_kwh[rows][:, None], kwh.shape)
        ok = known & ~np.isnan(kwh) & ~np.isnan(base)
        y = np.where(ok, kwh, 0.0)
        x = np.where(ok, base, 0.0)
        return _ratio_ci(y, x, ok.sum(axis=0), alpha, ci, n_boot, seed)
    share = status.capacity_share[rows].astype(float)
    ok = known & ~np.isnan(share)
    m = ok.sum(axis=0)
    total = np.where(ok, share, 0.0).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = total / m
        var = (np.where(ok, (share - mean) ** 2, 0.0)).sum(axis=0) / (m - 1)
        half = stats.t.ppf(1 - alpha / 2, np.maximum(m - 1, 1)) * np.sqrt(var / m)
    value = np.where(m > 0, mean, np.nan)
    low = np.clip(np.where(m > 1, mean - half, np.nan), 0, 1)
    high = np.clip(np.where(m > 1, mean + half, np.nan), 0, 1)
    return value, low, high


def _ratio_ci(y, x, n, alpha, ci, n_boot, seed):
    """Ratio of sums sum(y) / sum(x) over firms (columns are days) with a firm-clustered interval."""
    sy, sx = y.sum(axis=0), x.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = sy / sx
    z = stats.norm.ppf(1 - alpha / 2)
    if ci == "delta":
        # linearised ratio estimator: residuals y - R x per firm, variance of their mean over x-bar^2
        with np.errstate(invalid="ignore", divide="ignore"):
            resid = np.where(x > 0, y - ratio * x, 0.0)
            resid = np.where((y == 0) & (x == 0), 0.0, resid)
            s2 = (resid**2).sum(axis=0) / np.maximum(n - 1, 1)
            se = np.sqrt(s2 / n) / (sx / n)
        low, high = ratio - z * se, ratio + z * se
    else:
        rng = np.random.default_rng(seed)
        k = y.shape[0]
        draws = np.empty((n_boot, y.shape[1]))
        for b in range(n_boot):
            weight = np.bincount(rng.integers(0, k, k), minlength=k).astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                draws[b] = (weight @ y) / (weight @ x)
        low, high = np.nanquantile(draws, [alpha / 2, 1 - alpha / 2], axis=0)
    bad = n == 0
    ratio, low, high = (np.where(bad, np.nan, a) for a in (ratio, low, high))
    return ratio, np.clip(low, 0, None), high


# --------------------------------------------------------------------------------------------------
# Time to resumption


@dataclass(frozen=True)
class ResumptionTimes:
    """Kaplan-Meier analysis of days until a firm resumed, by group."""

    durations: pd.DataFrame  # enterprise, group, days, resumed (False: censored)
    curves: pd.DataFrame  # group, days, survival, low, high, at_risk, resumed_share
    medians: pd.DataFrame  # group, n, events, median, low, high
    logrank: dict[str, float] | None  # statistic, df, p_value (None with one group)
    alpha: float


def time_to_resumption(status: DailyStatus, by: str | None = None, alpha: float = 0.05) -> ResumptionTimes:
    """Days from the first study day until each firm first reported resuming, with Kaplan-Meier curves.

    Firms that never resumed in the window are censored at their last known day, not dropped; firms
    resumed on the first day have duration 0. Curves and median times come from statsmodels'
    ``SurvfuncRight`` (median interval by its ``quantile_ci``), the comparison of groups from the
    log-rank test (``survdiff``).
    """
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff

    resumed = np.nan_to_num(status.resumed) == 1
    ever = resumed.any(axis=1)
    first = np.where(ever, resumed.argmax(axis=1), -1)
    known = status.status != 2
    last_known = np.where(known.any(axis=1), known.shape[1] - 1 - known[:, ::-1].argmax(axis=1), 0)
    days = np.where(ever, first, last_known).astype(float)
    groups = (
        status.firms[by].astype("string").fillna("(missing)")
        if by
        else pd.Series("all", index=status.firms.index)
    )
    durations = pd.DataFrame(
        {"enterprise": status.firms["enterprise"], "group": groups.to_numpy(), "days": days, "resumed": ever}
    )
    curves, medians = [], []
    for label, part in durations.groupby("group", sort=True):
        sf = SurvfuncRight(part["days"].to_numpy(), part["resumed"].to_numpy().astype(int))
        se = sf.surv_prob_se
        z = stats.norm.ppf(1 - alpha / 2)
        with np.errstate(invalid="ignore", divide="ignore"):
            # log-log interval, as survival packages report by default
            loglog = np.log(-np.log(sf.surv_prob))
            half = z * se / (sf.surv_prob * np.abs(np.log(sf.surv_prob)))
            lo = np.exp(-np.exp(loglog - half))
            hi = np.exp(-np.exp(loglog + half))
        curves.append(
            pd.DataFrame(
                {"group": label, "days": sf.surv_times, "survival": sf.surv_prob,
                 "low": np.where(np.isfinite(lo), lo, np.nan), "high": np.where(np.isfinite(hi), hi, np.nan),
                 "at_risk": sf.n_risk, "resumed_share": 1 - sf.surv_prob}
            )
        )  # fmt: skip
        median = sf.quantile(0.5)
        with np.errstate(divide="ignore", invalid="ignore"):  # the interval can be open above
            mlow, mhigh = sf.quantile_ci(0.5, alpha=alpha)
        medians.append(
            {"group": label, "n": len(part), "events": int(part["resumed"].sum()),
             "median": float(median), "low": float(mlow), "high": float(mhigh)}
        )  # fmt: skip
    logrank = None
    if durations["group"].nunique() > 1:
        stat, p_value = survdiff(durations["days"].to_numpy(), durations["resumed"].to_numpy().astype(int),
                                 durations["group"].to_numpy())  # fmt: skip
        logrank = {
            "statistic": float(stat),
            "df": int(durations["group"].nunique() - 1),
            "p_value": float(p_value),
        }
    return ResumptionTimes(
        durations=durations,
        curves=pd.concat(curves, ignore_index=True),
        medians=pd.DataFrame(medians),
        logrank=logrank,
        alpha=alpha,
    )


# --------------------------------------------------------------------------------------------------
# Headline audit


@dataclass(frozen=True)
class HeadlineAudit:
    """What a published rate can and cannot support."""

    successes: int
    total: int
    rate: float
    low: float
    high: float
    method: str
    alpha: float
    claimed: float | None
    consistent: bool | None  # is the claimed rate inside the interval?
    reference: float | None
    reference_inside: bool | None  # is the reference rate inside the interval?
    text_en: str
    text_zh: str


def audit_headline(
    successes: int,
    total: int,
    claimed: float | None = None,
    reference: float | None = None,
    *,
    alpha: float = 0.05,
    method: str = "exact",
) -> HeadlineAudit:
    """Audit a headline rate such as "24 of 24 enterprises resumed: 100%".

    Parameters
    ----------
    successes, total : int
        The counts behind the headline.
    claimed : float, optional
        The published rate (a fraction); checked against the interval.
    reference : float, optional
        A rate to compare with, e.g. the national rate at the time.

    Returns
    -------
    HeadlineAudit
        The rate, its interval, whether the claim and the reference lie inside it, and one sentence in
        English and in Chinese.

    Examples
    --------
    >>> a = audit_headline(24, 24, claimed=1.0, reference=0.986)
    >>> a.consistent, a.reference_inside
    (True, True)
    >>> for clause in a.text_zh.split(";"):
    ...     print(clause)
    24家中24家复工(100.0%):按精确95%置信区间,真实比例可能低至85.8%(区间85.8%至100.0%)
    公布的100.0%在区间内
    参照值98.6%也在区间内,数据无法把两者区分开。
    """
    ci = rate_ci(successes, total, method=method, alpha=alpha)
    level = f"{1 - alpha:.0%}"
    name = {"exact": "exact", "wilson": "Wilson", "jeffreys": "Jeffreys", "agresti_coull": "Agresti-Coull"}[
        method
    ]
    name_zh = {"exact": "精确", "wilson": "Wilson", "jeffreys": "Jeffreys", "agresti_coull": "Agresti-Coull"}[
        method
    ]
    consistent = None if claimed is None else bool(ci.low - 1e-12 <= claimed <= ci.high + 1e-12)
    inside = None if reference is None else bool(ci.low <= reference <= ci.high)
    bound = (
        f"consistent with a true rate as low as {ci.low:.1%}"
        if ci.high >= 1.0
        else f"consistent with true rates from {ci.low:.1%} to {ci.high:.1%}"
    )
    en = (
        f"{successes} of {total} ({ci.rate:.1%}) resumed: the data are {bound} "
        f"({name} {level} interval {ci.low:.1%} to {ci.high:.1%})"
    )
    zh = f"{total}家中{successes}家复工({ci.rate:.1%}):按{name_zh}{level}置信区间,真实比例可能低至{ci.low:.1%}(区间{ci.low:.1%}至{ci.high:.1%})"
    if claimed is not None:
        en += f"; the claimed {claimed:.1%} lies {'inside' if consistent else 'outside'} the interval"
        zh += f";公布的{claimed:.1%}{'在区间内' if consistent else '不在区间内'}"
    if reference is not None:
        if inside:
            en += f"; the reference {reference:.1%} lies inside it too, so the data cannot tell the two apart"
            zh += f";参照值{reference:.1%}也在区间内,数据无法把两者区分开"
        else:
            en += f"; the reference {reference:.1%} lies outside it"
            zh += f";参照值{reference:.1%}在区间外"
    return HeadlineAudit(
        successes=int(successes), total=int(total), rate=ci.rate, low=ci.low, high=ci.high, method=method,
        alpha=alpha, claimed=claimed, consistent=consistent, reference=reference, reference_inside=inside,
        text_en=en + ".", text_zh=zh + "。",
    )  # fmt: skip
