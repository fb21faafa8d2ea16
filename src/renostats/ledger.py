"""Reading ledgers (台账) the way district offices export them.

:func:`read_ledger` takes an .xlsx, .xls or .csv file (UTF-8, UTF-8 with BOM, GBK or GB18030), reads the
sheet that was active when it was saved (searching the other visible sheets when that one has no header),
finds the header rows under title and form lines, joins merged group headers with their sub-headers, maps
Chinese headers to canonical columns (:mod:`renostats.schemas`), applies units declared in headers
(``建筑面积(万平方米)`` multiplies by 10,000 m²) unless a cell writes its own (``0.6万``), reads cell text
through :func:`renostats.units.parse_quantities` and percent-formatted cells as the percentage Excel
shows, skips total, subtotal and note rows (and reports each one), and validates the result with pandera.

It refuses rather than guesses: a quantity merged over several rows, a formula without a saved value, a
unit that does not fit its column, two rows for one community (names compared after NFKC and without
invisible characters), a file that is not what its name says. Every problem is reported at once, by
file, sheet, the row number as Excel shows it, and the header as written: a bad cell never becomes a
silent NaN. Which columns must be there and filled is the caller's to say (``needs``).

Imports the contracts (:mod:`renostats.schemas`), the vocabulary (:mod:`renostats._validate`) and
:mod:`renostats.errors`; behind it ``_workbook`` opens files (openpyxl and python-calamine read them),
``_headers`` finds the header rows and maps them to columns, and ``_cells`` converts each cell (quantities
through :mod:`renostats.units`).

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

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from renostats import _validate
from renostats._cells import (
    _INVISIBLE,
    _cell_text,
    _convert,
    _empty,
    _Formula,
    _Percent,
    _plain,
)
from renostats._headers import _HEADER_SCAN_ROWS, _find_header, _map_columns
from renostats._workbook import (
    _Book,
    _cell,
    _Grid,
    _open,
    _pick_sheet,
)
from renostats.errors import LedgerError
from renostats.schemas import (
    SCHEMAS,
    LedgerSchema,
    frame_rules,
    funding_total,
    pandera_schema,
)

__all__ = [
    "CellProblem",
    "LedgerError",
    "LedgerRead",
    "LedgerSource",
    "describe_problems",
    "read_ledger",
    "required_columns",
    "sheet_names",
    "show_value",
]

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
        return (
            f"{self.file}{sheet}, row {self.row}, column {self.column}: {show_value(self.value)}; "
            f"expected {self.expected}"
        )


def show_value(value: Any) -> str:
    """A cell value as a clerk reads it: dates as 2025-03-01 (never ``Timestamp(...)``), whole numbers
    without ``.0``, text quoted, a blank cell as (blank).

    >>> show_value(pd.Timestamp("2025-03-01")), show_value(12.0), show_value("2月26日"), show_value(None)
    ('2025-03-01', '12', "'2月26日'", '(blank)')
    """
    value = _plain(value)
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "(blank)"
    if isinstance(value, dt.datetime | np.datetime64):
        stamp = pd.Timestamp(value)
        return f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else f"{stamp:%Y-%m-%d %H:%M}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and not isinstance(value, _Percent):
        return str(int(value))
    if isinstance(value, str):
        return repr(value)
    return str(value)


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

    def summary(self, lang: str = "en") -> str:
        """Lines saying what was read, for the ``renostats check`` command: the file, then per column
        the header as written, how many cells were read, their smallest, median and largest value
        (shares as percentages, so 79% typed under a (%) header that shows as 0.79% stands out) and
        the unit applied; then the rows left out. ``lang`` "zh" writes the words in Chinese."""
        _validate.one_of(lang, ("en", "zh"), name="lang")
        zh = lang == "zh"
        s = self.source
        sheet = (f"(工作表 {s.sheet})" if zh else f" (sheet {s.sheet})") if s.sheet else ""
        header_rows = ", ".join(map(str, s.header_rows))
        if zh:
            head = f"{s.path.name}{sheet}:读取 {len(self.data)} 行({s.kind}),表头在第 {header_rows} 行"
            head += f",编码 {s.encoding}" if s.encoding else ""
        else:
            head = f"{s.path.name}{sheet}: {len(self.data)} {s.kind} rows, header in row(s) {header_rows}"
            head += f", encoding {s.encoding}" if s.encoding else ""
        lines = [head, "各列读取结果:" if zh else "columns read:"]
        blank = []
        for r in self.columns_read().itertuples(index=False):
            unit = f"; {'单位' if zh else 'unit'} {r.unit}" if isinstance(r.unit, str) else ""
            if r.count == 0:
                blank.append(r.header)
            elif not isinstance(r.min, str):
                median = r.median.replace(" distinct:", " 种:") if zh else r.median
                lines.append(
                    f"  {r.header} -> {r.column}: {r.count} {'个' if zh else 'cells'} ({median}){unit}"
                )
            else:
                words = ("最小", "中位数", "最大") if zh else ("min", "median", "max")
                lines.append(
                    f"  {r.header} -> {r.column}: {r.count} {'个' if zh else 'cells'}, {words[0]} {r.min}, "
                    f"{words[1]} {r.median}, {words[2]} {r.max}{unit}"
                )
        if blank:
            lines.append(("全部为空的列:" if zh else "blank columns: ") + ", ".join(blank))
        if s.unmapped:
            lines.append(("未使用的表头:" if zh else "headers not used: ") + ", ".join(s.unmapped))
        for row in self.skipped.itertuples(index=False):
            if zh:
                lines.append(
                    f"跳过第 {row.row} 行({_SKIP_ZH.get(str(row.reason).split(' (')[0], row.reason)}):{row.text}"
                )
            else:
                lines.append(f"skipped row {row.row}: {row.reason}: {row.text}")
        return "\n".join(lines)

    def columns_read(self) -> pd.DataFrame:
        """Per column found in the file: column, header as written, count of filled cells, min,
        median and max as shown to a clerk (text; shares as percentages, dates as YYYY-MM-DD; for
        yes/no, text and time columns min and max are None and median says what was read), unit."""
        schema = SCHEMAS[self.source.kind]
        rows = []
        for name, header in self.source.columns.items():
            col = schema.column(name)
            values = self.data[name].dropna()
            low = mid = high = None
            if len(values) and col.type in ("int", "float", "share"):
                numbers = values.astype(float)
                low, mid, high = (_shown_number(x, col.type == "share", col.kind != "number") for x in
                                  (numbers.min(), numbers.median(), numbers.max()))  # fmt: skip
            elif len(values) and col.type == "date":
                dates = pd.to_datetime(values)
                low, mid, high = (show_value(x) for x in (dates.min(), dates.quantile(0.5), dates.max()))
                mid = mid if len(dates) % 2 else show_value(dates.sort_values().iloc[(len(dates) - 1) // 2])
            elif len(values) and col.type == "bool":
                mid = f"是 {int(values.sum())}, 否 {int((~values.astype(bool)).sum())}"
            elif len(values):
                counts = values.astype(str).value_counts()
                shown = ", ".join(counts.index[:4]) + (" ..." if len(counts) > 4 else "")
                mid = f"{len(counts)} distinct: {shown}"
            rows.append((name, header, int(len(values)), low, mid, high, self.source.units.get(name)))
        return pd.DataFrame(rows, columns=["column", "header", "count", "min", "median", "max", "unit"])


_SKIP_ZH = {"total row": "合计行", "subtotal row": "小计行", "note row": "备注行"}


def _shown_number(value: float, share: bool, thousands: bool = True) -> str:
    if share:
        return f"{value * 100:.4g}%"
    if not thousands:
        return f"{value:g}"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 100 else f"{value:.4g}"


def describe_problems(problems: Iterable[CellProblem], lang: str = "en", group: int = 3) -> list[str]:
    """The problems as lines a clerk can act on: a problem repeated in ``group`` or more cells of one
    column becomes one line (how many cells, the first as an example, the rows), the others one line
    each; ``lang`` "zh" writes them in Chinese.

    >>> p = [CellProblem("f.xlsx", None, r, "日期", "2月26日", "a date with its year (2020年3月9日, 2020-03-09); add the year")
    ...      for r in (3, 4, 5)]
    >>> describe_problems(p)[0]
    "f.xlsx: 3 cells in 日期, e.g. row 3: '2月26日'; expected a date with its year (2020年3月9日, 2020-03-09); add the year (rows 3, 4, 5)"
    >>> describe_problems(p, lang="zh")[0]
    "f.xlsx:日期 列有 3 个单元格有误,例如第 3 行:'2月26日';应为带年份的日期(2020年3月9日、2020-03-09),请补上年份(第 3, 4, 5 行)"
    """
    _validate.one_of(lang, ("en", "zh"), name="lang")
    zh = lang == "zh"
    groups: dict[tuple, list[CellProblem]] = {}
    for p in problems:
        groups.setdefault((p.file, p.sheet, p.column, p.expected), []).append(p)
    lines = []
    for (file, sheet, column, expected), found in groups.items():
        where = file + ((f"(工作表 {sheet})" if zh else f", sheet {sheet}") if sheet else "")
        wanted = _expected_zh(expected) if zh else expected
        first = found[0]
        if len(found) < group:
            for p in found:
                if zh:
                    value = show_value(p.value).replace("(blank)", "(空)")
                    lines.append(f"{where},第 {p.row} 行,{column} 列:{value};应为{wanted}")
                else:
                    lines.append(str(p))
            continue
        rows = ", ".join(str(p.row) for p in found[:8]) + (", ..." if len(found) > 8 else "")
        if zh:
            lines.append(f"{where}:{column} 列有 {len(found)} 个单元格有误,例如第 {first.row} 行:"
                         f"{show_value(first.value)};应为{wanted}(第 {rows} 行)")  # fmt: skip
        else:
            lines.append(f"{where}: {len(found)} cells in {column}, e.g. row {first.row}: "
                         f"{show_value(first.value)}; expected {expected} (rows {rows})")  # fmt: skip
    return lines


#: Chinese for the messages of :func:`read_ledger` (pattern, replacement), tried in order.
_EXPECTED_ZH = (
    (r"a date with its year \(.*\); add the year", "带年份的日期(2020年3月9日、2020-03-09),请补上年份"),
    (r"a date; leave the cell blank while the works are under way \((.*)\)", r"日期;在建时请留空(\1)"),
    (r"a date \(2020-03-09.*", "日期(2020-03-09、2020/3/9、2020.3.9、2020年3月9日、2020-04 或 Excel 日期)"),
    (r"a date not before (.+) \((.+)\)", r"不早于\1(\2)的日期"),
    (r"at most (\S+) \((.+)\)", r"不超过\1(\2)"),
    (r"at most ([-\d.]+)", r"不大于 \1"),
    (r"at least ([-\d.]+)", r"不小于 \1"),
    (r"one row per (.+) \(this one repeats row (\d+)(.*)\)", r"每个 \1 只填一行(与第 \2 行重复\3)"),
    (r"a value \((\w+) is needed\)", r"填写数值(分析需要 \1)"),
    (r"a value", "填写数值"),
    (r"a column headed (.+)", r"表头为 \1 的列"),
    (r"yes or no .*", "是或否(是/否、1/0、√/×)"),
    (r"a time of day .*", "时间(08:30、16:00、上午、下午)"),
    (r"a grade A, B, C or D .*", "等级 A、B、C 或 D(C级、D级危房)"),
    (r"a share between 0 and 1 .*", "0 到 1 之间的比例(0.85、85%、八成五;或在表头写(%))"),
    (r"an amount of money .*", "金额(1200000、120万、120万元)"),
    (r"an area .*", "面积(3400、3400平方米、0.34万)"),
    (r"a count .*", "数量(12、12栋)"),
    (r"electricity .*", "电量(350、350千瓦时、350度)"),
    (r"a number", "数字"),
)


def _expected_zh(text: str) -> str:
    m = re.fullmatch(r"a whole number \((.*)\)", text)
    if m:
        return f"整数({_expected_zh(m.group(1))})"
    m = re.fullmatch(r"(.*), not (an? [a-z ]+|money|electricity)", text)
    if m:
        return f"{_expected_zh(m.group(1))},而不是{m.group(2)}"
    for pattern, replacement in _EXPECTED_ZH:
        if re.fullmatch(pattern, text):
            return re.sub(pattern, replacement, text)
    return text


def read_ledger(
    path: str | Path,
    kind: str,
    sheet: str | int | None = None,
    *,
    needs: Iterable[str] | None = None,
    funding_tolerance: float = 0.01,
) -> LedgerRead:
    """Read a district ledger of the given kind into canonical columns.

    Parameters
    ----------
    path : path
        An .xlsx, .xls or .csv file. CSV encodings UTF-8, UTF-8 with BOM, GBK and GB18030 are detected.
    kind : {"renovation", "enterprise_reports", "outcomes"}
        The ledger kind (:data:`renostats.schemas.SCHEMAS`).
    sheet : str or int, optional
        Sheet name or 0-based position in a workbook. By default the sheet that was active when the
        file was saved (the first visible one if that is hidden); when it has no header row, the other
        visible sheets are searched. ``source.sheet`` says which sheet was read.
    needs : iterable of str, optional
        The canonical columns the caller's analysis needs (beside the key columns of the kind, which are
        always needed). Each must be present and filled in every row; every other column is optional.
        By default the columns the kind marks as required (``Column.required``).
    funding_tolerance : float
        Relative tolerance for funding sources adding up to the investment (renovation ledgers).

    Returns
    -------
    LedgerRead
        ``data``, ``skipped`` and ``source``.

    Raises
    ------
    LedgerError
        Listing every problem in one pass: missing columns, bad cells (file, sheet, row as Excel shows
        it, header as written, value, what was expected), quantities merged over several rows, formulas
        without a saved value; or saying what the file is when it is not a ledger.
    FileNotFoundError
        If ``path`` does not exist.
    """
    _validate.one_of(kind, sorted(SCHEMAS), name="kind")
    schema = SCHEMAS[kind]
    required = required_columns(schema, needs)
    funding_tolerance = _validate.number(funding_tolerance, name="funding_tolerance", low=0)
    path = Path(path)
    if path.is_dir():
        raise LedgerError(f"{path}: a folder, not a ledger file")
    if not path.is_file():
        raise FileNotFoundError(f"no ledger at {path}")
    grid, header_rows, headers, encoding = _locate(_open(path), sheet, schema)
    where = _Where(path.name, grid.sheet)
    mapping, units, unmapped, problems = _map_columns(headers, schema, where, header_rows, required)
    body_start = header_rows[-1] + 1
    records, skipped = _data_rows(grid.rows, body_start)
    problems += _merged_quantities(grid, {r[0] - 1 for r in records}, schema, mapping, where)
    problems += _formulas(grid, records, mapping, where)
    raw = pd.DataFrame(
        {name: [_cell(r[1], j) for r in records] for name, (j, _) in mapping.items()},
        dtype=object,  # cells as read: no inference (pandas would turn None into NaN in text columns)
    )
    rows = np.array([r[0] for r in records], dtype=int)
    data, cell_problems = _convert(raw, rows, schema, mapping, units, where, required, grid.formats_known)
    problems += cell_problems
    problems += _validate_frame(data, rows, schema, mapping, where, problems, required, funding_tolerance)
    if problems:
        missing = [n for n in required if n not in mapping]
        head = f"{_count(problems)} in {where}"
        if missing:
            needed = "; ".join(
                f"{n} (headers such as {' / '.join(schema.column(n).aliases[:3])})" for n in missing
            )
            found = ", ".join(h.replace("\x00", " / ") for h in headers if h) or "(nothing)"
            head = f"{where}: missing column(s) {needed}; the header row has: {found}. {head}"
        raise LedgerError(head, _in_order(problems, schema, mapping))
    for col in schema.columns:
        if col.name not in data:
            data[col.name] = _empty(col, len(data))
    data = data[schema.names].assign(source_row=rows)
    source = LedgerSource(
        path=path,
        kind=kind,
        sheet=grid.sheet,
        encoding=encoding,
        header_rows=tuple(r + 1 for r in header_rows),
        columns={name: header for name, (_, header) in mapping.items()},
        units={name: unit[2] for name, unit in units.items()},
        unmapped=tuple(unmapped),
    )
    skipped_frame = pd.DataFrame(skipped, columns=["row", "reason", "text"]).astype(
        {"row": int, "reason": "string", "text": "string"}
    )
    return LedgerRead(data=data.reset_index(drop=True), skipped=skipped_frame, source=source)


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook in tab order (``[""]`` for a CSV file).

    Raises
    ------
    LedgerError
        When the file is not a workbook or CSV file (saying what it is).
    """
    return list(_open(Path(path)).names)


def required_columns(schema: LedgerSchema, needs: Iterable[str] | None = None) -> tuple[str, ...]:
    """The columns a read must find filled: the kind's key columns plus ``needs`` (by default the
    columns the kind marks as required), in schema order.

    >>> required_columns(SCHEMAS["renovation"], needs=["households"])
    ('community', 'street', 'households')
    """
    if needs is None:
        wanted = {c.name for c in schema.columns if c.required}
    else:
        if isinstance(needs, str):
            needs = [needs]
        wanted = set()
        for name in needs:
            _validate.one_of(name, schema.names, name="needs")
            wanted.add(name)
    wanted |= set(schema.unique)
    return tuple(n for n in schema.names if n in wanted)


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


# --------------------------------------------------------------------------------------------------
# The sheet to read (its header rows are found by _headers)


def _locate(book: _Book, sheet: str | int | None, schema: LedgerSchema):
    """The grid, header rows and headers of the sheet to read: the one asked for, else the default
    sheet, else the first other visible sheet with a header row."""
    if sheet is not None:
        grid = book.load(_pick_sheet(book.names, sheet, book.path))
        return (grid, *_find_header(grid.rows, schema, _Where(book.path.name, grid.sheet)), book.encoding)
    order = [book.default] + [i for i in range(len(book.names)) if i != book.default and book.visible[i]]
    if not book.visible[book.default]:
        order = order[1:] or [book.default]
    first_error = None
    for i in order:
        grid = book.load(book.names[i])
        try:
            return (grid, *_find_header(grid.rows, schema, _Where(book.path.name, grid.sheet)), book.encoding)
        except LedgerError as exc:
            first_error = first_error or exc
    if len(order) > 1:
        tried = ", ".join(book.names[i] for i in order)
        expected = ", ".join(c.header for c in schema.columns if c.required)
        raise LedgerError(
            f"{book.path.name}: no header row found in the first {_HEADER_SCAN_ROWS} rows of any visible "
            f"sheet ({tried}); expected headers such as {expected}"
        )
    raise first_error


# --------------------------------------------------------------------------------------------------
# Rows

#: Words that mark a total or subtotal row in any text cell of the row (全区合计, 乙街道小计, Total).
_TOTAL = re.compile(
    r"^[^\d\W]{0,10}?(合计|总计|小计|共计)(?=$|[\d:：(（\[【])|^(?:sub|grand)?total\b", re.IGNORECASE
)
_TOTAL_REASON = {"合计": "total row", "总计": "total row", "共计": "total row", "小计": "subtotal row"}


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
    # a total or subtotal word in any text cell: offices write 合计 under the street, the community
    # or a number column, and counting such a row as a community doubles every sum
    for text in filled:
        compact = re.sub(r"\s", "", text)
        m = _TOTAL.match(compact)
        if m:
            word = m.group(1)
            if word:
                return f"{_TOTAL_REASON[word]} ({word})"
            return "subtotal row (subtotal)" if compact.lower().startswith("sub") else "total row (total)"
    for text in filled[:3]:
        compact = re.sub(r"\s", "", text)
        for word, reason in SKIP_WORDS.items():
            if compact.startswith(word):
                return f"{reason} ({word})"
        if compact and not re.fullmatch(r"[\d.]+", compact):
            break  # the first real text cell decides whether the row is a note
    return None


def _merged_quantities(grid: _Grid, kept: set[int], schema, mapping, where: _Where) -> list[CellProblem]:
    """A quantity merged over several cells of the rows kept (``kept``: 0-based) is refused: spreading
    would copy one investment to each community, and splitting it would be a guess. A note or total
    row merged across the sheet is skipped like any such row."""
    from openpyxl.utils import get_column_letter

    columns = {j: (name, shown) for name, (j, shown) in mapping.items()}
    problems = []
    for r0, c0, r1, c1 in grid.merges:
        rows = [r for r in range(r0, r1 + 1) if r in kept]
        if not rows or (r0 == r1 and c0 == c1):
            continue
        hit = [
            (j, *columns[j])
            for j in range(c0, c1 + 1)
            if j in columns and schema.column(columns[j][0]).type in ("int", "float", "share")
        ]
        if not hit or (len(rows) == 1 and len(hit) == 1):
            continue
        span = f"{get_column_letter(c0 + 1)}{r0 + 1}:{get_column_letter(c1 + 1)}{r1 + 1}"
        value = grid.rows[r0][c0]
        for r in rows:
            for _j, _name, shown in hit:
                problems.append(
                    where.problem(
                        r + 1,
                        shown,
                        value,
                        f"one figure per row; the cell is merged over {span} (split it and give each "
                        "row its own figure: a merged quantity is never copied)",
                    )
                )
    return problems


def _formulas(grid: _Grid, records, mapping, where: _Where) -> list[CellProblem]:
    problems = []
    for row_number, row in records:
        for _name, (j, shown) in mapping.items():
            value = _cell(row, j)
            if isinstance(value, _Formula):
                problems.append(
                    where.problem(
                        row_number,
                        shown,
                        str(value),
                        "a saved value; the cell holds a formula whose result was never saved "
                        "(open and save the file in Excel or LibreOffice)",
                    )
                )
    return problems


# --------------------------------------------------------------------------------------------------
# Validation


def _validate_frame(data, rows, schema, mapping, where, earlier, required, funding_tolerance):
    """Types, ranges, key uniqueness and the cross-column rules, through pandera; each failure is
    turned into cell problems by its structured reason code, never by reading its message."""
    import pandera.errors
    from pandera.errors import SchemaErrorReason as Reason

    checker = pandera_schema(schema, funding_tolerance, required=required)
    keys = _key_frame(data, schema)
    try:
        checker.validate(data.assign(**{k: keys[k] for k in keys}), lazy=True)
        return []
    except pandera.errors.SchemaErrors as exc:
        errors = exc.schema_errors
    rules = {name: (column, message) for name, column, message, _fn in frame_rules(schema, funding_tolerance)}
    seen = {(p.row, p.column) for p in earlier}
    problems: list[CellProblem] = []

    def add(i: int, column: str, expected: str) -> None:
        if column not in mapping:
            return
        header = mapping[column][1]
        if (rows[i], header) in seen:
            return
        seen.add((rows[i], header))
        problems.append(where.problem(rows[i], header, _plain(data[column].iloc[i]), expected))

    for err in errors:
        cases = err.failure_cases
        index = [] if cases is None or "index" not in cases else cases["index"].dropna().astype(int).unique()
        reason = err.reason_code
        if reason is Reason.DUPLICATES:
            problems += _duplicates(data, keys, rows, schema, mapping, where, seen)
        elif reason is Reason.DATAFRAME_CHECK and err.check is not None and err.check.name in rules:
            column, message = rules[err.check.name]
            for i in index:
                if column == "investment_yuan":
                    total = float(funding_total(data.iloc[[i]]).iloc[0])  # parts counted once
                    add(i, column, f"{message} (they add up to {total:,.0f} yuan)")
                elif err.check.name == "dates_in_order" and "start_date" in mapping:
                    start = show_value(data["start_date"].iloc[i])
                    add(i, column, f"a date not before {mapping['start_date'][1]} ({start})")
                elif err.check.name == "staff_within_total" and "staff_total" in mapping:
                    total = show_value(data["staff_total"].iloc[i])
                    add(i, column, f"at most {mapping['staff_total'][1]} ({total})")
                else:
                    add(i, column, message)
        elif reason is Reason.SERIES_CONTAINS_NULLS:
            for i in index:
                add(i, err.schema.name, "a value")
        elif reason is Reason.DATAFRAME_CHECK and err.check is not None:
            for i in index:
                add(i, err.schema.name, err.check.error or str(err.check))
        else:  # a column of the wrong type: a fault in this module, not in the ledger
            raise err
    return problems


def _key_frame(data: pd.DataFrame, schema) -> dict[str, pd.Series]:
    """The key columns compared loosely: NFKC (full-width digits and letters as half-width), without
    invisible characters or spaces, so that 1号小区, １号小区 and 1号\u200b小区 are one community."""
    keys = {}
    for name in schema.unique:
        if name in data and schema.column(name).type == "text":
            keys[name] = (
                data[name]
                .map(lambda v: None if v is None or v is pd.NA else _key_text(v), na_action="ignore")
                .astype("string")
            )
    return keys


def _key_text(text: str) -> str:
    return re.sub(r"\s", "", _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)))


def _duplicates(data, keys, rows, schema, mapping, where, seen) -> list[CellProblem]:
    key = data[list(schema.unique)].assign(**keys)
    # a row whose key cell could not be read (a bad date, a blank name) is reported for that cell
    # only, never also as repeating another row
    readable = key.notna().all(axis=1).to_numpy()
    repeated = key.duplicated(keep="first").to_numpy() & readable
    if not repeated.any():
        return []
    first_of = key.reset_index(drop=True).groupby(list(schema.unique), dropna=False, sort=False).ngroup()
    first_row = {g: i for i, g in reversed(list(enumerate(first_of)))}
    column = schema.unique[0]
    header = mapping[column][1]
    problems = []
    for i in np.flatnonzero(repeated):
        j = first_row[first_of.iloc[i]]
        a, b = data[column].iloc[j], data[column].iloc[i]
        same = "" if a == b else f"; {a!r} and {b!r} read as the same name"
        if (rows[i], header) in seen:
            continue
        seen.add((rows[i], header))
        problems.append(
            where.problem(
                rows[i],
                header,
                _plain(b),
                f"one row per {', '.join(schema.unique)} (this one repeats row {rows[j]}{same})",
            )
        )
    return problems


def _count(problems: list[CellProblem]) -> str:
    cells = len({(p.row, p.column) for p in problems})
    return f"{cells} problem(s)"


def _in_order(problems: list[CellProblem], schema, mapping) -> list[CellProblem]:
    """Problems in reading order (row, then schema column order), one per cell (the first found)."""
    position = {shown: schema.names.index(name) for name, (_, shown) in mapping.items()}
    unique: dict[tuple[int, str], CellProblem] = {}
    for p in problems:
        unique.setdefault((p.row, p.column), p)
    return sorted(unique.values(), key=lambda p: (p.row, position.get(p.column, -1)))
