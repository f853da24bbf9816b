"""Chapter 07, "Measure it yourself": one run's limits and results as tables, its step times
against chapter 02's prediction, many machines' runs overlaid, and the energy per token beside
chapter 02's prediction for a datacentre GPU.

Every frame takes a *run table*: one run's rows as :func:`helpers.measure.run_table` writes
them (or rows of ``data/ch07_runs.csv``). See :mod:`helpers.views` for the rules builders follow.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from helpers import measure, tokens
from helpers.ui.render import PALETTE

__all__ = [
    "BATCH_TICKS",
    "run_deployment",
    "bends",
    "regimes_frame",
    "limits_frame",
    "results_frame",
    "step_frame",
    "step_time_chart",
    "ratio_frame",
    "ratio_overlay",
    "energy_frame",
    "energy_chart",
]

BATCH_TICKS = list(measure.DEFAULT_BATCH_SIZES)
"""Where the batch-size axes put their ticks (log scale, powers of two)."""

_X = "Batch size (sequences decoded together, log)"
_ONE_RUN = "table must hold exactly one run (one run_id)"


def _one_run(table: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a run table (pandas DataFrame); got {type(table).__name__}")
    if table["run_id"].nunique() != 1:
        raise ValueError(f"{_ONE_RUN}; got {sorted(table['run_id'].unique())}")
    return table.sort_values("batch_size")


def _first(table: pd.DataFrame, column: str) -> float:
    return float(table[column].iloc[0])


def run_deployment(table: pd.DataFrame) -> tokens.Deployment:
    """The run's machine as chapter 02's calculators see it (:func:`measure.measured_deployment`)."""
    t = _one_run(table)
    return measure.measured_deployment(
        _first(t, "params"),
        _first(t, "bandwidth_gb_per_s"),
        _first(t, "matmul_tflops"),
        _first(t, "estimate_power_w"),
    )


def bends(table: pd.DataFrame) -> dict[str, float]:
    """The batch size where the step turns from memory-bound to compute-bound: ``model``
    (chapter 02, from the measured limits) and ``measured`` (where the lines through the
    measured floor and the largest batch's slope cross)."""
    t = _one_run(table)
    return {
        "model": float(tokens.compute_bound_batch_size(0, deployment=run_deployment(t))),
        "measured": measure.measured_bend_batch_size(t["batch_size"], t["step_s"]),
    }


def regimes_frame(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per run: measured ÷ predicted at batch 1, over batches 2–32 and at the largest
    batch; the share of the measured matmul FLOP/s the largest batch reached; both bends."""
    rows = []
    for run_id, t in runs.groupby("run_id", sort=False):
        t = _one_run(t)
        r = t.set_index("batch_size")["measured_over_predicted"]
        middle, last = r[(r.index >= 2) & (r.index <= 32)], t.iloc[-1]
        reached = 2 * last.params * last.batch_size / last.step_s / (last.matmul_tflops * 1e12)
        bend = bends(t)
        rows.append(
            {
                "run": run_id,
                "batch 1": r.iloc[0],
                "batches 2–32": f"{middle.min():.2f}–{middle.max():.2f}" if len(middle) else "",
                f"batch {last.batch_size}": last.measured_over_predicted,
                "share of matmul FLOP/s": reached,
                "model's bend": bend["model"],
                "measured bend": bend["measured"],
            }
        )
    return pd.DataFrame(rows)


def limits_frame(run: measure.Run) -> pd.DataFrame:
    """The two limits of ``run``: median and spread of the repeats, kernel, size, threads."""
    rows = []
    for what, r, scale, unit, size in [
        ("read bandwidth", run.bandwidth, 1.0, "GB/s", f"{run.bandwidth.size / 2**20:.0f} MiB"),
        ("float32 matmul", run.matmul, 1e3, "GFLOP/s", f"n = {run.matmul.size:,}"),
    ]:
        rows.append(
            {
                "limit": what,
                "median": r.median * scale,
                "p10": r.p10 * scale,
                "p90": r.p90 * scale,
                "unit": unit,
                "repeats": len(r.samples),
                "kernel": {"dot": "sgemv (matrix × vector)", "sum": "sum"}.get(r.kernel, r.kernel),
                "size": size,
                "threads": r.threads,
            }
        )
    return pd.DataFrame(rows)


def results_frame(table: pd.DataFrame) -> pd.DataFrame:
    """One row per batch size, in units people read: ms per step and per token, tokens/s,
    the prediction, measured ÷ predicted and the energy per token (and whether it was measured)."""
    t = _one_run(table)
    return pd.DataFrame(
        {
            "batch size": t["batch_size"].to_numpy(),
            "step (ms)": t["step_s"].to_numpy() * 1e3,
            "per token (ms)": t["token_s"].to_numpy() * 1e3,
            "tokens/s": t["tokens_per_s"].to_numpy(),
            "predicted step (ms)": t["predicted_step_s"].to_numpy() * 1e3,
            "measured ÷ predicted": t["measured_over_predicted"].to_numpy(),
            "energy per token (J)": t["energy_j_per_token"].to_numpy(),
            "energy is": np.where(t["energy_measured"], "measured", "an estimate"),
        }
    )


_MODEL = ["model: reading the weights", "model: the arithmetic", "model: the slower (prediction)"]


_MEASURED = "measured: median, bars p10–p90"


def step_frame(table: pd.DataFrame, points: int = 60) -> pd.DataFrame:
    """The measured step times (median, p10, p90) and chapter 02's prediction on a fine grid of
    batch sizes, in milliseconds, in the long form :func:`step_time_chart` draws."""
    t = _one_run(table)
    d = run_deployment(t)
    grid = np.unique(np.concatenate([np.geomspace(1, t.batch_size.max(), points), t.batch_size]))
    times = tokens.decode_step_times_s(grid, 0, deployment=d)
    model = pd.concat(
        pd.DataFrame({"batch_size": grid, "ms": ms * 1e3, "series": name})
        for name, ms in zip(
            _MODEL,
            [
                np.broadcast_to(times.memory_s, grid.shape),
                times.compute_s,
                np.maximum(times.memory_s, times.compute_s),
            ],
            strict=True,
        )
    )
    measured = pd.DataFrame(
        {
            "batch_size": t["batch_size"].to_numpy(float),
            "ms": t["step_s"].to_numpy() * 1e3,
            "lo_ms": t["step_p10_s"].to_numpy() * 1e3,
            "hi_ms": t["step_p90_s"].to_numpy() * 1e3,
            "series": _MEASURED,
        }
    )
    return pd.concat([model, measured], ignore_index=True)


def step_time_chart(frame: pd.DataFrame, bend: dict, title: str | None = None) -> alt.LayerChart:
    """Measured step time against chapter 02's prediction on log-log axes, with the two bends.

    Parameters
    ----------
    frame : DataFrame
        From :func:`step_frame`.
    bend : dict
        ``{"model": ..., "measured": ...}`` from :func:`bends`.
    """
    series = [*_MODEL, _MEASURED]
    colours = ["#999999", "#999999", PALETTE[0], PALETTE[3]]
    x = alt.X(
        "batch_size:Q",
        title=_X,
        scale=alt.Scale(type="log", nice=False),
        axis=alt.Axis(values=BATCH_TICKS),
    )
    y = alt.Y("ms:Q", title="Time of one decode step (ms, log)", scale=alt.Scale(type="log"))
    colour = alt.Color(
        "series:N",
        title=None,
        sort=series,
        scale=alt.Scale(domain=series, range=colours),
        legend=alt.Legend(columns=2, labelLimit=300),
    )
    model = frame[frame["series"].isin(_MODEL)]
    measured = frame[~frame["series"].isin(_MODEL)]
    lines = (
        alt.Chart(model)
        .mark_line(strokeWidth=2.5, clip=True)
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=alt.StrokeDash(
                "series:N",
                legend=None,
                sort=_MODEL,
                scale=alt.Scale(domain=_MODEL, range=[[4, 3], [1, 3], [1, 0]]),
            ),
        )
    )
    dots = alt.Chart(measured).mark_point(filled=True, size=70).encode(x=x, y=y, color=colour)
    bars = (
        alt.Chart(measured)
        .mark_rule(color=PALETTE[3])
        .encode(x=x, y=alt.Y("lo_ms:Q"), y2=alt.Y2("hi_ms:Q"))
    )
    marks = pd.DataFrame(
        {
            "batch_size": [bend["model"], bend["measured"]],
            "label": [
                f"model bend ≈ {bend['model']:.0f}",
                f"measured bend ≈ {bend['measured']:.0f}",
            ],
        }
    )
    rules = alt.Chart(marks).mark_rule(strokeDash=[2, 2], color="#444").encode(x=x)
    labels = [
        alt.Chart(marks.iloc[[i]])
        .mark_text(align="left", dx=4, baseline="top", fontSize=11, color="#444")
        .encode(x=x, y=alt.YValue(2 + 15 * i), text=alt.Text("label:N"))
        for i in range(2)
    ]
    return alt.layer(lines, bars, dots, rules, *labels).properties(
        title=title or "Your machine against chapter 02's model",
        description="Log-log chart of the time of one decode step in milliseconds against the "
        "batch size: measured medians with p10–p90 bars, chapter 02's predicted time (the slower "
        "of reading the weights and doing the arithmetic) and its two parts, and dotted rules "
        "where the model and the measurements put the bend from memory-bound to compute-bound.",
    )


def ratio_frame(runs: pd.DataFrame, mine: pd.DataFrame | None = None) -> pd.DataFrame:
    """Measured ÷ predicted per batch size for many runs (``data/ch07_runs.csv``, a class's
    pooled CSVs) and, if given, the learner's own run, each labelled with its machine."""

    def label(t: pd.DataFrame, name) -> pd.Series:
        threads = t["threads"].map(lambda n: f"{n} BLAS thread" + ("" if n == 1 else "s"))
        return name + ": " + t["cpu_model"] + ", " + threads

    frames = [runs.assign(series=label(runs, runs["run_id"]))]
    if mine is not None:
        mine = _one_run(mine)
        frames.insert(0, mine.assign(series=label(mine, "your run")))
    out = pd.concat(frames, ignore_index=True)
    return out[["series", "run_id", "batch_size", "measured_over_predicted", "threads"]]


def ratio_overlay(frame: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """Measured ÷ predicted step time against batch size, one line per run (the learner's in
    black), with a rule at 1 (the ideal model exactly)."""
    order = list(dict.fromkeys(frame["series"]))
    others = [s for s in order if not s.startswith("your run")]
    domain = [s for s in order if s.startswith("your run")] + others
    palette = ["#000000"] * (len(domain) - len(others)) + (PALETTE[:7] * 4)[: len(others)]
    x = alt.X(
        "batch_size:Q",
        title=_X,
        scale=alt.Scale(type="log", nice=False),
        axis=alt.Axis(values=BATCH_TICKS),
    )
    ratio = frame["measured_over_predicted"]
    low, high = min(0.5, float(ratio.min()) / 1.2), max(2.0, float(ratio.max()) * 1.2)
    lines = (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2)
        .encode(
            x=x,
            y=alt.Y(
                "measured_over_predicted:Q",
                title="Measured ÷ predicted step time (log)",
                scale=alt.Scale(type="log", domain=[low, high], nice=False),
            ),
            color=alt.Color(
                "series:N",
                title=None,
                sort=domain,
                scale=alt.Scale(domain=domain, range=palette),
                legend=alt.Legend(labelLimit=520, columns=1),
            ),
            detail=alt.Detail("run_id:N"),
        )
    )
    one = alt.Chart(pd.DataFrame({"y": [1.0]})).mark_rule(color="#444").encode(y=alt.Y("y:Q"))
    return alt.layer(one, lines).properties(
        title=title or "How far each machine is from the ideal model",
        description="Log-log line chart of measured ÷ predicted decode-step time against batch "
        "size, one line per run and machine; a horizontal rule at 1 marks the ideal model "
        "exactly, and lines above it are slower than the ideal.",
    )


def energy_frame(table: pd.DataFrame, predictions: dict) -> pd.DataFrame:
    """Energy per token at each batch size: the run's own (measured or estimated, and said
    which) beside chapter 02's predictions.

    Parameters
    ----------
    table : DataFrame
        One run's rows.
    predictions : dict
        Label → ``(deployment, efficiency)``: each line is
        ``tokens.decode_energy_per_token_j(B, 0, deployment=..., efficiency=...)``.
    """
    t = _one_run(table)
    b = t["batch_size"].to_numpy(float)
    how = "measured" if t["energy_measured"].all() else "an estimate"
    frames = [
        pd.DataFrame(
            {
                "batch_size": b,
                "energy_j": t["energy_j_per_token"].to_numpy(),
                "series": f"this machine ({how})",
                "kind": how,
            }
        )
    ]
    for label, (deployment, eta) in predictions.items():
        e = tokens.decode_energy_per_token_j(b, 0, deployment=deployment, efficiency=eta)
        frames.append(
            pd.DataFrame(
                {"batch_size": b, "energy_j": e, "series": label, "kind": "chapter 02's model"}
            )
        )
    return pd.concat(frames, ignore_index=True)


def energy_chart(frame: pd.DataFrame, title: str | None = None) -> alt.Chart:
    """Energy per generated token against batch size on log-log axes, one line per series;
    dashed where the figure is an estimate or a model, solid where it was measured."""
    order = list(dict.fromkeys(frame["series"]))
    kinds = ["measured", "an estimate", "chapter 02's model"]
    return (
        alt.Chart(frame)
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X(
                "batch_size:Q",
                title=_X,
                scale=alt.Scale(type="log", nice=False),
                axis=alt.Axis(values=BATCH_TICKS),
            ),
            y=alt.Y(
                "energy_j:Q",
                title="Energy per generated token (J, log)",
                scale=alt.Scale(type="log"),
            ),
            color=alt.Color(
                "series:N", title=None, sort=order, legend=alt.Legend(labelLimit=520, columns=1)
            ),
            strokeDash=alt.StrokeDash(
                "kind:N",
                legend=None,
                sort=kinds,
                scale=alt.Scale(domain=kinds, range=[[1, 0], [6, 3], [2, 2]]),
            ),
        )
        .properties(
            title=title or "Energy per token: this machine and a datacentre GPU",
            description="Log-log line chart of the energy per generated token in joules against "
            "the batch size: this machine's figure (solid if measured, dashed if an estimate) "
            "and chapter 02's calibrated predictions for datacentre GPUs (dotted).",
        )
    )
