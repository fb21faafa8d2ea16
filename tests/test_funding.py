"""Funding leverage, costs and crowding-in, on ledgers computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from renostats.funding import (
    FundingError,
    check_funding,
    cost_distribution,
    costs,
    crowding_in,
    lending_facts,
    mobilisation,
)
from renostats.schemas import FUNDING_PRIVATE, FUNDING_PUBLIC


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


def test_ratio_of_sums_not_mean_of_ratios():
    df = _ledger()
    m = mobilisation(df, n_boot=0)
    overall = m.loc["overall"]
    assert overall["public_yuan"] == 1510 and overall["private_yuan"] == 870
    assert overall["leverage"] == pytest.approx(870 / 1510)
    assert overall["multiplier"] == pytest.approx(2380 / 1510)
    per_community = (df[list(FUNDING_PRIVATE)].sum(axis=1) / df[list(FUNDING_PUBLIC)].sum(axis=1)).mean()
    assert per_community == pytest.approx((0.6 + 0.4 + 7.0) / 3)  # what a mean of ratios would report
    assert overall["share_utilities_yuan"] == pytest.approx(400 / 2380)
    assert list(m.index) == ["overall"]


def test_groups_then_overall_last_and_reclassification():
    df = _ledger()
    m = mobilisation(df, by="street", n_boot=0)
    assert list(m.index) == ["东", "西", "overall"]
    assert m.loc["西", "leverage"] == pytest.approx(7.0)
    utilities_public = mobilisation(
        df,
        public=[*FUNDING_PUBLIC, "utilities_yuan"],
        private=["residents_yuan", "social_capital_yuan", "bank_loan_yuan"],
        n_boot=0,
    ).loc["overall"]
    assert utilities_public["leverage"] == pytest.approx(470 / 1910)
    with pytest.raises(FundingError, match="both public and private"):
        mobilisation(df, public=["utilities_yuan"], private=["utilities_yuan"])


def test_bootstrap_interval_is_seeded_and_covers_the_estimate():
    rng = np.random.default_rng(3)
    n = 200
    df = pd.DataFrame({"community": [f"c{i}" for i in range(n)], "street": rng.choice(["甲", "乙"], n)})
    for col in FUNDING_PUBLIC + FUNDING_PRIVATE:
        df[col] = 0.0
    df["subsidy_central_yuan"] = rng.uniform(50, 150, n)
    df["residents_yuan"] = 0.5 * df["subsidy_central_yuan"] + rng.normal(0, 10, n).clip(-20, 20) + 20
    a = mobilisation(df, seed=5, n_boot=500).loc["overall"]
    b = mobilisation(df, seed=5, n_boot=500).loc["overall"]
    assert a.equals(b)
    assert a["leverage_low"] < a["leverage"] < a["leverage_high"]
    assert a["multiplier_low"] == pytest.approx(a["leverage_low"] + 1)


def test_bad_funding_names_community_and_columns():
    df = _ledger().drop(columns=["bank_loan_yuan"])
    with pytest.raises(FundingError, match=r"missing funding column\(s\) \['bank_loan_yuan'\]"):
        mobilisation(df)
    df = _ledger()
    df.loc[1, "residents_yuan"] = -5.0
    df.loc[2, "investment_yuan"] = 999.0
    with pytest.raises(FundingError) as err:
        check_funding(df, FUNDING_PUBLIC + FUNDING_PRIVATE)
    message = str(err.value)
    assert "b: residents_yuan = -5 is negative" in message
    assert "c: subsidy_central_yuan + " in message and "investment_yuan = 999" in message


def test_costs_per_household_and_outliers():
    df = _ledger()
    df.loc[2, "investment_yuan"] = 20000.0  # 2,000 per household against a median near 24
    table = costs(df)
    assert table["cost_per_household"].tolist()[:2] == [1600 / 100, 700 / 50]
    assert table["cost_per_m2"].iloc[0] == pytest.approx(1600 / 8000)
    assert table["outlier"].tolist() == [False, False, True]
    dist = cost_distribution(table, "street")
    assert dist.loc["东", "median"] == pytest.approx((16 + 14) / 2) and dist.loc["西", "outliers"] == 1


def test_crowding_in_recovers_a_planted_slope_and_matches_statsmodels():
    rng = np.random.default_rng(11)
    n, streets = 400, [f"s{i}" for i in range(25)]
    df = pd.DataFrame({"street": rng.choice(streets, n), "planned_year": rng.choice([2020, 2021, 2022], n)})
    for col in FUNDING_PUBLIC + FUNDING_PRIVATE:
        df[col] = 0.0
    effect = dict(zip(streets, rng.normal(0, 30, len(streets)), strict=True))
    df["subsidy_central_yuan"] = rng.uniform(50, 300, n) * 1e4
    df["residents_yuan"] = (0.6 * df["subsidy_central_yuan"] / 1e4 + df["street"].map(effect) + 100
                            + rng.normal(0, 5, n)) * 1e4  # fmt: skip
    result = crowding_in(df, wild=499, seed=2)
    assert result.low < 0.6 < result.high and result.warning is None
    assert result.multiplier == pytest.approx(1 + result.beta)
    assert result.wild_low < result.beta < result.wild_high
    # the same regression written out with statsmodels directly
    x = pd.get_dummies(df[["street", "planned_year"]].astype(str), drop_first=True, dtype=float)
    x.insert(0, "public", df["subsidy_central_yuan"] / 1e4)
    direct = sm.OLS(df["residents_yuan"] / 1e4, sm.add_constant(x)).fit()
    assert result.beta == pytest.approx(direct.params["public"], rel=1e-9)


def test_crowding_in_warns_with_few_clusters():
    rng = np.random.default_rng(4)
    n = 60
    df = pd.DataFrame(
        {"street": rng.choice(["东", "西", "南"], n), "planned_year": rng.choice([2020, 2021], n)}
    )
    for col in FUNDING_PUBLIC + FUNDING_PRIVATE:
        df[col] = 0.0
    df["subsidy_central_yuan"] = rng.uniform(50, 300, n) * 1e4
    df["residents_yuan"] = (0.5 * df["subsidy_central_yuan"] / 1e4 + rng.normal(0, 5, n) + 50) * 1e4
    assert "only 3 clusters" in crowding_in(df).warning


def test_lending_facts_keep_qualifiers():
    from renostats.datasets import load_facts

    bank = lending_facts(load_facts())
    reads = dict(zip(bank["text"], bank["reads"], strict=True))
    assert reads["近10家"] == "nearly 10 家"
    assert reads["超300户"] == "more than 300 户"
    assert reads["5000万元"] == "5,000万元"
