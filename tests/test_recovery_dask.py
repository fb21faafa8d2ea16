"""Enterprise reports on Dask give the same daily status, curves and survival as in pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe")
dask = pytest.importorskip("dask")

from renostats import datasets, recovery  # noqa: E402
from renostats.errors import InputError  # noqa: E402

GRIDS = ("status", "age", "resumed", "staff_on_duty", "staff_total", "capacity_share", "electricity_kwh")


def by_firm(frame: pd.DataFrame, parts: int) -> dd.DataFrame:
    """A Dask frame whose partitions hold whole firms (by a hash of the enterprise), in shuffled order."""
    bucket = pd.util.hash_pandas_object(frame["enterprise"].astype(str), index=False).to_numpy() % parts
    pieces = [frame[bucket == k].sample(frac=1, random_state=k) for k in range(parts)]
    return dd.from_delayed([dask.delayed(p) for p in pieces], meta=frame.iloc[:0])


def assert_same(a: recovery.DailyStatus, b: recovery.DailyStatus) -> None:
    for name in GRIDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    if a.baseline_kwh is None:
        assert b.baseline_kwh is None
    else:
        np.testing.assert_allclose(a.baseline_kwh, b.baseline_kwh, rtol=1e-12, equal_nan=True)
    pd.testing.assert_frame_equal(a.firms, b.firms)
    assert a.dates.equals(b.dates) and a.corrections == b.corrections and a.carry_days == b.carry_days


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return datasets.load_demo("enterprise_reports").data


@pytest.mark.parametrize("scope", ["all", "large_scale"])
def test_demo_reports_in_four_partitions_equal_pandas(demo, scope):
    options = {"carry_days": 2, "scope": scope, "baseline": ("2019-12-01", "2019-12-31")}
    ref = recovery.daily_status(demo, **options)
    with dask.config.set(scheduler="synchronous"):
        got = recovery.daily_status(by_firm(demo, 4), **options)
    assert_same(ref, got)
    for measure in ("resumption", "staff", "capacity"):
        pd.testing.assert_frame_equal(
            recovery.resumption_curve(ref, measure), recovery.resumption_curve(got, measure), rtol=1e-12
        )
    pd.testing.assert_frame_equal(
        recovery.time_to_resumption(ref, by="sector").curves,
        recovery.time_to_resumption(got, by="sector").curves,
    )


def test_generated_panel_on_a_local_cluster_equals_pandas(tmp_path):
    distributed = pytest.importorskip("distributed")
    rng = np.random.default_rng(7)
    firms, days = 300, 20
    rows = []
    for f in range(firms):
        start = rng.integers(0, days + 5)
        for d in range(days):
            for hour in ("09:00", "16:00"):
                if rng.random() < 0.05:
                    continue
                rows.append((f"F{f:04d}", pd.Timestamp("2020-02-10") + pd.Timedelta(days=d), hour, d >= start,
                             int(rng.integers(0, 50)), 50, f % 3 == 0, ["机械", "食品"][f % 2]))  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=[
            "enterprise",
            "date",
            "report_time",
            "resumed",
            "staff_on_duty",
            "staff_total",
            "large_scale",
            "sector",
        ],
    )
    frame.to_parquet(tmp_path / "reports.parquet")
    ref = recovery.daily_status(frame, carry_days=1)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, memory_limit="1GiB", dashboard_address=":0"
    ) as lc:
        with distributed.Client(lc):
            got = recovery.daily_status(by_firm(frame, 4), carry_days=1)
    assert_same(ref, got)


def test_a_firm_split_across_partitions_is_refused(demo):
    halves = [demo.iloc[: len(demo) // 2], demo.iloc[len(demo) // 2 :]]
    split = dd.from_delayed([dask.delayed(p) for p in halves], meta=demo.iloc[:0])
    with dask.config.set(scheduler="synchronous"), pytest.raises(InputError, match="more than one partition"):
        recovery.daily_status(split)


@pytest.mark.parametrize(("straddling", "ellipsis"), [(5, False), (6, True)])
def test_the_refusal_names_five_straddling_firms_and_says_when_there_are_more(straddling, ellipsis):
    frame = pd.DataFrame({"enterprise": [f"E{k}" for k in range(straddling) for _ in range(2)],
                          "date": pd.Timestamp("2020-03-02"), "resumed": True})  # fmt: skip
    parts = [frame.iloc[::2], frame.iloc[1::2]]  # each firm's two reports in different partitions
    split = dd.from_delayed([dask.delayed(p) for p in parts], meta=frame.iloc[:0])
    with dask.config.set(scheduler="synchronous"), pytest.raises(InputError) as err:
        recovery.daily_status(split)
    assert f"{straddling} enterprise(s) have reports in more than one partition (E0, E1, E2, E3, E4" in str(
        err.value
    )
    assert str(err.value).count(" ...") == int(ellipsis)
