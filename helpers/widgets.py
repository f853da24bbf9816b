"""Small dashboards: sliders wired to a calculator and a chart.

:func:`explorer` is the one pattern every chapter uses: a dict of controls, a ``figure``
function that turns their values into a chart builder and its arguments, and a chart drawn in
the browser that redraws on every change (see :mod:`helpers.live`). Sliders only offer valid
ranges, so a learner cannot push a calculator into an error.
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np
import pandas as pd
from IPython.display import display

from helpers import charts, lifecycle

__all__ = [
    "slider",
    "log_slider",
    "explorer",
    "timeline_frame",
    "crossover_explorer",
    "ledger_frame",
    "claims_ledger",
    "reconciliation_frame",
    "reconciliation_explorer",
]

_STYLE = {"description_width": "270px"}
_LAYOUT = widgets.Layout(width="620px")


def slider(description: str, value: float, min: float, max: float, step: float, fmt: str = ".2f"):
    """A labelled FloatSlider restricted to ``[min, max]``."""
    return widgets.FloatSlider(
        value=value,
        min=min,
        max=max,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style=_STYLE,
        layout=_LAYOUT,
    )


def log_slider(
    description: str,
    value: float,
    min_exp: float,
    max_exp: float,
    step: float = 0.05,
    fmt: str = ",.3g",
):
    """A FloatLogSlider from 10**min_exp to 10**max_exp, for quantities spanning decades."""
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=min_exp,
        max=max_exp,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style=_STYLE,
        layout=_LAYOUT,
    )


class _WithStill:
    """A live widget whose mime bundle also carries a still form of what it shows first.

    A running notebook shows the live widget; a saved one, opened before anything runs (or
    untrusted, or in a front end without widgets, or as a static page), shows the still: where
    the widget starts. ``tools/execute_notebooks.py`` commits the still and drops the live
    widget, whose state a saved notebook cannot bring back.
    """

    note = "Live widget: it appears when this cell runs. What it shows first:"

    def still(self) -> tuple[dict, dict]:
        """``(data, metadata)`` of a mime bundle: the widget's starting output."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        live = super()._repr_mimebundle_(**kwargs)
        data, metadata = self.still()
        return {**data, **live, "text/plain": f"{self.note} {data['text/plain']}"}, metadata


class Explorer(_WithStill, widgets.VBox):
    """An explorer's box: controls, a line for problems, and the chart that redraws (see
    :func:`explorer`). Its still is the chart at the controls' values as a picture
    (:func:`helpers.render.chart_bundle`: PNG and text; the SVG is left out to keep the
    committed notebooks small, and nbval does not compare explorer cells)."""

    note = "Explorer: its sliders appear when this cell runs. Starting picture:"

    def values(self) -> dict:
        return {k: c.value for k, c in self.control_widgets.items()}

    def still(self) -> tuple[dict, dict]:
        from helpers import render

        data, metadata = render.chart_bundle(self.spec_function(**self.values()))
        data.pop("image/svg+xml")
        return data, metadata


def explorer(figure: Callable[..., tuple], controls: dict[str, widgets.Widget]) -> Explorer:
    """Wire ``controls`` to a chart that redraws in the browser on every change.

    Parameters
    ----------
    figure : callable
        Takes one keyword argument per control and returns ``(builder, kwargs)``: a two-step
        chart builder from :mod:`helpers.charts` (see :func:`helpers.live.two_step`) and its
        arguments. A slider move computes them, refills the chart's template
        (:class:`helpers.live.SpecTemplates`) and sends the new tables and title to the
        browser, which redraws the chart in place (:class:`helpers.live.ChartView`).
    controls : dict
        Keyword name → widget.

    The box keeps ``draw_function`` (values → the Altair chart, e.g. for a static page),
    ``fill_function`` (values → the template and the changes a move sends) and
    ``spec_function`` (values → the specification the chart then shows), so that tests,
    benchmarks and the static book can drive the explorer without a browser.
    """
    from helpers import live

    templates = live.SpecTemplates()

    def draw(**values):
        builder, kwargs = figure(**values)
        return builder(**kwargs)

    def fill(**values):
        builder, kwargs = figure(**values)
        return templates.fill(builder, **kwargs)

    def spec(**values):
        return live.refill(*fill(**values))

    def values():
        return {k: c.value for k, c in controls.items()}

    view = live.chart_view(*fill(**values()))
    problem = widgets.HTML()

    def redraw(_change=None):
        try:
            view.show(*fill(**values()))
            problem.value = ""
        except Exception as err:  # shown beside the chart instead of lost in a log
            problem.value = f"<b>Could not redraw:</b> {html.escape(str(err))}"

    for control in controls.values():
        control.observe(redraw, names="value")
    box = Explorer([*controls.values(), problem, view])
    box.draw_function, box.fill_function, box.spec_function = draw, fill, spec
    box.control_widgets = controls
    box.spec_templates = templates
    return box


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
    inference = lifecycle.inference_energy_mwh(days * queries_per_day, energy_per_query_wh, pue)
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
    return charts.cumulative_energy, dict(timeline=frame, crossover_day=day, title=title)


def crossover_explorer(
    training_energy_mwh: float = 2_000.0,
    energy_per_query_wh: float = 2.0,
    million_queries_per_day: float = 10.0,
    pue: float = 1.0,
) -> widgets.VBox:
    """Sliders for training energy, Wh per query, traffic and PUE, redrawing the crossover chart."""
    controls = {
        "training_energy_mwh": log_slider(
            "Training energy (MWh)", training_energy_mwh, 1, 5, fmt=",.0f"
        ),
        "energy_per_query_wh": log_slider("Energy per query (Wh)", energy_per_query_wh, -2, 1.5),
        "million_queries_per_day": log_slider(
            "Queries per day (millions)", million_queries_per_day, -1, 3.5
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01),
    }
    return explorer(_draw_crossover, controls)


# --- chapter 05: per-query scaling ---------------------------------------------------------

FLEET_LEVERS = {
    "quantization": "quantization-fp8-large-batch",
    "batching": "batching-mlenergy",
    "caching": "caching-seed",
    "right_sizing": "right-sizing-hardware",
    "utilization": "utilization-idle",
}
"""Explorer lever → the row of data/levers.csv it uses (central factor and range)."""

QUERY_SPREAD = 0.5
"""The explorer's band lets energy per query vary ±50 % around the slider (uniform): the seed's
1–3 Wh around its 2 Wh. Published estimates for different models differ far more."""


def _fmt_value(x: float) -> str:
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:.3g}"


def _fmt_usd(x: float) -> str:
    return f"${x:,.0f}" if abs(x) >= 10 else f"${x:.2f}"


def _fmt_mass(kg) -> tuple[str, list[str]]:
    """A unit (t, or kg below one tonne) and the masses ``kg`` formatted in it."""
    kg = np.asarray(kg, dtype=float)
    unit, div = ("t", 1e3) if kg.max() >= 1_000 else ("kg", 1.0)
    return unit, [_fmt_value(v / div) for v in kg]


def lever_steps_frame(baseline, factors, chain=None, scale=1.0, names=("naive fleet", "optimised")):
    """The bars of a lever waterfall, in the format ``charts.lever_waterfall`` draws.

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
    from helpers import fleet

    values = np.asarray(fleet.apply_levers(baseline, list(factors.values())), dtype=float) * scale
    rows = [
        {
            "step": names[0],
            "start": 0.0,
            "end": values[0],
            "kind": "total",
            "text": _fmt_value(values[0]),
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
            "text": _fmt_value(values[-1]),
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
    import altair as alt

    from helpers import data, fleet, uncertainty
    from helpers.units import convert_energy

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
    e_kwh = convert_energy(energy_per_query_wh, "Wh", "kWh")
    naive = fleet.fleet_energy_kwh(queries_per_month, e_kwh, pue)
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
    mass_unit, (mass, mass_lo, mass_hi) = _fmt_mass(co2)
    water = fleet.water_l(final, wue)
    title = alt.TitleParams(
        f"Optimised: {_fmt_value(final * scale)} {unit} a month, {_fmt_usd(cost[0])} of electricity",
        subtitle=[
            f"5–95 % band: {_fmt_value(lo * scale)}–{_fmt_value(hi * scale)} {unit}, "
            f"{_fmt_usd(cost[1])}–{_fmt_usd(cost[2])} a month",
            f"{mass} {mass_unit} CO2e a month (band {mass_lo}–{mass_hi}) on {grid.region}: "
            f"{grid.intensity_g_co2e_per_kwh:.0f} g/kWh, {grid.accounting}",
            f"about {_fmt_value(water)} L of cooling water a month at Google's {wue:.2f} L/kWh",
        ],
    )
    return charts.lever_waterfall, dict(
        steps=frame, value_title=f"Energy per month ({unit})", title=title
    )


def fleet_explorer(
    queries_per_month: float = 1e7,
    energy_per_query_wh: float = 2.0,
    pue: float = 1.5,
    price_usd_per_kwh: float = 0.10,
    region: str = "world-2023-ember",
) -> widgets.VBox:
    """Sliders for traffic, Wh per query, PUE and price, a region menu and lever switches."""
    from helpers import data

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
        "queries_per_month": log_slider("Queries per month", queries_per_month, 5, 10, fmt=",.0f"),
        "energy_per_query_wh": log_slider(
            "Energy per query (Wh, IT)", energy_per_query_wh, -2, 1.5
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01),
        "price_usd_per_kwh": slider(
            "Price (USD/kWh)", price_usd_per_kwh, 0.03, 0.30, 0.005, fmt=".3f"
        ),
        "region": widgets.Dropdown(
            options=options, value=region, description="Grid", style=_STYLE, layout=_LAYOUT
        ),
    }
    for k in FLEET_LEVERS:
        controls[k] = widgets.Checkbox(
            value=True, description=f"Lever: {k.replace('_', '-')}", style=_STYLE, layout=_LAYOUT
        )
    return explorer(fleet_figure, controls)


# --- chapter 02: the cost of thinking ------------------------------------------------------


def decode_kwargs(model_id: str, gpu_id: str, precision: str) -> dict:
    """Keyword arguments for the ``helpers.tokens`` decode functions, from data/models.csv and
    data/gpus.csv."""
    from helpers import data, tokens

    kw = tokens.model_kwargs(data.load("models").loc[model_id], precision)
    kw.update(tokens.gpu_kwargs(data.load("gpus").loc[gpu_id], precision))
    return kw


def energy_per_token_frame(kw: dict, batch_size, context_tokens, series: str, efficiency=1.0):
    """Energy per token and the bound (memory or compute) over batch sizes or context lengths,
    in the long format of :func:`helpers.charts.energy_per_token_lines`."""
    from helpers import tokens

    b, ctx = np.broadcast_arrays(np.asarray(batch_size, float), np.asarray(context_tokens, float))
    model = {
        k: kw[k]
        for k in (
            "active_params",
            "bytes_per_param",
            "kv_bytes_per_token",
            "memory_bandwidth_gb_per_s",
            "peak_tflops",
            "attention_flops_per_context_token",
            "total_params",
            "routed_expert_fraction",
        )
    }
    times = tokens.decode_step_times_s(batch_size=b, context_tokens=ctx, **model)
    energy = tokens.decode_energy_per_token_j(
        batch_size=b,
        context_tokens=ctx,
        gpu_power_w=kw["gpu_power_w"],
        efficiency=efficiency,
        **model,
    )
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


def weights_read_frame(models: dict, batch_size) -> pd.DataFrame:
    """Share of all parameters read per decode step, for each ``label → kwargs`` in ``models``."""
    from helpers import tokens

    frames = []
    for label, kw in models.items():
        total = kw["total_params"] or kw["active_params"]
        read = tokens.weights_read_params(
            kw["active_params"], batch_size, kw["total_params"], kw["routed_expert_fraction"]
        )
        frames.append(
            pd.DataFrame(
                {"batch_size": batch_size, "share_read": np.asarray(read) / total, "series": label}
            )
        )
    return pd.concat(frames, ignore_index=True)


def answer_parts_frame(answers: dict) -> pd.DataFrame:
    """Long format of ``label → tokens.AnswerEnergy`` for :func:`helpers.charts.answer_energy_bars`."""
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
    chain of thought, as stacked bars (see :func:`explorer`)."""
    from helpers import data, tokens

    kw = decode_kwargs(model_id, gpu_id, precision)
    common = dict(
        batch_size=batch_size, efficiency=efficiency, prefill_efficiency=prefill_efficiency, **kw
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
    total = kw["total_params"] or kw["active_params"]
    context = prompt_tokens + reasoning_tokens + answer_tokens
    for_weights = tokens.min_gpu_count(gpu.memory_gb, total, kw["bytes_per_param"])
    for_batch = tokens.min_gpu_count(
        gpu.memory_gb, total, kw["bytes_per_param"], batch_size, context, kw["kv_bytes_per_token"]
    )
    return charts.answer_energy_bars, dict(
        parts=frame,
        unit="Wh",
        title=f"{thinking.total_wh:.3g} Wh per answer: {thinking.total_j / direct.total_j:.1f}× the "
        "answer without reasoning",
        subtitle=f"{gpu['name']}, {precision}, batch {batch_size:,.0f}, η {efficiency:.2f}. Memory: the "
        f"weights need ≥ {for_weights:.0f} GPUs, the whole batch at full length ≥ {for_batch:,.0f}.",
    )


def calibrated_efficiencies() -> tuple[float, float]:
    """``(decode η, prefill η)`` as chapter 02 calibrates them: the geometric mean of the η that
    fit ML.ENERGY's three Qwen3-32B energy-per-token measurements, and the prefill η from
    DeepSeek's published prefill throughput."""
    from helpers import data, tokens

    meas, models, gpus = data.load("decode_measurements"), data.load("models"), data.load("gpus")
    rows = meas[(meas.quantity == "energy_per_token") & (meas.source_id == "ml-energy-v3")]
    eta = tokens.pooled_efficiency(
        [
            tokens.calibrate(r, models.loc[r.model_id], gpus.loc[r.gpu_id])
            for _, r in rows.iterrows()
        ]
    )
    prefill = meas.loc["deepseek-prefill-throughput"]
    eta_prefill = tokens.calibrate(
        prefill,
        models.loc[prefill.model_id],
        gpus.loc[prefill.gpu_id],
        cache_hit_fraction=meas.loc["deepseek-cache-hits", "value"],
    )
    return eta, eta_prefill


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

    ``efficiency`` and ``prefill_efficiency`` default to :func:`calibrated_efficiencies`.
    """
    from helpers import data

    if efficiency is None or prefill_efficiency is None:
        eta, eta_prefill = calibrated_efficiencies()
        efficiency = eta if efficiency is None else efficiency
        prefill_efficiency = eta_prefill if prefill_efficiency is None else prefill_efficiency
    models, gpus = data.load("models"), data.load("gpus")
    dropdown = dict(style=_STYLE, layout=_LAYOUT)
    controls = {
        "reasoning_tokens": slider("Reasoning tokens", reasoning_tokens, 0, 30_000, 250, ",.0f"),
        "batch_size": log_slider("Batch size (sequences)", batch_size, 0, 4.5, 0.05, ",.0f"),
        "precision": widgets.Dropdown(
            options=["BF16", "FP8", "INT4"],
            value=precision,
            description="Weight precision",
            **dropdown,
        ),
        "model_id": widgets.Dropdown(
            options=[
                (
                    f"{r['name']} ({r.architecture}, {r.active_params_b:g}B active of "
                    f"{r.total_params_b:g}B)",
                    i,
                )
                for i, r in models.iterrows()
            ],
            value=model_id,
            description="Model",
            **dropdown,
        ),
        "gpu_id": widgets.Dropdown(
            options=[(r["name"], i) for i, r in gpus.iterrows()],
            value=gpu_id,
            description="GPU",
            **dropdown,
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


# --- chapter 03: rebound effects (Jevons vs the vacuum cleaner) ------------------------------


def rebound_frame(
    efficiency_gain,
    cost_share=1.0,
    saturation_ratio=None,
    smooth=False,
    elasticities=None,
):
    """Energy before and after an efficiency gain over a range of elasticities, in the long
    format of :func:`helpers.charts.rebound_energy_vs_elasticity` (energy as % of before)."""
    from helpers import rebound

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
    from helpers import rebound

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
    :func:`helpers.charts.adoption_path`."""
    from helpers import rebound

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
    import altair as alt

    from helpers import rebound

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
    return charts.rebound_energy_vs_elasticity, dict(
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
            "Efficiency gain (% less energy/unit)", efficiency_gain_pct, 5.0, 95.0, 1.0, ".0f"
        ),
        "elasticity": slider("Price elasticity of demand", elasticity, 0.0, 3.0, 0.05),
        "cost_share": slider("Share of price that falls", cost_share, 0.1, 1.0, 0.05),
        "has_ceiling": widgets.Checkbox(
            value=has_ceiling, description="Demand has a ceiling", style=_STYLE, layout=_LAYOUT
        ),
        "saturation_ratio": slider(
            "Ceiling (× demand before the gain)", saturation_ratio, 1.0, 5.0, 0.05
        ),
    }
    return explorer(_draw_rebound, controls)


# --- chapter 04: who pays for the idle GPU ---------------------------------------------------


def hours_grid(n: int = 60) -> np.ndarray:
    """Hours per year from 10 to 8,760, evenly spaced on a logarithmic axis."""
    from helpers.units import HOURS_PER_YEAR

    return np.geomspace(10.0, HOURS_PER_YEAR, n)


def cost_curve_frame(
    cards: dict, lifetime_years=1.0, power_w=0.0, price_usd_per_kwh=0.0, hours=None
) -> pd.DataFrame:
    """Cost per hour against hours per year for each card, in the long format charts use.

    ``cards`` maps a label to a purchase price in USD.
    """
    from helpers import capex

    h = hours_grid() if hours is None else np.asarray(hours, dtype=float)
    rows = [
        pd.DataFrame(
            {
                "hours_per_year": h,
                "cost_usd_per_hour": capex.cost_per_hour_usd(
                    price, h, lifetime_years, power_w, price_usd_per_kwh
                ),
                "card": label,
            }
        )
        for label, price in cards.items()
    ]
    return pd.concat(rows, ignore_index=True)


def energy_share_frame(
    cards: dict, lifetime_years=1.0, power_w=700.0, price_usd_per_kwh=0.1, hours=None
) -> pd.DataFrame:
    """Electricity's share of the cost (%) against hours per year for each card (label → USD)."""
    from helpers import capex

    h = hours_grid() if hours is None else np.asarray(hours, dtype=float)
    rows = [
        pd.DataFrame(
            {
                "hours_per_year": h,
                "energy_share_pct": 100
                * np.asarray(
                    capex.energy_share_of_cost(price, h, lifetime_years, power_w, price_usd_per_kwh)
                ),
                "card": label,
            }
        )
        for label, price in cards.items()
    ]
    return pd.concat(rows, ignore_index=True)


def sunshine_markers(ids=("berlin-dwd-1991-2020", "la-noaa-percent-possible")) -> pd.DataFrame:
    """Rows of ``data/sunshine.csv`` as chart markers: ``label`` and ``hours_per_year``."""
    from helpers import data

    rows = data.load("sunshine").loc[list(ids)]
    return pd.DataFrame(
        {
            "label": [f"{r.label}: {r.hours_per_year:,.0f} h" for r in rows.itertuples()],
            "hours_per_year": rows["hours_per_year"].to_numpy(dtype=float),
        }
    )


def capex_figure(
    capex_usd, hours_per_year, lifetime_years, power_w, price_usd_per_kwh, price_usd_per_hour
):
    """The capex explorer's figure, ``(builder, kwargs)``: one card's cost curve, the sale
    price and the chosen hours (see :func:`explorer`)."""
    import altair as alt

    from helpers import capex
    from helpers.units import HOURS_PER_YEAR

    # A log slider's top value can overshoot 8,760 h by a rounding error.
    hours_per_year = min(float(hours_per_year), HOURS_PER_YEAR)
    cost = capex.cost_per_hour_usd(
        capex_usd, hours_per_year, lifetime_years, power_w, price_usd_per_kwh
    )
    share = capex.energy_share_of_cost(
        capex_usd, hours_per_year, lifetime_years, power_w, price_usd_per_kwh
    )
    try:
        be = capex.breakeven_hours_per_year(
            capex_usd, price_usd_per_hour, lifetime_years, power_w, price_usd_per_kwh
        )
        verdict = f"break-even at {be:,.0f} h a year ({be / 87.6:.0f} % of the year)"
    except ValueError as err:
        verdict = (
            "no break-even: the sale price does not even pay for the electricity"
            if "electricity" in str(err)
            else "no break-even within a year"
        )
    label = f"${capex_usd:,.0f} card over {lifetime_years:g} yr"
    frame = cost_curve_frame({label: capex_usd}, lifetime_years, power_w, price_usd_per_kwh)
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
            f"electricity is {share:.1%} of that cost "
            f"({power_w:,.0f} W at ${price_usd_per_kwh:.3f}/kWh)"
        ],
    )
    return charts.cost_per_hour_lines, dict(
        curves=frame, price_usd_per_hour=price_usd_per_hour, markers=markers, title=title
    )


def capex_explorer(
    capex_usd: float = 30_000.0,
    hours_per_year: float = 1_000.0,
    lifetime_years: float = 1.0,
    power_w: float = 700.0,
    price_usd_per_kwh: float = 0.08,
    price_usd_per_hour: float = 5.0,
):
    """Sliders for purchase price, hours of use, lifetime, power, electricity and sale price,
    redrawing the cost per hour curve with the break-even price and Berlin/LA sunshine hours."""
    controls = {
        "capex_usd": log_slider("Purchase price (USD)", capex_usd, 3, 5, fmt=",.0f"),
        "hours_per_year": log_slider(
            "Hours used per year", hours_per_year, 1, np.log10(8760), fmt=",.0f"
        ),
        "lifetime_years": slider("Lifetime (years)", lifetime_years, 0.5, 6.0, 0.5, ".1f"),
        "power_w": slider("Power while in use (W)", power_w, 0.0, 1500.0, 10.0, ",.0f"),
        "price_usd_per_kwh": slider(
            "Electricity (USD/kWh)", price_usd_per_kwh, 0.0, 0.40, 0.005, ".3f"
        ),
        "price_usd_per_hour": log_slider("Sale price (USD/h)", price_usd_per_hour, -1, 2),
    }
    return explorer(capex_figure, controls)


# --- chapter 06: check the claims ----------------------------------------------------------

LEDGER_COLUMNS = ["claim", "verdict", "primary_says", "source_id", "locator", "primary_source_id"]
"""Columns of the claims ledger table, in order."""


def ledger_frame() -> pd.DataFrame:
    """``data/claims.csv`` with a ``made_by`` column: "seed text" for the seed articles' claims
    (``source_id`` seed-000 … seed-004), "research source" for the rest."""
    from helpers import data

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
    the filtered table (a :class:`helpers.charts.Table`, or a note when nothing matches) without a browser.
    """
    from helpers.claims import VERDICTS

    ledger = ledger_frame() if ledger is None else ledger
    dropdown = dict(style=_STYLE, layout=_LAYOUT)
    chapters = sorted(int(c) for c in ledger["chapter"].unique())
    controls = {
        "verdict": widgets.Dropdown(
            options=[("all verdicts", "all"), *[(v, v) for v in VERDICTS]],
            value="all",
            description="Verdict",
            **dropdown,
        ),
        "chapter": widgets.Dropdown(
            options=[("all chapters", "all"), *[(f"chapter {c:02d}", c) for c in chapters]],
            value="all",
            description="Discussed in",
            **dropdown,
        ),
        "made_by": widgets.Dropdown(
            options=[
                ("anyone", "all"),
                ("seed texts", "seed text"),
                ("research sources", "research source"),
            ],
            value="all",
            description="Claim made by",
            **dropdown,
        ),
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
        return charts.table(rows[LEDGER_COLUMNS])

    out = widgets.interactive_output(lambda **kw: display(draw(**kw)), controls)
    box = Ledger(
        [*controls.values(), out], layout=widgets.Layout(display="flex", flex_flow="column")
    )
    box.draw_function, box.control_widgets = draw, controls
    return box


class Ledger(_WithStill, widgets.Box):
    """The claims ledger's box (see :func:`claims_ledger`); its still is the table it starts
    with."""

    note = "Claims ledger: its menus appear when this cell runs. The table it starts with:"

    def still(self) -> tuple[dict, dict]:
        shown = self.draw_function(**{k: c.value for k, c in self.control_widgets.items()})
        return {"text/html": shown._repr_html_(), "text/plain": repr(shown)}, {}


RECONCILIATION_STEPS = {
    "tokens": "tokens per query",
    "batch": "batch size",
    "utilization": "utilisation (idle power)",
    "boundary": "boundary (host, reserve)",
    "pue": "PUE (cooling, power losses)",
}
"""Row label of each factor of :data:`helpers.claims.FACTORS` in the reconciliation chart."""


def reconciliation_frame(
    low: dict, high: dict, names: tuple[str, str] = ("start", "result")
) -> pd.DataFrame:
    """Steps from the estimate ``low`` to the estimate ``high``, one factor at a time, in the
    format of :func:`helpers.charts.reconciliation_steps`.

    ``low`` and ``high`` are keyword arguments of :func:`helpers.claims.per_query_energy_wh`.
    """
    from helpers import claims, fleet

    ratios = claims.factor_ratios(low, high)
    values = fleet.apply_levers(claims.per_query_energy_wh(**low), list(ratios.values()))
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
    from helpers import data

    est = data.load("inference_estimates").loc[list(ids)]
    labels = [f"{REFERENCE_ESTIMATES.get(i, i)} {e:g} Wh" for i, e in est["energy_wh"].items()]
    return pd.DataFrame({"label": labels, "energy_wh": est["energy_wh"].to_numpy()})


def reconciliation_reference() -> dict:
    """The explorer's starting point, a measured GPU-only chat response: ML.ENERGY's mean over
    models (``data/per_query_assumptions.csv`` and ``decode_measurements.csv``): output tokens,
    energy per token, and the batch size of its Qwen3-32B chat case study, taken as the batch
    at which the GPUs ran."""
    from helpers import data

    meas = data.load("decode_measurements")
    tokens_chat = data.value("per_query_assumptions", "mlenergy-chat-output", "value")
    return {
        "output_tokens": tokens_chat,
        "energy_per_token_j": meas.loc["mlenergy-all-chat-response", "value"] / tokens_chat,
        "batch_size": float(meas.loc["mlenergy-qwen3-32b-chat-b128", "batch_size"]),
    }


def batch_energy_ratio(batch_size, reference_batch, output_tokens) -> float:
    """:func:`helpers.tokens.batching_ratio` for Qwen3-32B on a B200 in BF16 (the ML.ENERGY case
    study the reconciliation starts from) at the answer's mean context."""
    from helpers import data, tokens

    model = data.load("models").loc["qwen3-32b"]
    gpu = data.load("gpus").loc["b200"]
    kw = {**tokens.model_kwargs(model, "BF16"), **tokens.gpu_kwargs(gpu, "BF16")}
    ctx = tokens.mean_context_tokens(0, output_tokens)
    return float(tokens.batching_ratio(batch_size, reference_batch, ctx, **kw))


def reconciliation_figure(output_tokens, batch_size, utilization, boundary_factor, pue):
    """The reconciliation explorer's figure, ``(builder, kwargs)``: from ML.ENERGY's measured
    GPU-only chat response to a query with the chosen tokens, batch size, utilisation, boundary
    and PUE (see :func:`explorer`)."""
    from helpers import claims, data

    ref = reconciliation_reference()
    idle = data.value("per_query_assumptions", "olmo-h100-idle", "value")
    idle_fraction = idle / data.value("gpus", "h100-sxm", "tdp_w")
    low = {"output_tokens": ref["output_tokens"], "energy_per_token_j": ref["energy_per_token_j"]}
    high = {
        "output_tokens": output_tokens,
        "energy_per_token_j": ref["energy_per_token_j"]
        * batch_energy_ratio(batch_size, ref["batch_size"], output_tokens),
        "utilization": utilization,
        "idle_power_fraction": idle_fraction,
        "boundary_factor": boundary_factor,
        "pue": pue,
    }
    frame = reconciliation_frame(
        low, high, names=("ML.ENERGY chat response (GPU only)", "your query")
    )
    result = float(claims.per_query_energy_wh(**high))
    total = result / frame["start"].iloc[0]
    import altair as alt

    title = alt.TitleParams(
        f"Your query: {result:.3g} Wh, {total:,.3g} times the measured GPU-only response",
        subtitle=[
            f"{output_tokens:,.0f} output tokens, batch {batch_size:,.0f}, busy {utilization:.0%} "
            f"of the time (idle {idle:.0f} W of {idle / idle_fraction:.0f} W), boundary "
            f"×{boundary_factor:.2f}, PUE {pue:.2f}"
        ],
    )
    return charts.reconciliation_steps, dict(
        steps=frame, references=reference_estimates(), title=title
    )


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
        "output_tokens": log_slider("Output tokens per query", output_tokens, 2, 4.5, fmt=",.0f"),
        "batch_size": log_slider("Batch size (sequences)", batch_size, 0, 2.7, fmt=",.0f"),
        "utilization": slider("Utilisation (share of time busy)", utilization, 0.05, 1.0, 0.05),
        "boundary_factor": slider(
            "Boundary (energy counted ÷ GPU)", boundary_factor, 1.0, 3.0, 0.05
        ),
        "pue": slider("PUE", pue, 1.0, 2.0, 0.01),
    }
    return explorer(reconciliation_figure, controls)
