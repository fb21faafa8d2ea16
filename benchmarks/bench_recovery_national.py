"""National-scale enterprise recovery out of core: Parquet on disk, daily status on a Dask LocalCluster.

Every large-scale industrial enterprise (400,000) reporting twice a day for a year is 292 million report
rows, about 27 GB as a pandas frame: more than this machine holds. The reports are written as a Parquet
dataset partitioned by enterprise (one file per block of firms), then ``daily_status`` reads it through a
LocalCluster of two single-threaded workers, followed by the three recovery curves and Kaplan-Meier by
sector. Goal: it completes with a peak memory of all processes (client, nannies, workers) <= 12 GB.

In the same run, the in-memory (pandas) path at the largest size that fits comfortably (``--inmem-firms``),
and the time per 10 million rows of both paths.

Run: ``.venv/bin/python benchmarks/bench_recovery_national.py [--firms 400000] [--days 365] [--parts 80]``
(needs the ``cluster`` extra; the Parquet dataset goes to ``--dir`` or a temporary folder, ~6 GB).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import psutil

from renostats.recovery import daily_status, resumption_curve, time_to_resumption

try:
    from bench_recovery import synthetic_reports
except ImportError:  # run from another folder
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_recovery import synthetic_reports


class PeakMemory:
    """Peak resident memory of this process and all its children, sampled every 0.2 s."""

    def __init__(self) -> None:
        self.peak = 0
        self.peak_since = 0
        self._phase = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.peak_since = max(self.peak_since, total)
            time.sleep(0.2)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def gb(self) -> float:
        return self.peak / 1024**3

    def phase(self) -> float:
        """The peak since the last call (GB), and a new start: the peak of one step of the run."""
        peak, self._phase = max(self._phase, self.peak_since), 0
        self.peak_since = 0
        return peak / 1024**3


def write_dataset(folder: Path, firms: int, days: int, parts: int) -> int:
    """Reports of ``firms`` firms in ``parts`` Parquet files, each holding whole firms; returns the rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    per = -(-firms // parts)
    rows = 0
    for k in range(parts):
        n = min(per, firms - k * per)
        if n <= 0:
            break
        frame = synthetic_reports(n, days, seed=k)
        frame["enterprise"] = frame["enterprise"].cat.rename_categories(lambda c, k=k: f"P{k:03d}{c}")
        frame["date"] = frame["date"].astype("datetime64[ms]")
        table = pa.Table.from_pandas(frame, preserve_index=False)
        pq.write_table(table, folder / f"part-{k:03d}.parquet", row_group_size=len(frame))
        rows += len(frame)
        del frame, table
    return rows


def curves_and_survival(status) -> dict[str, float]:
    timings = {}
    t0 = time.perf_counter()
    curves = {m: resumption_curve(status, m) for m in ("resumption", "staff", "capacity")}
    timings["three curves"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    time_to_resumption(status, by="sector")
    timings["Kaplan-Meier by sector"] = time.perf_counter() - t0
    last = {m: float(c["value"].iloc[-1]) for m, c in curves.items()}
    print(
        f"  last day: resumed {last['resumption']:.3f}, staff {last['staff']:.3f}, capacity {last['capacity']:.3f}"
    )
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=400_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--parts", type=int, default=80)
    parser.add_argument("--inmem-firms", type=int, default=40_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-memory", default="2GiB")
    parser.add_argument(
        "--dir", help="where to write the Parquet dataset (kept); a temporary folder otherwise"
    )
    parser.add_argument("--reuse", action="store_true", help="use the Parquet files already in --dir")
    args = parser.parse_args()

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    tmp = None
    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="renostats-national-"))
    if not args.dir:
        tmp = folder
    try:
        t0 = time.perf_counter()
        if args.reuse and any(folder.glob("*.parquet")):
            import pyarrow.parquet as pq

            rows = sum(pq.ParquetFile(f).metadata.num_rows for f in folder.glob("*.parquet"))
        else:
            rows = write_dataset(folder, args.firms, args.days, args.parts)
        size = sum(f.stat().st_size for f in folder.glob("*.parquet")) / 1024**3
        print(f"wrote {rows:,} reports of {args.firms:,} firms x {args.days} days x 2 into {args.parts} Parquet "
              f"files ({size:.1f} GB) in {time.perf_counter() - t0:.0f} s (not timed below)")  # fmt: skip

        with PeakMemory() as mem:
            with (
                LocalCluster(
                    n_workers=args.workers,
                    threads_per_worker=1,
                    memory_limit=args.worker_memory,
                    dashboard_address=":0",
                ) as cluster,
                Client(cluster),
            ):
                t0 = time.perf_counter()
                reports = dd.read_parquet(str(folder), split_row_groups=False)
                status = daily_status(reports, carry_days=2)
                t_status = time.perf_counter() - t0
            print(f"out of core: daily status of {status.status.shape[0]:,} firms x {status.status.shape[1]} days "
                  f"in {t_status:.0f} s ({t_status / rows * 1e7:.1f} s per 10 million rows); peak "
                  f"{mem.phase():.1f} GB")  # fmt: skip
            timings = curves_and_survival(status)
            del status
            print(f"  curves and survival on the client: {', '.join(f'{k} {v:.0f} s' for k, v in timings.items())}; "
                  f"peak {mem.phase():.1f} GB (the status grid held)")  # fmt: skip
        total = t_status + sum(timings.values())
        print(
            f"out of core total {total:.0f} s; peak memory of all processes {mem.gb:.1f} GB (goal <= 12 GB)"
        )

        # the in-memory path at a size that fits, for the time per 10 million rows
        with PeakMemory() as mem_in:
            frame = synthetic_reports(args.inmem_firms, args.days, seed=99)
            n_in = len(frame)
            t0 = time.perf_counter()
            daily_status(frame, carry_days=2)
            t_in = time.perf_counter() - t0
        print(f"in memory: {n_in:,} rows ({args.inmem_firms:,} firms) in {t_in:.1f} s "
              f"({t_in / n_in * 1e7:.1f} s per 10 million rows), peak {mem_in.gb:.1f} GB")  # fmt: skip
        grid_gb = args.firms * args.days * 23 / 1024**3
        part_gb = rows / args.parts * 100 / 1024**3
        print(f"on a cluster of k workers: each worker needs ~{part_gb * 3:.1f} GB (a partition of "
              f"{rows // args.parts:,} rows as pandas, with working copies); the client holds the status grid "
              f"(~{grid_gb:.1f} GB for {args.firms:,} x {args.days}); the daily-status step scales ~1/k "
              f"({t_status:.0f} s on {args.workers} here -> ~{t_status * args.workers:.0f}/k s), the curves "
              f"run on the client")  # fmt: skip
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
