"""Small dashboards: sliders wired to a calculator and a chart.

:func:`explorer` is the one pattern every chapter uses: a dict of controls, a ``draw`` function
that takes their values and returns a chart, and an output area that redraws on every change.
Sliders only offer valid ranges, so a learner cannot push a calculator into an error.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

from helpers import charts, lifecycle

__all__ = ["slider", "log_slider", "explorer", "timeline_frame", "crossover_explorer"]

_STYLE = {"description_width": "220px"}
_LAYOUT = widgets.Layout(width="560px")


def slider(description: str, value: float, min: float, max: float, step: float, fmt: str = ".2f"):
    """A labelled FloatSlider restricted to ``[min, max]``."""
    return widgets.FloatSlider(
        value=value,
        min=min,
        max=max,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style=_STYLE,
        layout=_LAYOUT,
    )


def log_slider(
    description: str,
    value: float,
    min_exp: float,
    max_exp: float,
    step: float = 0.05,
    fmt: str = ",.3g",
):
    """A FloatLogSlider from 10**min_exp to 10**max_exp, for quantities spanning decades."""
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=min_exp,
        max=max_exp,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style=_STYLE,
        layout=_LAYOUT,
    )


def explorer(draw: Callable[..., object], controls: dict[str, widgets.Widget]) -> widgets.VBox:
    """Wire ``controls`` to ``draw(**values)``; the returned box redraws on every change.

    Parameters
    ----------
    draw : callable
        Takes one keyword argument per control and returns something displayable (a chart).
    controls : dict
        Keyword name → widget.
    """
    out = widgets.interactive_output(lambda **kw: display(draw(**kw)), controls)
    box = widgets.VBox([*controls.values(), out])
    # Kept on the box so benchmarks and tests can drive the same callback without a browser.
    box.draw_function, box.control_widgets = draw, controls
    return box


def timeline_frame(training_energy_mwh, energy_per_query_wh, queries_per_day, pue=1.0, days=None):
    """Cumulative training and inference energy per day, in the long format charts use.

    ``days`` defaults to twice the crossover time, so the crossing sits mid-chart.
    """
    if days is None:
        end = 2 * lifecycle.crossover_days(
            training_energy_mwh, energy_per_query_wh, queries_per_day, pue
        )
        days = np.linspace(0.0, end, 121)
    inference = lifecycle.inference_energy_mwh(
        np.asarray(days) * queries_per_day, energy_per_query_wh, pue
    )
    n = len(days)
    return pd.DataFrame(
        {
            "day": np.concatenate([days, days]),
            "energy_mwh": np.concatenate([np.full(n, float(training_energy_mwh)), inference]),
            "phase": ["training"] * n + ["inference"] * n,
        }
    )


def _draw_crossover(training_energy_mwh, energy_per_query_wh, million_queries_per_day, pue):
    q = million_queries_per_day * 1e6
    day = lifecycle.crossover_days(training_energy_mwh, energy_per_query_wh, q, pue)
    frame = timeline_frame(training_energy_mwh, energy_per_query_wh, q, pue)
    title = f"Inference overtakes training after {day:,.0f} days"
    return charts.cumulative_energy(frame, crossover_day=day, title=title)


def crossover_explorer(
    training_energy_mwh: float = 2_000.0,
    energy_per_query_wh: float = 2.0,
    million_queries_per_day: float = 10.0,
    pue: float = 1.0,
) -> widgets.VBox:
    """Sliders for training energy, Wh per query, traffic and PUE, redrawing the crossover chart."""
    controls = {
        "training_energy_mwh": log_slider(
            "Training energy (MWh)", training_energy_mwh, 1, 5, fmt=",.0f"
        ),
        "energy_per_query_wh": log_slider("Energy per query (Wh)", energy_per_query_wh, -2, 1.5),
        "million_queries_per_day": log_slider(
            "Queries per day (millions)", million_queries_per_day, -1, 3.5
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01),
    }
    return explorer(_draw_crossover, controls)
