"""Boundaries of funding's arguments and results: whole-number draw counts, intervals closed at both
ends, the text of a warned result, the documented default seed and the two-cluster minimum."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from renostats.errors import FundingError, InputError
from renostats.funding import coverage, crowding_in, lending_facts, mobilisation
from tests.test_funding import statsmodels_coverage


def _panel(n: int, clusters: int, seed: int) -> pd.DataFrame:
    """Communities in ``clusters`` streets and three years; mobilised money 0.6 per public yuan plus noise."""
    rng = np.random.default_rng(seed)
    streets = [f"s{i}" for i in range(clusters)]
    df = pd.DataFrame({"community": [f"c{i}" for i in range(n)], "street": streets * (n // clusters)})
    df["planned_year"] = rng.choice([2020, 2021, 2022], n)
    df["households"] = rng.integers(50, 800, n)
    public = 0.5 * df["households"] + rng.uniform(0, 200, n)  # 万元
    df["subsidy_central_yuan"] = public * 1e4
    df["residents_yuan"] = (0.6 * public + 300 + rng.normal(0, 5, n)) * 1e4
    return df


def _ledger(n: int = 30, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"community": [f"c{i}" for i in range(n)]})
    df["subsidy_central_yuan"] = rng.uniform(50, 150, n)
    df["residents_yuan"] = 0.5 * df["subsidy_central_yuan"] + rng.uniform(0, 40, n)
    return df


@pytest.mark.parametrize("n_boot", [2.5, 10.1])
def test_bootstrap_draws_must_be_a_whole_number(n_boot):
    with pytest.raises(InputError, match="n_boot must be an integer"):
        mobilisation(_ledger(), n_boot=n_boot)
    assert np.isfinite(mobilisation(_ledger(), n_boot=10.0).at["overall", "leverage_low"])  # 10.0 is whole


def test_wild_draws_must_be_a_whole_number():
    df = _panel(60, 6, seed=1)
    with pytest.raises(InputError, match="wild must be an integer"):
        crowding_in(df, wild=99.5)
    with pytest.raises(InputError, match="wild must be an integer"):
        coverage(df, 0.6, draws=5, wild=9.5)
    with pytest.raises(InputError, match="draws must be an integer"):
        coverage(df, 0.6, draws=5.5)


def test_intervals_contain_their_own_end_points():
    result = crowding_in(_panel(60, 6, seed=1), wild=99)
    assert result.low < result.beta < result.high
    assert result.covers(result.low) and result.covers(result.high)
    assert not result.covers(np.nextafter(result.high, np.inf))
    assert not result.covers(np.nextafter(result.low, -np.inf))
    assert result.wild_covers(result.wild_low) and result.wild_covers(result.wild_high)
    assert not result.wild_covers(np.nextafter(result.wild_high, np.inf))
    assert not result.wild_covers(np.nextafter(result.wild_low, -np.inf))


def test_text_of_a_result_with_few_clusters_ends_with_its_warning():
    few = crowding_in(_panel(60, 6, seed=1))
    assert few.warning is not None
    text = str(few)
    assert text.startswith(f"each public yuan comes with {few.beta:.3f} more mobilised yuan (95% interval")
    assert text.endswith(f"\nwarning: {few.warning}")
    assert "only 6 clusters" in text and "crowding_in(..., wild=999)" in text
    many = crowding_in(_panel(200, 20, seed=1))
    assert many.warning is None and "warning" not in str(many)


def test_default_seed_is_zero_so_published_intervals_reproduce():
    df = _ledger()
    pd.testing.assert_frame_equal(mobilisation(df, n_boot=200), mobilisation(df, n_boot=200, seed=0))
    assert not mobilisation(df, n_boot=200).equals(mobilisation(df, n_boot=200, seed=1))
    panel = _panel(60, 6, seed=1)
    default = crowding_in(panel, wild=99)
    assert (default.wild_low, default.wild_high) == (
        crowding_in(panel, wild=99, seed=0).wild_low,
        crowding_in(panel, wild=99, seed=0).wild_high,
    )
    assert default.wild_low != crowding_in(panel, wild=99, seed=1).wild_low
    assert coverage(panel, 0.6, draws=30) == coverage(panel, 0.6, draws=30, seed=0)
    assert coverage(panel, 0.6, draws=30).seed == 0


def test_two_clusters_are_the_fewest_crowding_in_accepts():
    two = crowding_in(_panel(20, 2, seed=3))
    assert two.clusters == 2 and "only 2 clusters" in two.warning
    one = _panel(20, 2, seed=3).assign(street="s0")
    with pytest.raises(FundingError, match="too little data for crowding-in: 20 communities in 1 clusters"):
        crowding_in(one)


def test_the_coefficient_table_reads_t_with_clusters_minus_one_degrees_of_freedom():
    # the table users print must agree with the interval the result reports (6 clusters: t with 5 df)
    result = crowding_in(_panel(60, 6, seed=1))
    row = result.table.loc["public"]
    assert list(result.table.columns) == ["Coef.", "Std.Err.", "t", "P>|t|", "[0.025", "0.975]"]
    assert (row["Coef."], row["Std.Err."]) == pytest.approx((result.beta, result.se), rel=1e-12)
    assert row["P>|t|"] == pytest.approx(2 * stats.t.sf(abs(result.beta / result.se), 5), rel=1e-9)
    assert (row["[0.025"], row["0.975]"]) == pytest.approx((result.low, result.high), rel=1e-12)


def test_public_money_of_zero_everywhere_is_refused():
    df = _panel(60, 6, seed=1).assign(subsidy_central_yuan=0.0)
    with pytest.raises(FundingError, match="no variation is left to identify crowding-in"):
        crowding_in(df)


def test_lending_facts_is_a_plain_table_of_the_documented_columns():
    from renostats.datasets import load_facts

    facts = load_facts()
    bank = lending_facts(facts)
    assert list(bank.columns) == [
        "bank", "place", "date", "metric", "text", "reads", "value", "qualifier", "low", "high", "note"
    ]  # fmt: skip
    assert bank.index.equals(pd.RangeIndex(len(bank)))
    assert len(bank) == int((facts["topic"] == "banking").sum())


@pytest.mark.parametrize("amount", [1_230_000.0, 1_234_567.89, 1e5 / 3])
def test_the_same_public_money_in_every_community_is_refused(amount):
    # a flat grant per community leaves no variation in public money; only rounding was left for a slope
    # (before, 1,234,567.89 yuan everywhere gave a "slope" of 0.57 with a standard error of 0.02)
    df = _panel(60, 6, seed=1).assign(subsidy_central_yuan=amount)
    with pytest.raises(FundingError, match="no variation is left to identify crowding-in"):
        crowding_in(df)
    with pytest.raises(FundingError, match="no variation is left to identify crowding-in"):
        crowding_in(df, size="levels")


def test_wild_coverage_counts_lie_between_none_and_every_draw():
    # a coverage count is a count of draws: it never exceeds them, and the rate is it over the draws
    df = _panel(60, 6, seed=1)
    counts = []
    for seed in range(5):
        cov = coverage(df, 0.6, draws=3, wild=49, seed=seed)
        assert 0 <= cov.wild_covered <= 3 and cov.wild_rate == cov.wild_covered / 3
        assert 0 <= cov.covered <= 3 and cov.rate == cov.covered / 3
        counts.append(cov.wild_covered)
    assert max(counts) == 3  # 95% intervals: some seed covers all three planted slopes


def test_simulated_coverage_uses_t_with_clusters_minus_one_df_as_a_statsmodels_loop_does():
    # with 3 clusters t has 2 degrees of freedom (t_0.9 = 1.886; with 1 it would be 3.078): the
    # count of covered draws is checked against statsmodels refits of the same simulated ledgers
    df = _panel(30, 3, seed=4)
    draws = 40
    cov = coverage(df, 0.6, draws=draws, seed=2, size="levels", alpha=0.2)
    hits = statsmodels_coverage(df, 0.6, draws=draws, seed=2, alpha=0.2)
    assert cov.clusters == 3 and cov.covered == hits
    assert 0 < hits < draws  # the count sits where the degrees of freedom decide it
