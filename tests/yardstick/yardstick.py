"""Score a quantity reader on the yardstick (``cases.csv``): right, refused, wrong or crashed per case.

``judge(case, units)`` takes a module with ``parse_quantity`` and ``extract_figures`` (renostats.units,
or an older version of it loaded from git), so the same rules score any version. The rules:

- ``expect == "refuse"``: right when the reader raises ValueError; a returned value is wrong.
- ``expect == "value"``: right when the value equals ``value`` (relative 1e-9), the kind equals ``kind``
  when one is given and the qualifier is one of ``qualifiers`` when any are given; a ValueError is a
  refusal; any other value, kind or qualifier is wrong. JioNLP rounds money to the fen (0.01 yuan), so
  its values are compared after rounding ours the same way.
- ``expect == "range"``: right when ``low`` and ``high`` equal the case's ends (and the kind, as above).
- ``mode == "prose"``: ``extract_figures`` on the sentence; right when a figure overlapping
  ``surface`` has the value, wrong when the figures overlapping it all have other values, refused when
  none overlaps it.
- Any exception other than ValueError is a crash (counted apart from refusals: it is a bug).
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

CASES = Path(__file__).with_name("cases.csv")


def load_cases(path: Path = CASES) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _close(got: float, want: str, suite: str) -> bool:
    if want == "":
        return True
    w = float(want)
    if got is None or (isinstance(got, float) and math.isnan(got)):
        return False
    if suite == "jionlp":
        got = round(got, 2)
        w = round(w, 2)
    return math.isclose(got, w, rel_tol=1e-9, abs_tol=1e-12)


def judge(case: dict, units, values_only: bool = False) -> str:
    """``values_only`` (for peers, which report neither kind nor qualifier): compare values alone."""
    suite = case["suite"]
    try:
        if case["mode"] == "prose":
            return _judge_prose(case, units)
        q = units.parse_quantity(case["input"])
    except ValueError:
        return "right" if case["expect"] == "refuse" else "refused"
    except Exception:  # a crash is what this counts
        return "crash"
    if case["expect"] == "refuse":
        return "wrong"
    if not values_only and case["kind"] and q.kind != case["kind"]:
        return "wrong"
    if not values_only and case["qualifiers"] and q.qualifier not in case["qualifiers"].split():
        return "wrong"
    if case["expect"] == "range":
        ok = _close(q.low, case["low"], suite) and _close(q.high, case["high"], suite)
    else:
        ok = _close(q.value, case["value"], suite)
    return "right" if ok else "wrong"


def _judge_prose(case: dict, units) -> str:
    text, surface = case["input"], case["surface"]
    start = text.find(surface)
    if start < 0:  # Recognizers-Text reports some surfaces normalised (１ -> 1)
        return "refused"
    end = start + len(surface)
    figs = units.extract_figures(text)
    overlapping = figs[(figs["start"] < end) & (figs["end"] > start)]
    if overlapping.empty:
        return "refused"
    if any(_close(v, case["value"], case["suite"]) for v in overlapping["value"]):
        return "right"
    return "wrong"


def score(
    units, cases: list[dict] | None = None, values_only: bool = False
) -> dict[tuple[str, str], dict[str, int]]:
    """Counts of right/refused/wrong/crash per (suite, form), and per (suite, "all")."""
    out: dict[tuple[str, str], dict[str, int]] = {}
    for case in cases if cases is not None else load_cases():
        verdict = judge(case, units, values_only)
        for key in (
            (case["suite"], case["form"]),
            (case["suite"], "all"),
            ("all", case["form"]),
            ("all", "all"),
        ):
            counts = out.setdefault(key, {"right": 0, "refused": 0, "wrong": 0, "crash": 0})
            counts[verdict] += 1
    return out
