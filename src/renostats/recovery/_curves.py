"""Recovery measures per day with their intervals (:func:`resumption_curve`).

Imports numpy, pandas, scipy, the package's validator, and :mod:`._rates` and :mod:`._status`."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from renostats import _validate
from renostats.errors import InputError
from renostats.recovery._rates import METHODS, rate_ci
from renostats.recovery._status import DailyStatus, daily_status

MEASURES = (
    "resumption",
    "staff",
    "staff_at_least",
    "capacity",
    "capacity_at_least",
    "electricity_vs_baseline",
    "electricity",
)


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
    _check_values(status, measure)
    frames = []
    for g, label in enumerate(labels):
        rows = None if by is None else np.flatnonzero(groups == g)
        sums = _day_sums(status, rows, measure, threshold, cutoff, staff_rate)
        n = sums.n
        if measure in _COUNTS:
            x = sums.sy.astype(np.int64)
            value, low, high = (np.full(len(n), np.nan) for _ in range(3))
            has = n > 0  # rate_ci refuses a day without firms to count: those days stay empty
            if has.any():
                res = rate_ci(x[has], n[has], method=method, alpha=alpha)
                value[has], low[has], high[has] = res.rate, res.low, res.high
            successes = pd.array(np.where(has, x, 0), dtype="Int64")
            successes[~has] = pd.NA
            interval = f"{method} binomial"
        else:
            value, low, high = _ratio_ci(
                status, rows, sums, (measure, threshold, cutoff, staff_rate), alpha, ci, n_boot, seed,
                share=measure in _SHARES,
            )  # fmt: skip
            successes = pd.array([pd.NA] * len(n), dtype="Int64")
            interval = {"beta": "Korn-Graubard beta", "delta": "delta method", "bootstrap": "firm bootstrap"}[
                ci
            ]
        frames.append(
            pd.DataFrame(
                {"date": status.dates, "group": label, "measure": measure, "value": value, "low": low,
                 "high": high, "n": n, "successes": successes, "no_value": sums.known - n,
                 "unknown": sums.firms - sums.known, "interval": interval}
            )
        )  # fmt: skip
    return pd.concat(frames, ignore_index=True)


# Firms are taken in blocks of at most this many firm-days, so a national grid (400,000 firms x 365
# days) never has a float64 working copy made whole: each block's values are summed per day and
# dropped. The sums are added block after block, so the result does not depend on the block size
# beyond the last bits of a float (tests compare one block with many).
_BLOCK_CELLS = 1 << 24


def _blocks(rows: np.ndarray | None, firms: int, days: int, whole: bool = False):
    """Selections of firms (slices of all firms, or pieces of ``rows``) of at most ``_BLOCK_CELLS`` cells."""
    count = firms if rows is None else len(rows)
    size = max(count, 1) if whole else max(1, _BLOCK_CELLS // max(days, 1))
    for start in range(0, count, size):
        stop = min(start + size, count)
        yield slice(start, stop) if rows is None else rows[start:stop]


@dataclass(frozen=True)
class _Values:
    """Per firm and day: numerator ``y``, denominator ``x`` (1 for means and counts), usable ``ok``."""

    y: np.ndarray
    x: np.ndarray
    ok: np.ndarray


@dataclass(frozen=True)
class _Sums:
    """Per day over a group's firms: firms usable ``n``, sums of ``y`` and ``x`` over them, firms with a
    known status, and firms in the group."""

    n: np.ndarray
    sy: np.ndarray
    sx: np.ndarray
    known: np.ndarray
    firms: int


def _day_sums(status, rows, measure, threshold, cutoff, staff_rate) -> _Sums:
    days = status.status.shape[1]
    n = np.zeros(days, dtype=np.int64)
    known_n = np.zeros(days, dtype=np.int64)
    sy, sx = np.zeros(days), np.zeros(days)
    for sel in _blocks(rows, status.status.shape[0], days):
        values = _values(status, sel, measure, threshold, cutoff, staff_rate)
        known = status.status[sel] != 2
        ok = values.ok & known
        n += ok.sum(axis=0)
        known_n += known.sum(axis=0)
        sy += np.where(ok, values.y, 0).sum(axis=0)
        sx += np.where(ok, values.x, 0).sum(axis=0)
    firms = status.status.shape[0] if rows is None else len(rows)
    return _Sums(n=n, sy=sy, sx=sx, known=known_n, firms=firms)


def _check_values(status: DailyStatus, measure: str) -> None:
    """Refuse staff on duty above staff total, and capacity shares outside [0, 1], anywhere in the grid."""
    if measure in ("staff", "staff_at_least"):
        count, first = 0, None
        for sel in _blocks(None, *status.status.shape):
            on, total = status.staff_on_duty[sel], status.staff_total[sel]
            with np.errstate(invalid="ignore"):
                over = (total > 0) & (on > total)  # NaN compares False
            count += int(over.sum())
            if first is None and over.any():
                i, d = np.argwhere(over)[0]
                first = (sel.start + i, d, on[i, d], total[i, d])
        if count:
            i, d, on_, total_ = first
            raise InputError(
                f"staff_on_duty exceeds staff_total on {count} firm-day(s), first "
                f"{status.firms['enterprise'].iloc[i]} on {status.dates[d]:%Y-%m-%d} "
                f"({on_:g} of {total_:g})"
            )
    if measure in ("capacity", "capacity_at_least"):
        for sel in _blocks(None, *status.status.shape):
            share = status.capacity_share[sel]
            with np.errstate(invalid="ignore"):
                if ((share < 0) | (share > 1)).any():
                    raise InputError("capacity_share must be a share between 0 and 1 (产能恢复率 80% is 0.8)")
    if measure in ("electricity", "electricity_vs_baseline") and status.baseline_kwh is None:
        raise InputError(
            f"measure {measure!r} needs a baseline period: daily_status(..., baseline=(start, end))"
        )


def _values(
    status: DailyStatus, sel, measure: str, threshold: float, cutoff: float, staff_rate: str
) -> _Values:
    """The values of the firms ``sel`` (a slice or index array) for ``measure`` (checked by _check_values)."""
    shape = status.status[sel].shape
    ones = np.ones(shape)
    if measure == "resumption":
        resumed = status.resumed[sel].astype(float)
        return _Values(np.nan_to_num(resumed) == 1, ones, ~np.isnan(resumed))
    if measure in ("staff", "staff_at_least"):
        on, total = status.staff_on_duty[sel].astype(float), status.staff_total[sel].astype(float)
        ok = ~np.isnan(on) & ~np.isnan(total) & (total > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(ok, on / total, 0.0)
        if measure == "staff_at_least":
            return _Values(share >= cutoff, ones, ok)
        if staff_rate == "pooled":
            return _Values(np.where(ok, on, 0.0), np.where(ok, total, 0.0), ok)
        return _Values(share, ones, ok)
    if measure in ("capacity", "capacity_at_least"):
        share = status.capacity_share[sel].astype(float)
        ok = ~np.isnan(share)
        if measure == "capacity_at_least":
            return _Values(ok & (share >= cutoff), ones, ok)
        return _Values(np.where(ok, share, 0.0), ones, ok)
    kwh = status.electricity_kwh[sel].astype(float)
    base = np.broadcast_to(status.baseline_kwh[sel][:, None], shape).astype(float)
    ok = ~np.isnan(kwh) & ~np.isnan(base)
    if measure == "electricity":
        with np.errstate(invalid="ignore"):
            return _Values(ok & (kwh > threshold * base), ones, ok)
    return _Values(np.where(ok, kwh, 0.0), np.where(ok, base, 0.0), ok)


def _ratio_ci(status, rows, sums, spec, alpha, ci, n_boot, seed, share):
    """Ratio of sums sum(y) / sum(x) over firms (rows; columns are days) with a firm-clustered interval.

    A mean over firms is the ratio with ``x`` 1 for each firm used. The variance is the linearised
    one, ``k / (k - 1) * sum((y - R x)^2) / sum(x)^2`` over the ``k`` firms used (as R's ``survey``):
    a second pass over the blocks of firms, once the ratio ``R`` is known.
    """
    n, sy, sx = sums.n, sums.sy, sums.sx
    days = len(n)
    has = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(has, sy / sx, np.nan)
    squares = np.zeros(days)
    y = x = np.zeros((0, days))
    for sel in _blocks(rows, status.status.shape[0], days, whole=ci == "bootstrap"):
        values = _values(status, sel, *spec)
        ok = values.ok & (status.status[sel] != 2)
        y, x = np.where(ok, values.y, 0.0), np.where(ok, values.x, 0.0)
        with np.errstate(invalid="ignore"):
            resid = np.where(x > 0, y - ratio * x, 0.0)
        squares += (resid**2).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(n > 1, squares * n / np.maximum(n - 1, 1) / sx**2, 0.0)
    z = stats.norm.ppf(1 - alpha / 2)
    if ci == "beta":
        low, high = _beta_interval(ratio, var, n, sx, alpha)
    elif ci == "delta":
        se = np.sqrt(var)
        low, high = ratio - z * se, ratio + z * se
    else:  # the bootstrap resamples whole firms: one block holds the group (y and x from the pass above)
        rng = np.random.default_rng(seed)
        k = y.shape[0]
        draws = np.empty((n_boot, days))
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
