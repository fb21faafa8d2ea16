"""What a published count of firms can support: a census, a sample or a superpopulation question
(:func:`audit_headline`). Imports the package's validator and :mod:`._rates`."""

from __future__ import annotations

from dataclasses import dataclass

from renostats import _validate
from renostats.recovery._rates import METHODS, _counts, finite_population_ci, rate_ci


@dataclass(frozen=True)
class HeadlineAudit:
    """What a published count of firms can and cannot support.

    Attributes
    ----------
    successes, total : int
        Firms counted resumed, and firms counted.
    population : int
        Firms in scope (equal to ``total`` for a census).
    census : bool
        Whether every firm in scope was counted. A census has no sampling error.
    rate : float
        ``successes / total``.
    low, high : float
        For a census the count itself (``low == high == rate``); for a sample the exact
        finite-population interval of the population share (:func:`finite_population_ci`).
    interval : str
        ``"none: census"`` or ``"exact finite-population"``.
    alpha : float
        One minus the confidence level.
    claimed : float or None
        The published rate.
    consistent : bool or None
        Census: whether the claim matches the count (to 0.05 percentage points, the rounding of a
        published percent); sample: whether it lies inside the interval.
    staff_share, output_share : float or None
        The staff-return rate and the electricity output proxy on the same day, if given: the
        definitional uncertainty (what counted as resumed) that a census leaves.
    superpopulation_low, superpopulation_high : float or None
        Only when asked (``superpopulation=True``): the binomial interval answering a different
        question, how often firms like these resume, by ``superpopulation_method``.
    superpopulation_method : str or None
    reference : float or None
        A rate to compare with (a national figure, say).
    reference_inside : bool or None
        Whether the reference lies inside the interval shown (the sample's, or the superpopulation
        one); None for a census alone, which has no interval.
    text_en, text_zh : str
        The reading, in English and in Chinese: the count first, then what is uncertain.
    """

    successes: int
    total: int
    population: int
    census: bool
    rate: float
    low: float
    high: float
    interval: str
    alpha: float
    claimed: float | None
    consistent: bool | None
    staff_share: float | None
    output_share: float | None
    superpopulation_low: float | None
    superpopulation_high: float | None
    superpopulation_method: str | None
    reference: float | None
    reference_inside: bool | None
    text_en: str
    text_zh: str


def audit_headline(
    successes: int,
    total: int,
    claimed: float | None = None,
    reference: float | None = None,
    *,
    population: int | None = None,
    staff_share: float | None = None,
    output_share: float | None = None,
    superpopulation: bool = False,
    alpha: float = 0.05,
    method: str = "exact",
) -> HeadlineAudit:
    """Audit a headline count such as "24 of 24 enterprises resumed: 100%".

    A count over every firm in scope is a census: the default reading (``population`` omitted) is that
    ``total`` is the whole population, so the count is exact and has no sampling error. What is
    uncertain is what counted as resumed (reopened, staff back, output back) and how it was reported;
    pass ``staff_share`` and ``output_share`` of the same day to put numbers on that. A binomial
    interval answers a different, superpopulation question (how often do firms like these resume?)
    and appears only with ``superpopulation=True``, labelled as such. When fewer firms reported than
    are in scope (``population > total``), the count is a sample and gets the exact interval with the
    finite-population correction (:func:`finite_population_ci`).

    Parameters
    ----------
    successes, total : int
        The counts behind the headline.
    claimed : float, optional
        The published rate (a fraction).
    reference : float, optional
        A rate to compare with, e.g. the national rate at the time.
    population : int, optional
        Firms in scope; default ``total`` (a census).
    staff_share, output_share : float, optional
        Staff-return rate and electricity output proxy (use against baseline) on the same day.
    superpopulation : bool
        Also give the binomial interval for the superpopulation question.
    alpha : float
        One minus the confidence level.
    method : {"exact", "wilson", "jeffreys", "agresti_coull"}
        Method of the superpopulation interval (see :func:`rate_ci`).

    Returns
    -------
    HeadlineAudit

    Examples
    --------
    >>> a = audit_headline(24, 24, claimed=1.0, staff_share=0.97, output_share=0.81)
    >>> a.census, a.low, a.high
    (True, 1.0, 1.0)
    >>> for sentence in a.text_zh.split("。")[:-1]:
    ...     print(sentence + "。")
    范围内24家企业中24家复工(100.0%),这是全数统计,不是抽样:这个数确切,没有抽样误差;公布的100.0%与之相符。
    不确定的是“复工”按什么算以及如何上报:同一天职工到岗率为97.0%,用电量(产出的替代指标)为基期的81.0%。
    >>> s = audit_headline(20, 20, population=24)  # 4 firms did not report: a sample
    >>> s.census, s.interval, round(s.low, 3)
    (False, 'exact finite-population', 0.958)
    >>> p = audit_headline(24, 24, reference=0.986, superpopulation=True)
    >>> round(p.superpopulation_low, 3), p.reference_inside
    (0.858, True)
    """
    successes, total = (int(v) for v in _counts(successes, total))
    population = (
        total
        if population is None
        else _validate.number(population, name="population", low=total, integer=True)
    )
    alpha = _validate.alpha(alpha)
    _validate.one_of(method, sorted(METHODS), name="method")
    for name, value in (("claimed", claimed), ("reference", reference), ("staff_share", staff_share),
                        ("output_share", output_share)):  # fmt: skip
        if value is not None:
            _validate.number(value, name=name, low=0, high=None if name == "output_share" else 1)
    census = population == total
    rate = successes / total
    level = f"{1 - alpha:.0%}"
    if census:
        low = high = rate
        interval = "none: census"
        consistent = None if claimed is None else bool(abs(claimed - rate) <= 0.0005 + 1e-12)
    else:
        fpc = finite_population_ci(successes, total, population, alpha=alpha)
        low, high = fpc.low, fpc.high
        interval = "exact finite-population"
        consistent = None if claimed is None else bool(low - 1e-12 <= claimed <= high + 1e-12)

    if census:
        en = (
            f"{successes} of {total} firms in scope (all of them: a census, not a sample) resumed: {rate:.1%}. "
            "The count is exact and has no sampling error"
        )
        zh = f"范围内{total}家企业中{successes}家复工({rate:.1%}),这是全数统计,不是抽样:这个数确切,没有抽样误差"
        if claimed is not None:
            en += f"; the claimed {claimed:.1%} {'matches it' if consistent else 'does not match it'}"
            zh += f";公布的{claimed:.1%}{'与之相符' if consistent else '与之不符'}"
    else:
        en = (
            f"{total} of {population} firms in scope reported (a sample) and {successes} of them resumed "
            f"({rate:.1%}); with the finite-population correction, between {low:.1%} and {high:.1%} of "
            f"the {population} resumed (exact {level} interval); {population - total} did not report"
        )
        zh = (
            f"范围内{population}家企业中{total}家上报(抽样),其中{successes}家复工({rate:.1%});经有限总体校正,"
            f"{population}家中复工的比例在{low:.1%}至{high:.1%}之间(精确{level}区间);{population - total}家未上报"
        )
        if claimed is not None:
            en += f"; the claimed {claimed:.1%} lies {'inside' if consistent else 'outside'} the interval"
            zh += f";公布的{claimed:.1%}{'在区间内' if consistent else '不在区间内'}"
    en += ". What is uncertain is what counted as resumed"
    zh += "。不确定的是“复工”按什么算"
    if staff_share is None and output_share is None:
        en += (
            " (reopened, staff back, output back) and how it was reported; the count alone says nothing "
            "about staff on duty or output"
        )
        zh += "(开门、人员到岗还是产出恢复)以及如何上报;单看家数,看不出到岗和产出情况"
    else:
        parts_en, parts_zh = [], []
        if staff_share is not None:
            parts_en.append(f"staff on duty were {staff_share:.1%}")
            parts_zh.append(f"职工到岗率为{staff_share:.1%}")
        if output_share is not None:
            parts_en.append(f"electricity use (an output proxy) was {output_share:.1%} of its baseline")
            parts_zh.append(f"用电量(产出的替代指标)为基期的{output_share:.1%}")
        en += " and how it was reported: on the same day " + " and ".join(parts_en)
        zh += "以及如何上报:同一天" + ",".join(parts_zh)
        if output_share is None:
            en += "; no output or electricity figure is given"
            zh += ";没有产出或用电数据"
        if staff_share is None:
            en += "; no staff figure is given"
            zh += ";没有到岗数据"

    sp_low = sp_high = sp_method = None
    shown = None if census else (low, high)
    if superpopulation:
        ci = rate_ci(successes, total, method=method, alpha=alpha)
        sp_low, sp_high, sp_method = float(ci.low), float(ci.high), method
        shown = (sp_low, sp_high)
        name = _METHOD_NAMES[method]
        en += (
            f". Only for a different question, how often firms like these resume (a superpopulation "
            f"reading), is there sampling uncertainty: {name[0]} {level} binomial interval "
            f"{sp_low:.1%} to {sp_high:.1%}"
        )
        zh += (
            f"。只有换一个问题,即同类企业复工的可能性有多大(超总体问题),才有抽样不确定性:"
            f"{name[1]}{level}二项区间为{sp_low:.1%}至{sp_high:.1%}"
        )
    inside = None
    if reference is not None:
        if shown is None:
            gap = (rate - reference) * 100
            en += (
                f". The reference {reference:.1%} describes other firms; this count is "
                f"{abs(gap):.1f} points {'above' if gap >= 0 else 'below'} it"
            )
            zh += f"。参照值{reference:.1%}描述的是另一批企业;这个数比它{'高' if gap >= 0 else '低'}{abs(gap):.1f}个百分点"
        else:
            inside = bool(shown[0] - 1e-12 <= reference <= shown[1] + 1e-12)
            if inside:
                en += f"; the reference {reference:.1%} lies inside that interval, so it cannot tell the two apart"
                zh += f";参照值{reference:.1%}也在该区间内,无法把两者区分开"
            else:
                en += f"; the reference {reference:.1%} lies outside that interval"
                zh += f";参照值{reference:.1%}在该区间外"
    return HeadlineAudit(
        successes=successes, total=total, population=int(population), census=census, rate=rate,
        low=float(low), high=float(high), interval=interval, alpha=alpha, claimed=claimed,
        consistent=consistent, staff_share=staff_share, output_share=output_share,
        superpopulation_low=sp_low, superpopulation_high=sp_high, superpopulation_method=sp_method,
        reference=reference, reference_inside=inside, text_en=en + ".", text_zh=zh + "。",
    )  # fmt: skip


_METHOD_NAMES = {
    "exact": ("exact", "精确"),
    "wilson": ("Wilson", "Wilson"),
    "jeffreys": ("Jeffreys", "Jeffreys"),
    "agresti_coull": ("Agresti-Coull", "Agresti-Coull"),
}
