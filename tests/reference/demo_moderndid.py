"""moderndid 0.2 on the demo inputs written by ``demo_inputs.py`` (run in the moderndid environment).

    /work/venvs/moderndid/bin/python tests/reference/demo_moderndid.py [--dose-only]

Writes ``demo_moderndid.json``: fixed-length intervals (smoothness) and conditional least-favourable
intervals and the conditional test alone (relative magnitudes, one bound: moderndid needs a minute or more
per bound with nine post periods) for
the demo event study, and ``cont_did`` (quadratic B-spline, no interior knots) on the demo dose panel.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl
from moderndid import cont_did
from moderndid.didhonest import create_sensitivity_results_rm, create_sensitivity_results_sm
from moderndid.didhonest.delta.rm.rm import compute_identified_set_rm

HERE = Path(__file__).parent
M_VALUES = [0.0, 0.02, 0.05, 0.1]
MBAR_VALUES = [0.5]
DVALS = np.linspace(1.5, 3.0, 7)


def main() -> None:
    target = HERE / "demo_moderndid.json"
    if "--dose-only" in sys.argv:
        out = json.loads(target.read_text())
        out["dose"] = dose_reference()
        target.write_text(json.dumps(out, indent=1))
        return
    es = json.loads((HERE / "demo_event_study.json").read_text())
    beta, sigma = np.array(es["beta"]), np.array(es["sigma"])
    n_pre, n_post = es["n_pre"], es["n_post"]
    out = {"smoothness": {}, "relative_magnitude": {}}
    for event, l_vec in (("0", np.eye(n_post)[0]), ("average", np.full(n_post, 1.0 / n_post))):
        sm = create_sensitivity_results_sm(beta, sigma, n_pre, n_post, m_vec=M_VALUES, l_vec=l_vec)
        out["smoothness"][event] = {"M": M_VALUES, "low": sm["lb"].to_list(), "high": sm["ub"].to_list()}
    l_vec = np.full(n_post, 1.0 / n_post)
    t0 = time.perf_counter()
    rm = create_sensitivity_results_rm(
        beta, sigma, n_pre, n_post, m_bar_vec=MBAR_VALUES, l_vec=l_vec, grid_points=100
    )
    sd = float(np.sqrt(l_vec @ sigma[n_pre:, n_pre:] @ l_vec))
    ids = [compute_identified_set_rm(m, beta, l_vec, n_pre, n_post) for m in MBAR_VALUES]
    out["relative_magnitude"]["average"] = {
        "Mbar": MBAR_VALUES, "low": rm["lb"].to_list(), "high": rm["ub"].to_list(),
        "grid_step": [(i.id_ub - i.id_lb + 40 * sd) / 99 for i in ids], "seconds": time.perf_counter() - t0,
    }  # fmt: skip
    # the conditional test alone (no simulated least-favourable critical value): a deterministic comparison
    t0 = time.perf_counter()
    cond = create_sensitivity_results_rm(beta, sigma, n_pre, n_post, m_bar_vec=MBAR_VALUES, l_vec=l_vec,
                                         grid_points=100, method="Conditional")  # fmt: skip
    out["relative_magnitude"]["average_conditional"] = {
        "Mbar": MBAR_VALUES, "low": cond["lb"].to_list(), "high": cond["ub"].to_list(),
        "grid_step": [(i.id_ub - i.id_lb + 40 * sd) / 99 for i in ids], "seconds": time.perf_counter() - t0,
    }  # fmt: skip
    out["dose"] = dose_reference()
    target.write_text(json.dumps(out, indent=1))


def dose_reference() -> dict:
    # moderndid's dose path expects periods numbered 1, 2, ...: years 2018-2023 become 1-6 (never treated: 0)
    data = pl.read_csv(HERE / "demo_dose_panel.csv").with_columns(
        (pl.col("year") - 2017).alias("year"),
        pl.when(pl.col("G") > 0).then(pl.col("G") - 2017).otherwise(0).alias("G"),
    )
    t0 = time.perf_counter()
    res = cont_did(data=data, yname="Y", tname="year", idname="id", gname="G", dname="D", degree=2, num_knots=0,
                   dvals=DVALS, control_group="notyettreated", biters=200, random_state=1)  # fmt: skip
    return {"dvals": DVALS.tolist(), "att_d": np.asarray(res.att_d).tolist(),
            "acrt_d": np.asarray(res.acrt_d).tolist(), "overall_att": float(res.overall_att),
            "overall_acrt": float(res.overall_acrt), "seconds": time.perf_counter() - t0}  # fmt: skip


if __name__ == "__main__":
    main()
