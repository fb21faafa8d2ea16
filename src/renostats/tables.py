"""Tables a reader can take away: formatted HTML on the page, the same table in the page's workbook.

In a notebook, :func:`table` shows a DataFrame as a formatted HTML table (units in the headers, thousands
separators, percentages as percentages, dates as dates, no index unless it means something, numbers never
broken across lines) and registers it for the report's Excel workbook: the runner collects every table of
an executed notebook with :func:`collect` and writes ``<notebook>.xlsx`` with :func:`write_workbook`, one
sheet per table, after a first sheet that says what the workbook is (title, parameters, data files read,
time of the run).

Formats name what a column holds, so the page and the workbook agree:

========== ======================= ==================
format     on the page             in Excel
========== ======================= ==================
``int``    12,345                  ``#,##0``
``money``  12,345 (yuan, no cents)  ``#,##0``
``float``  1,234.57 (``digits``)   ``#,##0.00``
``percent`` 85.8% (a fraction in)  ``0.0%``
``date``   2020-03-31              ``yyyy-mm-dd``
``text``   as written              text
========== ======================= ==================

Imports only :mod:`renostats.errors` and :mod:`renostats._validate` from the package.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"street": ["小江湖街道"], "share": [0.858], "yuan": [1234567.0]})
>>> spec = table_spec(df, "进度", formats={"share": "percent", "yuan": "money"}, units={"yuan": "元"})
>>> [c["header"] for c in spec["columns"]], spec["rows"]
(['street', 'share', 'yuan (元)'], [['小江湖街道', 0.858, 1234567.0]])
>>> print(format_cell(0.858, "percent"), format_cell(1234567.0, "money"))
85.8% 1,234,567
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from renostats import _validate
from renostats.errors import InputError

__all__ = ["FORMATS", "TABLE_MIME", "collect", "format_cell", "table", "table_spec", "write_workbook"]

#: MIME type of the table payload a notebook output carries for the runner.
TABLE_MIME = "application/vnd.renostats.table+json"
FORMATS = ("int", "money", "float", "percent", "date", "text")
_EXCEL = {
    "int": "#,##0",
    "money": "#,##0",
    "float": "#,##0.00",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
    "text": "@",
}
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_CSS = (
    "<style>.rs-table{border-collapse:collapse;margin:.4em 0 1em;font-size:.92em;max-width:100%}"
    ".rs-table caption{text-align:left;font-weight:600;padding:.2em 0 .4em}"
    ".rs-table th,.rs-table td{padding:.25em .6em;border-bottom:1px solid #ddd;vertical-align:top}"
    # doubled class: JupyterLab's own `:not(.jp-RenderedMarkdown).jp-RenderedHTMLCommon th` aligns right
    ".rs-table.rs-table th{text-align:left;background:#f4f4f4}"
    ".rs-table td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
    ".rs-table.rs-table td.t{text-align:left;overflow-wrap:break-word}</style>"
)


def table(
    df: Any,
    name: str,
    *,
    formats: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    digits: int | Mapping[str, int] = 2,
    index: bool = False,
    caption: str | None = None,
) -> None:
    """Show ``df`` as a formatted table and register it for the page's workbook as sheet ``name``.

    Parameters
    ----------
    df : DataFrame
        The table. Column names are the headers as the reader should see them (in the run's language).
    name : str
        Sheet name in the workbook (at most 31 characters; Excel forbids ``[]:*?/\\``).
    formats : mapping, optional
        Column -> one of :data:`FORMATS`; inferred from the dtype when not given (integers ``int``,
        floats ``float``, datetimes ``date``, anything else ``text``).
    units : mapping, optional
        Column -> unit shown in the header, ``"households (户)"``.
    digits : int or mapping
        Decimals of ``float`` columns (all, or per column); percentages show one decimal.
    index : bool
        Keep the index as the first column (when it means something, e.g. a street name).
    caption : str, optional
        A line above the table.
    """
    from IPython.display import display

    spec = table_spec(df, name, formats=formats, units=units, digits=digits, index=index, caption=caption)
    display({"text/html": to_html(spec), "text/plain": to_text(spec), TABLE_MIME: spec}, raw=True)


def table_spec(
    df: Any,
    name: str,
    *,
    formats: Mapping[str, str] | None = None,
    units: Mapping[str, str] | None = None,
    digits: int | Mapping[str, int] = 2,
    index: bool = False,
    caption: str | None = None,
) -> dict[str, Any]:
    """The JSON-ready description of a table that :func:`table` shows and the workbook receives."""
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise InputError(f"table: df must be a DataFrame; got {type(df).__name__}")
    if not isinstance(name, str) or not name.strip() or len(name) > 31 or _SHEET_BAD.search(name):
        raise _validate.fail("name", "a sheet name of 1 to 31 characters without []:*?/\\", name)
    frame = df.reset_index() if index else df
    formats = dict(formats or {})
    units = dict(units or {})
    unknown = [c for c in [*formats, *units] if c not in frame.columns]
    if unknown:
        raise InputError(
            f"table {name!r}: no column {unknown[0]!r}; the columns are {list(map(str, frame.columns))}"
        )
    columns = []
    for col in frame.columns:
        fmt = formats.get(col) or _infer(frame[col])
        _validate.one_of(fmt, FORMATS, name=f"format of column {col!r}")
        places = digits.get(col, 2) if isinstance(digits, Mapping) else digits
        header = f"{col} ({units[col]})" if col in units else str(col)
        columns.append({"header": header, "format": fmt, "digits": int(places)})
    rows = [[_json_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return {"name": name, "caption": caption, "columns": columns, "rows": rows}


def format_cell(value: Any, fmt: str, digits: int = 2) -> str:
    """A value as the page shows it in a column of format ``fmt``; an empty string for a missing value."""
    if _validate.missing(value):
        return ""
    if fmt in ("int", "money"):
        return f"{round(float(value)):,}"
    if fmt == "float":
        return f"{float(value):,.{digits}f}"
    if fmt == "percent":
        return f"{float(value):.1%}"
    if fmt == "date":
        return str(value)[:10]
    return str(value)


def to_html(spec: Mapping[str, Any]) -> str:
    """The table as HTML: numbers right-aligned and never broken, text wrapping at words."""
    head = "".join(f"<th>{html.escape(c['header'])}</th>" for c in spec["columns"])
    body = []
    for row in spec["rows"]:
        cells = []
        for c, v in zip(spec["columns"], row, strict=True):
            cls = "t" if c["format"] == "text" else "n"
            cells.append(f"<td class={cls}>{html.escape(format_cell(v, c['format'], c['digits']))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{html.escape(spec['caption'])}</caption>" if spec.get("caption") else ""
    return (
        f"{_CSS}<table class=rs-table>{caption}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def to_text(spec: Mapping[str, Any]) -> str:
    """A plain-text rendering (for consoles and nbval), columns aligned by display width."""
    cols = spec["columns"]
    grid = [[c["header"] for c in cols]] + [
        [format_cell(v, c["format"], c["digits"]) for c, v in zip(cols, row, strict=True)]
        for row in spec["rows"]
    ]
    widths = [max(_width(r[i]) for r in grid) for i in range(len(cols))]
    lines = []
    for r in grid:
        parts = []
        for i, text in enumerate(r):
            pad = " " * (widths[i] - _width(text))
            parts.append(text + pad if cols[i]["format"] == "text" else pad + text)
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def collect(nb: Any) -> list[dict[str, Any]]:
    """The tables registered in an executed notebook (an nbformat node), in page order."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if TABLE_MIME in data:
                found.append(dict(data[TABLE_MIME]))
    return found


def write_workbook(
    tables: Sequence[Mapping[str, Any]],
    path: str | Path,
    *,
    about: Sequence[tuple[str, Any]],
    about_name: str = "About",
) -> Path:
    """Write the tables into an Excel workbook: an About sheet, then one sheet per table.

    Each table sheet has its headers (with units) in bold in a frozen first row, each column's number
    format, and widths that fit the text (CJK characters count double). Two tables with the same name get
    ``name (2)``.

    Parameters
    ----------
    tables : list of table specs
        As :func:`collect` returns them.
    path : path
        The ``.xlsx`` file to write.
    about : list of (label, value)
        Rows of the first sheet: the notebook's title, the run's parameters, the data files, the time.
    about_name : str
        Name of the first sheet (``"说明"`` for a Chinese run).
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = about_name
    for label, value in about:
        sheet.append([str(label), _excel_text(value)])
    sheet["A1"].font = Font(bold=True)
    _fit(sheet, [[str(label), _excel_text(value)] for label, value in about], get_column_letter)
    used: set[str] = {about_name}
    for spec in tables:
        title, k = spec["name"], 2
        while title in used:
            title, k = f"{spec['name'][:26]} ({k})", k + 1
        used.add(title)
        ws = book.create_sheet(title)
        cols = spec["columns"]
        ws.append([c["header"] for c in cols])
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=False)
        for row in spec["rows"]:
            ws.append([_excel_value(v, c["format"]) for c, v in zip(cols, row, strict=True)])
        for j, c in enumerate(cols, start=1):
            fmt = _EXCEL[c["format"]]
            if c["format"] == "float":
                fmt = "#,##0" + ("." + "0" * c["digits"] if c["digits"] > 0 else "")
            for cell in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell[0].number_format = fmt
        ws.freeze_panes = "A2"
        shown = [[c["header"] for c in cols]] + [
            [format_cell(v, c["format"], c["digits"]) for c, v in zip(cols, row, strict=True)]
            for row in spec["rows"]
        ]
        _fit(ws, shown, get_column_letter)
    path = Path(path)
    book.save(path)
    return path


def _infer(series: Any) -> str:
    import pandas as pd

    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "float"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def _json_value(value: Any) -> Any:
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.isoformat()[:10] if not isinstance(value, pd.Timestamp) else value.strftime("%Y-%m-%d")
    if isinstance(value, pd.Period):
        return str(value)
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, float):
        # 12 significant digits: more than any ledger holds, and the same on every machine (the last bits
        # of a float sum depend on the order of additions, which nbval would see as a changed output)
        return float(f"{value:.12g}")
    if isinstance(value, bool | int | str):
        return value
    return str(value)


def _excel_value(value: Any, fmt: str) -> Any:
    if value is None:
        return None
    if fmt == "date":
        try:
            return dt.date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    return value


def _excel_text(value: Any) -> Any:
    if isinstance(value, Mapping):
        return "; ".join(f"{k} = {v}" for k, v in value.items()) or "defaults"
    if isinstance(value, list | tuple):
        return "; ".join(map(str, value))
    return value if isinstance(value, int | float | str) or value is None else str(value)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


def _fit(ws: Any, shown: Sequence[Sequence[Any]], letter: Any) -> None:
    if not shown:
        return
    for j in range(max(len(r) for r in shown)):
        width = max((_width("" if r[j] is None else str(r[j])) for r in shown if j < len(r)), default=8)
        ws.column_dimensions[letter(j + 1)].width = min(max(width + 2, 8), 80)
