"""Shared fixtures: small throwaway notebooks for runner tests."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

# scripts that computed the recorded reference numbers with R, lifelines or moderndid (not tests)
collect_ignore = ["reference"]


def write_notebook(path: Path, params: str, *cells: str) -> Path:
    """A notebook with a tagged parameters cell followed by ``cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# Test notebook {path.stem}"))
    p = nbformat.v4.new_code_cell(params)
    p.metadata["tags"] = ["parameters"]
    nb.cells.append(p)
    nb.cells.extend(nbformat.v4.new_code_cell(c) for c in cells)
    nbformat.write(nb, str(path))
    return path


@pytest.fixture
def notebook_dir(tmp_path: Path) -> Path:
    """A folder with two report notebooks: one that records metrics, one that checks a date."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    write_notebook(
        folder / "01_ok.ipynb",
        'district = "双清区"\nalpha = 0.05',
        "from renostats.report import record\n"
        "record('households', 29681, unit='户')\n"
        "record('alpha_used', alpha)\n"
        "record('district', district)",
    )
    write_notebook(
        folder / "02_dates.ipynb",
        'as_of = "2020-03-31"\ndata_dir = ""',
        "from renostats.report import check_date\nwhen = check_date('as_of', as_of)",
        "print(when.date())",
    )
    return folder
