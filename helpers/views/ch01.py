"""Chapter 01, "Training vs inference": training energy of published runs, and the day inference
overtakes training (the crossover explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from helpers import fleet, lifecycle
from helpers.ui.controls import log_slider, slider
from helpers.ui.explorer import explorer
from helpers.ui.templates import two_step
from helpers.units import convert_energy

__all__ = [
    "PHASES",
    "training_energy_bars",
    "cumulative_energy",
    "timeline_frame",
    "crossover_explorer",
]


PHASES = ["training", "inference", "total"]


def training_energy_bars(runs: pd.DataFrame) -> alt.Chart:
    """Training energy per run as dots on a logarithmic axis (bars need a zero a log axis lacks).

    Parameters
    ----------
    runs : DataFrame
        Columns ``model`` (str), ``energy_mwh`` (float) and ``basis`` (str: how the energy was
        obtained, e.g. "reported by the source" or "GPU-hours × TDP (our upper bound)").
    """
    return (
        alt.Chart(runs, title="Training energy of published runs")
        .mark_point(filled=True, size=120, opacity=1)
        .encode(
            x=alt.X(
                "energy_mwh:Q",
                title="Training energy (MWh, logarithmic)",
                scale=alt.Scale(type="log"),
            ),
            y=alt.Y("model:N", title=None, sort="-x", axis=alt.Axis(labelLimit=320)),
            color=alt.Color("basis:N", title="How we got the energy"),
            shape=alt.Shape("basis:N", title="How we got the energy"),
        )
        .properties(
            description="Dot plot of training energy in MWh for published model training runs, "
            "on a logarithmic axis, coloured by whether the energy was reported by the source, "
            "computed from the source's GPU-hours and power, or bounded by the GPU's rated power.",
            height=alt.Step(24),
        )
        .configure_legend(orient="bottom", direction="vertical", labelLimit=400)
    )


def _cumulative_energy_encode(timeline, title, crossover=None):
    base = alt.Chart(timeline)
    lines = base.mark_line(strokeWidth=3).encode(
        x=alt.X("day:Q", title="Days since launch"),
        y=alt.Y("energy_mwh:Q", title="Cumulative energy (MWh)"),
        color=alt.Color("phase:N", title=None, sort=PHASES),
        strokeDash=alt.StrokeDash(
            "phase:N", sort=PHASES, legend=None, scale=alt.Scale(range=[[1, 0], [4, 2], [1, 3]])
        ),
    )
    layers = [lines]
    if crossover is not None:
        layers.append(
            alt.Chart(crossover).mark_rule(color="#444", strokeDash=[2, 2]).encode(x=alt.X("day:Q"))
        )
        layers.append(
            alt.Chart(crossover)
            .mark_text(align="left", dx=4, dy=-6, baseline="top", color="#444", fontSize=12)
            .encode(x=alt.X("day:Q"), y=alt.YValue(0), text=alt.Text("label:N"))
        )
    return alt.layer(*layers).properties(
        title=title,
        description="Line chart of cumulative energy in MWh against days since launch: a flat "
        "line for the one-off training energy, a rising line for inference energy and a dotted "
        "line for their total; a dashed vertical rule marks the day the first two are equal.",
    )


@two_step(_cumulative_energy_encode)
def cumulative_energy(
    timeline: pd.DataFrame, crossover_day: float | None = None, title: str | None = None
) -> alt.LayerChart:
    """Cumulative training and inference energy over time.

    Parameters
    ----------
    timeline : DataFrame
        Long format with columns ``day`` (float), ``energy_mwh`` (float) and ``phase``
        ("training", "inference" or "total").
    crossover_day : float, optional
        Day on which inference has used as much energy as training; drawn as a rule.
    """
    parts = {"timeline": timeline, "title": title or "When does inference overtake training?"}
    if crossover_day is not None:
        parts["crossover"] = pd.DataFrame(
            {"day": [crossover_day], "label": [f"crossover: day {crossover_day:,.0f}"]}
        )
    return parts


def timeline_frame(
    training_energy_mwh, energy_per_query_wh, queries_per_day, pue=1.0, days=None
) -> pd.DataFrame:
    """Cumulative training, inference and total energy per day, in the long format charts use.

    ``days`` defaults to twice the crossover time, so the crossing sits mid-chart.
    """
    if days is None:
        end = 2 * lifecycle.crossover_days(
            training_energy_mwh, energy_per_query_wh, queries_per_day, pue
        )
        days = np.linspace(0.0, end, 121)
    days = np.asarray(days, dtype=float)
    training = np.full(days.shape, float(training_energy_mwh))
    inference = convert_energy(
        fleet.queries_energy_wh(days * queries_per_day, energy_per_query_wh, pue), "Wh", "MWh"
    )
    phases = {"training": training, "inference": inference, "total": training + inference}
    return pd.DataFrame(
        {
            "day": np.tile(days, len(phases)),
            "energy_mwh": np.concatenate(list(phases.values())),
            "phase": np.repeat(list(phases), days.size),
        }
    )


def _draw_crossover(training_energy_mwh, energy_per_query_wh, million_queries_per_day, pue):
    q = million_queries_per_day * 1e6
    day = lifecycle.crossover_days(training_energy_mwh, energy_per_query_wh, q, pue)
    frame = timeline_frame(training_energy_mwh, energy_per_query_wh, q, pue)
    title = f"Inference overtakes training after {day:,.0f} days"
    return cumulative_energy, dict(timeline=frame, crossover_day=day, title=title)


def crossover_explorer(
    training_energy_mwh: float = 2_000.0,
    energy_per_query_wh: float = 2.0,
    million_queries_per_day: float = 10.0,
    pue: float = 1.0,
) -> widgets.VBox:
    """Sliders for training energy, Wh per query, traffic and PUE, redrawing the crossover chart."""
    controls = {
        "training_energy_mwh": log_slider(
            "Training energy (MWh)",
            training_energy_mwh,
            1,
            5,
            fmt=",.0f",
            name="training_energy_mwh",
        ),
        "energy_per_query_wh": log_slider(
            "Energy per query (Wh)", energy_per_query_wh, -2, 1.5, name="energy_per_query_wh"
        ),
        "million_queries_per_day": log_slider(
            "Queries per day (millions)",
            million_queries_per_day,
            -1,
            3.5,
            name="million_queries_per_day",
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01, name="pue"),
    }
    return explorer(_draw_crossover, controls)
