"""Progress of the renovation programme against its plan (public through :mod:`renostats.renovation`).

Holds :func:`progress` (completion against the multi-year programme and the year's plan, and the pace
projection, a :class:`Projection`) and :func:`start_rates` (the year's 开工率 by month). Imports numpy,
pandas, scipy and, from the package, only :mod:`renostats._validate`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from renostats import _validate

__all__ = ["ProgressResult", "Projection", "progress", "start_rates"]

_MONTH = 30.4375  # days in an average month


@dataclass(frozen=True)
class Projection:
    """The pace of completions and the completion date it implies (``ProgressResult.projection``).

    ``status`` says what the other fields hold:

    - ``"projected"``: a pace was measured (``events`` completions over ``window_months``) and the
      completion date follows from it;
    - ``"too early to project"``: fewer than ``min_events`` completions to count, or a window shorter than
      ``min_days``; the pace fields are NaN and the dates NaT on purpose;
    - ``"no completions"``: nothing completed yet; likewise;
    - ``"finished"``: nothing remains; ``projected`` is the date of the last completion.
    """

    status: str
    total: int  #: communities in the programme (the plan's count when a plan is given)
    completed: int  #: completed by ``as_of``
    remaining: int  #: ``total - completed``
    window_start: pd.Timestamp  #: the pace is measured over (window_start, as_of]
    window_months: float  #: length of that window, months of 30.4375 days
    events: int  #: completions counted in the window (the first completion itself is not one of them)
    pace_per_month: float  #: completions a month (events / window_months)
    pace_low: float  #: exact Poisson (Garwood) interval on the pace
    pace_high: float
    projected: pd.Timestamp  #: all done at the measured pace
    projected_early: pd.Timestamp  #: at ``pace_high``
    projected_late: pd.Timestamp  #: at ``pace_low`` (NaT when ``pace_low`` is 0)
    deadline: pd.Timestamp
    needed_per_month: float  #: pace needed to finish by the deadline (inf when the deadline has passed)
    on_track: bool | None  #: measured pace >= needed pace; None when no pace could be measured


@dataclass(frozen=True)
class ProgressResult:
    """Progress of the programme by a date.

    ``table`` and ``by_year`` share their columns: per group, then a ``programme`` row, ``planned``,
    ``started``, ``completed`` (communities), ``buildings_``/``households_``/``floor_area_m2_`` ``planned``
    and ``completed`` sums, ``rate_count`` (completed / planned communities) and ``rate_households``
    (completed / planned households). When a ``plan`` is given it sets the programme row's planned counts
    and rates (groups keep the ledger's); ``households_basis`` says where planned households come from.
    """

    as_of: pd.Timestamp
    table: pd.DataFrame  #: completion against the whole (multi-year) programme
    by_year: pd.DataFrame  #: the same for the communities planned for the as_of year
    starts: (
        pd.DataFrame
    )  #: 开工率 by month of the as_of year against the year's plan (see :func:`start_rates`)
    curve: pd.DataFrame  #: date, started, completed (cumulative communities)
    projection: Projection
    households_basis: str  #: "ledger", "plan_households" or "unknown" (see :func:`progress`)

    def __str__(self) -> str:
        p = self.projection
        head = f"by {self.as_of:%Y-%m-%d}: {p.completed} of {p.total} communities completed"
        needed = f"{p.needed_per_month:.1f} a month needed to finish by {p.deadline:%Y-%m-%d}"
        if p.status == "finished":
            return f"{head}; programme finished on {p.projected:%Y-%m-%d}"
        if p.status == "no completions":
            return f"{head}; no completions to measure a pace from; {needed}"
        if p.status == "too early to project":
            return (
                f"{head}; too early to project ({p.events} completion(s) counted after "
                f"{p.window_start:%Y-%m-%d}, over {p.window_months:.1f} months); {needed}"
            )

        def month(value) -> str:
            return "not within sight" if pd.isna(value) else f"{value:%Y-%m}"

        return (
            f"{head}; pace {p.pace_per_month:.1f} a month ({p.pace_low:.1f} to {p.pace_high:.1f}); all done "
            f"about {month(p.projected)} ({month(p.projected_early)} to {month(p.projected_late)}); {needed}"
        )


def progress(
    ledger: pd.DataFrame,
    as_of: Any,
    by: str | None = None,
    plan: Mapping[int, int] | None = None,
    *,
    plan_households: Mapping[int, int] | None = None,
    deadline: Any = None,
    alpha: float = 0.05,
    programme_start: Any = None,
    window_days: int | None = None,
    min_days: int = 90,
    min_events: int = 3,
) -> ProgressResult:
    """Communities, buildings, households and floor area started and completed by ``as_of``.

    Parameters
    ----------
    ledger : DataFrame
        A ``renovation`` ledger: start_date, completion_date, buildings, households, floor_area_m2,
        planned_year, and the ``by`` column.
    as_of : date-like
        The reporting date.
    by : str, optional
        Group rows by this column (``street``, ``batch``).
    plan : mapping year -> communities, optional
        Planned number of communities per year, when the plan is not the ledger's ``planned_year``. It sets
        the programme row's ``planned`` (the sum) and ``by_year``'s (the as_of year's), and the rates
        are recomputed against it.
    plan_households : mapping year -> households, optional
        Planned households per year, for the households-weighted rates against ``plan``. Without it a
        households-weighted rate needs the ledger to list every planned community: when ``plan``'s count
        equals the ledger's, the ledger's households are the planned ones (``households_basis="ledger"``);
        when the counts differ, planned households are unknown and ``households_planned`` and
        ``rate_households`` of that row are NaN with ``households_basis="unknown"`` (a rate over the
        listed communities would overstate progress against a larger plan).
    deadline : date-like, optional
        When the programme must be finished (default: the end of the last planned year).
    alpha : float
        One minus the confidence level of the pace's interval.
    programme_start : date-like, optional
        When completions could first happen (for example the first start date of the programme). With it,
        the pace counts every completion since then; without it, the pace is measured from the first
        completion and counts the completions after it (the first one only marks when the process was
        seen to begin: counting it too overstates the pace, by a factor (k + 1) / k with k completions).
    window_days : int, optional
        Measure the pace over the last ``window_days`` days only, when they fall after the first completion
        (or after ``programme_start``).
    min_days, min_events : int
        Below a window of ``min_days`` days or ``min_events`` counted completions the projection says
        "too early to project" instead of extrapolating a handful of events.

    Returns
    -------
    ProgressResult
        ``table`` (completion against the whole programme) and ``by_year`` (against the year's plan),
        ``starts`` (the year's 开工率 by month), ``curve`` and ``projection`` (a :class:`Projection`:
        the pace of completions a month with an exact Poisson interval, the completion date it implies,
        and the pace needed to finish by the deadline).

    Examples
    --------
    >>> ledger = pd.DataFrame({"planned_year": [2021] * 4, "households": [10, 20, 30, 40],
    ...     "buildings": 1, "floor_area_m2": 100.0,
    ...     "start_date": pd.to_datetime(["2021-01-05", "2021-02-01", "2021-03-01", None]),
    ...     "completion_date": pd.to_datetime(["2021-03-01", "2021-05-01", None, None])})
    >>> p = progress(ledger, "2021-06-30")
    >>> p.table.loc["programme", ["planned", "completed", "rate_count", "rate_households"]].tolist()
    [4.0, 2.0, 0.5, 0.3]
    >>> p.projection.status, p.projection.events
    ('too early to project', 1)
    """
    as_of = _validate.date(as_of, name="as_of")
    alpha = _validate.alpha(alpha)
    min_days = _validate.number(min_days, name="min_days", low=1, integer=True)
    min_events = _validate.number(min_events, name="min_events", low=1, integer=True)
    if window_days is not None:
        window_days = _validate.number(window_days, name="window_days", low=1, integer=True)
    plan = _plan_mapping(plan, "plan")
    plan_households = _plan_mapping(plan_households, "plan_households")
    if plan_households is not None and plan is None:
        raise _validate.fail("plan_households", "given together with plan (communities per year)", "no plan")
    if by is not None and by not in ledger:
        raise _validate.fail("by", f"a column of the ledger ({', '.join(map(str, ledger.columns))})", by)
    for col in ("start_date", "completion_date", "households", "buildings", "floor_area_m2"):
        if col not in ledger:
            raise _validate.fail("ledger", f"a renovation ledger with a {col!r} column", list(ledger.columns))
    df = ledger.copy()
    df["_started"] = df["start_date"].le(as_of).fillna(False).astype(bool)
    df["_completed"] = df["completion_date"].le(as_of).fillna(False).astype(bool)
    year = as_of.year
    table = _progress_table(df, by)
    basis = "ledger"
    if plan is not None:
        basis = _apply_plan(table, len(df), sum(plan.values()),
                            None if plan_households is None else sum(plan_households.values()))  # fmt: skip
    in_year = df[df["planned_year"] == year] if "planned_year" in df else df.iloc[0:0]
    year_table = _progress_table(in_year, by)
    if plan is not None:
        hh = None if plan_households is None else plan_households.get(year, 0)
        _apply_plan(year_table, len(in_year), plan.get(year, 0), hh)

    done_dates = df.loc[df["_completed"], "completion_date"].sort_values()
    start_dates = df.loc[df["_started"], "start_date"].sort_values()
    span = pd.date_range(min([*start_dates[:1], as_of]), as_of, freq="D")
    curve = pd.DataFrame(
        {
            "date": span,
            "started": np.searchsorted(start_dates.to_numpy(), span.to_numpy(), side="right"),
            "completed": np.searchsorted(done_dates.to_numpy(), span.to_numpy(), side="right"),
        }
    )
    total = len(df) if plan is None else int(sum(plan.values()))
    if deadline is None:
        last = (
            int(df["planned_year"].max())
            if "planned_year" in df and df["planned_year"].notna().any()
            else year
        )
        last = max(last, max(plan)) if plan else last
        deadline = pd.Timestamp(dt.date(last, 12, 31))
    deadline = _validate.date(deadline, name="deadline")
    if programme_start is not None:
        programme_start = _validate.date(programme_start, name="programme_start")
        if programme_start > as_of:
            raise _validate.fail("programme_start", f"on or before as_of ({as_of:%Y-%m-%d})", programme_start)
    projection = _projection(done_dates, as_of, total, deadline, alpha, programme_start, window_days,
                             min_days, min_events)  # fmt: skip
    planned_this_year = plan.get(year, 0) if plan is not None else len(in_year)
    starts = (
        start_rates(ledger, year, as_of=as_of, plan=plan, plan_households=plan_households)
        if planned_this_year
        else _empty_starts()
    )
    return ProgressResult(as_of=as_of, table=table, by_year=year_table, starts=starts, curve=curve,
                          projection=projection, households_basis=basis)  # fmt: skip


def start_rates(
    ledger: pd.DataFrame,
    year: int,
    *,
    as_of: Any = None,
    plan: Mapping[int, int] | None = None,
    plan_households: Mapping[int, int] | None = None,
) -> pd.DataFrame:
    """开工率: communities and households started in ``year``, month by month, against the year's plan.

    As the housing ministry's monthly tables report it (按小区数计开工率 and 按户数计开工率): the
    communities whose works started between 1 January and the end of each month (whatever year they were
    planned for), over the number planned for the year; the households of those communities over the
    households planned for the year. Rates above 1 mean more starts than planned. Completion against the
    multi-year programme is :func:`progress`'s ``table``; the two answer different questions.

    Parameters
    ----------
    year : int
        The plan year.
    as_of : date-like, optional
        Last day counted (default: the end of ``year``); months after it are left out.
    plan, plan_households : mapping year -> number, optional
        The year's planned communities and households, when the plan is not the ledger's ``planned_year``
        (without ``plan_households``, planned households are those of the ledger's communities planned for
        ``year``, and only when their number equals the plan's).

    Returns
    -------
    DataFrame
        One row per month (``month`` as ``YYYY-MM``): ``started`` and ``households_started``
        (cumulative since 1 January), ``planned``, ``households_planned``, ``rate_count``,
        ``rate_households``.

    Examples
    --------
    >>> ledger = pd.DataFrame({"planned_year": [2021, 2021, 2022], "households": [100, 50, 80],
    ...     "start_date": pd.to_datetime(["2021-01-10", "2021-03-02", "2021-03-20"])})
    >>> r = start_rates(ledger, 2021, as_of="2021-03-31")
    >>> r.index.tolist(), r["started"].tolist(), r["rate_count"].tolist()
    (['2021-01', '2021-02', '2021-03'], [1, 1, 3], [0.5, 0.5, 1.5])
    >>> r["rate_households"].round(4).tolist()  # (100 + 50 + 80) / 150 by March
    [0.6667, 0.6667, 1.5333]
    """
    year = _validate.number(year, name="year", low=1900, high=2100, integer=True)
    end = pd.Timestamp(dt.date(year, 12, 31))
    if as_of is not None:
        as_of = _validate.date(as_of, name="as_of")
        if as_of.year != year:
            raise _validate.fail("as_of", f"a date in {year}", f"{as_of:%Y-%m-%d}")
        end = as_of
    plan = _plan_mapping(plan, "plan")
    plan_households = _plan_mapping(plan_households, "plan_households")
    listed = ledger[ledger["planned_year"] == year] if "planned_year" in ledger else ledger.iloc[0:0]
    if plan is not None:
        planned = int(plan.get(year, 0))
        if plan_households is not None:
            hh_planned = float(plan_households.get(year, 0))
        elif planned == len(listed):
            hh_planned = float(listed["households"].astype(float).sum())
        else:
            hh_planned = np.nan
    else:
        planned = len(listed)
        hh_planned = float(listed["households"].astype(float).sum())
    if planned == 0:
        raise _validate.fail("year", "a year with planned communities (planned_year or plan)", year)
    start = ledger["start_date"]
    if isinstance(start.dtype, pd.ArrowDtype):  # pyarrow-backed dates have no months (to_period)
        start = start.astype("datetime64[ns]")
    in_year = start.ge(pd.Timestamp(dt.date(year, 1, 1))) & start.le(end)
    in_year = in_year.fillna(False).astype(bool)
    months = pd.period_range(f"{year}-01", end.to_period("M"), freq="M")
    started_month = start[in_year].dt.to_period("M")
    hh = ledger.loc[in_year, "households"].astype(float)
    started = np.array([(started_month <= m).sum() for m in months], dtype=np.int64)
    hh_started = np.array([hh[(started_month <= m).to_numpy()].sum() for m in months])
    out = pd.DataFrame(
        {
            "started": started,
            "households_started": hh_started,
            "planned": planned,
            "households_planned": hh_planned,
        },
        index=pd.Index(months.strftime("%Y-%m"), name="month"),
    )
    out["rate_count"] = out["started"] / planned
    out["rate_households"] = out["households_started"] / hh_planned
    return out


def _empty_starts() -> pd.DataFrame:
    cols = ["started", "households_started", "planned", "households_planned", "rate_count", "rate_households"]
    return pd.DataFrame(columns=cols, index=pd.Index([], name="month"), dtype=float)


def _plan_mapping(plan: Mapping[int, int] | None, name: str) -> dict[int, int] | None:
    if plan is None:
        return None
    if not isinstance(plan, Mapping) or not plan:
        raise _validate.fail(name, "a mapping year -> number, such as {2021: 80, 2022: 170}", plan)
    return {
        _validate.number(y, name=f"{name} year", low=1900, high=2100, integer=True): _validate.number(
            v, name=f"{name}[{y}]", low=0, integer=True
        )
        for y, v in plan.items()
    }


def _apply_plan(table: pd.DataFrame, listed: int, planned: int, households: float | None) -> str:
    """Set the programme row's planned counts from a plan and recompute its rates; return the basis of the
    planned households."""
    row = table.loc["programme"].copy()
    row["planned"] = planned
    if households is not None:
        basis = "plan_households"
        row["households_planned"] = households
    elif planned == listed:
        basis = "ledger"
    else:
        basis = "unknown"
        row["households_planned"] = np.nan
    row["rate_count"] = row["completed"] / planned if planned else np.nan
    hh = row["households_planned"]
    row["rate_households"] = row["households_completed"] / hh if hh else np.nan
    table.loc["programme"] = row
    return basis


def _progress_table(df: pd.DataFrame, by: str | None) -> pd.DataFrame:
    sums = ("buildings", "households", "floor_area_m2")

    def one(part: pd.DataFrame) -> dict[str, float]:
        row = {
            "planned": len(part),
            "started": int(part["_started"].sum()),
            "completed": int(part["_completed"].sum()),
        }
        for col in sums:
            values = part[col].astype(float)
            row[f"{col}_planned"] = values.sum()
            row[f"{col}_completed"] = values[part["_completed"]].sum()
        row["rate_count"] = row["completed"] / row["planned"] if row["planned"] else np.nan
        hh = row["households_planned"]
        row["rate_households"] = row["households_completed"] / hh if hh else np.nan
        return row

    rows = {}
    if by is not None and len(df):
        for key, part in df.groupby(by, sort=True):
            rows[key] = one(part)
    rows["programme"] = one(df)
    out = pd.DataFrame.from_dict(rows, orient="index").astype(float)
    out.index.name = by
    return out


def _projection(done, as_of, total, deadline, alpha, programme_start, window_days, min_days, min_events):
    completed = len(done)
    remaining = total - completed
    months_left = max((deadline - as_of).days, 0) / _MONTH
    needed = remaining / months_left if months_left > 0 else np.inf
    nat, nan = pd.NaT, float("nan")
    # completions as a Poisson process. Measured from a fixed start every completion since counts; measured
    # from the first completion, the first only marks the start and the k - 1 after it carry the rate
    if programme_start is not None:
        start = programme_start
        if window_days and as_of - pd.Timedelta(days=window_days) > start:
            start = as_of - pd.Timedelta(days=window_days)
        events = int((done >= start).sum()) if start == programme_start else int((done > start).sum())
    elif completed:
        start = done.iloc[0]
        if window_days and as_of - pd.Timedelta(days=window_days) > start:
            start = as_of - pd.Timedelta(days=window_days)
            events = int((done > start).sum())
        else:
            events = completed - 1
    else:
        start, events = as_of, 0
    days = (as_of - start).days
    months = days / _MONTH
    common = dict(total=total, completed=completed, remaining=remaining, window_start=start,
                  window_months=months, events=events, deadline=deadline, needed_per_month=needed)  # fmt: skip
    if remaining <= 0:
        last = done.iloc[-1] if completed else as_of
        return Projection(status="finished", pace_per_month=nan, pace_low=nan, pace_high=nan, projected=last,
                          projected_early=last, projected_late=last, on_track=True, **common)  # fmt: skip
    if completed == 0 or events < min_events or days < min_days:
        status = "no completions" if completed == 0 else "too early to project"
        return Projection(status=status, pace_per_month=nan, pace_low=nan, pace_high=nan, projected=nat,
                          projected_early=nat, projected_late=nat, on_track=None, **common)  # fmt: skip
    rate = events / months
    low = stats.chi2.ppf(alpha / 2, 2 * events) / 2 / months
    high = stats.chi2.ppf(1 - alpha / 2, 2 * events + 2) / 2 / months

    def when(r):
        return as_of + pd.Timedelta(days=remaining / r * _MONTH) if r > 0 else nat

    return Projection(status="projected", pace_per_month=rate, pace_low=low, pace_high=high,
                      projected=when(rate), projected_early=when(high), projected_late=when(low),
                      on_track=bool(rate >= needed), **common)  # fmt: skip
