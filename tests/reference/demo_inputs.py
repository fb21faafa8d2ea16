"""Inputs from the bundled demo data for the moderndid cross-checks (run with the project's own environment).

    python tests/reference/demo_inputs.py

Writes ``demo_event_study.json``: the quarterly event study of drainage complaints per 100 households
(Callaway-Sant'Anna, not-yet-treated comparison, universal base period, events -5 .. 8) with its
covariance, the input of ``honest``; and ``demo_dose_panel.csv``: the yearly panel of waterlogging complaints
per 100 households with each completed community's investment per household (万元) as its dose, the input
of ``dose``. ``honest_moderndid.py`` and ``dose_moderndid.py`` then run moderndid on them.
"""

import json
from pathlib import Path

import numpy as np

import renostats as rs
from renostats.datasets import load_demo
from renostats.did import aggregate, att_gt
from renostats.did._honest import _event_study_inputs

HERE = Path(__file__).parent


def demo_dose_panel():
    panel = load_demo("outcomes").data
    ledger = load_demo("renovation").data.set_index("community")
    yearly = rs.periods.by_period(
        panel, "month", "year", keys=["community"], values=["waterlogging_per_100hh"]
    )
    completion = ledger["completion_date"].dt.year
    codes = {name: i + 1 for i, name in enumerate(sorted(ledger.index))}
    out = yearly.assign(
        id=yearly["community"].map(codes),
        year=yearly["period"].dt.year,
        G=yearly["community"].map(completion).fillna(0).astype(int),
    )
    per_household = ledger["investment_yuan"] / ledger["households"] / 1e4
    out["D"] = np.where(out["G"] > 0, out["community"].map(per_household), 0.0)
    return out[["id", "year", "G", "D", "waterlogging_per_100hh"]].rename(
        columns={"waterlogging_per_100hh": "Y"}
    )


def demo_event_study():
    panel = load_demo("outcomes").data
    ledger = load_demo("renovation").data.set_index("community")
    data = rs.periods.by_period(
        panel, "month", "quarter", keys=["community"], values=["complaints_per_100hh"]
    )
    data["cohort"] = data["community"].map(rs.periods.period_start(ledger["completion_date"], "quarter"))
    res = att_gt(
        data,
        "complaints_per_100hh",
        "period",
        "community",
        "cohort",
        control="notyet",
        base_period="universal",
    )
    return aggregate(res, "dynamic", min_e=-5, max_e=8)


def main() -> None:
    demo_dose_panel().to_csv(HERE / "demo_dose_panel.csv", index=False, float_format="%.17g")
    events, beta, sigma, n_pre = _event_study_inputs(demo_event_study())
    out = {"events": events.tolist(), "beta": beta.tolist(), "sigma": sigma.tolist(), "n_pre": n_pre,
           "n_post": len(beta) - n_pre}  # fmt: skip
    (HERE / "demo_event_study.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
