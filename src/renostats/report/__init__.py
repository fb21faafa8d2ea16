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

from renostats.errors import ParameterError, UsageError
from renostats.report._notebook import (
    METRIC_MIME,
    Page,
    check_choice,
    check_date,
    check_dir,
    check_range,
    record,
    start,
)
from renostats.report._params import CommandLineText, list_notebooks, notebook_parameters, read_yaml
from renostats.report._runner import KERNEL_NAME, NotebookRun, RunResult, read_metrics, run
from renostats.tables import table

__all__ = [
    "KERNEL_NAME",
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
