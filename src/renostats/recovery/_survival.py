"""Days to resumption: Kaplan-Meier curves and medians by R survival's conventions (:func:`time_to_resumption`).

Imports numpy, pandas, scipy, statsmodels' log-rank test, the package's validator and :mod:`._status`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from renostats import _validate
from renostats.recovery._status import DailyStatus


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
    >>> from renostats.recovery import daily_status
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
