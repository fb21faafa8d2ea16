"""The quantity yardstick (tests/yardstick): no peer case gives a wrong value or crashes, and the share
read right meets issue 11's goals (>= 99% on plain forms, >= 70% on the new forms)."""

from __future__ import annotations

import pytest

from renostats import units
from tests.yardstick.yardstick import judge, load_cases, score

CASES = load_cases()


def test_yardstick_has_every_suite():
    suites = {c["suite"] for c in CASES}
    assert suites == {"cn2an", "chinese2digits", "jionlp", "recognizers-text"}
    assert len(CASES) >= 500


@pytest.mark.parametrize("case", CASES, ids=[f"{c['suite']}:{c['input'][:20]}" for c in CASES])
def test_no_case_is_wrong(case):
    assert judge(case, units) in ("right", "refused"), case


def test_share_right_per_form():
    counts = score(units, CASES)
    for form, goal in (("plain", 0.99), ("new", 0.70)):
        c = counts[("all", form)]
        assert c["right"] / sum(c.values()) >= goal, (form, c)
