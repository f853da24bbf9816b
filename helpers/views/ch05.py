"""Chapter 05, "A billion questions": the lever waterfall from a naive fleet to an optimised one,
and published per-query estimates on one axis (the fleet explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd

from helpers import data, fleet, uncertainty
from helpers.ui.controls import checkbox, dropdown, log_slider, slider
from helpers.ui.explorer import explorer
from helpers.ui.numbers import mass, number, usd
from helpers.ui.render import PALETTE
from helpers.ui.templates import two_step
from helpers.units import convert_energy

__all__ = [
    "EVIDENCE_ORDER",
    "BOUNDARY_KIND",
    "NOT_COMPARABLE",
    "lever_waterfall",
    "spread_frame",
    "comparable_spread",
    "per_query_spread",
    "lever_cases",
    "FLEET_LEVERS",
    "QUERY_SPREAD",
    "lever_steps_frame",
    "fleet_figure",
    "fleet_explorer",
]


EVIDENCE_ORDER = [
    "peer-reviewed",
    "measurement",
    "company disclosure",
    "model estimate",
    "blog or press",
]
"""The tables' ``evidence`` kinds, strongest first (data/datapackage.json)."""

_EVIDENCE_COLOURS = dict(zip(EVIDENCE_ORDER, [PALETTE[i] for i in (0, 2, 1, 4, 7)], strict=True))
"""Blue, green, orange, reddish purple, black: far apart, one per kind of evidence."""

_MODELLED = ("gpt4o", "llama33-70b", "o3", "deepseek-r1", "deepseek-r1-azure")
BOUNDARY_KIND = {
    "gemini-median-2025": "data centre, measured",
    "gemini-narrow-2025": "accelerators only",
    "epoch-gpt4o-2025": "data centre, modelled",
    **{f"howhungry-{m}-short": "data centre, modelled" for m in _MODELLED},
    **dict.fromkeys(("bloom-api-2022", "phm-text-generation"), "whole server, measured"),
    **dict.fromkeys(("altman-2025", "seed-004-query"), "undisclosed"),
}
"""What each row of data/inference_estimates.csv counts, in a few words (from its ``boundary``
column): the shape of its point in :func:`per_query_spread`."""

NOT_COMPARABLE = {
    "phm-text-generation": "10 generated tokens per query: a benchmark, not a chat answer",
    "gemini-narrow-2025": "accelerators only: part of the same prompt as Google's 0.24 Wh row",
}
"""The per-query estimates that measure something other than a whole chat answer, and why. The
comparable spread leaves them out; every other row stays in, however high or low."""


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


def spread_frame(estimates: pd.DataFrame) -> pd.DataFrame:
    """The per-query estimates as :func:`per_query_spread` draws them.

    Adds ``boundary_kind`` (:data:`BOUNDARY_KIND`), ``comparable`` (False for the rows of
    :data:`NOT_COMPARABLE`), ``why_not_comparable`` (its reason, or "") and marks the label of a
    row that is not comparable ("not comparable: " before it).
    """
    frame = estimates.copy()
    unknown = sorted(set(frame.index) - set(BOUNDARY_KIND))
    if unknown:
        raise ValueError(
            f"estimates: no boundary kind for rows {unknown}; add them to BOUNDARY_KIND"
        )
    frame["boundary_kind"] = frame.index.map(BOUNDARY_KIND)
    frame["why_not_comparable"] = frame.index.map(lambda i: NOT_COMPARABLE.get(i, ""))
    frame["comparable"] = frame["why_not_comparable"] == ""
    frame["label"] = frame["label"].where(frame["comparable"], "not comparable: " + frame["label"])
    return frame


def comparable_spread(frame: pd.DataFrame) -> float:
    """Largest ÷ smallest ``energy_wh`` among the rows of ``frame`` marked ``comparable``."""
    e = frame.loc[frame["comparable"], "energy_wh"]
    return float(e.max() / e.min())


def per_query_spread(estimates: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """Published energy-per-query estimates on one logarithmic axis, the comparable range shaded.

    Parameters
    ----------
    estimates : DataFrame
        As :func:`spread_frame` returns it: ``label`` (str), ``energy_wh`` (float),
        ``energy_wh_low`` and ``energy_wh_high`` (float or NaN: a stated range, drawn as an
        error bar), ``evidence`` (one of :data:`EVIDENCE_ORDER`; the colour),
        ``boundary_kind`` (str, what the estimate counts; the shape) and ``comparable`` (bool).
    """
    order = list(estimates.sort_values("energy_wh")["label"])
    kinds = [k for k in EVIDENCE_ORDER if k in set(estimates["evidence"])]  # only those shown
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
            "evidence:N",
            title="Kind of evidence",
            scale=alt.Scale(domain=kinds, range=[_EVIDENCE_COLOURS[k] for k in kinds]),
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
    comparable = estimates.loc[estimates["comparable"], "energy_wh"]
    shade = (
        alt.Chart(pd.DataFrame({"low": [comparable.min()], "high": [comparable.max()]}))
        .mark_rect(color="#000", opacity=0.07)
        .encode(x=alt.X("low:Q", scale=xscale), x2=alt.X2("high:Q"))
    )
    ratio = comparable_spread(estimates)
    full = estimates["energy_wh"].max() / estimates["energy_wh"].min()
    return (
        alt.layer(shade, bars, points)
        .properties(
            title=title
            or alt.TitleParams(
                f"Published energy per query: a spread of {ratio:,.0f} times among comparable "
                "estimates",
                subtitle=f"Shaded: the comparable estimates. With the two that are not "
                f"comparable, {full:,.0f} times.",
            ),
            width=380,
            height=alt.Step(24),
            description="Dot plot of published energy-per-query estimates in watt-hours on a "
            "logarithmic axis, one row per estimate, coloured by the kind of evidence and "
            "shaped by what the estimate counts (accelerators only, whole server, data centre, "
            "undisclosed); grey lines show stated ranges, and a shaded band spans the "
            f"comparable estimates, {ratio:,.0f} times from lowest to highest.",
        )
        .resolve_legend(color="independent", shape="independent")
    )


def lever_cases(baseline, factors, cases):
    """The lever chain's end when some levers are left out, one row per case: ``cases`` maps a
    case's name to the labels of ``factors`` (as for :func:`lever_steps_frame`) it leaves out,
    because the fleet is already past their baseline. Columns ``case``, ``levers left out``,
    ``optimised`` (``baseline`` after the other levers) and ``times less`` (baseline ÷ that)."""
    rows = []
    for case, left_out in cases.items():
        unknown = sorted(set(left_out) - set(factors))
        if unknown:
            raise ValueError(f"cases: {case!r} leaves out unknown levers {unknown}")
        kept = [f for label, f in factors.items() if label not in left_out]
        end = float(fleet.apply_levers(baseline, kept)[-1])
        rows.append((case, ", ".join(left_out) or "none", end, baseline / end))
    return pd.DataFrame(rows, columns=["case", "levers left out", "optimised", "times less"])


FLEET_LEVERS = {
    "quantization": "quantization-fp8-large-batch",
    "batching": "batching-mlenergy",
    "caching": "caching-seed",
    "newer_hardware": "newer-hardware",
    "utilization": "utilization-idle",
    "smaller_model": "smaller-model",
}
"""Explorer lever → the row of data/levers.csv it uses (central factor and range)."""

LEVERS_OFF_AT_START = ("smaller_model",)
"""Explorer levers that start switched off: a smaller model changes the answers, not only the
cost of giving them."""


_RANGE_COLUMNS = ("factor_low", "factor_central", "factor_high", "distribution")

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
    columns = ["step", "start", "end", "kind", "text"]
    rows = [(names[0], 0.0, values[0], "total", number(values[0]))]
    for k, (label, f) in enumerate(factors.items(), start=1):
        kind = "saving" if values[k] <= values[k - 1] else "increase"
        rows.append((label, values[k - 1], values[k], kind, f"×{f:.2g}"))
    rows.append((names[1], 0.0, values[-1], "total", number(values[-1])))
    frame = pd.DataFrame(rows, columns=columns)
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
    ranges = [uncertainty.Range.from_factors(*r[list(_RANGE_COLUMNS)]) for r in rows]
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
        controls[k] = checkbox(f"Lever: {k.replace('_', '-')}", k not in LEVERS_OFF_AT_START)
    return explorer(fleet_figure, controls)
