"""Training versus inference: the energy and money of a model's life.

Total energy = training energy + energy per query × number of queries (the second term is
:func:`helpers.fleet.queries_energy_wh`). All functions take scalars or arrays (numpy
broadcasting) and return a float for scalar input.

References
----------
.. [1] DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv:2412.19437, 2024, Table 1.
.. [2] D. Patterson et al., "Carbon Emissions and Large Neural Network Training",
   arXiv:2104.10350, 2021, Table 4.
.. [3] Meta, "Llama 3.1 Model Card", 2024, section "Training Energy Use".
.. [4] J. Morrison et al., "Holistically Evaluating the Environmental Impact of Creating
   Language Models", ICLR 2025, arXiv:2503.05804, Tables 1 and 2 (development of the OLMo 2
   series against its final training runs).
"""

from __future__ import annotations

import pandas as pd

from helpers._validate import as_array, as_frame, as_number, calculator, result
from helpers.units import ENERGY_UNITS, HOURS_PER_DAY

__all__ = [
    "gpu_hours",
    "training_energy_mwh",
    "training_cost_usd",
    "crossover_queries",
    "crossover_days",
    "training_energy_table",
    "development_ratio_from_share",
    "with_development",
]


def _pue(pue):
    return as_array(pue, "pue", low=1.0)


@calculator
def gpu_hours(gpu_count, training_days):
    """GPU-hours of a run: number of GPUs × days × 24 h.

    Parameters
    ----------
    gpu_count : float or array_like
        Number of GPUs working in parallel, ≥ 0.
    training_days : float or array_like
        Wall-clock days of training, ≥ 0.

    Returns
    -------
    float or ndarray
        GPU-hours [GPU·h].

    Examples
    --------
    >>> gpu_hours(2048, 54)  # 2,048 GPUs for 54 days
    2654208.0
    """
    n = as_array(gpu_count, "gpu_count")
    d = as_array(training_days, "training_days")
    return result(n * d * HOURS_PER_DAY)


@calculator
def training_energy_mwh(gpu_hours, gpu_power_w, pue=1.0):
    """Facility energy of a training run.

    .. math:: E = \\text{GPU-hours} \\times P_\\text{GPU} \\times \\text{PUE} / 10^6

    Parameters
    ----------
    gpu_hours : float or array_like
        GPU-hours of the run [GPU·h], ≥ 0.
    gpu_power_w : float or array_like
        Average electrical power per GPU [W], ≥ 0. Using the GPU's rated maximum (TDP) gives an
        upper bound; measured averages are lower (Patterson et al. used 330 W for a 300 W V100
        *system* average including host share).
    pue : float or array_like, default 1.0
        Power usage effectiveness of the data centre, ≥ 1: facility energy ÷ IT energy.

    Returns
    -------
    float or ndarray
        Energy [MWh].

    Examples
    --------
    GPT-3 with Patterson et al.'s inputs: 10,000 V100 for 14.8 days at 330 W, PUE 1.10.

    >>> round(training_energy_mwh(10_000 * 14.8 * 24, 330, pue=1.10))
    1289
    """
    h = as_array(gpu_hours, "gpu_hours")
    p = as_array(gpu_power_w, "gpu_power_w")
    return result(h * p * _pue(pue) / ENERGY_UNITS["MWh"])


@calculator
def training_cost_usd(gpu_hours, usd_per_gpu_hour):
    """Rental-equivalent cost of a run: GPU-hours × price per GPU-hour.

    This is what DeepSeek reported for V3: a *rental price* applied to the final run's
    GPU-hours. It excludes buying the hardware, staff, data, failed runs and ablations.

    Parameters
    ----------
    gpu_hours : float or array_like
        GPU-hours [GPU·h], ≥ 0.
    usd_per_gpu_hour : float or array_like
        Price of one GPU for one hour [USD/(GPU·h)], ≥ 0.

    Returns
    -------
    float or ndarray
        Cost [USD].

    Examples
    --------
    >>> training_cost_usd(2_788_000, 2.0)
    5576000.0
    """
    h = as_array(gpu_hours, "gpu_hours")
    price = as_array(usd_per_gpu_hour, "usd_per_gpu_hour")
    return result(h * price)


@calculator
def crossover_queries(training_energy_mwh, energy_per_query_wh, pue=1.0):
    """Number of queries after which inference has used as much energy as training.

    .. math:: N^* = \\frac{E_\\text{train} \\times 10^6}{e_\\text{query} \\times \\text{PUE}}

    Parameters
    ----------
    training_energy_mwh : float or array_like
        Training energy [MWh], ≥ 0.
    energy_per_query_wh : float or array_like
        IT energy per query [Wh], > 0 (it divides).
    pue : float or array_like, default 1.0
        PUE applied to inference, ≥ 1.

    Returns
    -------
    float or ndarray
        Queries [-].

    Examples
    --------
    >>> crossover_queries(2_000, 2.0)
    1000000000.0
    """
    t = as_array(training_energy_mwh, "training_energy_mwh")
    e = as_array(energy_per_query_wh, "energy_per_query_wh", low_open=True)
    return result(t * ENERGY_UNITS["MWh"] / (e * _pue(pue)))


@calculator
def crossover_days(training_energy_mwh, energy_per_query_wh, queries_per_day, pue=1.0):
    """Days of traffic until cumulative inference energy equals training energy.

    Parameters
    ----------
    training_energy_mwh : float or array_like
        Training energy [MWh], ≥ 0.
    energy_per_query_wh : float or array_like
        IT energy per query [Wh], > 0.
    queries_per_day : float or array_like
        Traffic [queries/day], > 0.
    pue : float or array_like, default 1.0
        PUE applied to inference, ≥ 1.

    Returns
    -------
    float or ndarray
        Days [d].

    Examples
    --------
    >>> round(crossover_days(1000, 0.3, 1e8), 1)  # 1 GWh; 0.3 Wh a query; 100 million a day
    33.3
    """
    q = as_array(queries_per_day, "queries_per_day", low_open=True)
    return result(crossover_queries(training_energy_mwh, energy_per_query_wh, pue) / q)


@calculator
def training_energy_table(runs: pd.DataFrame, gpus: pd.DataFrame) -> pd.DataFrame:
    """Training energy of each run, saying how it was obtained.

    For each row of ``runs`` (``data.load("training_runs")``), in order of preference:

    1. the energy the source reports (``energy_mwh_reported``);
    2. GPU-hours × the power per GPU the source states × its PUE (1 if not stated), with
       GPU-hours computed from ``gpu_count`` × ``training_days`` if not reported;
    3. GPU-hours × the GPU's TDP from ``gpus`` (``data.load("gpus")``), PUE 1: an **upper bound**
       on GPU energy that ignores host and cooling, for sources that report no energy at all.

    Rows with none of these are dropped.

    Returns
    -------
    DataFrame
        Indexed like ``runs``, columns ``model``, ``energy_mwh`` and ``basis``.

    Examples
    --------
    >>> from helpers import data
    >>> table = training_energy_table(data.load("training_runs"), data.load("gpus"))
    >>> table.loc["gpt-3", "basis"]
    'reported by the source'
    """
    needed = ["model", "gpu_hours", "gpu_count", "training_days", "energy_mwh_reported"]
    runs = as_frame(runs, "runs", [*needed, "gpu_power_w", "pue", "gpu_id"])
    gpus = as_frame(gpus, "gpus", ["tdp_w"])
    rows = []
    for run_id, r in runs.iterrows():

        def number(column, row=r, where=f"runs.{{}}[{run_id!r}]", **bounds):
            return as_number(row[column], where.format(column), **bounds)

        hours = number("gpu_hours") if pd.notna(r.gpu_hours) else None
        if hours is None and pd.notna(r.gpu_count) and pd.notna(r.training_days):
            hours = gpu_hours(number("gpu_count"), number("training_days"))
        if pd.notna(r.energy_mwh_reported):
            energy, basis = number("energy_mwh_reported"), "reported by the source"
        elif hours is not None and pd.notna(r.gpu_power_w):
            pue = number("pue", low=1) if pd.notna(r.pue) else 1.0
            energy = training_energy_mwh(hours, number("gpu_power_w"), pue)
            basis = "GPU-hours × power stated by the source"
        elif hours is not None and pd.notna(r.gpu_id):
            if r.gpu_id not in gpus.index:
                raise ValueError(f"gpus has no row {r.gpu_id!r} (runs.gpu_id of {run_id!r})")
            tdp = number("tdp_w", gpus.loc[r.gpu_id], f"gpus.{{}}[{r.gpu_id!r}]")
            energy = training_energy_mwh(hours, tdp)
            basis = "GPU-hours × TDP (our upper bound)"
        else:
            continue
        rows.append({"id": run_id, "model": r.model, "energy_mwh": energy, "basis": basis})
    return pd.DataFrame(rows).set_index("id", drop=False).rename_axis(None)


@calculator
def development_ratio_from_share(development_share):
    """Development per unit of final training, from development's share of the whole pipeline.

    .. math:: d = \\frac{s}{1 - s}

    Teams that count their whole pipeline report development in one of two ways: as a ratio to
    the final runs (OLMo 2: 459 MWh of development against 913 MWh of final training runs,
    :math:`d \\approx 0.50` [4]_) or as a share of the total (Olmo 3: development, failed runs and
    ablations were :math:`s` = 82.2 % of all compute). This turns a share into a ratio, so the two
    can be compared and applied with :func:`with_development`.

    Parameters
    ----------
    development_share : float or array_like
        Development's share of development + final training [-], in [0, 1).

    Returns
    -------
    float or ndarray
        Development ÷ final training [-], ≥ 0.

    Examples
    --------
    >>> development_ratio_from_share(0.5)  # half of the total: as much again as the final run
    1.0
    >>> round(development_ratio_from_share(0.822), 2)  # Olmo 3: 4.6 times the final runs
    4.62
    """
    s = as_array(development_share, "development_share", high=1.0, high_open=True)
    return result(s / (1.0 - s))


@calculator
def with_development(final_run, development_ratio):
    """A final training run's figure scaled up to include the development before it:

    .. math:: X_\\text{total} = X_\\text{final} \\times (1 + d)

    Published GPU-hours, energies and rental-price costs are usually for the final run only.
    ``final_run`` may be any of them; the result is in the same unit. Applying one team's ratio
    to another team's run is a what-if, not an estimate of what that team spent.

    Parameters
    ----------
    final_run : float or array_like
        The final run's GPU-hours, energy or cost, in any unit, ≥ 0.
    development_ratio : float or array_like
        Development ÷ final training [-], ≥ 0 (from a share: :func:`development_ratio_from_share`).

    Returns
    -------
    float or ndarray
        Development + final run, in the unit of ``final_run``.

    Examples
    --------
    >>> with_development(1_000, 0.5)  # 1,000 MWh final run, development half as much again
    1500.0
    """
    x = as_array(final_run, "final_run")
    d = as_array(development_ratio, "development_ratio")
    return result(x * (1.0 + d))
