"""tools/mutation.py: the mutants it makes are the changes it names, and its sample is reproducible."""

from __future__ import annotations

import ast
import importlib.util
import sys

import pytest

from renostats import paths

_spec = importlib.util.spec_from_file_location(
    "renostats_mutation_tool", paths.ROOT / "tools" / "mutation.py"
)
mutation = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = mutation  # dataclasses look their module up while the class is made
_spec.loader.exec_module(mutation)

SOURCE = '''"""Docstring with 1 + 2 and a < b: never mutated."""

__all__ = ["f"]
TABLE = {"玖": 9, "拾": 10}  # CJK keys: ast columns count UTF-8 bytes


def f(a: int | None, b: float = 0.5) -> float:
    """f(1, 2) == 1 is not a place for mutants."""
    if a is None:
        raise ValueError(f"a must be given; got {a + 1}")
    low = max(a - b, 0) if a < b and "度" in TABLE else a * 2
    return low.clip(lower=0)
'''


@pytest.fixture
def mutants(tmp_path):
    path = tmp_path / "m.py"
    path.write_text(SOURCE, encoding="utf-8")
    fm = mutation.FileMutants(path, "m.py")
    return fm, [m for m in (fm.check(c) for c in fm.candidates) if m is not None]


def test_each_mutant_is_the_one_change_it_names(mutants):
    _, ms = mutants
    changes = {(m.line, m.change) for m in ms}
    assert changes == {
        (4, "`9` -> `10`"),
        (4, "`10` -> `11`"),
        (7, "`0.5` -> `1.5`"),
        (9, "`is` -> `is not`"),
        (11, "`max` -> `min`"),
        (11, "`-` -> `+`"),
        (11, "`0` -> `1`"),
        (11, "`<` -> `<=`"),
        (11, "`and` -> `or`"),
        (11, "`in` -> `not in`"),
        (11, "`*` -> `/`"),
        (11, "`2` -> `3`"),
        (12, "`lower=` -> `upper=`"),
        (12, "`0` -> `1`"),
    }
    for m in ms:
        mutated = mutation.apply(SOURCE, m)
        assert ast.dump(ast.parse(mutated)) != ast.dump(ast.parse(SOURCE))
        assert mutated.splitlines()[m.line - 1].strip() == m.after
    cjk = next(m for m in ms if m.change == "`9` -> `10`")
    assert cjk.after == 'TABLE = {"玖": 10, "拾": 10}  # CJK keys: ast columns count UTF-8 bytes'


def test_docstrings_annotations_messages_and_exports_are_left_alone(mutants):
    _, ms = mutants
    assert not [m for m in ms if m.line in (1, 3, 8, 10)]
    assert [m.change for m in ms if m.line == 7] == ["`0.5` -> `1.5`"]  # the default, not `int | None`


def test_a_change_that_operator_precedence_would_regroup_is_left_out(tmp_path):
    path = tmp_path / "p.py"
    path.write_text("y = a | b & c\nz = -x ** 2\n", encoding="utf-8")
    fm = mutation.FileMutants(path, "p.py")
    kept = [m for m in (fm.check(c) for c in fm.candidates) if m is not None]
    # `a & b & c` and `a | b | c` group differently from `a | (b & c)`; `-x * 2` from `-(x * 2)`
    assert {(m.line, m.change) for m in kept} == {(2, "`2` -> `3`"), (2, "`-x` -> `x`")}
    assert len(fm.candidates) == 5
    for m in kept:
        tree = ast.parse(mutation.apply(path.read_text(), m))
        assert len(tree.body) == 2


def test_the_sample_depends_only_on_the_code_the_number_and_the_seed():
    target = mutation.resolve("units", paths.ROOT)
    first, total = mutation.sample(target, paths.ROOT, 10, 0)
    again, _ = mutation.sample(target, paths.ROOT, 10, 0)
    other, _ = mutation.sample(target, paths.ROOT, 10, 1)
    assert len(first) == 10 < total
    assert first == again
    assert first != other
    # in the order of the candidates: file by file (units is a package), then by place in the file
    assert [(m.file, m.start) for m in first] == sorted((m.file, m.start) for m in first)


def test_a_listed_equivalent_mutant_is_matched_by_file_and_the_line_before_and_after(mutants):
    _, ms = mutants
    m = next(m for m in ms if m.change == "`<` -> `<=`")
    entry = {"file": "m.py", "line": m.before, "mutated": m.after, "reason": "a == b gives a either way"}
    assert mutation.equivalent_reason(m, [entry]) == "a == b gives a either way"
    assert mutation.equivalent_reason(m, [{**entry, "mutated": m.before}]) is None
    assert mutation.equivalent_reason(m, [{**entry, "file": "other.py"}]) is None
    # another mutant of the same line is not covered by the entry
    other = next(x for x in ms if x.line == m.line and x.change == "`0` -> `1`")
    assert mutation.equivalent_reason(other, [entry]) is None


def test_every_listed_equivalent_mutant_has_a_reason():
    entries = mutation.load_equivalent(mutation.DEFAULT_EQUIVALENT)
    assert all(e["reason"].strip() for e in entries)


def test_a_package_folder_is_one_target_with_all_its_files(tmp_path):
    pkg = tmp_path / "src" / "renostats" / "thing"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("X = 1\n", encoding="utf-8")
    (pkg / "core.py").write_text("def f(a):\n    return a + 1\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_thing.py").write_text("", encoding="utf-8")
    target = mutation.resolve("thing", tmp_path)
    assert target.rel_files == ["renostats/thing/__init__.py", "renostats/thing/core.py"]
    assert [str(t) for t in target.tests] == ["tests/test_thing.py"]
    assert [str(p) for p in target.doctest_paths] == ["src/renostats/thing"]
    (tmp_path / "src" / "renostats" / "_helper.py").write_text("Y = 2\n", encoding="utf-8")
    joined = mutation.resolve("thing,_helper", tmp_path)
    assert joined.name == "thing" and joined.tests == target.tests
    assert joined.rel_files == [*target.rel_files, "renostats/_helper.py"]


def test_a_module_split_into_private_helpers_is_measured_with_them():
    for module, helpers in mutation.HELPERS.items():
        if not (paths.ROOT / "src" / "renostats" / f"{module}.py").exists():
            continue
        target = mutation.resolve(module, paths.ROOT)
        assert target.rel_files == [f"renostats/{name}.py" for name in (module, *helpers)]
        assert [t.name for t in target.tests][:1] == [
            f"test_{module}.py"
        ]  # the helpers' tests are the module's
        joined = mutation.resolve(",".join((module, *helpers)), paths.ROOT)  # as `make mutation` names it
        assert joined.rel_files == target.rel_files


def test_every_private_helper_module_is_measured_with_the_module_in_front_of_it():
    helpers = {h for names in mutation.HELPERS.values() for h in names}
    shared = {"_validate"}  # the argument checks every module uses: measured with each through its tests
    found = {p.stem for p in (paths.ROOT / "src" / "renostats").glob("_*.py")} - {"__init__"}
    assert found - shared <= helpers, (
        f"add {sorted(found - shared - helpers)} to HELPERS in tools/mutation.py"
    )
