"""The errors renostats raises to its users: one family under :class:`RenostatsError`.

Every public error is a subclass of :class:`RenostatsError`, so ``except rs.RenostatsError`` catches
anything the package refuses on purpose (and nothing it did not foresee). Errors about values are also
``ValueError``\\ s, as they were before the family existed, so ``except ValueError`` keeps working.
Messages say what was wrong, where (file, sheet, row, column; unit, cohort, period) and what would be
right. This module imports nothing from the package, so any module may import it.

>>> import renostats as rs
>>> issubclass(rs.LedgerError, rs.RenostatsError) and issubclass(rs.LedgerError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "DiDError",
    "FundingError",
    "InputError",
    "LedgerError",
    "ParameterError",
    "RenostatsError",
    "ScheduleError",
    "UsageError",
]


class RenostatsError(Exception):
    """Base class of every error renostats raises on purpose."""


class InputError(RenostatsError, ValueError):
    """An argument of a public function has a value it cannot take (see ``renostats._validate``)."""


class LedgerError(RenostatsError, ValueError):
    """A ledger could not be read as its kind. ``problems`` lists every bad cell."""

    def __init__(self, message: str, problems: list | None = None):
        self.problems = list(problems or [])
        if self.problems:
            listed = "\n".join(f"  {p}" for p in self.problems)
            message = f"{message}\n{listed}"
        super().__init__(message)

    def to_frame(self):
        """The problems as a table (file, sheet, row, column, value, expected)."""
        import pandas as pd

        return pd.DataFrame(
            [vars(p) for p in self.problems], columns=["file", "sheet", "row", "column", "value", "expected"]
        )


class DiDError(RenostatsError, ValueError):
    """A panel cannot be used as asked; the message says which units, cohorts, periods or columns."""


class FundingError(RenostatsError, ValueError):
    """Funding columns that cannot be used; the message names the communities and columns."""


class ScheduleError(RenostatsError, ValueError):
    """A plan cannot be made as asked (for example forced communities that exceed the budget)."""


class ParameterError(RenostatsError, ValueError):
    """A notebook parameter has a value that cannot be used."""


class UsageError(RenostatsError):
    """A report run was asked for wrongly (unknown notebook or parameter, bad YAML, missing folder)."""
