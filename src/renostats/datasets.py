"""Bundled reference data.

Examples
--------
>>> from renostats.datasets import load_facts
>>> facts = load_facts()
>>> facts.loc[facts["metric"] == "programme_households", "value"].item()
29681.0
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from renostats import paths

__all__ = ["FACT_COLUMNS", "load_facts"]

FACT_COLUMNS: tuple[str, ...] = (
    "topic",
    "place",
    "date",
    "metric",
    "text",
    "value",
    "unit",
    "kind",
    "qualifier",
    "low",
    "high",
    "source",
    "note",
)
_FLOAT = ("value", "low", "high")


def load_facts(topic: str | None = None, data_dir: str | Path | None = None) -> pd.DataFrame:
    """The reference facts: the source page's figures and reported national figures.

    Parameters
    ----------
    topic : str, optional
        Keep only this topic (``renovation``, ``recovery``, ``banking``, ``national_renovation``,
        ``national_recovery``).
    data_dir : path, optional
        Folder holding ``facts.csv``; defaults to the bundled ``data/facts``.

    Returns
    -------
    DataFrame
        Columns as in :data:`FACT_COLUMNS`; ``value``, ``low`` and ``high`` are floats in base units
        (yuan, m², fractions for percentages), text columns use pandas' string dtype.

    Raises
    ------
    FileNotFoundError
        If ``facts.csv`` is not in ``data_dir``.
    ValueError
        If the file lacks a column or ``topic`` is unknown.
    """
    folder = Path(data_dir) if data_dir is not None else paths.FACTS_DIR
    path = folder / "facts.csv"
    if not path.is_file():
        raise FileNotFoundError(f"no facts.csv in {folder}")
    dtypes = {c: "float64" if c in _FLOAT else "string" for c in FACT_COLUMNS}
    facts = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values={c: [""] for c in _FLOAT})
    missing = [c for c in FACT_COLUMNS if c not in facts.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}")
    facts = facts[list(FACT_COLUMNS)]
    if topic is not None:
        topics = sorted(facts["topic"].unique())
        if topic not in topics:
            raise ValueError(f"unknown topic {topic!r}; the facts have {topics}")
        facts = facts[facts["topic"] == topic].reset_index(drop=True)
    return facts
