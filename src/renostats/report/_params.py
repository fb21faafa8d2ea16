"""What a run is asked for: notebooks, parameter files (YAML 1.2, no aliases), sets and matrices.

Every value is checked against the type of the notebook's declared default before anything runs.
"""

from __future__ import annotations

import ast
import datetime as dt
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from renostats import paths
from renostats.errors import UsageError
from renostats.report._notebook import _short

_SET_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


def list_notebooks(folder: Path | None = None) -> list[Path]:
    """The report notebooks in ``folder`` (default ``notebooks/``): ``NN_name.ipynb``, in order."""
    folder = folder or paths.NOTEBOOKS_DIR
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb") if p.is_file())


def notebook_parameters(notebook: Path) -> dict[str, Any]:
    """Parameters declared in the notebook's ``parameters`` cell, with their defaults."""
    import papermill

    found = papermill.inspect_notebook(str(notebook))
    return {name: spec.get("default") for name, spec in found.items()}


class CommandLineText(str):
    """A parameter value as typed on the command line, read against the type the notebook declares.

    ``-p carry_days 010`` is the whole number 10 for a notebook whose ``carry_days = 2``; ``-p district
    "北塔区 #备注"`` is that text, comment sign included, for a notebook whose ``district = "双清区"``;
    lists and mappings (``-p plan_years "[2022, 2023]"``) are read as YAML 1.2 (no ``on``/``no`` booleans,
    no octal ``010``, no sexagesimal ``1:20``, no aliases).
    """


def read_yaml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """A parameter file: a mapping of names to values, read with YAML 1.2 core rules and no aliases.

    Raises
    ------
    UsageError
        For a missing file, a folder, text that is not UTF-8, invalid YAML, an alias (``*name``) or a
        document that is not a mapping of names.
    """
    path = Path(path)
    if path.is_dir():
        raise UsageError(f"parameter file '{_short(str(path))}' is a folder, not a YAML file")
    if not path.is_file():
        raise UsageError(f"parameter file '{_short(str(path))}' does not exist")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"parameter file '{path}' is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    values = _load_yaml(text, f"parameter file '{path}'")
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(k, str) for k in values):
        raise UsageError(f"parameter file '{path}' must be a mapping of parameter names to values")
    return values


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's scalars, refusing aliases.

    YAML 1.1 (PyYAML's default) reads ``010`` as 8, ``1:20`` as 80, ``on``/``no`` as booleans and
    leaves ``1e-3`` a string; an alias such as ``&a [*a]`` can make a 291-byte file expand without end.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in parameter files", event.start_mark
            )
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node):
        text = self.construct_scalar(node)
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)


_Yaml12Loader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in [
    ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
     "-+0123456789."),
]:  # fmt: skip
    _Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern), list(_first))
_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _Yaml12Loader.construct_yaml_int)


def _load_yaml(text: str, what: str) -> Any:
    try:
        return yaml.load(text, Loader=_Yaml12Loader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"{what} is not valid YAML{where}: {problem}") from None


_TYPE_WORDS = {bool: "true or false", int: "a whole number", float: "a number", str: "text",
               list: "a list such as [2022, 2023]", dict: "a mapping such as {a: 1}"}  # fmt: skip


def _declared_types(
    name: str, declared: Mapping[Path, Mapping[str, Any]]
) -> list[tuple[Path, Any, type | None]]:
    """(notebook, default as written, type of the default) for each notebook that declares ``name``."""
    out = []
    for nb, params in declared.items():
        if name in params:
            written = params[name]
            try:
                default = ast.literal_eval(written) if isinstance(written, str) else written
            except (ValueError, SyntaxError):
                out.append((nb, written, None))
                continue
            kind = type(default)
            out.append((nb, written, kind if kind in _TYPE_WORDS else None))
    return out


def _typed(name: str, value: Any, declared: Mapping[Path, Mapping[str, Any]]) -> Any:
    """``value`` read (command-line text) and checked against the type each notebook declares."""
    types = _declared_types(name, declared)
    if isinstance(value, CommandLineText):
        kind = next((t for _, _, t in types if t is not None), None)
        value = _read_text(name, str(value), kind)
    for nb, written, kind in types:
        if kind is None or _fits(value, kind):
            continue
        raise UsageError(
            f"parameter {name}: {_short(repr(value))} is not {_TYPE_WORDS[kind]}; "
            f"{nb.stem} declares {name} = {_short(str(written))}"
        )
    return value


def _fits(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _read_text(name: str, text: str, kind: type | None) -> Any:
    if kind is str:
        return text
    value = _load_yaml(text, f"parameter {name} ({_short(repr(text))})")
    if value is None and text.strip() == "":
        return text
    return value


def _resolve_notebooks(names: Sequence[str | Path] | None) -> list[Path]:
    available = list_notebooks()
    if not names:
        if not available:
            raise UsageError(f"no report notebooks in {paths.NOTEBOOKS_DIR}")
        return available
    chosen: list[Path] = []
    for name in names:
        path = Path(name)
        if path.suffix == ".ipynb" and path.is_file():
            chosen.append(path.resolve())
            continue
        stem = path.name.removesuffix(".ipynb")
        matches = [p for p in available if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if len(matches) != 1:
            known = ", ".join(p.stem for p in available)
            raise UsageError(f"unknown notebook {str(name)!r}; available: {known}")
        chosen.append(matches[0])
    return chosen


def _read_matrix(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of a ``--matrix`` file (CSV or YAML list of mappings), keyed by their ``name`` or ``district``."""
    if not path.is_file():
        raise UsageError(f"--matrix file '{path}' does not exist")
    if path.suffix.lower() in (".yaml", ".yml"):
        rows = _load_yaml(path.read_text(encoding="utf-8"), f"--matrix file '{path}'")
        if isinstance(rows, dict) and isinstance(rows.get("districts"), list):
            rows = rows["districts"]
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise UsageError(f"--matrix file '{path}' must be a list of mappings (one per district)")
        rows = [{k: v.isoformat() if isinstance(v, dt.date) else v for k, v in r.items()} for r in rows]
    elif path.suffix.lower() == ".csv":
        import csv

        try:
            text = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_text(encoding="gb18030")
        rows = [
            {k.strip(): _scalar(v.strip()) for k, v in r.items() if k and v is not None and v.strip() != ""}
            for r in csv.DictReader(text.splitlines())
        ]
    else:
        raise UsageError(f"--matrix file '{path}' must be .csv or .yaml")
    out: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows, start=2 if path.suffix.lower() == ".csv" else 1):
        key = str(row.pop("name", None) or row.get("district") or "").strip()
        if not key or re.search(r"[/\\\x00]|^\.", key):
            raise UsageError(f"--matrix file '{path}', row {i}: give each row a name or a district (no '/')")
        if key in out:
            raise UsageError(f"--matrix file '{path}', row {i}: {key!r} appears twice")
        out[key] = row
    if not out:
        raise UsageError(f"--matrix file '{path}' has no rows")
    return out


def _scalar(text: str) -> Any:
    """A matrix cell as a YAML 1.2 core scalar would read it: numbers and true/false typed, dates as text."""
    if re.fullmatch(r"[-+]?\d+", text):
        return int(text)
    if re.fullmatch(r"[-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)?", text):
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def _read_set(name: str) -> dict[str, Any]:
    path = paths.PARAMS_DIR / f"{name}.yaml"
    if not _SET_NAME.match(name) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in paths.PARAMS_DIR.glob("*.yaml"))) or "none"
        raise UsageError(f"unknown parameter set {name!r}; available: {known}")
    return read_yaml(path)


def _set_notebooks(name: str, listed: Any, selected: list[Path]) -> list[Path] | None:
    """The selected notebooks a set is for, when the set lists them."""
    if listed is None:
        return None
    if isinstance(listed, str):  # a matrix cell: "00 04" or "00, 04"
        listed = [x for x in re.split(r"[\s,;]+", listed) if x]
    if not isinstance(listed, list):
        raise UsageError(f"parameter set {name!r}: 'notebooks' must be a list of notebook names")
    wanted = {p.resolve() for p in _resolve_notebooks([str(x) for x in listed])}
    chosen = [nb for nb in selected if nb.resolve() in wanted]
    if not chosen:
        raise UsageError(f"parameter set {name!r} is for {listed}, none of which was selected")
    return chosen


def _check_names(values: Mapping[str, Any], declared: Mapping[Path, Mapping[str, Any]], what: str):
    known = set().union(*(set(p) for p in declared.values()))
    for name in values:
        if name not in known:
            listing = "; ".join(
                f"{nb.stem}: {', '.join(params) or '(none)'}" for nb, params in declared.items()
            )
            raise UsageError(f"unknown {what} {_short(repr(name))}; the notebooks take {listing}")
