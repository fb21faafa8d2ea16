"""Staggered DiD: hand-computed 2x2 cases, moderndid to 1e-6, errors, TWFE, pre-trend test."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renostats.did import DiDError, aggregate, att_gt, pretrend_test, twfe


def _panel(n=400, T=7, seed=0, never=True):
    rng = np.random.default_rng(seed)
    g = rng.choice([0, 3, 4, 6] if never else [3, 4, 6], n)
    x1 = rng.normal(size=n)
    x2 = rng.binomial(1, 0.4, n).astype(float)
    unit = np.repeat(np.arange(n), T)
    t = np.tile(np.arange(1, T + 1), n)
    G = np.repeat(g, T)
    eff = np.where((G > 0) & (t >= G), 1.0 + 0.3 * (t - G) + 0.2 * (G == 4), 0.0)
    y = np.repeat(rng.normal(size=n) + 0.5 * x1, T) + 0.2 * t + 0.3 * np.repeat(x1, T) * t / T + eff
    y = y + rng.normal(size=n * T)
    return pd.DataFrame({"id": unit, "t": t, "g": G, "y": y, "x1": np.repeat(x1, T), "x2": np.repeat(x2, T),
                         "w": np.repeat(rng.uniform(0.5, 2, n), T), "cl": np.repeat(np.arange(n) % 17, T)})  # fmt: skip


def test_two_by_two_by_hand():
    # two periods, treated units 0-1 (cohort 2), controls 2-4
    df = pd.DataFrame(
        {"id": np.repeat(np.arange(5), 2), "t": np.tile([1, 2], 5), "g": np.repeat([2, 2, 0, 0, 0], 2),
         "y": [1.0, 4.0, 2.0, 6.0, 0.0, 1.0, 1.0, 1.5, 3.0, 3.5]}
    )  # fmt: skip
    res = att_gt(df, "y", "t", "id", "g")
    row = res.table.iloc[0]
    d_treat, d_ctrl = np.array([3.0, 4.0]), np.array([1.0, 0.5, 0.5])
    assert row["att"] == pytest.approx(d_treat.mean() - d_ctrl.mean())  # 3.5 - 2/3
    # influence-function variance: population variances over group sizes
    se = np.sqrt(d_treat.var() / 2 + d_ctrl.var() / 3)
    assert row["se"] == pytest.approx(se)
    assert (row["n_treated"], row["n_control"], row["event"]) == (2, 3, 0)


def test_pre_period_cell_uses_consecutive_periods_with_a_varying_base():
    df = _panel()
    res = att_gt(df, "y", "t", "id", "g")
    cell = res.table.query("cohort == 4 and time == 3").iloc[0]  # pre-period: compares 3 with 2
    wide = df.pivot(index="id", columns="t", values="y")
    g = df.groupby("id")["g"].first()
    d = wide[3] - wide[2]
    assert cell["att"] == pytest.approx(d[g == 4].mean() - d[g == 0].mean())
    universal = att_gt(df, "y", "t", "id", "g", base_period="universal").table
    u = universal.query("cohort == 4 and time == 3").iloc[0]
    assert u["att"] == pytest.approx(0.0) and np.isnan(u["se"])  # the reference period


@pytest.mark.parametrize("covariates", [None, ["x1", "x2"]])
@pytest.mark.parametrize("control", ["never", "notyet"])
@pytest.mark.parametrize("base", ["varying", "universal"])
def test_matches_moderndid(covariates, control, base):
    md = pytest.importorskip("moderndid")
    df = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.att_gt(df, yname="y", tname="t", idname="id", gname="g",
                      xformla="~ x1 + x2" if covariates else None,
                      control_group={"never": "nevertreated", "notyet": "notyettreated"}[control],
                      base_period=base, est_method="dr", boot=False, cband=False)  # fmt: skip
    ours = att_gt(df, "y", "t", "id", "g", control=control, base_period=base, covariates=covariates)
    theirs = pd.DataFrame({"cohort": m.groups, "time": m.times, "att": m.att_gt, "se": m.se_gt})
    joined = ours.table.merge(theirs, on=["cohort", "time"], suffixes=("", "_md"))
    assert len(joined) == len(ours.table) == len(theirs)
    np.testing.assert_allclose(joined["att"], joined["att_md"], atol=1e-6)
    np.testing.assert_allclose(joined["se"], joined["se_md"], atol=1e-6)
    for kind in ("simple", "dynamic", "group", "calendar"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = md.aggte(m, type=kind, cband=False)
        o = aggregate(ours, kind)
        assert o.overall.att == pytest.approx(a.overall_att, abs=1e-6)
        assert o.overall.se == pytest.approx(a.overall_se, abs=1e-6)
        if kind != "simple":
            np.testing.assert_allclose(o.table["att"], a.att_by_event, atol=1e-6)
            np.testing.assert_allclose(o.table["se"], a.se_by_event, atol=1e-6)


def test_anticipation_matches_moderndid():
    md = pytest.importorskip("moderndid")
    df = _panel(seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.att_gt(df, yname="y", tname="t", idname="id", gname="g", anticipation=1,
                      control_group="notyettreated", boot=False, cband=False)  # fmt: skip
    ours = att_gt(df, "y", "t", "id", "g", anticipation=1, control="notyet")
    np.testing.assert_allclose(ours.table["att"], m.att_gt, atol=1e-6)
    np.testing.assert_allclose(ours.table["se"], m.se_gt, atol=1e-6)


@pytest.mark.parametrize("est", ["reg", "ipw"])
def test_other_estimators_and_weights_match_moderndid(est):
    md = pytest.importorskip("moderndid")
    df = _panel(seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.att_gt(df, yname="y", tname="t", idname="id", gname="g", xformla="~ x1 + x2", weightsname="w",
                      est_method=est, boot=False, cband=False)  # fmt: skip
    ours = att_gt(df, "y", "t", "id", "g", covariates=["x1", "x2"], est=est, weights="w")
    np.testing.assert_allclose(ours.table["att"], m.att_gt, atol=1e-6)
    np.testing.assert_allclose(ours.table["se"], m.se_gt, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = md.aggte(m, type="group", cband=False)
    # per-cohort effects carry no weight-estimation term: they match exactly. (moderndid 0.2 drops the
    # sampling weights from the cohort shares of aggregations; R's did and renostats keep them.)
    np.testing.assert_allclose(aggregate(ours, "group").table["se"], a.se_by_event, atol=1e-6)


def test_weighted_moment_path_matches_moderndid():
    md = pytest.importorskip("moderndid")
    df = _panel(seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = md.att_gt(
            df, yname="y", tname="t", idname="id", gname="g", weightsname="w", boot=False, cband=False
        )
        a = md.aggte(m, type="group", cband=False)
    ours = att_gt(df, "y", "t", "id", "g", weights="w")
    np.testing.assert_allclose(ours.table["att"], m.att_gt, atol=1e-6)
    np.testing.assert_allclose(ours.table["se"], m.se_gt, atol=1e-6)
    np.testing.assert_allclose(aggregate(ours, "group").table["se"], a.se_by_event, atol=1e-6)


def test_clustered_standard_errors_sum_influence_functions_within_clusters():
    df = _panel(seed=2)
    res = att_gt(df, "y", "t", "id", "g", cluster="cl")
    cell = res.table.query("cohort == 4 and time == 5").iloc[0]
    wide = df.pivot(index="id", columns="t", values="y")
    units = df.groupby("id")[["g", "cl"]].first()
    d = wide[5] - wide[3]  # post cell: base is the period before treatment
    treated, control = units["g"] == 4, units["g"] == 0
    n = len(units)
    inf = pd.Series(0.0, index=units.index)
    inf[treated] = n * (d[treated] - d[treated].mean()) / treated.sum()
    inf[control] = -n * (d[control] - d[control].mean()) / control.sum()
    by_cluster = inf.groupby(units["cl"]).sum()
    assert cell["se"] == pytest.approx(np.sqrt((by_cluster**2).sum()) / n)
    plain = att_gt(df, "y", "t", "id", "g").table.query("cohort == 4 and time == 5").iloc[0]
    assert plain["se"] == pytest.approx(np.sqrt((inf**2).sum()) / n)


def test_constant_covariate_is_refused():
    df = _panel()
    df["one"] = 1.0
    with pytest.raises(DiDError, match="covariate 'one' is constant within cohort 3"):
        att_gt(df, "y", "t", "id", "g", covariates=["one"])


def test_bootstrap_is_seeded_and_bands_are_wider_than_pointwise():
    df = _panel(seed=4)
    a = att_gt(df, "y", "t", "id", "g", bootstrap=499, seed=1)
    b = att_gt(df, "y", "t", "id", "g", bootstrap=499, seed=1)
    pd.testing.assert_frame_equal(a.table, b.table)
    analytic = att_gt(df, "y", "t", "id", "g")
    assert a.crit > 1.96
    np.testing.assert_allclose(a.table["se"], analytic.table["se"], rtol=0.2)


def test_pretrend_test_and_twfe_miss_under_heterogeneity():
    df = _panel(n=2000, seed=6)
    res = att_gt(df, "y", "t", "id", "g")
    test = pretrend_test(res)
    assert test.df == int((res.table["event"] < 0).sum())
    assert test.p_value > 0.001  # parallel trends hold in this design
    event = twfe(df, "y", "t", "id", "g", min_e=-3, max_e=3).table
    assert list(event["event"]) == [-3, -2, 0, 1, 2, 3]
    dyn = aggregate(res, "dynamic").table.set_index("event")
    # event 3 is seen for cohorts 3 and 4: 1 + 0.3 * 3, plus 0.2 for cohort 4, weighted by cohort size
    g = df.groupby("id")["g"].first()
    share4 = (g == 4).sum() / g.isin([3, 4]).sum()
    truth = 1.9 + 0.2 * share4
    assert dyn.loc[3, "low"] < truth < dyn.loc[3, "high"]
    assert np.isfinite(event["att"]).all() and (event["se"] > 0).all()


def test_errors_name_the_problem():
    df = _panel()
    with pytest.raises(DiDError, match=r"more than one row in a period, e.g. \[5\]"):
        att_gt(pd.concat([df, df[(df["id"] == 5) & (df["t"] == 3)]]), "y", "t", "id", "g")
    irregular = df[df["t"] != 4]
    with pytest.raises(DiDError, match="not regular"):
        att_gt(irregular, "y", "t", "id", "g")
    with pytest.raises(
        DiDError, match=r"cohort 3 has no comparison units at time 2 \(no never-treated units\)"
    ):
        att_gt(_panel(never=False), "y", "t", "id", "g", control="never")
    bad = df.copy()
    bad.loc[bad.index[0], "g"] = 5  # no cohort in the panel starts at 5
    with pytest.raises(DiDError, match="cohort changes within unit"):
        att_gt(bad, "y", "t", "id", "g")
    with pytest.raises(DiDError, match="columns not in the data"):
        att_gt(df, "y", "t", "id", "cohort")


# --------------------------------------------------------------------------------------------------
# The pre-trend test's size (issue: the default rejected true nulls in 100 of 100 panels)

# notebook 02's demo design: 267 communities, quarters 1..24, 13 cohorts completed in quarters 12..24
_NOTEBOOK_COHORTS = dict(zip(range(12, 25), [5, 14, 13, 8, 13, 23, 36, 35, 12, 20, 29, 26, 6], strict=True))


def _null_panel(cohorts: np.ndarray, T: int, seed: int) -> pd.DataFrame:
    """Unit and period effects plus noise: parallel trends hold and nothing is planted."""
    rng = np.random.default_rng(seed)
    n = len(cohorts)
    y = rng.normal(size=(n, 1)) + rng.normal(size=(1, T)) + rng.normal(size=(n, T))
    return pd.DataFrame({"id": np.repeat(np.arange(n), T), "t": np.tile(np.arange(1, T + 1), n),
                         "g": np.repeat(cohorts, T), "y": y.ravel()})  # fmt: skip


def test_default_pretrend_test_refuses_when_cells_outnumber_the_information():
    cohorts = np.r_[
        np.zeros(27, dtype=int), np.repeat(list(_NOTEBOOK_COHORTS), list(_NOTEBOOK_COHORTS.values()))
    ]
    res = att_gt(_null_panel(cohorts, 24, seed=0), "y", "t", "id", "g", control="notyet")
    with pytest.raises(DiDError, match=r"208 pre-treatment cells are too many .* 267 units.*use window="):
        pretrend_test(res)
    windowed = pretrend_test(res, window=8)
    assert windowed.df == 8 and windowed.df_resid == 267 - 14 - 8 + 1 and 0 < windowed.p_value < 1


def test_default_pretrend_test_rejects_true_nulls_near_its_nominal_rate():
    # 300 units (75 never treated, 75 in each of cohorts 4, 6, 8), 8 periods: 12 pre-treatment cells. At the
    # 5% level the F reference rejects 3.2% of these null panels here (3.9% in 1,500 replications); the
    # chi-squared reference 5.7% (6.0%), and 8.8% when cohort sizes vary at random.
    cohorts = np.repeat([0, 4, 6, 8], 75)
    rejected = []
    for seed in range(600):
        res = att_gt(_null_panel(cohorts, 8, seed), "y", "t", "id", "g", control="notyet")
        rejected.append(pretrend_test(res).p_value < 0.05)
    assert 0.02 <= np.mean(rejected) <= 0.07


def test_pretrend_test_refuses_a_cohort_too_small_for_its_pre_periods():
    cohorts = np.r_[np.zeros(200, dtype=int), np.full(100, 3), np.full(30, 7)]  # cohort 7: 5 cells, 30 units
    res = att_gt(_null_panel(cohorts, 8, seed=1), "y", "t", "id", "g")
    with pytest.raises(DiDError, match="cohort\\(s\\) 7 have more pre-treatment cells than a tenth"):
        pretrend_test(res)


# --------------------------------------------------------------------------------------------------
# Not-yet-treated comparisons without never-treated units: R's did's rule

# moderndid 0.2.0 (same rule as R's did for these cells):
#   md.att_gt(_panel(never=False, n=300, seed=1), yname="y", tname="t", idname="id", gname="g",
#             control_group="notyettreated", boot=False, cband=False), and md.aggte(m, type=kind, cband=False)
# moderndid also lists pre-treatment cells of the last cohort (6, 2) and (6, 3); R's did, which recodes the
# last cohort as never treated, does not.
_NO_NEVER_ATT = [-0.167338, 0.990355, 1.274707, 1.614485, 0.214469, 0.389237, 0.647043, 1.050927]
_NO_NEVER_SE = [0.180315, 0.172232, 0.212070, 0.196119, 0.176835, 0.195506, 0.200136, 0.177503]
_NO_NEVER_OVERALL = {
    "simple": (1.118841741728637, 0.1238634906163049),
    "dynamic": (1.2001514358763423, 0.1276543384996493),
    "group": (1.0745720191946382, 0.12239712378273931),
    "calendar": (1.0977635762922728, 0.12280634352231587),
}


def test_notyet_without_never_treated_units_uses_the_last_cohort_as_comparison_only():
    df = _panel(never=False, n=300, seed=1)
    with pytest.warns(UserWarning, match=r"last cohort \(6\) serves only as a comparison"):
        res = att_gt(df, "y", "t", "id", "g", control="notyet")
    table = res.table
    assert table["cohort"].tolist() == [3] * 4 + [4] * 4 and table["time"].tolist() == [2, 3, 4, 5] * 2
    assert np.isfinite(table[["att", "se"]].to_numpy()).all() and (table["n_control"] > 0).all()
    np.testing.assert_allclose(table["att"], _NO_NEVER_ATT, atol=1e-6)
    np.testing.assert_allclose(table["se"], _NO_NEVER_SE, atol=1e-6)
    for kind, (att, se) in _NO_NEVER_OVERALL.items():
        overall = aggregate(res, kind).overall
        assert overall.att == pytest.approx(att, abs=1e-9) and overall.se == pytest.approx(se, abs=1e-9)
    assert np.isfinite(pretrend_test(res).p_value)


def test_a_single_cohort_without_never_treated_units_is_refused():
    df = _panel(never=False)
    df["g"] = 4
    with pytest.raises(DiDError, match="single cohort"):
        att_gt(df, "y", "t", "id", "g", control="notyet")


def test_outcome_that_never_changes_and_zero_weights_are_refused():
    df = _panel()
    with pytest.raises(DiDError, match="'y' never changes within a unit"):
        att_gt(df.assign(y=0.0), "y", "t", "id", "g")
    with pytest.raises(DiDError, match="'y' never changes within a unit"):
        twfe(df.assign(y=0.0), "y", "t", "id", "g")
    flat_before = df.assign(y=np.where(df["t"] >= df["g"].where(df["g"] > 0, 99), df["y"], 0.0))
    res = att_gt(flat_before, "y", "t", "id", "g", base_period="universal")
    with pytest.raises(DiDError, match="no sampling variation"):
        pretrend_test(res)
    weights = df.assign(w=np.where(df["g"] == 4, 0.0, df["w"]))
    with pytest.raises(DiDError, match=r"zero for every unit of cohort\(s\) \['4'\]"):
        att_gt(weights, "y", "t", "id", "g", weights="w")


def test_weighted_aggregation_weights_cohorts_by_their_weight_sums():
    # by hand: the simple aggregate is the post cells' ATTs weighted by each cohort's sum of weights
    df = _panel(seed=5)
    res = att_gt(df, "y", "t", "id", "g", weights="w")
    post = res.table[res.table["post"]]
    wsum = df.groupby("id")[["g", "w"]].first().groupby("g")["w"].sum()
    share = post["cohort"].map(wsum)
    assert aggregate(res, "simple").overall.att == pytest.approx((post["att"] * share).sum() / share.sum())
    # group: each cohort's mean post-treatment effect, then weighted by the cohort's weight sum
    by_cohort = post.groupby("cohort")["att"].mean()
    expected = (by_cohort * wsum[by_cohort.index]).sum() / wsum[by_cohort.index].sum()
    group = aggregate(res, "group")
    np.testing.assert_allclose(group.table["att"], by_cohort.to_numpy())
    assert group.overall.att == pytest.approx(expected)


# --------------------------------------------------------------------------------------------------
# Properties

_settings = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(
    seed=st.integers(0, 10_000),
    shift=st.floats(-1e8, 1e8),
    power=st.integers(-8, 8),
    cluster=st.sampled_from([None, "cl"]),
)
def test_standard_errors_do_not_depend_on_the_outcomes_level_and_scale_with_it(seed, shift, power, cluster):
    df = _panel(n=120, T=6, seed=seed)
    base = att_gt(df, "y", "t", "id", "g", cluster=cluster)
    shifted = att_gt(df.assign(y=df["y"] + shift), "y", "t", "id", "g", cluster=cluster)
    scale = 10.0**power
    scaled = att_gt(df.assign(y=df["y"] * scale), "y", "t", "id", "g", cluster=cluster)
    np.testing.assert_allclose(shifted.table["se"], base.table["se"], rtol=1e-6)
    np.testing.assert_allclose(scaled.table["se"], base.table["se"] * scale, rtol=1e-9)
    np.testing.assert_allclose(scaled.table["att"], base.table["att"] * scale, rtol=1e-9, atol=1e-12 * scale)
    for kind in ("simple", "dynamic"):
        b, s = aggregate(base, kind).overall, aggregate(shifted, kind).overall
        assert s.se == pytest.approx(b.se, rel=1e-6)
        assert aggregate(scaled, kind).overall.se == pytest.approx(b.se * scale, rel=1e-9)


@_settings
@given(seed=st.integers(0, 10_000), covariates=st.sampled_from([None, ["x1"]]))
def test_results_do_not_depend_on_row_order(seed, covariates):
    df = _panel(n=120, T=6, seed=seed)
    shuffled = df.sample(frac=1.0, random_state=seed)
    a = att_gt(df, "y", "t", "id", "g", covariates=covariates, cluster="cl")
    b = att_gt(shuffled, "y", "t", "id", "g", covariates=covariates, cluster="cl")
    pd.testing.assert_frame_equal(a.table, b.table, rtol=1e-10)
    assert aggregate(a, "group").overall.att == pytest.approx(aggregate(b, "group").overall.att, rel=1e-12)


@_settings
@given(
    seed=st.integers(0, 10_000),
    kind=st.sampled_from(["simple", "dynamic", "group", "calendar"]),
    alpha=st.floats(0.01, 0.5),
    bootstrap=st.sampled_from([0, 99]),
)
def test_intervals_bracket_their_estimates(seed, kind, alpha, bootstrap):
    res = att_gt(
        _panel(n=120, T=6, seed=seed), "y", "t", "id", "g", alpha=alpha, bootstrap=bootstrap, seed=seed
    )
    cells = res.table.dropna(subset=["se"])
    assert (cells["low"] <= cells["att"]).all() and (cells["att"] <= cells["high"]).all()
    agg = aggregate(res, kind)
    assert agg.overall.low <= agg.overall.att <= agg.overall.high
    assert (agg.table["low"] <= agg.table["att"]).all() and (agg.table["att"] <= agg.table["high"]).all()


# --------------------------------------------------------------------------------------------------
# Results and arguments


def test_twfe_matches_a_dummy_variable_regression_and_returns_an_aggregate_result():
    smf = pytest.importorskip("statsmodels.formula.api")
    df = _panel(n=60, T=5, seed=11)
    static = twfe(df, "y", "t", "id", "g", static=True)
    df["D"] = ((df["g"] > 0) & (df["t"] >= df["g"])).astype(float)
    ref = smf.ols("y ~ D + C(id) + C(t)", df).fit(cov_type="cluster", cov_kwds={"groups": df["id"]})
    assert static.kind == "twfe static" and static.table["event"].tolist() == ["post"]
    assert static.overall.att == pytest.approx(ref.params["D"], rel=1e-9)
    assert static.overall.se == pytest.approx(ref.bse["D"], rel=1e-9)
    dynamic = twfe(df, "y", "t", "id", "g", min_e=-2, max_e=2)
    treated = (df["g"] > 0) & (df["g"] <= 5)  # cohort 6 is treated after the panel: never treated here
    ev = np.where(treated, np.clip(df["t"] - df["g"], -2, 2), -99)
    for e in (-2, 0, 1, 2):
        df[f"e{e + 2}"] = (ev == e).astype(float)
    ref = smf.ols("y ~ e0 + e2 + e3 + e4 + C(id) + C(t)", df).fit(
        cov_type="cluster", cov_kwds={"groups": df["id"]}
    )
    np.testing.assert_allclose(dynamic.table["att"], ref.params[["e0", "e2", "e3", "e4"]], rtol=1e-9)
    np.testing.assert_allclose(dynamic.table["se"], ref.bse[["e0", "e2", "e3", "e4"]], rtol=1e-9)
    contrast = ref.t_test("(e2 + e3 + e4) / 3 = 0")
    assert dynamic.overall.att == pytest.approx(float(contrast.effect[0]), rel=1e-9)
    assert dynamic.overall.se == pytest.approx(float(contrast.sd[0, 0]), rel=1e-9)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda df: att_gt(df, "y", "t", "id", "g", control="sometimes"),
            "control must be one of 'never', 'notyet'",
        ),
        (
            lambda df: att_gt(df, "y", "t", "id", "g", alpha=1.5),
            r"alpha must be a number in \(0, 1\); got 1.5",
        ),
        (lambda df: att_gt(df, "y", "t", "id", "g", anticipation=-1), "anticipation must be an integer"),
        (lambda df: att_gt(df, "y", "t", "id", "g", est="ols"), "est must be one of 'dr', 'reg', 'ipw'"),
        (lambda df: aggregate(att_gt(df, "y", "t", "id", "g"), "weekly"), "kind must be one of"),
        (lambda df: pretrend_test(att_gt(df, "y", "t", "id", "g"), window=0), "window must be an integer"),
        (lambda df: twfe(df, "y", "t", "id", "g", min_e=2), "min_e must be an integer"),
    ],
)
def test_arguments_are_checked_with_one_wording(call, message):
    from renostats.errors import InputError

    with pytest.raises(InputError, match=message):
        call(_panel(n=60))


# --------------------------------------------------------------------------------------------------
# Unbalanced panels: each cell uses the units observed in both of its periods


def test_unbalanced_path_gives_the_balanced_numbers_on_a_balanced_panel():
    from dataclasses import replace

    from renostats.did._models import _DenseModel

    rng = np.random.default_rng(0)
    for kwargs in ({}, {"weights": "w"}, {"control": "notyet", "base_period": "universal"}):
        res = att_gt(_panel(n=300, seed=9), "y", "t", "id", "g", **kwargs)
        moment = res._model
        panel = replace(moment.panel, observed=np.ones(moment.panel.Y.shape, dtype=bool))
        dense = _DenseModel.fit(panel, res._cells, "means")
        np.testing.assert_allclose(dense.att, moment.att, atol=1e-12)
        np.testing.assert_allclose(dense.cell_se(), moment.cell_se(), rtol=1e-10)
        K = len(moment.att)
        A, phi, kappa = rng.normal(size=(K, 3)), rng.normal(size=(moment.n_cohorts, 3)), rng.normal(size=3)
        np.testing.assert_allclose(dense.unit_if(A, phi, kappa), moment.unit_if(A, phi, kappa), atol=1e-9)


def test_unbalanced_cells_by_hand():
    df = _panel(n=200, T=5, seed=12)
    rng = np.random.default_rng(3)
    drop = rng.random(len(df)) < 0.1
    unbalanced = df[~drop]
    with pytest.warns(
        UserWarning, match=rf"unbalanced: {int(drop.sum())} unit-period\(s\) of 1000 have no outcome"
    ):
        res = att_gt(unbalanced, "y", "t", "id", "g")
    assert res.n_missing == int(drop.sum())
    wide = unbalanced.pivot(index="id", columns="t", values="y")
    g = df.groupby("id")["g"].first()
    for _, cell in res.table.iterrows():
        base = cell["time"] - 1 if cell["time"] < cell["cohort"] else cell["cohort"] - 1
        d = (wide[cell["time"]] - wide[base]).dropna()
        treated, control = d[g[d.index] == cell["cohort"]], d[g[d.index].isin([0, 6])]  # 6: after the panel
        assert cell["att"] == pytest.approx(treated.mean() - control.mean(), abs=1e-12)
        assert cell["se"] == pytest.approx(
            np.sqrt(treated.var(ddof=0) / len(treated) + control.var(ddof=0) / len(control))
        )
        assert (cell["n_treated"], cell["n_control"]) == (len(treated), len(control))
    for kind in ("simple", "dynamic", "group", "calendar"):
        o = aggregate(res, kind).overall
        assert np.isfinite(o.se) and o.low < o.att < o.high
    with pytest.raises(DiDError, match="twfe needs a balanced panel"):
        twfe(unbalanced, "y", "t", "id", "g")


def test_unbalanced_intervals_cover_a_constant_effect_at_their_nominal_rate():
    # persistent unit shocks make a unit's cells correlated; 10% of unit-periods missing at random.
    # The simple aggregate's 95% interval covers the planted 1.0 in 96% of 200 seeded panels.
    covered = []
    n, T = 200, 6
    for seed in range(200):
        rng = np.random.default_rng(seed)
        g = rng.choice([0, 3, 4, 5], n)
        shocks = np.cumsum(rng.normal(size=(n, T)), axis=1) + rng.normal(size=(n, 1))
        t = np.arange(1, T + 1)
        y = shocks + 0.3 * t + 1.0 * ((g[:, None] > 0) & (t[None, :] >= g[:, None]))
        df = pd.DataFrame(
            {"id": np.repeat(np.arange(n), T), "t": np.tile(t, n), "g": np.repeat(g, T), "y": y.ravel()}
        )
        df = df[rng.random(len(df)) > 0.1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            o = aggregate(att_gt(df, "y", "t", "id", "g"), "simple").overall
        covered.append(o.low <= 1.0 <= o.high)
    assert 0.91 <= np.mean(covered) <= 0.98


# --------------------------------------------------------------------------------------------------
# Aggregation windows and levels, pinned to moderndid 0.2.0:
#   m = md.att_gt(_panel(seed=7), yname="y", tname="t", idname="id", gname="g",
#                 control_group="notyettreated", boot=False, cband=False)
#   md.aggte(m, type="dynamic", cband=False, **window); md.aggte(m, type=kind, cband=False, max_e=1)
_WINDOWS = [
    ({"balance_e": 1}, (1.074414743997523, 0.0918769675731462), [-4, -3, -2, -1, 0, 1],
     [-0.199659, 0.066858, -0.06872, 0.043049, 0.828895, 1.319935],
     [0.153625, 0.162322, 0.127252, 0.103496, 0.107164, 0.103403]),
    ({"min_e": -2, "max_e": 2}, (1.264560938854104, 0.09413367563188568), [-2, -1, 0, 1, 2],
     [-0.06872, 0.043049, 0.828895, 1.319935, 1.644853], [0.127252, 0.103496, 0.107164, 0.103403, 0.139573]),
    ({"balance_e": 2, "min_e": -1, "max_e": 2}, (1.2418426711092427, 0.10962296690166612), [-1, 0, 1, 2],
     [0.160968, 0.768078, 1.312596, 1.644853], [0.120267, 0.127764, 0.126664, 0.139573]),
]  # fmt: skip


@pytest.mark.parametrize(("window", "overall", "events", "att", "se"), _WINDOWS)
def test_dynamic_windows_match_moderndid(window, overall, events, att, se):
    res = att_gt(_panel(seed=7), "y", "t", "id", "g", control="notyet")
    agg = aggregate(res, "dynamic", **window)
    assert (agg.overall.att, agg.overall.se) == pytest.approx(overall, abs=1e-9)
    assert agg.table["event"].tolist() == events
    np.testing.assert_allclose(agg.table["att"], att, atol=1e-6)
    np.testing.assert_allclose(agg.table["se"], se, atol=1e-6)


@pytest.mark.parametrize("kind", ["simple", "group"])
def test_max_e_limits_simple_and_group_aggregation_as_moderndid(kind):
    res = att_gt(_panel(seed=7), "y", "t", "id", "g", control="notyet")
    agg = aggregate(res, kind, max_e=1)
    assert (agg.overall.att, agg.overall.se) == pytest.approx(
        (1.074414743997523, 0.0918769675731462), abs=1e-9
    )


def test_interval_level_follows_alpha():
    from scipy import stats

    res = att_gt(_panel(seed=7), "y", "t", "id", "g", alpha=0.05)
    for alpha in (0.05, 0.1, 0.32):
        agg = aggregate(res, "dynamic", alpha=alpha)
        z = stats.norm.ppf(1 - alpha / 2)
        o = agg.overall
        assert (o.low, o.high) == pytest.approx((o.att - z * o.se, o.att + z * o.se), rel=1e-12)
        np.testing.assert_allclose(agg.table["high"] - agg.table["att"], z * agg.table["se"], rtol=1e-12)
        np.testing.assert_allclose(agg.table["att"] - agg.table["low"], z * agg.table["se"], rtol=1e-12)
        assert agg.alpha == alpha and agg.crit == pytest.approx(z)
    cells = att_gt(_panel(seed=7), "y", "t", "id", "g", alpha=0.2).table.dropna()
    np.testing.assert_allclose(
        cells["high"] - cells["low"], 2 * stats.norm.ppf(0.9) * cells["se"], rtol=1e-12
    )


def test_pretrend_test_with_one_estimate_is_the_squared_t_statistic():
    from scipy import stats

    res = att_gt(_panel(seed=7), "y", "t", "id", "g")
    n, cohorts = res.n_units, 4  # never treated and cohorts 3, 4, 6
    row = aggregate(res, "dynamic").table.set_index("event").loc[-1]
    test = pretrend_test(res, window=1)
    assert test.statistic == pytest.approx((row["att"] / row["se"]) ** 2, rel=1e-10)
    assert (test.df, test.df_resid) == (1, n - cohorts)
    assert test.p_value == pytest.approx(
        stats.f.sf(test.statistic * (n - cohorts) / n, 1, n - cohorts), rel=1e-10
    )
    # two periods before one cohort: a single pre-treatment cell
    two = _panel(seed=7, T=3)
    two = two[two["g"].isin([0, 3])]
    res = att_gt(two, "y", "t", "id", "g")
    cell = res.table.query("event < 0").iloc[0]
    test = pretrend_test(res)
    assert test.statistic == pytest.approx((cell["att"] / cell["se"]) ** 2, rel=1e-10)
    assert (test.df, test.df_resid) == (1, res.n_units - 2)


def test_wald_statistic_uses_the_rank_of_a_singular_covariance():
    from renostats.did._inference import _wald

    # two estimates that are mirror images: one independent estimate, W = (b1 / sd)^2
    V = np.array([[4.0, -4.0], [-4.0, 4.0]])
    stat, df = _wald(np.array([1.0, -1.0]), V)
    assert df == 1 and stat == pytest.approx(0.25)  # projection (1, -1)/sqrt(2): 2 / 8
    # full rank: the ordinary quadratic form
    V = np.array([[2.0, 0.5], [0.5, 1.0]])
    b = np.array([1.0, -2.0])
    stat, df = _wald(b, V)
    assert df == 2 and stat == pytest.approx(b @ np.linalg.solve(V, b))
    # an eigenvalue at 1e-10 of the largest is numerical noise, not information
    noisy = np.diag([1.0, 1e-10])
    assert _wald(np.array([1.0, 1e-3]), noisy) == (pytest.approx(1.0), 1)
