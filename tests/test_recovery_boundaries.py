"""Recovery at its edges: clock times, firms without a staff figure, shares out of range, counts of
mixed shape and the wording of a headline audit. Expected values are hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from renostats.errors import InputError
from renostats.recovery import audit_headline, daily_status, rate_ci, resumption_curve

DAY = pd.Timestamp("2020-02-10")


def _reports(times, resumed):
    return pd.DataFrame({"enterprise": "a", "date": DAY, "report_time": times, "resumed": resumed})


def test_the_last_minute_of_the_day_is_read_and_wins():
    # 23:59 is a real time: it is later than 23:58, so its "resumed" is the day's status
    s = daily_status(_reports(["23:59", "23:58"], [True, False]))
    assert s.resumed[0, 0] == 1.0
    s = daily_status(_reports(["00:00", "23:59"], [True, False]))
    assert s.resumed[0, 0] == 0.0


@pytest.mark.parametrize("bad", ["24:00", "12:60", "-1:00"])
def test_times_outside_the_clock_are_refused(bad):
    with pytest.raises(InputError, match="report_time"):
        daily_status(_reports(["09:00", bad], [True, False]))


def test_firms_without_a_usable_staff_figure_leave_the_denominator():
    # a: 8 of 10 on duty; b: staff_total 0 (no staff figure); c: staff_on_duty missing
    r = pd.DataFrame(
        {
            "enterprise": ["a", "b", "c"],
            "date": DAY,
            "resumed": True,
            "staff_on_duty": [8.0, 0.0, np.nan],
            "staff_total": [10.0, 0.0, 20.0],
        }
    )
    for rate in ("firm_average", "pooled"):
        row = resumption_curve(r, "staff", staff_rate=rate, ci="delta").iloc[0]
        assert row["value"] == pytest.approx(0.8, abs=1e-12)
        assert (row["n"], row["no_value"], row["unknown"]) == (1, 2, 0)
    row = resumption_curve(r, "staff_at_least", cutoff=0.5).iloc[0]
    assert (row["value"], row["n"], row["successes"]) == (1.0, 1, 1)


@pytest.mark.parametrize("share", [1.2, -0.1])
def test_a_capacity_share_outside_zero_one_is_refused(share):
    r = pd.DataFrame({"enterprise": ["a", "b"], "date": DAY, "resumed": True, "capacity_share": [0.5, share]})
    with pytest.raises(InputError, match="capacity_share"):
        resumption_curve(r, "capacity")


def test_capacity_shares_at_zero_and_one_are_accepted():
    r = pd.DataFrame({"enterprise": ["a", "b"], "date": DAY, "resumed": True, "capacity_share": [0.0, 1.0]})
    row = resumption_curve(r, "capacity", ci="delta").iloc[0]
    # mean 0.5; linearised variance k/(k-1) * sum(resid^2) / k^2 = 2 * 0.5 / 4 = 0.25
    half = stats.norm.ppf(0.975) * 0.5
    assert (row["value"], row["n"]) == (0.5, 2)
    assert (row["low"], row["high"]) == pytest.approx((max(0.5 - half, 0.0), min(0.5 + half, 1.0)))


@pytest.mark.parametrize("ci", ["beta", "delta", "bootstrap"])
def test_a_day_with_no_known_firm_has_no_estimate(ci):
    # b's only report is on day 0; with carry_days=0 it is unknown on day 1, and a reports nothing then
    r = pd.DataFrame(
        {
            "enterprise": ["a", "a", "b"],
            "date": [DAY, DAY + pd.Timedelta(days=2), DAY],
            "resumed": True,
            "staff_on_duty": [5.0, 5.0, 3.0],
            "staff_total": [10.0, 10.0, 6.0],
        }
    )
    out = resumption_curve(r, "staff", ci=ci, carry_days=0, n_boot=50)
    gap = out.iloc[1]
    assert (gap["n"], gap["unknown"]) == (0, 2)
    assert np.isnan([gap["value"], gap["low"], gap["high"]]).all()
    assert out.iloc[0]["value"] == 0.5 and out.iloc[2]["value"] == 0.5


def test_one_count_of_successes_against_several_totals():
    ci = rate_ci(3, [10, 20])
    assert ci.rate.tolist() == [0.3, 0.15]
    singles = [rate_ci(3, 10), rate_ci(3, 20)]
    assert ci.low.tolist() == pytest.approx([s.low for s in singles], abs=1e-12)
    assert ci.high.tolist() == pytest.approx([s.high for s in singles], abs=1e-12)
    assert ci.n.tolist() == [10, 20]
    both = rate_ci([3, 4], 10)
    assert both.rate.tolist() == [0.3, 0.4] and both.n.tolist() == [10, 10]


def test_audit_says_when_no_staff_figure_is_given():
    a = audit_headline(24, 24, output_share=0.81)
    assert a.text_en.endswith(
        "and how it was reported: on the same day electricity use (an output proxy) was 81.0% of its "
        "baseline; no staff figure is given."
    )
    assert a.text_zh.endswith("同一天用电量(产出的替代指标)为基期的81.0%;没有到岗数据。")
    b = audit_headline(24, 24, staff_share=0.97)
    assert b.text_en.endswith("staff on duty were 97.0%; no output or electricity figure is given.")
    assert "no staff figure" not in b.text_en


def test_a_reference_beside_a_census_is_given_in_percentage_points():
    # 24 of 24 against a national 98.6%: 100.0 - 98.6 = 1.4 points above
    a = audit_headline(24, 24, reference=0.986)
    assert "this count is 1.4 points above it" in a.text_en
    assert "这个数比它高1.4个百分点" in a.text_zh
    b = audit_headline(18, 24, reference=0.986)  # 75.0% is 23.6 points below
    assert "23.6 points below it" in b.text_en


def test_carry_days_must_be_a_whole_number_of_days():
    with pytest.raises(InputError, match="carry_days"):
        daily_status(_reports(["09:00"], [True]), carry_days=1.5)


def test_the_default_bootstrap_draws_500_times():
    rng = np.random.default_rng(3)
    r = pd.DataFrame(
        {
            "enterprise": [f"f{i}" for i in range(12)],
            "date": DAY,
            "resumed": True,
            "staff_on_duty": rng.integers(1, 10, 12).astype(float),
            "staff_total": 10.0,
        }
    )
    default = resumption_curve(r, "staff", ci="bootstrap", seed=5).iloc[0]
    stated = resumption_curve(r, "staff", ci="bootstrap", seed=5, n_boot=500).iloc[0]
    assert (default["low"], default["high"]) == (stated["low"], stated["high"])


def test_one_dask_partition_with_a_baseline_matches_pandas():
    dd = pytest.importorskip("dask.dataframe")
    dask = pytest.importorskip("dask")
    r = pd.DataFrame(
        {
            "enterprise": ["a", "a", "b", "b"],
            "date": pd.to_datetime(["2020-01-05", "2020-02-10", "2020-01-05", "2020-02-10"]),
            "resumed": [np.nan, 1.0, np.nan, 0.0],
            "electricity_kwh": [100.0, 80.0, 50.0, 10.0],
        }
    )
    base = ("2020-01-01", "2020-01-31")
    with dask.config.set(scheduler="synchronous"):
        s = daily_status(dd.from_pandas(r, npartitions=1), baseline=base)
    assert s.baseline_kwh.tolist() == [100.0, 50.0]
    assert s.electricity_kwh[:, 0].tolist() == [80.0, 10.0]


def test_a_stretch_of_eight_days_without_reports_ends_the_baseline_by_default():
    from renostats.recovery import reporting_period

    base = pd.date_range("2020-01-01", "2020-01-10")  # then nothing for 8 days: more than the default 7
    daily = pd.date_range("2020-01-18", "2020-02-20")
    p = reporting_period(pd.DataFrame({"date": base.append(daily)}))
    assert (p.first, p.baseline_end) == (pd.Timestamp("2020-01-18"), pd.Timestamp("2020-01-31"))
    assert reporting_period(pd.DataFrame({"date": base.append(daily)}), gap_days=8).baseline_start is None
