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

A peer tool, EcoLogits, estimates a request's energy bottom-up from fitted coefficients
(:func:`ecologits_request`, its method as published); :func:`ecologits_scenario` writes its
estimate as the five factors, so that it can be lined up with any other estimate.

All functions take scalars or arrays and reject NaN, infinite or out-of-range input with a
``ValueError`` naming the parameter.

References
----------
.. [1] C. Elsworth et al., "Measuring the environmental impact of delivering AI at Google Scale",
   arXiv:2508.15734, 2025 (comprehensive vs accelerator-only boundary).
.. [2] J.-W. Chung, "Reading the ML.ENERGY Leaderboard v3.0", 2026 (energy per response, batch).
.. [3] S. Rincé and A. Banse (GenAI Impact), "Environmental Impacts of LLM Inference", EcoLogits
   methodology, docs/methodology/llm_inference.md at commit af96c0f, 2025.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np

from helpers import tokens
from helpers._validate import InputTypeError, as_array, as_number, calculator, result
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
    "EcoLogitsMethod",
    "ecologits_method",
    "EcoLogitsRequest",
    "ecologits_request",
    "ecologits_request_energy_wh",
    "ecologits_scenario",
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


# --- EcoLogits: a peer tool's bottom-up estimate ---------------------------------------------

_BITS_PER_BYTE = 8.0


class EcoLogitsMethod(NamedTuple):
    """The parameters of EcoLogits' method for the energy of one request (methodology at commit
    af96c0f), from the ``ecologits-*`` rows of ``data/per_query_assumptions.csv``."""

    energy_alpha_wh: float
    """α of the GPU energy fit [Wh per output token per billion active parameters]."""
    energy_beta: float
    """β of the GPU energy fit [per request in the batch]; negative: bigger batches, less."""
    energy_gamma_wh: float
    """γ of the GPU energy fit [Wh per output token]."""
    latency_alpha_s: float
    """α of the latency fit [s per output token per billion active parameters]."""
    latency_beta_s: float
    """β of the latency fit [s per output token per request in the batch]."""
    latency_gamma_s: float
    """γ of the latency fit [s per output token]."""
    batch_size: float
    """Requests served together, fixed for every request [-]."""
    server_power_w: float
    """Power of a server outside its GPUs [W]."""
    gpus_per_server: float
    """GPUs installed in that server [-]."""
    memory_overhead: float
    """Memory needed ÷ memory of the weights [-]."""
    weight_bits: float
    """Bits per weight (EcoLogits assumes 4-bit quantization) [-]."""
    gpu_memory_gb: float
    """Memory of one GPU [GB]."""


_ECOLOGITS_ROWS = {
    "energy_alpha_wh": "ecologits-energy-alpha",
    "energy_beta": "ecologits-energy-beta",
    "energy_gamma_wh": "ecologits-energy-gamma",
    "latency_alpha_s": "ecologits-latency-alpha",
    "latency_beta_s": "ecologits-latency-beta",
    "latency_gamma_s": "ecologits-latency-gamma",
    "batch_size": "ecologits-batch-size",
    "server_power_w": "ecologits-server-power",
    "gpus_per_server": "ecologits-gpus-per-server",
    "memory_overhead": "ecologits-memory-overhead",
    "weight_bits": "ecologits-weight-bits",
    "gpu_memory_gb": "ecologits-gpu-memory",
}

_ECOLOGITS_BOUNDS = {  # (low, low_open) of each parameter; β may be any finite number
    "energy_beta": (-np.inf, False),
    "batch_size": (0.0, True),
    "gpus_per_server": (0.0, True),
    "memory_overhead": (0.0, True),
    "weight_bits": (0.0, True),
    "gpu_memory_gb": (0.0, True),
}


@calculator
def ecologits_method(folder=None) -> EcoLogitsMethod:
    """EcoLogits' coefficients and assumptions, from ``data/per_query_assumptions.csv``.

    >>> m = ecologits_method()
    >>> m.batch_size, m.weight_bits, m.energy_beta < 0
    (64.0, 4.0, True)
    """
    from helpers import data

    return EcoLogitsMethod(
        **{
            field: float(data.value("per_query_assumptions", row, "value", folder))
            for field, row in _ECOLOGITS_ROWS.items()
        }
    )


def _method_values(method) -> EcoLogitsMethod:
    if method is None:
        method = ecologits_method()
    if not isinstance(method, EcoLogitsMethod):
        raise InputTypeError(
            f"method must be an EcoLogitsMethod (reconcile.ecologits_method()); got "
            f"{type(method).__name__}"
        )
    checked = {}
    for field in EcoLogitsMethod._fields:
        low, low_open = _ECOLOGITS_BOUNDS.get(field, (0.0, False))
        checked[field] = as_number(
            getattr(method, field), f"method.{field}", low=low, low_open=low_open
        )
    return EcoLogitsMethod(**checked)


class EcoLogitsRequest(NamedTuple):
    """One request as EcoLogits estimates it (see :func:`ecologits_request`)."""

    gpu_count: float
    """GPUs needed to hold the weights, rounded up [-]."""
    latency_s: float
    """Generation time of the request [s]."""
    gpu_energy_wh: float
    """Energy of all those GPUs for the request [Wh]."""
    server_energy_wh: float
    """The request's share of the server's energy outside the GPUs [Wh]."""
    energy_wh: float
    """(GPU + server energy) × PUE: EcoLogits' energy of the request [Wh]."""


@calculator
def ecologits_request(
    output_tokens, active_params_b, total_params_b, pue=1.0, request_latency_s=None, *, method=None
) -> EcoLogitsRequest:
    """The energy of one request to a language model by EcoLogits' method, step by step.

    EcoLogits (GenAI Impact) estimates a request bottom-up from fits to the ML.ENERGY
    leaderboard (H100 GPUs, vLLM), at a batch size :math:`B` fixed for every request:

    .. math::

        f_E &= \\alpha\\,e^{\\beta B}\\,P_\\text{active} + \\gamma
            && \\text{GPU energy per output token, of one GPU}\\\\
        \\text{GPU} &= \\left\\lceil \\frac{1.2\\,P_\\text{total}\\,Q / 8}{M_\\text{GPU}}
            \\right\\rceil && \\text{GPUs holding the weights at } Q \\text{ bits}\\\\
        \\Delta T &= \\min\\{n\\,(\\alpha_L P_\\text{active} + \\beta_L B + \\gamma_L),\\,
            \\Delta T_\\text{request}\\} && \\text{generation time}\\\\
        E &= \\text{PUE}\\,\\Big(\\text{GPU}\\cdot n\\,f_E
            + \\Delta T\\,W_\\text{server}\\,\\frac{\\text{GPU}}{\\#\\text{GPU}_\\text{installed}}
            \\,\\frac{1}{B}\\Big)

    with :math:`n` output tokens and :math:`P` in billions of parameters; 1.2 is the memory
    overhead and :math:`W_\\text{server}` the power of the server outside its GPUs (both in
    ``method``). Idle time is not charged: the method leaves out "utilization factors".

    Parameters
    ----------
    output_tokens : float or array_like
        Tokens generated, ≥ 0.
    active_params_b : float or array_like
        Parameters used per token [billions], > 0 and ≤ ``total_params_b``.
    total_params_b : float or array_like
        All parameters, which must sit in GPU memory [billions], > 0.
    pue : float or array_like, default 1.0
        The provider's PUE, ≥ 1 (EcoLogits uses 1.2 for OpenAI on Microsoft).
    request_latency_s : float or array_like, optional
        The measured time of the request [s], > 0: an upper bound on the generation time.
    method : EcoLogitsMethod, optional
        The coefficients; default :func:`ecologits_method` (the tables).

    Returns
    -------
    EcoLogitsRequest
        GPU count, generation time [s], GPU and server energy [Wh] before PUE, and the
        request's energy [Wh].

    Raises
    ------
    ValueError
        If ``active_params_b`` exceeds ``total_params_b``, or an input is out of range.

    Examples
    --------
    GPT-4o as EcoLogits sizes it (440B parameters, 55B active at the low end), 500 tokens:

    >>> r = ecologits_request(500, 55, 440, 1.2)
    >>> r.gpu_count, round(r.latency_s, 1), round(r.energy_wh, 3)
    (4.0, 38.3, 0.848)

    References
    ----------
    .. [1] S. Rincé and A. Banse, "Environmental Impacts of LLM Inference", EcoLogits
       methodology (docs/methodology/llm_inference.md, commit af96c0f), 2025.
    """
    n = as_array(output_tokens, "output_tokens")
    active = as_array(active_params_b, "active_params_b", low_open=True)
    total = as_array(total_params_b, "total_params_b", low_open=True)
    p = as_array(pue, "pue", low=1.0)
    m = _method_values(method)
    if np.any(active > total):
        raise ValueError(
            "active_params_b must be ≤ total_params_b (a model uses at most all its "
            f"parameters); got {np.max(active):g} > {np.min(total):g}"
        )
    energy_per_token_wh = m.energy_alpha_wh * np.exp(m.energy_beta * m.batch_size) * active
    energy_per_token_wh = energy_per_token_wh + m.energy_gamma_wh
    memory_gb = m.memory_overhead * total * m.weight_bits / _BITS_PER_BYTE
    # Rounded to 9 digits first, so that a model that fills its GPUs exactly is not given one
    # more for a floating-point error in the last digit.
    gpus = np.ceil(np.round(memory_gb / m.gpu_memory_gb, 9))
    seconds_per_token = m.latency_alpha_s * active + m.latency_beta_s * m.batch_size
    latency = n * (seconds_per_token + m.latency_gamma_s)
    if request_latency_s is not None:
        cap = as_array(request_latency_s, "request_latency_s", low_open=True)
        latency = np.minimum(latency, cap)
    gpu_wh = gpus * n * energy_per_token_wh
    share = gpus / m.gpus_per_server / m.batch_size
    server_wh = latency * m.server_power_w * share / J_PER_WH
    return EcoLogitsRequest(
        gpu_count=result(gpus),
        latency_s=result(latency),
        gpu_energy_wh=result(gpu_wh),
        server_energy_wh=result(server_wh),
        energy_wh=result(p * (gpu_wh + server_wh)),
    )


@calculator
def ecologits_request_energy_wh(
    output_tokens, active_params_b, total_params_b, pue=1.0, request_latency_s=None, *, method=None
):
    """EcoLogits' energy of one request [Wh]: :func:`ecologits_request`'s ``energy_wh``.

    Parameters
    ----------
    output_tokens : float or array_like
        Tokens generated, ≥ 0.
    active_params_b : float or array_like
        Parameters used per token [billions], > 0 and ≤ ``total_params_b``.
    total_params_b : float or array_like
        All parameters [billions], > 0.
    pue : float or array_like, default 1.0
        The provider's PUE, ≥ 1.
    request_latency_s : float or array_like, optional
        The measured time of the request [s], > 0, an upper bound on the generation time.
    method : EcoLogitsMethod, optional
        The coefficients; default :func:`ecologits_method`.

    Returns
    -------
    float or ndarray
        Energy of the request, GPUs, the rest of the server and PUE [Wh].

    Examples
    --------
    GPT-4o at 500 output tokens, PUE 1.2, at both ends of EcoLogits' 55–220B active range:

    >>> round(ecologits_request_energy_wh(500, 55, 440, 1.2), 3)
    0.848
    >>> round(ecologits_request_energy_wh(500, 220, 440, 1.2), 3)
    3.163
    """
    return ecologits_request(
        output_tokens, active_params_b, total_params_b, pue, request_latency_s, method=method
    ).energy_wh


@calculator
def ecologits_scenario(output_tokens, active_params_b, total_params_b, pue=1.0, *, method=None):
    """EcoLogits' estimate as the five factors: keyword arguments of
    :func:`per_query_energy_wh`, to line it up with another estimate (:func:`factor_ratios`).

    The energy per token is that of all the GPUs holding the model; the boundary factor is what
    the server outside the GPUs adds to it; utilisation stays 1 (no idle time is charged).

    Parameters
    ----------
    output_tokens : float or array_like
        Tokens generated, > 0 (the energy is shared among them).
    active_params_b : float or array_like
        Parameters used per token [billions], > 0 and ≤ ``total_params_b``.
    total_params_b : float or array_like
        All parameters [billions], > 0.
    pue : float or array_like, default 1.0
        The provider's PUE, ≥ 1.
    method : EcoLogitsMethod, optional
        The coefficients; default :func:`ecologits_method`.

    Returns
    -------
    dict
        ``output_tokens``, ``energy_per_token_j``, ``boundary_factor`` and ``pue``.

    Examples
    --------
    >>> s = ecologits_scenario(500, 55, 440, 1.2)
    >>> round(s["boundary_factor"], 2), round(per_query_energy_wh(**s), 3)
    (1.13, 0.848)
    """
    n = as_array(output_tokens, "output_tokens", low_open=True)
    r = ecologits_request(n, active_params_b, total_params_b, pue, method=method)
    return {
        "output_tokens": result(n),
        "energy_per_token_j": result(np.asarray(r.gpu_energy_wh) * J_PER_WH / n),
        "boundary_factor": result(
            (np.asarray(r.gpu_energy_wh) + r.server_energy_wh) / r.gpu_energy_wh
        ),
        "pue": result(as_array(pue, "pue", low=1.0)),
    }
