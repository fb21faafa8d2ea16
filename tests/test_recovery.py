"""Rates with intervals, checked against closed forms and scipy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from renostats.recovery import compare_rates, rate_ci


def test_exact_interval_for_24_of_24_is_the_closed_form():
    ci = rate_ci(24, 24)
    # Clopper-Pearson at x = n: the lower bound solves p^n = alpha / 2
    assert ci.low == pytest.approx(0.025 ** (1 / 24), abs=1e-12)
    assert ci.low == pytest.approx(0.8575, abs=5e-5)
    assert (ci.rate, ci.high, ci.n, ci.method) == (1.0, 1.0, 24, "exact")


def test_exact_interval_matches_beta_quantiles():
    ci = rate_ci(7, 20, alpha=0.1)
    assert ci.low == pytest.approx(stats.beta.ppf(0.05, 7, 14), abs=1e-12)
    assert ci.high == pytest.approx(stats.beta.ppf(0.95, 8, 13), abs=1e-12)


def test_wilson_by_hand():
    x, n, z = 3, 10, stats.norm.ppf(0.975)
    p = x / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    ci = rate_ci(x, n, method="wilson")
    assert (ci.low, ci.high) == pytest.approx((centre - half, centre + half), abs=1e-12)


@pytest.mark.parametrize("method", ["exact", "wilson", "jeffreys", "agresti_coull"])
def test_boundaries(method):
    top, bottom = rate_ci(24, 24, method), rate_ci(0, 24, method)
    assert top.high == 1.0 and bottom.low == 0.0
    assert 0.0 < top.low < 1.0 and 0.0 < bottom.high < 1.0


def test_vectorised_over_series_keeps_the_index():
    s = pd.Series([24, 20, 0], index=["北塔区", "双清区", "大祥区"])
    ci = rate_ci(s, 24, method="jeffreys")
    assert list(ci.low.index) == list(s.index)
    assert ci.rate["双清区"] == pytest.approx(20 / 24)
    single = rate_ci(20, 24, method="jeffreys")
    assert ci.low["双清区"] == pytest.approx(single.low)
    frame = ci.to_frame()
    assert list(frame.columns) == ["rate", "low", "high", "n", "method"]


@pytest.mark.parametrize(
    ("x", "n", "message"),
    [(25, 24, "exceed"), (-1, 24, "negative"), (0, 0, "at least 1"), (1.5, 4, "whole")],
)
def test_bad_counts_raise(x, n, message):
    with pytest.raises(ValueError, match=message):
        rate_ci(x, n)


def test_bad_method_and_alpha_raise():
    with pytest.raises(ValueError, match="method must be one of"):
        rate_ci(1, 2, method="wald")
    with pytest.raises(ValueError, match="alpha"):
        rate_ci(1, 2, alpha=1.5)


def test_compare_rates_uses_fisher_and_newcombe():
    c = compare_rates(24, 24, 18, 24)
    assert c.diff == pytest.approx(0.25)
    assert c.p_value == pytest.approx(stats.fisher_exact([[24, 0], [18, 6]]).pvalue)
    # Newcombe's hybrid score interval from the two Wilson intervals
    w1, w2 = rate_ci(24, 24, "wilson"), rate_ci(18, 24, "wilson")
    d = 1.0 - 0.75
    low = d - np.sqrt((1.0 - w1.low) ** 2 + (w2.high - 0.75) ** 2)
    high = d + np.sqrt((w1.high - 1.0) ** 2 + (0.75 - w2.low) ** 2)
    assert (c.low, c.high) == pytest.approx((low, high), abs=1e-9)
