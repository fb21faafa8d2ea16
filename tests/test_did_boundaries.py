"""Boundaries of the DiD tables: the units each group-time cell compares, counted by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from renostats.did import att_gt


def test_each_cell_counts_its_treated_and_comparison_units():
    # two periods, units 0-1 treated in period 2 (cohort 2), units 2-4 never treated
    df = pd.DataFrame(
        {"id": np.repeat(np.arange(5), 2), "t": np.tile([1, 2], 5), "g": np.repeat([2, 2, 0, 0, 0], 2),
         "y": [1.0, 4.0, 2.0, 6.0, 0.0, 1.0, 1.0, 1.5, 3.0, 3.5]}
    )  # fmt: skip
    row = att_gt(df, "y", "t", "id", "g").table.iloc[0]
    assert (row["n_treated"], row["n_control"], row["n"]) == (2, 3, 5)
