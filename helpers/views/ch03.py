"""Chapter 03, "Jevons vs the vacuum cleaner": energy before and after an efficiency gain against
the elasticity of demand, two stories (steam engine and vacuum cleaner), AI efficiency and usage
trends, and adoption paths (the rebound explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers import (
    rebound,
)
from helpers.ui.controls import checkbox, slider
from helpers.ui.explorer import explorer
from helpers.ui.render import WIDTH
from helpers.ui.templates import two_step

__all__ = [
    "rebound_energy_vs_elasticity",
    "rebound_two_stories",
    "ai_trend_index",
    "adoption_path",
    "rebound_frame",
    "two_stories_frame",
    "adoption_frame",
    "rebound_explorer",
]


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


@two_step(_rebound_energy_vs_elasticity_encode)
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
        rebound)"), e.g. from :func:`rebound_frame`.
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
        :func:`two_stories_frame`.
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
        (str), e.g. from :func:`adoption_frame`.
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


def rebound_frame(
    efficiency_gain,
    cost_share=1.0,
    saturation_ratio=None,
    smooth=False,
    elasticities=None,
):
    """Energy before and after an efficiency gain over a range of elasticities, in the long
    format of :func:`rebound_energy_vs_elasticity` (energy as % of before)."""
    eps = np.linspace(0.0, 3.0, 121) if elasticities is None else np.asarray(elasticities, float)
    after = 100 * rebound.energy_ratio(efficiency_gain, eps, cost_share, saturation_ratio, smooth)
    n = len(eps)
    return pd.DataFrame(
        {
            "elasticity": np.concatenate([eps, eps, eps]),
            "energy_pct": np.concatenate(
                [after, np.full(n, 100.0), np.full(n, 100 * (1 - efficiency_gain))]
            ),
            "series": ["after the gain"] * n
            + ["before the gain"] * n
            + ["engineering estimate (no rebound)"] * n,
        }
    )


def two_stories_frame(stories: dict, gains_pct=None):
    """Energy after the gain (% of before) against the gain (%) for named parameter settings.

    ``stories`` maps a label to keyword arguments of :func:`helpers.rebound.energy_ratio`
    (``elasticity``, optionally ``cost_share``, ``saturation_ratio``, ``smooth``).
    """
    pct = np.linspace(1.0, 90.0, 90) if gains_pct is None else np.asarray(gains_pct, float)
    parts = [
        pd.DataFrame(
            {
                "efficiency_gain_pct": pct,
                "energy_pct": 100 * rebound.energy_ratio(pct / 100, **kwargs),
                "story": label,
            }
        )
        for label, kwargs in stories.items()
    ]
    return pd.concat(parts, ignore_index=True)


def adoption_frame(efficiency_gain_per_year, midpoint_years, steepness_per_year, years=None):
    """Users, energy per user and total energy relative to today, in the long format of
    :func:`adoption_path`."""
    t = np.linspace(0.0, 8.0, 81) if years is None else np.asarray(years, float)
    a0 = rebound.adoption_share(0.0, midpoint_years, steepness_per_year)
    users = rebound.adoption_share(t, midpoint_years, steepness_per_year) / a0
    per_user = (1 - efficiency_gain_per_year) ** t
    total = rebound.adoption_energy_ratio(
        t, efficiency_gain_per_year, midpoint_years, steepness_per_year
    )
    n = len(t)
    return pd.DataFrame(
        {
            "year": np.concatenate([t, t, t]),
            "ratio": np.concatenate([users, per_user, total]),
            "series": ["users"] * n + ["energy per user"] * n + ["total energy"] * n,
        }
    )


def _draw_rebound(efficiency_gain_pct, elasticity, cost_share, has_ceiling, saturation_ratio):

    g = efficiency_gain_pct / 100
    h = saturation_ratio if has_ceiling else None
    r = rebound.rebound(g, elasticity, cost_share, h)
    e = rebound.energy_ratio(g, elasticity, cost_share, h)
    threshold = rebound.backfire_elasticity(g, cost_share, h)
    verdict = "backfire" if e > 1 + 1e-9 else "saving kept" if r < 1e-9 else "partial rebound"
    title = alt.TitleParams(
        f"Rebound {r:.0%}: energy {e:.0%} of before ({verdict})",
        subtitle=f"backfire above elasticity {threshold:.2f}"
        if np.isfinite(threshold)
        else "the ceiling on demand rules backfire out",
    )
    frame = rebound_frame(g, cost_share, h)
    return rebound_energy_vs_elasticity, dict(
        curve=frame, backfire_elasticity=threshold, marker=elasticity, title=title
    )


def rebound_explorer(
    efficiency_gain_pct: float = 50.0,
    elasticity: float = 1.2,
    cost_share: float = 1.0,
    has_ceiling: bool = False,
    saturation_ratio: float = 1.5,
):
    """Sliders for efficiency gain, elasticity, cost share and a ceiling on demand, redrawing
    energy before and after the gain and the rebound, with the backfire region shaded."""
    controls = {
        "efficiency_gain_pct": slider(
            "Efficiency gain (% less energy/unit)",
            efficiency_gain_pct,
            5.0,
            95.0,
            1.0,
            ".0f",
            name="efficiency_gain_pct",
        ),
        "elasticity": slider(
            "Price elasticity of demand", elasticity, 0.0, 3.0, 0.05, name="elasticity"
        ),
        "cost_share": slider(
            "Share of price that falls", cost_share, 0.1, 1.0, 0.05, name="cost_share"
        ),
        "has_ceiling": checkbox("Demand has a ceiling", has_ceiling, name="has_ceiling"),
        "saturation_ratio": slider(
            "Ceiling (× demand before the gain)",
            saturation_ratio,
            1.0,
            5.0,
            0.05,
            name="saturation_ratio",
        ),
    }
    return explorer(_draw_rebound, controls)
