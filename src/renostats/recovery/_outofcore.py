"""Enterprise reports larger than memory: :func:`renostats.recovery.daily_status` on a Dask DataFrame.

A national panel (every large-scale industrial enterprise reporting twice a day for a year: about 292
million rows) does not fit in one machine's memory as a pandas frame, but its result does: the daily
status is a dense firm x day grid of small numbers. So the reports stay on disk (a Parquet dataset) and
are read one partition at a time by Dask workers; each partition's firms get their daily status with the
same pandas code, and the client stacks the partitions' grids. Curves and survival then run unchanged.

Required partitioning: **by enterprise** (every report of a firm in one partition; for example a Parquet
dataset partitioned by district, or by a hash of the enterprise code). A firm whose reports straddle
partitions is refused with the names of such firms, never silently split. The days covered, when not
given, are found first with a cheap pass over the ``date`` column.

Analysis layer: imports :mod:`renostats._validate` and :mod:`renostats.errors` only; Dask is imported
when a Dask DataFrame arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from renostats.errors import InputError

__all__ = ["daily_status_dask", "is_dask"]


def is_dask(frame: Any) -> bool:
    """True for a ``dask.dataframe.DataFrame`` (without importing Dask for a pandas frame)."""
    return type(frame).__module__.startswith("dask.") and hasattr(frame, "npartitions")


def daily_status_dask(
    reports: Any,
    pandas_daily_status: Callable[..., Any],
    *,
    carry_days: int,
    scope: str,
    start: Any,
    end: Any,
    baseline: tuple[Any, Any] | None,
) -> Any:
    """The daily status of a Dask DataFrame of reports, equal to the pandas path on the same rows.

    ``pandas_daily_status`` is :func:`renostats.recovery.daily_status` (passed in, so this module does not
    import the module that calls it).
    """
    import dask

    if "enterprise" not in reports.columns or "date" not in reports.columns:
        raise InputError("reports lack column(s) ['enterprise', 'date']")
    if start is None or end is None:
        dates = reports["date"]
        if baseline is not None:
            b0, b1 = (pd.Timestamp(b) for b in baseline)
            dates = dates[(dates < b0) | (dates > b1)]
        lo, hi = dask.compute(dates.min(), dates.max())
        start = pd.Timestamp(lo) if start is None else start
        end = pd.Timestamp(hi) if end is None else end
    options = {"carry_days": carry_days, "scope": scope, "start": start, "end": end, "baseline": baseline}
    tasks = [dask.delayed(_one_partition)(p, pandas_daily_status, options) for p in reports.to_delayed()]
    pieces = [p for p in _gather(tasks) if p is not None]
    if not pieces:
        raise InputError("the reports have no rows")
    return _stack(pieces)


def _gather(tasks: list[Any]) -> list[Any]:
    """Results of the tasks in order; on a distributed cluster each is fetched as soon as it is done.

    Fetching as they finish keeps finished partitions' grids out of the workers' memory (``dask.compute``
    would hold all of them there until the last one is done).
    """
    import dask

    try:
        from distributed import as_completed, get_client

        client = get_client()
    except (ImportError, ValueError):
        return list(dask.compute(*tasks))
    futures = client.compute(tasks)
    where = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * len(futures)
    for future in as_completed(futures):
        out[where[future.key]] = future.result()
        future.release()
    return out


def _one_partition(frame: pd.DataFrame, func: Callable[..., Any], options: dict[str, Any]) -> Any:
    if frame.empty:
        return None
    if options["scope"] == "large_scale" and "large_scale" in frame:
        if not frame["large_scale"].fillna(False).astype(bool).any():
            return None
    return func(frame, **options)


_GRIDS = ("status", "age", "resumed", "staff_on_duty", "staff_total", "capacity_share", "electricity_kwh")


def _stack(pieces: list[Any]) -> Any:
    """One DailyStatus from partitions' statuses over the same days, firms in the pandas path's order.

    Empties ``pieces`` as it goes (one field at a time), so the peak stays near one copy of the grid.
    """
    first = pieces[0]
    if not all(p.dates.equals(first.dates) for p in pieces[1:]):
        raise InputError("partitions cover different days; give start and end")  # pragma: no cover
    kind = type(first)
    small = {
        k: v for k, v in vars(first).items() if k not in (*_GRIDS, "firms", "baseline_kwh", "corrections")
    }
    firms = pd.concat([p.firms for p in pieces], ignore_index=True)
    names = firms["enterprise"].astype(str)
    repeated = names[names.duplicated()].unique().tolist()
    if repeated:
        shown = ", ".join(repeated[:5]) + (" ..." if len(repeated) > 5 else "")
        raise InputError(
            f"{len(repeated)} enterprise(s) have reports in more than one partition ({shown}); partition the "
            "reports by enterprise (e.g. by district, or by a hash of the enterprise code)"
        )
    order = np.argsort(names.to_numpy(), kind="stable")
    grids = [dict(vars(p)) for p in pieces]
    del first
    pieces.clear()
    arrays = {}
    for name in _GRIDS:
        arrays[name] = np.concatenate([g.pop(name) for g in grids], axis=0)[order]
    baseline = None
    if grids[0]["baseline_kwh"] is not None:
        baseline = np.concatenate([g.pop("baseline_kwh") for g in grids])[order]
    corrections = int(sum(g["corrections"] for g in grids))
    return kind(
        **small,
        firms=firms.iloc[order].reset_index(drop=True),
        baseline_kwh=baseline,
        corrections=corrections,
        **arrays,
    )
