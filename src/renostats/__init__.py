"""renostats: research notebooks for urban renewal and local economic recovery in China.

``import renostats as rs`` gives the everyday names; the modules hold the rest
(``rs.recovery``, ``rs.report``, ``rs.plotting``, ``rs.datasets``).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from renostats import datasets, paths, plotting, recovery, report
from renostats.datasets import load_facts

try:
    __version__ = version("renostats")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0"

__all__ = [
    "__version__",
    "datasets",
    "load_facts",
    "paths",
    "plotting",
    "recovery",
    "report",
]
