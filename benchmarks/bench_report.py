"""Report runner overhead and parallel speed-up.

1. ``renostats run`` over every report notebook against the sum of bare ``papermill`` runs of the same
   notebooks (both as command-line processes, as a scheduler would start them). Goal: overhead <= 10%.
2. ``renostats run --jobs 2`` against ``--jobs 1`` over two parameter sets. Goal: >= 1.6x on 2 cores.
3. The same two sets three ways: ``--jobs 2`` (a pool of two local processes), ``--scheduler local
   --jobs 2`` (a LocalCluster of two workers that the run starts and stops), and ``--scheduler`` to a
   LocalCluster already running (as a province's scheduler runs all day). This is the measurement behind
   ``--jobs`` keeping the local pool.

Each timing is the median of ``--repeat`` runs (default 3); the runs compared are interleaved. Run from
the checkout:
``.venv/bin/python benchmarks/bench_report.py``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from renostats import paths, report

BIN = Path(sys.executable).parent


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def _median(cmd_factory, repeat: int) -> float:
    return statistics.median(_time(cmd_factory(k)) for k in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--parts", default="1,2,3", help="which parts to run, e.g. 3")
    args = parser.parse_args()
    parts = {int(p) for p in args.parts.split(",")}
    notebooks = report.list_notebooks()
    sets = sorted(p.stem for p in paths.PARAMS_DIR.glob("*.yaml"))[:2]
    kernel = report._runner._kernel_name()
    print(f"{len(notebooks)} notebook(s): {', '.join(nb.stem for nb in notebooks)}; kernel {kernel}")

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)

        def ours(_k):
            return [str(BIN / "renostats"), "run", "--out", str(out / "ours")]

        def bare(nb):
            return lambda k: [
                str(BIN / "papermill"),
                str(nb),
                str(out / f"bare-{k}-{nb.name}"),
                "-k",
                kernel,
                "--cwd",
                str(nb.parent),
                "--no-progress-bar",
            ]

        if 1 in parts:
            t_ours = _median(ours, args.repeat)
            t_bare = sum(_median(bare(nb), args.repeat) for nb in notebooks)
            print(f"renostats run: {t_ours:.2f} s; sum of bare papermill runs: {t_bare:.2f} s")
            print(f"runner overhead: {t_ours / t_bare - 1:+.1%} (goal <= +10%)")

        def jobs(n):
            cmd = [str(BIN / "renostats"), "run", "--out", str(out / f"jobs{n}"), "--jobs", str(n)]
            for s in sets:
                cmd += ["--set", s]
            return lambda _k: cmd

        if 2 in parts:
            _part_2(jobs, sets, args.repeat)
        if 3 in parts:
            _part_3(jobs, out, sets, args.repeat)


def _part_2(jobs, sets, repeat):
    t1s, t2s = [], []
    for _ in range(repeat):  # interleaved, so a changing load on the machine falls on both
        t1s.append(_time(jobs(1)(0)))
        t2s.append(_time(jobs(2)(0)))
    t1, t2 = statistics.median(t1s), statistics.median(t2s)
    print(
        f"sets {', '.join(sets)} (each with the notebooks it names): --jobs 1 {t1:.2f} s, --jobs 2 {t2:.2f} s"
    )
    print(f"parallel speed-up: {t1 / t2:.2f}x (goal >= 1.6x on 2 cores)")


def _part_3(jobs, out, sets, repeat):
    from distributed import LocalCluster

    own = [*jobs(2)(0), "--scheduler", "local"]
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0") as cluster:
        running = [
            str(BIN / "renostats"),
            "run",
            "--out",
            str(out / "dask"),
            "--scheduler",
            cluster.scheduler_address,
        ]
        for s in sets:
            running += ["--set", s]
        pool, local, warm = [], [], []
        for _ in range(repeat):  # interleaved
            pool.append(_time(jobs(2)(0)))
            local.append(_time(own))
            warm.append(_time(running))
    t_pool, t_own, t_warm = (statistics.median(t) for t in (pool, local, warm))
    print(f"same sets, interleaved: --jobs 2 (a pool of 2 local processes) {t_pool:.2f} s; --scheduler local "
          f"--jobs 2 (its own LocalCluster) {t_own:.2f} s; --scheduler to a running LocalCluster {t_warm:.2f} s; "
          f"LocalCluster / pool = {t_own / t_pool:.2f} (running: {t_warm / t_pool:.2f})")  # fmt: skip


if __name__ == "__main__":
    main()
