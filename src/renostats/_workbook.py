"""Opening a ledger file as offices send it: .xlsx, .xls or .csv, as a grid of cells.

Sniffs what the file really is, reads only the used range of real values within caps, keeps Excel's
percent formats and formulas without saved values, spreads merged text cells and remembers merged ranges.
Reading layer: a private helper behind :mod:`renostats.ledger`, importing nothing from it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from renostats._cells import (
    _Formula,
    _Percent,
)
from renostats.errors import LedgerError


@dataclass
class _Grid:
    """One sheet as rows of cell values (0-based), with the merged ranges ``(r0, c0, r1, c1)`` (inclusive)."""

    rows: list[list[Any]]
    sheet: str | None
    merges: list[tuple[int, int, int, int]]
    formats_known: bool = True  # False for .xls: no number formats, so 85% and 0.85 look alike


@dataclass
class _Book:
    """An opened file: its sheets in order, which are visible, the one to read first, and a loader."""

    path: Path
    names: list[str]
    visible: list[bool]
    default: int
    load: Any  # name -> _Grid
    encoding: str | None = None


_MAX_BYTES = 200 * 2**20


_MAX_CELLS = 5_000_000


_MAX_COLUMNS = 1_000


def _open(path: Path) -> _Book:
    """Open a ledger file after checking that it is what its name says."""
    size = path.stat().st_size
    if size == 0:
        raise LedgerError(f"{path.name}: an empty file (0 bytes), not a ledger")
    if size > _MAX_BYTES:
        raise LedgerError(
            f"{path.name}: {size:,} bytes ({size / 2**20:,.1f} MB); a ledger may be at most "
            f"{_MAX_BYTES // 2**20} MB ({_MAX_BYTES:,} bytes)"
        )
    with path.open("rb") as f:
        head = f.read(2048)
    what = _sniff(head)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".xls", ".csv", ".txt"):
        raise LedgerError(
            f"{path.name}: unsupported file type {suffix or '(none)'!r}; use .xlsx, .xls or .csv"
        )
    named = {".xlsx": "xlsx", ".xlsm": "xlsx", ".xls": "xls", ".csv": "text", ".txt": "text"}[suffix]
    if what == "xlsx" and named in ("xlsx", "xls"):
        return _open_xlsx(path)  # an .xlsx saved under an .xls name opens as what it is
    if what == "xls" and named == "xls":
        return _open_xls(path)
    if what == "text" and named == "text":
        rows, encoding = _read_csv(path)
        return _Book(path, [""], [True], 0, lambda _name: _Grid(rows, None, []), encoding)
    described = {
        "xlsx": "an Excel workbook (.xlsx)",
        "xls": "an Excel 97-2003 workbook (.xls) or a password-protected workbook",
        "html": "a web page (HTML), as some systems export under an Excel name",
        "text": "plain text (CSV?)",
        "binary": "neither a workbook nor text",
        "utf16": "UTF-16 text (Excel's 'Unicode text' export)",
    }[what]
    advice = {
        "html": "open it in Excel or LibreOffice and save it as .xlsx",
        "text": "name it .csv if it is a CSV export",
        "xls": "save it as .xlsx without a password" if named != "xls" else "",
        "xlsx": "name it .xlsx",
        "binary": "export the ledger again as .xlsx or .csv",
        "utf16": "save it from Excel as 'CSV UTF-8' or as .xlsx",
    }[what]
    raise LedgerError(f"{path.name}: the file is {described}, not a {suffix} file; {advice}")


def _sniff(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml", b"<meta")):
        return "html"
    if b"\x00" in head:
        return "binary"
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
            return "text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut by the 2 KB window
                return "text"
    return "binary"


def _open_xlsx(path: Path) -> _Book:
    import warnings
    import zipfile

    import openpyxl

    try:
        with warnings.catch_warnings():
            # openpyxl warns about extensions it drops (data validation, conditional formats): not ours
            warnings.simplefilter("ignore", UserWarning)
            book = openpyxl.load_workbook(path, data_only=True)
        with zipfile.ZipFile(path) as archive:
            has_formulas = any(
                _FORMULA_TAG.search(archive.read(n))
                for n in archive.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")
            )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise LedgerError(
            f"{path.name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        ) from None
    formulas_book = None

    def load(name: str) -> _Grid:
        nonlocal formulas_book
        ws = book[name]
        formula_cells: dict[tuple[int, int], str] = {}
        if has_formulas:
            if formulas_book is None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    formulas_book = openpyxl.load_workbook(path, data_only=False)
            for (r, c), cell in formulas_book[name]._cells.items():
                if cell.data_type == "f":
                    formula_cells[(r, c)] = str(cell.value)
        # only cells that hold something: a styled empty cell at XFD1048576 must not make a grid of it
        # (openpyxl keeps the cells a sheet holds in ``_cells``; iter_rows would fill the whole range)
        cells = {
            (r, c): cell
            for (r, c), cell in ws._cells.items()
            if cell.value is not None or ((r, c) in formula_cells)
        }
        merges = [
            (m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in ws.merged_cells.ranges
        ]
        height = max(
            [r for r, _ in cells] + [m[2] + 1 for m in merges if (m[0] + 1, m[1] + 1) in cells] + [0]
        )
        width = max([c for _, c in cells] + [m[3] + 1 for m in merges if (m[0] + 1, m[1] + 1) in cells] + [0])
        _check_size(path, name, height, width)
        rows: list[list[Any]] = [[None] * width for _ in range(height)]
        for (r, c), cell in cells.items():
            value = cell.value
            if value is None:
                value = _Formula(formula_cells[(r, c)])
            elif isinstance(value, int | float) and not isinstance(value, bool) and "%" in cell.number_format:
                value = _Percent(value)
            rows[r - 1][c - 1] = value
        return _spread(_Grid(rows, name, [m for m in merges if m[0] < height and m[1] < width]))

    visible = [ws.sheet_state == "visible" for ws in book.worksheets]
    names = [ws.title for ws in book.worksheets]
    active = book.active
    default = names.index(active.title) if active is not None and active.title in names else 0
    return _Book(path, names, visible, default, load)


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _open_xls(path: Path) -> _Book:
    try:
        import python_calamine as calamine
    except ImportError:
        raise LedgerError(
            f"{path.name}: reading .xls needs the python-calamine package (pip install python-calamine), "
            "or save the file as .xlsx"
        ) from None
    try:
        book = calamine.CalamineWorkbook.from_path(str(path))
    except calamine.CalamineError as exc:
        raise LedgerError(f"{path.name}: not a readable .xls workbook ({exc})") from None
    meta = book.sheets_metadata
    names = [m.name for m in meta]
    visible = [m.visible == calamine.SheetVisibleEnum.Visible for m in meta]

    def load(name: str) -> _Grid:
        sheet = book.get_sheet_by_name(name)
        r0, c0 = sheet.start or (0, 0)
        values = sheet.to_python()
        height = r0 + len(values)
        width = c0 + max((len(r) for r in values), default=0)
        _check_size(path, name, height, width)
        rows: list[list[Any]] = [[None] * width for _ in range(height)]
        for i, row in enumerate(values):
            for j, value in enumerate(row):
                rows[r0 + i][c0 + j] = None if value == "" else value
        merges = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        return _spread(_Grid(rows, name, [m for m in merges if m[0] < height and m[1] < width], False))

    return _Book(path, names, visible, 0, load)


def _spread(grid: _Grid) -> _Grid:
    """A merged range holds its value in the top-left cell only: spread it over the range (right for
    a street written once over its communities; quantities merged over rows are refused later)."""
    for r0, c0, r1, c1 in grid.merges:
        value = grid.rows[r0][c0]
        for r in range(r0, min(r1 + 1, len(grid.rows))):
            row = grid.rows[r]
            for c in range(c0, min(c1 + 1, len(row))):
                row[c] = value
    return grid


def _check_size(path: Path, sheet: str, height: int, width: int) -> None:
    if width > _MAX_COLUMNS or height * width > _MAX_CELLS:
        from openpyxl.utils import get_column_letter

        raise LedgerError(
            f"{path.name}, sheet {sheet}: values reach cell {get_column_letter(max(width, 1))}{height}; a ledger may "
            f"have at most {_MAX_COLUMNS:,} columns and {_MAX_CELLS:,} cells (delete the stray cells far "
            "below or to the right of the table)"
        )


def _pick_sheet(names: list[str], sheet: str | int | None, path: Path) -> str:
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    listed = ", ".join(names) if names != [""] else "(a CSV file has no sheets)"
    raise LedgerError(f"{path.name}: no sheet {sheet!r}; the workbook has {listed}")


def _read_csv(path: Path) -> tuple[list[list[Any]], str]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gbk", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise LedgerError(f"{path.name}: not UTF-8, GBK or GB18030 text")
    if encoding == "utf-8-sig" and not raw.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8"
    try:
        grid = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise LedgerError(f"{path.name}: not readable as CSV ({exc})") from None
    return [[c if c.strip() != "" else None for c in row] for row in grid], encoding


def _cell(row: list[Any], j: int) -> Any:
    return row[j] if j < len(row) else None
