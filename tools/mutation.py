"""Sampled mutation testing of one renostats module (a file or a package folder) against its fast tests.

Usage (from the checkout; ``make mutation`` runs it over the core modules)::

    python tools/mutation.py units                    # 40 mutants of src/renostats/units/, seed 0
    python tools/mutation.py src/renostats/did/ -n 80 --seed 1
    python tools/mutation.py units ledger --json /tmp/mutation.json
    python tools/mutation.py units --list             # every candidate mutant, nothing run

A *mutant* is the module with one small change: an arithmetic operator swapped (``+``/``-``, ``*``/``/``,
``//`` -> ``/``, ``**`` -> ``*``, ``%`` -> ``*``, ``|``/``&``, and the augmented forms), a comparison moved
across its bound (``<``/``<=``, ``>``/``>=``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``), ``and``/``or``
swapped, a ``not`` or a unary minus dropped, a number constant raised by one, ``True``/``False`` flipped,
``min``/``max`` (and ``minimum``/``maximum``, ``idxmin``/``idxmax`` ...) swapped, a ``lower=``/``upper=``
keyword swapped. Docstrings, annotations, decorators, ``raise`` statements, f-strings and ``__all__`` are
left alone: a change there alters a message, not a number.

Every candidate mutant is listed in a fixed order, ``-n`` of them are drawn with ``random.Random(seed)``
(shuffle, then the first ``n`` that parse to the intended change), and each is tried against the module's
doctests and its test files (``tests/test_<name>.py``, ``tests/test_<name>_*.py``, ``tests/<name>/``,
``tests/test_<name>/``) in a scratch copy of the checkout. The unmutated tests run once under coverage with
one context per test; a mutant then runs, with ``pytest -x``, only the tests that execute its line (all of
them for a line run at import, such as a table), in a child forked from a process that has already imported
numpy, pandas and scipy, with a timeout of ``--timeout-factor`` times the unmutated run. A mutant is *killed*
when a test fails, errors or times out, and *survives* when every test passes or no test runs its line.
Mutants listed in ``tools/mutation-equivalent.yaml`` (file, the line as written and as mutated, and the
reason the change cannot alter any result) are reported as equivalent and left out of the score:
``score = killed / (sampled - equivalent)``. Hypothesis runs with ``--hypothesis-seed=<seed>``.

Needs pytest and coverage (the dev extra), and fork (Linux, macOS). The checkout is never modified.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_ROOT = HERE.parent
DEFAULT_EQUIVALENT = HERE / "mutation-equivalent.yaml"
CORE = ("units", "ledger", "recovery", "renovation", "funding", "did")
# Private helper files a module's code was split into: named alone, the module is measured with them (its
# tests are the helpers' tests), so a score counts the same code before and after a split.
HELPERS = {
    "ledger": ("_workbook", "_headers", "_cells"),
    "funding": ("_classifications",),
    "renovation": ("_knapsack", "_progress"),
    "datasets": ("_clerk",),
}

# --------------------------------------------------------------------------------------------------
# Mutation operators

_BINOP = {
    ast.Add: (ast.Sub, "+", "-"),
    ast.Sub: (ast.Add, "-", "+"),
    ast.Mult: (ast.Div, "*", "/"),
    ast.Div: (ast.Mult, "/", "*"),
    ast.FloorDiv: (ast.Div, "//", "/"),
    ast.Mod: (ast.Mult, "%", "*"),
    ast.Pow: (ast.Mult, "**", "*"),
    ast.BitOr: (ast.BitAnd, "|", "&"),
    ast.BitAnd: (ast.BitOr, "&", "|"),
}
_CMPOP = {
    ast.Lt: (ast.LtE, r"<", "<="),
    ast.LtE: (ast.Lt, r"<=", "<"),
    ast.Gt: (ast.GtE, r">", ">="),
    ast.GtE: (ast.Gt, r">=", ">"),
    ast.Eq: (ast.NotEq, r"==", "!="),
    ast.NotEq: (ast.Eq, r"!=", "=="),
    ast.Is: (ast.IsNot, r"\bis\b", "is not"),
    ast.IsNot: (ast.Is, r"\bis\s+not\b", "is"),
    ast.In: (ast.NotIn, r"\bin\b", "not in"),
    ast.NotIn: (ast.In, r"\bnot\s+in\b", "in"),
}
_SWAP_NAMES = {
    "min": "max",
    "max": "min",
    "minimum": "maximum",
    "maximum": "minimum",
    "nanmin": "nanmax",
    "nanmax": "nanmin",
    "argmin": "argmax",
    "argmax": "argmin",
    "idxmin": "idxmax",
    "idxmax": "idxmin",
    "cummin": "cummax",
    "cummax": "cummin",
}
_SWAP_KEYWORDS = {"lower": "upper", "upper": "lower"}
_QUIET_KEYWORDS = {"stacklevel"}  # a constant here changes where a warning points, never a result


@dataclass(frozen=True)
class Mutant:
    """One change to one file: bytes ``start:end`` of the file become ``replacement``."""

    file: str  # path relative to the checkout's src/, e.g. renostats/units/_fast.py
    line: int
    start: int
    end: int
    replacement: str
    change: str  # e.g. "`-` -> `+`"
    kind: str  # operator, comparison, boolean, unary, constant, min/max, bound
    node_index: int  # position of the mutated node in ast.walk order (for the self-check)
    end_line: int = 0  # last line of the mutated node (for the coverage look-up)
    before: str = ""  # the source line, stripped
    after: str = ""  # the same line mutated, stripped

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


class _Source:
    """A file's text with byte offsets for ast positions (ast columns count UTF-8 bytes)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.line_starts = [0]
        for line in self.data.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))

    def start(self, node: ast.AST) -> int:
        return self.line_starts[node.lineno - 1] + node.col_offset

    def end(self, node: ast.AST) -> int:
        return self.line_starts[node.end_lineno - 1] + node.end_col_offset

    def segment(self, a: int, b: int) -> str:
        return self.data[a:b].decode("utf-8")

    def line_of(self, offset: int) -> int:
        lo, hi = 0, len(self.line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.line_starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1


def _find_token(src: _Source, a: int, b: int, pattern: str) -> tuple[int, int] | None:
    """Byte span of the operator ``pattern`` between two operands (comments blanked out)."""
    gap = src.segment(a, b)
    blanked = re.sub(r"#[^\n]*", lambda m: " " * len(m.group()), gap)
    hits = list(re.finditer(pattern, blanked))
    if len(hits) != 1:
        return None
    s, e = hits[0].span()
    return a + len(gap[:s].encode("utf-8")), a + len(gap[:e].encode("utf-8"))


def _is_text(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _call_name(node: ast.Call) -> str:
    f = node.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ""


def _skipped_children(node: ast.AST) -> set[int]:
    """ids of child subtrees of ``node`` that are never mutated (annotations, decorators, __all__)."""
    out: list[ast.AST | None] = []
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        out += [*node.decorator_list, node.returns]
        a = node.args
        out += [x.annotation for x in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if x]
    elif isinstance(node, ast.ClassDef):
        out += node.decorator_list
    elif isinstance(node, ast.arg):
        out.append(node.annotation)
    elif isinstance(node, ast.AnnAssign):
        out.append(node.annotation)
    elif isinstance(node, ast.Call):
        out += [k.value for k in node.keywords if k.arg in _QUIET_KEYWORDS]
    return {id(x) for x in out if x is not None}


def _never(node: ast.AST) -> bool:
    """Subtrees left alone entirely: messages, exports, type-checking imports."""
    if isinstance(node, ast.Raise | ast.JoinedStr | ast.Import | ast.ImportFrom):
        return True
    if isinstance(node, ast.Assign) and any(
        isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
    ):
        return True
    if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
        return True
    if isinstance(node, ast.Call) and _call_name(node) in {"warn", "debug", "info"}:
        return True
    return False


def _mutants_of_node(node: ast.AST, index: int, src: _Source, file: str) -> list[Mutant]:
    out: list[Mutant] = []

    def add(a: int, b: int, replacement: str, change: str, kind: str) -> None:
        out.append(Mutant(file, src.line_of(a), a, b, replacement, change, kind, index))

    if isinstance(node, ast.BinOp) and type(node.op) in _BINOP:
        if not (_is_text(node.left) or _is_text(node.right)):
            _, old, new = _BINOP[type(node.op)]
            span = _find_token(src, src.end(node.left), src.start(node.right), re.escape(old))
            if span:
                add(*span, new, f"`{old}` -> `{new}`", "operator")
    elif isinstance(node, ast.AugAssign) and type(node.op) in _BINOP:
        _, old, new = _BINOP[type(node.op)]
        span = _find_token(src, src.end(node.target), src.start(node.value), re.escape(old) + "=")
        if span:
            add(*span, new + "=", f"`{old}=` -> `{new}=`", "operator")
    elif isinstance(node, ast.Compare):
        left = node.left
        for k, (op, right) in enumerate(zip(node.ops, node.comparators, strict=True)):
            if type(op) in _CMPOP:
                _, pattern, new = _CMPOP[type(op)]
                span = _find_token(src, src.end(left), src.start(right), pattern)
                if span:
                    old = src.segment(*span)
                    out.append(
                        Mutant(
                            file, src.line_of(span[0]), *span, new, f"`{old}` -> `{new}`", "comparison", index
                        )
                    )
                    out[-1] = _with_sub(out[-1], k)
            left = right
    elif isinstance(node, ast.BoolOp):
        old, new = ("and", "or") if isinstance(node.op, ast.And) else ("or", "and")
        spans = [
            _find_token(src, src.end(x), src.start(y), rf"\b{old}\b")
            for x, y in zip(node.values, node.values[1:], strict=False)
        ]
        if all(spans):
            # one mutant that swaps every `and` of the chain, so the grouping stays as written
            a, b = spans[0][0], spans[-1][1]
            text = src.data[a:b]
            for s, e in reversed(spans):
                text = text[: s - a] + new.encode() + text[e - a :]
            add(a, b, text.decode("utf-8"), f"`{old}` -> `{new}`", "boolean")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not | ast.USub):
        a, b = src.start(node), src.start(node.operand)
        old = "not x" if isinstance(node.op, ast.Not) else "-x"
        if not (isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant)):
            add(a, b, "", f"`{old}` -> `x`", "unary")
    elif isinstance(node, ast.Constant) and not isinstance(node.value, str | bytes):
        v = node.value
        if isinstance(v, bool):
            add(src.start(node), src.end(node), repr(not v), f"`{v}` -> `{not v}`", "constant")
        elif isinstance(v, int | float) and not isinstance(v, complex):
            old = src.segment(src.start(node), src.end(node))
            new = repr(v + 1)
            add(src.start(node), src.end(node), new, f"`{old}` -> `{new}`", "constant")
    elif isinstance(node, ast.Name) and node.id in {"min", "max"}:
        add(
            src.start(node),
            src.end(node),
            _SWAP_NAMES[node.id],
            f"`{node.id}` -> `{_SWAP_NAMES[node.id]}`",
            "min/max",
        )
    elif isinstance(node, ast.Attribute) and node.attr in _SWAP_NAMES:
        e = src.end(node)
        a = e - len(node.attr.encode())
        if src.segment(a, e) == node.attr:
            new = _SWAP_NAMES[node.attr]
            add(a, e, new, f"`.{node.attr}` -> `.{new}`", "min/max")
    elif isinstance(node, ast.keyword) and node.arg in _SWAP_KEYWORDS:
        a = src.start(node)
        if src.segment(a, a + len(node.arg)) == node.arg:
            new = _SWAP_KEYWORDS[node.arg]
            add(a, a + len(node.arg), new, f"`{node.arg}=` -> `{new}=`", "bound")
    return out


def _with_sub(m: Mutant, k: int) -> Mutant:
    """Comparison mutants remember which operator of a chain they change (stored in kind)."""
    return Mutant(m.file, m.line, m.start, m.end, m.replacement, m.change, f"comparison:{k}", m.node_index)


def _change_in_place(node: ast.AST, parent: ast.AST, m: Mutant) -> object:
    """Apply the mutant's change to the original tree in place; return what ``_undo`` needs to revert it."""
    if m.kind == "operator" or m.kind == "boolean":
        old = node.op
        node.op = (
            ast.Or()
            if isinstance(old, ast.And)
            else ast.And()
            if m.kind == "boolean"
            else _BINOP[type(old)][0]()
        )
        return ("op", old)
    if m.kind.startswith("comparison"):
        k = int(m.kind.split(":")[1])
        old = node.ops[k]
        node.ops[k] = _CMPOP[type(old)][0]()
        return ("ops", (k, old))
    if m.kind == "unary":
        for name, value in ast.iter_fields(parent):
            if value is node:
                setattr(parent, name, node.operand)
                return ("field", name)
            if isinstance(value, list) and any(v is node for v in value):
                i = next(i for i, v in enumerate(value) if v is node)
                value[i] = node.operand
                return ("list", (name, i))
    if m.kind == "constant":
        old = node.value
        node.value = (not old) if isinstance(old, bool) else old + 1
        return ("value", old)
    if m.kind == "min/max":
        attr = "id" if isinstance(node, ast.Name) else "attr"
        old = getattr(node, attr)
        setattr(node, attr, _SWAP_NAMES[old])
        return (attr, old)
    if m.kind == "bound":
        old = node.arg
        node.arg = _SWAP_KEYWORDS[old]
        return ("arg", old)
    raise ValueError(m.kind)


def _undo(node: ast.AST, parent: ast.AST, undo: tuple) -> None:
    what, old = undo
    if what == "ops":
        node.ops[old[0]] = old[1]
    elif what == "field":
        setattr(parent, old, node)
    elif what == "list":
        getattr(parent, old[0])[old[1]] = node
    else:
        setattr(node, what, old)


def apply(text: str, m: Mutant) -> str:
    """The file's text with mutant ``m`` applied."""
    data = text.encode("utf-8")
    return (data[: m.start] + m.replacement.encode("utf-8") + data[m.end :]).decode("utf-8")


class FileMutants:
    """The candidate mutants of one file, in source order; :meth:`check` confirms one parses as intended."""

    def __init__(self, path: Path, rel: str) -> None:
        self.text = path.read_text(encoding="utf-8")
        src = _Source(self.text)
        self.tree = ast.parse(self.text)
        self.nodes = list(ast.walk(self.tree))
        index = {id(n): i for i, n in enumerate(self.nodes)}
        self.candidates: list[Mutant] = []

        def visit(node: ast.AST) -> None:
            if _never(node):
                return
            self.candidates.extend(_mutants_of_node(node, index[id(node)], src, rel))
            skip = _skipped_children(node)
            for child in ast.iter_child_nodes(node):
                if id(child) not in skip:
                    visit(child)

        visit(self.tree)
        self.parent = {id(c): p for p in self.nodes for c in ast.iter_child_nodes(p)}
        self.top = {id(n): i for i, stmt in enumerate(self.tree.body) for n in ast.walk(stmt)}
        self.lines = self.text.splitlines()

    def check(self, m: Mutant) -> Mutant | None:
        """``m`` with its source lines filled in, or None when the text change is not the intended change."""
        mutated = apply(self.text, m)
        try:
            got = ast.parse(mutated)
        except SyntaxError:
            return None
        node = self.nodes[m.node_index]
        parent = self.parent.get(id(node))
        i = self.top[id(node)]
        plain = ast.dump(self.tree.body[i])
        undo = _change_in_place(node, parent, m)
        expected = ast.dump(self.tree.body[i])
        _undo(node, parent, undo)
        if len(got.body) != len(self.tree.body) or ast.dump(got.body[i]) != expected or expected == plain:
            return None  # e.g. operator precedence would regroup the expression: leave it out
        before = self.lines[m.line - 1].strip()
        after = mutated.splitlines()[m.line - 1].strip()
        kind = m.kind.split(":")[0]
        end_line = max(m.line, getattr(node, "end_lineno", None) or m.line)
        return Mutant(
            m.file,
            m.line,
            m.start,
            m.end,
            m.replacement,
            m.change,
            kind,
            m.node_index,
            end_line,
            before,
            after,
        )


def candidates(target: Target, root: Path) -> tuple[list[Mutant], dict[str, FileMutants]]:
    src_dir = (root / "src").resolve()
    files = {}
    for f in target.files:
        rel = f.relative_to(src_dir).as_posix()
        files[rel] = FileMutants(f, rel)
    return [m for fm in files.values() for m in fm.candidates], files


def sample(target: Target, root: Path, n: int, seed: int) -> tuple[list[Mutant], int]:
    """``n`` checked mutants drawn with ``random.Random(seed)`` (all when n <= 0), and the candidate count."""
    pool, files = candidates(target, root)
    order = list(range(len(pool)))
    random.Random(seed).shuffle(order)
    chosen = []
    for i in order:
        m = files[pool[i].file].check(pool[i])
        if m is not None:
            chosen.append((i, m))
        if 0 < n <= len(chosen):
            break
    return [m for _, m in sorted(chosen, key=lambda t: t[0])], len(pool)


# --------------------------------------------------------------------------------------------------
# Modules, tests, equivalents


@dataclass
class Target:
    name: str
    files: list[Path]  # absolute paths in the checkout
    doctest_paths: list[Path]  # the files or package folders, relative to the checkout
    tests: list[Path]  # relative to the checkout
    rel_files: list[str] = field(default_factory=list)  # the files, relative to src/


def _module_path(module: str, root: Path) -> Path:
    p = Path(module)
    candidates = [root / p, root / "src" / "renostats" / f"{module}.py", root / "src" / "renostats" / module]
    path = next((c for c in candidates if c.exists() and (c.is_dir() or c.suffix == ".py")), None)
    if path is None:
        raise SystemExit(f"no module {module!r} under {root / 'src' / 'renostats'}")
    return path.resolve()


def resolve(module: str, root: Path) -> Target:
    """``units``, ``src/renostats/ledger.py`` or ``src/renostats/did/`` -> the files and tests to use.

    Several paths joined by commas make one target named after the first (``renovation,_knapsack`` for a
    module whose code was split into private helpers): all their files are mutated, the first one's tests run.
    A module brings its private helpers listed in ``HELPERS``: ``ledger`` means ``ledger,_workbook,_headers,_cells``.
    """
    parts = [part for part in module.split(",") if part]
    parts += [h for h in HELPERS.get(parts[0], ()) if h not in parts]
    paths_ = [_module_path(parts[0], root)]
    for part in parts[1:]:  # a helper named after the first may not exist in older checkouts
        try:
            paths_.append(_module_path(part, root))
        except SystemExit:
            print(f"   ({part} not found under {root / 'src' / 'renostats'}; left out)")
    first = paths_[0]
    name = first.stem if first.is_file() else first.name
    files = []
    for path in paths_:
        files += (
            [path]
            if path.is_file()
            else sorted(f for f in path.rglob("*.py") if "__pycache__" not in f.parts)
        )
    tests_dir = root / "tests"
    tests = [tests_dir / f"test_{name}.py", *sorted(tests_dir.glob(f"test_{name}_*.py"))]
    tests += [d for d in (tests_dir / name, tests_dir / f"test_{name}") if d.is_dir()]
    tests = [t.relative_to(root) for t in tests if t.exists()]
    src_dir = (root / "src").resolve()
    rel = [f.relative_to(src_dir).as_posix() for f in files]
    return Target(name, files, [p.relative_to(root.resolve()) for p in paths_], tests, rel)


def load_equivalent(path: Path) -> list[dict]:
    """Entries of the equivalent-mutant list: file, line (as written), mutated (the line mutated), reason."""
    if not path.exists():
        return []
    import yaml  # a dependency of renostats itself

    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    for e in entries:
        missing = {"file", "line", "mutated", "reason"} - set(e)
        if missing:
            raise SystemExit(f"{path}: entry {e} lacks {sorted(missing)}")
    return entries


def equivalent_reason(m: Mutant, entries: list[dict]) -> str | None:
    """The listed reason when ``m`` is a known equivalent mutant (matched by file and both line texts)."""
    for e in entries:
        if e["file"] == m.file and e["line"].strip() == m.before and e["mutated"].strip() == m.after:
            return e["reason"]
    return None


# --------------------------------------------------------------------------------------------------
# Running


@dataclass
class Result:
    mutant: Mutant
    status: str  # killed, survived, timeout, equivalent
    seconds: float
    killed_by: str = ""
    reason: str = ""


@dataclass
class Summary:
    module: str
    candidates: int
    sampled: int
    seed: int
    baseline_seconds: float
    results: list[Result] = field(default_factory=list)

    @property
    def counted(self) -> list[Result]:
        return [r for r in self.results if r.status != "equivalent"]

    @property
    def killed(self) -> int:
        return sum(r.status in {"killed", "timeout"} for r in self.counted)

    @property
    def score(self) -> float:
        return self.killed / len(self.counted) if self.counted else float("nan")


_PLUGIN = """
import coverage


def pytest_runtest_setup(item):
    cov = coverage.Coverage.current()
    if cov is not None:
        cov.switch_context(item.nodeid)
    with open(".mutation-order", "a", encoding="utf-8") as f:
        f.write(item.nodeid + "\\n")
"""


def make_scratch(root: Path) -> Path:
    """A copy of the checkout's src/ and tests/ beside links to its data; mutants are written here."""
    scratch = Path(tempfile.mkdtemp(prefix="renostats-mutation-"))
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for d in ("src", "tests"):
        shutil.copytree(root / d, scratch / d, ignore=ignore)
    for entry in root.iterdir():
        if entry.name in {"src", "tests", "reports"} or entry.name.startswith("."):
            continue
        if entry.is_file():
            shutil.copy2(entry, scratch / entry.name)
        else:
            (scratch / entry.name).symlink_to(entry.resolve(), target_is_directory=True)
    (scratch / "reports").mkdir()
    (scratch / "_mutation_contexts.py").write_text(_PLUGIN, encoding="utf-8")
    return scratch


def _pytest_args(target: Target, seed: int) -> list[str]:
    return [
        "-x",
        "-q",
        "--no-header",
        "-o",
        "addopts=",
        "--tb=line",
        "-rfE",
        "-p",
        "no:cacheprovider",
        f"--hypothesis-seed={seed}",
        "--doctest-modules",
    ]


def test_map(
    scratch: Path, target: Target, seed: int
) -> tuple[float, dict[tuple[str, int], list[str]], list[str]]:
    """Run the unmutated tests once under coverage with one context per test.

    Returns the run's seconds, ``(file, line) -> node ids of the tests that ran the line`` (``["*"]`` for a
    line run at import, which every test depends on) and every node id in run order.
    """
    env = {k: v for k, v in os.environ.items() if k != "RENOSTATS_HOME"}
    env["PYTHONPATH"] = os.pathsep.join([str(scratch / "src"), str(scratch)])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    data_file = scratch / ".mutation-coverage"
    include = ",".join(str(scratch / "src" / f) for f in target.rel_files)
    cmd = [
        sys.executable,
        "-m",
        "coverage",
        "run",
        f"--data-file={data_file}",
        f"--include={include}",
        "-m",
        "pytest",
        "-p",
        "_mutation_contexts",
        *_pytest_args(target, seed),
        *map(str, target.doctest_paths),
        *map(str, target.tests),
    ]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=scratch, env=env, capture_output=True, text=True)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
        raise SystemExit(f"the unmutated tests of {target.name} do not pass; fix them first:\n{tail}")
    order = list(dict.fromkeys((scratch / ".mutation-order").read_text(encoding="utf-8").splitlines()))
    import coverage

    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    lines: dict[tuple[str, int], list[str]] = {}
    for measured in data.measured_files():
        rel = Path(measured).resolve().relative_to((scratch / "src").resolve()).as_posix()
        for line, contexts in data.contexts_by_lineno(measured).items():
            lines[(rel, line)] = ["*"] if "" in contexts else [c for c in contexts if c]
    return seconds, lines, order


def tests_for(m: Mutant, lines: dict, order: list[str]) -> list[str]:
    """The tests that run the mutated line (all of them when it runs at import), in run order."""
    ids: set[str] = set()
    for line in range(m.line, m.end_line + 1):
        got = lines.get((m.file, line), [])
        if "*" in got:
            return list(order)
        ids.update(got)
    return [t for t in order if t in ids]


def run_forked(scratch: Path, args: list[str], timeout: float) -> tuple[str, float, str]:
    """pytest in a forked child of this process (third-party imports already done): status, seconds, note."""
    log = scratch / ".mutation-log"
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        try:
            os.setpgid(0, 0)
            fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.chdir(scratch)
            sys.dont_write_bytecode = True
            sys.path.insert(0, str(scratch / "src"))
            import pytest

            rc = int(pytest.main(args))
            loaded = sys.modules.get("renostats")
            if loaded is not None and not str(loaded.__file__).startswith(str(scratch)):
                rc = 98  # the tests saw another copy of renostats: the run proves nothing
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            rc = 99
        os._exit(rc)
    status = None
    while time.monotonic() - t0 < timeout:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            status = os.waitstatus_to_exitcode(code)
            break
        time.sleep(0.05)
    seconds = time.monotonic() - t0
    if status is None:
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return "timeout", seconds, ""
    text = log.read_text(encoding="utf-8", errors="replace")
    if status in (98, 99):
        raise SystemExit(f"mutation run broken (exit {status}):\n{text[-2000:]}")
    if status == 0:
        return "passed", seconds, ""
    first = next((ln for ln in text.splitlines() if ln.startswith(("FAILED", "ERROR"))), "")
    return "failed", seconds, first or (text.strip().splitlines() or [""])[-1]


def _preload() -> None:
    """Import the heavy third-party packages once, so each forked test run starts at once."""
    for name in (
        "numpy",
        "pandas",
        "scipy.stats",
        "scipy.optimize",
        "statsmodels.api",
        "matplotlib.pyplot",
        "pyarrow",
        "pandera",
        "openpyxl",
        "hypothesis",
        "nbformat",
        "yaml",
        "pytest",
        "_pytest.doctest",
    ):
        try:
            __import__(name)
        except ImportError:
            pass


def run_module(module: str, root: Path, n: int, seed: int, factor: float, equivalent: list[dict]) -> Summary:
    target = resolve(module, root)
    chosen, total = sample(target, root, n, seed)
    tests = " ".join(map(str, target.tests)) or "(no test file)"
    print(
        f"== {target.name}: {len(chosen)} of {total} candidate mutants (seed {seed}); tests: doctests + {tests}"
    )
    scratch = make_scratch(root)
    try:
        base, lines, order = test_map(scratch, target, seed)
        timeout = max(30.0, factor * base)
        print(
            f"   unmutated run {base:.1f} s under coverage, {len(order)} tests; timeout {timeout:.0f} s",
            flush=True,
        )
        status, seconds, first = run_forked(scratch, [*_pytest_args(target, seed), *order], timeout)
        if status != "passed":  # the forked runner must pass the unmutated code, or no kill means anything
            raise SystemExit(f"the unmutated tests of {target.name} fail when forked: {status} {first}")
        summary = Summary(target.name, total, len(chosen), seed, base)
        for i, m in enumerate(chosen, 1):
            reason = equivalent_reason(m, equivalent)
            selected = tests_for(m, lines, order)
            if reason:
                r = Result(m, "equivalent", 0.0, reason=reason)
            elif not selected:
                r = Result(m, "survived", 0.0, killed_by="", reason="no test runs this line")
            else:
                path = scratch / "src" / m.file
                original = path.read_text(encoding="utf-8")
                path.write_text(apply(original, m), encoding="utf-8")
                shutil.rmtree(scratch / ".hypothesis", ignore_errors=True)
                try:
                    status, seconds, first = run_forked(
                        scratch, [*_pytest_args(target, seed), *selected], timeout
                    )
                finally:
                    path.write_text(original, encoding="utf-8")
                status = {"passed": "survived", "failed": "killed"}.get(status, status)
                r = Result(m, status, seconds, killed_by=first)
            summary.results.append(r)
            note = f"  ({r.reason})" if r.reason and r.status == "survived" else ""
            print(
                f"   [{i:>3}/{len(chosen)}] {r.status:<10} {r.seconds:5.1f}s {len(selected):>3} tests "
                f"{m.where:<28} {m.change:<20} {m.after}{note}",
                flush=True,
            )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(summary)
    return summary


def report(s: Summary) -> None:
    counted = len(s.counted)
    print(
        f"-- {s.module}: score {s.score:.1%} ({s.killed} of {counted} killed; "
        f"{sum(r.status == 'timeout' for r in s.results)} by timeout; "
        f"{sum(r.status == 'equivalent' for r in s.results)} equivalent not counted)"
    )
    for r in s.results:
        if r.status == "survived":
            note = f" ({r.reason})" if r.reason else ""
            print(f"   survived  {r.mutant.where}  {r.mutant.change}{note}\n             - {r.mutant.before}")
            print(f"             + {r.mutant.after}")
    for r in s.results:
        if r.status == "equivalent":
            print(f"   equivalent {r.mutant.where}  {r.mutant.change}: {r.reason}")


def _write_json(path: Path, summaries: list[Summary]) -> None:
    rows = [
        {
            "module": s.module,
            "seed": s.seed,
            "candidates": s.candidates,
            **asdict(r.mutant),
            **{k: v for k, v in asdict(r).items() if k != "mutant"},
        }
        for s in summaries
        for r in s.results
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "modules", nargs="*", default=list(CORE), help="module names or paths (default: core)"
    )
    parser.add_argument("-n", type=int, default=40, help="mutants sampled per module (0: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="the checkout to test")
    parser.add_argument("--timeout-factor", type=float, default=3.0)
    parser.add_argument("--equivalent", type=Path, default=DEFAULT_EQUIVALENT)
    parser.add_argument("--list", action="store_true", help="list the sampled mutants; run nothing")
    parser.add_argument("--json", type=Path, help="write every result here")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if not args.list:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core per test run; forking is safe with one
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        os.environ.setdefault("MPLBACKEND", "Agg")
        _preload()
    equivalent = load_equivalent(args.equivalent)
    if args.list:
        for module in args.modules:
            target = resolve(module, root)
            chosen, total = sample(target, root, args.n, args.seed)
            print(f"== {target.name}: {len(chosen)} of {total} candidate mutants (seed {args.seed})")
            for m in chosen:
                eq = " [equivalent]" if equivalent_reason(m, equivalent) else ""
                print(f"   {m.where:<28} {m.change:<22} {m.after}{eq}")
        return 0
    summaries, failed = [], []
    for module in args.modules:
        try:
            summaries.append(run_module(module, root, args.n, args.seed, args.timeout_factor, equivalent))
        except SystemExit as stop:  # one module's broken tests must not cost the others their run
            print(f"!! {module}: not measured: {stop}", flush=True)
            failed.append(module)
        if args.json:  # after each module, so a long run stopped early keeps what it measured
            _write_json(args.json, summaries)
    print("\nmodule        score   killed  counted  equivalent  candidates")
    for s in summaries:
        eq = sum(r.status == "equivalent" for r in s.results)
        print(
            f"{s.module:<12} {s.score:>6.1%}  {s.killed:>6}  {len(s.counted):>7}  {eq:>10}  {s.candidates:>10}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
