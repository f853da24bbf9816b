"""Chart builders: a DataFrame in, an ``alt.Chart`` out, in one theme.

Every builder sets a title, axis titles with units and a ``description`` (read by screen readers
as the SVG's label). Encodings are channel objects (``alt.X("day:Q")``), never shorthand
strings: Altair converts a shorthand through ``from_dict``, about 5 ms each (tests/test_charts.py).
The theme, the palette and how a chart becomes a picture are in :mod:`helpers.render`.
"""

from __future__ import annotations

import hashlib

import altair as alt
import numpy as np
import pandas as pd

from helpers import live
from helpers.render import PALETTE, WIDTH

__all__ = [
    "training_energy_bars",
    "cumulative_energy",
    "energy_ladder",
    "table",
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


@live.two_step(_cumulative_energy_encode)
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


_UNIT_TICKS = {1.0: "1 Wh", 1e3: "1 kWh", 1e6: "1 MWh", 1e9: "1 GWh", 1e12: "1 TWh"}


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
            "and 1 GWh: single AI queries at a fraction of a watt-hour, training runs between "
            "hundreds of MWh and tens of GWh.",
            height=alt.Step(26),
        )
    )


class Table:
    """A formatted table for a notebook: HTML from a pandas Styler, a one-line summary as text.

    The summary replaces the Styler's ``<... Styler at 0x7f...>``, whose memory address changed
    on every run, so that re-executing a notebook leaves its committed outputs unchanged.
    """

    def __init__(self, styler, frame: pd.DataFrame):
        self.styler, self.data = styler, frame

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def __repr__(self) -> str:
        rows, cols = self.data.shape
        return f"<Table: {rows} rows × {cols} columns: {', '.join(map(str, self.data.columns))}>"


def table(df: pd.DataFrame, formats: dict | None = None) -> Table:
    """A DataFrame as a left-aligned table without the index (a :class:`Table`).

    Parameters
    ----------
    df : DataFrame
        The rows to show.
    formats : dict, optional
        Column → format string, e.g. ``{"energy_mwh": "{:,.0f}"}``. Other float columns show
        four significant digits.
    """
    cell = [("text-align", "left"), ("vertical-align", "top"), ("white-space", "normal")]
    # A table id derived from the content (pandas picks a random one), so re-running a notebook
    # leaves its committed output unchanged.
    uid = hashlib.sha1(df.to_csv().encode()).hexdigest()[:10]
    styler = (
        df.style.set_uuid(uid)
        .hide(axis="index")
        .set_table_styles(
            [
                {"selector": "th", "props": cell},
                {"selector": "td", "props": [*cell, ("max-width", "36em")]},
            ]
        )
    )
    default = {c: "{:,.4g}" for c in df.select_dtypes("float").columns}
    return Table(styler.format({**default, **(formats or {})}, na_rep="–"), df)


# --- chapter 05: per-query scaling ---------------------------------------------------------

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


@live.two_step(_lever_waterfall_encode)
def lever_waterfall(steps: pd.DataFrame, value_title: str, title=None) -> alt.LayerChart:
    """Waterfall from a naive fleet to an optimised one, lever by lever.

    Parameters
    ----------
    steps : DataFrame
        One row per bar, in order (``widgets.lever_steps_frame`` builds it): ``step`` (str),
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


# --- chapter 02: the cost of thinking ------------------------------------------------------

ANSWER_PARTS = ["prompt", "reasoning", "answer"]
"""Order of the parts of one answer in stacked bars (prompt = prefill; the others = decode)."""

REGIMES = ["memory-bound", "compute-bound"]


def _with_regime_joins(frame: pd.DataFrame, x: str) -> pd.DataFrame:
    """Repeat the first point of each new regime under the old one, so dashed and solid
    segments of a line meet instead of leaving a gap."""
    rows = []
    for _, g in frame.groupby("series", sort=False):
        g = g.sort_values(x)
        recs = g.to_dict("records")
        for i, rec in enumerate(recs):
            rows.append(rec)
            if i + 1 < len(recs) and recs[i + 1]["regime"] != rec["regime"]:
                rows.append({**recs[i + 1], "regime": rec["regime"]})
    return pd.DataFrame(rows)


def energy_per_token_lines(
    frame: pd.DataFrame, x: str = "batch_size", title: str | None = None
) -> alt.Chart:
    """Energy per generated token on log-log axes, one line per series; solid where the
    decode step is memory-bound, dashed where it is compute-bound.

    Parameters
    ----------
    frame : DataFrame
        Columns ``x`` (``batch_size`` or ``context_tokens``), ``energy_per_token_j``,
        ``series`` (str) and ``regime`` ("memory-bound" or "compute-bound").
    x : str
        Which column goes on the horizontal axis.
    """
    x_titles = {
        "batch_size": "Batch size (sequences decoded together, log)",
        "context_tokens": "Context length (tokens already in the KV cache, log)",
    }
    if x not in x_titles:
        raise ValueError(f"x must be one of {list(x_titles)}; got {x!r}")
    data = _with_regime_joins(frame, x)
    order = list(dict.fromkeys(frame["series"]))
    chart = (
        alt.Chart(data)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X(f"{x}:Q", title=x_titles[x], scale=alt.Scale(type="log", nice=False)),
            y=alt.Y(
                "energy_per_token_j:Q",
                title="Energy per generated token (J, log)",
                scale=alt.Scale(type="log"),
            ),
            color=alt.Color("series:N", title=None, sort=order, legend=alt.Legend(labelLimit=320)),
            strokeDash=alt.StrokeDash(
                "regime:N",
                title=None,
                sort=REGIMES,
                scale=alt.Scale(domain=REGIMES, range=[[1, 0], [6, 4]]),
            ),
            detail=alt.Detail("regime:N"),
        )
    )
    what = "batch size" if x == "batch_size" else "context length"
    return chart.properties(
        title=title or f"Energy per token against {what}",
        description=f"Line chart on logarithmic axes of the energy per generated token in joules "
        f"against {what}, one line per scenario; solid segments are memory-bound decode steps, "
        "dashed segments compute-bound ones.",
    ).resolve_legend(color="independent", strokeDash="independent")


def weights_read_lines(frame: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """Share of a model's parameters read per decode step against batch size.

    Parameters
    ----------
    frame : DataFrame
        Columns ``batch_size``, ``share_read`` (0–1) and ``series`` (str).
    """
    order = list(dict.fromkeys(frame["series"]))
    return (
        alt.Chart(frame)
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X(
                "batch_size:Q",
                title="Batch size (tokens decoded together, log)",
                scale=alt.Scale(type="log", nice=False),
            ),
            y=alt.Y(
                "share_read:Q",
                title="Share of all parameters read per step",
                axis=alt.Axis(format="%"),
            ),
            color=alt.Color("series:N", title=None, sort=order, legend=alt.Legend(labelLimit=320)),
        )
        .properties(
            title=title or "A mixture of experts reads more of itself as the batch grows",
            description="Line chart: the share of all parameters read in one decode step against "
            "the batch size on a logarithmic axis; a dense model is flat at 100 %, a mixture of "
            "experts starts at its active share and climbs towards 100 %.",
        )
    )


def _answer_energy_bars_encode(parts, unit, title):
    return (
        alt.Chart(parts)
        .mark_bar()
        .encode(
            x=alt.X("sum(energy):Q", title=f"Energy per answer ({unit})"),
            y=alt.Y(
                "scenario:N",
                title=None,
                sort=alt.EncodingSortField("scenario_order", op="min"),
                axis=alt.Axis(labelLimit=340),
            ),
            color=alt.Color(
                "part:N",
                title="Spent on",
                sort=ANSWER_PARTS,
                scale=alt.Scale(domain=ANSWER_PARTS, range=[PALETTE[5], PALETTE[3], PALETTE[0]]),
            ),
            order=alt.Order("part_order:Q"),
        )
        .transform_calculate(part_order="indexof(['prompt', 'reasoning', 'answer'], datum.part)")
        .properties(
            title=title,
            description=f"Stacked horizontal bars of the energy of one answer in {unit}, split "
            "into reading the prompt, writing the chain of thought and writing the visible answer, "
            "one bar per scenario.",
            height=alt.Step(34),
        )
    )


@live.two_step(_answer_energy_bars_encode)
def answer_energy_bars(
    parts: pd.DataFrame, unit: str = "J", title: str | None = None, subtitle: str | None = None
) -> alt.Chart:
    """Stacked horizontal bars: the energy of one answer split into prompt, reasoning and answer.

    Parameters
    ----------
    parts : DataFrame
        Long format: ``scenario`` (str), ``part`` ("prompt", "reasoning" or "answer") and
        ``energy_j`` (float). Bars keep the order in which scenarios first appear.
    unit : {"J", "Wh"}
        Unit of the axis.
    title, subtitle : str, optional
        Chart title and a line under it.
    """
    factor = {"J": 1.0, "Wh": 1 / 3600.0}
    if unit not in factor:
        raise ValueError(f"unit must be one of {list(factor)}; got {unit!r}")
    first_seen = {name: i for i, name in enumerate(dict.fromkeys(parts["scenario"]))}
    return {
        "parts": parts.assign(
            energy=parts["energy_j"] * factor[unit],
            scenario_order=parts["scenario"].map(first_seen),
        ),
        "unit": unit,
        "title": alt.Title(title or "Where the energy of one answer goes", subtitle=subtitle or ""),
    }


def model_vs_measurement(frame: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """Model ÷ measurement for each published figure, on a log axis with a rule at 1.

    Parameters
    ----------
    frame : DataFrame
        Columns ``label`` (str), ``ratio`` (model ÷ measured, > 0) and ``role`` (str, e.g.
        "calibrated on" or "check").
    """
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=330)),
    )
    points = base.mark_point(filled=True, size=100).encode(
        x=alt.X(
            "ratio:Q",
            title="Model ÷ measurement (log; 1 = exact)",
            scale=alt.Scale(type="log", domain=[0.1, 10]),
        ),
        color=alt.Color("role:N", title=None),
        shape=alt.Shape("role:N", title=None),
    )
    one = (
        alt.Chart(pd.DataFrame({"ratio": [1.0]})).mark_rule(color="#444").encode(x=alt.X("ratio:Q"))
    )
    band = (
        alt.Chart(pd.DataFrame({"lo": [0.5], "hi": [2.0]}))
        .mark_rect(color="#e6e6e6", opacity=0.5)
        .encode(x=alt.X("lo:Q"), x2=alt.X2("hi:Q"))
    )
    return alt.layer(band, one, points).properties(
        title=title or "How far the one-factor model is from each measurement",
        description="Dot plot of the ratio of modelled to measured values on a logarithmic axis "
        "from 0.1 to 10, one row per published measurement; a vertical rule marks an exact fit "
        "and a grey band a factor of two either way.",
        height=alt.Step(26),
    )


# --- chapter 03: rebound effects (Jevons vs the vacuum cleaner) ------------------------------

_REBOUND_SERIES = ["after the gain", "before the gain", "engineering estimate (no rebound)"]
_BACKFIRE_FILL = "#D55E00"


def _backfire_layers(band: pd.DataFrame) -> list:
    rect = (
        alt.Chart(band)
        .mark_rect(color=_BACKFIRE_FILL, opacity=0.12)
        .encode(x=alt.X("x:Q"), x2=alt.X2("x2:Q"))
    )
    text = (
        alt.Chart(band)
        .mark_text(align="left", baseline="top", dx=6, dy=6, color=_BACKFIRE_FILL, fontSize=12)
        .encode(x=alt.X("x:Q"), y=alt.YValue(0), text=alt.Text("label:N"))
    )
    return [rect, text]


def _rebound_energy_vs_elasticity_encode(curve, x_domain, title, band=None, marker=None):
    lines = (
        alt.Chart(curve)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X(
                "elasticity:Q",
                title="Price elasticity of demand for the service (magnitude)",
                scale=alt.Scale(domain=list(x_domain), nice=False),
            ),
            y=alt.Y("energy_pct:Q", title="Energy use (% of before the gain)"),
            color=alt.Color(
                "series:N",
                title=None,
                sort=_REBOUND_SERIES,
                scale=alt.Scale(domain=_REBOUND_SERIES, range=["#0072B2", "#444444", "#009E73"]),
                legend=alt.Legend(labelLimit=400),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                sort=_REBOUND_SERIES,
                title=None,
                scale=alt.Scale(domain=_REBOUND_SERIES, range=[[1, 0], [2, 2], [6, 3]]),
                legend=alt.Legend(labelLimit=400),
            ),
        )
    )
    layers = [] if band is None else _backfire_layers(band)
    layers.append(lines)
    if marker is not None:
        layers.append(
            alt.Chart(marker)
            .mark_rule(color="#000000", strokeWidth=1)
            .encode(x=alt.X("elasticity:Q"))
        )
    return alt.layer(*layers).properties(
        title=title,
        description="Line chart of energy use as a percentage of its level before an "
        "efficiency gain, against the price elasticity of demand: a flat dashed line at 100 % "
        "(before), a flat dashed line at the engineering estimate (no rebound) and a rising line "
        "for energy after the gain. The region where energy after the gain exceeds energy before "
        "(backfire) is shaded.",
    )


@live.two_step(_rebound_energy_vs_elasticity_encode)
def rebound_energy_vs_elasticity(
    curve: pd.DataFrame,
    backfire_elasticity: float,
    marker: float | None = None,
    title=None,
) -> alt.LayerChart:
    """Energy use before and after an efficiency gain, against the price elasticity of demand.

    Parameters
    ----------
    curve : DataFrame
        Long format: ``elasticity`` (float), ``energy_pct`` (energy as % of before the gain) and
        ``series`` (one of "after the gain", "before the gain", "engineering estimate (no
        rebound)"), e.g. from :func:`helpers.widgets.rebound_frame`.
    backfire_elasticity : float
        Elasticity above which energy rises; the region beyond it is shaded (nothing is shaded
        if it lies beyond the curve, e.g. ``inf`` when a ceiling rules backfire out).
    marker : float, optional
        An elasticity to mark with a vertical rule (the explorer's current value).
    title : str or alt.TitleParams, optional
    """
    x_domain = (float(curve["elasticity"].min()), float(curve["elasticity"].max()))
    parts = {
        "curve": curve,
        "x_domain": x_domain,
        "title": title or "More elastic demand takes back more of the saving",
    }
    if backfire_elasticity < x_domain[1]:
        parts["band"] = pd.DataFrame(
            {"x": [backfire_elasticity], "x2": [x_domain[1]], "label": ["backfire (Jevons)"]}
        )
    if marker is not None:
        parts["marker"] = pd.DataFrame({"elasticity": [marker]})
    return parts


def rebound_two_stories(stories: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """Energy after an efficiency gain for two parameter settings: steam engine vs vacuum cleaner.

    Parameters
    ----------
    stories : DataFrame
        Long format: ``efficiency_gain_pct`` (float, %), ``energy_pct`` (energy as % of before)
        and ``story`` (str, one line per story), e.g. from
        :func:`helpers.widgets.two_stories_frame`.
    """
    base = alt.Chart(stories).encode(
        x=alt.X(
            "efficiency_gain_pct:Q", title="Efficiency gain (% less energy per unit of service)"
        ),
        y=alt.Y("energy_pct:Q", title="Energy use (% of before the gain)"),
    )
    lines = base.mark_line(strokeWidth=3).encode(
        color=alt.Color("story:N", title=None, legend=alt.Legend(labelLimit=400)),
        strokeDash=alt.StrokeDash("story:N", title=None, legend=alt.Legend(labelLimit=400)),
    )
    ref = pd.DataFrame({"energy_pct": [100.0], "label": ["before the gain"]})
    rule = alt.Chart(ref).mark_rule(color="#444", strokeDash=[2, 2]).encode(y=alt.Y("energy_pct:Q"))
    text = (
        alt.Chart(ref)
        .mark_text(align="right", baseline="top", dx=-4, dy=4, color="#444", fontSize=12)
        .encode(y=alt.Y("energy_pct:Q"), x=alt.XValue(WIDTH), text=alt.Text("label:N"))
    )
    return alt.layer(rule, text, lines).properties(
        title=title or "Same efficiency gain, opposite outcomes",
        description="Line chart of energy use as a percentage of its level before, against the "
        "efficiency gain in percent, for two settings of one rebound model: with no ceiling on "
        "demand (the steam engine) energy rises above 100 %; with demand already at its ceiling "
        "(the vacuum cleaner) energy falls in proportion to the gain.",
    )


def ai_trend_index(trends: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """AI usage and efficiency as indices on a logarithmic axis.

    Parameters
    ----------
    trends : DataFrame
        Columns ``date`` (str, "YYYY-MM"), ``index`` (float, value ÷ value at the first date)
        and ``series`` (str).
    """
    base = alt.Chart(trends).encode(
        # A UTC scale: "YYYY-MM" strings are read as UTC dates, so ticks and labels in UTC
        # too, or a learner's time zone would shift every tick (and change the picture).
        x=alt.X(
            "date:T",
            title="Month",
            scale=alt.Scale(type="utc"),
            axis=alt.Axis(format="%b %Y", tickCount="month"),
        ),
        y=alt.Y(
            "index:Q",
            title="Relative to May 2024 (logarithmic)",
            scale=alt.Scale(type="log"),
            axis=alt.Axis(format="~g", values=[0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000]),
        ),
        color=alt.Color("series:N", title=None, legend=alt.Legend(labelLimit=400)),
    )
    lines = base.mark_line(strokeWidth=3, point=alt.OverlayMarkDef(size=70, filled=True))
    labels = base.mark_text(align="left", dx=8, dy=-10, fontSize=11).encode(
        text=alt.Text("index:Q", format=",.3~g")
    )
    return alt.layer(lines, labels).properties(
        title=title or "Energy per prompt fell; tokens processed rose much faster",
        description="Line chart on a logarithmic axis, relative to May 2024: Google's monthly "
        "tokens processed rise from 1 to about 330 by May 2026, while the energy per median "
        "Gemini prompt falls from 1 to about 0.03 by May 2025.",
    )


_ADOPTION_SERIES = ["total energy", "users", "energy per user"]


def adoption_path(path: pd.DataFrame, peak_year: float | None = None, title: str | None = None):
    """Users, energy per user and total energy over time under logistic adoption.

    Parameters
    ----------
    path : DataFrame
        Long format: ``year`` (float), ``ratio`` (float, relative to year 0) and ``series``
        (str), e.g. from :func:`helpers.widgets.adoption_frame`.
    peak_year : float, optional
        Year in which total energy peaks; drawn as a rule.
    """
    lines = (
        alt.Chart(path)
        .mark_line(strokeWidth=3)
        .encode(
            x=alt.X("year:Q", title="Years from now"),
            y=alt.Y(
                "ratio:Q",
                title="Relative to today (logarithmic)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(format="~g", values=[0.001, 0.01, 0.1, 1, 10, 100, 1000]),
            ),
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=_ADOPTION_SERIES),
                legend=alt.Legend(labelLimit=400),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                title=None,
                scale=alt.Scale(domain=_ADOPTION_SERIES),
                legend=alt.Legend(labelLimit=400),
            ),
        )
    )
    layers = [lines]
    if peak_year is not None:
        peak = pd.DataFrame({"year": [peak_year], "label": [f"peak: year {peak_year:.1f}"]})
        layers.append(
            alt.Chart(peak).mark_rule(color="#444", strokeDash=[2, 2]).encode(x=alt.X("year:Q"))
        )
        layers.append(
            alt.Chart(peak)
            .mark_text(align="left", dx=4, baseline="top", dy=4, color="#444", fontSize=12)
            .encode(x=alt.X("year:Q"), y=alt.YValue(0), text=alt.Text("label:N"))
        )
    return alt.layer(*layers).properties(
        title=title or "New users first, efficiency later: energy rises, then falls",
        description="Line chart on a logarithmic axis of three quantities relative to today "
        "over the coming years: users (a logistic adoption curve) rise and level off, energy "
        "per user falls steadily, and total energy first rises and then falls; a dashed rule "
        "marks the peak.",
    )


# --- chapter 04: who pays for the idle GPU ---------------------------------------------------

_HOURS_AXIS_TICKS = [10, 30, 100, 300, 1000, 3000, 8760]
_USD_TICKS = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000]
_CARD_LEGEND = alt.Legend(
    orient="bottom", direction="vertical", labelLimit=400, symbolType="stroke"
)


def _hours_x(title: str = "Hours used per year (logarithmic axis)") -> alt.X:
    return alt.X(
        "hours_per_year:Q",
        title=title,
        scale=alt.Scale(type="log", domain=[10, 8760], nice=False),
        axis=alt.Axis(values=_HOURS_AXIS_TICKS, format=",.0f"),
    )


def _hour_markers_frame(markers: pd.DataFrame) -> pd.DataFrame:
    """``markers`` with each label's row (``y_px``) and side (``left``) for :func:`_hour_markers`."""
    return markers.reset_index(drop=True).assign(
        y_px=lambda d: 6 + 16 * d.index.to_numpy(), left=lambda d: d.hours_per_year < 200
    )


def _hour_markers(m: pd.DataFrame) -> list:
    """Dashed vertical rules at ``m.hours_per_year``, labelled in rows at the top.

    Labels sit to the left of their rule (to the right for rules near the left edge), one row
    per marker, where the falling cost lines leave the chart empty. ``m`` comes from
    :func:`_hour_markers_frame`.
    """
    rules = (
        alt.Chart(m).mark_rule(color="#444", strokeDash=[3, 3]).encode(x=alt.X("hours_per_year:Q"))
    )
    layers = [rules]
    for test, align, dx in (("!datum.left", "right", -4), ("datum.left", "left", 4)):
        layers.append(
            alt.Chart(m)
            .transform_filter(test)
            .mark_text(align=align, baseline="top", dx=dx, color="#444", fontSize=11)
            .encode(
                x=alt.X("hours_per_year:Q"),
                y=alt.Y("y_px:Q", scale=None, axis=None),
                text=alt.Text("label:N"),
            )
        )
    return layers


def _card_order(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``card_order``: the order in which each card first appears (legend order)."""
    first_seen = {name: i for i, name in enumerate(dict.fromkeys(frame["card"]))}
    return frame.assign(card_order=frame["card"].map(first_seen))


_BY_CARD_ORDER = alt.EncodingSortField("card_order", op="min")


def _cost_per_hour_lines_encode(curves, title, markers=None, price=None):
    lines = (
        alt.Chart(curves)
        .mark_line(strokeWidth=3)
        .encode(
            x=_hours_x(),
            y=alt.Y(
                "cost_usd_per_hour:Q",
                title="Cost per hour of use (USD/h, logarithmic axis)",
                scale=alt.Scale(type="log"),
                axis=alt.Axis(values=_USD_TICKS, format="$,.2~f"),
            ),
            color=alt.Color("card:N", title=None, sort=_BY_CARD_ORDER, legend=_CARD_LEGEND),
            strokeDash=alt.StrokeDash("card:N", sort=_BY_CARD_ORDER, legend=None),
        )
    )
    layers = [lines]
    if markers is not None:
        layers += _hour_markers(markers)
    if price is not None:
        layers.append(
            alt.Chart(price)
            .mark_rule(color="#000000", strokeWidth=1.5)
            .encode(y=alt.Y("cost_usd_per_hour:Q"))
        )
        layers.append(
            alt.Chart(price)
            .mark_text(
                align="left",
                baseline="bottom",
                dx=4,
                dy=-3,
                color="#000000",
                fontSize=12,
                fontWeight="bold",
            )
            .encode(y=alt.Y("cost_usd_per_hour:Q"), x=alt.XValue(0), text=alt.Text("label:N"))
        )
    return alt.layer(*layers).properties(
        title=title,
        description="Line chart on logarithmic axes of the cost of one hour of use in US dollars "
        "against the hours a card is used per year, from 10 to 8,760, one falling line per card; "
        "a horizontal rule marks a sale price per hour, where a line crosses it is that card's "
        "break-even, and dashed vertical rules mark yearly sunshine or solar hours.",
    )


@live.two_step(_cost_per_hour_lines_encode)
def cost_per_hour_lines(
    curves: pd.DataFrame,
    price_usd_per_hour: float | None = None,
    markers: pd.DataFrame | None = None,
    title=None,
) -> alt.LayerChart:
    """Cost per hour of use against hours used per year, one line per card, on log-log axes.

    Parameters
    ----------
    curves : DataFrame
        Long format: ``hours_per_year`` (float, 10–8,760), ``cost_usd_per_hour`` (float) and
        ``card`` (str), e.g. from :func:`helpers.widgets.cost_curve_frame`.
    price_usd_per_hour : float, optional
        A sale price, drawn as a horizontal rule: where a card's line crosses it is the card's
        break-even hours per year.
    markers : DataFrame, optional
        Columns ``label`` and ``hours_per_year``: hours to mark with labelled vertical rules
        (e.g. the sunshine hours of Berlin and Los Angeles).
    title : str or alt.TitleParams, optional
    """
    parts = {
        "curves": _card_order(curves),
        "title": title or "An expensive card must run most of the year to be cheap per hour",
    }
    if markers is not None and len(markers):
        parts["markers"] = _hour_markers_frame(markers)
    if price_usd_per_hour is not None:
        parts["price"] = pd.DataFrame(
            {
                "cost_usd_per_hour": [price_usd_per_hour],
                "label": [f"sale price ${price_usd_per_hour:,.3g}/h"],
            }
        )
    return parts


def energy_share_lines(
    frame: pd.DataFrame, markers: pd.DataFrame | None = None, title: str | None = None
) -> alt.LayerChart:
    """Share of the cost per hour that is electricity, against hours used per year.

    Parameters
    ----------
    frame : DataFrame
        Long format: ``hours_per_year`` (float, 10–8,760), ``energy_share_pct`` (float, %) and
        ``card`` (str), e.g. from :func:`helpers.widgets.energy_share_frame`.
    markers : DataFrame, optional
        Columns ``label`` and ``hours_per_year`` for labelled vertical rules.
    """
    lines = (
        alt.Chart(_card_order(frame))
        .mark_line(strokeWidth=3)
        .encode(
            x=_hours_x(),
            y=alt.Y("energy_share_pct:Q", title="Electricity's share of the cost per hour (%)"),
            color=alt.Color("card:N", title=None, sort=_BY_CARD_ORDER, legend=_CARD_LEGEND),
            strokeDash=alt.StrokeDash("card:N", sort=_BY_CARD_ORDER, legend=None),
        )
    )
    layers = [lines]
    if markers is not None and len(markers):
        layers += _hour_markers(_hour_markers_frame(markers))
    return alt.layer(*layers).properties(
        title=title or "With cheaper hardware, electricity is a larger share of the cost",
        description="Line chart of electricity's share of the cost per hour of use, in percent, "
        "against the hours a card is used per year on a logarithmic axis, one rising line per "
        "card: the cheaper the card, the higher its line.",
    )


# --- chapter 06: check the claims ----------------------------------------------------------

VERDICT_COLOURS = {
    "supported": PALETTE[2],
    "partly supported": PALETTE[5],
    "unsupported": PALETTE[1],
    "wrong": PALETTE[3],
    "unverifiable": "#999999",
}
"""Colour of each verdict of data/claims.csv, in the order of ``helpers.claims.VERDICTS``."""


def verdict_bars(ledger: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """How many claims got each verdict, split by who made the claim.

    Parameters
    ----------
    ledger : DataFrame
        One row per claim: ``verdict`` (one of :data:`VERDICT_COLOURS`) and ``made_by`` (str,
        e.g. "seed text" or "research source"; the bar's segments).
    """
    order = list(VERDICT_COLOURS)
    counts = ledger.groupby(["verdict", "made_by"]).size().rename("claims").reset_index()
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            y=alt.Y("verdict:N", title=None, sort=order),
            x=alt.X("claims:Q", title="Number of claims", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(
                "verdict:N",
                title="Verdict",
                scale=alt.Scale(domain=order, range=list(VERDICT_COLOURS.values())),
                legend=None,
            ),
            opacity=alt.Opacity(
                "made_by:N",
                title="Claim made by",
                scale=alt.Scale(range=[1.0, 0.55]),
                legend=alt.Legend(orient="bottom"),
            ),
            order=alt.Order("made_by:N"),
        )
        .properties(
            title=title or f"{len(ledger)} claims checked against their primary sources",
            height=alt.Step(30),
            description="Horizontal bar chart of the number of claims per verdict (supported, "
            "partly supported, unsupported, wrong, unverifiable), each bar split into claims made "
            "by the seed texts and claims made by research sources.",
        )
    )


def _reconciliation_steps_encode(steps, order, extent, title, references=None):
    # No fixed domain: the invisible ``extent`` points (the data's range widened by 1.6 × each
    # way) set it, so the labels right of the largest value stay inside the chart.
    xscale = alt.Scale(type="log", nice=False)
    x = alt.X(
        "start:Q",
        title="Energy per query (Wh, logarithmic)",
        scale=xscale,
        axis=alt.Axis(format="~g"),
    )
    y = alt.Y("step:N", title=None, sort=list(order), axis=alt.Axis(labelLimit=260))
    kinds = alt.Color(
        "kind:N",
        title=None,
        scale=alt.Scale(domain=["estimate", "factor"], range=[PALETTE[0], PALETTE[3]]),
        legend=alt.Legend(
            labelExpr="datum.label == 'estimate' ? 'estimate (Wh per query)' : "
            "'factor (multiplies the energy)'",
            labelLimit=300,
        ),
    )
    base = alt.Chart(steps).encode(y=y)
    layers = [
        alt.Chart(extent)
        .mark_point(opacity=0, aria=False)
        .encode(x=alt.X("energy_wh:Q", scale=xscale), y=alt.YValue(0)),
        base.mark_rule(strokeWidth=4).encode(x=x, x2=alt.X2("end:Q"), color=kinds),
        base.mark_point(filled=True, size=90, opacity=1).encode(
            x=alt.X("end:Q", scale=xscale), color=kinds
        ),
        # Right of the segment, whichever way it points, so that a factor below 1 (the dot on
        # the left) does not print its label over its own bar.
        base.transform_calculate(label_at="max(datum.start, datum.end)")
        .mark_text(align="left", dx=9, fontSize=12, color="#222")
        .encode(x=alt.X("label_at:Q", scale=xscale), text=alt.Text("text:N")),
    ]
    if references is not None:
        ref = alt.Chart(references)
        layers.append(
            ref.mark_rule(color="#666", strokeDash=[3, 3]).encode(
                x=alt.X("energy_wh:Q", scale=xscale)
            )
        )
        layers.append(
            ref.mark_text(angle=270, align="right", baseline="bottom", dx=-4, fontSize=10).encode(
                x=alt.X("energy_wh:Q", scale=xscale), y=alt.YValue(0), text=alt.Text("label:N")
            )
        )
    return alt.layer(*layers).properties(
        title=title,
        width=WIDTH,
        height=alt.Step(34),
        description="Step chart on a logarithmic axis of energy per query in watt-hours: the "
        "first row is a starting estimate, each following row multiplies it by one factor "
        "(tokens per query, batch size, utilisation, boundary, PUE) and the last row is the "
        "resulting estimate; dashed vertical lines mark published estimates.",
    )


@live.two_step(_reconciliation_steps_encode)
def reconciliation_steps(
    steps: pd.DataFrame, references: pd.DataFrame | None = None, title=None
) -> alt.LayerChart:
    """From one per-query estimate to another, factor by factor, on a logarithmic axis.

    Parameters
    ----------
    steps : DataFrame
        One row per step, in order (``helpers.widgets.reconciliation_frame`` builds it):
        ``step`` (str), ``start`` and ``end`` (float, Wh per query before and after the step;
        equal for the first and last rows, which are estimates), ``text`` (str, printed at the
        end of the step) and ``kind`` ("estimate" or "factor").
    references : DataFrame, optional
        Published estimates drawn as labelled vertical rules: ``label`` and ``energy_wh``.
    title : str or alt.TitleParams, optional
    """
    values = pd.concat([steps["start"], steps["end"]])
    parts = {
        "steps": steps,
        "order": tuple(steps["step"]),
        "title": title or "Why per-query estimates differ, factor by factor",
    }
    if references is not None and len(references):
        values = pd.concat([values, references["energy_wh"]])
        parts["references"] = references
    parts["extent"] = pd.DataFrame(
        {"energy_wh": [float(values.min()) / 1.6, float(values.max()) * 1.6]}
    )
    return parts


def readable_number(x: float) -> str:
    """A number for a table whose rows mix magnitudes: thousands separators from 100 up, three
    significant digits below (6,000,000; 1,952; 41.3; 0.00024)."""
    if x is None or pd.isna(x):
        return "–"
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
