"""Chapter 02, "The cost of thinking": energy per token against batch and context, mixture-of-
experts weight reads, model against measurement, and one answer split into prompt, reasoning and
answer (the answer explorer).

See :mod:`helpers.views` for what a view module holds and the rules its builders follow.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers import (
    data,
    tokens,
)
from helpers.ui.controls import dropdown, log_slider, slider
from helpers.ui.explorer import explorer
from helpers.ui.render import PALETTE
from helpers.ui.templates import two_step

__all__ = [
    "ANSWER_PARTS",
    "REGIMES",
    "energy_per_token_lines",
    "weights_read_lines",
    "answer_energy_bars",
    "model_vs_measurement",
    "energy_per_token_frame",
    "weights_read_frame",
    "answer_parts_frame",
    "answer_energy_figure",
    "answer_energy_explorer",
]


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


@two_step(_answer_energy_bars_encode)
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


def energy_per_token_frame(
    deployment: tokens.Deployment, batch_size, context_tokens, series: str, efficiency=1.0
):
    """Energy per token and the bound (memory or compute) over batch sizes or context lengths,
    in the long format of :func:`energy_per_token_lines`."""
    b, ctx = np.broadcast_arrays(np.asarray(batch_size, float), np.asarray(context_tokens, float))
    times = tokens.decode_step_times_s(b, ctx, deployment=deployment)
    energy = tokens.decode_energy_per_token_j(b, ctx, deployment=deployment, efficiency=efficiency)
    return pd.DataFrame(
        {
            "batch_size": b.ravel(),
            "context_tokens": ctx.ravel(),
            "energy_per_token_j": np.ravel(energy),
            "regime": np.where(
                np.ravel(times.compute_s) > np.ravel(times.memory_s),
                "compute-bound",
                "memory-bound",
            ),
            "series": series,
        }
    )


def weights_read_frame(deployments: dict, batch_size) -> pd.DataFrame:
    """Share of all parameters read per decode step, for each ``label → Deployment``."""
    frames = []
    for label, d in deployments.items():
        total = d.total_params or d.active_params
        read = tokens.weights_read_params(
            d.active_params, batch_size, d.total_params, d.routed_expert_fraction
        )
        frames.append(
            pd.DataFrame(
                {"batch_size": batch_size, "share_read": np.asarray(read) / total, "series": label}
            )
        )
    return pd.concat(frames, ignore_index=True)


def answer_parts_frame(answers: dict) -> pd.DataFrame:
    """Long format of ``label → tokens.AnswerEnergy`` for :func:`answer_energy_bars`."""
    rows = []
    for label, e in answers.items():
        for part in ("prompt", "reasoning", "answer"):
            rows.append(
                {"scenario": label, "part": part, "energy_j": float(getattr(e, f"{part}_j"))}
            )
    return pd.DataFrame(rows)


def answer_energy_figure(
    reasoning_tokens,
    batch_size,
    precision,
    model_id,
    gpu_id,
    *,
    efficiency,
    prefill_efficiency,
    prompt_tokens=500,
    answer_tokens=700,
):
    """The answer explorer's figure, ``(builder, kwargs)``: one answer with and without its
    chain of thought, as stacked bars (see :func:`helpers.ui.explorer.explorer`)."""
    d = tokens.Deployment.from_tables(model_id, gpu_id, precision)
    common = dict(
        deployment=d,
        batch_size=batch_size,
        efficiency=efficiency,
        prefill_efficiency=prefill_efficiency,
    )
    thinking = tokens.answer_energy(prompt_tokens, reasoning_tokens, answer_tokens, **common)
    direct = tokens.answer_energy(prompt_tokens, 0, answer_tokens, **common)
    name = data.load("models").loc[model_id, "name"]
    frame = answer_parts_frame(
        {
            f"{name}, {reasoning_tokens:,.0f} reasoning tokens": thinking,
            f"{name}, no reasoning": direct,
        }
    )
    gpu = data.load("gpus").loc[gpu_id]
    context = prompt_tokens + reasoning_tokens + answer_tokens
    for_weights = tokens.min_gpu_count(deployment=d)
    for_batch = tokens.min_gpu_count(deployment=d, batch_size=batch_size, context_tokens=context)
    return answer_energy_bars, dict(
        parts=frame,
        unit="Wh",
        title=f"{thinking.total_wh:.3g} Wh per answer: {thinking.total_j / direct.total_j:.1f}× the "
        "answer without reasoning",
        subtitle=f"{gpu['name']}, {precision}, batch {batch_size:,.0f}, η {efficiency:.2f}. Memory: the "
        f"weights need ≥ {for_weights:.0f} GPUs, the whole batch at full length ≥ {for_batch:,.0f}.",
    )


def answer_energy_explorer(
    *,
    efficiency: float | None = None,
    prefill_efficiency: float | None = None,
    reasoning_tokens=6000,
    batch_size=1024,
    precision="FP8",
    model_id="deepseek-r1",
    gpu_id="h800-sxm",
    prompt_tokens=500,
    answer_tokens=700,
):
    """Sliders for reasoning tokens and batch size, drop-downs for precision, model (from
    data/models.csv) and GPU (from data/gpus.csv); redraws the energy of one answer.

    ``efficiency`` and ``prefill_efficiency`` default to chapter 02's calibration
    (:func:`helpers.tokens.course_calibration`).
    """
    if efficiency is None or prefill_efficiency is None:
        calibration = tokens.course_calibration()
        efficiency = calibration.decode if efficiency is None else efficiency
        if prefill_efficiency is None:
            prefill_efficiency = calibration.prefill
    models, gpus = data.load("models"), data.load("gpus")
    model_options = [
        (
            f"{r['name']} ({r.architecture}, {r.active_params_b:g}B active of {r.total_params_b:g}B)",
            i,
        )
        for i, r in models.iterrows()
    ]
    controls = {
        "reasoning_tokens": slider(
            "Reasoning tokens", reasoning_tokens, 0, 30_000, 250, ",.0f", name="reasoning_tokens"
        ),
        "batch_size": log_slider(
            "Batch size (sequences)", batch_size, 0, 4.5, 0.05, ",.0f", name="batch_size"
        ),
        "precision": dropdown(
            "Weight precision", ["BF16", "FP8", "INT4"], precision, name="precision"
        ),
        "model_id": dropdown("Model", model_options, model_id, name="model_id"),
        "gpu_id": dropdown(
            "GPU", [(r["name"], i) for i, r in gpus.iterrows()], gpu_id, name="gpu_id"
        ),
    }

    def draw(**kw):
        return answer_energy_figure(
            **kw,
            efficiency=efficiency,
            prefill_efficiency=prefill_efficiency,
            prompt_tokens=prompt_tokens,
            answer_tokens=answer_tokens,
        )

    return explorer(draw, controls)
