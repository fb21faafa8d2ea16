"""Packaging: environment.yml names the same dependencies as pyproject.toml."""

from __future__ import annotations

import re
import tomllib

import yaml

from renostats import paths

_NAME = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")


def _name(requirement: str) -> str:
    return _NAME.match(requirement).group(1).lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    wanted = {_name(r) for r in project["dependencies"] + extras["test"] + extras["lab"]}
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    named: set[str] = set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            named |= {_name(r) for r in dep["pip"] if not r.startswith("-e")}
        else:
            named.add(_name(dep))
    named -= {"python", "pip"}
    assert named == wanted, f"only in environment.yml: {named - wanted}; only in pyproject: {wanted - named}"


def test_environment_yml_installs_the_package_with_test_and_lab():
    env = yaml.safe_load((paths.ROOT / "environment.yml").read_text(encoding="utf-8"))
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert '-e ".[test,lab]"' in pip
    assert "python=3.11" in env["dependencies"]


def test_console_script_points_at_cli():
    project = tomllib.loads((paths.ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["renostats"] == "renostats.cli:main"


def test_every_module_is_reachable_from_the_package():
    import renostats as rs

    modules = sorted(
        p.stem for p in (paths.ROOT / "src" / "renostats").glob("*.py") if not p.stem.startswith("_")
    )
    for name in modules:
        assert getattr(rs, name).__name__ == f"renostats.{name}"
    assert set(modules) <= set(rs.__all__)
    assert rs.read_ledger is rs.ledger.read_ledger and rs.parse_quantity is rs.units.parse_quantity
