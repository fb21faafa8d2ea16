"""did.dose: a hand-computed two-period, two-dose case, moderndid's cont_did, att_gt, simulation, properties."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from renostats.did import aggregate, att_gt, dose
from renostats.errors import DiDError, InputError

REFERENCE = Path(__file__).parent / "reference"


def two_by_two():
    """Two periods; cohort 2 treated with dose 1 (3 units) or 2 (3 units); 4 units never treated."""
    dy = {0: [0.0, 1.0, 2.0, 1.0], 1: [2.0, 3.0, 7.0], 2: [5.0, 6.0, 10.0]}  # changes from period 1 to 2
    rows = []
    uid = 0
    for d, changes in dy.items():
        for change in changes:
            base = 10.0 + uid
            rows += [
                (uid, 1, base, 2 if d else 0, float(d)),
                (uid, 2, base + change, 2 if d else 0, float(d)),
            ]
            uid += 1
    return pd.DataFrame(rows, columns=["unit", "time", "y", "cohort", "dose"]), dy


def test_two_period_two_dose_matches_hand_computation():
    data, dy = two_by_two()
    res = dose(data, "y", "time", "unit", "cohort", "dose", degree=1, doses=[1.0, 2.0, 1.5])
    m0, m1, m2 = (np.mean(dy[k]) for k in (0, 1, 2))  # 1.0, 4.0, 7.0
    assert res.curve["att"].tolist() == pytest.approx([m1 - m0, m2 - m0, (m1 + m2) / 2 - m0], abs=1e-12)
    assert res.curve["acrt"].tolist() == pytest.approx([m2 - m1] * 3, abs=1e-12)
    assert res.overall_att == pytest.approx((m1 + m2) / 2 - m0, abs=1e-12)
    assert res.overall_acrt == pytest.approx(m2 - m1, abs=1e-12)
    # influence-function (HC0-type) variances: population variance of each group over its size
    var0 = np.var(dy[0]) / 4
    assert res.curve["att_se"].iloc[0] == pytest.approx(np.sqrt(np.var(dy[1]) / 3 + var0), rel=1e-10)
    assert res.curve["acrt_se"].iloc[0] == pytest.approx(
        np.sqrt(np.var(dy[1]) / 3 + np.var(dy[2]) / 3), rel=1e-10
    )
    treated = dy[1] + dy[2]
    assert res.overall_att_se == pytest.approx(np.sqrt(np.var(treated) / 6 + var0), rel=1e-10)
    assert res.cells[["n_treated", "n_control"]].values.tolist() == [[6, 4]]


@pytest.fixture(scope="module")
def moderndid_case():
    ref = json.loads((REFERENCE / "dose_moderndid.json").read_text())
    data = pd.read_csv(REFERENCE / "dose_moderndid_data.csv")
    return ref, data


@pytest.mark.parametrize("spec", ["cubic", "cubic_knot"])
def test_curve_and_overall_match_moderndid(moderndid_case, spec):
    ref, data = moderndid_case
    knots = ref["knots_cubic_knot"] if spec == "cubic_knot" else 0
    res = dose(data, "Y", "time_period", "id", "G", "D", degree=3, knots=knots, doses=ref["dvals"])
    want = ref[spec]
    np.testing.assert_allclose(res.curve["att"], want["att_d"], atol=1e-9)
    np.testing.assert_allclose(res.curve["acrt"], want["acrt_d"], atol=1e-9)
    assert res.overall_att == pytest.approx(want["overall_att"], abs=1e-10)
    assert res.overall_acrt == pytest.approx(want["overall_acrt"], abs=1e-10)


def test_never_treated_comparison_matches_moderndid(moderndid_case):
    ref, data = moderndid_case
    res = dose(data, "Y", "time_period", "id", "G", "D", control="never", doses=ref["dvals"])
    assert [res.overall_att, res.overall_acrt] == pytest.approx(ref["overall_nevertreated"], abs=1e-10)


@pytest.mark.parametrize("base_period", ["varying", "universal"])
def test_average_effects_are_the_binary_callaway_santanna_ones(moderndid_case, base_period):
    # ATT^o and the event-time ATTs ignore the dose: they must equal att_gt's group and dynamic aggregations
    _, data = moderndid_case
    res = dose(data, "Y", "time_period", "id", "G", "D", base_period=base_period)
    gt = att_gt(data, "Y", "time_period", "id", "G", control="notyet", base_period=base_period)
    assert res.overall_att == pytest.approx(aggregate(gt, "group").overall.att, abs=1e-12)
    dyn = aggregate(gt, "dynamic").table
    dyn = dyn[dyn["se"].notna()].reset_index(drop=True)  # the universal reference period (0 by construction)
    np.testing.assert_allclose(res.event["att"], dyn["att"], atol=1e-12)
    np.testing.assert_allclose(
        res.event["att_se"], dyn["se"], rtol=0.02
    )  # ours leaves out the cohort-share term


def _simulate(rng, n=300):
    g = rng.choice([0, 2, 3, 4], n)
    d = np.where(g > 0, rng.uniform(0, 1, n), 0.0)
    T = np.arange(1, 5)
    post = (g[:, None] > 0) & (T[None, :] >= g[:, None])
    y = T + rng.normal(g, 1, n)[:, None] + rng.normal(size=(n, 4)) + post * (0.5 * d + 0.3 * d**2)[:, None]
    return pd.DataFrame(
        {"id": np.repeat(np.arange(n), 4), "t": np.tile(T, n), "G": np.repeat(g, 4), "D": np.repeat(d, 4),
         "Y": y.ravel()}
    )  # fmt: skip


def test_standard_errors_match_the_sampling_spread_in_simulation():
    # 80 panels from a cubic-in-dose design: analytic SEs against the Monte Carlo standard deviation
    # (moderndid 0.2's bootstrap SEs on its own generator are 2x too large for ATT^o, half for ACRT^o)
    rng = np.random.default_rng(11)
    est, se = [], []
    for _ in range(80):
        res = dose(_simulate(rng), "Y", "t", "id", "G", "D", doses=[0.5])
        est.append([res.overall_att, res.overall_acrt, res.curve["att"].iloc[0]])
        se.append([res.overall_att_se, res.overall_acrt_se, res.curve["att_se"].iloc[0]])
    ratio = np.mean(se, axis=0) / np.std(est, axis=0)
    assert np.all((ratio > 0.8) & (ratio < 1.25)), ratio
    assert np.mean(est, axis=0)[2] == pytest.approx(0.5 * 0.5 + 0.3 * 0.25, abs=0.05)


def test_bootstrap_is_seeded_and_its_band_is_uniform():
    data = _simulate(np.random.default_rng(3))
    a = dose(data, "Y", "t", "id", "G", "D", bootstrap=400, seed=5)
    b = dose(data, "Y", "t", "id", "G", "D", bootstrap=400, seed=5)
    pd.testing.assert_frame_equal(a.curve, b.curve)
    assert a.crit > 1.96  # sup-t over 50 doses
    analytic = dose(data, "Y", "t", "id", "G", "D")
    np.testing.assert_allclose(a.curve["att_se"], analytic.curve["att_se"], rtol=0.2)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), shift=st.floats(-1e4, 1e4), scale=st.floats(0.01, 100))
def test_properties_order_shift_scale_and_brackets(seed, shift, scale):
    data = _simulate(np.random.default_rng(seed), n=120)
    base = dose(data, "Y", "t", "id", "G", "D", degree=2, doses=[0.3, 0.6])
    for col in ("att", "acrt"):
        assert (base.curve[f"{col}_low"] <= base.curve[col]).all()
        assert (base.curve[col] <= base.curve[f"{col}_high"]).all()
    assert base.overall_acrt_low <= base.overall_acrt <= base.overall_acrt_high
    shuffled = data.sample(frac=1.0, random_state=seed)
    moved = shuffled.assign(Y=shuffled["Y"] * scale + shift)
    res = dose(moved, "Y", "t", "id", "G", "D", degree=2, doses=[0.3, 0.6])
    np.testing.assert_allclose(
        res.curve["att"], base.curve["att"] * scale, rtol=1e-7, atol=1e-9 * (1 + abs(shift))
    )
    np.testing.assert_allclose(res.curve["acrt_se"], base.curve["acrt_se"] * scale, rtol=1e-6)
    assert res.overall_att == pytest.approx(base.overall_att * scale, rel=1e-7, abs=1e-9 * (1 + abs(shift)))


def test_refuses_bad_doses():
    data, _ = two_by_two()
    with pytest.raises(DiDError, match="positive dose"):
        dose(
            data.assign(dose=np.where(data["unit"] == 5, 0.0, data["dose"])),
            "y",
            "time",
            "unit",
            "cohort",
            "dose",
        )
    with pytest.raises(DiDError, match="changes within unit"):
        dose(data.assign(dose=data["dose"] + (data["time"] == 2) * (data["dose"] > 0)), "y", "time", "unit",
             "cohort", "dose")  # fmt: skip
    with pytest.raises(DiDError, match="must have dose 0"):
        dose(
            data.assign(dose=np.where(data["unit"] == 0, 1.0, data["dose"])),
            "y",
            "time",
            "unit",
            "cohort",
            "dose",
        )
    with pytest.raises(DiDError, match="spline"):
        dose(data, "y", "time", "unit", "cohort", "dose", degree=3, knots=2)
    with pytest.raises(InputError, match="control"):
        dose(data, "y", "time", "unit", "cohort", "dose", control="sometimes")


def test_demo_panel_recovers_the_planted_dose_response():
    # the demo's waterlogging outcome has -2.4 log(1 + d) planted from completion (d: 万元 per household);
    # by year, the completion year dilutes it: the target is the truth file averaged the same way
    import renostats as rs
    from renostats.datasets import demo_dose_effect, load_demo

    panel = load_demo("outcomes").data
    ledger = load_demo("renovation").data.set_index("community")
    yearly = rs.periods.by_period(
        panel, "month", "year", keys=["community"], values=["waterlogging_per_100hh"]
    )
    yearly["cohort"] = yearly["community"].map(rs.periods.period_start(ledger["completion_date"], "year"))
    per_household = ledger["investment_yuan"] / ledger["households"] / 1e4
    yearly["dose"] = np.where(yearly["cohort"].notna(), yearly["community"].map(per_household), 0.0)
    res = dose(yearly, "waterlogging_per_100hh", "period", "community", "cohort", "dose", degree=1)
    truth = rs.periods.by_period(load_demo("outcomes_truth"), "month", "year", ["community"], ["dose_effect"])
    truth["cohort"] = truth["community"].map(yearly.groupby("community")["cohort"].first())
    truth = truth[truth["period"] >= truth["cohort"]]
    cells = truth.groupby(["cohort", "period"])["dose_effect"].mean()
    weights = res.cells.set_index(["cohort", "time"])["weight"]
    planted_att = float((cells.reindex(weights.index) * weights).sum())
    assert res.overall_att_low < planted_att < res.overall_att_high
    assert res.overall_acrt_high < 0  # more money per household, fewer complaints
    assert demo_dose_effect(3.0) < demo_dose_effect(1.5) < 0


def test_demo_dose_panel_matches_moderndid():
    # tests/reference/demo_inputs.py writes the yearly demo panel; demo_moderndid.py runs cont_did on it
    ref = json.loads((REFERENCE / "demo_moderndid.json").read_text())["dose"]
    data = pd.read_csv(REFERENCE / "demo_dose_panel.csv")
    res = dose(data, "Y", "year", "id", "G", "D", degree=2, doses=ref["dvals"])
    np.testing.assert_allclose(res.curve["att"], ref["att_d"], atol=1e-9)
    np.testing.assert_allclose(res.curve["acrt"], ref["acrt_d"], atol=1e-9)
    assert [res.overall_att, res.overall_acrt] == pytest.approx(
        [ref["overall_att"], ref["overall_acrt"]], abs=1e-10
    )
