"""The error family and the shared argument validator."""

import pytest

import renostats as rs
from renostats import _validate
from renostats.errors import __all__ as ERRORS


@pytest.mark.parametrize("name", ERRORS)
def test_every_error_is_in_the_family_and_importable_from_the_package(name):
    cls = getattr(rs, name)
    assert issubclass(cls, rs.RenostatsError)
    assert cls is getattr(rs.errors, name)


@pytest.mark.parametrize(
    "name", ["InputError", "LedgerError", "DiDError", "FundingError", "ScheduleError", "ParameterError"]
)
def test_value_errors_stay_value_errors(name):
    assert issubclass(getattr(rs, name), ValueError)


def test_modules_raise_the_family_classes():
    assert rs.ledger.LedgerError is rs.LedgerError
    assert rs.did.DiDError is rs.DiDError
    assert rs.report.ParameterError is rs.ParameterError


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan"), "0.05", None, True])
def test_alpha_refuses_what_is_not_a_level(bad):
    with pytest.raises(rs.InputError, match=r"alpha must be a number in \(0, 1\)"):
        _validate.alpha(bad)


def test_number_bounds_and_integers():
    assert _validate.number(3, name="k", low=0, integer=True) == 3
    with pytest.raises(rs.InputError, match=r"k must be an integer in \[0, inf\); got 2.5"):
        _validate.number(2.5, name="k", low=0, integer=True)
    with pytest.raises(rs.InputError, match=r"x must be a number in \[0, 1\]; got 2"):
        _validate.number(2, name="x", low=0, high=1)


def test_one_of_and_date():
    with pytest.raises(rs.InputError, match="control must be one of 'never', 'notyet'; got 'nope'"):
        _validate.one_of("nope", ("never", "notyet"), name="control")
    assert _validate.date("2021-12-31", name="as_of").year == 2021
    with pytest.raises(rs.InputError, match="as_of must be a date"):
        _validate.date("2021-02-30", name="as_of")
