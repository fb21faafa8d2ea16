"""The layers in docs/architecture.md match what the modules import.

The table under "## Layers" in docs/architecture.md lists each layer (lowest first) and its modules. A
module may import modules of lower layers, the private helpers (``_name``) of its own layer, and inside a
subpackage its own modules; the
analysis layer may not import the reading or data layers (no I/O in the modelling code). Every module of
the package must be in the table, so a new module is placed on purpose.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "renostats"
DOC = ROOT / "docs" / "architecture.md"


def _layers() -> dict[str, int]:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rank: dict[str, int] = {}
    rows = [r for r in section.splitlines() if r.startswith("|") and "---" not in r][1:]
    for i, row in enumerate(rows):
        cells = [c.strip() for c in row.strip("|").split("|")]
        for name in re.findall(r"`([\w./]+)`", cells[1]):
            rank[name.removesuffix(".py").removesuffix("/").replace("/", ".")] = i
    return rank


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in SRC.rglob("*.py") if _module_name(p)}


def _layer_of(name: str, rank: dict[str, int]) -> int | None:
    while name:
        if name in rank:
            return rank[name]
        name = name.rpartition(".")[0]
    return None


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "renostats":
                found.update(a.name for a in node.names if a.name != "__version__")
            elif node.module.startswith("renostats."):
                found.add(node.module.removeprefix("renostats."))
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            pkg = _module_name(path).rpartition(".")[0] if path.name != "__init__.py" else _module_name(path)
            found.add(f"{pkg}.{node.module}" if node.module else pkg)
        elif isinstance(node, ast.Import):
            found.update(
                a.name.removeprefix("renostats.") for a in node.names if a.name.startswith("renostats.")
            )
    return found


def test_every_module_is_placed_in_a_layer():
    rank = _layers()
    unplaced = sorted(m for m in _modules() if _layer_of(m, rank) is None)
    assert not unplaced, f"add these modules to the Layers table of docs/architecture.md: {unplaced}"


@pytest.mark.parametrize("module", sorted(_modules()))
def test_modules_import_only_lower_layers(module):
    rank = _layers()
    mine = _layer_of(module, rank)
    top = module.split(".")[0]
    analyses = rank.get("recovery")
    for target in sorted(_imports(_modules()[module])):
        if target.split(".")[0] == top:  # a subpackage's own modules
            continue
        theirs = _layer_of(target, rank)
        assert theirs is not None, f"{module} imports {target}, which is not in the Layers table"
        behind = theirs == mine and target.split(".")[-1].startswith("_")  # a private helper of its layer
        assert theirs < mine or behind, (
            f"{module} (layer {mine}) imports {target} (layer {theirs}): not a lower layer"
        )
        if mine == analyses:
            assert target not in ("ledger", "datasets"), f"{module} is an analysis and may not read files"
