"""The runner: notebooks executed with papermill (here, in local processes or as Dask tasks) into a run folder."""

from __future__ import annotations

import concurrent.futures as cf
import copy
import functools
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renostats import cluster, paths
from renostats.errors import UsageError
from renostats.lang import LANGS, keep_language
from renostats.report._notebook import METRIC_MIME
from renostats.report._pages import (
    _export_html,
    _exporter,
    _short,
    _title,
    _write_index,
    _write_metrics,
    _write_metrics_csv,
    _write_workbook,
)
from renostats.report._params import (
    _check_names,
    _read_matrix,
    _read_set,
    _resolve_notebooks,
    _set_notebooks,
    _typed,
    list_notebooks,
    notebook_parameters,
    read_yaml,
)

#: Name of the Jupyter kernel that ``make`` registers for the project's environment.
KERNEL_NAME = "renostats"


@dataclass(frozen=True)
class NotebookRun:
    """One executed notebook of a run."""

    notebook: str
    set_name: str | None
    title: str
    status: str  # "ok", "failed", or "invalid" (the notebook refused a parameter value)
    output: Path
    html: Path | None
    seconds: float
    parameters: dict[str, Any]
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    error: str | None = None
    workbook: Path | None = None  # <notebook>.xlsx with the tables the page registered
    lang: str = "en"


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` did: the run folder, each notebook's outcome, and where ``latest`` points."""

    run_dir: Path
    notebooks: tuple[NotebookRun, ...]
    latest: Path | None

    @property
    def ok(self) -> bool:
        """True when every notebook succeeded."""
        return all(nb.status == "ok" for nb in self.notebooks)

    @property
    def invalid_parameters(self) -> bool:
        """True when every failure is a notebook refusing a parameter value (a usage error)."""
        return bool(self.failures) and all(nb.status == "invalid" for nb in self.failures)

    @property
    def failures(self) -> tuple[NotebookRun, ...]:
        """The notebooks that failed."""
        return tuple(nb for nb in self.notebooks if nb.status != "ok")


def run(
    notebooks: Sequence[str | Path] | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
    param_file: str | Path | None = None,
    sets: Sequence[str] | None = None,
    jobs: int = 1,
    out: str | Path | None = None,
    show_code: bool = False,
    progress: Callable[[str], None] | None = print,
    matrix: str | Path | None = None,
    scheduler: str | None = None,
) -> RunResult:
    """Execute report notebooks with papermill into a new, dated run folder.

    Parameters
    ----------
    notebooks : list of str or Path, optional
        Names (``00_source_figures``, ``00``, ``00_source_figures.ipynb``) or paths; all report
        notebooks in ``notebooks/`` by default.
    parameters : mapping, optional
        Parameter values (``-p NAME VALUE``); they override the file and the sets.
    param_file : path, optional
        A YAML mapping of parameter values (``-f params.yaml``).
    sets : list of str, optional
        Named parameter sets, ``notebooks/params/<name>.yaml`` (``--set``). Each set is a separate
        run of every notebook, in its own subfolder when there are several.
    jobs : int
        Notebooks executed at the same time (each in its own kernel), in a pool of local processes; with
        ``scheduler="local"``, the workers of the LocalCluster.
    out : path, optional
        Reports folder that receives the run folder and ``latest`` (default ``reports/``).
    show_code : bool
        Keep code cells in the HTML pages.
    progress : callable or None
        Receives one line per finished notebook.
    matrix : path, optional
        A CSV or YAML table with one row per district (``--matrix``): each row is a parameter set named by
        its ``name`` column (or its ``district``), run into its own subfolder. The index gains a table with
        one row per district, and ``metrics.csv`` holds every district's metrics.
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://HOST:PORT``), or ``"local"`` for a Dask LocalCluster of
        ``jobs`` workers that the run starts and stops: each notebook runs as a task on that cluster,
        and the pages come back here. Files named by ``data_dir``/``facts_dir``/``ledger`` must be readable by the
        workers (shared storage or fsspec URLs); they are checked before anything is submitted.

    Every parameter given must be declared by at least one selected notebook; each notebook receives
    the ones it declares.

    Returns
    -------
    RunResult
        Check ``result.ok``; ``result.failures`` names what failed.

    Raises
    ------
    UsageError
        For an unknown notebook, set or parameter, a bad YAML file, a missing ``data_dir`` or ``jobs < 1``;
        nothing is written in that case.
    """
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, got {jobs}")
    root = Path(out) if out is not None else paths.REPORTS_DIR
    _check_reports_folder(root)
    selected = _resolve_notebooks(notebooks)
    declared = {nb: notebook_parameters(nb) for nb in selected}
    given: dict[str, Any] = {}
    if param_file is not None:
        given.update(read_yaml(Path(param_file)))
    given.update(parameters or {})
    set_names = list(sets or [])
    set_params = {name: _read_set(name) for name in set_names}
    if matrix is not None:
        rows = _read_matrix(Path(matrix))
        clash = sorted(set(rows) & set(set_params))
        if clash:
            raise UsageError(f"--matrix row {clash[0]!r} has the name of a --set")
        set_names += list(rows)
        set_params.update(rows)
    # a set may name the notebooks it is for (a district's own reports): "notebooks: [00, 04]"
    set_notebooks = {
        name: _set_notebooks(name, values.pop("notebooks", None), selected)
        for name, values in set_params.items()
    }
    _check_names(given, declared, "parameter")
    # a set (or a matrix row) serves several notebooks: a name any report notebook takes is fine
    every = {nb: notebook_parameters(nb) for nb in list_notebooks()} | declared
    for name, values in set_params.items():
        _check_names(values, every, f"parameter in set {name!r}")
    given = {name: _typed(name, value, declared) for name, value in given.items()}
    for values in set_params.values():
        for name, value in values.items():
            _typed(name, value, every)
    for values in [given, *set_params.values()]:
        for name in cluster.FILE_PARAMETERS:
            if values.get(name):
                cluster.check_location(name, str(values[name]))
                # notebooks run inside notebooks/: a relative path means the caller's folder
                text = str(values[name])
                if "://" not in text and not Path(text).expanduser().is_absolute():
                    values[name] = str(Path(text).expanduser().resolve())
        if values.get("data_dir") and "://" not in str(values["data_dir"]):
            folder = Path(str(values["data_dir"])).expanduser()
            if not folder.is_dir():
                raise UsageError(f"data_dir: '{_short(str(values['data_dir']))}' is not a folder")

    label = "+".join(set_names) if matrix is None else Path(matrix).stem
    run_dir = _new_run_dir(root, label)
    tasks = []
    for set_name in set_names or [None]:
        merged = {**set_params.get(set_name, {}), **given} if set_name else dict(given)
        target = run_dir / set_name if set_name and len(set_names) > 1 else run_dir
        for nb in set_notebooks.get(set_name) or selected:
            mine = {k: v for k, v in merged.items() if k in declared[nb]}
            tasks.append((nb, set_name, mine, target, show_code))

    results: list[NotebookRun] = []
    total = len(tasks)
    say = progress or (lambda _line: None)
    say(f"running {total} notebook(s) into {run_dir}")

    def on_result(result: NotebookRun, done: int, n: int) -> None:
        say(_progress_line(result, done, n))

    if scheduler:
        local = scheduler == "local"
        workers = min(jobs, total)
        say(
            f"on a Dask LocalCluster of {workers} worker process(es)"
            if local
            else f"submitting to the Dask scheduler at {scheduler}"
        )
        results = cluster.run_tasks(
            _execute,
            tasks,
            target_index=3,
            params_index=2,
            scheduler=None if local else scheduler,
            workers=workers,
            on_result=on_result,
        )
    elif jobs == 1 or total == 1:
        for task in tasks:
            results.append(_execute(*task))
            on_result(results[-1], len(results), total)
    else:
        # benchmarks/bench_report.py times this pool against a LocalCluster the run starts itself
        # (--scheduler local): on one machine the pool, whose forked workers start with papermill
        # already imported, is the faster
        results = _run_in_pool(tasks, jobs, on_result)
    order = {(t[0].stem, t[1]): i for i, t in enumerate(tasks)}
    results.sort(key=lambda r: order[(r.notebook, r.set_name)])

    _write_metrics(run_dir, results)
    _write_metrics_csv(run_dir, results)
    _write_index(run_dir, results, label, districts=matrix is not None or len(set_names) > 1)
    latest = None
    if all(r.status == "ok" for r in results):
        latest = _point_latest(root, run_dir)
    return RunResult(run_dir=run_dir, notebooks=tuple(results), latest=latest)


def _run_in_pool(tasks: list[tuple], jobs: int, on_result: Callable[[Any, int, int], None]) -> list[Any]:
    """The tasks in a pool of local processes (results in finishing order)."""
    # Workers are forked: importing the executing and exporting stacks once here spares each worker
    # that start-up cost.
    import multiprocessing

    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    results = []
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    with cf.ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=context) as pool:
        futures = [pool.submit(_execute, *task) for task in tasks]
        for future in cf.as_completed(futures):
            results.append(future.result())
            on_result(results[-1], len(results), len(tasks))
    return results


def read_metrics(notebook: str | Path | Any) -> dict[str, dict[str, Any]]:
    """Metrics recorded with :func:`record` in an executed notebook (a path or an nbformat node)."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4) if isinstance(notebook, str | Path) else notebook
    metrics: dict[str, dict[str, Any]] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if METRIC_MIME in data:
                item = dict(data[METRIC_MIME])
                metrics[item.pop("name")] = item
    return metrics


def _check_reports_folder(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UsageError(f"--out: '{_short(str(root))}' is a file, not a folder")
    latest = root / "latest"
    if latest.exists() and not latest.is_symlink():
        raise UsageError(
            f"'{latest}' is a real {'folder' if latest.is_dir() else 'file'}; renostats keeps latest as a "
            "link to the last good run: move it away and run again"
        )


def _new_run_dir(root: Path, label: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{label}" if label else stamp
    candidate, k = root / base, 2
    while True:  # mkdir is the test: two runs started in the same second never share a folder
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            candidate, k = root / f"{base}-{k}", k + 1


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    return KERNEL_NAME if KERNEL_NAME in KernelSpecManager().find_kernel_specs() else "python3"


def _readable_translator():
    """A papermill translator that writes Chinese strings as themselves, not as ``\\u`` escapes."""
    from papermill.translators import PythonTranslator

    class ReadablePythonTranslator(PythonTranslator):
        @classmethod
        def translate_str(cls, val):
            return repr(val)

    return ReadablePythonTranslator


def _execute(
    notebook: Path, set_name: str | None, params: dict[str, Any], target: Path, show_code: bool
) -> NotebookRun:
    import nbformat
    import papermill
    from papermill.translators import papermill_translators

    papermill_translators.register("python", _readable_translator())
    # The kernel does the work while this process waits: load the HTML exporter meanwhile.
    warm = threading.Thread(target=_exporter, args=(show_code,), daemon=True)
    warm.start()
    target.mkdir(parents=True, exist_ok=True)
    output = target / notebook.name
    start = time.perf_counter()
    error = None
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=params,
            kernel_name=_kernel_name(),
            cwd=str(notebook.parent),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_quiet_kernel_manager(),
        )
        status = "ok"
    except papermill.PapermillExecutionError as exc:
        status = "failed"
        # cell_index counts from 0 over the output notebook, which includes the injected cell
        error = (
            f"{notebook.name} failed in cell {exc.cell_index + 1} (In [{exc.exec_count}]): "
            f"{exc.ename}: {exc.evalue}"
        )
        if exc.ename in _REFUSALS:
            status = "invalid"
    except Exception as exc:  # kernel death, missing kernel, unreadable notebook
        status = "failed"
        error = f"{notebook.name} failed: {type(exc).__name__}: {exc}"
    warm.join()
    nb = nbformat.read(str(output), as_version=4) if output.is_file() else None
    lang = params.get("lang", "en") if params.get("lang") in LANGS else "en"
    page = workbook = shown = None
    if nb is not None:
        shown = keep_language(copy.deepcopy(nb), lang)  # the page holds the run's language only
        page = _export_html(shown, output.with_suffix(".html"), show_code, lang)
        workbook = _write_workbook(shown, output.with_suffix(".xlsx"), params, lang, status)
    seconds = time.perf_counter() - start
    return NotebookRun(
        notebook=notebook.stem,
        set_name=set_name,
        title=_title(shown) if shown is not None else notebook.stem,
        status=status,
        output=output,
        html=page,
        seconds=seconds,
        parameters=params,
        metrics=read_metrics(nb) if nb is not None else {},
        error=error,
        workbook=workbook,
        lang=lang,
    )


#: Errors by which a notebook refuses its input (a parameter value, or the ledger it points at): the
#: run asked for something that cannot be done, a usage error (exit 2), not a failure of the notebook.
_REFUSALS = ("ParameterError", "LedgerError")


@functools.cache
def _quiet_kernel_manager() -> type:
    """A kernel manager that talks to the kernel over local sockets (IPC) where the system has them,
    and does not interrupt the kernel it shuts down.

    Over TCP the kernel prints a warning about unencrypted traffic on every start (five lines per
    report run); IPC sockets are quieter and reachable only through the local file system.
    """
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            if os.name == "posix" and "transport" not in kwargs:
                import uuid

                from jupyter_core.paths import jupyter_runtime_dir

                # a socket path of its own: by default IPC sockets are named kernel-ipc-N in the
                # working folder, which kernels running side by side would share
                runtime = Path(jupyter_runtime_dir())
                if len(str(runtime)) > 80:  # socket paths are limited to about 100 bytes
                    import tempfile

                    runtime = Path(tempfile.gettempdir())
                runtime.mkdir(parents=True, exist_ok=True)
                kwargs["transport"] = "ipc"
                kwargs["ip"] = str(runtime / f"renostats-{uuid.uuid4().hex[:12]}")
            super().__init__(**kwargs)

        async def _async_interrupt_kernel(self) -> None:
            # A shutdown first interrupts the kernel, to stop a cell still running. A report's kernel is
            # shut down idle, and an idle kernel answers the interrupt by printing "KeyboardInterrupt
            # caught in kernel" into the run's output: a shutdown here asks the kernel to stop instead
            # (and kills it if it does not).
            if self.shutting_down:
                return
            await super()._async_interrupt_kernel()

    return QuietKernelManager


def _progress_line(result: NotebookRun, done: int, total: int) -> str:
    where = f" [{result.set_name}]" if result.set_name else ""
    left = f", {total - done} left" if total > done else ""
    line = f"[{done}/{total}] {result.notebook}{where}: {result.status} in {result.seconds:.1f} s{left}"
    if result.error:
        line += f"\n    {_short(result.error, 500)}\n    output kept: {result.output}"
    return line


def _point_latest(root: Path, run_dir: Path) -> Path:
    """Atomically repoint ``root/latest`` at ``run_dir`` (a relative symlink)."""
    latest = root / "latest"
    tmp = root / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_dir.relative_to(root) if run_dir.parent == root else run_dir)
    try:
        os.replace(tmp, latest)
    finally:
        if tmp.is_symlink():
            tmp.unlink()
    return latest
