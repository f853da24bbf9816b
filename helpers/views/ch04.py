"""Chapter 04, "Who pays for the idle GPU": cost per hour of use against hours used per year,
electricity's share of it, and sunshine hours (the capex explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers import capex, data
from helpers.ui.controls import log_slider, slider
from helpers.ui.explorer import explorer
from helpers.ui.templates import two_step
from helpers.units import HOURS_PER_YEAR

__all__ = [
    "cost_per_hour_lines",
    "energy_share_lines",
    "hours_grid",
    "cost_curve_frame",
    "energy_share_frame",
    "sunshine_markers",
    "capex_figure",
    "capex_explorer",
]


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


@two_step(_cost_per_hour_lines_encode)
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
        ``card`` (str), e.g. from :func:`cost_curve_frame`.
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
        ``card`` (str), e.g. from :func:`energy_share_frame`.
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


def hours_grid(n: int = 60) -> np.ndarray:
    """Hours per year from 10 to 8,760, evenly spaced on a logarithmic axis."""
    return np.geomspace(10.0, HOURS_PER_YEAR, n)


def _per_card(cards: dict, column: str, values, hours) -> pd.DataFrame:
    """``values(price, hours)`` for each card (label → USD) in the long format charts use."""
    h = hours_grid() if hours is None else np.asarray(hours, dtype=float)
    rows = [
        pd.DataFrame({"hours_per_year": h, column: np.asarray(values(price, h)), "card": label})
        for label, price in cards.items()
    ]
    return pd.concat(rows, ignore_index=True)


def cost_curve_frame(
    cards: dict, lifetime_years=1.0, power_w=0.0, price_usd_per_kwh=0.0, hours=None, **options
) -> pd.DataFrame:
    """Cost per hour against hours per year for each card, in the long format charts use.

    ``cards`` maps a label to a purchase price in USD; the other arguments, and the keyword
    ``options`` (``host_power_w``, ``pue``, ``interest_rate``), are those of
    :func:`helpers.capex.cost_per_hour_usd`.
    """
    return _per_card(
        cards,
        "cost_usd_per_hour",
        lambda price, h: capex.cost_per_hour_usd(
            price, h, lifetime_years, power_w, price_usd_per_kwh, **options
        ),
        hours,
    )


def energy_share_frame(
    cards: dict, lifetime_years=1.0, power_w=700.0, price_usd_per_kwh=0.1, hours=None, **options
) -> pd.DataFrame:
    """Electricity's share of the cost (%) against hours per year for each card (label → USD);
    the other arguments and ``options`` are those of :func:`helpers.capex.energy_share_of_cost`."""
    return _per_card(
        cards,
        "energy_share_pct",
        lambda price, h: (
            100
            * capex.energy_share_of_cost(
                price, h, lifetime_years, power_w, price_usd_per_kwh, **options
            )
        ),
        hours,
    )


def sunshine_markers(ids=("berlin-dwd-1991-2020", "la-noaa-percent-possible")) -> pd.DataFrame:
    """Rows of ``data/sunshine.csv`` as chart markers: ``label`` and ``hours_per_year``."""
    rows = data.load("sunshine").loc[list(ids)]
    return pd.DataFrame(
        {
            "label": [f"{r.label}: {r.hours_per_year:,.0f} h" for r in rows.itertuples()],
            "hours_per_year": rows["hours_per_year"].to_numpy(dtype=float),
        }
    )


def capex_figure(
    capex_usd,
    hours_per_year,
    lifetime_years,
    power_w,
    price_usd_per_kwh,
    price_usd_per_hour,
    host_power_w=0.0,
    pue=1.0,
    interest_rate=0.0,
):
    """The capex explorer's figure, ``(builder, kwargs)``: one card's cost curve, the sale
    price and the chosen hours (see :func:`explorer`)."""
    # A log slider's top value can overshoot 8,760 h by a rounding error.
    hours_per_year = min(float(hours_per_year), HOURS_PER_YEAR)
    options = dict(host_power_w=host_power_w, pue=pue, interest_rate=interest_rate)
    cost = capex.cost_per_hour_usd(
        capex_usd, hours_per_year, lifetime_years, power_w, price_usd_per_kwh, **options
    )
    share = capex.energy_share_of_cost(
        capex_usd, hours_per_year, lifetime_years, power_w, price_usd_per_kwh, **options
    )
    try:
        be = capex.breakeven_hours_per_year(
            capex_usd, price_usd_per_hour, lifetime_years, power_w, price_usd_per_kwh, **options
        )
        verdict = (
            f"break-even at {be:,.0f} h a year ({100 * be / HOURS_PER_YEAR:.0f} % of the year)"
        )
    except ValueError as err:
        verdict = (
            "no break-even: the sale price does not even pay for the electricity"
            if "electricity" in str(err)
            else "no break-even within a year"
        )
    label = f"${capex_usd:,.0f} card over {lifetime_years:g} yr"
    frame = cost_curve_frame(
        {label: capex_usd}, lifetime_years, power_w, price_usd_per_kwh, **options
    )
    markers = pd.concat(
        [
            sunshine_markers(),
            pd.DataFrame(
                {
                    "label": [f"you: {hours_per_year:,.0f} h"],
                    "hours_per_year": [float(hours_per_year)],
                }
            ),
        ],
        ignore_index=True,
    )
    title = alt.TitleParams(
        f"${cost:,.2f} per hour at {hours_per_year:,.0f} h a year; {verdict}",
        subtitle=[
            f"electricity is {share:.1%} of that cost: ({power_w:,.0f} W card + "
            f"{host_power_w:,.0f} W host) × PUE {pue:.2f} at ${price_usd_per_kwh:.3f}/kWh",
            f"hardware paid off over {lifetime_years:g} yr at a cost of capital of "
            f"{interest_rate:.1%} a year",
        ],
    )
    return cost_per_hour_lines, dict(
        curves=frame, price_usd_per_hour=price_usd_per_hour, markers=markers, title=title
    )


def capex_explorer(
    capex_usd: float = 30_000.0,
    hours_per_year: float = 1_000.0,
    lifetime_years: float = 1.0,
    power_w: float = 700.0,
    price_usd_per_kwh: float = 0.08,
    price_usd_per_hour: float = 5.0,
    host_power_w: float = 0.0,
    pue: float = 1.0,
    interest_rate: float = 0.0,
):
    """Sliders for purchase price, hours of use, lifetime, power, electricity, sale price, host
    power, PUE and cost of capital, redrawing the cost per hour curve with the break-even price
    and Berlin/LA sunshine hours."""
    controls = {
        "capex_usd": log_slider(
            "Purchase price (USD)", capex_usd, 3, 5, fmt=",.0f", name="capex_usd"
        ),
        "hours_per_year": log_slider(
            "Hours used per year",
            hours_per_year,
            1,
            np.log10(8760),
            fmt=",.0f",
            name="hours_per_year",
        ),
        "lifetime_years": slider(
            "Lifetime (years)", lifetime_years, 0.5, 6.0, 0.5, ".1f", name="lifetime_years"
        ),
        "power_w": slider(
            "Power while in use (W)", power_w, 0.0, 1500.0, 10.0, ",.0f", name="power_w"
        ),
        "price_usd_per_kwh": slider(
            "Electricity (USD/kWh)",
            price_usd_per_kwh,
            0.0,
            0.40,
            0.005,
            ".3f",
            name="price_usd_per_kwh",
        ),
        "price_usd_per_hour": log_slider(
            "Sale price (USD/h)", price_usd_per_hour, -1, 2, name="price_usd_per_hour"
        ),
        "host_power_w": slider(
            "Host power per GPU (W)", host_power_w, 0.0, 1000.0, 5.0, ",.0f", name="host_power_w"
        ),
        "pue": slider("PUE of the data centre", pue, 1.0, 2.0, 0.01, ".2f", name="pue"),
        "interest_rate": slider(
            "Cost of capital (per year)",
            interest_rate,
            0.0,
            0.20,
            0.005,
            ".1%",
            name="interest_rate",
        ),
    }
    return explorer(capex_figure, controls)
