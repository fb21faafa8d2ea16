"""What a report notebook calls: record() a headline number, check its parameters, start() a page.

The runner reads what record() emits back from the executed notebook (see ``_runner.read_metrics``).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from renostats import _validate, paths
from renostats.errors import ParameterError

#: MIME type of the display output that :func:`record` emits and the runner reads back.
METRIC_MIME = "application/vnd.renostats.metric+json"


_METRIC_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def record(name: str, value: Any, *, unit: str | None = None, label: str | None = None) -> None:
    """Record a headline number of the notebook for ``metrics.json``.

    Parameters
    ----------
    name : str
        Metric name, a Python-identifier-like string (dots allowed), unique within the notebook.
    value : number, str, bool or None
        The value; numpy scalars are converted. Must be JSON-serialisable after conversion.
    unit : str, optional
        Unit for readers (``"yuan"``, ``"share"``, ``"户"`` ...).
    label : str, optional
        Human-readable description shown in the report index.

    Notes
    -----
    The metric travels as a display output with MIME type :data:`METRIC_MIME` (and a plain-text line),
    so the executed notebook itself carries its metrics and nothing depends on environment variables.
    Outside IPython the call only checks its arguments.
    """
    if not isinstance(name, str) or not _METRIC_NAME.match(name):
        raise ValueError(f"metric name must look like an identifier, got {name!r}")
    clean = _validate.plain(value)
    try:
        json.dumps(clean, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"metric {name}: value {value!r} is not a finite JSON value") from exc
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - ipykernel is a dependency
        return
    if get_ipython() is None:
        return
    payload = {"name": name, "value": clean, "unit": unit, "label": label}
    shown = _format_value(clean) + (f" {unit}" if unit else "")
    # no words of either language of its own: the label is written in the run's language by the notebook
    text = f"{label}: {shown}  [{name}]" if label else f"{name} = {shown}"
    display({METRIC_MIME: payload, "text/plain": text}, raw=True)


def check_dir(name: str, value: str | os.PathLike[str] | None, default: Path | None = None) -> Path:
    """Return ``value`` as an existing folder, or ``default`` when ``value`` is empty.

    Raises
    ------
    ParameterError
        If the folder does not exist.
    """
    if value is None or str(value) == "":
        if default is None:
            raise ParameterError(f"parameter {name}: no folder given")
        value = default
    path = Path(value).expanduser()
    if not path.is_dir():
        raise ParameterError(f"parameter {name}: folder '{value}' does not exist")
    return path.resolve()


def check_date(name: str, value: Any):
    """Return ``value`` as a ``pandas.Timestamp``: an ISO date (``YYYY-MM-DD``) or ``"today"``.

    Raises
    ------
    ParameterError
        If the value is not a real calendar date in ISO form.
    """
    import pandas as pd

    text = str(value)
    if text.strip().lower() == "today":  # a scheduled run reports the current week, not a frozen date
        return pd.Timestamp(dt.date.today())
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ParameterError(f"parameter {name}: {value!r} is not a valid date (use YYYY-MM-DD)")
    try:
        return pd.Timestamp(dt.date.fromisoformat(text))
    except ValueError:
        raise ParameterError(f"parameter {name}: {value!r} is not a valid date (use YYYY-MM-DD)") from None


def check_choice(name: str, value: Any, choices: Iterable[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``.

    Raises
    ------
    ParameterError
        Naming the parameter, the value and the allowed choices.
    """
    allowed = list(choices)
    if value not in allowed:
        listed = ", ".join(repr(c) for c in allowed)
        raise ParameterError(f"parameter {name}: unknown value {value!r}; expected one of {listed}")
    return value


@dataclass
class Page:
    """What a report notebook's check cell sets up once: the language, the data folder, the notes.

    Made by :func:`start`. ``t`` writes sentences and numbers in the run's language; :meth:`ledger` finds and
    reads a ledger of the data folder; :meth:`date` resolves a date parameter (``"today"``, or the data's
    own date when the analyst gave a data folder but left the date at the demo's default); :meth:`note`
    collects what the page should say about the choices made for the reader (shown by :meth:`show_notes`).
    """

    lang: str
    t: Any
    folder: Path
    own_data: bool  # True when data_dir was given (the district's own files, not the bundled demo)
    notes: list[str] = field(default_factory=list)

    def ledger(self, kind: str, **kwargs: Any) -> Any:
        """Find the ledger of ``kind`` in the data folder and read it (a ``LedgerRead``)."""
        from renostats.datasets import find_ledger
        from renostats.ledger import read_ledger

        return read_ledger(find_ledger(self.folder, kind), kind, **kwargs)

    def synthetic(self, path: str | Path) -> bool:
        """True for the bundled synthetic demo files."""
        return not self.own_data and "synthetic" in Path(path).name

    def date(self, name: str, value: Any, default: Any, from_data: Any = None, *, earliest: Any = None):
        """The date parameter ``name`` as a Timestamp.

        ``"today"`` is today. When the analyst gave a data folder but left ``name`` at the notebook's
        default (the demo's date), ``from_data`` (for example the last date reported) is used instead,
        and a note says so. A date before ``earliest`` (the first date in the data) is refused.
        """
        import pandas as pd

        chosen = check_date(name, value)
        if self.own_data and str(value) == str(default) and from_data is not None and not pd.isna(from_data):
            chosen = pd.Timestamp(from_data).normalize()
            self.note(
                self.t(
                    "{name} was left at the demo's {default}: this page uses {date}, taken from the data.",
                    "{name}未设置(示例默认值为{default}),本页采用数据中的日期{date}。",
                    name=name,
                    default=default,
                    date=self.t.date(chosen),
                )
            )
        if earliest is not None and not pd.isna(earliest) and chosen < pd.Timestamp(earliest).normalize():
            raise ParameterError(
                f"parameter {name}: {chosen.date()} is before every date in the data (the first is "
                f"{pd.Timestamp(earliest).date()})"
            )
        return chosen

    def note(self, text: str) -> None:
        """Remember a sentence the page should show the reader (a default taken from the data ...)."""
        if text not in self.notes:
            self.notes.append(text)

    def show_notes(self) -> None:
        """Print the notes collected so far, one per line (nothing when there are none)."""
        for text in self.notes:
            print(text)


def start(
    lang: str = "en", data_dir: str | os.PathLike[str] | None = "", default: Path | None = None
) -> Page:
    """Set up a report notebook: check ``lang`` and ``data_dir``, the house style, pandas' display.

    Parameters
    ----------
    lang : {"en", "zh"}
        The run's language; anything else is a :class:`ParameterError` (exit 2 in a report run).
    data_dir : path, optional
        The district's folder; empty means ``default`` (the bundled demo data).
    default : path, optional
        The folder used when ``data_dir`` is empty (``paths.DEMO_DIR`` when not given).

    Examples
    --------
    >>> import pandas as pd
    >>> with pd.option_context("display.width", 80, "display.unicode.east_asian_width", False):
    ...     page = start("zh")
    >>> page.t("{n} firms", "{n}家", n=24), page.own_data
    ('24家', False)
    """
    from renostats.lang import Text, check_lang
    from renostats.plotting import use_style

    check_lang(lang)
    folder = check_dir("data_dir", data_dir, default=default or paths.DEMO_DIR)
    try:
        import pandas as pd

        pd.set_option("display.width", 130)
        pd.set_option("display.unicode.east_asian_width", True)
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    use_style()
    return Page(lang=lang, t=Text(lang), folder=folder, own_data=bool(data_dir))


def check_range(
    name: str,
    value: Any,
    low: float | None = None,
    high: float | None = None,
    *,
    inclusive: bool = False,
) -> float:
    """Return ``value`` as a float inside ``(low, high)`` (or ``[low, high]`` when ``inclusive``).

    Raises
    ------
    ParameterError
        If the value is not a number or lies outside the range.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"parameter {name}: {value!r} is not a number") from None
    below = low is not None and (number < low if inclusive else number <= low)
    above = high is not None and (number > high if inclusive else number >= high)
    if math.isnan(number) or below or above:
        left, right = ("[", "]") if inclusive else ("(", ")")
        raise ParameterError(f"parameter {name}: {value!r} is outside {left}{low}, {high}{right}")
    return number


def _format_value(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{value:,.0f}"
        return f"{value:.6g}"
    return str(value)


def _short(text: str, limit: int = 160) -> str:
    """``text`` cut to ``limit`` characters with its length said, for long parameter values and errors."""
    return text if len(text) <= limit else f"{text[: limit - 1]}… ({len(text):,} characters)"
