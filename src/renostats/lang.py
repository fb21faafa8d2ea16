"""Report pages in English or Chinese: the ``lang`` parameter, text computed in code, Chinese numbers.

Every report notebook takes ``lang`` (``"en"`` or ``"zh"``). Prose lives in markdown cells tagged
``lang-en`` or ``lang-zh`` (JupyterLab shows both, one under the other); the runner keeps the cells of
the run's language in the page (:func:`keep_language`). Text computed in code goes through a
:class:`Text` made from ``lang``, which picks the sentence and writes numbers the way a reader of that
language expects: ``24 firms`` / ``24家``, ``7.3 billion yuan`` / ``73亿元``, ``2020-03-31`` /
``2020年3月31日``.

Imports only :mod:`renostats.errors` from the package.

Examples
--------
>>> t = Text("zh")
>>> t("{n} of {total} firms resumed", "{total}家中{n}家复工", n=24, total=24)
'24家中24家复工'
>>> t.money(7.3e9), t.date("2020-03-31"), t.percent(0.858), t.count(29681, "households", "户")
('73亿元', '2020年3月31日', '85.8%', '29681户')
>>> Text("en").money(7.3e9), Text("en").count(24, "firms", "家")
('7.3 billion yuan', '24 firms')
"""

from __future__ import annotations

import math
from typing import Any

from renostats import _validate
from renostats.errors import ParameterError

__all__ = ["LANGS", "Text", "check_lang", "keep_language", "zh_amount"]

#: The languages a report can be written in.
LANGS = ("en", "zh")


def check_lang(value: Any) -> str:
    """``value`` when it is a known language; otherwise the notebook parameter error (exit 2 in a run).

    >>> check_lang("fr")
    Traceback (most recent call last):
    ...
    renostats.errors.ParameterError: parameter lang: 'fr' is not a report language; use one of 'en', 'zh'
    """
    if value not in LANGS:
        raise ParameterError(
            f"parameter lang: {value!r} is not a report language; use one of {', '.join(map(repr, LANGS))}"
        )
    return value


class Text:
    """Sentences and numbers in the run's language."""

    def __init__(self, lang: str):
        self.lang = check_lang(lang)

    @property
    def zh(self) -> bool:
        """True for a Chinese page."""
        return self.lang == "zh"

    def __call__(self, en: str, zh: str, /, **values: Any) -> str:
        """The sentence in the run's language, with ``{name}`` fields filled from ``values``."""
        return (zh if self.zh else en).format(**values)

    def money(self, yuan: float, digits: int = 3) -> str:
        """An amount of money: ``73亿元`` / ``7.3 billion yuan``, ``3329万元`` / ``33.3 million yuan``."""
        if _validate.missing(yuan):
            return "—"
        if self.zh:
            return zh_amount(yuan, "元", digits=max(digits, 4))
        v = abs(yuan)
        for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
            if v >= size:
                return f"{_sig(yuan / size, digits, comma=True)} {word} yuan"
        return f"{yuan:,.0f} yuan"

    def count(self, n: float, en_word: str, zh_word: str) -> str:
        """A count with its measure word: ``24家`` / ``24 firms``."""
        if self.zh:
            return f"{n:.0f}{zh_word}" if float(n).is_integer() else f"{n}{zh_word}"
        return f"{n:,.0f} {en_word}" if float(n).is_integer() else f"{n:,} {en_word}"

    def percent(self, fraction: float, digits: int = 1) -> str:
        """A fraction as a percentage (the same in both languages): ``85.8%``."""
        if _validate.missing(fraction):
            return "—"
        return f"{fraction:.{digits}%}"

    def date(self, value: Any) -> str:
        """A date: ``2020年3月31日`` / ``2020-03-31``."""
        import pandas as pd

        d = pd.Timestamp(value)
        return f"{d.year}年{d.month}月{d.day}日" if self.zh else d.strftime("%Y-%m-%d")

    def month(self, value: Any) -> str:
        """A month: ``2020年3月`` / ``March 2020``."""
        import pandas as pd

        d = pd.Timestamp(value)
        return f"{d.year}年{d.month}月" if self.zh else d.strftime("%B %Y")


def zh_amount(value: float, unit: str = "", *, digits: int = 4) -> str:
    """A number the Chinese way, with 万 or 亿 from 10,000 on: ``zh_amount(7.3e9, "元") == "73亿元"``.

    ``digits`` significant digits are kept; trailing zeros are dropped; no thousands separators.

    >>> zh_amount(24, "家"), zh_amount(29681, "户"), zh_amount(33290000, "元"), zh_amount(-1.5e8)
    ('24家', '2.968万户', '3329万元', '-1.5亿')
    """
    v = float(value)
    for size, word in ((1e12, "万亿"), (1e8, "亿"), (1e4, "万")):
        if abs(v) >= size:
            return f"{_sig(v / size, digits)}{word}{unit}"
    return f"{_sig(v, digits)}{unit}"


def keep_language(nb: Any, lang: str) -> Any:
    """The notebook (an nbformat node) without the cells tagged for the other language.

    Cells tagged ``lang-en`` appear only in English pages, ``lang-zh`` only in Chinese ones; untagged
    cells appear in both. The node is changed in place and returned.
    """
    check_lang(lang)
    drop = {f"lang-{other}" for other in LANGS if other != lang}
    nb.cells = [c for c in nb.cells if not drop & set(c.get("metadata", {}).get("tags", []))]
    return nb


def _sig(x: float, digits: int, comma: bool = False) -> str:
    """``x`` to ``digits`` significant digits, without exponent or trailing zeros (Chinese: no commas)."""
    if x == 0:
        return "0"
    places = max(digits - 1 - math.floor(math.log10(abs(x))), 0)
    text = f"{round(x, places):,.{places}f}" if comma else f"{round(x, places):.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
