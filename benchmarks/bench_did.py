"""Staggered difference-in-differences at national scale: renostats against moderndid.

One run: a balanced panel of 220,000 units x 24 periods (staggered adoption, no covariates, never-treated
controls, analytic standard errors), ``att_gt`` plus the dynamic aggregation, in renostats and in moderndid
(``est_method="dr"``, ``boot=False``, ``cband=False``), each in its own process so that peak memory is its
own. Goals: renostats at least 5x faster than moderndid, at most 1.5 GB peak, the same ATT(g, t) to 1e-6.
Then the same panel with 5% of unit-periods missing (renostats' unbalanced path), and a national monthly
panel, 220,000 x 72, renostats only (goal: within 60 s).

Sensitivity and dose-response (``--part honest`` / ``--part dose``): ``did.honest`` for seven relative-magnitude
and seven smoothness bounds on moderndid's ``mpdta`` (goal: at least 10x faster than moderndid's
``honest_did``), and ``did.dose`` against moderndid's ``cont_did`` on its own ``gen_cont_did_data``. moderndid
runs in the Python given by ``--moderndid-python`` (default: /work/venvs/moderndid, a separate environment
with ``moderndid[didhonest]`` and polars < 2, which moderndid 0.2's ``cont_did`` needs).

Run: ``.venv/bin/python benchmarks/bench_did.py [--units 220000] [--skip-moderndid] [--part all|att_gt|honest|dose]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd


def synthetic_panel(units: int, periods: int, seed: int = 0) -> pd.DataFrame:
    """Staggered adoption: a quarter never treated, the rest first treated in periods 3..periods."""
    rng = np.random.default_rng(seed)
    cohorts = np.r_[0, np.arange(3, periods + 1)]
    p = np.r_[0.25, np.full(len(cohorts) - 1, 0.75 / (len(cohorts) - 1))]
    g = rng.choice(cohorts, units, p=p)
    t = np.tile(np.arange(1, periods + 1, dtype=np.int32), units)
    G = np.repeat(g, periods)
    effect = np.where((G > 0) & (t >= G), 1.0 + 0.05 * (t - G), 0.0)
    y = np.repeat(rng.normal(size=units), periods) + 0.1 * t + effect + rng.normal(size=units * periods)
    return pd.DataFrame({"id": np.repeat(np.arange(units, dtype=np.int32), periods), "t": t, "g": G, "y": y})


def _rss_gb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1024**3


def _run(which: str, units: int, periods: int, queue) -> None:
    df = synthetic_panel(units, periods)
    before = _rss_gb()
    start = time.perf_counter()
    if which in ("renostats", "renostats-unbalanced"):
        from renostats.did import aggregate, att_gt

        if which == "renostats-unbalanced":  # 5% of unit-periods missing at random
            df = df[np.random.default_rng(1).random(len(df)) >= 0.05]
            before = _rss_gb()
            start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            res = att_gt(df, "y", "t", "id", "g")
        t_gt = time.perf_counter() - start
        dyn = aggregate(res, "dynamic")
        att = res.table.set_index(["cohort", "time"])["att"]
        overall = dyn.overall.att
    else:
        import moderndid as md

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = md.att_gt(
                df, yname="y", tname="t", idname="id", gname="g", est_method="dr", boot=False, cband=False
            )
            t_gt = time.perf_counter() - start
            dyn = md.aggte(res, type="dynamic", cband=False)
        att = pd.Series(res.att_gt, index=pd.MultiIndex.from_arrays([res.groups, res.times]))
        overall = dyn.overall_att
    total = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    queue.put(
        {"att_gt": t_gt, "total": total, "peak_gb": peak, "before_gb": before, "att": att, "overall": overall}
    )


def measure(which: str, units: int, periods: int) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_run, args=(which, units, periods, queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=220_000)
    parser.add_argument("--skip-moderndid", action="store_true")
    parser.add_argument("--part", choices=["all", "att_gt", "honest", "dose"], default="all")
    parser.add_argument("--moderndid-python", default=MODERNDID_PYTHON)
    args = parser.parse_args()
    if args.part in ("all", "honest"):
        bench_honest(args.moderndid_python)
    if args.part in ("all", "dose"):
        bench_dose(args.moderndid_python)
    if args.part not in ("all", "att_gt"):
        return

    ours = measure("renostats", args.units, 24)
    print(f"{args.units:,} units x 24 periods, att_gt + dynamic aggregation")
    print(f"  renostats: {ours['total']:6.1f} s (att_gt {ours['att_gt']:.1f} s); peak {ours['peak_gb']:.2f} GB "
          f"({ours['peak_gb'] - ours['before_gb']:.2f} GB above the loaded data)")  # fmt: skip
    if not args.skip_moderndid:
        try:
            theirs = measure("moderndid", args.units, 24)
        except ImportError:
            print("  moderndid not installed: pip install -e '.[test]'")
        else:
            print(f"  moderndid: {theirs['total']:6.1f} s (att_gt {theirs['att_gt']:.1f} s); peak {theirs['peak_gb']:.2f} GB "
                  f"({theirs['peak_gb'] - theirs['before_gb']:.2f} GB above the loaded data)")  # fmt: skip
            diff = (ours["att"] - theirs["att"].reindex(ours["att"].index)).abs().max()
            print(f"  speed-up {theirs['total'] / ours['total']:.1f}x (goal >= 5x); peak memory ratio "
                  f"{ours['peak_gb'] / theirs['peak_gb']:.2f}; max |ATT(g,t) difference| {diff:.1e} (goal <= 1e-6); "
                  f"overall dynamic ATT {ours['overall']:.6f} vs {theirs['overall']:.6f}")  # fmt: skip
    unbalanced = measure("renostats-unbalanced", args.units, 24)
    print(f"{args.units:,} units x 24 periods, 5% of unit-periods missing (cell by cell): "
          f"{unbalanced['total']:.1f} s (att_gt {unbalanced['att_gt']:.1f} s); peak {unbalanced['peak_gb']:.2f} GB")  # fmt: skip
    monthly = measure("renostats", args.units, 72)
    print(f"{args.units:,} units x 72 periods (national monthly panel), renostats: {monthly['total']:.1f} s "
          f"(goal <= 60 s); peak {monthly['peak_gb']:.2f} GB")  # fmt: skip


# --------------------------------------------------------------------------------------------------
# Sensitivity (did.honest) and dose-response (did.dose) against moderndid, run in its own environment

MODERNDID_PYTHON = "/work/venvs/moderndid/bin/python"
MBARS = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]
MS = [0.0, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05]

_HONEST_PEER = """
import json, sys, time, warnings
warnings.simplefilter("ignore")
from moderndid import aggte, att_gt, load_mpdta
from moderndid.didhonest import honest_did
df = load_mpdta()
df.write_csv(sys.argv[1])
es = aggte(att_gt(data=df, yname="lemp", tname="year", gname="first.treat", idname="countyreal",
                  est_method="dr", boot=False, base_period="universal"), type="dynamic")
out = {}
for kind, key, values in (("relative_magnitude", "m_bar_vec", %(mbars)r), ("smoothness", "m_vec", %(ms)r)):
    t0 = time.perf_counter()
    res = honest_did(es, event_time=0, sensitivity_type=kind, **{key: values})
    out[kind] = {"seconds": time.perf_counter() - t0, "low": res.robust_ci["lb"].to_list(),
                 "high": res.robust_ci["ub"].to_list()}
print(json.dumps(out))
"""

_DOSE_PEER = """
import json, sys, time, warnings
import numpy as np
warnings.simplefilter("ignore")
from moderndid import cont_did
from moderndid.core.data import gen_cont_did_data
data = gen_cont_did_data(n=int(sys.argv[2]), num_time_periods=6, dose_linear_effect=0.5, dose_quadratic_effect=0.3,
                         seed=3)
data.write_csv(sys.argv[1], float_precision=17)
dvals = np.linspace(0.05, 0.95, 19)
t0 = time.perf_counter()
res = cont_did(data=data, yname="Y", tname="time_period", idname="id", gname="G", dname="D", degree=3,
               num_knots=0, dvals=dvals, biters=1000, random_state=1)
print(json.dumps({"seconds": time.perf_counter() - t0, "att_d": np.asarray(res.att_d).tolist(),
                  "acrt_d": np.asarray(res.acrt_d).tolist(), "overall_acrt": float(res.overall_acrt)}))
"""


def _peer(python: str, script: str, *args: str) -> dict | None:
    if not Path(python).exists():
        print(f"  moderndid environment not found at {python} (see --moderndid-python)")
        return None
    done = subprocess.run([python, "-c", script, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_honest(python: str) -> None:
    from renostats.did import aggregate, att_gt, honest

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "mpdta.csv")
        theirs = _peer(python, _HONEST_PEER % {"mbars": MBARS, "ms": MS}, path)
        if theirs is None:
            return
        df = pd.read_csv(path)
    es = aggregate(
        att_gt(df, "lemp", "year", "countyreal", "first.treat", base_period="universal"), "dynamic"
    )
    print("did.honest on mpdta, event 0, seven bounds (ours includes the breakdown search)")
    for kind, bounds in (("relative_magnitude", MBARS), ("smoothness", MS)):
        start = time.perf_counter()
        res = honest(es, event=0, restriction=kind, bounds=bounds)
        ours = time.perf_counter() - start
        t = theirs[kind]
        gap = max(np.max(np.abs(res.table["low"] - t["low"])), np.max(np.abs(res.table["high"] - t["high"])))
        print(
            f"  {kind:18s} renostats {ours:6.2f} s   moderndid {t['seconds']:7.1f} s   "
            f"speed-up {t['seconds'] / ours:6.0f}x (goal >= 10x)   max endpoint gap {gap:.1e}"
        )


def bench_dose(python: str, units: int = 20_000) -> None:
    from renostats.did import dose

    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "cont.csv")
        theirs = _peer(python, _DOSE_PEER, path, str(units))
        if theirs is None:
            return
        df = pd.read_csv(path)
    start = time.perf_counter()
    res = dose(df, "Y", "time_period", "id", "G", "D", degree=3, doses=np.linspace(0.05, 0.95, 19))
    ours = time.perf_counter() - start
    gap = max(
        np.max(np.abs(res.curve["att"] - theirs["att_d"])),
        np.max(np.abs(res.curve["acrt"] - theirs["acrt_d"])),
    )
    print(f"did.dose, {units:,} units x 6 periods (moderndid's generator), cubic B-spline")
    print(f"  renostats {ours:6.2f} s   moderndid {theirs['seconds']:6.1f} s   speed-up {theirs['seconds'] / ours:5.0f}x"
          f"   max |ATT(d), ACRT(d) difference| {gap:.1e}")  # fmt: skip


if __name__ == "__main__":
    main()
