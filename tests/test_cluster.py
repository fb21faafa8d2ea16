"""Tasks on Dask: files come back to the client, a killed worker's task runs again, inputs are checked.

Each test starts and stops its own LocalCluster (two single-threaded worker processes, 1 GiB each).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest.importorskip("distributed")

from renostats import cluster
from renostats.errors import UsageError


@dataclass(frozen=True)
class Written:
    name: str
    page: Path
    worker_pid: int
    seen: str


def write_page(name: str, target: Path, params: dict) -> Written:
    """A stand-in for a notebook execution: writes two files under ``target``."""
    (target / "sub").mkdir(parents=True, exist_ok=True)
    page = target / f"{name}.html"
    page.write_text(f"<p>{name} {params.get('district', '')}</p>", encoding="utf-8")
    (target / "sub" / f"{name}.txt").write_bytes(b"\x00\x01")
    seen = ""
    if params.get("data_dir"):
        seen = ",".join(sorted(p.name for p in Path(params["data_dir"]).iterdir()))
    return Written(name=name, page=page, worker_pid=os.getpid(), seen=seen)


def die_once(name: str, target: Path, params: dict) -> Written:
    """Kills its worker process the first time it runs (a marker file says it already did)."""
    marker = Path(params["marker"])
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        os._exit(1)
    return write_page(name, target, params)


@pytest.fixture(scope="module")
def scheduler():
    """One small LocalCluster for the tests that reach it by address (the --scheduler path)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, memory_limit="1GiB", dashboard_address=":0") as lc:
        yield lc.scheduler_address


def test_files_come_back_to_the_client_and_paths_point_there(tmp_path, scheduler):
    tasks = [(f"nb{i}", tmp_path / f"set{i % 2}", {"district": "北塔区"}) for i in range(4)]
    seen = []
    results = cluster.run_tasks(
        write_page,
        tasks,
        target_index=1,
        params_index=2,
        scheduler=scheduler,
        on_result=lambda r, d, t: seen.append((d, t)),
    )
    assert [r.name for r in results] == ["nb0", "nb1", "nb2", "nb3"]
    for r, task in zip(results, tasks, strict=True):
        assert r.page == task[1] / f"{r.name}.html"
        assert r.page.read_text(encoding="utf-8") == f"<p>{r.name} 北塔区</p>"
        assert (task[1] / "sub" / f"{r.name}.txt").read_bytes() == b"\x00\x01"
        assert r.worker_pid != os.getpid()
    assert sorted(seen) == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_a_killed_worker_does_not_lose_the_task(tmp_path):
    marker = tmp_path / "killed-once"
    tasks = [
        ("a", tmp_path / "out", {"marker": str(marker)}),
        ("b", tmp_path / "out", {"marker": str(marker)}),
    ]
    results = cluster.run_tasks(die_once, tasks, target_index=1, params_index=2)
    assert marker.exists()  # one worker died
    assert int(marker.read_text()) not in {r.worker_pid for r in results}  # its task ran elsewhere
    assert sorted(p.name for p in (tmp_path / "out").glob("*.html")) == ["a.html", "b.html"]


def test_file_urls_reach_the_task_as_local_paths(tmp_path, scheduler):
    data = tmp_path / "district"
    data.mkdir()
    (data / "renovation.csv").write_text("x\n1\n", encoding="utf-8")
    tasks = [("nb", tmp_path / "out", {"data_dir": data.as_uri()})]
    (result,) = cluster.run_tasks(write_page, tasks, target_index=1, params_index=2, scheduler=scheduler)
    assert result.seen == "renovation.csv"


def test_inputs_are_checked_before_anything_runs(tmp_path):
    cluster.check_location("data_dir", str(tmp_path))
    cluster.check_location("data_dir", tmp_path.as_uri())
    with pytest.raises(UsageError, match="does not exist"):
        cluster.check_location("data_dir", (tmp_path / "missing").as_uri())
    with pytest.raises(UsageError, match="does not exist"):
        cluster.check_location("ledger", "memory://nothing/here.xlsx")


def test_an_unreachable_scheduler_is_a_usage_error():
    with (
        pytest.raises(UsageError, match="cannot reach a Dask scheduler"),
        cluster.client("tcp://127.0.0.1:1", timeout=2),
    ):
        pass
