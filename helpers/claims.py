"""Checking claims: a claimed value against the course's own recomputation (chapter 06).

A claim gives a value or a range; the course recomputes it with its own calculators.
:func:`claimed_central` picks the number to compare (the stated value, else the middle of the
range) and :func:`claim_ratio` divides: 1 means the claim matches, 0.2 means it is five times
too low. Why published per-query estimates disagree is :mod:`helpers.reconcile`.

All functions take scalars or arrays and reject NaN, infinite or out-of-range input with a
``ValueError`` naming the parameter.
"""

from __future__ import annotations

import numpy as np

from helpers._validate import as_array, as_number, calculator, result

__all__ = [
    "VERDICTS",
    "claimed_central",
    "claim_ratio",
    "percent_more",
]

VERDICTS = ("supported", "partly supported", "unsupported", "wrong", "unverifiable")
"""The verdicts of ``data/claims.csv``, from best to worst supported (unverifiable last)."""


@calculator
def claimed_central(value=None, value_low=None, value_high=None) -> float:
    """The number to compare a claim by: its stated value, else the middle of its range.

    Parameters
    ----------
    value : float or None
        The central value claimed, ≥ 0; ``None`` or NaN if the claim gives only a range.
    value_low, value_high : float or None
        The claimed range, ≥ 0 and ``value_low ≤ value_high``; ``None`` or NaN for a missing
        end (a table's empty cell). One end alone is used as it is.

    Returns
    -------
    float
        The stated value if there is one, else the arithmetic middle of the range.

    Raises
    ------
    ValueError
        If nothing is given, or the range is reversed.

    Examples
    --------
    >>> claimed_central(None, 700, 1200)
    950.0
    >>> claimed_central(2000, 1000, 3000)
    2000.0
    """

    def given(x):
        missing = x is None or (isinstance(x, (float, np.floating)) and np.isnan(x))
        return not missing

    if given(value):
        return as_number(value, "value")
    lo = as_number(value_low, "value_low") if given(value_low) else None
    hi = as_number(value_high, "value_high") if given(value_high) else None
    if lo is None and hi is None:
        raise ValueError("value, value_low or value_high must be given; got none")
    if lo is not None and hi is not None:
        if lo > hi:
            raise ValueError(f"value_low must be ≤ value_high; got {lo:g} > {hi:g}")
        return (lo + hi) / 2
    return lo if lo is not None else hi


@calculator
def claim_ratio(claimed, recomputed):
    """Claimed ÷ recomputed: 1 means the claim matches, below 1 that it is too low.

    Parameters
    ----------
    claimed : float or array_like
        The claimed value, ≥ 0.
    recomputed : float or array_like
        The value the course computes from primary sources, > 0 (it divides).

    Returns
    -------
    float or ndarray
        Ratio [-].

    Examples
    --------
    The seed's Llama 3 70B range (middle 950 MWh) against 6.4M GPU-hours × 700 W:

    >>> round(claim_ratio(950, 4480), 2)
    0.21
    """
    c = as_array(claimed, "claimed")
    r = as_array(recomputed, "recomputed", low_open=True)
    return result(c / r)


@calculator
def percent_more(ratio):
    """A ratio as "percent more": 1.87 → 87 %.

    Parameters
    ----------
    ratio : float or array_like
        Ratio of two positive quantities, ≥ 0.

    Returns
    -------
    float or ndarray
        (ratio − 1) × 100 [%]; negative when the ratio is below 1.

    Examples
    --------
    >>> round(percent_more(1.87), 6)
    87.0
    """
    r = as_array(ratio, "ratio")
    return result((r - 1.0) * 100.0)
