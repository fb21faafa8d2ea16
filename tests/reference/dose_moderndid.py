"""Reference numbers for tests/test_did_dose.py, computed with moderndid 0.2's ``cont_did``.

Run in an environment with moderndid 0.2.x installed, not in the project's own::

    /work/venvs/moderndid/bin/python tests/reference/dose_moderndid.py

It writes ``dose_moderndid_data.csv`` (a panel from moderndid's own generator ``gen_cont_did_data``:
500 units, 4 periods, staggered cohorts 2-4 and never treated, dose uniform on (0, 1), effect
0.5 d + 0.3 d^2) and ``dose_moderndid.json``: the dose-response ATT(d) and ACRT(d) on a grid of doses
(a cubic B-spline with no interior knots, and with one interior knot), the overall ATT^o and ACRT^o,
and the event study of ACRT by event time, with moderndid's standard errors (multiplier bootstrap,
1,000 draws, so they carry simulation noise). Point estimates are deterministic.
"""

import json
import time
from pathlib import Path

import numpy as np
from moderndid import cont_did
from moderndid.core.data import gen_cont_did_data

HERE = Path(__file__).parent
DVALS = np.linspace(0.05, 0.95, 19)


def main() -> None:
    data = gen_cont_did_data(
        n=500, num_time_periods=4, dose_linear_effect=0.5, dose_quadratic_effect=0.3, seed=7
    )
    data.write_csv(HERE / "dose_moderndid_data.csv", float_precision=17)
    out = {"dvals": DVALS.tolist()}
    for name, knots in (("cubic", 0), ("cubic_knot", 1)):
        t0 = time.perf_counter()
        res = cont_did(data=data, yname="Y", tname="time_period", idname="id", gname="G", dname="D",
                       degree=3, num_knots=knots, dvals=DVALS, control_group="notyettreated",
                       biters=1000, random_state=1)  # fmt: skip
        seconds = time.perf_counter() - t0
        out[name] = {
            "att_d": np.asarray(res.att_d).tolist(), "att_d_se": np.asarray(res.att_d_se).tolist(),
            "acrt_d": np.asarray(res.acrt_d).tolist(), "acrt_d_se": np.asarray(res.acrt_d_se).tolist(),
            "overall_att": float(res.overall_att), "overall_att_se": float(res.overall_att_se),
            "overall_acrt": float(res.overall_acrt), "overall_acrt_se": float(res.overall_acrt_se),
            "seconds": seconds,
        }  # fmt: skip
    for control in ("notyettreated", "nevertreated"):
        res = cont_did(data=data, yname="Y", tname="time_period", idname="id", gname="G", dname="D",
                       degree=3, num_knots=0, dvals=DVALS, control_group=control, biters=1000,
                       random_state=1)  # fmt: skip
        out[f"overall_{control}"] = [float(res.overall_att), float(res.overall_acrt)]
    es = cont_did(data=data, yname="Y", tname="time_period", idname="id", gname="G", dname="D", degree=3,
                  num_knots=0, dvals=DVALS, aggregation="eventstudy", target_parameter="slope", biters=1000,
                  random_state=1)  # fmt: skip
    out["eventstudy_acrt"] = {"event": np.asarray(es.event_study.event_times).tolist(),
                              "acrt": np.asarray(es.event_study.att_by_event).tolist(),
                              "se": np.asarray(es.event_study.se_by_event).tolist(),
                              "overall": float(es.overall_att.overall_att)}  # fmt: skip
    es = cont_did(data=data, yname="Y", tname="time_period", idname="id", gname="G", dname="D", degree=3,
                  num_knots=0, dvals=DVALS, aggregation="eventstudy", target_parameter="level", biters=1000,
                  random_state=1)  # fmt: skip
    out["eventstudy_att"] = {"event": np.asarray(es.event_study.event_times).tolist(),
                             "att": np.asarray(es.event_study.att_by_event).tolist(),
                             "se": np.asarray(es.event_study.se_by_event).tolist(),
                             "overall": float(es.overall_att.overall_att)}  # fmt: skip
    # the knots moderndid places (quantiles of the dose over treated units' post-treatment rows)
    post = data.filter((data["G"] > 0) & (data["time_period"] >= data["G"]))["D"].to_numpy()
    out["knots_cubic_knot"] = np.quantile(post, [0.5]).tolist()
    (HERE / "dose_moderndid.json").write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
