"""Quantity parsing: speed on a million ledger cells, and the yardstick of peer test cases.

1. ``parse_quantities`` on 1,000,000 ledger cells (goal: <= 2 s on this machine; run with ``nice``).
2. The yardstick (``tests/yardstick/cases.csv``: 564 cases from the test suites of cn2an, chinese2digits,
   JioNLP and Recognizers-Text, converted to renostats' contract): right / refused / wrong / crash per
   peer suite and form (plain, new, other), for this version and for the version before the numeral
   reader was rewritten (commit 5f0fa03, read from git when the repository is there), beside each peer's
   own score on its own suite (``benchmarks/units_peers.py``, run in the environment named by
   ``RENOSTATS_UNITS_PEERS``, default ``/work/venvs/units-peers/bin/python``; skipped when absent).
3. A labelled set of 200+ figures composed from parts whose values are known (exact decimal
   arithmetic), plus hand-written irregular ones: renostats must be right on value, kind and qualifier.

Run: ``.venv/bin/python benchmarks/bench_units.py``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from renostats import units
from renostats.units import parse_quantities, parse_quantity

ROOT = Path(__file__).resolve().parents[1]
BEFORE = "5f0fa03"
sys.path.insert(0, str(ROOT / "tests" / "yardstick"))
import yardstick  # noqa: E402

# number as written -> its value
NUMBERS = {
    "3": "3", "12": "12", "267": "267", "2230": "2230", "29681": "29681", "960": "960", "4.03": "4.03",
    "248.25": "248.25", "0.5": "0.5", "1,234": "1234", "１２": "12", "十九": "19", "三十": "30",
    "三千零五十": "3050", "两": "2", "一百零五": "105", "三点五": "3.5",
}  # fmt: skip
MULTIPLIERS = {"": 1, "万": 10**4, "亿": 10**8, "千万": 10**7}
UNITS = {  # unit -> (kind, canonical unit, factor)
    "元": ("money", "yuan", 1), "户": ("count", "户", 1), "栋": ("count", "栋", 1), "个": ("count", "个", 1),
    "人": ("count", "人", 1), "家": ("count", "家", 1), "平方米": ("area", "m²", 1),
    "公里": ("length", "m", 1000), "": ("number", "", 1),
}  # fmt: skip
QUALIFIERS = {  # (prefix, infix after the number, suffix) -> qualifier
    ("", "", ""): "exact", ("", "余", ""): "over", ("超过", "", ""): "over", ("近", "", ""): "nearly",
    ("约", "", ""): "about", ("不足", "", ""): "under", ("", "", "以上"): "over", ("", "", "左右"): "about",
    ("至少", "", ""): "at_least", ("不超过", "", ""): "at_most",
}  # fmt: skip
IRREGULAR = [  # text, value, kind, qualifier: written by hand
    ("97.5%", 0.975, "percent", "exact"), ("百分之八十", 0.8, "percent", "exact"),
    ("四成", 0.4, "percent", "exact"), ("八成五", 0.85, "percent", "exact"), ("不足5%", 0.05, "percent", "under"),
    ("2.5万亿元", 2.5e12, "money", "exact"), ("三十余万元", 300000, "money", "over"),
    ("960余万户", 9.6e6, "count", "over"), ("1万多人", 10000, "count", "over"),
    ("10万人以上", 100000, "count", "over"), ("60000余个", 60000, "count", "over"),
    ("100余人", 100, "count", "over"), ("超300户", 300, "count", "over"), ("近10家", 10, "count", "nearly"),
    ("约2400亿元", 2.4e11, "money", "about"), ("73亿元", 7.3e9, "money", "exact"),
    ("5000万元", 5e7, "money", "exact"), ("3329万元", 3.329e7, "money", "exact"),
    ("1102万元", 1.102e7, "money", "exact"), ("2个工作日", 2, "duration", "exact"),
    ("3年", 3, "duration", "exact"), ("6个月", 6, "duration", "exact"), ("至少3个月", 3, "duration", "at_least"),
    ("92人次", 92, "count", "exact"), ("12677份", 12677, "count", "exact"),
    ("248.25万平方米", 2482500, "area", "exact"), ("12㎡", 12, "area", "exact"), ("3.5公里", 3500, "length", "exact"),
    ("5.8万个", 58000, "count", "exact"), ("21.9万个", 219000, "count", "exact"),
    ("736万户", 7.36e6, "count", "exact"), ("3千万元", 3e7, "money", "exact"), ("逾百家", 100, "count", "over"),
    ("将近两万人", 20000, "count", "nearly"), ("两万三千户", 23000, "count", "exact"),
    ("一亿二千万元", 1.2e8, "money", "exact"), ("约3.4万平方米", 34000, "area", "about"),
    ("超过1万人", 10000, "count", "over"), ("不到一成", 0.1, "percent", "under"), ("1.2万千瓦时", 12000, "energy", "exact"),
]  # fmt: skip


def labelled_set() -> pd.DataFrame:
    """Strings composed from parts whose values are known, labelled by exact decimal arithmetic."""
    rng = np.random.default_rng(7)
    rows = []
    combos = [(n, m, u, q) for n in NUMBERS for m in MULTIPLIERS for u in UNITS for q in QUALIFIERS]
    exact = [i for i, c in enumerate(combos) if QUALIFIERS[c[3]] == "exact"]
    qualified = [i for i, c in enumerate(combos) if QUALIFIERS[c[3]] != "exact"]
    # about half plain figures, half with a qualifier, as in ledgers and press releases together
    picks = np.r_[rng.choice(exact, size=120, replace=False), rng.choice(qualified, size=120, replace=False)]
    for i in picks:
        number, mult, unit, (pre, inf, suf) = combos[i]
        if number[0] in "十三两一" and mult:  # 三十万 style is covered by the irregular list
            continue
        kind, _, factor = UNITS[unit]
        value = Decimal(NUMBERS[number]) * MULTIPLIERS[mult] * factor
        text = f"{pre}{number}{inf}{mult}{unit}{suf}"
        rows.append((text, float(value), kind, QUALIFIERS[(pre, inf, suf)]))
    rows += IRREGULAR
    frame = pd.DataFrame(rows, columns=["text", "value", "kind", "qualifier"]).drop_duplicates("text")
    return frame.reset_index(drop=True)


def ledger_cells(n: int = 1_000_000) -> pd.Series:
    """Cells as district ledgers hold them: plain numbers, units, 万, percentages, a few Chinese."""
    rng = np.random.default_rng(0)
    whole = rng.integers(1, 100_000, n).astype(str)
    decimals = np.where(rng.random(n) < 0.3, np.char.add(".", rng.integers(0, 99, n).astype(str)), "")
    suffix = np.array(["", "栋", "户", "万", "%", "万元", "平方米", "人"])[rng.integers(0, 8, n)]
    cells = pd.Series(np.char.add(np.char.add(whole, decimals), suffix), dtype=object)
    cells[rng.random(n) < 0.01] = "三十余万元"
    cells[rng.random(n) < 0.01] = None
    return cells


def _ours(texts):
    out = []
    for t in texts:
        q = parse_quantity(t)
        out.append((q.value, q.kind, q.qualifier))
    return out


def _score(name, fn, labels):
    try:
        fn(labels["text"].head(3))  # warm up (models build on first use)
    except ImportError as exc:
        print(f"{name:>22}: not installed ({exc.name}); pip install -e '.[bench]'")
        return None
    start = time.perf_counter()
    got = fn(labels["text"])
    per = (time.perf_counter() - start) / len(labels)
    value = np.array([g[0] for g in got], dtype=float)
    right_value = np.isclose(value, labels["value"], rtol=1e-9) & ~np.isnan(value)
    right_qual = np.array([g[2] for g in got]) == labels["qualifier"].to_numpy()
    kinds = [g[1] for g in got]
    right_kind = np.array([k == lab or (k == "number" and lab in ("count", "duration")) for k, lab in
                           zip(kinds, labels["kind"], strict=True)])  # fmt: skip
    all_right = right_value & right_qual
    print(
        f"{name:>22}: value {right_value.mean():6.1%}  qualifier {right_qual.mean():6.1%}  "
        f"value+qualifier {all_right.mean():6.1%}  {per * 1e6:9.1f} µs per string"
    )
    return per, right_value, right_qual, right_kind, value


def _load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _before():
    """renostats.units as it was before the rewrite (commit 5f0fa03), or None without git."""
    try:
        text = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{BEFORE}:src/renostats/units.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    path = Path(tempfile.mkdtemp()) / "units_before.py"
    path.write_text(text, encoding="utf-8")
    return _load_module(path, "units_before")


def _peers() -> dict:
    python = os.environ.get("RENOSTATS_UNITS_PEERS", "/work/venvs/units-peers/bin/python")
    if not Path(python).exists():
        print(f"(peers' own scores skipped: no {python}; see benchmarks/units_peers.py)")
        return {}
    done = subprocess.run(
        [python, str(ROOT / "benchmarks" / "units_peers.py")], capture_output=True, text=True
    )
    if done.returncode:
        print(f"(peers' own scores failed: {done.stderr.strip().splitlines()[-1:]})")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _line(counts: dict | None) -> str:
    if not counts or "right" not in counts:
        return f"{'n/a':>27}"
    n = sum(counts.values())
    return f"{counts['right'] / n:6.1%} right {counts['wrong'] + counts['crash']:3d} wrong"


def yardstick_report() -> None:
    cases = yardstick.load_cases()
    now = yardstick.score(units, cases)
    before_module = _before()
    before = yardstick.score(before_module, cases) if before_module else {}
    peers = _peers()
    print(f"\nyardstick: {len(cases)} cases (tests/yardstick); wrong counts crashes too")
    print(
        f"{'suite':>17} {'form':>6} {'n':>4}  {'renostats now':>22}  {'before (5f0fa03)':>22}  {'the peer itself':>22}"
    )
    for suite in ("cn2an", "chinese2digits", "jionlp", "recognizers-text", "all"):
        for form in ("plain", "new", "other", "all"):
            counts = now.get((suite, form))
            if not counts:
                continue
            peer = peers.get(suite, {}).get(form) if suite != "all" else None
            print(
                f"{suite:>17} {form:>6} {sum(counts.values()):4d}  {_line(counts):>22}  "
                f"{_line(before.get((suite, form))):>22}  {_line(peer):>22}"
            )


def main() -> None:
    cells = ledger_cells()
    parse_quantities(cells.head(1000))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        parsed = parse_quantities(cells)
        times.append(time.perf_counter() - start)
    print(f"parse_quantities on {len(cells):,} ledger cells: {min(times):.2f} s (best of 3; goal <= 2 s)")
    assert parsed["value"].notna().sum() == cells.notna().sum()
    before = _before()
    if before is not None:  # the same cells at the same moment: a fair comparison on a busy machine
        times = []
        for _ in range(3):
            start = time.perf_counter()
            before.parse_quantities(cells)
            times.append(time.perf_counter() - start)
        print(f"{'':>22}  the version before the rewrite ({BEFORE}): {min(times):.2f} s")

    yardstick_report()

    labels = labelled_set()
    print(f"\nlabelled set: {len(labels)} strings ({labels['qualifier'].ne('exact').sum()} with a qualifier)")
    _, value_ok, qual_ok, _, _ = _score("renostats", _ours, labels)
    got = _ours(labels["text"])
    kind_ok = np.array([g[1] for g in got]) == labels["kind"].to_numpy()
    wrong = labels[~(value_ok & qual_ok & kind_ok)]
    print(f"{'':>22}  kind {kind_ok.mean():6.1%}; strings renostats gets wrong: {len(wrong)}")
    start = time.perf_counter()
    parse_quantities(labels["text"])
    vectorised = (time.perf_counter() - start) / len(labels)
    print(f"{'':>22}  (parse_quantities on the same strings: {vectorised * 1e6:.1f} µs per string)")
    if len(wrong):
        print(wrong.to_string())


if __name__ == "__main__":
    main()
