"""Chapter 06, "Check the claims": the claims ledger and its verdicts, and the reconciliation of
two per-query estimates factor by factor (the reconciliation explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

from helpers import data, fleet, reconcile
from helpers.claims import VERDICTS
from helpers.ui.controls import dropdown, log_slider, slider
from helpers.ui.explorer import WithStill, explorer
from helpers.ui.render import PALETTE, WIDTH
from helpers.ui.tables import table
from helpers.ui.templates import two_step

__all__ = [
    "VERDICT_COLOURS",
    "verdict_bars",
    "reconciliation_steps",
    "LEDGER_COLUMNS",
    "QUOTE_CHARACTERS",
    "short_quote",
    "ledger_frame",
    "claims_ledger",
    "Ledger",
    "RECONCILIATION_STEPS",
    "reconciliation_frame",
    "REFERENCE_ESTIMATES",
    "reference_estimates",
    "reconciliation_figure",
    "reconciliation_explorer",
]


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
        "(tokens per query, batch size, share of time busy, boundary, PUE) and the last row is "
        "the resulting estimate; dashed vertical lines mark published estimates.",
    )


@two_step(_reconciliation_steps_encode)
def reconciliation_steps(
    steps: pd.DataFrame, references: pd.DataFrame | None = None, title=None
) -> alt.LayerChart:
    """From one per-query estimate to another, factor by factor, on a logarithmic axis.

    Parameters
    ----------
    steps : DataFrame
        One row per step, in order (``helpers.reconciliation_frame`` builds it):
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


LEDGER_COLUMNS = [
    "claim",
    "quote",
    "verdict",
    "how_known",
    "evidence",
    "primary_says",
    "source_id",
    "locator",
    "primary_source_id",
]
"""Columns of the claims ledger table, in order: the claim, its source's words (shortened),
the verdict and what kind of evidence it rests on, what the primary source says, and where."""

QUOTE_CHARACTERS = 90
"""Quotes longer than this are cut at a word and end in "…" in the ledger table."""


def short_quote(quote, limit: int = QUOTE_CHARACTERS) -> str:
    """The verbatim quote, cut at a word boundary after at most ``limit`` characters, "…" added;
    "" for a claim without a quote."""
    if not isinstance(quote, str):
        return ""
    text = " ".join(quote.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + " …"


def ledger_frame() -> pd.DataFrame:
    """``data/claims.csv`` with a ``made_by`` column: "seed text" for the seed articles' claims
    (``source_id`` seed-000 … seed-004), "research source" for the rest."""
    ledger = data.load("claims")
    is_seed = ledger["source_id"].str.startswith("seed-")
    ledger["made_by"] = np.where(is_seed, "seed text", "research source")
    return ledger


def claims_ledger(ledger: pd.DataFrame | None = None) -> widgets.Box:
    """The claims ledger as a table, filtered by drop-downs for verdict, chapter and who made
    the claim.

    Not an ``*_explorer``: it draws a table, not a chart, and has no slider, so it is a column
    ``Box`` rather than the ``VBox`` of :func:`explorer` (the browser test moves a slider in
    every explorer's VBox). ``box.draw_function(verdict=..., chapter=..., made_by=...)`` returns
    the filtered table (a :class:`helpers.Table`, or a note when nothing matches) without a browser.
    """
    ledger = ledger_frame() if ledger is None else ledger
    chapters = sorted(int(c) for c in ledger["chapter"].unique())
    made_by = [
        ("anyone", "all"),
        ("seed texts", "seed text"),
        ("research sources", "research source"),
    ]
    controls = {
        "verdict": dropdown(
            "Verdict", [("all verdicts", "all"), *[(v, v) for v in VERDICTS]], "all", name="verdict"
        ),
        "chapter": dropdown(
            "Discussed in",
            [("all chapters", "all"), *[(f"chapter {c:02d}", c) for c in chapters]],
            "all",
            name="chapter",
        ),
        "made_by": dropdown("Claim made by", made_by, "all", name="made_by"),
    }

    def draw(verdict, chapter, made_by):
        rows = ledger
        if verdict != "all":
            rows = rows[rows["verdict"] == verdict]
        if chapter != "all":
            rows = rows[rows["chapter"] == chapter]
        if made_by != "all":
            rows = rows[rows["made_by"] == made_by]
        if rows.empty:
            return widgets.HTML("<p>No claim matches these filters.</p>")
        shown = rows[LEDGER_COLUMNS].assign(quote=rows["quote"].map(short_quote))
        # Each dollar sign in its own element: JupyterLab typesets a pair of them in one
        # stretch of text as mathematics.
        return table(shown, {"quote": lambda q: q.replace("$", "<span>$</span>")})

    out = widgets.interactive_output(lambda **kw: display(draw(**kw)), controls)
    box = Ledger(
        [*controls.values(), out], layout=widgets.Layout(display="flex", flex_flow="column")
    )
    box.draw_function, box.control_widgets = draw, controls
    return box


class Ledger(WithStill, widgets.Box):
    """The claims ledger's box (see :func:`claims_ledger`); its still is the table it starts
    with."""

    note = "Claims ledger: its menus appear when this cell runs. The table it starts with:"

    def still(self) -> tuple[dict, dict]:
        shown = self.draw_function(**{k: c.value for k, c in self.control_widgets.items()})
        return {"text/html": shown._repr_html_(), "text/plain": repr(shown)}, {}


RECONCILIATION_STEPS = {
    "tokens": "tokens per query",
    "batch": "batch size",
    "utilization": "share of time busy (idle power)",
    "boundary": "boundary (host, reserve)",
    "pue": "PUE (cooling, power losses)",
}
"""Row label of each factor of :data:`helpers.claims.FACTORS` in the reconciliation chart."""


def reconciliation_frame(
    low: dict, high: dict, names: tuple[str, str] = ("start", "result")
) -> pd.DataFrame:
    """Steps from the estimate ``low`` to the estimate ``high``, one factor at a time, in the
    format of :func:`reconciliation_steps`.

    ``low`` and ``high`` are keyword arguments of :func:`helpers.reconcile.per_query_energy_wh`.
    """
    ratios = reconcile.factor_ratios(low, high)
    values = fleet.apply_levers(reconcile.per_query_energy_wh(**low), list(ratios.values()))
    rows = [{"step": names[0], "start": values[0], "end": values[0], "kind": "estimate"}]
    for (factor, r), before, after in zip(ratios.items(), values[:-1], values[1:], strict=True):
        rows.append(
            {
                "step": RECONCILIATION_STEPS[factor],
                "start": before,
                "end": after,
                "kind": "factor",
                "ratio": float(r),
            }
        )
    rows.append({"step": names[1], "start": values[-1], "end": values[-1], "kind": "estimate"})
    frame = pd.DataFrame(rows)
    frame["text"] = [
        f"×{r:.2g}" if k == "factor" else f"{e:.3g} Wh"
        for k, r, e in zip(frame["kind"], frame.get("ratio", np.nan), frame["end"], strict=True)
    ]
    return frame


REFERENCE_ESTIMATES = {
    "gemini-median-2025": "Google",
    "epoch-gpt4o-2025": "Epoch",
    "howhungry-gpt4o-short": "How Hungry",
    "seed-004-query": "seed",
}
"""Published estimates drawn as reference lines (row of inference_estimates.csv → short name)."""


def reference_estimates(ids=tuple(REFERENCE_ESTIMATES)) -> pd.DataFrame:
    """Rows of ``data/inference_estimates.csv`` as labelled reference lines (``label``,
    ``energy_wh``)."""
    est = data.load("inference_estimates").loc[list(ids)]
    labels = [f"{REFERENCE_ESTIMATES.get(i, i)} {e:g} Wh" for i, e in est["energy_wh"].items()]
    return pd.DataFrame({"label": labels, "energy_wh": est["energy_wh"].to_numpy()})


def reconciliation_figure(output_tokens, batch_size, utilization, boundary_factor, pue):
    """The reconciliation explorer's figure, ``(builder, kwargs)``: from ML.ENERGY's measured
    GPU-only chat response to a query with the chosen tokens, batch size, utilisation, boundary
    and PUE (see :func:`explorer`)."""
    ref = reconcile.chat_reference()
    idle, busy = ref.idle_power_w, ref.busy_power_w
    low = {"output_tokens": ref.output_tokens, "energy_per_token_j": ref.energy_per_token_j}
    high = {
        "output_tokens": output_tokens,
        "energy_per_token_j": ref.energy_per_token_j
        * reconcile.batch_energy_ratio(batch_size, ref.batch_size, output_tokens),
        "utilization": utilization,
        "idle_power_fraction": idle / busy,
        "boundary_factor": boundary_factor,
        "pue": pue,
    }
    frame = reconciliation_frame(
        low, high, names=("ML.ENERGY chat response (GPU only)", "your query")
    )
    result = float(reconcile.per_query_energy_wh(**high))
    total = result / frame["start"].iloc[0]
    title = alt.TitleParams(
        f"Your query: {result:.3g} Wh, {total:,.3g} times the measured GPU-only response",
        subtitle=[
            f"{output_tokens:,.0f} output tokens, batch {batch_size:,.0f}, busy {utilization:.0%} "
            f"of the time (idle {idle:.0f} W of {busy:.0f} W), boundary "
            f"×{boundary_factor:.2f}, PUE {pue:.2f}"
        ],
    )
    return reconciliation_steps, dict(steps=frame, references=reference_estimates(), title=title)


def reconciliation_explorer(
    output_tokens: float = 500.0,
    batch_size: float = 16.0,
    utilization: float = 0.5,
    boundary_factor: float = 1.5,
    pue: float = 1.2,
) -> widgets.VBox:
    """Sliders for the five factors of one query's energy, redrawing the reconciliation chart
    from a measured GPU-only response to your query, with published estimates for reference."""
    controls = {
        "output_tokens": log_slider(
            "Output tokens per query", output_tokens, 2, 4.5, fmt=",.0f", name="output_tokens"
        ),
        "batch_size": log_slider(
            "Batch size (sequences)", batch_size, 0, 2.7, fmt=",.0f", name="batch_size"
        ),
        "utilization": slider(
            "Utilisation (share of time busy)", utilization, 0.05, 1.0, 0.05, name="utilization"
        ),
        "boundary_factor": slider(
            "Boundary (energy counted ÷ GPU)",
            boundary_factor,
            1.0,
            3.0,
            0.05,
            name="boundary_factor",
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01, name="pue"),
    }
    return explorer(reconciliation_figure, controls)
