"""Chapter 05, "A billion questions": the lever waterfall from a naive fleet to an optimised one,
and published per-query estimates on one axis (the fleet explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from helpers import (
    data,
    fleet,
    uncertainty,
)
from helpers.ui.controls import checkbox, dropdown, log_slider, slider
from helpers.ui.explorer import explorer
from helpers.ui.numbers import mass, number, usd
from helpers.ui.render import PALETTE
from helpers.ui.templates import two_step
from helpers.units import convert_energy

__all__ = [
    "STATUS_ORDER",
    "lever_waterfall",
    "per_query_spread",
    "FLEET_LEVERS",
    "QUERY_SPREAD",
    "lever_steps_frame",
    "fleet_figure",
    "fleet_explorer",
]


STATUS_ORDER = ["confirmed", "secondary", "derived", "unconfirmed"]
"""Order (and colours, by position in PALETTE) of the data status values."""


_WATERFALL_STEP = 84
"""Width of one waterfall bar's slot (px); fixed so the band whiskers sit beside the bars."""


def _lever_waterfall_encode(steps, value_title, title, order, band):
    kinds = ["total", "saving", "increase"]
    colours = [PALETTE[0], PALETTE[2], PALETTE[3]]
    x = alt.X("step:N", title=None, sort=list(order), axis=alt.Axis(labelAngle=0, labelLimit=110))
    base = alt.Chart(steps).encode(x=x)
    bars = base.mark_bar(size=46).encode(
        y=alt.Y("start:Q", title=value_title),
        y2=alt.Y2("end:Q"),
        color=alt.Color(
            "kind:N",
            title=None,
            scale=alt.Scale(domain=kinds, range=colours),
            legend=alt.Legend(
                labelExpr="datum.label == 'total' ? 'fleet total' : "
                "datum.label == 'saving' ? 'lever saves' : 'lever adds'"
            ),
        ),
    )
    labels = (
        base.mark_text(dy=-8, fontSize=11, color="#222")
        .encode(y=alt.Y("top:Q"), text=alt.Text("text:N"))
        .transform_calculate(top="max(datum.start, datum.end)")
    )
    layers = [bars, labels]
    if band:
        band = base.transform_filter("isValid(datum.low)")
        # xOffset counts from the left edge of the step: half a step plus half a bar and a gap
        offset = alt.XOffsetValue(_WATERFALL_STEP / 2 + 30)
        layers.append(
            band.mark_rule(color="#222", strokeWidth=1.5).encode(
                y=alt.Y("low:Q", title=value_title), y2=alt.Y2("high:Q"), xOffset=offset
            )
        )
        for end in ("low", "high"):
            layers.append(
                band.mark_tick(color="#222", thickness=1.5, size=12).encode(
                    y=alt.Y(f"{end}:Q", title=value_title), xOffset=offset
                )
            )
    return alt.layer(*layers).properties(
        title=title,
        width=alt.Step(_WATERFALL_STEP),
        description="Waterfall bar chart: the first bar is the naive fleet's total, each "
        "following bar shows how much one optimisation lever removes (or adds) from what the "
        "earlier levers left, and the last bar is the optimised total. Black whiskers beside "
        "the total bars, where shown, mark the 5 to 95 percent Monte Carlo band.",
    )


@two_step(_lever_waterfall_encode)
def lever_waterfall(steps: pd.DataFrame, value_title: str, title=None) -> alt.LayerChart:
    """Waterfall from a naive fleet to an optimised one, lever by lever.

    Parameters
    ----------
    steps : DataFrame
        One row per bar, in order (``lever_steps_frame`` builds it): ``step`` (str),
        ``start`` and ``end`` (float, the bar spans them), ``kind`` ("total", "saving" or
        "increase"), ``text`` (str, the label printed on the bar) and optionally ``low`` and
        ``high`` (float, the 5–95 % band of ``end``; NaN where there is none).
    value_title : str
        Axis title with its unit, e.g. "Energy per month (MWh)".
    title : str or alt.TitleParams, optional
    """
    return {
        "steps": steps,
        "value_title": value_title,
        "title": title or "From the naive fleet to the optimised fleet, lever by lever",
        "order": tuple(steps["step"]),
        "band": bool({"low", "high"} <= set(steps.columns) and steps["low"].notna().any()),
    }


def per_query_spread(estimates: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """Published energy-per-query estimates on one logarithmic axis.

    Parameters
    ----------
    estimates : DataFrame
        Columns ``label`` (str), ``energy_wh`` (float), ``energy_wh_low`` and
        ``energy_wh_high`` (float or NaN: a stated range, drawn as an error bar), ``status``
        (confirmed, secondary, derived, unconfirmed; the colour) and ``boundary_kind`` (str,
        what the estimate counts; the shape).
    """
    order = list(estimates.sort_values("energy_wh")["label"])
    y = alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=460))
    xscale = alt.Scale(type="log")
    ticks = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100]
    base = alt.Chart(estimates).encode(y=y)
    points = base.mark_point(filled=True, size=110, opacity=1).encode(
        x=alt.X(
            "energy_wh:Q",
            title="Energy per query (Wh, logarithmic)",
            scale=xscale,
            axis=alt.Axis(values=ticks, format="~g"),
        ),
        color=alt.Color(
            "status:N",
            title="Status",
            scale=alt.Scale(
                domain=STATUS_ORDER, range=[PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[3]]
            ),
            legend=alt.Legend(orient="right"),
        ),
        shape=alt.Shape(
            "boundary_kind:N", title="What it counts", legend=alt.Legend(orient="right")
        ),
    )
    bars = (
        base.transform_filter("isValid(datum.energy_wh_low)")
        .mark_rule(strokeWidth=2, color="#555")
        .encode(x=alt.X("energy_wh_low:Q", scale=xscale), x2=alt.X2("energy_wh_high:Q"))
    )
    span = estimates["energy_wh"].max() / estimates["energy_wh"].min()
    return (
        alt.layer(bars, points)
        .properties(
            title=title or f"Published energy per query: a spread of {span:,.0f} times",
            width=380,
            height=alt.Step(24),
            description="Dot plot of published energy-per-query estimates in watt-hours on a "
            "logarithmic axis, one row per estimate, coloured by how well we could confirm it and "
            "shaped by what the estimate counts (accelerators only, whole server, data centre, "
            "undisclosed); grey lines show stated ranges.",
        )
        .resolve_legend(color="independent", shape="independent")
    )


FLEET_LEVERS = {
    "quantization": "quantization-fp8-large-batch",
    "batching": "batching-mlenergy",
    "caching": "caching-seed",
    "newer_hardware": "newer-hardware",
    "utilization": "utilization-idle",
}
"""Explorer lever → the row of data/levers.csv it uses (central factor and range)."""


QUERY_SPREAD = 0.5
"""The explorer's band lets energy per query vary ±50 % around the slider (uniform): the seed's
1–3 Wh around its 2 Wh. Published estimates for different models differ far more."""


def lever_steps_frame(baseline, factors, chain=None, scale=1.0, names=("naive fleet", "optimised")):
    """The bars of a lever waterfall, in the format ``lever_waterfall`` draws.

    Parameters
    ----------
    baseline : float
        Starting value (e.g. kWh per month).
    factors : mapping of str to float
        Lever label → factor (value after ÷ before), applied in order with
        ``fleet.apply_levers``.
    chain : ndarray, optional
        Monte Carlo of the same chain, shape (levers + 1, draws), from
        ``uncertainty.lever_chain``; gives the 5–95 % band of the first and last bars.
    scale : float, default 1.0
        Multiplies every value (e.g. 1e-3 for kWh → MWh).
    names : pair of str
        Labels of the first and last bars.
    """
    values = np.asarray(fleet.apply_levers(baseline, list(factors.values())), dtype=float) * scale
    rows = [
        {
            "step": names[0],
            "start": 0.0,
            "end": values[0],
            "kind": "total",
            "text": number(values[0]),
        }
    ]
    for k, (label, f) in enumerate(factors.items(), start=1):
        rows.append(
            {
                "step": label,
                "start": values[k - 1],
                "end": values[k],
                "kind": "saving" if values[k] <= values[k - 1] else "increase",
                "text": f"×{f:.2g}",
            }
        )
    rows.append(
        {
            "step": names[1],
            "start": 0.0,
            "end": values[-1],
            "kind": "total",
            "text": number(values[-1]),
        }
    )
    frame = pd.DataFrame(rows)
    frame["low"] = np.nan
    frame["high"] = np.nan
    if chain is not None:
        lo, hi = np.percentile(np.asarray(chain) * scale, [5, 95], axis=1)
        frame.loc[0, ["low", "high"]] = lo[0], hi[0]
        frame.loc[len(frame) - 1, ["low", "high"]] = lo[-1], hi[-1]
    return frame


def fleet_figure(
    queries_per_month,
    energy_per_query_wh,
    pue,
    price_usd_per_kwh,
    region,
    n=20_000,
    seed=0,
    **levers,
):
    """The fleet explorer's figure, ``(builder, kwargs)``: a lever waterfall with 5–95 % bands
    and the bill in the title (see :func:`explorer`).

    Parameters
    ----------
    queries_per_month, energy_per_query_wh, pue, price_usd_per_kwh
        The service (Wh per query is IT energy before PUE).
    region : str
        Row id of ``data/grid_intensity.csv``.
    n, seed
        Monte Carlo draws and seed for the bands.
    **levers : bool
        One flag per key of :data:`FLEET_LEVERS`: apply that lever.
    """
    table = data.load("levers")
    chosen = [k for k in FLEET_LEVERS if levers.get(k)]
    rows = [table.loc[FLEET_LEVERS[k]] for k in chosen]
    factors = {
        k.replace("_", "-"): float(r.factor_central) for k, r in zip(chosen, rows, strict=True)
    }
    ranges = [
        uncertainty.Range.from_factors(
            r.factor_low, r.factor_central, r.factor_high, r.distribution
        )
        for r in rows
    ]
    naive = convert_energy(
        fleet.queries_energy_wh(queries_per_month, energy_per_query_wh, pue), "Wh", "kWh"
    )
    base_range = uncertainty.Range(naive * (1 - QUERY_SPREAD), naive * (1 + QUERY_SPREAD))
    chain = uncertainty.lever_chain(base_range, ranges, n=n, seed=seed)
    big = naive >= 1_000
    unit, scale = ("MWh", 1e-3) if big else ("kWh", 1.0)
    frame = lever_steps_frame(naive, factors, chain=chain, scale=scale)

    grid = data.load("grid_intensity").loc[region]
    gemini = data.load("per_query_footprint").loc["gemini-median-2025"]
    wue = fleet.implied_water_l_per_kwh(gemini.water_ml, gemini.energy_wh)
    final = float(fleet.apply_levers(naive, list(factors.values()))[-1])
    lo, hi = np.percentile(chain[-1], [5, 95])
    cost = fleet.electricity_cost_usd(np.array([final, lo, hi]), price_usd_per_kwh)
    co2 = fleet.emissions_kg_co2e(np.array([final, lo, hi]), grid.intensity_g_co2e_per_kwh)
    mass_unit, (co2_mid, co2_lo, co2_hi) = mass(co2)
    water = fleet.water_l(final, wue)
    title = alt.TitleParams(
        f"Optimised: {number(final * scale)} {unit} a month, {usd(cost[0])} of electricity",
        subtitle=[
            f"5–95 % band: {number(lo * scale)}–{number(hi * scale)} {unit}, "
            f"{usd(cost[1])}–{usd(cost[2])} a month",
            f"{co2_mid} {mass_unit} CO2e a month (band {co2_lo}–{co2_hi}) on {grid.region}: "
            f"{grid.intensity_g_co2e_per_kwh:.0f} g/kWh, {grid.accounting}",
            f"about {number(water)} L of cooling water a month at Google's {wue:.2f} L/kWh",
        ],
    )
    return lever_waterfall, dict(steps=frame, value_title=f"Energy per month ({unit})", title=title)


def fleet_explorer(
    queries_per_month: float = 1e7,
    energy_per_query_wh: float = 2.0,
    pue: float = 1.5,
    price_usd_per_kwh: float = 0.10,
    region: str = "world-2023-ember",
) -> widgets.VBox:
    """Sliders for traffic, Wh per query, PUE and price, a region menu and lever switches."""
    grid = data.load("grid_intensity")
    options = [
        (
            f"{r.region} {r.year}: {r.intensity_g_co2e_per_kwh:.0f} g/kWh "
            f"({r.accounting}, {r.scope})",
            i,
        )
        for i, r in grid.iterrows()
    ]
    controls = {
        "queries_per_month": log_slider(
            "Queries per month", queries_per_month, 5, 10, fmt=",.0f", name="queries_per_month"
        ),
        "energy_per_query_wh": log_slider(
            "Energy per query (Wh, IT)", energy_per_query_wh, -2, 1.5, name="energy_per_query_wh"
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01, name="pue"),
        "price_usd_per_kwh": slider(
            "Price (USD/kWh)",
            price_usd_per_kwh,
            0.03,
            0.30,
            0.005,
            fmt=".3f",
            name="price_usd_per_kwh",
        ),
        "region": dropdown("Grid", options, region, name="region"),
    }
    for k in FLEET_LEVERS:
        controls[k] = checkbox(f"Lever: {k.replace('_', '-')}", True)
    return explorer(fleet_figure, controls)
