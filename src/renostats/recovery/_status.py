"""Each firm's status on each day from liaison officers' reports (:func:`daily_status`).

Imports numpy, pandas, the package's validator and its out-of-core helper (for Dask DataFrames)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from renostats import _validate
from renostats.errors import InputError
from renostats.recovery import _outofcore

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

    def per_day(self) -> pd.DataFrame:
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
    >>> s.per_day()[["reported", "carried", "unknown"]].to_numpy().tolist()
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
    # (a report that leaves resumed empty states nothing, so it disagrees with nothing)
    flag = reports["resumed"].to_numpy(dtype=float, na_value=np.nan)[use]
    stated = ~np.isnan(flag)
    hi = np.full(n * t, -np.inf)
    lo = np.full(n * t, np.inf)
    np.maximum.at(hi, key[stated], flag[stated])
    np.minimum.at(lo, key[stated], flag[stated])
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


@dataclass(frozen=True)
class ReportingPeriod:
    """The dates a ledger of reports covers (:func:`reporting_period`).

    Attributes
    ----------
    first, last : Timestamp
        The first and last day of the daily reports (after the baseline rows, when there are any).
    baseline_start, baseline_end : Timestamp or None
        The calendar month before the daily reports that holds the baseline rows; None when the ledger
        has no rows before the reports.
    """

    first: pd.Timestamp
    last: pd.Timestamp
    baseline_start: pd.Timestamp | None
    baseline_end: pd.Timestamp | None


def reporting_period(reports: pd.DataFrame, gap_days: int = 7) -> ReportingPeriod:
    """The days the daily reports cover, and the baseline month the ledger holds before them.

    Daily reports leave no day uncovered for long; rows that end more than ``gap_days`` days before the
    next report are baseline rows (a month of electricity use before the reports began, say). The
    baseline period is the calendar month of the last of them. A report notebook uses these as the
    defaults of ``as_of`` and the baseline when it runs on a district's own ledger.

    Parameters
    ----------
    reports : DataFrame
        An ``enterprise_reports`` ledger with a ``date`` column.
    gap_days : int
        The longest stretch of days without any report that still counts as one reporting period.

    Raises
    ------
    InputError
        When no row has a date.

    Examples
    --------
    >>> base = pd.date_range("2019-12-01", "2019-12-31")  # a month of baseline rows
    >>> daily = pd.date_range("2020-02-10", "2020-03-31")  # then a report every day
    >>> p = reporting_period(pd.DataFrame({"date": base.append(daily)}))
    >>> [f"{d:%Y-%m-%d}" for d in (p.first, p.last, p.baseline_start, p.baseline_end)]
    ['2020-02-10', '2020-03-31', '2019-12-01', '2019-12-31']
    >>> reporting_period(pd.DataFrame({"date": daily})).baseline_start is None
    True
    """
    gap_days = _validate.number(gap_days, name="gap_days", low=0, integer=True)
    if "date" not in reports:
        raise InputError("reports lack column 'date'")
    days = pd.DatetimeIndex(pd.to_datetime(reports["date"]).dropna().dt.normalize().unique()).sort_values()
    if days.empty:
        raise InputError("reports have no dated row")
    breaks = np.flatnonzero(np.diff(days.to_numpy()) > np.timedelta64(gap_days, "D"))
    if breaks.size == 0:
        return ReportingPeriod(first=days[0], last=days[-1], baseline_start=None, baseline_end=None)
    before = days[breaks[-1]]
    month = before.to_period("M")
    return ReportingPeriod(
        first=days[breaks[-1] + 1],
        last=days[-1],
        baseline_start=month.start_time.normalize(),
        baseline_end=month.end_time.normalize(),
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
