"""Why published per-query energy estimates differ 10-100×: one query's energy as five factors.

Published energies per query differ by 10–100× mostly because they count different things, not
because the models differ. We write one query's energy as a product of five factors,

.. math:: E = n_\\text{tok} \\times e_\\text{tok}(B) \\times
          \\underbrace{\\frac{f_\\text{idle} + u\\,(1 - f_\\text{idle})}{u}}_{\\text{utilisation}}
          \\times b \\times \\text{PUE}

(output tokens; GPU energy per token while busy, which falls with the batch size :math:`B`;
the idle power paid for when the GPU is busy only a share :math:`u` of the time, with idle power
a fraction :math:`f_\\text{idle}` of busy power (:func:`helpers.power.power_per_busy_hour_w`);
a boundary factor :math:`b` for host CPUs, memory and machines kept ready, 1 for GPUs only; the
data centre's PUE). Between two estimates the ratio is then the product of five ratios, one per
factor: :func:`factor_ratios` splits it, :func:`log_shares` says which factor explains how much
of it. The utilisation here is the share of time busy, not the FLOP utilisation of a busy GPU
(which is inside the energy per token).

All functions take scalars or arrays and reject NaN, infinite or out-of-range input with a
``ValueError`` naming the parameter.

References
----------
.. [1] C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google Scale",
   arXiv:2508.15734, 2025 (comprehensive vs accelerator-only boundary).
.. [2] J.-W. Chung, "Reading the ML.ENERGY Leaderboard v3.0", 2026 (energy per response, batch).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from helpers import tokens
from helpers._validate import as_array, calculator, result
from helpers.power import power_per_busy_hour_w
from helpers.units import J_PER_WH

__all__ = [
    "FACTORS",
    "ChatReference",
    "chat_reference",
    "batch_energy_ratio",
    "boundary_factor",
    "per_query_energy_wh",
    "factor_ratios",
    "log_shares",
]

FACTORS = ("tokens", "batch", "utilization", "boundary", "pue")
"""The five factors of one query's energy, in the order :func:`factor_ratios` applies them."""

_SCENARIO_KEYS = (
    "output_tokens",
    "energy_per_token_j",
    "utilization",
    "idle_power_fraction",
    "boundary_factor",
    "pue",
)


def _utilization(utilization, idle_power_fraction, prefix=""):
    """Energy per unit of work relative to a GPU always busy: power per busy hour in units of
    busy power. Errors name the caller's parameters (``prefix`` for a scenario's keys)."""
    u = as_array(utilization, f"{prefix}utilization", low_open=True, high=1.0)
    f = as_array(idle_power_fraction, f"{prefix}idle_power_fraction", high=1.0)
    return power_per_busy_hour_w(1.0, f, u)


@calculator
def boundary_factor(comprehensive_wh, accelerators_only_wh, pue=1.0):
    """How much a wide boundary adds to the accelerators' energy, data-centre overhead removed.

    .. math:: b = \\frac{E_\\text{comprehensive}}{E_\\text{accelerators}\\,\\mathrm{PUE}}

    ``comprehensive_wh`` counts host CPUs and memory, machines kept idle in reserve, and the
    data centre's overhead (``pue``); dividing out the PUE leaves what the wider IT boundary adds.

    Parameters
    ----------
    comprehensive_wh : float or array_like
        Energy per query with everything counted [Wh], ≥ 0.
    accelerators_only_wh : float or array_like
        Energy per query of the accelerators alone [Wh], > 0 (it divides).
    pue : float or array_like, default 1.0
        The PUE included in ``comprehensive_wh``, ≥ 1.

    Returns
    -------
    float or ndarray
        Factor [-].

    Examples
    --------
    Google's median text prompt, 0.24 Wh in all against 0.10 Wh for the accelerators, PUE 1.09:

    >>> round(boundary_factor(0.24, 0.10, 1.09), 2)
    2.2
    """
    c = as_array(comprehensive_wh, "comprehensive_wh")
    a = as_array(accelerators_only_wh, "accelerators_only_wh", low_open=True)
    p = as_array(pue, "pue", low=1.0)
    return result(c / a / p)


@calculator
def per_query_energy_wh(
    output_tokens,
    energy_per_token_j,
    utilization=1.0,
    idle_power_fraction=0.0,
    boundary_factor=1.0,
    pue=1.0,
):
    """Energy of one query as the product of the five factors (see the module docstring).

    Parameters
    ----------
    output_tokens : float or array_like
        Tokens generated per query, ≥ 0 (reasoning tokens included).
    energy_per_token_j : float or array_like
        GPU energy per generated token while the GPU is busy [J], ≥ 0; it falls with the batch
        size (``helpers.tokens.decode_energy_per_token_j``). Prompt processing can be folded in.
    utilization : float or array_like, default 1.0
        Share of the time the GPUs do useful work, in (0, 1].
    idle_power_fraction : float or array_like, default 0.0
        Idle power ÷ busy power, in [0, 1].
    boundary_factor : float or array_like, default 1.0
        Energy counted ÷ GPU energy, ≥ 1: 1 for GPUs only, more when host CPUs, memory,
        networking and machines kept in reserve are counted.
    pue : float or array_like, default 1.0
        Power usage effectiveness of the data centre, ≥ 1.

    Returns
    -------
    float or ndarray
        Energy per query [Wh].

    Examples
    --------
    ML.ENERGY's mean chat response, 717 tokens at 184 J in all (GPU only, busy), is 0.051 Wh:

    >>> round(per_query_energy_wh(717, 184 / 717), 3)
    0.051
    """
    n = as_array(output_tokens, "output_tokens")
    e = as_array(energy_per_token_j, "energy_per_token_j")
    b = as_array(boundary_factor, "boundary_factor", low=1.0)
    p = as_array(pue, "pue", low=1.0)
    over = _utilization(utilization, idle_power_fraction)
    return result(n * e / J_PER_WH * np.asarray(over) * b * p)


def _scenario(s: Mapping, name: str) -> dict:
    missing = [k for k in ("output_tokens", "energy_per_token_j") if k not in s]
    unknown = sorted(set(s) - set(_SCENARIO_KEYS))
    if missing or unknown:
        raise ValueError(
            f"{name} must have keys {list(_SCENARIO_KEYS)} (output_tokens and "
            f"energy_per_token_j required); missing {missing}, unknown {unknown}"
        )
    defaults = {"utilization": 1.0, "idle_power_fraction": 0.0, "boundary_factor": 1.0, "pue": 1.0}
    return {**defaults, **s}


@calculator
def factor_ratios(low: Mapping, high: Mapping) -> dict[str, float]:
    """Split the ratio of two per-query estimates into the ratios of the five factors.

    Parameters
    ----------
    low, high : mapping
        Keyword arguments of :func:`per_query_energy_wh` for the two estimates
        (``output_tokens`` and ``energy_per_token_j`` required, the rest default as there).

    Returns
    -------
    dict
        Factor name (:data:`FACTORS`) → high ÷ low for that factor alone. Their product equals
        ``per_query_energy_wh(**high) / per_query_energy_wh(**low)``. The ``"batch"`` ratio is
        the ratio of ``energy_per_token_j`` (what the batch size changes).

    Raises
    ------
    ValueError
        For unknown or missing keys, bad values, or a factor of zero in ``low`` (it divides).

    Examples
    --------
    >>> r = factor_ratios({"output_tokens": 300, "energy_per_token_j": 0.25},
    ...                   {"output_tokens": 1500, "energy_per_token_j": 1.0, "pue": 1.5})
    >>> {k: round(v, 2) for k, v in r.items()}
    {'tokens': 5.0, 'batch': 4.0, 'utilization': 1.0, 'boundary': 1.0, 'pue': 1.5}
    """
    a, b = _scenario(low, "low"), _scenario(high, "high")
    keys = {"tokens": "output_tokens", "batch": "energy_per_token_j"}
    keys |= {"boundary": "boundary_factor", "pue": "pue"}
    out = {}
    for factor in FACTORS:
        if factor == "utilization":
            lo = _utilization(a["utilization"], a["idle_power_fraction"], "low ")
            hi = _utilization(b["utilization"], b["idle_power_fraction"], "high ")
        else:
            key = keys[factor]
            floor = 1.0 if factor in ("boundary", "pue") else 0.0
            lo = as_array(a[key], f"low[{key!r}]", low=floor, low_open=floor == 0.0)
            hi = as_array(b[key], f"high[{key!r}]", low=floor)
        out[factor] = result(np.asarray(hi) / np.asarray(lo))
    return out


@calculator
def log_shares(ratios: Mapping[str, float]) -> dict[str, float]:
    """Each factor's share of the total ratio on a logarithmic scale.

    With ratios :math:`r_k` and total :math:`R = \\prod r_k`, the share of factor :math:`k` is
    :math:`\\ln r_k / \\ln R`. Shares sum to 1; a factor that works against the others has a
    negative share.

    Parameters
    ----------
    ratios : mapping of str to float
        Factor → ratio, each > 0 (e.g. from :func:`factor_ratios`); their product must not be 1.

    Returns
    -------
    dict
        Factor → share [-].

    Examples
    --------
    >>> log_shares({"tokens": 10.0, "pue": 10.0})
    {'tokens': 0.5, 'pue': 0.5}
    """
    if not ratios:
        raise ValueError("ratios must not be empty")
    logs = {
        k: float(np.log(as_array(v, f"ratios[{k!r}]", low_open=True))) for k, v in ratios.items()
    }
    total = sum(logs.values())
    if abs(total) < 1e-12:
        raise ValueError("ratios must not multiply to 1: there is no spread to share out")
    return {k: v / total for k, v in logs.items()}


class ChatReference(NamedTuple):
    """A measured GPU-only chat response, chapter 06's starting point, and the power figures the
    utilisation factor needs."""

    output_tokens: float
    """ML.ENERGY's mean output tokens of a chat response (all models)."""
    energy_per_token_j: float
    """ML.ENERGY's mean GPU energy of a chat response ÷ its tokens [J]."""
    batch_size: float
    """The batch of ML.ENERGY's Qwen3-32B chat case study, taken as the batch the GPUs ran."""
    idle_power_w: float
    """An H100's idle power as measured by Morrison et al. (2025) [W]."""
    busy_power_w: float
    """The H100's rated power [W]."""


@calculator
def chat_reference(folder=None) -> ChatReference:
    """The reconciliation's starting point, from ``data/decode_measurements.csv``,
    ``per_query_assumptions.csv`` and ``gpus.csv`` (see :class:`ChatReference`).

    >>> ref = chat_reference()
    >>> ref.idle_power_w < ref.busy_power_w and ref.output_tokens > 100
    True
    """
    from helpers import data

    meas = data.load("decode_measurements", folder)
    n = data.value("per_query_assumptions", "mlenergy-chat-output", "value", folder)
    return ChatReference(
        output_tokens=n,
        energy_per_token_j=meas.loc["mlenergy-all-chat-response", "value"] / n,
        batch_size=float(meas.loc["mlenergy-qwen3-32b-chat-b128", "batch_size"]),
        idle_power_w=data.value("per_query_assumptions", "olmo-h100-idle", "value", folder),
        busy_power_w=data.value("gpus", "h100-sxm", "tdp_w", folder),
    )


@calculator
def batch_energy_ratio(batch_size, reference_batch_size, output_tokens):
    """:func:`helpers.tokens.batching_ratio` for Qwen3-32B on a B200 in BF16 (ML.ENERGY's case
    study, where :func:`chat_reference` starts) at the mean context of an answer of
    ``output_tokens`` tokens (no prompt).

    >>> round(batch_energy_ratio(128, 128, 500), 6)
    1.0
    """
    deployment = tokens.Deployment.from_tables("qwen3-32b", "b200", "BF16")
    context = tokens.mean_context_tokens(0, output_tokens)
    return tokens.batching_ratio(batch_size, reference_batch_size, context, deployment=deployment)
