"""renostats: research notebooks for urban renewal and local economic recovery in China.

``import renostats as rs`` gives the everyday names (``rs.parse_quantity``, ``rs.parse_quantities``,
``rs.extract_figures``, ``rs.read_ledger``, ``rs.load_facts``, and every error of the
:mod:`renostats.errors` family such as ``rs.LedgerError`` and ``rs.RenostatsError``) and the modules
(``rs.units``, ``rs.ledger``, ``rs.schemas``, ``rs.datasets``, ``rs.renovation``, ``rs.did``,
``rs.funding``, ``rs.recovery``, ``rs.report``, ``rs.plotting``, ``rs.paths``, ``rs.periods``). Modules
load on first use, so the ``renostats`` command starts without importing the scientific stack.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("renostats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

_MODULES = (
    "cli",
    "cluster",
    "datasets",
    "errors",
    "did",
    "funding",
    "lang",
    "ledger",
    "paths",
    "periods",
    "plotting",
    "recovery",
    "renovation",
    "report",
    "schemas",
    "tables",
    "units",
)
#: Everyday names re-exported at the top level, and the module each lives in.
_NAMES = {
    "parse_quantity": "units",
    "parse_quantities": "units",
    "extract_figures": "units",
    "read_ledger": "ledger",
    "LedgerError": "errors",
    "RenostatsError": "errors",
    "InputError": "errors",
    "DiDError": "errors",
    "FundingError": "errors",
    "ScheduleError": "errors",
    "ParameterError": "errors",
    "UsageError": "errors",
    "load_facts": "datasets",
}

__all__ = ["__version__", *_MODULES, *_NAMES]


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"renostats.{name}")
    if name in _NAMES:
        return getattr(importlib.import_module(f"renostats.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'renostats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
