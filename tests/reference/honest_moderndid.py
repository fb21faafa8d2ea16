"""Reference numbers for tests/test_did_honest.py, computed with moderndid 0.2's ``honest_did``.

Run in an environment with ``moderndid[didhonest]`` (0.2.x) installed, not in the project's own::

    python -m venv /work/venvs/moderndid && /work/venvs/moderndid/bin/pip install "moderndid[didhonest]==0.2.*"
    /work/venvs/moderndid/bin/python tests/reference/honest_moderndid.py > tests/reference/honest_moderndid.json

The event study is Callaway-Sant'Anna on moderndid's bundled ``mpdta`` (log teen employment, 500 counties,
2003-2007) with a universal base period, aggregated by event time. The file records its estimates and
covariance (so the tests need no moderndid) and the robust intervals moderndid reports:

- smoothness (Delta^SD(M)), fixed-length intervals (FLCI), for event 0 and for the average of the post
  periods;
- relative magnitudes (Delta^RM(Mbar)), conditional least-favourable hybrid (C-LF). moderndid reads these
  intervals off a grid of ``grid_points`` values of theta (the identified set widened by 20 standard
  deviations); each endpoint is a grid point, and the grid step is recorded beside it. Its least-favourable
  critical value is simulated without a fixed seed, so a re-run can move an endpoint by a grid step.
"""

import json
import time

import numpy as np
from moderndid import aggte, att_gt, load_mpdta
from moderndid.didhonest import (
    construct_original_cs,
    create_sensitivity_results_rm,
    create_sensitivity_results_sm,
    honest_did,
)
from moderndid.didhonest.delta.rm.rm import compute_identified_set_rm

M_VALUES = [0.0, 0.005, 0.01, 0.02, 0.03, 0.04, 0.05]
MBAR_VALUES = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0]


def main() -> None:
    df = load_mpdta()
    gt = att_gt(data=df, yname="lemp", tname="year", gname="first.treat", idname="countyreal",
                est_method="dr", boot=False, base_period="universal")  # fmt: skip
    es = aggte(gt, type="dynamic")
    events = np.asarray(es.event_times)
    keep = events != -1
    inf = np.asarray(es.influence_func)[:, keep]
    n = inf.shape[0]
    beta = np.asarray(es.att_by_event)[keep]
    sigma = inf.T @ inf / n**2
    n_pre = int((events[keep] < -1).sum())
    n_post = int(keep.sum()) - n_pre
    out = {"events": events[keep].tolist(), "beta": beta.tolist(), "sigma": sigma.tolist(),
           "n_pre": n_pre, "n_post": n_post, "smoothness": {}, "relative_magnitude": {}}  # fmt: skip
    for event, l_vec in (("0", None), ("average", np.full(n_post, 1.0 / n_post))):
        if l_vec is not None:
            # honest_did builds l_vec from event_time; the average goes through the lower-level functions
            t0 = time.perf_counter()
            sm = create_sensitivity_results_sm(beta, sigma, n_pre, n_post, m_vec=M_VALUES, l_vec=l_vec)
            t_sm = time.perf_counter() - t0
            t0 = time.perf_counter()
            rm = create_sensitivity_results_rm(beta, sigma, n_pre, n_post, m_bar_vec=MBAR_VALUES, l_vec=l_vec,
                                               grid_points=100)  # fmt: skip
            t_rm = time.perf_counter() - t0
            orig = construct_original_cs(beta, sigma, n_pre, n_post, l_vec=l_vec)
        else:
            t0 = time.perf_counter()
            res = honest_did(es, event_time=0, sensitivity_type="smoothness", m_vec=M_VALUES)
            t_sm = time.perf_counter() - t0
            sm, orig = res.robust_ci, res.original_ci
            t0 = time.perf_counter()
            rm = honest_did(
                es, event_time=0, sensitivity_type="relative_magnitude", m_bar_vec=MBAR_VALUES
            ).robust_ci
            t_rm = time.perf_counter() - t0
        lv = np.zeros(n_post) if l_vec is None else l_vec
        if l_vec is None:
            lv[0] = 1.0
        steps = []
        for mbar in MBAR_VALUES:
            ids = compute_identified_set_rm(mbar, beta, lv, n_pre, n_post)
            sd = float(np.sqrt(lv @ sigma[n_pre:, n_pre:] @ lv))
            steps.append((ids.id_ub - ids.id_lb + 40 * sd) / 99)
        out["smoothness"][event] = {"M": M_VALUES, "low": sm["lb"].to_list(), "high": sm["ub"].to_list(),
                                    "seconds": t_sm}  # fmt: skip
        out["relative_magnitude"][event] = {"Mbar": MBAR_VALUES, "low": rm["lb"].to_list(),
                                            "high": rm["ub"].to_list(), "grid_step": steps,
                                            "seconds": t_rm}  # fmt: skip
        out[f"original_{event}"] = [float(orig.lb), float(orig.ub)]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
