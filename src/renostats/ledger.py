"""Reading ledgers (台账) the way district offices export them.

:func:`read_ledger` takes an .xlsx, .xls or .csv file (UTF-8, UTF-8 with BOM, GBK or GB18030), finds the
header rows under title and form lines, joins merged group headers with their sub-headers, maps Chinese
headers to canonical columns (:mod:`renostats.schemas`), applies units declared in headers
(``建筑面积(万平方米)`` multiplies by 10,000 m²), reads cell text through
:func:`renostats.units.parse_quantities`, skips total, subtotal and note rows (and reports each one),
and validates the result with pandera. Every bad cell is reported at once, by file, sheet, the row
number as Excel shows it, and the header as written: a bad cell never becomes a silent NaN.

Examples
--------
>>> from renostats import paths
>>> read = read_ledger(paths.DEMO_DIR / "shuangqing_renovation_synthetic.xlsx", "renovation")
>>> len(read.data), int(read.data["households"].sum())
(267, 29681)
>>> read.skipped["reason"].tolist()
['total row (合计)', 'note row (注)']
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from renostats.errors import LedgerError
from renostats.schemas import (
    FUNDING_SOURCES,
    SCHEMAS,
    Column,
    LedgerSchema,
    frame_rules,
    pandera_schema,
    split_header_unit,
)
from renostats.units import parse_quantities, parse_quantity, scale_decimal

__all__ = ["CellProblem", "LedgerError", "LedgerRead", "LedgerSource", "read_ledger"]

#: Rows whose first text cell starts with one of these are totals or notes, skipped and reported.
SKIP_WORDS = {
    "合计": "total row",
    "总计": "total row",
    "小计": "subtotal row",
    "注": "note row",
    "说明": "note row",
    "备注": "note row",
    "填表人": "note row",
    "填报人": "note row",
    "制表人": "note row",
    "审核人": "note row",
    "负责人": "note row",
}
_TRUE = {"是", "有", "需要", "已复工", "复工", "y", "yes", "true", "1", "√", "✓", "是的"}
_FALSE = {"否", "无", "不需要", "未复工", "停工", "n", "no", "false", "0", "×", "✗", "不是"}
_TIME_WORDS = {"上午": "09:00", "早上": "08:00", "中午": "12:00", "下午": "15:00", "晚上": "20:00"}
_HEADER_SCAN_ROWS = 30


@dataclass(frozen=True)
class CellProblem:
    """One bad cell: where it is, as the user sees it, what it holds and what was expected."""

    file: str
    sheet: str | None
    row: int
    column: str
    value: Any
    expected: str

    def __str__(self) -> str:
        sheet = f", sheet {self.sheet}" if self.sheet else ""
        return f"{self.file}{sheet}, row {self.row}, column {self.column}: {self.value!r}; expected {self.expected}"


@dataclass(frozen=True)
class LedgerSource:
    """Where the data came from and what was done to read it."""

    path: Path
    kind: str
    sheet: str | None
    encoding: str | None
    header_rows: tuple[int, ...]
    columns: dict[str, str]  # canonical name -> header as written
    units: dict[str, str]  # canonical name -> unit applied from the header, e.g. "万平方米 (x10000)"
    unmapped: tuple[str, ...]  # headers that match no canonical column (kept out of the data)


@dataclass(frozen=True)
class LedgerRead:
    """The result of :func:`read_ledger`.

    ``data`` has the canonical columns in schema order plus ``source_row`` (the Excel row number of each
    record); ``skipped`` lists every row left out (row, reason, text); ``source`` says how it was read.
    """

    data: pd.DataFrame
    skipped: pd.DataFrame
    source: LedgerSource

    def summary(self) -> str:
        """A few lines saying what was read, for the ``renostats check`` command."""
        s = self.source
        lines = [
            f"{s.path.name}{f' (sheet {s.sheet})' if s.sheet else ''}: {len(self.data)} {s.kind} rows, "
            f"header in row(s) {', '.join(map(str, s.header_rows))}"
            + (f", encoding {s.encoding}" if s.encoding else ""),
            "columns: " + ", ".join(f"{k} <- {v}" for k, v in s.columns.items()),
        ]
        if s.units:
            lines.append("units applied: " + ", ".join(f"{k}: {v}" for k, v in s.units.items()))
        if s.unmapped:
            lines.append("headers not used: " + ", ".join(s.unmapped))
        for row in self.skipped.itertuples(index=False):
            lines.append(f"skipped row {row.row}: {row.reason}: {row.text}")
        return "\n".join(lines)


def read_ledger(
    path: str | Path, kind: str, sheet: str | int | None = None, *, funding_tolerance: float = 0.01
) -> LedgerRead:
    """Read a district ledger of the given kind into canonical columns.

    Parameters
    ----------
    path : path
        An .xlsx, .xls or .csv file. CSV encodings UTF-8, UTF-8 with BOM, GBK and GB18030 are detected.
    kind : {"renovation", "enterprise_reports", "outcomes"}
        The ledger kind (:data:`renostats.schemas.SCHEMAS`).
    sheet : str or int, optional
        Sheet name or 0-based position in a workbook; the first sheet by default.
    funding_tolerance : float
        Relative tolerance for funding sources adding up to the investment (renovation ledgers).

    Returns
    -------
    LedgerRead
        ``data``, ``skipped`` and ``source``.

    Raises
    ------
    LedgerError
        Listing every bad cell (file, sheet, row as Excel shows it, header as written, value, what was
        expected), or saying which headers are missing or which sheet does not exist.
    FileNotFoundError
        If ``path`` does not exist.
    """
    if kind not in SCHEMAS:
        raise ValueError(f"unknown ledger kind {kind!r}; expected one of {sorted(SCHEMAS)}")
    schema = SCHEMAS[kind]
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no ledger at {path}")
    grid, sheet_name, encoding = _read_grid(path, sheet)
    where = _Where(path.name, sheet_name)
    header_rows, headers = _find_header(grid, schema, where)
    mapping, units, unmapped = _map_columns(headers, schema, where, header_rows)
    body_start = header_rows[-1] + 1
    records, skipped = _data_rows(grid, body_start)
    raw = pd.DataFrame(
        {name: [r[1][j] if j < len(r[1]) else None for r in records] for name, (j, _) in mapping.items()},
        dtype=object,  # cells as read: no inference (pandas would turn None into NaN in text columns)
    )
    rows = np.array([r[0] for r in records], dtype=int)
    data, problems = _convert(raw, rows, schema, mapping, units, where)
    problems += _validate(data, rows, schema, mapping, where, problems, funding_tolerance)
    if problems:
        problems.sort(key=lambda p: (p.row, schema.names.index(_canonical_of(p.column, mapping))))
        raise LedgerError(f"{len(problems)} bad cell(s) in {where}", problems)
    for col in schema.columns:
        if col.name not in data:
            data[col.name] = _empty(col, len(data))
    data = data[schema.names].assign(source_row=rows)
    source = LedgerSource(
        path=path,
        kind=kind,
        sheet=sheet_name,
        encoding=encoding,
        header_rows=tuple(r + 1 for r in header_rows),
        columns={name: header for name, (_, header) in mapping.items()},
        units={name: text for name, (_, _, text) in units.items()},
        unmapped=tuple(unmapped),
    )
    skipped_frame = pd.DataFrame(skipped, columns=["row", "reason", "text"]).astype(
        {"row": int, "reason": "string", "text": "string"}
    )
    return LedgerRead(data=data.reset_index(drop=True), skipped=skipped_frame, source=source)


# --------------------------------------------------------------------------------------------------
# Reading the grid


@dataclass(frozen=True)
class _Where:
    file: str
    sheet: str | None

    def __str__(self) -> str:
        return self.file + (f", sheet {self.sheet}" if self.sheet else "")

    def problem(self, row: int, column: str, value: Any, expected: str) -> CellProblem:
        return CellProblem(self.file, self.sheet, int(row), column, value, expected)


def _read_grid(path: Path, sheet: str | int | None) -> tuple[list[list[Any]], str | None, str | None]:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return (*_read_xlsx(path, sheet), None)
    if suffix == ".xls":
        return (*_read_xls(path, sheet), None)
    if suffix in (".csv", ".txt"):
        grid, encoding = _read_csv(path)
        return grid, None, encoding
    raise LedgerError(f"{path.name}: unsupported file type {suffix!r}; use .xlsx, .xls or .csv")


def _read_xlsx(path: Path, sheet: str | int | None) -> tuple[list[list[Any]], str]:
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=True)
    ws = _pick_sheet(book.sheetnames, sheet, path)
    ws = book[ws]
    grid = [list(row) for row in ws.iter_rows(values_only=True)]
    # merged cells hold their value in the top-left cell only; spread it over the range
    for merged in ws.merged_cells.ranges:
        value = grid[merged.min_row - 1][merged.min_col - 1]
        for r in range(merged.min_row - 1, merged.max_row):
            for c in range(merged.min_col - 1, merged.max_col):
                grid[r][c] = value
    return grid, ws.title


def _read_xls(path: Path, sheet: str | int | None) -> tuple[list[list[Any]], str]:
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        raise LedgerError(
            f"{path.name}: reading .xls needs the python-calamine package (pip install python-calamine), "
            "or save the file as .xlsx"
        ) from None
    with pd.ExcelFile(path, engine="calamine") as book:
        name = _pick_sheet(book.sheet_names, sheet, path)
        frame = book.parse(name, header=None, dtype=object)
    grid = [[None if pd.isna(v) else v for v in row] for row in frame.itertuples(index=False)]
    return grid, name


def _pick_sheet(names: list[str], sheet: str | int | None, path: Path) -> str:
    if sheet is None:
        return names[0]
    if isinstance(sheet, int):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    raise LedgerError(f"{path.name}: no sheet {sheet!r}; the workbook has {', '.join(names)}")


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
    grid = [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    return [[c if c.strip() != "" else None for c in row] for row in grid], encoding


# --------------------------------------------------------------------------------------------------
# Headers


def _cell_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _header_hit(text: str, schema: LedgerSchema) -> str | None:
    if not text or ":" in text:
        return None  # empty, or a form line such as 填报日期:2020年3月31日
    hit = schema.match_header(text)
    if hit:
        return hit
    base, _unit = split_header_unit(text)
    return schema.match_header(base)


def _find_header(grid, schema: LedgerSchema, where: _Where) -> tuple[tuple[int, ...], list[str]]:
    scan = grid[:_HEADER_SCAN_ROWS]
    hits = [sum(_header_hit(_cell_text(v), schema) is not None for v in row) for row in scan]
    if not hits or max(hits) < 2:
        expected = ", ".join(c.header for c in schema.columns if c.required)
        raise LedgerError(
            f"{where}: no header row found in the first {_HEADER_SCAN_ROWS} rows; "
            f"expected headers such as {expected}"
        )
    best = int(np.argmax(hits))
    rows: tuple[int, ...] = (best,)
    if best + 1 < len(scan) and _sub_header_hits(scan[best], scan[best + 1], schema):
        rows = (best, best + 1)
    elif best > 0 and _sub_header_hits(scan[best - 1], scan[best], schema):
        rows = (best - 1, best)
    if len(rows) == 1:
        return rows, [_cell_text(v) for v in grid[best]]
    group, sub = ([_cell_text(v) for v in grid[r]] for r in rows)
    width = max(len(group), len(sub))
    group += [""] * (width - len(group))
    sub += [""] * (width - len(sub))
    # a group header written once over blank cells (CSV, or Excel without merging) covers the
    # sub-headers to its right until the next group header
    filled, current = [], ""
    for g, s in zip(group, sub, strict=True):
        if g:
            current = g
        elif not s:
            current = ""
        filled.append(g or current)
    headers = []
    for g, s in zip(filled, sub, strict=True):
        if s and g and s != g:
            headers.append(f"{g}\x00{s}")  # group and sub-header: the sub-header names the column
        else:
            headers.append(s or g)
    return rows, headers


def _sub_header_hits(upper: list[Any], lower: list[Any], schema: LedgerSchema) -> bool:
    """True when ``upper`` and ``lower`` form one two-row header: ``upper`` names some columns itself
    (a title or form line names none) and ``lower`` names columns under cells of ``upper`` that are
    not headers themselves (the group headers)."""
    if not any(_header_hit(_cell_text(v), schema) for v in upper):
        return False
    for j, value in enumerate(lower):
        text = _cell_text(value)
        above = _cell_text(upper[j]) if j < len(upper) else ""
        if text and text != above and _header_hit(text, schema) and not _header_hit(above, schema):
            return True
    return False


def _map_columns(headers: list[str], schema: LedgerSchema, where: _Where, header_rows: tuple[int, ...]):
    mapping: dict[str, tuple[int, str]] = {}
    units: dict[str, tuple[float, str, str]] = {}
    unmapped: list[str] = []
    problems: list[CellProblem] = []
    header_row = header_rows[-1] + 1
    for j, header in enumerate(headers):
        if not header:
            continue
        group, _, own = header.rpartition("\x00")
        shown = f"{group} / {own}" if group else own
        name = schema.match_header(own)
        unit_text = None
        if name is None:
            base, unit_text = split_header_unit(own)
            name = schema.match_header(base)
        if name is None:
            unmapped.append(shown)
            continue
        if unit_text is None and group:
            unit_text = split_header_unit(group)[1]
        if name in mapping:
            problems.append(
                where.problem(
                    header_row, shown, shown, f"one column for {name}; {mapping[name][1]} also maps to it"
                )
            )
            continue
        mapping[name] = (j, shown)
        if unit_text:
            col = schema.column(name)
            factor = _header_unit(unit_text, col)
            if factor is None:
                problems.append(
                    where.problem(
                        header_row, shown, unit_text, f"a unit of {col.kind or col.type} in the header"
                    )
                )
            elif factor != 1.0 or col.type == "share":
                units[name] = (factor, unit_text, f"{unit_text} (x{factor:g})")
    missing = [c for c in schema.columns if c.required and c.name not in mapping]
    if missing:
        needed = "; ".join(f"{c.name} (headers such as {' / '.join(c.aliases[:3])})" for c in missing)
        found = ", ".join(h.replace("\x00", " / ") for h in headers if h)
        raise LedgerError(f"{where}: missing column(s) {needed}; the header row has: {found}", problems)
    if problems:
        raise LedgerError(f"{where}: bad header(s)", problems)
    return mapping, units, unmapped


def _header_unit(unit_text: str, col: Column) -> float | None:
    """The factor a header unit applies to plain numbers in its column, or None if it does not fit."""
    if col.type not in ("int", "float", "share"):
        return None
    try:
        q = parse_quantity("1" + unit_text)
    except ValueError:
        return None
    if q.kind == "number":  # (万) alone: a multiplier for whatever the column holds
        return q.value
    if col.kind in (q.kind, None) or (col.kind == "number" and q.kind == "count"):
        return q.value
    return None


# --------------------------------------------------------------------------------------------------
# Rows


def _data_rows(grid, start: int):
    records, skipped = [], []
    for i in range(start, len(grid)):
        row = grid[i]
        texts = [_cell_text(v) for v in row]
        filled = [t for t in texts if t]
        if not filled:
            continue  # wholly blank
        reason = _skip_reason(filled)
        if reason:
            skipped.append((i + 1, reason, " | ".join(filled)[:120]))
            continue
        records.append((i + 1, row))
    return records, skipped


def _skip_reason(filled: list[str]) -> str | None:
    for text in filled[:3]:
        compact = re.sub(r"\s", "", text)
        for word, reason in SKIP_WORDS.items():
            if compact.startswith(word):
                return f"{reason} ({word})"
        if compact and not re.fullmatch(r"[\d.]+", compact):
            break  # the first real text cell decides
    return None


# --------------------------------------------------------------------------------------------------
# Cells


def _convert(raw: pd.DataFrame, rows: np.ndarray, schema, mapping, units, where: _Where):
    data = {}
    problems: list[CellProblem] = []
    for name in raw.columns:
        col = schema.column(name)
        header = mapping[name][1]
        factor = units.get(name, (1.0, "", ""))[0]
        values, bad = _CONVERTERS[col.type](raw[name], col, factor)
        data[name] = values
        for i, expected in bad:
            problems.append(where.problem(rows[i], header, raw[name].iloc[i], expected))
        if col.required:
            missing = np.flatnonzero(raw[name].map(lambda v: _cell_text(v) == "").to_numpy(dtype=bool))
            for i in missing:
                problems.append(where.problem(rows[i], header, None, f"a value ({col.name} is required)"))
    return pd.DataFrame(data, index=pd.RangeIndex(len(raw))), problems


def _to_text(cells: pd.Series, col: Column, factor: float):
    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        text = str(v).strip()
        return text or None

    return pd.array([one(v) for v in cells], dtype="string"), []


def _expected_quantity(col: Column) -> str:
    if col.type == "share":
        return "a share between 0 and 1 (0.85, 85%, 八成五; or declare (%) in the header)"
    examples = {
        "money": "an amount of money (1200000, 120万, 120万元)",
        "area": "an area (3400, 3400平方米, 0.34万)",
        "count": "a count (12, 12栋)",
        "energy": "electricity (350, 350千瓦时, 350度)",
        "number": "a number",
    }
    return examples.get(col.kind or "number", "a number")


def _to_quantity(cells: pd.Series, col: Column, factor: float):
    cells = cells.map(_yes_no_share) if col.type == "share" else cells
    if col.name in ("built_year", "planned_year"):
        cells = cells.map(_year_cell)
    parsed = parse_quantities(cells.reset_index(drop=True), errors="coerce")
    value = parsed["value"].to_numpy(dtype=float, copy=True)
    kind = parsed["kind"].to_numpy(dtype=object, na_value=None)
    bad = []
    expected = _expected_quantity(col)
    for i in np.flatnonzero(parsed["error"].notna().to_numpy()):
        bad.append((i, expected))
    plain = kind == "number"
    # a unit declared in the header scales plain numbers; ledgers write at most a few decimals
    value[plain] = scale_decimal(value[plain], 9, factor)
    wanted = "percent" if col.type == "share" else col.kind
    mismatch = np.flatnonzero((kind != None) & ~plain & (kind != wanted))  # noqa: E711
    for i in mismatch:
        bad.append((i, f"{expected}, not {kind[i]}"))
        value[i] = np.nan
    for i, _ in bad:
        value[i] = np.nan
    if col.type == "int":
        fractional = np.flatnonzero(~np.isnan(value) & (value != np.round(value)))
        for i in fractional:
            bad.append((i, f"a whole number ({expected})"))
            value[i] = np.nan
        return pd.array(np.where(np.isnan(value), None, np.round(value)), dtype="Int64"), bad
    return value, bad


def _yes_no_share(v: Any) -> Any:
    if isinstance(v, str):
        t = v.strip().lower()
        if t in _TRUE:
            return 1.0
        if t in _FALSE:
            return 0.0
    return v


def _year_cell(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.year
    if isinstance(v, str):
        m = re.fullmatch(r"\s*(\d{4})\s*(?:年度?|年代)?\s*", unicodedata.normalize("NFKC", v))
        if m:
            return int(m.group(1))
    return v


def _to_date(cells: pd.Series, col: Column, factor: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        try:
            out.append(_date(v))
        except ValueError:
            out.append(None)
            bad.append((i, "a date (2020-03-09, 2020/3/9, 2020.3.9, 2020年3月9日, 2020-04 or an Excel date)"))
    return pd.to_datetime(pd.Series(out, dtype=object)).astype("datetime64[ns]").to_numpy(), bad


def _date(v: Any) -> dt.datetime | None:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return None
    if isinstance(v, dt.datetime):
        return v.replace(hour=0, minute=0, second=0, microsecond=0)
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, int | float) and not isinstance(v, bool):
        if 20000 <= v <= 80000:  # an Excel serial date that lost its format in a CSV export
            return dt.datetime(1899, 12, 30) + dt.timedelta(days=int(v))
        if 19000101 <= v <= 21001231 and float(v).is_integer():
            return _date(str(int(v)))
        raise ValueError(v)
    text = unicodedata.normalize("NFKC", str(v)).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", text):  # a serial date as text in a CSV
        return _date(float(text))
    m = re.fullmatch(
        r"(\d{4})[-./年](\d{1,2})(?:[-./月](\d{1,2})[日号]?|月)?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?", text
    )
    if m is None:
        m = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if m is None:
        raise ValueError(text)
    year, month = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else 1
    return dt.datetime(year, month, day)


def _to_bool(cells: pd.Series, col: Column, factor: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        if isinstance(v, bool):
            out.append(v)
            continue
        t = _cell_text(v).lower()
        if t.endswith(".0"):
            t = t[:-2]
        if t in _TRUE:
            out.append(True)
        elif t in _FALSE:
            out.append(False)
        else:
            out.append(None)
            bad.append((i, "yes or no (是/否, 1/0, √/×)"))
    return pd.array(out, dtype="boolean"), bad


def _to_grade(cells: pd.Series, col: Column, factor: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        t = _cell_text(v).upper()
        if not t:
            out.append(None)
            continue
        m = re.fullmatch(r"([ABCD])\s*级?(?:危房)?", t)
        if m:
            out.append(m.group(1))
        else:
            out.append(None)
            bad.append((i, "a grade A, B, C or D (C级, D级危房)"))
    return pd.array(out, dtype="string"), bad


def _to_time(cells: pd.Series, col: Column, factor: float):
    out, bad = [], []
    for i, v in enumerate(cells):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        if isinstance(v, dt.time | dt.datetime):
            out.append(f"{v.hour:02d}:{v.minute:02d}")
            continue
        t = _cell_text(v)
        m = re.fullmatch(r"(\d{1,2})[:时点](\d{2})?分?", t)
        if t in _TIME_WORDS:
            out.append(_TIME_WORDS[t])
        elif m and int(m.group(1)) < 24 and int(m.group(2) or 0) < 60:
            out.append(f"{int(m.group(1)):02d}:{int(m.group(2) or 0):02d}")
        else:
            out.append(None)
            bad.append((i, "a time of day (08:30, 16:00, 上午, 下午)"))
    return pd.array(out, dtype="string"), bad


_CONVERTERS = {
    "text": _to_text,
    "int": _to_quantity,
    "float": _to_quantity,
    "share": _to_quantity,
    "date": _to_date,
    "bool": _to_bool,
    "grade": _to_grade,
    "time": _to_time,
}


def _empty(col: Column, n: int):
    if col.type in ("text", "grade", "time"):
        return pd.array([None] * n, dtype="string")
    if col.type == "int":
        return pd.array([None] * n, dtype="Int64")
    if col.type == "bool":
        return pd.array([None] * n, dtype="boolean")
    if col.type == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, np.nan)


# --------------------------------------------------------------------------------------------------
# Validation


def _validate(data, rows, schema, mapping, where, earlier, funding_tolerance) -> list[CellProblem]:
    import pandera.errors

    checker = pandera_schema(schema, funding_tolerance)
    try:
        checker.validate(data, lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    rules = {error: column for _name, column, error, _fn in frame_rules(schema, funding_tolerance)}
    seen = {(p.row, p.column) for p in earlier}
    problems: list[CellProblem] = []
    for case in cases.itertuples(index=False):
        check = str(case.check)
        column = rules.get(check, case.column)
        if "uniqueness" in check or "duplicate" in check:
            column = schema.unique[0]
        if column not in mapping or case.index is None or pd.isna(case.index):
            continue
        i = int(case.index)
        header = mapping[column][1]
        if (rows[i], header) in seen:
            continue
        seen.add((rows[i], header))
        value = data[column].iloc[i]
        if column == "investment_yuan" and check in rules:
            sources = [c for c in FUNDING_SOURCES if c in data]
            total = float(np.nansum(data.loc[i, sources].to_numpy(dtype=float)))
            expected = f"{check} (they add up to {total:,.0f} yuan)"
        elif "uniqueness" in check or "duplicate" in check:
            key = ", ".join(schema.unique)
            expected = f"one row per {key} (this one repeats an earlier row)"
        elif "nullable" in check or "not_nullable" in check:
            expected = "a value"
        else:
            expected = check
        problems.append(where.problem(rows[i], header, _plain(value), expected))
    return problems


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def _canonical_of(header: str, mapping) -> str:
    for name, (_, shown) in mapping.items():
        if shown == header:
            return name
    return next(iter(mapping))
