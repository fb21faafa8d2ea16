"""Enterprise recovery, checked against closed forms, scipy, R and lifelines.

Reference numbers from R (survival 3.5-3, survey 4.1-1) and lifelines 0.30.3 were computed by the
scripts in tests/reference/ (recovery_km.R, recovery_survey.R, recovery_lifelines.py); CI has neither,
so the numbers are held here with the script that printed them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from renostats.datasets import load_demo
from renostats.errors import InputError
from renostats.recovery import (
    MEASURES,
    audit_headline,
    compare_rates,
    daily_status,
    finite_population_ci,
    rate_ci,
    reporting_period,
    resumption_curve,
    time_to_resumption,
)


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


def test_bad_counts_are_input_errors():
    with pytest.raises(InputError):
        rate_ci(25, 24)
    with pytest.raises(InputError, match="alpha must be a number in"):
        rate_ci(1, 2, alpha=0)


def test_compare_rates_says_when_interval_and_test_disagree():
    # 0 of 30 against 1 of 2: Newcombe's interval excludes 0, Fisher's exact p (R fisher.test) is 0.0625
    c = compare_rates(0, 30, 1, 2)
    assert c.p_value == pytest.approx(0.0625, abs=1e-12)
    assert c.high < 0 and c.agree is False
    w1, w2 = rate_ci(0, 30, "wilson"), rate_ci(1, 2, "wilson")
    assert c.high == pytest.approx(-0.5 + np.sqrt((w1.high - 0) ** 2 + (0.5 - w2.low) ** 2), abs=1e-9)
    assert compare_rates(24, 24, 18, 24).agree is True


# --------------------------------------------------------------------------------------------------
# Finite population and the census


def test_finite_population_interval_is_the_count_for_a_census_and_exact_below():
    ci = finite_population_ci(24, 24, 24)
    assert (ci.rate, ci.low, ci.high) == (1.0, 1.0, 1.0)
    # 20 of 24 reported, all resumed: M = 22 would give all 20 with chance C(22,20)/C(24,20) = 0.0217 < 2.5%
    assert 231 / 10626 < 0.025 < 1771 / 10626
    assert finite_population_ci(20, 20, 24).low == pytest.approx(23 / 24)


def test_finite_population_interval_covers_at_least_its_level_for_every_population_count():
    big_n, n = 30, 12
    bounds = [finite_population_ci(x, n, big_n) for x in range(n + 1)]
    for m in range(big_n + 1):  # exact coverage: sum of P(x | M) over the x whose interval holds M / N
        pmf = stats.hypergeom.pmf(np.arange(n + 1), big_n, m, n)
        covered = [b.low - 1e-12 <= m / big_n <= b.high + 1e-12 for b in bounds]
        assert pmf[covered].sum() >= 0.95 - 1e-9, m


def test_finite_population_interval_tends_to_clopper_pearson():
    far, cp = finite_population_ci(7, 20, 200_000), rate_ci(7, 20)
    assert (far.low, far.high) == pytest.approx((cp.low, cp.high), abs=2e-4)
    with pytest.raises(InputError, match="population"):
        finite_population_ci(7, 20, 19)


def test_audit_of_a_census_gives_the_count_and_puts_definitions_first():
    a = audit_headline(24, 24, claimed=1.0, reference=0.986, staff_share=0.969, output_share=0.812)
    assert a.census and a.population == 24 and (a.low, a.high) == (1.0, 1.0) and a.interval == "none: census"
    assert a.consistent is True and a.reference_inside is None and a.superpopulation_low is None
    for text in (a.text_en, a.text_zh):
        assert "85.8" not in text  # no binomial interval unless the superpopulation question is asked
        assert "96.9%" in text and "81.2%" in text and "98.6%" in text
    assert a.text_en.index("census") < a.text_en.index("What is uncertain") < a.text_en.index("96.9%")
    assert "全数统计" in a.text_zh and "没有抽样误差" in a.text_zh and "替代指标" in a.text_zh
    assert "1.4 points above" in a.text_en and "高1.4个百分点" in a.text_zh
    assert audit_headline(23, 24, claimed=1.0).consistent is False
    staff_only = audit_headline(24, 24, staff_share=1.0)  # the source page gives staff, not output
    assert (
        "no output or electricity figure" in staff_only.text_en and "没有产出或用电数据" in staff_only.text_zh
    )


def test_superpopulation_interval_only_when_asked_and_labelled():
    a = audit_headline(24, 24, reference=0.986, superpopulation=True)
    assert a.superpopulation_low == pytest.approx(0.025 ** (1 / 24), abs=1e-12)
    assert a.superpopulation_high == 1.0 and a.reference_inside is True
    assert "superpopulation" in a.text_en and "85.8% to 100.0%" in a.text_en
    assert "超总体" in a.text_zh and "85.8%至100.0%" in a.text_zh


def test_a_reference_on_the_interval_s_upper_end_lies_inside_it():
    """24 of 24 against a reference of 100%: the superpopulation interval ends at 100%, which it includes."""
    a = audit_headline(24, 24, reference=1.0, superpopulation=True)
    assert a.superpopulation_high == 1.0 and a.reference_inside is True
    assert "the reference 100.0% lies inside that interval" in a.text_en


@pytest.mark.parametrize("measure", ["resumption", "staff_at_least", "staff", "capacity"])
def test_a_day_without_any_known_firm_has_no_value_and_no_error(measure):
    reports = _reports()
    reports = reports[reports["date"] != pd.Timestamp("2020-02-12")]  # nobody reports on 12 February
    curve = resumption_curve(daily_status(reports, carry_days=0, baseline=BASE), measure)
    day = curve[curve["date"] == pd.Timestamp("2020-02-12")].iloc[0]
    assert day["n"] == 0 and day["unknown"] == 3
    assert np.isnan(day["value"]) and np.isnan(day["low"]) and np.isnan(day["high"])
    assert curve[curve["date"] != pd.Timestamp("2020-02-12")]["value"].notna().all()


def test_a_sample_gets_the_finite_population_interval():
    b = audit_headline(18, 20, claimed=0.9, population=24)
    fpc = finite_population_ci(18, 20, 24)
    assert not b.census and (b.low, b.high) == (fpc.low, fpc.high)
    assert b.low > rate_ci(18, 20).low  # the correction narrows the interval
    assert (b.low, b.high) == pytest.approx((20 / 24, 22 / 24))  # M = 18 or 23 would rarely give 18 of 20
    assert b.consistent is True and "4 did not report" in b.text_en and "4家未上报" in b.text_zh
    with pytest.raises(InputError, match="population"):
        audit_headline(18, 20, population=10)


# --------------------------------------------------------------------------------------------------
# Daily status, curves


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
    assert s.corrections == 1 and s.scope == "all"
    assert s.status[1].tolist() == [0, 0, 1, 1, 2]  # b: carried two days, then unknown
    assert s.age[1].tolist() == [0, 0, 1, 2, -1]
    assert np.isnan(s.resumed[1, 4]) and s.staff_on_duty[1, 3] == 15  # carried values
    assert s.baseline_kwh.tolist() == [100.0, 300.0, 10.0]
    table = s.per_day()
    assert table["unknown"].tolist() == [0, 0, 0, 0, 1] and (table["in_scope"] == 3).all()
    frame = s.to_frame()
    assert len(frame) == 15 and frame.loc[9, "status"] == "unknown"
    assert frame["resumed"].tolist()[5:10] == [
        False,
        True,
        True,
        True,
        pd.NA,
    ]  # firm b; unknown stays missing
    assert frame["staff_on_duty"].tolist()[5:9] == [0, 15, 15, 15]
    assert daily_status(_reports(), carry_days=0, baseline=BASE).status[1].tolist() == [0, 0, 2, 2, 2]


def test_the_later_report_time_wins_whatever_the_row_order():
    # rows out of time order, and times whose minutes matter: 10:00 is later than 09:30
    r = pd.DataFrame({"enterprise": "a", "date": pd.Timestamp("2020-02-10"),
                      "report_time": ["10:00", "09:30", "08:45"], "resumed": [True, False, False]})  # fmt: skip
    assert daily_status(r).resumed[0, 0] == 1
    assert daily_status(r.iloc[::-1]).resumed[0, 0] == 1
    missing = r.assign(report_time=[None, "09:30", "08:45"])  # a missing time sorts first
    assert daily_status(missing).resumed[0, 0] == 0
    alone = daily_status(r.iloc[:1].assign(report_time=[None]))  # ... and still counts when it is alone
    assert alone.status[0, 0] == 0 and alone.resumed[0, 0] == 1
    assert daily_status(r).corrections == 1  # 08:45 and 09:30 said no, 10:00 yes
    empty = r.assign(resumed=pd.array([True, None, None], dtype="boolean"))
    assert daily_status(empty).corrections == 0  # an empty answer contradicts nothing
    assert np.isnan(
        daily_status(r.assign(resumed=pd.array([None, False, None], dtype="boolean"))).resumed[0, 0]
    )
    with pytest.raises(InputError, match="report_time must be a time of day"):
        daily_status(r.assign(report_time=["25:00", "09:30", "08:45"]))


def test_a_firm_that_reported_only_in_the_baseline_is_unknown_not_dropped():
    r = _reports()
    s = daily_status(r[r["date"] < "2020-02-11"], baseline=BASE, end="2020-02-10")
    assert s.status[:, 0].tolist() == [0, 0, 0]
    late = r[(r["enterprise"] != "c") | (r["date"] < "2020-01-01")]
    one_day = daily_status(late, baseline=BASE, start="2020-02-10", end="2020-02-10")
    assert one_day.status[:, 0].tolist() == [0, 0, 2] and np.isnan(one_day.resumed[2, 0])
    assert one_day.baseline_kwh[2] == 10.0
    never_seen = time_to_resumption(one_day).durations.set_index("enterprise").loc["c"]
    assert (never_seen["days"], bool(never_seen["resumed"])) == (0, False)  # censored at the start


def test_scope_large_scale_drops_small_firms():
    s = daily_status(_reports(), scope="large_scale", baseline=BASE)
    assert list(s.firms["enterprise"]) == ["a", "b"] and s.scope == "large_scale"
    with pytest.raises(InputError, match="scope must be one of"):
        daily_status(_reports(), scope="big")
    with pytest.raises(InputError, match="carry_days"):
        daily_status(_reports(), carry_days=-1)


def test_resumption_counts_known_firms_only_with_exact_interval_and_counts():
    c = resumption_curve(daily_status(_reports(), baseline=BASE), "resumption")
    # day 5: a resumed, b unknown (excluded), c not resumed -> 1 of 2
    last = c.iloc[-1]
    assert (last["value"], last["n"], last["successes"], last["unknown"]) == (0.5, 2, 1, 1)
    ci = rate_ci(1, 2)
    assert (last["low"], last["high"]) == pytest.approx((ci.low, ci.high))
    assert c["value"].tolist()[:2] == [pytest.approx(1 / 3), pytest.approx(2 / 3)]
    assert c["successes"].tolist() == [1, 2, 2, 2, 1]


def test_a_missing_resumed_leaves_the_denominator():
    r = pd.DataFrame({"enterprise": list("abcd"), "date": pd.Timestamp("2020-03-31"),
                      "resumed": pd.array([True, True, True, None], dtype="boolean")})  # fmt: skip
    row = resumption_curve(r, "resumption").iloc[0]
    assert (row["value"], row["n"], row["successes"], row["no_value"]) == (1.0, 3, 3, 1)


def test_a_missing_staff_total_leaves_the_denominator_not_600_percent():
    r = pd.DataFrame({"enterprise": list("abc"), "date": pd.Timestamp("2020-03-31"), "resumed": True,
                      "staff_on_duty": [5, 10, 30], "staff_total": [10.0, 20.0, np.nan]})  # fmt: skip
    for rate in ("firm_average", "pooled"):
        row = resumption_curve(r, "staff", staff_rate=rate).iloc[0]
        assert row["value"] == pytest.approx(0.5) and row["n"] == 2 and row["no_value"] == 1
    with pytest.raises(InputError, match=r"staff_on_duty exceeds staff_total.*b on 2020-03-31"):
        resumption_curve(r.assign(staff_on_duty=[5, 30, 1]), "staff")


def test_staff_intervals_match_r_survey_korn_graubard():
    # tests/reference/recovery_survey.R: svyciprop(method = "beta")
    r = pd.DataFrame({"enterprise": list("abcdef"), "date": pd.Timestamp("2020-03-02"), "resumed": True,
                      "staff_on_duty": [8, 15, 0, 40, 95, 3], "staff_total": [10, 30, 5, 50, 100, 4],
                      "capacity_share": [0.5, 0.4, 0.0, 0.9, 0.75, 0.6]})  # fmt: skip
    average = resumption_curve(r, "staff").iloc[0]
    assert (average["value"], average["low"], average["high"]) == pytest.approx(
        (0.6333333333, 0.3170952156, 0.8819331391), abs=1e-9
    )
    pooled = resumption_curve(r, "staff", staff_rate="pooled").iloc[0]
    assert (pooled["value"], pooled["low"], pooled["high"]) == pytest.approx(
        (0.8090452261, 0.4524221455, 0.9778834263), abs=1e-9
    )
    capacity = resumption_curve(r, "capacity").iloc[0]  # shares are held as float32
    assert (capacity["value"], capacity["low"], capacity["high"]) == pytest.approx(
        (0.525, 0.2615394914, 0.7785516077), abs=1e-6
    )
    # distributions: firms with 到岗率 >= 90% (one: 95 of 100) and capacity >= 80% (one: 0.9)
    for measure in ("staff_at_least", "capacity_at_least"):
        row = resumption_curve(r, measure).iloc[0]
        assert (row["successes"], row["n"]) == (1, 6)
    assert resumption_curve(r, "staff_at_least", cutoff=0.75).iloc[0]["successes"] == 4


@pytest.mark.parametrize("ci", ["beta", "delta", "bootstrap"])
@pytest.mark.parametrize("staff_rate", ["firm_average", "pooled"])
def test_every_firm_fully_staffed_gets_the_exact_interval_of_its_firms(ci, staff_rate):
    firms = pd.DataFrame({"enterprise": [f"f{i}" for i in range(24)], "date": pd.Timestamp("2020-03-31"),
                          "resumed": True, "staff_total": np.arange(24) * 7 + 20})  # fmt: skip
    full = firms.assign(staff_on_duty=firms["staff_total"])
    row = resumption_curve(full, "staff", ci=ci, staff_rate=staff_rate).iloc[0]
    count = rate_ci(24, 24)  # the same firms counted: 85.8% to 100%
    assert (row["value"], row["high"]) == (1.0, 1.0)
    assert row["low"] == pytest.approx(count.low, abs=1e-12)
    empty = resumption_curve(firms.assign(staff_on_duty=0), "staff", ci=ci, staff_rate=staff_rate).iloc[0]
    assert (empty["value"], empty["low"]) == (0.0, 0.0) and empty["high"] == pytest.approx(
        rate_ci(0, 24).high
    )


@pytest.mark.parametrize(
    ("measure", "options"),
    [("staff", {}), ("staff", {"ci": "delta"}), ("staff", {"staff_rate": "pooled"}), ("capacity", {}),
     ("capacity", {"ci": "delta"}), ("electricity_vs_baseline", {}), ("resumption", {})],
)  # fmt: skip
def test_a_firm_without_values_changes_no_estimate_or_interval(measure, options):
    """A firm known that day but without the measure's values is counted in no_value, and nothing else moves."""
    reports = _reports()
    quiet = reports[reports["enterprise"] == "a"].assign(enterprise="d", staff_total=np.nan, capacity_share=np.nan,
                                                          electricity_kwh=np.nan, resumed=None)  # fmt: skip
    with_d = resumption_curve(daily_status(pd.concat([reports, quiet]), baseline=BASE), measure, **options)
    without = resumption_curve(daily_status(reports, baseline=BASE), measure, **options)
    cols = ["value", "low", "high", "n"]
    pd.testing.assert_frame_equal(with_d[cols], without[cols], rtol=1e-12)
    assert (with_d["no_value"] - without["no_value"]).tolist() == [1] * len(without)


def test_staff_delta_interval_by_hand():
    s = daily_status(_reports(), baseline=BASE)
    c = resumption_curve(s, "staff", staff_rate="pooled", ci="delta", alpha=0.05)
    # day 2: on duty 8, 15, 0 of 10, 30, 5
    y, x = np.array([8.0, 15.0, 0.0]), np.array([10.0, 30.0, 5.0])
    r = y.sum() / x.sum()
    resid = y - r * x
    se = np.sqrt((resid**2).sum() / 2 / 3) / x.mean()
    day2 = c.iloc[1]
    assert day2["value"] == pytest.approx(23 / 45)
    z = stats.norm.ppf(0.975)
    assert (day2["low"], day2["high"]) == pytest.approx((r - z * se, r + z * se))
    average = resumption_curve(s, "staff").iloc[1]  # the default: the average of firms' rates
    assert average["value"] == pytest.approx(np.mean([0.8, 0.5, 0.0]))


def test_staff_bootstrap_agrees_with_the_delta_interval_on_many_firms():
    rng = np.random.default_rng(7)
    total = rng.integers(20, 200, 300)
    r = pd.DataFrame({"enterprise": [f"f{i}" for i in range(300)], "date": pd.Timestamp("2020-03-31"),
                      "resumed": True, "staff_total": total,
                      "staff_on_duty": rng.binomial(total, rng.beta(6, 2, 300))})  # fmt: skip
    delta = resumption_curve(r, "staff", staff_rate="pooled", ci="delta").iloc[0]
    # 20,000 draws: the percentiles' Monte Carlo error is ~0.02 half-widths (seeds 3-6 stay within 0.03),
    # while a 1.67% or 10% percentile in place of 2.5% moves a bound by 0.09 or 0.35 half-widths
    boot = resumption_curve(r, "staff", staff_rate="pooled", ci="bootstrap", n_boot=20_000, seed=3).iloc[0]
    half = (delta["high"] - delta["low"]) / 2
    assert boot["low"] == pytest.approx(delta["low"], abs=0.05 * half)
    assert boot["high"] == pytest.approx(delta["high"], abs=0.05 * half)
    once = resumption_curve(r, "staff", staff_rate="pooled", ci="bootstrap", n_boot=200, seed=3)
    again = resumption_curve(r, "staff", staff_rate="pooled", ci="bootstrap", n_boot=200, seed=3)
    assert once.equals(again)  # seeded


def test_capacity_electricity_proxy_and_electricity_rule():
    s = daily_status(_reports(), baseline=BASE)
    cap = resumption_curve(s, "capacity").iloc[1]
    assert cap["value"] == pytest.approx(np.mean([0.5, 0.4, 0.0]))
    assert cap["low"] < cap["value"] < cap["high"] < 1
    out = resumption_curve(s, "electricity_vs_baseline").iloc[1]
    assert out["value"] == pytest.approx((60 + 150 + 1) / (100 + 300 + 10))
    with pytest.warns(DeprecationWarning, match="electricity_vs_baseline"):
        old = resumption_curve(s, "output")
    assert old["measure"].iloc[0] == "electricity_vs_baseline" and old.iloc[1]["value"] == out["value"]
    rule = resumption_curve(s, "electricity", threshold=0.3)
    # day 1: a 30 > 30? no; b 10 > 90? no; c 1 > 3? no. Day 2: a 60 > 30 yes, b 150 > 90 yes, c no
    assert rule["value"].tolist()[:2] == [0.0, pytest.approx(2 / 3)]
    with pytest.raises(InputError, match="baseline"):
        resumption_curve(daily_status(_reports()), "electricity")
    with pytest.raises(InputError, match="ci for measure 'electricity_vs_baseline' must be one of"):
        resumption_curve(s, "electricity_vs_baseline", ci="beta")
    with pytest.raises(InputError, match="count of firms"):
        resumption_curve(s, "resumption", ci="bootstrap")
    with pytest.raises(InputError, match="cutoff applies to"):
        resumption_curve(s, "staff", cutoff=0.9)


def test_electricity_rule_n_is_the_denominator_of_its_rate():
    r = _reports()
    r.loc[(r["enterprise"] == "c") & (r["date"] == "2020-02-11"), "electricity_kwh"] = np.nan
    rule = resumption_curve(daily_status(r, baseline=BASE), "electricity").iloc[1]
    assert (rule["n"], rule["successes"], rule["no_value"]) == (2, 2, 1)
    assert rule["value"] == rule["successes"] / rule["n"] == 1.0


def test_grouped_curves_state_their_denominators_and_compare_large_and_small_firms():
    c = resumption_curve(daily_status(_reports(), baseline=BASE), "resumption", by="sector")
    assert set(c["group"]) == {"医药", "建材"}
    assert c[c["group"] == "建材"]["n"].tolist() == [2, 2, 2, 2, 1]
    size = resumption_curve(daily_status(_reports(), baseline=BASE), "staff", by="large_scale")
    assert set(size["group"]) == {"True", "False"}
    assert size[size["group"] == "False"]["value"].iloc[2] == pytest.approx(0.2)  # c: 1 of 5
    with pytest.raises(InputError, match="by must be a firm attribute"):
        resumption_curve(daily_status(_reports(), baseline=BASE), by="street")


def test_curves_summed_in_blocks_of_firms_equal_one_pass(monkeypatch):
    """A national grid is summed a block of firms at a time; any block size gives the one-pass numbers."""
    from renostats.recovery import _curves

    rng = np.random.default_rng(5)
    frames = []
    for k in range(23):  # 23 firms, staggered resumptions, a few gaps and missing values
        days = pd.date_range("2020-02-10", "2020-02-24")
        on = np.minimum(rng.integers(0, 12, len(days)), 10).astype(float)
        cap = rng.uniform(0, 1, len(days))
        kwh = rng.uniform(0, 200, len(days))
        on[rng.random(len(days)) < 0.1] = np.nan
        frames.append(pd.DataFrame({"enterprise": f"E{k:02d}", "date": days, "report_time": "16:00",
                                    "resumed": np.arange(len(days)) >= k % 9, "staff_on_duty": on,
                                    "staff_total": 10.0, "capacity_share": cap, "electricity_kwh": kwh,
                                    "large_scale": k % 3 == 0, "sector": "AB"[k % 2]}))  # fmt: skip
        frames.append(pd.DataFrame({"enterprise": f"E{k:02d}", "date": [pd.Timestamp("2019-12-05")],
                                    "report_time": "16:00", "resumed": True, "staff_on_duty": 10.0,
                                    "staff_total": 10.0, "capacity_share": 1.0, "electricity_kwh": 150.0,
                                    "large_scale": k % 3 == 0, "sector": "AB"[k % 2]}))  # fmt: skip
    reports = pd.concat(frames, ignore_index=True)
    reports = reports.drop(index=rng.choice(len(reports), 30, replace=False))
    s = daily_status(reports, baseline=BASE)
    cases = [(m, by, {}) for m in MEASURES for by in (None, "sector")]
    cases += [("staff", None, {"staff_rate": "pooled"}), ("capacity", "large_scale", {"ci": "delta"}),
              ("staff", "sector", {"ci": "bootstrap", "n_boot": 50})]  # fmt: skip
    whole = [resumption_curve(s, m, by, **kw) for m, by, kw in cases]
    monkeypatch.setattr(_curves, "_BLOCK_CELLS", 2 * len(s.dates))  # two firms a block
    for (m, by, kw), one in zip(cases, whole, strict=True):
        blocked = resumption_curve(s, m, by, **kw)
        pd.testing.assert_frame_equal(blocked, one, rtol=1e-12, atol=1e-12, obj=f"{m} by {by}")
    over = s.staff_on_duty.copy()
    over[17, 3], over[5, 4] = 11.0, 12.0  # 11 and 12 of 10 on duty, in different blocks
    bad = dataclasses.replace(s, staff_on_duty=over)
    with pytest.raises(InputError, match="on 2 firm-day\\(s\\), first E05 on 2020-02-14 \\(12 of 10\\)"):
        resumption_curve(bad, "staff")


# --------------------------------------------------------------------------------------------------
# Kaplan-Meier against R survival and lifelines

# notebook 04's demo durations (recovery_km.R data set 1) and R's survfit(conf.type = "log-log")
DEMO_DAYS = {
    "医药": [0, 20], "建材": [3, 17, 20, 34, 35], "机械制造": [7, 10, 17, 19, 29, 31],
    "电子信息": [1, 23, 27, 31], "纺织服装": [11, 19, 22], "食品加工": [0, 7, 13, 21],
}  # fmt: skip
R_MEDIANS = {
    "医药": (10, 0),
    "建材": (20, 3),
    "机械制造": (18, 7),
    "电子信息": (25, 1),
    "纺织服装": (19, 11),
    "食品加工": (10, 0),
}  # fmt: skip  (median, lower limit; every upper limit is NA in R)


def _status_from_durations(days: dict[str, list[int]], censored: set[str] = frozenset(), end: int = 40):
    """Reports that make each firm resume on its day (or never, if censored at it)."""
    rows = []
    for sector, values in days.items():
        for i, d in enumerate(values):
            name = f"{sector}{i}"
            for day in range(d + 1):
                resumed = day == d and name not in censored
                rows.append((name, sector, pd.Timestamp("2020-02-10") + pd.Timedelta(days=day), resumed))
    r = pd.DataFrame(rows, columns=["enterprise", "sector", "date", "resumed"])
    return daily_status(r, carry_days=0, end=pd.Timestamp("2020-02-10") + pd.Timedelta(days=end))


def test_kaplan_meier_matches_r_survival_on_the_demo():
    times = time_to_resumption(_status_from_durations(DEMO_DAYS), by="sector")
    yiyao = times.curves[times.curves["group"] == "医药"].iloc[0]
    # issue 10: lifelines and R give [0.0060, 0.9104] at day 0 for 医药 (the bounds once came out swapped)
    assert (yiyao["survival"], yiyao["low"], yiyao["high"]) == pytest.approx(
        (0.5, 0.005983087639, 0.9104100848), abs=1e-9
    )
    jixie = times.curves[times.curves["group"] == "机械制造"]
    assert jixie["low"].iloc[:5].tolist() == pytest.approx(
        [0.273122849928, 0.194616636806, 0.110948260351, 0.046082243412, 0.007723104040], abs=1e-9
    )
    assert jixie["high"].iloc[:5].tolist() == pytest.approx(
        [0.9747124267, 0.9044341643, 0.8037092369, 0.6755643580, 0.5168017818], abs=1e-9
    )
    assert np.isnan(jixie["low"].iloc[5]) and np.isnan(jixie["high"].iloc[5])  # S = 0: R gives NA
    medians = times.medians.set_index("group")
    for sector, (median, low) in R_MEDIANS.items():
        assert (medians.loc[sector, "median"], medians.loc[sector, "low"]) == (median, low)
        assert np.isnan(medians.loc[sector, "high"])
    assert times.logrank_statistic == pytest.approx(6.358389893, abs=1e-8)
    assert times.logrank_p == pytest.approx(0.2728908856, abs=1e-9)
    assert times.logrank_df == 5 and times.smallest_group == 2


def test_kaplan_meier_with_censoring_and_ties_matches_r_and_lifelines():
    # recovery_km.R data set 2 / recovery_lifelines.py: firms a2 and a4, b2 and b3 never resume
    days = {"a": [2, 2, 5, 9, 12], "b": [1, 4, 4, 12]}
    status = _status_from_durations(days, censored={"a2", "a4", "b2", "b3"}, end=12)
    times = time_to_resumption(status, by="sector")
    a = times.curves[times.curves["group"] == "a"]
    assert a["days"].tolist() == [2, 9] and a["survival"].tolist() == pytest.approx([0.6, 0.3])
    assert a["low"].tolist() == pytest.approx([0.12573018299, 0.01230152943], abs=1e-9)
    assert a["high"].tolist() == pytest.approx([0.8817564074, 0.7192180208], abs=1e-9)
    medians = times.medians.set_index("group")
    # R: a 9 [2, NA]; b 8 [1, NA] (the curve ends at 1/2 at day 4, last seen day 12); lifelines says 4
    assert medians.loc["a", ["median", "low"]].tolist() == [9, 2]
    assert medians.loc["b", ["median", "low"]].tolist() == [8, 1]
    assert times.logrank_statistic == pytest.approx(0.0006883666044, abs=1e-10)
    assert times.logrank_p == pytest.approx(0.9790685105, abs=1e-9)
    single = time_to_resumption(status)
    assert single.logrank_p is None and single.logrank_df is None


def test_time_to_resumption_censors_firms_that_never_resume():
    s = daily_status(_reports(), baseline=BASE)
    times = time_to_resumption(s)
    d = times.durations.set_index("enterprise")
    assert d.loc["a", "days"] == 0 and d.loc["b", "days"] == 1 and bool(d.loc["c", "resumed"]) is False
    assert d.loc["c", "days"] == 4  # censored at its last known day
    # Kaplan-Meier by hand: at day 0, 1 of 3 resume (S = 2/3); at day 1, 1 of 2 (S = 1/3)
    assert times.curves["survival"].tolist() == pytest.approx([2 / 3, 1 / 3])
    assert times.medians.loc[0, "median"] == 1
    with pytest.raises(InputError, match="alpha"):
        time_to_resumption(s, alpha=2)


# --------------------------------------------------------------------------------------------------
# Properties: every interval brackets its estimate; nothing depends on row order


@st.composite
def report_frames(draw):
    k = draw(st.integers(1, 6))
    days = draw(st.integers(1, 4))
    rows = []
    for f in range(k):
        total = draw(st.integers(1, 60))
        for d in range(days):
            if draw(st.booleans()) or d == 0:
                on = draw(st.integers(0, total))
                rows.append((f"f{f}", pd.Timestamp("2020-02-10") + pd.Timedelta(days=d),
                             draw(st.sampled_from(["09:00", "16:00"])), draw(st.booleans()), on, total,
                             draw(st.sampled_from([0.0, 0.25, 0.5, 0.8, 1.0])),
                             float(draw(st.integers(0, 50)))))  # fmt: skip
    for f in range(k):
        rows.append((f"f{f}", pd.Timestamp("2019-12-02"), "16:00", True, 1, 1, 1.0, 20.0))
    frame = pd.DataFrame(rows, columns=["enterprise", "date", "report_time", "resumed", "staff_on_duty",
                                        "staff_total", "capacity_share", "electricity_kwh"])  # fmt: skip
    return frame.drop_duplicates(["enterprise", "date", "report_time"], keep="last")


MEASURE_OPTIONS = [
    ("resumption", {}), ("staff", {}), ("staff", {"staff_rate": "pooled"}), ("staff", {"ci": "delta"}),
    ("staff", {"ci": "bootstrap", "n_boot": 50}), ("staff_at_least", {}), ("capacity", {}),
    ("capacity_at_least", {}), ("electricity_vs_baseline", {}), ("electricity", {}),
]  # fmt: skip


@settings(max_examples=40, deadline=None)
@given(report_frames(), st.randoms(use_true_random=False))
def test_curve_intervals_bracket_estimates_and_ignore_row_order(frame, random):
    shuffled = frame.sample(frac=1, random_state=random.randint(0, 2**31)).reset_index(drop=True)
    a = daily_status(frame, baseline=BASE, carry_days=1)
    b = daily_status(shuffled, baseline=BASE, carry_days=1)
    for measure, options in MEASURE_OPTIONS:
        c = resumption_curve(a, measure, **options)
        has = c["n"] > 0
        assert c.loc[has, "value"].notna().all()
        assert (c.loc[has, "low"] <= c.loc[has, "value"] + 1e-12).all(), measure
        assert (c.loc[has, "value"] <= c.loc[has, "high"] + 1e-12).all(), measure
        assert c.loc[~has, "value"].isna().all()
        pd.testing.assert_frame_equal(c, resumption_curve(b, measure, **options))
    t = time_to_resumption(a)
    finite = t.curves["low"].notna()
    assert (t.curves["survival"] > 0).eq(finite).all()
    assert (t.curves.loc[finite, "low"] <= t.curves.loc[finite, "survival"]).all()
    assert (t.curves.loc[finite, "survival"] <= t.curves.loc[finite, "high"]).all()
    pd.testing.assert_frame_equal(t.curves, time_to_resumption(b).curves)
    m = t.medians.iloc[0]
    if not np.isnan(m["median"]):
        assert np.isnan(m["low"]) or m["low"] <= m["median"]
        assert np.isnan(m["high"]) or m["median"] <= m["high"]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n), st.integers(n, 60))))
def test_rate_and_finite_population_intervals_bracket_the_rate(case):
    x, n, big_n = case
    for ci in (rate_ci(x, n), finite_population_ci(x, n, big_n)):
        assert 0 <= ci.low <= x / n <= ci.high <= 1
    c = compare_rates(x, n, max(n - x, 0), n)
    assert c.low <= c.diff <= c.high
    sample = finite_population_ci(x, n, big_n)
    assert sample.high - sample.low <= rate_ci(x, n).high - rate_ci(x, n).low + 1e-12


def test_reporting_period_finds_the_demo_baseline_and_the_reports():
    read = load_demo("enterprise_reports")
    p = reporting_period(read.data)
    # data/README.md: December 2019 baselines, then reports from 10 February to 31 March 2020
    assert (p.first, p.last) == (pd.Timestamp("2020-02-10"), pd.Timestamp("2020-03-31"))
    assert (p.baseline_start, p.baseline_end) == (pd.Timestamp("2019-12-01"), pd.Timestamp("2019-12-31"))


def test_reporting_period_without_baseline_rows_and_with_short_gaps():
    days = pd.to_datetime(["2026-02-24", "2026-02-25", "2026-03-02", "2026-03-25"])
    p = reporting_period(pd.DataFrame({"date": days}), gap_days=30)  # gaps of 5 and 23 days: one period
    assert (p.first, p.last, p.baseline_start) == (days[0], days[-1], None)
    # with gaps of at most 7 days the 23-day gap splits: the baseline is the month of 2 March
    q = reporting_period(pd.DataFrame({"date": days}))
    assert (q.first, q.baseline_start, q.baseline_end) == (
        days[-1], pd.Timestamp("2026-03-01"), pd.Timestamp("2026-03-31"))  # fmt: skip
    with pytest.raises(InputError, match="no dated row"):
        reporting_period(pd.DataFrame({"date": pd.to_datetime([None])}))
