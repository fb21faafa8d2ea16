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


# --------------------------------------------------------------------------------------------------
# Daily status, curves, time to resumption, headline audit

from renostats.recovery import (  # noqa: E402
    audit_headline,
    daily_status,
    resumption_curve,
    time_to_resumption,
)


def _reports() -> pd.DataFrame:
    """Three firms over five days (10-14 Feb) with hand-checkable quirks.

    a: morning says not resumed, afternoon corrects to resumed on day 1; reports every day.
    b: reports days 1-2 then nothing (days 3-4 carried with carry_days=2, day 5 unknown).
    c: never resumes; small firm (not large-scale).
    """
    rows = [
        ("a", "2020-02-10", "09:00", False, 0, 10, 0.0, 5.0),
        ("a", "2020-02-10", "16:00", True, 6, 10, 0.2, 30.0),
        ("a", "2020-02-11", "16:00", True, 8, 10, 0.5, 60.0),
        ("a", "2020-02-12", "16:00", True, 10, 10, 0.6, 70.0),
        ("a", "2020-02-13", "16:00", True, 10, 10, 0.8, 90.0),
        ("a", "2020-02-14", "16:00", True, 10, 10, 0.9, 95.0),
        ("b", "2020-02-10", "16:00", False, 0, 30, 0.0, 10.0),
        ("b", "2020-02-11", "16:00", True, 15, 30, 0.4, 150.0),
        ("c", "2020-02-10", "16:00", False, 0, 5, 0.0, 1.0),
        ("c", "2020-02-11", "16:00", False, 0, 5, 0.0, 1.0),
        ("c", "2020-02-12", "16:00", False, 1, 5, 0.0, 2.0),
        ("c", "2020-02-13", "16:00", False, 1, 5, 0.0, 2.0),
        ("c", "2020-02-14", "16:00", False, 1, 5, 0.0, 2.0),
    ]
    base = [("a", "2019-12-02", "16:00", True, 10, 10, 1.0, 100.0), ("a", "2019-12-03", "16:00", True, 10, 10, 1.0, 100.0),
            ("b", "2019-12-02", "16:00", True, 30, 30, 1.0, 300.0), ("c", "2019-12-02", "16:00", True, 5, 5, 1.0, 10.0)]  # fmt: skip
    frame = pd.DataFrame(
        rows + base,
        columns=["enterprise", "date", "report_time", "resumed", "staff_on_duty", "staff_total",
                 "capacity_share", "electricity_kwh"],
    )  # fmt: skip
    frame["date"] = pd.to_datetime(frame["date"])
    frame["large_scale"] = frame["enterprise"] != "c"
    frame["sector"] = frame["enterprise"].map({"a": "医药", "b": "建材", "c": "建材"})
    return frame


BASE = ("2019-12-01", "2019-12-31")


def test_daily_status_latest_report_wins_and_gaps_are_carried_then_unknown():
    s = daily_status(_reports(), carry_days=2, baseline=BASE)
    assert list(s.firms["enterprise"]) == ["a", "b", "c"]
    assert s.resumed[0].tolist() == [1, 1, 1, 1, 1]  # the afternoon correction wins on day 1
    assert s.corrections == 1
    assert s.status[1].tolist() == [0, 0, 1, 1, 2]  # b: carried two days, then unknown
    assert s.age[1].tolist() == [0, 0, 1, 2, -1]
    assert np.isnan(s.resumed[1, 4]) and s.staff_on_duty[1, 3] == 15  # carried values
    assert s.baseline_kwh.tolist() == [100.0, 300.0, 10.0]
    table = s.summary()
    assert table["unknown"].tolist() == [0, 0, 0, 0, 1] and (table["in_scope"] == 3).all()
    frame = s.to_frame()
    assert len(frame) == 15 and frame.loc[9, "status"] == "unknown"
    assert daily_status(_reports(), carry_days=0, baseline=BASE).status[1].tolist() == [0, 0, 2, 2, 2]


def test_scope_large_scale_drops_small_firms():
    s = daily_status(_reports(), scope="large_scale", baseline=BASE)
    assert list(s.firms["enterprise"]) == ["a", "b"]


def test_resumption_counts_known_firms_only_with_exact_interval():
    c = resumption_curve(daily_status(_reports(), baseline=BASE), "resumption")
    # day 5: a resumed, b unknown (excluded), c not resumed -> 1 of 2
    last = c.iloc[-1]
    assert (last["value"], last["n"], last["unknown"]) == (0.5, 2, 1)
    ci = rate_ci(1, 2)
    assert (last["low"], last["high"]) == pytest.approx((ci.low, ci.high))
    assert c["value"].tolist()[:2] == [pytest.approx(1 / 3), pytest.approx(2 / 3)]


def test_staff_ratio_of_sums_with_delta_interval_by_hand():
    s = daily_status(_reports(), baseline=BASE)
    c = resumption_curve(s, "staff", alpha=0.05)
    # day 2: on duty 8, 15, 0 of 10, 30, 5
    y, x = np.array([8.0, 15.0, 0.0]), np.array([10.0, 30.0, 5.0])
    r = y.sum() / x.sum()
    resid = y - r * x
    se = np.sqrt((resid**2).sum() / 2 / 3) / x.mean()
    day2 = c.iloc[1]
    assert day2["value"] == pytest.approx(23 / 45)
    z = stats.norm.ppf(0.975)
    assert (day2["low"], day2["high"]) == pytest.approx((r - z * se, r + z * se))
    boot = resumption_curve(s, "staff", ci="bootstrap", n_boot=200, seed=1)
    again = resumption_curve(s, "staff", ci="bootstrap", n_boot=200, seed=1)
    assert boot.equals(again)  # seeded
    assert boot.iloc[1]["low"] <= day2["value"] <= boot.iloc[1]["high"]


def test_capacity_output_and_electricity_rule():
    s = daily_status(_reports(), baseline=BASE)
    cap = resumption_curve(s, "capacity").iloc[1]
    assert cap["value"] == pytest.approx(np.mean([0.5, 0.4, 0.0]))
    out = resumption_curve(s, "output").iloc[1]
    assert out["value"] == pytest.approx((60 + 150 + 1) / (100 + 300 + 10))
    rule = resumption_curve(s, "electricity", threshold=0.3)
    # day 1: a 30 > 30? no; b 10 > 90? no; c 1 > 3? no. Day 2: a 60 > 30 yes, b 150 > 90 yes, c no
    assert rule["value"].tolist()[:2] == [0.0, pytest.approx(2 / 3)]
    with pytest.raises(ValueError, match="baseline"):
        resumption_curve(daily_status(_reports()), "electricity")


def test_grouped_curves_state_their_denominators():
    c = resumption_curve(daily_status(_reports(), baseline=BASE), "resumption", by="sector")
    assert set(c["group"]) == {"医药", "建材"}
    assert c[c["group"] == "建材"]["n"].tolist() == [2, 2, 2, 2, 1]


def test_time_to_resumption_censors_firms_that_never_resume():
    from statsmodels.duration.survfunc import SurvfuncRight

    s = daily_status(_reports(), baseline=BASE)
    times = time_to_resumption(s)
    d = times.durations.set_index("enterprise")
    assert d.loc["a", "days"] == 0 and d.loc["b", "days"] == 1 and bool(d.loc["c", "resumed"]) is False
    assert d.loc["c", "days"] == 4  # censored at its last known day
    # Kaplan-Meier by hand: at day 0, 1 of 3 resume (S = 2/3); at day 1, 1 of 2 (S = 1/3)
    assert times.curves["survival"].tolist() == pytest.approx([2 / 3, 1 / 3])
    ref = SurvfuncRight(np.array([0, 1, 4.0]), np.array([1, 1, 0]))
    assert times.medians.loc[0, "median"] == ref.quantile(0.5) == 1
    grouped = time_to_resumption(s, by="sector")
    assert grouped.logrank["df"] == 1 and 0 <= grouped.logrank["p_value"] <= 1


def test_audit_headline_wording_and_checks():
    a = audit_headline(24, 24, claimed=1.0, reference=0.986)
    assert a.low == pytest.approx(0.025 ** (1 / 24))
    assert a.consistent and a.reference_inside
    assert "as low as 85.8%" in a.text_en and "低至85.8%" in a.text_zh
    b = audit_headline(18, 24, claimed=0.95, reference=0.986)
    assert b.consistent is False and b.reference_inside is False
    assert "outside" in b.text_en and "不在区间内" in b.text_zh
    assert "from 53.3% to 90.2%" in b.text_en
