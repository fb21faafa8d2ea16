"""Scheduled report runs over papermill, and what notebooks call to take part in them.

A run executes notebooks (the templates in ``notebooks/`` are never modified) into a fresh folder
``reports/<YYYYmmdd-HHMMSS>[-<set>]/`` holding, per notebook, the executed ``.ipynb`` (the run's log) and
an HTML page, plus ``metrics.json`` and an ``index.html`` that links them. ``reports/latest`` moves to the
new folder only when every notebook succeeded, so a failed run never hides the last good report.

Inside a notebook:

- :func:`record` stores a headline number; the runner collects it into ``metrics.json``. In JupyterLab
  it just shows the number.
- :func:`check_dir`, :func:`check_date`, :func:`check_choice` and :func:`check_range` validate
  parameters in the cell after the ``parameters`` cell, each failing with a one-line
  :class:`ParameterError` that names the parameter and the value.

Examples
--------
>>> record("households", 29681, unit="户")
>>> check_choice("district", "双清区", ["双清区", "北塔区"])
'双清区'
>>> check_date("as_of", "2020-04-31")
Traceback (most recent call last):
...
renostats.errors.ParameterError: parameter as_of: '2020-04-31' is not a valid date (use YYYY-MM-DD)
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import copy
import datetime as dt
import functools
import html
import json
import math
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from renostats import _validate, cluster, paths
from renostats.errors import ParameterError, UsageError
from renostats.lang import LANGS, keep_language
from renostats.tables import table

__all__ = [
    "METRIC_MIME",
    "CommandLineText",
    "NotebookRun",
    "Page",
    "ParameterError",
    "RunResult",
    "UsageError",
    "check_choice",
    "check_date",
    "check_dir",
    "check_range",
    "list_notebooks",
    "notebook_parameters",
    "read_metrics",
    "read_yaml",
    "record",
    "run",
    "start",
    "table",
]

#: MIME type of the display output that :func:`record` emits and the runner reads back.
METRIC_MIME = "application/vnd.renostats.metric+json"
#: Name of the Jupyter kernel that ``make`` registers for the project's environment.
KERNEL_NAME = "renostats"

_METRIC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")
_SET_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


# --------------------------------------------------------------------------------------------------
# Inside notebooks


def record(name: str, value: Any, *, unit: str | None = None, label: str | None = None) -> None:
    """Record a headline number of the notebook for ``metrics.json``.

    Parameters
    ----------
    name : str
        Metric name, a Python-identifier-like string (dots allowed), unique within the notebook.
    value : number, str, bool or None
        The value; numpy scalars are converted. Must be JSON-serialisable after conversion.
    unit : str, optional
        Unit for readers (``"yuan"``, ``"share"``, ``"户"`` ...).
    label : str, optional
        Human-readable description shown in the report index.

    Notes
    -----
    The metric travels as a display output with MIME type :data:`METRIC_MIME` (and a plain-text line),
    so the executed notebook itself carries its metrics and nothing depends on environment variables.
    Outside IPython the call only checks its arguments.
    """
    if not isinstance(name, str) or not _METRIC_NAME.match(name):
        raise ValueError(f"metric name must look like an identifier, got {name!r}")
    clean = _validate.plain(value)
    try:
        json.dumps(clean, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"metric {name}: value {value!r} is not a finite JSON value") from exc
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    if get_ipython() is None:
        return
    payload = {"name": name, "value": clean, "unit": unit, "label": label}
    shown = _format_value(clean) + (f" {unit}" if unit else "")
    text = f"recorded {name} = {shown}" + (f"  ({label})" if label else "")
    display({METRIC_MIME: payload, "text/plain": text}, raw=True)


def check_dir(name: str, value: str | os.PathLike[str] | None, default: Path | None = None) -> Path:
    """Return ``value`` as an existing folder, or ``default`` when ``value`` is empty.

    Raises
    ------
    ParameterError
        If the folder does not exist.
    """
    if value is None or str(value) == "":
        if default is None:
            raise ParameterError(f"parameter {name}: no folder given")
        value = default
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ParameterError(f"parameter {name}: folder '{value}' does not exist")
    return path.resolve()


def check_date(name: str, value: Any):
    """Return ``value`` as a ``pandas.Timestamp``: an ISO date (``YYYY-MM-DD``) or ``"today"``.

    Raises
    ------
    ParameterError
        If the value is not a real calendar date in ISO form.
    """
    import pandas as pd

    text = str(value)
    if text.strip().lower() == "today":  # a scheduled run reports the current week, not a frozen date
        return pd.Timestamp(dt.date.today())
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ParameterError(f"parameter {name}: {value!r} is not a valid date (use YYYY-MM-DD)")
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise ParameterError(f"parameter {name}: {value!r} is not a valid date (use YYYY-MM-DD)") from None


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    ParameterError
        Naming the parameter, the value and the allowed choices.
    """
    allowed = list(choices)
    if value not in allowed:
        listed = ", ".join(repr(c) for c in allowed)
        raise ParameterError(f"parameter {name}: unknown value {value!r}; expected one of {listed}")
    return value


@dataclass
class Page:
    """What a report notebook's check cell sets up once: the language, the data folder, the notes.

    Made by :func:`start`. ``t`` writes sentences and numbers in the run's language; :meth:`ledger` finds and
    reads a ledger of the data folder; :meth:`date` resolves a date parameter (``"today"``, or the data's
    own date when the analyst gave a data folder but left the date at the demo's default); :meth:`note`
    collects what the page should say about the choices made for the reader (shown by :meth:`show_notes`).
    """

    lang: str
    t: Any
    folder: Path
    own_data: bool  # True when data_dir was given (the district's own files, not the bundled demo)
    notes: list[str] = field(default_factory=list)

    def ledger(self, kind: str, **kwargs: Any) -> Any:
        """Find the ledger of ``kind`` in the data folder and read it (a ``LedgerRead``)."""
        from renostats.datasets import find_ledger
        from renostats.ledger import read_ledger

        return read_ledger(find_ledger(self.folder, kind), kind, **kwargs)

    def synthetic(self, path: str | Path) -> bool:
        """True for the bundled synthetic demo files."""
        return not self.own_data and "synthetic" in Path(path).name

    def date(self, name: str, value: Any, default: Any, from_data: Any = None, *, earliest: Any = None):
        """The date parameter ``name`` as a Timestamp.

        ``"today"`` is today. When the analyst gave a data folder but left ``name`` at the notebook's
        default (the demo's date), ``from_data`` (for example the last date reported) is used instead,
        and a note says so. A date before ``earliest`` (the first date in the data) is refused.
        """
        import pandas as pd

        chosen = check_date(name, value)
        if self.own_data and str(value) == str(default) and from_data is not None and not pd.isna(from_data):
            chosen = pd.Timestamp(from_data).normalize()
            self.note(
                self.t(
                    "{name} was left at the demo's {default}: this page uses {date}, taken from the data.",
                    "{name}未设置(示例默认值为{default}),本页采用数据中的日期{date}。",
                    name=name,
                    default=default,
                    date=self.t.date(chosen),
                )
            )
        if earliest is not None and not pd.isna(earliest) and chosen < pd.Timestamp(earliest).normalize():
            raise ParameterError(
                f"parameter {name}: {chosen.date()} is before every date in the data (the first is "
                f"{pd.Timestamp(earliest).date()})"
            )
        return chosen

    def note(self, text: str) -> None:
        """Remember a sentence the page should show the reader (a default taken from the data ...)."""
        if text not in self.notes:
            self.notes.append(text)

    def show_notes(self) -> None:
        """Print the notes collected so far, one per line (nothing when there are none)."""
        for text in self.notes:
            print(text)


def start(
    lang: str = "en", data_dir: str | os.PathLike[str] | None = "", default: Path | None = None
) -> Page:
    """Set up a report notebook: check ``lang`` and ``data_dir``, the house style, pandas' display.

    Parameters
    ----------
    lang : {"en", "zh"}
        The run's language; anything else is a :class:`ParameterError` (exit 2 in a report run).
    data_dir : path, optional
        The district's folder; empty means ``default`` (the bundled demo data).
    default : path, optional
        The folder used when ``data_dir`` is empty (``paths.DEMO_DIR`` when not given).

    Examples
    --------
    >>> page = start("zh")
    >>> page.t("{n} firms", "{n}家", n=24), page.own_data
    ('24家', False)
    """
    from renostats.lang import Text, check_lang
    from renostats.plotting import use_style

    check_lang(lang)
    folder = check_dir("data_dir", data_dir, default=default or paths.DEMO_DIR)
    try:
        import pandas as pd

        pd.set_option("display.width", 130)
        pd.set_option("display.unicode.east_asian_width", True)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    use_style()
    return Page(lang=lang, t=Text(lang), folder=folder, own_data=bool(data_dir))


def check_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    inclusive: bool = False,
) -> float:
    """Return ``value`` as a float inside ``(low, high)`` (or ``[low, high]`` when ``inclusive``).

    Raises
    ------
    ParameterError
        If the value is not a number or lies outside the range.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter {name}: {value!r} is not a number") from None
    below = low is not None and (number < low if inclusive else number <= low)
    above = high is not None and (number > high if inclusive else number >= high)
    if math.isnan(number) or below or above:
        left, right = ("[", "]") if inclusive else ("(", ")")
        raise ParameterError(f"parameter {name}: {value!r} is outside {left}{low}, {high}{right}")
    return number


# --------------------------------------------------------------------------------------------------
# The runner


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


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """The report notebooks in ``folder`` (default ``notebooks/``): ``NN_name.ipynb``, in order."""
    folder = folder or paths.NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Parameters declared in the notebook's ``parameters`` cell, with their defaults."""
    import papermill

    found = papermill.inspect_notebook(str(notebook))
    return {name: spec.get("default") for name, spec in found.items()}


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
        Notebooks executed at the same time (each in its own kernel).
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
        Address of a Dask scheduler (``tcp://HOST:PORT``): each notebook runs as a task on that cluster,
        and the pages come back here. Files named by ``data_dir``/``ledger`` must be readable by the
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
    if scheduler:
        say(f"submitting to the Dask scheduler at {scheduler}")
        results = cluster.run_tasks(
            _execute,
            tasks,
            target_index=3,
            params_index=2,
            scheduler=scheduler,
            on_result=lambda r, done, n: say(_progress_line(r, done, n)),
        )
    elif jobs == 1 or total == 1:
        for task in tasks:
            results.append(_execute(*task))
            say(_progress_line(results[-1], len(results), total))
    else:
        # Workers are forked: importing the executing and exporting stacks once here spares each
        # worker that start-up cost.
        import multiprocessing

        import nbconvert  # noqa: F401
        import papermill  # noqa: F401

        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        with cf.ProcessPoolExecutor(max_workers=min(jobs, total), mp_context=context) as pool:
            futures = [pool.submit(_execute, *task) for task in tasks]
            for future in cf.as_completed(futures):
                results.append(future.result())
                say(_progress_line(results[-1], len(results), total))
    order = {(t[0].stem, t[1]): i for i, t in enumerate(tasks)}
    results.sort(key=lambda r: order[(r.notebook, r.set_name)])

    _write_metrics(run_dir, results)
    _write_metrics_csv(run_dir, results)
    _write_index(run_dir, results, label, districts=matrix is not None or len(set_names) > 1)
    latest = None
    if all(r.status == "ok" for r in results):
        latest = _point_latest(root, run_dir)
    return RunResult(run_dir=run_dir, notebooks=tuple(results), latest=latest)


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


class CommandLineText(str):
    """A parameter value as typed on the command line, read against the type the notebook declares.

    ``-p carry_days 010`` is the whole number 10 for a notebook whose ``carry_days = 2``; ``-p district
    "北塔区 #备注"`` is that text, comment sign included, for a notebook whose ``district = "双清区"``;
    lists and mappings (``-p plan_years "[2022, 2023]"``) are read as YAML 1.2 (no ``on``/``no`` booleans,
    no octal ``010``, no sexagesimal ``1:20``, no aliases).
    """


def read_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A parameter file: a mapping of names to values, read with YAML 1.2 core rules and no aliases.

    Raises
    ------
    UsageError
        For a missing file, a folder, text that is not UTF-8, invalid YAML, an alias (``*name``) or a
        document that is not a mapping of names.
    """
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"parameter file '{_short(str(path))}' is a folder, not a YAML file")
    if not path.is_file():
        raise UsageError(f"parameter file '{_short(str(path))}' does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"parameter file '{path}' is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    values = _load_yaml(text, f"parameter file '{path}'")
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise UsageError(f"parameter file '{path}' must be a mapping of parameter names to values")
    return values


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's scalars, refusing aliases.

    YAML 1.1 (PyYAML's default) reads ``010`` as 8, ``1:20`` as 80, ``on``/``no`` as booleans and
    leaves ``1e-3`` a string; an alias such as ``&a [*a]`` can make a 291-byte file expand without end.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in parameter files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
]:  # fmt: skip
    _Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))
_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _Yaml12Loader.construct_yaml_int)


def _load_yaml(text: str, what: str) -> Any:
    try:
        return yaml.load(text, Loader=_Yaml12Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{what} is not valid YAML{where}: {problem}") from None


_TYPE_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
               list: "a list such as [2022, 2023]", dict: "a mapping such as {a: 1}"}  # fmt: skip


def _declared_types(
    name: str, declared: Mapping[Path, Mapping[str, Any]]
) -> list[tuple[Path, Any, type | None]]:
    """(notebook, default as written, type of the default) for each notebook that declares ``name``."""
    out = []
    for nb, params in declared.items():
        if name in params:
            written = params[name]
            try:
                default = ast.literal_eval(written) if isinstance(written, str) else written
            except (ValueError, SyntaxError):
                out.append((nb, written, None))
                continue
            kind = type(default)
            out.append((nb, written, kind if kind in _TYPE_WORDS else None))
    return out


def _typed(name: str, value: Any, declared: Mapping[Path, Mapping[str, Any]]) -> Any:
    """``value`` read (command-line text) and checked against the type each notebook declares."""
    types = _declared_types(name, declared)
    if isinstance(value, CommandLineText):
        kind = next((t for _, _, t in types if t is not None), None)
        value = _read_text(name, str(value), kind)
    for nb, written, kind in types:
        if kind is None or _fits(value, kind):
            continue
        raise UsageError(
            f"parameter {name}: {_short(repr(value))} is not {_TYPE_WORDS[kind]}; "
            f"{nb.stem} declares {name} = {_short(str(written))}"
        )
    return value


def _fits(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _read_text(name: str, text: str, kind: type | None) -> Any:
    if kind is str:
        return text
    value = _load_yaml(text, f"parameter {name} ({_short(repr(text))})")
    if value is None and text.strip() == "":
        return text
    return value


def _check_reports_folder(root: Path) -> None:
    if root.exists() and not root.is_dir():
        raise UsageError(f"--out: '{_short(str(root))}' is a file, not a folder")
    latest = root / "latest"
    if latest.exists() and not latest.is_symlink():
        raise UsageError(
            f"'{latest}' is a real {'folder' if latest.is_dir() else 'file'}; renostats keeps latest as a "
            "link to the last good run: move it away and run again"
        )


# --------------------------------------------------------------------------------------------------
# Helpers


def _format_value(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:.6g}"
    return str(value)


def _resolve_notebooks(names: Sequence[str | Path] | None) -> list[Path]:
    available = list_notebooks()
    if not names:
        if not available:
            raise UsageError(f"no report notebooks in {paths.NOTEBOOKS_DIR}")
        return available
    chosen: list[Path] = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path.resolve())
            continue
        stem = path.name.removesuffix(".ipynb")
        matches = [p for p in available if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in available)
            raise UsageError(f"unknown notebook {str(name)!r}; available: {known}")
        chosen.append(matches[0])
    return chosen


def _read_matrix(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of a ``--matrix`` file (CSV or YAML list of mappings), keyed by their ``name`` or ``district``."""
    if not path.is_file():
        raise UsageError(f"--matrix file '{path}' does not exist")
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _load_yaml(path.read_text(encoding="utf-8"), f"--matrix file '{path}'")
        if isinstance(rows, dict) and isinstance(rows.get("districts"), list):
            rows = rows["districts"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UsageError(f"--matrix file '{path}' must be a list of mappings (one per district)")
        rows = [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows]
    elif path.suffix.lower() == ".csv":
        import csv

        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="gb18030")
        rows = [
            {k.strip(): _scalar(v.strip()) for k, v in r.items() if k and v is not None and v.strip() != ""}
            for r in csv.DictReader(text.splitlines())
        ]
    else:
        raise UsageError(f"--matrix file '{path}' must be .csv or .yaml")
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows, start=2 if path.suffix.lower() == ".csv" else 1):
        key = str(row.pop("name", None) or row.get("district") or "").strip()
        if not key or re.search(r"[/\\\x00]|^\.", key):
            raise UsageError(f"--matrix file '{path}', row {i}: give each row a name or a district (no '/')")
        if key in out:
            raise UsageError(f"--matrix file '{path}', row {i}: {key!r} appears twice")
        out[key] = row
    if not out:
        raise UsageError(f"--matrix file '{path}' has no rows")
    return out


def _scalar(text: str) -> Any:
    """A matrix cell as a YAML 1.2 core scalar would read it: numbers and true/false typed, dates as text."""
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def _read_set(name: str) -> dict[str, Any]:
    path = paths.PARAMS_DIR / f"{name}.yaml"
    if not _SET_NAME.match(name) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in paths.PARAMS_DIR.glob("*.yaml"))) or "none"
        raise UsageError(f"unknown parameter set {name!r}; available: {known}")
    return read_yaml(path)


def _set_notebooks(name: str, listed: Any, selected: list[Path]) -> list[Path] | None:
    """The selected notebooks a set is for, when the set lists them."""
    if listed is None:
        return None
    if isinstance(listed, str):  # a matrix cell: "00 04" or "00, 04"
        listed = [x for x in re.split(r"[\s,;]+", listed) if x]
    if not isinstance(listed, list):
        raise UsageError(f"parameter set {name!r}: 'notebooks' must be a list of notebook names")
    wanted = {p.resolve() for p in _resolve_notebooks([str(x) for x in listed])}
    chosen = [nb for nb in selected if nb.resolve() in wanted]
    if not chosen:
        raise UsageError(f"parameter set {name!r} is for {listed}, none of which was selected")
    return chosen


def _check_names(values: Mapping[str, Any], declared: Mapping[Path, Mapping[str, Any]], what: str):
    known = set().union(*(set(p) for p in declared.values()))
    for name in values:
        if name not in known:
            listing = "; ".join(
                f"{nb.stem}: {', '.join(params) or '(none)'}" for nb, params in declared.items()
            )
            raise UsageError(f"unknown {what} {_short(repr(name))}; the notebooks take {listing}")


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
    """A kernel manager that talks to the kernel over local sockets (IPC) where the system has them.

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

    return QuietKernelManager


def _write_workbook(nb: Any, path: Path, params: Mapping[str, Any], lang: str, status: str) -> Path | None:
    """``<notebook>.xlsx``: an About sheet, then each table the page registered with ``table()``."""
    from renostats import tables

    found = tables.collect(nb)
    if not found:
        return None
    zh = lang == "zh"
    files = [str(params[k]) for k in ("data_dir", "ledger") if params.get(k)]
    about = [
        ("标题" if zh else "Title", _title(nb)),
        ("笔记本" if zh else "Notebook", path.stem),
        ("参数" if zh else "Parameters", dict(params) or ("默认" if zh else "defaults")),
        ("数据文件" if zh else "Data files", files or ("内置示例数据" if zh else "the bundled demo data")),
        ("运行时间" if zh else "Run at", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("状态" if zh else "Status", status),
    ]
    return tables.write_workbook(found, path, about=about, about_name="说明" if zh else "About")


@functools.cache
def _exporter(show_code: bool) -> Any:
    from fontTools import subset  # noqa: F401  (used by the web font; imported here to warm up)
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = not show_code
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def _export_html(nb: Any, path: Path, show_code: bool, lang: str = "en") -> Path:
    body, _ = _exporter(show_code).from_notebook_node(nb)
    if lang == "zh":
        body = body.replace('<html lang="en">', '<html lang="zh-CN">', 1)
    path.write_text(_with_web_font(body), encoding="utf-8")
    return path


def _title(nb: Any) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def _progress_line(result: NotebookRun, done: int, total: int) -> str:
    where = f" [{result.set_name}]" if result.set_name else ""
    left = f", {total - done} left" if total > done else ""
    line = f"[{done}/{total}] {result.notebook}{where}: {result.status} in {result.seconds:.1f} s{left}"
    if result.error:
        line += f"\n    {_short(result.error, 500)}\n    output kept: {result.output}"
    return line


def _key(result: NotebookRun) -> str:
    return f"{result.set_name}/{result.notebook}" if result.set_name else result.notebook


def _write_metrics(run_dir: Path, results: Sequence[NotebookRun]) -> None:
    payload = {
        "run": run_dir.name,
        "ok": all(r.status == "ok" for r in results),
        "notebooks": {
            _key(r): {
                "notebook": r.notebook,
                "set": r.set_name,
                "status": r.status,
                "error": r.error,
                "parameters": r.parameters,
                "metrics": r.metrics,
            }
            for r in results
        },
    }
    text = json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    (run_dir / "metrics.json").write_text(text + "\n", encoding="utf-8")


def _write_metrics_csv(run_dir: Path, results: Sequence[NotebookRun]) -> None:
    """Every notebook's metrics in one long table (one row per set, notebook and metric) for analysis."""
    import csv

    with (run_dir / "metrics.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["set", "notebook", "status", "metric", "value", "unit", "label", "error"])
        for r in results:
            if not r.metrics:
                w.writerow([r.set_name or "", r.notebook, r.status, "", "", "", "", r.error or ""])
            for name, m in r.metrics.items():
                w.writerow([r.set_name or "", r.notebook, r.status, name, m["value"], m.get("unit") or "",
                            m.get("label") or "", r.error or ""])  # fmt: skip


def _district_table(run_dir: Path, results: Sequence[NotebookRun], zh: bool) -> str:
    """One row per parameter set (a district): status, headline metrics of each notebook, links."""
    sets: dict[str, list[NotebookRun]] = {}
    for r in results:
        sets.setdefault(r.set_name or "", []).append(r)
    head = ("地区", "状态", "主要指标", "页面") if zh else ("District", "Status", "Headline metrics", "Pages")
    rows = []
    for name, runs in sets.items():
        failed = [r for r in runs if r.status != "ok"]
        ok = not failed
        status = (
            "<span class=ok>" + ("全部成功" if zh else "ok") + "</span>"
            if ok
            else "<span class=bad>"
            + html.escape(", ".join(f"{r.notebook}: {r.status}" for r in failed))
            + "</span><div class=err>"
            + html.escape("; ".join(_short(r.error or "", 200) for r in failed))
            + "</div>"
        )
        metrics = "".join(
            f"<li><code>{html.escape(r.notebook[:2])}.{html.escape(k)}</code> = {html.escape(_format_value(m['value']))}"
            f"{(' ' + html.escape(m['unit'])) if m.get('unit') else ''}</li>"
            for r in runs
            for k, m in list(r.metrics.items())[:3]
        )
        links = " · ".join(
            f"<a href='{html.escape(str(r.html.relative_to(run_dir)))}'>{html.escape(r.notebook[:2])}</a>"
            for r in runs
            if r.html
        )
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{status}</td><td><ul>{metrics}</ul></td><td>{links}</td></tr>"
        )
    return (
        f"<h2>{'各地区' if zh else 'Districts'}</h2><table><thead><tr>"
        + "".join(f"<th>{h}</th>" for h in head)
        + "</tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
        + f"<p><a href='metrics.csv'>metrics.csv</a>{'(各地区全部指标)' if zh else ' (every district, every metric)'}</p>"
    )


def _short(text: str, limit: int = 160) -> str:
    """``text`` cut to ``limit`` characters with its length said, for long parameter values and errors."""
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"


def _write_index(
    run_dir: Path, results: Sequence[NotebookRun], label: str, *, districts: bool = False
) -> None:
    from renostats import __version__

    zh = bool(results) and all(r.lang == "zh" for r in results)
    words = _INDEX_WORDS["zh" if zh else "en"]
    rows = []
    for r in results:
        link = html.escape(str(r.html.relative_to(run_dir))) if r.html else ""
        log = html.escape(str(r.output.relative_to(run_dir)))
        book = (
            f" · <a href='{html.escape(str(r.workbook.relative_to(run_dir)))}'>xlsx</a>" if r.workbook else ""
        )
        metrics = "".join(
            f"<li><code>{html.escape(name)}</code> = {html.escape(_short(_format_value(m['value'])))}"
            f"{(' ' + html.escape(m['unit'])) if m.get('unit') else ''}"
            f"{(' <span class=l>(' + html.escape(m['label']) + ')</span>') if m.get('label') else ''}"
            "</li>"
            for name, m in r.metrics.items()
        )
        params = (
            "".join(
                f"<li><code>{html.escape(k)}</code> = {html.escape(_short(repr(v)))}"
                for k, v in r.parameters.items()
            )
            or f"<li>{words['defaults']}</li>"
        )
        status = (
            f"<span class=ok>{words['ok']}</span>"
            if r.status == "ok"
            else f"<span class=bad>{r.status}</span><div class=err>{html.escape(_short(r.error or '', 2000))}</div>"
        )
        title = html.escape(r.title or r.notebook)
        rows.append(
            "<tr>"
            f"<td><a href='{link}'>{title}</a><br><small>{html.escape(r.notebook)}"
            f"{' · ' + html.escape(r.set_name) if r.set_name else ''} · <a href='{log}'>ipynb</a>{book}"
            "</small></td>"
            f"<td>{status}<br><small>{r.seconds:.1f} s</small></td>"
            f"<td><ul>{metrics}</ul></td><td><ul>{params}</ul></td>"
            "</tr>"
        )
    heading = f"{words['heading']} {run_dir.name}"
    ok = sum(r.status == "ok" for r in results)
    summary = words["summary"].format(ok=ok, total=len(results))
    province = _district_table(run_dir, results, zh) if districts else ""
    page = f"""<!DOCTYPE html>
<html lang="{"zh-CN" if zh else "en"}"><head><meta charset="utf-8"><title>{html.escape(heading)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }}
table {{ border-collapse: collapse; width: 100%; table-layout: fixed; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .5em; vertical-align: top; text-align: left;
  overflow-wrap: anywhere; }}
ul {{ margin: 0; padding-left: 1.1em; }} .ok {{ color: #007a33; }} .bad {{ color: #b00020; }}
.err {{ font-family: monospace; font-size: .85em; white-space: pre-wrap; }} .l {{ color: #666; }}
</style></head><body>
<h1>{html.escape(heading)}</h1>
<p>{words["set"]}: {html.escape(label) if label else words["defaults"]} · renostats {__version__} · {summary} ·
<a href="metrics.json">metrics.json</a></p>
{province}
<table><thead><tr>{"".join(f"<th>{h}</th>" for h in words["columns"])}</tr>
</thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    (run_dir / "index.html").write_text(_with_web_font(page), encoding="utf-8")


_INDEX_WORDS = {
    "en": {
        "heading": "renostats report",
        "set": "Parameter set",
        "defaults": "defaults",
        "ok": "ok",
        "summary": "{ok} of {total} notebook(s) succeeded",
        "columns": ("Notebook", "Status", "Headline metrics", "Parameters"),
    },
    "zh": {
        "heading": "renostats 报告",
        "set": "参数集",
        "defaults": "默认",
        "ok": "成功",
        "summary": "{total}个笔记本中{ok}个成功",
        "columns": ("笔记本", "状态", "主要指标", "参数"),
    },
}


def _with_web_font(page: str) -> str:
    """Embed the CJK glyphs the page uses, so it reads as Chinese on machines without CJK fonts."""
    from renostats.plotting import web_font_css

    css = web_font_css(page)
    return page.replace("</head>", css + "</head>", 1) if css else page


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
