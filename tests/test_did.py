"""Staggered DiD: hand-computed 2x2 cases, moderndid to 1e-6, errors, TWFE, pre-trend test."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

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
        assert o.overall["att"] == pytest.approx(a.overall_att, abs=1e-6)
        assert o.overall["se"] == pytest.approx(a.overall_se, abs=1e-6)
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
    event = twfe(df, "y", "t", "id", "g", min_e=-3, max_e=3)
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
    with pytest.raises(DiDError, match=r"not balanced.*e.g. \[5\]"):
        att_gt(df[~((df["id"] == 5) & (df["t"] == 3))], "y", "t", "id", "g")
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
