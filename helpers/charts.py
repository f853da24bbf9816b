"""Chart builders: a DataFrame in, an ``alt.Chart`` out, in one theme.

Every builder sets a title, axis titles with units and a ``description`` (read by screen readers
as the SVG's label). :func:`enable` switches on the offline SVG renderer and the theme; it is
called by :func:`helpers.setup`.

The palette is Okabe & Ito's colour-blind-safe set (Okabe, M. & Ito, K., "Color Universal Design",
2008, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

__all__ = [
    "PALETTE",
    "THEME",
    "enable",
    "training_energy_bars",
    "cumulative_energy",
    "energy_ladder",
    "table",
]

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
"""Okabe-Ito colours, blue first."""

THEME = "joules_jevons"
WIDTH = 560
HEIGHT = 300


@alt.theme.register(THEME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "range": {"category": PALETTE},
            "font": "DejaVu Sans",
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#444"},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "mark": {"color": PALETTE[0]},
        }
    }


def enable() -> None:
    """Render charts as SVG in the kernel (vl-convert, no network) and use the course theme."""
    alt.renderers.enable("svg")
    alt.theme.enable(THEME)


def training_energy_bars(runs: pd.DataFrame) -> alt.Chart:
    """Horizontal bars of training energy per run.

    Parameters
    ----------
    runs : DataFrame
        Columns ``model`` (str), ``energy_mwh`` (float) and ``basis`` (str: how the energy was
        obtained, e.g. "reported" or "GPU-hours × TDP (upper bound)").
    """
    return (
        alt.Chart(runs, title="Training energy of published runs")
        .mark_bar()
        .encode(
            x=alt.X("energy_mwh:Q", title="Training energy (MWh)", scale=alt.Scale(type="log")),
            y=alt.Y("model:N", title=None, sort="-x"),
            color=alt.Color("basis:N", title="How we got the energy"),
        )
        .properties(
            description="Bar chart of training energy in MWh for published model training runs, "
            "on a logarithmic axis, coloured by whether the energy was reported or computed.",
            height=alt.Step(22),
        )
    )


def cumulative_energy(
    timeline: pd.DataFrame, crossover_day: float | None = None, title: str | None = None
) -> alt.Chart:
    """Cumulative training and inference energy over time.

    Parameters
    ----------
    timeline : DataFrame
        Long format with columns ``day`` (float), ``energy_mwh`` (float) and ``phase``
        ("training" or "inference").
    crossover_day : float, optional
        Day on which inference has used as much energy as training; drawn as a rule.
    """
    base = alt.Chart(timeline)
    lines = base.mark_line(strokeWidth=3).encode(
        x=alt.X("day:Q", title="Days since launch"),
        y=alt.Y("energy_mwh:Q", title="Cumulative energy (MWh)"),
        color=alt.Color("phase:N", title=None, sort=["training", "inference"]),
        strokeDash=alt.StrokeDash("phase:N", sort=["training", "inference"], legend=None),
    )
    layers = [lines]
    if crossover_day is not None:
        rule = pd.DataFrame(
            {"day": [crossover_day], "label": [f"crossover: day {crossover_day:,.0f}"]}
        )
        layers.append(alt.Chart(rule).mark_rule(color="#444", strokeDash=[2, 2]).encode(x="day:Q"))
        layers.append(
            alt.Chart(rule)
            .mark_text(align="left", dx=4, dy=-6, baseline="top", color="#444", fontSize=12)
            .encode(x="day:Q", y=alt.value(0), text="label:N")
        )
    return alt.layer(*layers).properties(
        title=title or "When does inference overtake training?",
        description="Line chart of cumulative energy in MWh against days since launch: a flat "
        "line for the one-off training energy and a rising line for inference energy; a dashed "
        "vertical rule marks the day the two are equal.",
    )


def energy_ladder(items: pd.DataFrame) -> alt.Chart:
    """Points on a logarithmic energy axis, from one prompt to a whole training run.

    Parameters
    ----------
    items : DataFrame
        Columns ``label`` (str), ``energy_wh`` (float) and ``kind`` (str, e.g. "one query").
    """
    base = alt.Chart(items).encode(
        x=alt.X("energy_wh:Q", title="Energy (Wh, logarithmic)", scale=alt.Scale(type="log")),
        y=alt.Y("label:N", title=None, sort=alt.EncodingSortField("energy_wh")),
    )
    points = base.mark_point(filled=True, size=90).encode(color=alt.Color("kind:N", title=None))
    span = items["energy_wh"].max() / items["energy_wh"].min()
    return points.properties(
        title=f"From one prompt to one training run: a span of {span:.0e} times",
        description="Dot plot of energies in watt-hours on a logarithmic axis: single AI queries "
        "near a fraction of a watt-hour, training runs between hundreds of MWh and tens of GWh.",
        height=alt.Step(26),
    )


def table(df: pd.DataFrame, formats: dict | None = None):
    """A DataFrame as a left-aligned table without the index (a pandas Styler).

    Parameters
    ----------
    df : DataFrame
        The rows to show.
    formats : dict, optional
        Column → format string, e.g. ``{"energy_mwh": "{:,.0f}"}``.
    """
    styler = df.style.hide(axis="index").set_properties(**{"text-align": "left"})
    styler = styler.set_table_styles([{"selector": "th", "props": [("text-align", "left")]}])
    return styler.format(formats or {}, na_rep="–")
