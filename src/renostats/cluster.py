"""Work beyond one process: report tasks and data on Dask (``dask.distributed``).

The same code runs on a laptop and on a cluster. :func:`client` gives a Dask client: connected to an
existing scheduler (``tcp://HOST:PORT``, for workers started with ``dask scheduler`` / ``dask worker``)
or, without an address, to a :class:`~distributed.LocalCluster` of a few worker processes that it starts
and stops itself. :func:`run_tasks` runs one function over many argument tuples as Dask tasks, each in a
scratch folder on its worker, and brings the files each task wrote back to the client, so the caller
writes its run folder exactly as a local run does. A worker that dies mid-task is replaced and its task
runs again elsewhere (Dask's own rescheduling); a task that raises is retried once.

Parameters that name files must be readable where the task runs: local paths (on storage the workers
share) or fsspec URLs (``file://``, ``s3://``, ...). :func:`check_location` checks each before anything
is submitted; on the worker, a URL other than ``file://`` is copied into the task's scratch folder and the
task sees a local path.

This module imports only :mod:`renostats.errors` from the package (the runner imports it, not the other
way round). Dask is the ``cluster`` extra.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from renostats.errors import UsageError

__all__ = ["FILE_PARAMETERS", "check_location", "client", "local_path", "run_tasks"]

#: Notebook parameters that name files or folders, checked before submitting and copied to workers.
FILE_PARAMETERS = ("data_dir", "facts_dir", "ledger")


@contextlib.contextmanager
def client(
    scheduler: str | None = None, *, workers: int = 2, memory_limit: str = "4GiB", timeout: float = 10
) -> Iterator[Any]:
    """A Dask client for the scheduler at ``scheduler``, or for a LocalCluster it starts and stops.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://10.0.0.5:8786``). Without it a LocalCluster of
        ``workers`` processes (one thread each) is started for the duration of the ``with`` block.
    workers : int
        Worker processes of the LocalCluster.
    memory_limit : str
        Memory limit of each LocalCluster worker (Dask spills and then restarts a worker above it).
    timeout : float
        Seconds to wait for the scheduler at ``scheduler``.

    Raises
    ------
    UsageError
        When the scheduler cannot be reached.
    """
    import logging

    from distributed import Client, LocalCluster

    # Dask's own logging of cluster start and stop is not what a user of a report run needs to read.
    for name in ("distributed", "distributed.scheduler", "distributed.nanny", "distributed.core"):
        logging.getLogger(name).setLevel(logging.ERROR)
    if scheduler:
        try:
            c = Client(scheduler, timeout=f"{timeout}s")
        except (OSError, TimeoutError) as exc:
            raise UsageError(
                f"--scheduler {scheduler}: cannot reach a Dask scheduler there ({exc})"
            ) from None
        try:
            yield c
        finally:
            c.close()
        return
    with (
        LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=memory_limit,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def local_path(value: str) -> str:
    """A ``file://`` URL as a local path; any other value unchanged.

    >>> local_path("file:///srv/districts/daxiang")
    '/srv/districts/daxiang'
    >>> local_path("s3://bucket/daxiang")
    's3://bucket/daxiang'
    """
    if value.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return unquote(urlparse(value).path)
    return value


def check_location(name: str, value: str) -> None:
    """Refuse a file parameter that names nothing readable (a local path or an fsspec URL).

    >>> check_location("data_dir", "/no/such/folder")
    Traceback (most recent call last):
    ...
    renostats.errors.UsageError: data_dir: '/no/such/folder' does not exist
    """
    text = str(value)
    if "://" in text and not text.startswith("file://"):
        import fsspec

        try:
            fs, path = fsspec.core.url_to_fs(text)
            found = fs.exists(path)
        except (ImportError, ValueError) as exc:
            raise UsageError(f"{name}: cannot open {text!r}: {exc}") from None
        if not found:
            raise UsageError(f"{name}: {text!r} does not exist")
        return
    if not Path(local_path(text)).expanduser().exists():
        raise UsageError(f"{name}: {text!r} does not exist")


def run_tasks(
    func: Callable[..., Any],
    tasks: Sequence[Sequence[Any]],
    *,
    target_index: int,
    params_index: int | None = None,
    scheduler: str | None = None,
    workers: int = 2,
    on_result: Callable[[Any, int, int], None] | None = None,
) -> list[Any]:
    """Run ``func(*task)`` for every task on Dask and return the results in the order of ``tasks``.

    ``task[target_index]`` is the folder the task writes into: on the worker it is replaced by a scratch
    folder, and every file written there comes back and is written under the original folder on the
    client. Fields of the result that are paths inside the scratch folder are moved to the original one.
    ``task[params_index]`` (a mapping), when given, has its file parameters made readable on the worker.

    Parameters
    ----------
    func : callable
        Importable by the workers (a module-level function of an installed package).
    tasks : sequence of tuples
        Positional arguments of each call.
    target_index, params_index : int
        Positions of the output folder and of the parameter mapping in each task.
    scheduler : str, optional
        A scheduler address; a LocalCluster of ``workers`` processes otherwise.
    on_result : callable, optional
        Called as ``on_result(result, done, total)`` when each task finishes (in finishing order).
    """
    from distributed import as_completed

    results: list[Any] = [None] * len(tasks)
    with client(scheduler, workers=workers) as c:
        futures = {
            c.submit(
                _in_scratch,
                func,
                tuple(task),
                target_index,
                params_index,
                key=f"task-{i}-{os.getpid()}",
                pure=False,
                retries=1,
            ): i
            for i, task in enumerate(tasks)
        }
        done = 0
        for future in as_completed(futures):
            i = futures[future]
            result, files, scratch = future.result()
            target = Path(tasks[i][target_index])
            for rel, data in files.items():
                dest = target / rel
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_bytes(data)
            results[i] = _moved(result, Path(scratch), target)
            done += 1
            if on_result is not None:
                on_result(results[i], done, len(tasks))
    return results


def _in_scratch(
    func: Callable[..., Any], task: tuple, target_index: int, params_index: int | None
) -> tuple[Any, dict[str, bytes], str]:
    """Worker side: run the task in a scratch folder and return its result and the files it wrote."""
    args = list(task)
    with tempfile.TemporaryDirectory(prefix="renostats-task-") as tmp:
        out = Path(tmp) / "out"
        out.mkdir()
        args[target_index] = out
        if params_index is not None and isinstance(args[params_index], Mapping):
            args[params_index] = _fetch_inputs(dict(args[params_index]), Path(tmp) / "in")
        result = func(*args)
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        return result, files, str(out)


def _fetch_inputs(params: dict[str, Any], folder: Path) -> dict[str, Any]:
    """File parameters given as remote URLs, copied into ``folder``; ``file://`` URLs as local paths."""
    for name in FILE_PARAMETERS:
        value = params.get(name)
        if not isinstance(value, str) or not value:
            continue
        if "://" in value and not value.startswith("file://"):
            import fsspec

            fs, path = fsspec.core.url_to_fs(value)
            dest = folder / name
            dest.mkdir(parents=True, exist_ok=True)
            if fs.isdir(path):
                fs.get(path.rstrip("/") + "/", str(dest) + "/", recursive=True)
                params[name] = str(dest)
            else:
                local = dest / Path(path).name
                fs.get(path, str(local))
                params[name] = str(local)
        else:
            params[name] = local_path(value)
    return params


def _moved(result: Any, scratch: Path, target: Path) -> Any:
    """``result`` with every path field inside ``scratch`` re-rooted at ``target``."""
    if not dataclasses.is_dataclass(result):
        return result
    changes = {}
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, Path) and value.is_relative_to(scratch):
            changes[f.name] = target / value.relative_to(scratch)
    return dataclasses.replace(result, **changes) if changes else result
