"""Energy units and the few constants that are definitions, not measurements.

Joule (J) is energy; watt (W) is power, one joule per second. A watt-hour (Wh) is the energy of
one watt for one hour, 3,600 J. kWh, MWh, GWh are 10^3, 10^6, 10^9 Wh.
"""

from __future__ import annotations

from helpers._validate import as_array, as_choice, calculator, result

__all__ = [
    "J_PER_WH",
    "W_PER_KW",
    "G_PER_KG",
    "KG_PER_T",
    "ML_PER_L",
    "PER_GIGA",
    "PER_TERA",
    "PER_BILLION",
    "HOURS_PER_DAY",
    "HOURS_PER_YEAR",
    "ENERGY_UNITS",
    "convert_energy",
]

J_PER_WH = 3600.0
"""Joules in one watt-hour (1 W × 3,600 s)."""
W_PER_KW = 1e3
"""Watts in a kilowatt (also Wh in a kWh)."""
G_PER_KG = 1e3
KG_PER_T = 1e3
ML_PER_L = 1e3
PER_GIGA = 1e9
"""G: giga (GB, GB/s, GFLOP)."""
PER_TERA = 1e12
"""T: tera (TFLOP/s)."""
PER_BILLION = 1e9
"""Parameter counts in the tables are in billions (``total_params_b``)."""

HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = 8760.0
"""Hours in a 365-day year."""

ENERGY_UNITS = {"J": 1.0 / J_PER_WH, "Wh": 1.0, "kWh": 1e3, "MWh": 1e6, "GWh": 1e9, "TWh": 1e12}
"""Size of each energy unit in watt-hours."""


@calculator
def convert_energy(value, from_unit: str, to_unit: str):
    """Convert an energy between J, Wh, kWh, MWh, GWh and TWh.

    Parameters
    ----------
    value : float or array_like
        Energy in ``from_unit``; finite and non-negative.
    from_unit, to_unit : str
        One of ``"J"``, ``"Wh"``, ``"kWh"``, ``"MWh"``, ``"GWh"``, ``"TWh"``.

    Examples
    --------
    >>> convert_energy(1, "kWh", "J")
    3600000.0
    """
    as_choice(from_unit, "from_unit", sorted(ENERGY_UNITS))
    as_choice(to_unit, "to_unit", sorted(ENERGY_UNITS))
    arr = as_array(value, "value")
    return result(arr * ENERGY_UNITS[from_unit] / ENERGY_UNITS[to_unit])
