"""Funding leverage, classifications, costs and crowding-in, against hand computations, statsmodels,
scipy's bootstrap and seeded simulations."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from renostats import funding
from renostats.errors import InputError
from renostats.funding import (
    CLASSIFICATIONS,
    Classification,
    FundingError,
    check_funding,
    compare_classifications,
    cost_distribution,
    costs,
    coverage,
    crowding_in,
    lending_facts,
    mobilisation,
    source_names,
)
from renostats.schemas import FUNDING_PRIVATE, FUNDING_PUBLIC, FUNDING_SOURCES, SCHEMAS, funding_gap_ok


def _ledger() -> pd.DataFrame:
    """Two streets; community c has a tiny subsidy and a large private share, so the mean of
    per-community ratios (3.0) and the ratio of sums (0.6) differ."""
    frame = pd.DataFrame(
        {
            "community": ["a", "b", "c"],
            "street": ["东", "东", "西"],
            "batch": ["第一批", "第二批", "第一批"],
            "households": [100, 50, 10],
            "floor_area_m2": [8000.0, 4000.0, 1000.0],
        }
    )
    for col in FUNDING_PUBLIC + FUNDING_PRIVATE:
        frame[col] = 0.0
    frame["subsidy_central_yuan"] = [600.0, 300.0, 10.0]
    frame["subsidy_local_yuan"] = [400.0, 200.0, 0.0]
    frame["residents_yuan"] = [100.0, 50.0, 20.0]
    frame["utilities_yuan"] = [300.0, 100.0, 0.0]
    frame["social_capital_yuan"] = [200.0, 50.0, 50.0]
    frame["investment_yuan"] = frame[list(FUNDING_PUBLIC + FUNDING_PRIVATE)].sum(axis=1)
    return frame


def _detailed() -> pd.DataFrame:
    """A ledger with every finer source: central money split MOF / NDRC, a provincial subsidy,
    residents' three channels, a former work unit, bonds and a loan (amounts chosen to add by hand)."""
    frame = pd.DataFrame(
        {
            "community": ["p", "q"],
            "street": ["东", "西"],
            "subsidy_central_mof_yuan": [300.0, 100.0],
            "central_budget_investment_yuan": [100.0, 0.0],
            "subsidy_provincial_yuan": [50.0, 50.0],
            "subsidy_local_yuan": [150.0, 50.0],
            "special_bond_yuan": [200.0, 0.0],
            "residents_direct_yuan": [40.0, 10.0],
            "maintenance_fund_yuan": [20.0, 0.0],
            "public_income_yuan": [10.0, 5.0],
            "work_unit_yuan": [30.0, 0.0],
            "utilities_yuan": [80.0, 20.0],
            "social_capital_yuan": [60.0, 0.0],
            "bank_loan_yuan": [100.0, 0.0],
        }
    )
    frame["investment_yuan"] = frame.drop(columns=["community", "street"]).sum(axis=1)
    return frame


# --- classifications --------------------------------------------------------------------------


def test_every_preset_names_its_source_with_a_title_and_a_date():
    for name, split in CLASSIFICATIONS.items():
        assert split.name == name
        assert re.search(r"(19|20)\d\d", split.source), name  # a date
        assert len(split.source) > 30 and split.description, name  # a title, and what it means
        assert set(split.sources) <= set(FUNDING_SOURCES), name
        assert len(set(split.sources)) == len(split.sources), name


def test_default_keeps_repayable_finance_and_utilities_apart():
    split = CLASSIFICATIONS["fiscal"]
    assert set(split.repayable) == {"special_bond_yuan", "bank_loan_yuan"}
    assert split.apart == ("utilities_yuan",)
    assert "work_unit_yuan" in split.private and "maintenance_fund_yuan" in split.private


def test_fiscal_and_subsidy_leverage_by_hand_on_a_detailed_ledger():
    df = _detailed()
    fiscal = mobilisation(df, n_boot=0).loc["overall"]
    public = 400 + 100 + 100 + 150 + 50  # central (MOF + NDRC), provincial, city and county
    private = 40 + 10 + 20 + 10 + 5 + 30 + 60  # residents' three channels, work unit, social capital
    assert fiscal["public_yuan"] == public and fiscal["private_yuan"] == private
    assert fiscal["repayable_yuan"] == 300 and fiscal["apart_yuan"] == 100
    assert fiscal["total_yuan"] == df["investment_yuan"].sum()
    assert fiscal["leverage"] == pytest.approx(private / public)
    assert fiscal["multiplier"] == pytest.approx(1 + private / public)
    assert fiscal["repayable_per_public"] == pytest.approx(300 / public)
    subsidy = mobilisation(df, classification="subsidy", n_boot=0).loc["overall"]
    assert subsidy["public_yuan"] == 400 + 100 + 100  # central and provincial subsidies only
    assert subsidy["private_yuan"] == private + 200  # city and county money counts as mobilised
    assert subsidy["leverage"] == pytest.approx(375 / 600)
    table = compare_classifications(df)
    assert list(table.index) == list(CLASSIFICATIONS)
    assert table.loc["utilities_private", "private_yuan"] == private + 100
    assert table.loc["all_money", "public_yuan"] == public + 200
    assert table.loc["all_money", "private_yuan"] == private + 100 + 100
    assert "central_budget_investment_yuan" in table.loc["subsidy", "public_sources"]


def test_subsidy_preset_without_provincial_column_uses_central_alone():
    df = _ledger()
    split = mobilisation(df, classification="subsidy", n_boot=0)
    assert split.attrs["classification"].public == ("subsidy_central_yuan",)
    assert split.loc["overall", "public_yuan"] == 910
    assert split.loc["overall", "private_yuan"] == 600 + 170 + 300  # local, residents, social capital


def test_ratio_of_sums_not_mean_of_ratios():
    df = _ledger()
    m = mobilisation(df, classification="all_money", n_boot=0)
    overall = m.loc["overall"]
    assert overall["public_yuan"] == 1510 and overall["private_yuan"] == 870
    assert overall["leverage"] == pytest.approx(870 / 1510)
    assert overall["multiplier"] == pytest.approx(2380 / 1510)
    per_community = (df[list(FUNDING_PRIVATE)].sum(axis=1) / df[list(FUNDING_PUBLIC)].sum(axis=1)).mean()
    assert per_community == pytest.approx((0.6 + 0.4 + 7.0) / 3)  # what a mean of ratios would report
    assert overall["share_utilities_yuan"] == pytest.approx(400 / 2380)
    assert list(m.index) == ["overall"]


def test_groups_then_overall_last_and_custom_split():
    df = _ledger()
    m = mobilisation(df, by="street", classification="all_money", n_boot=0)
    assert list(m.index) == ["东", "西", "overall"]
    assert m.loc["西", "leverage"] == pytest.approx(7.0)
    utilities_public = mobilisation(df, classification="utilities_public", n_boot=0).loc["overall"]
    assert utilities_public["leverage"] == pytest.approx(470 / 1910)
    custom = mobilisation(df, public=["subsidy_central_yuan"], private=["residents_yuan"], n_boot=0)
    assert custom.loc["overall", "leverage"] == pytest.approx(170 / 910)
    with pytest.raises(FundingError, match="more than one pile"):
        mobilisation(df, public=["utilities_yuan"], private=["utilities_yuan"])
    with pytest.raises(FundingError, match="give both public and private"):
        mobilisation(df, public=["subsidy_central_yuan"])
    with pytest.raises(FundingError, match="give both public and private"):
        mobilisation(df, private=["residents_yuan"])
    with pytest.raises(InputError, match="classification must be one of 'fiscal'"):
        mobilisation(df, classification="mdb")
    with pytest.raises(FundingError, match="none of its public sources"):
        mobilisation(df[["community", "residents_yuan"]])


def test_source_given_by_total_and_parts_counts_once_and_must_agree():
    df = _detailed()
    df["subsidy_central_yuan"] = [400.0, 100.0]  # the total beside its parts, agreeing
    df["residents_yuan"] = [70.0, np.nan]  # the total for one row only
    assert mobilisation(df, n_boot=0).loc["overall", "public_yuan"] == 800  # as without the total
    assert funding_gap_ok(df).all()
    df.loc[0, "subsidy_central_yuan"] = 300.0  # only the MOF part written under 中央补助
    with pytest.raises(FundingError, match=r"p: subsidy_central_yuan = 300 but its parts"):
        mobilisation(df, n_boot=0)
    only_total = _ledger()  # no parts at all: the total is used as it is
    assert mobilisation(only_total, n_boot=0).loc["overall", "public_yuan"] == 1510


def test_finer_sources_read_from_chinese_headers(tmp_path):
    from renostats import read_ledger

    headers = ["小区名称", "街道", "楼栋数", "户数", "建筑面积", "总投资", "中央财政补助", "中央预算内投资",
               "省级补助", "地方配套", "居民直接出资", "住宅专项维修资金", "公共收益", "原产权单位", "专业经营单位"]  # fmt: skip
    row = ["甲", "东", 3, 100, 5000, 1000, 300, 200, 100, 100, 100, 50, 50, 50, 50]
    path = tmp_path / "ledger.csv"
    pd.DataFrame([row], columns=headers).to_csv(path, index=False)
    data = read_ledger(path, "renovation").data
    assert data.loc[0, "subsidy_central_mof_yuan"] == 300
    assert data.loc[0, "central_budget_investment_yuan"] == 200
    assert data.loc[0, "work_unit_yuan"] == 50 and data.loc[0, "maintenance_fund_yuan"] == 50
    assert pd.isna(data.loc[0, "subsidy_central_yuan"])
    m = mobilisation(data, n_boot=0).loc["overall"]
    assert (m["public_yuan"], m["private_yuan"], m["apart_yuan"]) == (700, 250, 50)


def test_source_names_come_from_the_schema_headers():
    names = source_names()
    schema = SCHEMAS["renovation"]
    assert names["subsidy_central_yuan"] == "中央补助" == schema.column("subsidy_central_yuan").header
    assert names["central_budget_investment_yuan"] == "中央预算内投资"
    assert set(names) == set(FUNDING_SOURCES)
    assert source_names("en")["bank_loan_yuan"] == "bank loan"


# --- bootstrap intervals -----------------------------------------------------------------------


def _random_ledger(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"community": [f"c{i}" for i in range(n)], "street": rng.choice(["甲", "乙"], n)})
    df["subsidy_central_yuan"] = rng.uniform(50, 150, n)
    df["residents_yuan"] = 0.5 * df["subsidy_central_yuan"] + rng.normal(0, 10, n).clip(-20, 20) + 20
    return df


def test_bootstrap_interval_agrees_with_scipy_and_multiplier_is_leverage_plus_one():
    df = _random_ledger(200, 3)
    a = mobilisation(df, seed=5, n_boot=20000).loc["overall"]
    assert a.equals(mobilisation(df, seed=5, n_boot=20000).loc["overall"])
    ref = stats.bootstrap(
        (df["residents_yuan"].to_numpy(), df["subsidy_central_yuan"].to_numpy()),
        lambda q, p, axis=-1: q.sum(axis=axis) / p.sum(axis=axis),
        paired=True, n_resamples=20000, method="percentile", random_state=11,
    ).confidence_interval  # fmt: skip
    # Monte Carlo error of each bound is about 0.7% of the width with 20,000 resamples on both sides;
    # moving a quantile from 2.5% to 1.7% would shift it by about 4%
    width = ref.high - ref.low
    assert a["leverage_low"] == pytest.approx(ref.low, abs=0.025 * width)
    assert a["leverage_high"] == pytest.approx(ref.high, abs=0.025 * width)
    assert a["leverage_low"] < a["leverage"] < a["leverage_high"]
    assert a["multiplier_low"] == pytest.approx(a["leverage_low"] + 1)
    assert a["multiplier_high"] == pytest.approx(a["leverage_high"] + 1)
    assert a["multiplier_low"] < a["multiplier"] < a["multiplier_high"]


def test_bootstrap_interval_narrows_with_more_communities():
    small = mobilisation(_random_ledger(40, 1), n_boot=1000).loc["overall"]
    large = mobilisation(_random_ledger(1000, 1), n_boot=1000).loc["overall"]
    assert (large["leverage_high"] - large["leverage_low"]) < 0.5 * (
        small["leverage_high"] - small["leverage_low"]
    )


amounts = st.lists(st.floats(1.0, 1e7, allow_nan=False), min_size=3, max_size=12)


@settings(max_examples=40, deadline=None)
@given(amounts, st.data())
def test_property_intervals_bracket_and_order_does_not_matter(public, data):
    n = len(public)
    private = data.draw(st.lists(st.floats(0.0, 1e7, allow_nan=False), min_size=n, max_size=n))
    df = pd.DataFrame({"community": [f"c{i}" for i in range(n)], "subsidy_central_yuan": public,
                       "residents_yuan": private})  # fmt: skip
    m = mobilisation(df, n_boot=200, seed=1).loc["overall"]
    assert m["leverage_low"] <= m["leverage"] * (1 + 1e-12) + 1e-12
    assert m["leverage"] <= m["leverage_high"] * (1 + 1e-12) + 1e-12
    assert m["multiplier_low"] <= m["multiplier"] <= m["multiplier_high"] + 1e-12
    shuffled = df.sample(frac=1, random_state=data.draw(st.integers(0, 1000))).reset_index(drop=True)
    s = mobilisation(shuffled, n_boot=0).loc["overall"]
    assert s["leverage"] == pytest.approx(m["leverage"], rel=1e-12)
    assert s["public_yuan"] == pytest.approx(m["public_yuan"], rel=1e-12)


def test_bad_funding_names_community_and_columns():
    with pytest.raises(FundingError, match=r"missing funding column\(s\) \['bank_loan_yuan'\]"):
        mobilisation(_ledger().drop(columns=["bank_loan_yuan"]), public=["subsidy_central_yuan"],
                     private=["bank_loan_yuan"])  # fmt: skip
    df = _ledger()
    df.loc[1, "residents_yuan"] = -5.0
    df.loc[2, "investment_yuan"] = 999.0
    with pytest.raises(FundingError) as err:
        check_funding(df, FUNDING_PUBLIC + FUNDING_PRIVATE)
    message = str(err.value)
    assert "b: residents_yuan = -5 is negative" in message
    assert "c: subsidy_central_yuan + " in message and "investment_yuan = 999" in message
    with pytest.raises(InputError, match=r"alpha must be a number in \(0, 1\); got 1.5"):
        mobilisation(_ledger(), alpha=1.5)


# --- costs -------------------------------------------------------------------------------------


def test_costs_per_household_and_outliers():
    df = _ledger()
    df.loc[2, "investment_yuan"] = 20000.0  # 2,000 per household against a median near 24
    table = costs(df)
    assert table["cost_per_household"].tolist()[:2] == [1600 / 100, 700 / 50]
    assert table["cost_per_m2"].iloc[0] == pytest.approx(1600 / 8000)
    assert table["outlier"].tolist() == [False, False, True]
    dist = cost_distribution(table, "street")
    assert dist.loc["东", "median"] == pytest.approx((16 + 14) / 2) and dist.loc["西", "outliers"] == 1


def test_funding_tolerance_is_one_percent_by_default():
    df = _ledger()
    df.loc[0, "investment_yuan"] = 1600 * 1.015 + 1  # 1.5% (plus the yuan of rounding) above the sources
    with pytest.raises(FundingError, match=r"a: .* but investment_yuan = 1,625 \(beyond 1%\)"):
        mobilisation(df, n_boot=0)
    assert mobilisation(df, n_boot=0, tolerance=0.02).loc["overall", "public_yuan"] == 1510
    df.loc[0, "investment_yuan"] = 1600 * 1.009 + 1
    assert mobilisation(df, n_boot=0).loc["overall", "public_yuan"] == 1510


def test_outlier_factor_boundary_is_exclusive_on_both_sides():
    df = pd.DataFrame({"households": [1.0] * 5, "floor_area_m2": [1.0] * 5,
                       "investment_yuan": [30.0, 10.0, 10.0, 10.0 / 3, 31.0]})  # fmt: skip
    # median 10: 30 and 10/3 sit exactly at the factor 3 (kept), 31 above it (flagged)
    assert costs(df)["outlier"].tolist() == [False, False, False, False, True]
    assert costs(df.assign(investment_yuan=[30.0, 10.0, 10.0, 3.3, 10.0]))["outlier"].tolist()[3]
    assert costs(df, outlier_factor=2)["outlier"].tolist() == [True, False, False, True, True]
    with pytest.raises(InputError, match="outlier_factor"):
        costs(df, outlier_factor=1)


# --- crowding-in -------------------------------------------------------------------------------


def _panel(n=400, clusters=25, slope=0.6, seed=11, size_effect=0.0):
    """Communities in streets and years; public money a formula on households plus discretionary
    variation; mobilised money ``slope`` per public yuan plus ``size_effect`` per household."""
    rng = np.random.default_rng(seed)
    streets = [f"s{i}" for i in range(clusters)]
    df = pd.DataFrame({"community": [f"c{i}" for i in range(n)], "street": rng.choice(streets, n),
                       "planned_year": rng.choice([2020, 2021, 2022], n)})  # fmt: skip
    df["households"] = rng.integers(50, 800, n)
    effect = dict(zip(streets, rng.normal(0, 30, clusters), strict=True))
    public = 0.5 * df["households"] + rng.uniform(0, 200, n)  # 万元: formula on size plus top-ups
    private = (
        slope * public + size_effect * df["households"] + df["street"].map(effect) + 300
    )  # never negative
    df["subsidy_central_yuan"] = public * 1e4
    df["residents_yuan"] = (private + rng.normal(0, 5, n)) * 1e4
    return df


def test_crowding_in_matches_statsmodels_cluster_robust_ols():
    df = _panel()
    result = crowding_in(df, size="controls", alpha=0.1)
    x = pd.get_dummies(df[["street", "planned_year"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "households", df["households"].astype(float))
    x.insert(0, "public", df["subsidy_central_yuan"] / 1e4)
    groups = pd.factorize(df["street"])[0]
    direct = sm.OLS(df["residents_yuan"] / 1e4, sm.add_constant(x)).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True
    )
    assert result.beta == pytest.approx(direct.params["public"], rel=1e-9)
    assert result.se == pytest.approx(direct.bse["public"], rel=1e-9)
    crit = stats.t.ppf(0.95, 25 - 1)  # t with clusters - 1 degrees of freedom, by hand
    assert result.low == pytest.approx(direct.params["public"] - crit * direct.bse["public"], rel=1e-9)
    assert result.high == pytest.approx(direct.params["public"] + crit * direct.bse["public"], rel=1e-9)
    assert (result.low, result.high) == pytest.approx(tuple(direct.conf_int(0.1).loc["public"]), rel=1e-9)
    assert result.multiplier_low == pytest.approx(1 + result.low)
    assert result.multiplier_high == pytest.approx(1 + result.high)
    assert result.multiplier_low < result.multiplier < result.multiplier_high
    assert result.covers(0.6) and result.warning is None and result.controls == ("households",)


def test_size_controls_remove_what_levels_credit_to_the_subsidy():
    df = _panel(slope=0.0, size_effect=0.4)  # no crowding-in; big communities get more of everything
    levels = crowding_in(df, size="levels")
    assert levels.low > 0.3  # levels on levels credits size to the subsidy
    assert "mostly measures size" in levels.identification
    controlled = crowding_in(df, size="controls")
    assert controlled.covers(0.0) and abs(controlled.beta) < 0.05
    assert "does not explain" in controlled.identification
    assert "size (households, linearly)" in controlled.identification
    per_hh = crowding_in(df.assign(residents_yuan=df["subsidy_central_yuan"] * 0.3 + df["households"] * 5e3),
                         size="per_household")  # fmt: skip
    assert per_hh.beta == pytest.approx(0.3, abs=1e-9)  # by hand: 0.3 per public yuan per household


def test_crowding_in_refuses_a_subsidy_that_is_only_a_formula_on_size():
    df = _panel()
    df["subsidy_central_yuan"] = df["households"] * 1.2e4
    with pytest.raises(FundingError, match="fixed formula of size"):
        crowding_in(df)
    rounded = df.assign(subsidy_central_yuan=df["households"] * 1.2e4 + np.linspace(-0.5, 0.5, len(df)))
    with pytest.raises(FundingError, match="fixed formula of size"):  # the formula, rounded to the yuan
        crowding_in(rounded)
    with pytest.raises(FundingError, match="needs a size column"):
        crowding_in(df.drop(columns=["households"]))
    with pytest.raises(InputError, match="size must be one of"):
        crowding_in(_panel(), size="area")


def test_wild_interval_brackets_the_estimate_and_is_close_to_analytic_with_many_clusters():
    df = _panel(clusters=40, n=600)
    result = crowding_in(df, wild=999, seed=2)
    assert result.wild_low < result.beta < result.wild_high
    analytic, wild = result.high - result.low, result.wild_high - result.wild_low
    assert 0.7 * analytic < wild < 1.3 * analytic
    assert abs(result.wild_low - result.low) < 0.25 * analytic
    again = crowding_in(df, wild=999, seed=2)
    assert (again.wild_low, again.wild_high) == (result.wild_low, result.wild_high)
    assert result.wild_covers(0.6) and result.wild_draws == 999
    with pytest.raises(FundingError, match="no wild cluster bootstrap"):
        crowding_in(df).wild_covers(0.6)


def test_wild_interval_matches_a_bootstrap_written_out_with_statsmodels():
    df = _panel(n=120, clusters=12, seed=8)
    draws, seed = 199, 3
    result = crowding_in(df, size="levels", wild=draws, seed=seed)
    # the same bootstrap by hand: Webb weights per street (drawn as crowding_in draws them), the
    # unrestricted residuals flipped, each draw refitted by statsmodels with clustered errors
    x = pd.get_dummies(df[["street", "planned_year"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "public", df["subsidy_central_yuan"] / 1e4)
    x = sm.add_constant(x)
    y = df["residents_yuan"] / 1e4
    codes = pd.factorize(df["street"].astype(str))[0]
    fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": codes})
    webb = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
    weights = np.random.default_rng(seed).choice(webb, size=(draws, 12))
    t_star = []
    for w in weights:
        ystar = fit.fittedvalues + fit.resid * w[codes]
        refit = sm.OLS(ystar, x).fit(cov_type="cluster", cov_kwds={"groups": codes})
        t_star.append((refit.params["public"] - fit.params["public"]) / refit.bse["public"])
    lo_q, hi_q = np.quantile(t_star, [0.025, 0.975])
    assert result.wild_low == pytest.approx(fit.params["public"] - hi_q * fit.bse["public"], rel=1e-7)
    assert result.wild_high == pytest.approx(fit.params["public"] - lo_q * fit.bse["public"], rel=1e-7)


def test_too_little_data_is_refused_below_ten_communities():
    df = _panel(n=40, clusters=3, seed=2)
    assert crowding_in(df.iloc[:10]).n == 10
    with pytest.raises(FundingError, match="too little data for crowding-in: 9 communities"):
        crowding_in(df.iloc[:9])


@pytest.mark.parametrize(("clusters", "warned"), [(19, True), (20, False)])
def test_few_clusters_warning_starts_below_twenty(clusters, warned):
    result = crowding_in(_panel(n=300, clusters=clusters, seed=4))
    assert result.clusters == clusters
    assert (result.warning is not None) is warned
    if warned:
        assert f"only {clusters} clusters" in result.warning


def test_crowding_in_is_invariant_to_row_order_and_money_scale():
    df = _panel(seed=5)
    base = crowding_in(df)
    shuffled = crowding_in(df.sample(frac=1, random_state=3).reset_index(drop=True))
    assert shuffled.beta == pytest.approx(base.beta, rel=1e-9)
    assert shuffled.se == pytest.approx(base.se, rel=1e-9)
    scaled = df.assign(subsidy_central_yuan=df["subsidy_central_yuan"] * 1e3,
                       residents_yuan=df["residents_yuan"] * 1e3)  # fmt: skip
    assert crowding_in(scaled).beta == pytest.approx(base.beta, rel=1e-7)


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 10_000), st.integers(8, 30), st.floats(0.0, 1.5))
def test_property_crowding_in_brackets_and_ignores_row_order(seed, clusters, slope):
    df = _panel(n=150, clusters=clusters, slope=slope, seed=seed)
    result = crowding_in(df, wild=99, seed=1)
    assert result.low <= result.beta <= result.high
    assert result.multiplier_low <= result.multiplier <= result.multiplier_high
    assert result.wild_low <= result.beta <= result.wild_high
    shuffled = crowding_in(df.iloc[::-1].reset_index(drop=True))
    assert shuffled.beta == pytest.approx(result.beta, rel=1e-8, abs=1e-10)
    assert shuffled.se == pytest.approx(result.se, rel=1e-8)


def test_missing_street_or_size_is_refused_by_community():
    df = _panel()
    df.loc[[3, 7], "households"] = np.nan
    with pytest.raises(FundingError, match=r"'households' is missing for 2 communities \(c3, c7\)"):
        crowding_in(df)


def test_simulated_coverage_matches_a_statsmodels_monte_carlo():
    # independent reference: redraw the whole DGP and refit with statsmodels, 200 times
    hits = 0
    for k in range(200):
        df = _panel(n=200, clusters=30, seed=1000 + k)
        r = crowding_in(df)
        hits += r.low <= 0.6 <= r.high
    assert 0.89 <= hits / 200 <= 0.99
    cov = coverage(_panel(n=200, clusters=30, seed=7), 0.6, draws=400, seed=1)
    assert cov.draws == 400 and cov.rate == cov.covered / 400 and cov.rate_low < cov.rate < cov.rate_high
    assert 0.89 <= cov.rate <= 0.99
    assert abs(cov.rate - hits / 200) < 0.06


def test_coverage_is_seeded_and_simulates_the_wild_interval_when_asked():
    df = _panel(n=120, clusters=6, seed=3)
    few = coverage(df, 0.6, draws=40, wild=199, seed=1)
    assert few == coverage(df, 0.6, draws=40, wild=199, seed=1)
    assert few.clusters == 6 and 0 <= few.wild_covered <= 40 and few.wild_rate == few.wild_covered / 40
    assert coverage(df, 0.6, draws=40, seed=1).wild_covered == -1
    half = coverage(_panel(n=200, clusters=30, seed=3), 0.6, draws=2000, seed=2, alpha=0.5)
    assert 0.44 < half.rate < 0.56 and half.nominal == 0.5  # 50% intervals cover half the time


def statsmodels_coverage(df: pd.DataFrame, beta: float, draws: int, seed: int, alpha: float) -> int:
    """How many of ``coverage``'s simulated ledgers a statsmodels loop finds covered, by hand.

    Each simulated ledger is ``beta`` x public + the fit's other terms + its residuals times the
    street's Webb weight (drawn as ``coverage`` draws them), refitted with statsmodels' cluster-robust
    OLS and judged against t with clusters - 1 degrees of freedom.
    """
    x = pd.get_dummies(df[["street", "planned_year"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "public", df["subsidy_central_yuan"] / 1e4)
    x = sm.add_constant(x)
    codes = pd.factorize(df["street"].astype(str))[0]
    clusters = codes.max() + 1
    fit = sm.OLS(df["residents_yuan"] / 1e4, x).fit()
    base = fit.fittedvalues - fit.params["public"] * x["public"]
    webb = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
    weights = np.random.default_rng(seed).choice(webb, size=(draws, clusters))
    crit = stats.t.ppf(1 - alpha / 2, clusters - 1)
    hits = 0
    for w in weights:
        ystar = base + beta * x["public"] + fit.resid * w[codes]
        refit = sm.OLS(ystar, x).fit(cov_type="cluster", cov_kwds={"groups": codes})
        hits += abs(refit.params["public"] - beta) <= crit * refit.bse["public"]
    return int(hits)


def test_coverage_counts_what_a_statsmodels_loop_over_the_same_draws_counts():
    df = _panel(n=100, clusters=8, seed=12)
    cov = coverage(df, 0.6, draws=60, seed=4, size="levels", alpha=0.2)
    assert cov.covered == statsmodels_coverage(df, 0.6, draws=60, seed=4, alpha=0.2)
    assert cov.nominal == pytest.approx(0.8)


def test_design_standard_error_is_statsmodels_cr1():
    df = _panel(seed=9)
    split = CLASSIFICATIONS["fiscal"].within(df)
    d = funding._design(df, split, "controls", None, "street", "planned_year", "street")
    resid = d.yt - (d.xt @ d.yt) / d.sxx * d.xt
    assert d.cr1_se(resid[None, :])[0] == pytest.approx(d.fit().bse["public"], rel=1e-9)


def test_classification_refuses_a_source_in_two_piles():
    with pytest.raises(FundingError, match="more than one pile"):
        Classification("x", ("a",), ("b",), repayable=("a",))


def test_lending_facts_keep_qualifiers():
    from renostats.datasets import load_facts

    bank = lending_facts(load_facts())
    reads = dict(zip(bank["text"], bank["reads"], strict=True))
    assert reads["近10家"] == "nearly 10 家"
    assert reads["超300户"] == "more than 300 户"
    assert reads["5000万元"] == "5,000万元"
