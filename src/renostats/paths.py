"""Where renostats finds its notebooks, bundled data and report folder.

Every other module asks here instead of writing paths as string literals. The project root is the
checkout that holds ``pyproject.toml`` (renostats is installed in editable mode from it); set the
environment variable ``RENOSTATS_HOME`` to point at another checkout.

Examples
--------
>>> from renostats import paths
>>> paths.FACTS_DIR.name
'facts'
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DATA_DIR", "DEMO_DIR", "FACTS_DIR", "NOTEBOOKS_DIR", "PARAMS_DIR", "REPORTS_DIR", "ROOT"]


def _find_root() -> Path:
    env = os.environ.get("RENOSTATS_HOME")
    if env:
        return Path(env).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "notebooks").is_dir():
            return parent
    # An installed (non-editable) copy has no checkout around it; fall back to the working folder.
    return Path.cwd().resolve()


ROOT: Path = _find_root()
DATA_DIR: Path = ROOT / "data"
FACTS_DIR: Path = DATA_DIR / "facts"
DEMO_DIR: Path = DATA_DIR / "demo"
NOTEBOOKS_DIR: Path = ROOT / "notebooks"
PARAMS_DIR: Path = NOTEBOOKS_DIR / "params"
REPORTS_DIR: Path = ROOT / "reports"
