"""One validator for every public calculator.

Every public calculator is wrapped by :func:`calculator` and passes its numbers through
:func:`as_array` (flags through :func:`as_flag`, names through :func:`as_choice`), so that the
whole package rejects bad input the same way, with the parameter's name, the allowed range and
the offending value in the message, and nothing reaches numpy that could fail deep inside it:

* a value of the wrong type (a string, even ``"1e7"``; bytes; a bool; None; an array of
  booleans, strings or objects) raises :class:`InputTypeError`, which is both a ``TypeError``
  and a ``ValueError`` (so code that catches ``ValueError`` keeps working);
* NaN, ±inf, a number too large for a float, a subnormal number (smaller in magnitude than
  about 2.2e-308, where floats lose their precision), an empty array or a value out of range
  raises ``ValueError``;
* arrays that cannot be broadcast together raise ``ValueError`` naming both parameters;
* a result that overflows to inf or NaN raises ``ValueError`` naming the function's result,
  unless the function returns ``inf`` on purpose and says so (``allow_inf=True``);
* numpy's floating-point warnings become these errors instead of printing.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Mapping
from numbers import Real

import numpy as np

__all__ = [
    "InputTypeError",
    "as_array",
    "as_number",
    "as_frame",
    "as_flag",
    "as_choice",
    "result",
    "calculator",
    "is_scalar_number",
]

TINY = float(np.finfo(float).tiny)
"""The smallest normal float, about 2.2e-308: below it (but above 0) precision is lost."""


class InputTypeError(TypeError, ValueError):
    """An input of the wrong type. Both a ``TypeError`` and, for callers written before the
    distinction, a ``ValueError``."""


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:g}"


def _range_text(low: float, high: float, low_open: bool, high_open: bool) -> str:
    left = "(" if low_open or math.isinf(low) else "["
    right = ")" if high_open or math.isinf(high) else "]"
    return f"{left}{_fmt(low)}, {_fmt(high)}{right}"


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _numeric(value, name: str, allowed: str) -> np.ndarray:
    """``value`` as a float array, or an error saying why it cannot be one."""
    if value is None or isinstance(value, str | bytes | bool | np.bool_):
        kind = "None" if value is None else type(value).__name__
        raise InputTypeError(f"{name} must be a number in {allowed}; got {kind} {_short(value)}")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError) as err:  # ragged lists and the like
        raise InputTypeError(
            f"{name} must be a number or an array of numbers; got {_short(value)}"
        ) from err
    if arr.dtype.kind == "O":
        items = arr.ravel().tolist()
        if not all(isinstance(v, Real) and not isinstance(v, bool) for v in items):
            raise InputTypeError(
                f"{name} must be a number or an array of numbers in {allowed}; got an array of "
                f"other objects {_short(value)}"
            )
        try:
            arr = np.array(items, dtype=float).reshape(arr.shape)
        except OverflowError:
            raise ValueError(
                f"{name} must be finite and in {allowed}; got a number too large for a float"
            ) from None
    elif arr.dtype.kind not in "iuf":
        what = {"b": "booleans", "U": "strings", "S": "bytes", "c": "complex numbers"}.get(
            arr.dtype.kind, f"{arr.dtype} values"
        )
        raise InputTypeError(
            f"{name} must be a number or an array of numbers in {allowed}; got an array of {what}"
        )
    return arr.astype(float, copy=False)


def as_array(
    value,
    name: str,
    *,
    low: float = 0.0,
    high: float = math.inf,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray:
    """Return ``value`` as a float array after checking its type and every element.

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
    InputTypeError
        For a value that is not a number (see the module docstring).
    ValueError
        If it is empty, or any element is NaN, infinite, subnormal or outside the range. The
        message names ``name`` and the allowed range.

    Examples
    --------
    >>> as_array([1, 2.5], "energy_wh")
    array([1. , 2.5])
    >>> as_array(-1, "energy_wh")
    Traceback (most recent call last):
    ...
    ValueError: energy_wh must be finite and in [0, inf); got -1
    """
    allowed = _range_text(low, high, low_open, high_open)
    arr = _numeric(value, name, allowed)
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    bad = ~np.isfinite(arr)
    bad |= (arr <= low) if low_open else (arr < low)
    bad |= (arr >= high) if high_open else (arr > high)
    where = "" if arr.ndim == 0 else f" (first bad element of {int(bad.sum())})"
    if bad.any():
        first = arr[bad].flat[0]
        raise ValueError(f"{name} must be finite and in {allowed}; got {_fmt(first)}{where}")
    subnormal = (arr != 0) & (np.abs(arr) < TINY)
    if subnormal.any():
        raise ValueError(
            f"{name} must be 0 or at least {TINY:.3g} in magnitude (smaller numbers lose their "
            f"precision); got {_fmt(arr[subnormal].flat[0])}"
        )
    return arr


def as_number(value, name: str, **bounds) -> float:
    """One number, checked as :func:`as_array` checks (same ``bounds``), as a Python float; an
    array raises ``ValueError`` naming ``name``.

    >>> as_number(0.5, "efficiency", high=1)
    0.5
    """
    arr = as_array(value, name, **bounds)
    if arr.ndim != 0:
        raise ValueError(f"{name} must be a single number; got an array of shape {arr.shape}")
    return float(arr)


def as_frame(value, name: str, columns):
    """``value`` if it is a pandas DataFrame with all of ``columns``; otherwise
    :class:`InputTypeError` (not a frame) or ``ValueError`` naming ``name`` and the missing
    columns."""
    import pandas as pd

    if not isinstance(value, pd.DataFrame):
        raise InputTypeError(f"{name} must be a pandas DataFrame; got {type(value).__name__}")
    missing = [c for c in columns if c not in value.columns]
    if missing:
        raise ValueError(f"{name} lacks the columns {missing}")
    return value


def as_flag(value, name: str) -> bool:
    """``value`` if it is ``True`` or ``False``; any other value (None, 0, "no") raises
    :class:`InputTypeError` naming ``name``.

    >>> as_flag(True, "strict")
    True
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    raise InputTypeError(f"{name} must be True or False; got {_short(value)}")


def as_choice(value, name: str, choices) -> str:
    """``value`` if it is one of the strings ``choices``; another string raises ``ValueError``,
    anything else :class:`InputTypeError`, both naming ``name`` and the choices.

    >>> as_choice("kWh", "unit", ["Wh", "kWh"])
    'kWh'
    """
    options = list(choices)
    if not isinstance(value, str):
        raise InputTypeError(f"{name} must be one of {options}; got {_short(value)}")
    if value not in options:
        raise ValueError(f"{name} must be one of {options}; got {value!r}")
    return value


def result(arr) -> float | np.ndarray:
    """Return a Python float for 0-d results and the array otherwise."""
    arr = np.asarray(arr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr


def is_scalar_number(value) -> bool:
    """True for a real, non-boolean scalar."""
    return isinstance(value, Real) and not isinstance(value, bool)


def _shapes(bound: inspect.BoundArguments) -> dict[str, tuple]:
    out = {}
    for name, value in bound.arguments.items():
        if isinstance(value, np.ndarray | list | tuple) and not isinstance(value, str):
            try:
                out[name] = np.shape(value)
            except ValueError:
                continue
    return out


def _mismatch(function, args, kwargs) -> str | None:
    """The first pair of parameters whose array shapes cannot be broadcast together."""
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except TypeError:
        return None
    shapes = _shapes(bound)
    names = list(shapes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            try:
                np.broadcast_shapes(shapes[a], shapes[b])
            except ValueError:
                return f"{a} (shape {shapes[a]}) and {b} (shape {shapes[b]})"
    return None


def _check_finite(out, where: str, allow_inf: bool) -> None:
    if isinstance(out, Mapping):
        for v in out.values():
            _check_finite(v, where, allow_inf)
    elif isinstance(out, tuple | list):
        for v in out:
            _check_finite(v, where, allow_inf)
    elif isinstance(out, float | np.floating | np.ndarray) and np.asarray(out).dtype.kind == "f":
        values = np.asarray(out)
        if np.isnan(values).any() or (not allow_inf and np.isinf(values).any()):
            raise ValueError(
                f"the result of {where} is not a finite number: the inputs are too large (or "
                "too small) to compute with in 64-bit floats"
            )


def calculator(function=None, *, allow_inf: bool = False):
    """Wrap a public calculator: numpy's floating-point problems, overflows and shape
    mismatches become ``ValueError`` with names, and a result must be finite (``inf`` allowed
    only with ``allow_inf=True``, for a function that returns ``inf`` on purpose and says so)."""

    def wrap(f):
        where = f"{f.__module__.removeprefix('helpers.')}.{f.__name__}"

        @functools.wraps(f)
        def call(*args, **kwargs):
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                    out = f(*args, **kwargs)
            except (FloatingPointError, OverflowError, ZeroDivisionError) as err:
                raise ValueError(
                    f"the result of {where} is not a finite number ({err}): the inputs are too "
                    "large (or too small) to compute with in 64-bit floats"
                ) from None
            except ValueError as err:
                if "broadcast" not in str(err) and "shape" not in str(err):
                    raise
                pair = _mismatch(f, args, kwargs)
                if pair is None:
                    raise
                raise ValueError(f"{where}: the shapes of {pair} do not match") from None
            _check_finite(out, where, allow_inf)
            return out

        call.checked = True
        return call

    return wrap if function is None else wrap(function)
