"""Finding a ledger's header rows and mapping its headers to canonical columns and units.

Skips title and form lines above the header, joins a two-row header (group headers over sub-headers,
merged or written once), matches each header to a column of the kind (:mod:`renostats.schemas`) and
reads the unit a header declares (``建筑面积(万平方米)``). Reading layer: a private helper behind
:mod:`renostats.ledger`, importing nothing from it: the reader passes in ``where``, which names the
file and sheet in messages and makes the cell problems.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from renostats._cells import _cell_text
from renostats.errors import LedgerError
from renostats.schemas import Column, LedgerSchema, split_header_unit
from renostats.units import parse_quantity

_HEADER_SCAN_ROWS = 30


def _header_hit(text: str, schema: LedgerSchema) -> str | None:
    if not text or ":" in text:
        return None  # empty, or a form line such as 填报日期:2020年3月31日
    hit = schema.match_header(text)
    if hit:
        return hit
    base, _unit = split_header_unit(text)
    return schema.match_header(base)


def _find_header(grid, schema: LedgerSchema, where: Any) -> tuple[tuple[int, ...], list[str]]:
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


def _map_columns(headers: list[str], schema: LedgerSchema, where: Any, header_rows, required):
    mapping: dict[str, tuple[int, str]] = {}
    units: dict[str, tuple[float, str, str, float]] = {}
    unmapped: list[str] = []
    problems: list[Any] = []  # cell problems, made by where.problem
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
                # a cell that writes its own multiplier (0.6万) replaces the header's: keep the unit's
                # own factor apart (万亩 -> 亩), so a multiplier is never applied twice
                unit_only = _header_unit(_MULTIPLIER_PREFIX.sub("", unit_text), col) or 1.0
                units[name] = (factor, unit_text, f"{unit_text} (x{factor:g})", unit_only)
    for name in required:
        if name not in mapping:
            aliases = " / ".join(schema.column(name).aliases[:3])
            problems.append(where.problem(header_row, f"({name})", None, f"a column headed {aliases}"))
    return mapping, units, unmapped, problems


_MULTIPLIER_PREFIX = re.compile(r"^\s*(?:万亿|亿|万|千|百|十)")


def _header_unit(unit_text: str, col: Column) -> float | None:
    """The factor a header unit applies to plain numbers in its column, or None if it does not fit."""
    if col.type not in ("int", "float", "share"):
        return None
    if not unit_text.strip():
        return 1.0
    try:
        q = parse_quantity("1" + unit_text)
    except ValueError:
        return None
    if q.kind == "number":  # (万) alone: a multiplier for whatever the column holds
        return q.value
    if col.kind in (q.kind, None) or (col.kind == "number" and q.kind == "count"):
        return q.value
    return None
