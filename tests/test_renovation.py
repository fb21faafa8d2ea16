"""Programme progress, priorities and the annual plan, on ledgers computed by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from renostats.renovation import (
    ScheduleError,
    batches,
    prioritise,
    progress,
    rank_stability,
    schedule,
)


def _ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "community": ["a", "b", "c", "d"],
            "street": ["东", "东", "西", "西"],
            "planned_year": [2020, 2020, 2021, 2021],
            "buildings": [10, 5, 8, 2],
            "households": [100, 50, 80, 20],
            "floor_area_m2": [8000.0, 4000.0, 6000.0, 1500.0],
            "start_date": pd.to_datetime(["2020-03-01", "2020-04-01", "2020-06-01", None]),
            "completion_date": pd.to_datetime(["2020-06-01", "2020-09-01", None, None]),
            "need_water": [1.0, 0.0, 1.0, 0.0],
            "need_power": [1.0, 0.0, 0.0, 0.0],
            "need_road": [1.0, 1.0, 0.0, 0.0],
            "need_gas": [0.0, 0.0, 0.0, 0.0],
            "need_drainage": [1.0, 1.0, 1.0, 0.0],
            "willingness": [0.9, 0.8, 0.5, np.nan],
            "danger_grade": ["D", None, "C", "A"],
            "built_year": [1970, 1980, 1990, 2000],
            "investment_yuan": [300.0, 100.0, 200.0, 50.0],
        }
    )


def test_progress_counts_and_household_weighted_rates():
    p = progress(_ledger(), "2020-07-01", by="street")
    prog = p.table.loc["programme"]
    assert (prog["planned"], prog["started"], prog["completed"]) == (4, 3, 1)
    assert prog["rate_count"] == pytest.approx(1 / 4)
    assert prog["rate_households"] == pytest.approx(100 / 250)
    assert prog["floor_area_m2_completed"] == 8000.0
    assert p.table.loc["东", "completed"] == 1 and p.table.loc["西", "started"] == 1
    year = p.year.loc["programme"]  # the two communities planned for 2020
    assert (year["planned"], year["completed"], year["rate_households"]) == (2, 1, pytest.approx(100 / 150))
    assert p.curve["completed"].iloc[-1] == 1


def test_projection_uses_a_poisson_interval_on_the_pace():
    from scipy import stats

    p = progress(_ledger(), "2020-12-01", deadline="2021-12-31")
    proj = p.projection
    months = (pd.Timestamp("2020-12-01") - pd.Timestamp("2020-06-01")).days / 30.4375
    assert proj["pace_per_month"] == pytest.approx(2 / months)
    assert proj["pace_high"] == pytest.approx(stats.chi2.ppf(0.975, 6) / 2 / months)
    assert proj["remaining"] == 2
    assert proj["projected_early"] <= proj["projected"] <= proj["projected_late"]
    assert proj["needed_per_month"] == pytest.approx(
        2 / ((pd.Timestamp("2021-12-31") - pd.Timestamp("2020-12-01")).days / 30.4375)
    )


def test_prioritise_components_weights_and_flags():
    pr = prioritise(_ledger(), reference_year=2020)
    assert pr["c_need"].tolist() == [0.8, 0.4, 0.4, 0.0]
    assert pr["c_danger"].tolist() == [1.0, 0.0, 0.75, 0.0]
    assert pr["c_age"].tolist() == pytest.approx([50 / 50, 40 / 50, 30 / 50, 20 / 50])  # years since built
    a = pr.iloc[0]
    expected = 0.35 * a["c_need"] + 0.25 * 0.9 + 0.2 * 1.0 + 0.1 * a["c_age"] + 0.1 * a["c_size"]
    assert a["priority"] == pytest.approx(expected)
    assert pr["w_need"].iloc[0] == pytest.approx(0.35 * 0.8)
    assert pr["eligible"].tolist() == [True, True, False, False]
    assert pr["flag"].tolist()[2:] == ["willingness below 67%", "willingness unknown"]
    assert pr["rank"].tolist()[:2] == [1, 2] and pr["rank"].isna().tolist()[2:] == [True, True]
    custom = prioritise(_ledger(), {"need": 1.0}, reference_year=2020)
    assert custom["priority"].tolist() == pr["c_need"].tolist()
    with pytest.raises(ValueError, match="unknown priority component"):
        prioritise(_ledger(), {"beauty": 1.0})


def test_rank_stability_is_seeded_and_bounded():
    rng = np.random.default_rng(0)
    n = 200
    led = pd.DataFrame({"community": range(n), "households": rng.integers(20, 500, n),
                        "willingness": rng.uniform(0.7, 1, n), "built_year": rng.integers(1960, 2000, n),
                        "need_water": rng.random(n), "danger_grade": rng.choice(["A", "C", "D"], n)})  # fmt: skip
    pr = prioritise(led, reference_year=2020)
    p1 = rank_stability(pr, top_k=20, n_draws=300, seed=4)
    p2 = rank_stability(pr, top_k=20, n_draws=300, seed=4)
    assert p1.equals(p2)
    assert p1.sum() == pytest.approx(20.0)  # every draw has exactly 20 in the top
    top = pr.sort_values("priority", ascending=False).index[:5]
    assert (p1[top] > 0.5).all()


def _brute_force(v, c, B):
    n, Y = v.shape
    best = 0.0
    for choice in itertools.product(range(-1, Y), repeat=n):
        load = np.zeros(Y)
        total = 0.0
        for i, y in enumerate(choice):
            if y >= 0:
                load[y] += c[i]
                total += v[i, y]
        if (load <= B + 1e-9).all():
            best = max(best, total)
    return best


def test_schedule_beats_greedy_and_matches_brute_force():
    ledger = pd.DataFrame({"community": list("abcdef"), "investment_yuan": [10.0, 5, 5, 6, 4, 7],
                           "priority": [10.0, 6, 6, 5, 3, 6.5]})  # fmt: skip
    budgets = np.array([10.0, 6.0])
    res = schedule(ledger, budgets={2020: budgets[0], 2021: budgets[1]}, discount=0.9)
    v = ledger["priority"].to_numpy()[:, None] * 0.9 ** np.arange(2)[None, :]
    best = _brute_force(v, ledger["investment_yuan"].to_numpy(), budgets)
    assert res.objective == pytest.approx(best)
    # greedy funds "a" (the highest score) and fills the first year with it: b + c score more
    assert res.greedy_objective == pytest.approx(10 + 0.9 * 6)
    assert res.objective == pytest.approx(12 + 0.9 * 5) and res.objective > res.greedy_objective
    assert res.gap <= 1e-4 + 1e-12 and res.bound >= res.objective - 1e-9
    spent = res.plan.groupby("year")["investment_yuan"].sum()
    assert (spent.to_numpy() <= pd.Series({2020: 10.0, 2021: 6.0})[spent.index].to_numpy() + 1e-9).all()
    assert res.budget_left[2020] == pytest.approx(10.0 - spent.get(2020, 0.0))


def test_schedule_must_caps_flags_and_infeasible():
    ledger = pd.DataFrame({"community": list("abcd"), "investment_yuan": [4.0, 4, 4, 4],
                           "priority": [1.0, 2, 3, np.nan]})  # fmt: skip
    res = schedule(ledger, budgets=[8.0, 8.0], must=[0], max_per_year=1)
    years = res.plan["year"]
    assert years[0] == 1  # forced into the first year
    assert years.value_counts().max() == 1  # at most one a year
    assert pd.isna(years[3])  # no score (flagged): never funded
    with pytest.raises(ScheduleError, match="cost 12 but the budget is 8: short by 4"):
        schedule(ledger, budgets=[8.0], must=[0, 1, 2])


def test_schedule_random_instances_against_milp():
    from scipy.optimize import Bounds, LinearConstraint, milp

    rng = np.random.default_rng(1)
    for _ in range(3):
        n, Y = 40, 3
        c = rng.uniform(1, 10, n).round(1)
        s = rng.uniform(0, 1, n)
        B = np.full(Y, c.sum() / 5)
        res = schedule(pd.DataFrame({"investment_yuan": c, "priority": s}), budgets=list(B), time_limit=5)
        v = s[:, None] * 0.97 ** np.arange(Y)[None, :]
        A = np.vstack(
            [np.kron(np.eye(n), np.ones((1, Y)))]
            + [np.kron(c[None, :], np.eye(Y)[y][None, :]) for y in range(Y)]
        )
        ref = milp(-v.ravel(), constraints=LinearConstraint(A, -np.inf, np.r_[np.ones(n), B]),
                   integrality=np.ones(n * Y), bounds=Bounds(0, 1), options={"mip_rel_gap": 1e-9})  # fmt: skip
        optimum = -ref.fun
        # the certificate holds: the bound is above the optimum, and the plan is within the stated gap
        assert res.bound >= optimum - 1e-7 and res.objective <= optimum + 1e-9
        assert (optimum - res.objective) / optimum <= res.gap + 1e-9
        assert res.gap < 1e-2  # small, nearly symmetric instances are the hardest to certify


def test_batches_implement_plan_reserve():
    ledger = pd.DataFrame({"community": list("abc"), "investment_yuan": [5.0, 5, 5], "priority": [3.0, 2, 1]})
    res = schedule(ledger, budgets={2020: 5.0, 2021: 5.0})
    table = batches(res.plan, res.years)
    assert table["batch"].tolist() == ["实施 implement", "谋划 plan", "储备 reserve"]
    assert table["community"].tolist() == ["a", "b", "c"]


def test_progress_before_any_completion_has_no_pace():
    p = progress(_ledger(), "2020-04-15")
    assert p.projection["completed"] == 0 and pd.isna(p.projection["projected"])
    assert "no completions to measure a pace from" in str(p)
