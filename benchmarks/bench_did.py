"""Staggered difference-in-differences at national scale: renostats against moderndid.

One run: a balanced panel of 220,000 units x 24 periods (staggered adoption, no covariates, never-treated
controls, analytic standard errors), ``att_gt`` plus the dynamic aggregation, in renostats and in moderndid
(``est_method="dr"``, ``boot=False``, ``cband=False``), each in its own process so that peak memory is its
own. Goals: renostats at least 5x faster than moderndid, at most 1.5 GB peak, the same ATT(g, t) to 1e-6.
Then a national monthly panel, 220,000 x 72, renostats only (goal: within 60 s).

Run: ``.venv/bin/python benchmarks/bench_did.py [--units 220000] [--skip-moderndid]``.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
import warnings

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
    if which == "renostats":
        from renostats.did import aggregate, att_gt

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
    args = parser.parse_args()

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
    monthly = measure("renostats", args.units, 72)
    print(f"{args.units:,} units x 72 periods (national monthly panel), renostats: {monthly['total']:.1f} s "
          f"(goal <= 60 s); peak {monthly['peak_gb']:.2f} GB")  # fmt: skip


if __name__ == "__main__":
    main()
