"""Boundaries of the DiD functions: cells counted by hand, relative weights, twfe intervals against
statsmodels, dose intervals at their level and the seeded bootstrap redone by hand, the robust intervals'
defaults, wording, units and one-pre-period case, truncated-normal quantiles against scipy, dual-cone rays
by hand, and panels that must be refused."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from renostats.did import aggregate, att_gt, dose, honest, twfe
from renostats.did._honest import _cone_rays, _truncnorm_quantile
from renostats.errors import DiDError


def test_each_cell_counts_its_treated_and_comparison_units():
    # two periods, units 0-1 treated in period 2 (cohort 2), units 2-4 never treated
    df = pd.DataFrame(
        {"id": np.repeat(np.arange(5), 2), "t": np.tile([1, 2], 5), "g": np.repeat([2, 2, 0, 0, 0], 2),
         "y": [1.0, 4.0, 2.0, 6.0, 0.0, 1.0, 1.0, 1.5, 3.0, 3.5]}
    )  # fmt: skip
    row = att_gt(df, "y", "t", "id", "g").table.iloc[0]
    assert (row["n_treated"], row["n_control"], row["n"]) == (2, 3, 5)


def test_a_cohort_that_differs_in_a_single_row_of_a_unit_is_refused():
    # a typing slip in one year of one unit (2019 instead of 2020) must not be read as either cohort
    years = [2018, 2019, 2020, 2021]
    df = pd.DataFrame(
        {"id": np.repeat(np.arange(6), 4), "t": np.tile(years, 6), "g": np.repeat([2020, 2020, 2021, 0, 0, 0], 4),
         "y": np.arange(24, dtype=float) % 5}
    )  # fmt: skip
    df.loc[(df["id"] == 1) & (df["t"] == 2020), "g"] = 2019
    with pytest.raises(DiDError, match=r"cohort changes within unit\(s\) \[1\]"):
        att_gt(df, "y", "t", "id", "g")


def _small_panel(n=40, T=4, seed=3):
    rng = np.random.default_rng(seed)
    g = rng.choice([0, 3, 4], n)
    t = np.tile(np.arange(1, T + 1), n)
    G = np.repeat(g, T)
    y = np.repeat(rng.normal(size=n), T) + 0.3 * t + 1.5 * ((G > 0) & (t >= G)) + rng.normal(size=n * T)
    return pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": t, "g": G, "y": y,
                         "w": np.repeat(rng.uniform(1, 3, n), T)})  # fmt: skip


def test_weights_are_relative_however_small_their_sum():
    # survey weights as population shares (summing to well below 1) give the estimates of the same
    # weights in persons, and equal tiny weights give the unweighted estimates
    df = _small_panel()
    shares = df.assign(w=df["w"] / (df["w"].sum() * 50))  # the weights of all units sum to 0.02 (x 4 periods)
    persons = att_gt(df, "y", "t", "id", "g", weights="w").table
    np.testing.assert_allclose(att_gt(shares, "y", "t", "id", "g", weights="w").table["att"], persons["att"],
                               rtol=1e-10)  # fmt: skip
    tiny = att_gt(df.assign(w=1e-4), "y", "t", "id", "g", weights="w").table
    np.testing.assert_allclose(
        tiny[["att", "se"]], att_gt(df, "y", "t", "id", "g").table[["att", "se"]], rtol=1e-10
    )


def test_without_never_treated_units_two_periods_before_the_last_cohort_suffice():
    # cohorts treated in periods 2 and 3 of three, none never treated: the last cohort is the comparison
    # for period 2 against period 1, a plain two-by-two
    dy = {2: [3.0, 4.0, 8.0], 3: [1.0, 0.5, 2.5, 1.0]}
    rows, uid = [], 0
    for g, changes in dy.items():
        for change in changes:
            rows += [(uid, 1, 10.0 + uid, g), (uid, 2, 10.0 + uid + change, g), (uid, 3, 5.0 * uid, g)]
            uid += 1
    df = pd.DataFrame(rows, columns=["id", "t", "y", "g"])
    with pytest.warns(UserWarning, match="serves only as a comparison"):
        table = att_gt(df, "y", "t", "id", "g", control="notyet").table
    row = table[(table["cohort"] == 2) & (table["time"] == 2)].iloc[0]
    assert row["att"] == pytest.approx(np.mean(dy[2]) - np.mean(dy[3]), abs=1e-12)
    assert (row["n_treated"], row["n_control"]) == (3, 4)


def test_twfe_intervals_are_statsmodels_normal_intervals():
    smf = pytest.importorskip("statsmodels.formula.api")
    df = _small_panel(n=30)
    res = twfe(df, "y", "t", "id", "g", min_e=-2, max_e=1, alpha=0.1)
    treated = df["g"] > 0
    ev = np.where(treated, np.clip(df["t"] - df["g"], -2, 1), -99)
    for e in (-2, 0, 1):
        df[f"e{e + 2}"] = (ev == e).astype(float)
    ref = smf.ols("y ~ e0 + e2 + e3 + C(id) + C(t)", df).fit(
        cov_type="cluster", cov_kwds={"groups": df["id"]}
    )
    # statsmodels' interval with the same degrees-of-freedom correction of the standard error
    ci = ref.conf_int(alpha=0.1).loc[["e0", "e2", "e3"]].to_numpy()
    np.testing.assert_allclose(res.table[["low", "high"]].to_numpy(), ci, rtol=1e-9)


# --------------------------------------------------------------------------------------------------
# dose: the pointwise intervals and the seeded bootstrap, computed by hand


def dose_panel():
    """Two periods; cohort 2 with dose 1 (11 units) or 2 (10 units); 20 units never treated (41 in all).

    Returns the long panel and each dose group's changes from period 1 to 2 (units in that order).
    """
    rng = np.random.default_rng(2024)
    dy = {0: rng.normal(1.0, 1.0, 20), 1: rng.normal(4.0, 2.0, 11), 2: rng.normal(7.0, 1.5, 10)}
    rows, uid = [], 0
    for d, changes in dy.items():
        for change in changes:
            base = 3.0 * uid
            rows += [
                (uid, 1, base, 2 if d else 0, float(d)),
                (uid, 2, base + change, 2 if d else 0, float(d)),
            ]
            uid += 1
    return pd.DataFrame(rows, columns=["unit", "time", "y", "cohort", "dose"]), dy


def _unit_terms(dy, d):
    """Each unit's term in ATT(d) for a linear dose-response through the two dose groups' means.

    With doses 1 and 2 the fitted change at dose d is (2 - d) m1 + (d - 1) m2, so
    ATT(d) = (2 - d) m1 + (d - 1) m2 - m0, and a unit's term is its deviation from its group's mean,
    times the group's weight, over the group's size (comparison units with a minus sign).
    """
    ctrl, ones, twos = dy[0], dy[1], dy[2]  # units 0-19, 20-30, 31-40
    return np.r_[
        -(ctrl - ctrl.mean()) / len(ctrl),
        (2 - d) * (ones - ones.mean()) / len(ones),
        (d - 1) * (twos - twos.mean()) / len(twos),
    ]


@pytest.mark.parametrize("alpha", [0.05, 0.1])
def test_dose_pointwise_intervals_use_the_two_sided_normal_quantile(alpha):
    data, dy = dose_panel()
    res = dose(data, "y", "time", "unit", "cohort", "dose", degree=1, doses=[1.0, 1.5, 2.0], alpha=alpha)
    z = stats.norm.ppf(1 - alpha / 2)  # 1.959964 at 5%
    m0, m1, m2 = (dy[k].mean() for k in (0, 1, 2))
    for (_, row), d in zip(res.curve.iterrows(), (1.0, 1.5, 2.0), strict=True):
        att = (2 - d) * m1 + (d - 1) * m2 - m0
        se = np.sqrt((_unit_terms(dy, d) ** 2).sum())  # influence-function standard error by hand
        assert (row["att"], row["att_se"]) == pytest.approx((att, se), rel=1e-10)
        assert (row["att_low"], row["att_high"]) == pytest.approx((att - z * se, att + z * se), rel=1e-10)
    assert res.crit == pytest.approx(z, rel=1e-12)
    for lo, est, hi, se in (
        (res.overall_att_low, res.overall_att, res.overall_att_high, res.overall_att_se),
        (res.overall_acrt_low, res.overall_acrt, res.overall_acrt_high, res.overall_acrt_se),
    ):
        assert (lo, hi) == pytest.approx((est - z * se, est + z * se), rel=1e-12)
    ev = res.event.iloc[0]
    assert (ev["att_low"], ev["att_high"]) == pytest.approx(
        (ev["att"] - z * ev["att_se"], ev["att"] + z * ev["att_se"]), rel=1e-12
    )


def test_dose_bootstrap_is_the_rademacher_multiplier_bootstrap_by_hand():
    # 450 draws (more than one block of the draw loop) over 41 units: the seeded draws are one
    # 450 x 41 matrix of signs, whatever memory-saving blocks the code draws them in
    data, dy = dose_panel()
    B, seed, alpha, grid = 450, 7, 0.1, (1.0, 1.5, 2.0)
    res = dose(data, "y", "time", "unit", "cohort", "dose", degree=1, doses=list(grid), bootstrap=B, seed=seed,
               alpha=alpha)  # fmt: skip
    signs = np.random.default_rng(seed).choice([-1.0, 1.0], size=(B, len(data) // 2))
    draws = signs @ np.column_stack([_unit_terms(dy, d) for d in grid])  # B x doses
    q75, q25 = np.percentile(draws, [75, 25], axis=0)
    se = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    crit = np.quantile(np.abs(draws / se).max(axis=1), 1 - alpha)  # sup-t over the three doses
    np.testing.assert_allclose(res.curve["att_se"], se, rtol=1e-10)
    assert res.crit == pytest.approx(crit, rel=1e-10)
    np.testing.assert_allclose(res.curve["att_low"], res.curve["att"] - crit * se, rtol=1e-10)
    curve = res.curve
    assert ((curve["att_low"] <= curve["att"]) & (curve["att"] <= curve["att_high"])).all()


def test_dose_refusal_names_only_the_treated_units_without_a_dose():
    data, _ = dose_panel()
    missing = data.assign(dose=np.where(data["unit"].isin([25, 33]), 0.0, data["dose"]))
    with pytest.raises(DiDError, match=r"positive dose 'dose'; not so for units \[25, 33\]$"):
        dose(missing, "y", "time", "unit", "cohort", "dose", degree=1)


# --------------------------------------------------------------------------------------------------
# honest: the documented defaults, the summary's wording, and the quantiles behind the tests


def _event_study(effect, seed=0, n=200, T=5, scale=1.0, min_e=None):
    rng = np.random.default_rng(seed)
    cohort = rng.choice([0, 4, 5], n)
    frame = pd.DataFrame({"unit": np.repeat(np.arange(n), T), "time": np.tile(np.arange(1, T + 1), n),
                          "cohort": np.repeat(cohort, T)})  # fmt: skip
    treated = (frame["cohort"] > 0) & (frame["time"] >= frame["cohort"])
    frame["y"] = (rng.normal(size=len(frame)) + effect * treated) * scale
    return aggregate(
        att_gt(frame, "y", "time", "unit", "cohort", base_period="universal"), "dynamic", min_e=min_e
    )


def test_relative_magnitudes_default_to_the_documented_mbar_grid_and_read_their_breakdown():
    res = honest(_event_study(-0.8), event=0)
    assert res.table["bound"].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    # the robust interval widens with Mbar; the breakdown lies between the last bound that excludes 0
    # and the first that includes it, and the summary says so
    widths = (res.table["high"] - res.table["low"]).to_numpy()
    assert (np.diff(widths) > 0).all()
    covers = (res.table["low"] <= 0) & (res.table["high"] >= 0)
    first = res.table["bound"][covers].min()
    last_excluding = res.table["bound"][~covers & (res.table["bound"] < first)].max()
    assert last_excluding < res.breakdown <= first
    assert f"breakdown value Mbar = {res.breakdown:.3g}" in str(res)


def test_a_conclusion_that_fails_under_parallel_trends_breaks_down_at_zero():
    res = honest(_event_study(0.0), event=0, bounds=[0.0, 1.0])
    assert res.original.low < 0 < res.original.high
    assert res.breakdown == 0
    assert "the interval contains 0 already at Mbar = 0" in str(res)
    assert "breakdown value" not in str(res)


def test_robust_intervals_follow_the_outcome_s_unit():
    # the same study with the outcome in yuan instead of millions of yuan: intervals scale by 1e6 and the
    # breakdown Mbar, a ratio, does not change
    small, large = (honest(_event_study(-0.8, scale=s), event=0, bounds=[0.5, 2.0]) for s in (1.0, 1e6))
    np.testing.assert_allclose(large.table[["low", "high"]], small.table[["low", "high"]] * 1e6, rtol=1e-6)
    assert large.breakdown == pytest.approx(small.breakdown, abs=2e-3)


def test_one_pre_period_is_enough_and_smoothness_then_removes_its_line():
    # reference period -1 and one earlier coefficient: the only estimator without a trend bias is
    # beta_0 + beta_-2 (the line through beta_-2 and the reference, continued to event 0)
    es = _event_study(-0.8, min_e=-2)
    beta = es.table.set_index("event")["att"]
    res = honest(es, event=0, restriction="smoothness", bounds=[0.0, 0.1])
    assert (res.n_pre, res.n_post) == (1, 2)
    centre = (res.table["low"] + res.table["high"]) / 2
    np.testing.assert_allclose(centre, beta[0] + beta[-2], atol=1e-7)
    rm = honest(es, event=0, bounds=[0.0, 1.0])
    assert rm.n_pre == 1 and rm.table["low"].iloc[0] <= beta[0] <= rm.table["high"].iloc[0]


@pytest.mark.parametrize(
    ("p", "lo", "hi"),
    [(0.95, 0.5, 3.0), (0.5, 1.0, 1.5), (0.05, 2.0, np.inf), (0.99, 4.0, 9.0), (0.9, -1.0, 2.0),
     (0.3, -np.inf, -2.0), (0.95, -3.0, 0.2)],
)  # fmt: skip
def test_truncated_normal_quantile_matches_scipy(p, lo, hi):
    assert _truncnorm_quantile(p, lo, hi) == pytest.approx(
        stats.truncnorm.ppf(p, lo, hi), rel=1e-9, abs=1e-12
    )


def test_truncated_normal_quantile_far_in_a_tail_stays_inside_its_truncation():
    for lo, hi in ((8.0, 12.0), (-12.0, -8.0)):
        q = _truncnorm_quantile(0.95, lo, hi)
        assert lo < q < hi
        assert q == pytest.approx(stats.truncnorm.ppf(0.95, lo, hi), rel=1e-9)


@pytest.mark.parametrize(
    ("X", "rays"),
    [
        ([[1.0], [-1.0]], [[0.5, 0.5]]),  # a single extreme ray
        ([[1.0], [-1.0], [0.0]], [[0.0, 0.0, 1.0], [0.5, 0.5, 0.0]]),
        ([[2.0], [-1.0], [-1.0]], [[1 / 3, 2 / 3, 0.0], [1 / 3, 0.0, 2 / 3]]),
    ],
)
def test_dual_cone_rays_are_enumerated_by_hand(X, rays):
    # extreme rays of {nu >= 0, X' nu = 0}, each scaled to sum 1
    X = np.asarray(X)
    got = _cone_rays(X.tobytes(), X.shape)
    order = np.lexsort(np.asarray(got).T[::-1])
    np.testing.assert_allclose(np.asarray(got)[order], sorted(rays), atol=1e-12)


def test_dual_cone_without_a_ray_is_refused():
    X = np.array([[1.0], [2.0]])  # nu >= 0 with nu_1 + 2 nu_2 = 0 only at 0
    with pytest.raises(DiDError, match="no feasible dual solution"):
        _cone_rays(X.tobytes(), X.shape)
