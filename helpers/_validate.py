"""One validator for every public calculator.

Each calculator passes its inputs through :func:`as_array`, so that every function in the package
rejects bad input with the same kind of message: the parameter's name, the allowed range and the
offending value. Nothing reaches numpy that could fail deep inside it.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = ["as_array", "result", "is_scalar_number"]


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


def _range_text(low: float, high: float, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    return f"{left}{_fmt(low)}, {_fmt(high)}{right}"


def as_array(
    value,
    name: str,
    *,
    low: float = 0.0,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array after checking every element.

    Parameters
    ----------
    value : float or array_like
        The input to check.
    name : str
        The parameter name used in the error message.
    low, high : float
        Bounds of the allowed range. By default ``[0, inf)``: finite and non-negative.
    low_open, high_open : bool
        Exclude the bound itself (use ``low_open=True`` where zero would divide).

    Raises
    ------
    ValueError
        If any element is not a real number, is NaN or infinite, or lies outside the range.
        The message names ``name`` and the allowed range.
    """
    allowed = _range_text(low, high, low_open, high_open)
    if isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be a number in {allowed}; got a boolean {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number in {allowed}; got {value!r}") from None
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = ~np.isfinite(arr)
    bad |= (arr <= low) if low_open else (arr < low)
    bad |= (arr >= high) if high_open else (arr > high)
    if bad.any():
        first = arr[bad].flat[0]
        where = "" if arr.ndim == 0 else f" (first bad element of {int(bad.sum())})"
        raise ValueError(f"{name} must be finite and in {allowed}; got {_fmt(first)}{where}")
    return arr


def result(arr) -> float | np.ndarray:
    """Return a Python float for 0-d results and the array otherwise."""
    arr = np.asarray(arr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def is_scalar_number(value) -> bool:
    """True for a real, non-boolean scalar."""
    return isinstance(value, Real) and not isinstance(value, bool)
