"""Province-scale enterprise recovery: daily status, the recovery curves and Kaplan-Meier.

400,000 enterprises x 90 days x 2 reports (72 million rows, synthetic, generated here) through
``daily_status``, the three measures of recovery (count of firms resumed, staff return, real output)
and ``time_to_resumption``. Goal: <= 60 s and <= 12 GB peak memory on 2 cores.

Peers, in the same run:
- a straightforward pandas implementation of the daily status (``groupby().apply`` per firm), on a
  subset of firms (it would take hours on all of them), against renostats on the same subset;
- lifelines' ``KaplanMeierFitter`` on the same durations as ``time_to_resumption`` (in ``.venv-lifelines``,
  which ``make bench`` creates, since lifelines needs pandas < 3).

Run: ``.venv/bin/python benchmarks/bench_recovery.py [--firms 400000] [--days 90]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from renostats.recovery import daily_status, resumption_curve, time_to_resumption

ROOT = Path(__file__).resolve().parents[1]
_LIFELINES = """
import json, sys, time
import numpy as np
from lifelines import KaplanMeierFitter
d = np.load(sys.argv[1], allow_pickle=True)
start = time.perf_counter()
fits = {g: KaplanMeierFitter().fit(d["days"][d["group"] == g], d["resumed"][d["group"] == g]) for g in np.unique(d["group"])}
seconds = time.perf_counter() - start
first = fits[str(d["group"][0])].survival_function_.iloc[1:, 0]
print(json.dumps({"seconds": seconds, "days": first.index.tolist(), "survival": first.tolist()}))
"""


def synthetic_reports(firms: int, days: int, seed: int = 0) -> pd.DataFrame:
    """Two reports a day per firm; firms resume on a random day; 1% of firm-days go unreported."""
    rng = np.random.default_rng(seed)
    n = firms * days * 2
    firm = np.repeat(np.arange(firms, dtype=np.int32), days * 2)
    day = np.tile(np.repeat(np.arange(days, dtype=np.int32), 2), firms)
    slot = np.tile(np.array([0, 1], dtype=np.int8), firms * days)
    resume_day = rng.integers(0, days + 20, firms, dtype=np.int32)  # some never resume in the window
    staff_total = rng.integers(20, 2000, firms, dtype=np.int32)
    since = day - resume_day[firm]
    resumed = since >= 0
    share = np.clip(0.4 + 0.03 * since, 0, 1).astype(np.float32) * resumed
    staff = (staff_total[firm] * share).astype(np.int32)
    capacity = np.clip(0.2 + 0.015 * since, 0, 0.95).astype(np.float32) * resumed
    kwh = (1000 * (0.05 + capacity) * rng.uniform(0.9, 1.1, n)).astype(np.float32)
    keep = rng.random(n) > 0.01
    frame = pd.DataFrame(
        {
            "enterprise": pd.Categorical.from_codes(firm[keep], [f"E{i:06d}" for i in range(firms)]),
            "date": (np.datetime64("2020-02-01") + day[keep].astype("timedelta64[D]")).astype(
                "datetime64[s]"
            ),
            "report_time": pd.Categorical.from_codes(slot[keep], ["09:00", "16:00"]),
            "resumed": resumed[keep],
            "staff_on_duty": staff[keep],
            "staff_total": staff_total[firm][keep],
            "capacity_share": capacity[keep],
            "electricity_kwh": kwh[keep],
            "large_scale": (firm[keep] % 3 == 0),
            "sector": pd.Categorical.from_codes(
                firm[keep] % 6, ["机械", "食品", "医药", "建材", "纺织", "电子"]
            ),
        }
    )
    return frame


def naive_daily_status(reports: pd.DataFrame, carry_days: int = 2) -> pd.DataFrame:
    """The straightforward way: per firm, keep the latest report per day, reindex, forward-fill."""
    days = pd.date_range(reports["date"].min(), reports["date"].max(), freq="D")

    def one(firm: pd.DataFrame) -> pd.DataFrame:
        latest = firm.sort_values(["date", "report_time"]).groupby("date").tail(1).set_index("date")
        latest = latest[["resumed", "staff_on_duty", "staff_total"]].astype(float).reindex(days)
        reported = latest["resumed"].notna()
        filled = latest.ffill(limit=carry_days)
        filled["status"] = np.where(
            reported, "reported", np.where(filled["resumed"].notna(), "carried", "unknown")
        )
        return filled

    return reports.groupby("enterprise", observed=True).apply(one, include_groups=False)


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=400_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--naive-firms", type=int, default=2_000)
    args = parser.parse_args()

    start = time.perf_counter()
    reports = synthetic_reports(args.firms, args.days)
    print(f"generated {len(reports):,} reports of {args.firms:,} firms x {args.days} days "
          f"in {time.perf_counter() - start:.1f} s (not timed below); peak so far {peak_gb():.1f} GB")  # fmt: skip

    timings = {}
    t0 = time.perf_counter()
    status = daily_status(reports, carry_days=2)
    timings["daily_status"] = time.perf_counter() - t0
    del reports
    t0 = time.perf_counter()
    curves = {m: resumption_curve(status, m) for m in ("resumption", "staff", "capacity")}
    timings["three curves"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    times = time_to_resumption(status, by="sector")
    timings["Kaplan-Meier by sector"] = time.perf_counter() - t0
    total = sum(timings.values())
    for name, seconds in timings.items():
        print(f"  {name:>24}: {seconds:6.1f} s")
    print(f"renostats total: {total:.1f} s (goal <= 60 s); peak memory {peak_gb():.1f} GB including the "
          f"input (goal <= 12 GB)")  # fmt: skip
    print(
        f"  last day: resumed {curves['resumption']['value'].iloc[-1]:.3f}, "
        f"staff {curves['staff']['value'].iloc[-1]:.3f}, capacity {curves['capacity']['value'].iloc[-1]:.3f}"
    )

    # lifelines on the same durations, in its own environment (it needs pandas < 3)
    lifelines_python = Path(os.environ.get("LIFELINES_PYTHON", ROOT / ".venv-lifelines" / "bin" / "python"))
    if not lifelines_python.is_file():
        print("lifelines: run `make bench` (it makes .venv-lifelines) or set LIFELINES_PYTHON")
    else:
        d = times.durations
        with tempfile.TemporaryDirectory() as tmp:
            data = Path(tmp) / "durations.npz"
            np.savez(data, days=d["days"].to_numpy(), resumed=d["resumed"].to_numpy(),
                     group=d["group"].astype(str).to_numpy())  # fmt: skip
            out = subprocess.run([str(lifelines_python), "-c", _LIFELINES, str(data)], check=True,
                                 capture_output=True, text=True).stdout  # fmt: skip
        got = json.loads(out)
        first = d["group"].astype(str).iloc[0]
        ours = times.curves[times.curves["group"] == first].set_index("days")["survival"]
        theirs = pd.Series(got["survival"], index=got["days"]).reindex(ours.index)
        print(f"Kaplan-Meier by sector: renostats (statsmodels) {timings['Kaplan-Meier by sector']:.2f} s, "
              f"lifelines {got['seconds']:.2f} s ({got['seconds'] / timings['Kaplan-Meier by sector']:.2f}x); "
              f"max survival difference {np.max(np.abs(ours - theirs)):.1e}")  # fmt: skip

    # the straightforward pandas way, on a subset
    sub = synthetic_reports(args.naive_firms, args.days, seed=1)
    t0 = time.perf_counter()
    naive = naive_daily_status(sub)
    t_naive = time.perf_counter() - t0
    t0 = time.perf_counter()
    fast = daily_status(sub)
    t_fast = time.perf_counter() - t0
    same = np.array_equal(
        np.nan_to_num(naive["resumed"].to_numpy().reshape(fast.status.shape), nan=-1),
        np.nan_to_num(fast.resumed.astype(float), nan=-1),
    )
    print(f"daily status of {args.naive_firms:,} firms: pandas groupby().apply {t_naive:.2f} s, renostats "
          f"{t_fast:.3f} s: {t_naive / t_fast:.0f}x faster; same statuses: {same}")  # fmt: skip


if __name__ == "__main__":
    main()
