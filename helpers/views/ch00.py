"""Chapter 00, "Start here": the energy ladder, from one prompt to one training run.

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers.ui.numbers import number
from helpers.units import ENERGY_UNITS

__all__ = [
    "energy_ladder",
]


_UNIT_TICKS = {1.0: "1 Wh", 1e3: "1 kWh", 1e6: "1 MWh", 1e9: "1 GWh", 1e12: "1 TWh"}


def _energy_text(wh: float) -> str:
    """An energy in the largest unit from Wh up that keeps it at least 1 (below 1 Wh in Wh), as
    :func:`helpers.ui.numbers.number` writes it: ``_energy_text(2.1588e10) == '21.6 GWh'``."""
    units = [u for u in ENERGY_UNITS if u != "J"]
    unit = max((u for u in units if ENERGY_UNITS[u] <= wh), key=ENERGY_UNITS.get, default="Wh")
    return f"{number(wh / ENERGY_UNITS[unit])} {unit}"


def _span(items: pd.DataFrame, kind: str) -> str:
    energies = items.loc[items["kind"] == kind, "energy_wh"]
    lo, hi = _energy_text(energies.min()), _energy_text(energies.max())
    return lo if lo == hi else f"{lo} to {hi}"


def energy_ladder(items: pd.DataFrame) -> alt.Chart:
    """Points on a logarithmic energy axis labelled in Wh, kWh, MWh, GWh and TWh.

    Parameters
    ----------
    items : DataFrame
        Columns ``label`` (str), ``energy_wh`` (float) and ``kind`` (str, e.g. "one query").
    """
    lo, hi = items["energy_wh"].min(), items["energy_wh"].max()
    ticks = [v for v in _UNIT_TICKS if lo / 10 <= v <= hi * 10]
    label = " : ".join(f"datum.value == {v:g} ? '{name}'" for v, name in _UNIT_TICKS.items())
    decades = int(np.floor(np.log10(hi / lo)))
    return (
        alt.Chart(items)
        .mark_point(filled=True, size=110, opacity=1)
        .encode(
            x=alt.X(
                "energy_wh:Q",
                title="Energy (logarithmic axis)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(values=ticks, labelExpr=f"{label} : ''"),
            ),
            y=alt.Y(
                "label:N",
                title=None,
                sort=alt.EncodingSortField("energy_wh"),
                axis=alt.Axis(labelLimit=360),
            ),
            color=alt.Color("kind:N", title=None),
        )
        .properties(
            title=alt.Title(
                "From one prompt to one training run",
                subtitle=f"The largest energy here is more than 10^{decades} times the smallest",
            ),
            description="Dot plot of energies on a logarithmic axis marked at 1 Wh, 1 kWh, 1 MWh "
            "and 1 GWh, one dot per item and a colour per kind: "
            + "; ".join(f"{kind} from {_span(items, kind)}" for kind in items["kind"].unique())
            + ".",
            height=alt.Step(26),
        )
    )
