"""Reference values for tests/test_recovery.py from lifelines (its own venv: lifelines needs pandas < 3).

Run: /path/to/lifelines-venv/bin/python tests/reference/recovery_lifelines.py   (lifelines 0.30.3)
Prints the Kaplan-Meier curve with lifelines' default (exponential Greenwood = log-log) interval and
lifelines' median for the censored example of recovery_km.R, and the log-rank test.
"""

import numpy as np
from lifelines import KaplanMeierFitter
from lifelines.statistics import multivariate_logrank_test

group = np.array(list("aaaaabbbb"))
days = np.array([2, 2, 5, 9, 12, 1, 4, 4, 12], dtype=float)
resumed = np.array([1, 1, 0, 1, 0, 1, 1, 0, 0])
for g in "ab":
    kmf = KaplanMeierFitter().fit(days[group == g], resumed[group == g], alpha=0.05)
    table = kmf.survival_function_.join(kmf.confidence_interval_)
    print(g, table.to_string(), "median", kmf.median_survival_time_, sep="\n")
test = multivariate_logrank_test(days, group, resumed)
print("logrank", test.test_statistic, test.p_value)
# notebook 04's 医药 firms (events at day 0 and day 20)
kmf = KaplanMeierFitter().fit([0.0, 20.0], [1, 1])
print(kmf.confidence_interval_.to_string(), "median", kmf.median_survival_time_, sep="\n")
