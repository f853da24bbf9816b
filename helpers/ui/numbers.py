"""Numbers as people read them, in tables, chart titles and labels: one format for the course."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["number", "usd", "mass"]


def number(x) -> str:
    """Thousands separators from 100 up, three significant digits below; a dash for a missing
    value.

    >>> [number(v) for v in (6e6, 1952.4, 41.27, 0.000241, None)]
    ['6,000,000', '1,952', '41.3', '0.000241', '–']
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


def usd(x) -> str:
    """US dollars: whole dollars from 100 up, cents below.

    >>> usd(2000.4), usd(41.5), usd(0.0123)
    ('$2,000', '$41.50', '$0.01')
    """
    return f"${x:,.0f}" if abs(x) >= 100 else f"${x:,.2f}"


def mass(kg) -> tuple[str, list[str]]:
    """A unit for masses ``kg`` (t from one tonne up, else kg) and the masses in it.

    >>> mass([1500.0, 30000.0])
    ('t', ['1.5', '30'])
    """
    kg = np.asarray(kg, dtype=float)
    unit, div = ("t", 1e3) if kg.max() >= 1_000 else ("kg", 1.0)
    return unit, [number(v / div) for v in np.atleast_1d(kg)]
