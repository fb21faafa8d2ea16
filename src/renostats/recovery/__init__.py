"""Enterprise recovery: resumption, staff return and an electricity output proxy, with honest uncertainty.

A resumption rate such as "24 of 24 enterprises resumed: 100%" is a count of firms, and a count of firms
says nothing about staff on duty or output. When the firms counted are all the firms in scope (Beita's 24
large-scale industrial enterprises are all of them), the count is a census: it has no sampling error, and
what is uncertain is what counted as resumed and how it was reported (:func:`audit_headline`).

This module turns liaison officers' twice-daily reports into a daily status per firm
(:func:`daily_status`), measures recovery several ways with intervals (:func:`resumption_curve`), times
resumption with Kaplan-Meier curves following R's ``survival`` conventions (:func:`time_to_resumption`),
and says in plain words what a headline can support (:func:`audit_headline`). :func:`rate_ci` and
:func:`compare_rates` give rate intervals for samples.

Examples
--------
>>> ci = rate_ci(24, 24)
>>> round(float(ci.low), 3), float(ci.high)
(0.858, 1.0)
>>> print(audit_headline(24, 24, claimed=1.0).text_en)  # doctest: +NORMALIZE_WHITESPACE
24 of 24 firms in scope (all of them: a census, not a sample) resumed: 100.0%. The count is exact and has
no sampling error; the claimed 100.0% matches it. What is uncertain is what counted as resumed (reopened,
staff back, output back) and how it was reported; the count alone says nothing about staff on duty or
output.
"""

from __future__ import annotations

from renostats.recovery._audit import HeadlineAudit, audit_headline
from renostats.recovery._curves import MEASURES, resumption_curve
from renostats.recovery._rates import (
    METHODS,
    RateCI,
    RateComparison,
    compare_rates,
    finite_population_ci,
    rate_ci,
)
from renostats.recovery._status import DailyStatus, ReportingPeriod, daily_status, reporting_period
from renostats.recovery._survival import ResumptionTimes, time_to_resumption

__all__ = [
    "MEASURES",
    "METHODS",
    "DailyStatus",
    "HeadlineAudit",
    "RateCI",
    "RateComparison",
    "ReportingPeriod",
    "ResumptionTimes",
    "audit_headline",
    "compare_rates",
    "daily_status",
    "finite_population_ci",
    "rate_ci",
    "reporting_period",
    "resumption_curve",
    "time_to_resumption",
]
