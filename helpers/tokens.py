"""The cost of thinking: a first-principles model of the energy of generating tokens on a GPU.

Generating one token (a *decode step*) for a batch of ``B`` sequences makes the GPU read every
weight the step needs, plus the KV cache (the keys and values of all earlier tokens) of every
sequence in the batch, and do about two floating-point operations per active parameter per
sequence. Whichever takes longer, moving the bytes or doing the arithmetic, sets the step time:

.. math::

    t = \\frac{1}{\\eta}\\max\\left(
        \\frac{W\\,b + B\\,L\\,k}{\\text{bandwidth}},\\;
        \\frac{B\\,(2N + a L)}{\\text{peak FLOP/s}}\\right)

with ``W`` weights read per step, ``b`` bytes per parameter, ``L`` context length (tokens already
in the cache), ``k`` KV-cache bytes per token, ``N`` active parameters, ``a`` attention FLOPs per
cached token, and ``η`` an *achieved-efficiency factor* (0 < η ≤ 1) calibrated on published
measurements (``data/decode_measurements.csv``). The energy of one generated token is the power
of the GPUs times the step time, shared among the ``B`` sequences:

.. math::  e = P\\,t / B \\times \\text{PUE} \\times (1 + h)

where ``h`` is an optional host/overhead share. Reading the prompt (*prefill*) is modelled
separately as compute-bound work, ``2 N`` FLOPs per prompt token plus attention.

Everything is vectorized: pass arrays and numpy broadcasting does the rest, so a grid of
(reasoning tokens × batch sizes) is one call. Scalars in, floats out.

Assumptions (each one a place the model can be wrong, and the notebook shows where it is):

* The GPU draws a constant power while it works (its rated power unless you say otherwise);
  measured power rises with load, so the calibrated η absorbs the difference.
* Work splits perfectly over the GPUs that serve one copy of the model: energy per token does
  not depend on how many GPUs there are, only on the totals. Communication, replicated weights
  and scheduling gaps are all inside η.
* All sequences in a batch are at the same context length (the mean works for memory-bound
  steps, because the KV bytes read are linear in the lengths).
* Mixture-of-experts routing: tokens pick experts independently and uniformly (what
  load balancing aims for). Then a batch of ``B`` tokens touches, per MoE layer, on average
  ``E (1 - (1 - k/E)^B)`` distinct experts out of ``E`` when each token uses ``k``. At ``B = 1``
  this reads exactly the active parameters; as ``B`` grows it tends to the total. Correlated
  routing touches fewer experts, so this is an upper bound on the weights read.

References
----------
.. [1] DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv:2412.19437, 2024: Sec. 2.1 (MLA, MoE),
   Sec. 4.2 (hyper-parameters).
.. [2] DeepSeek, "Day 6: One More Thing, DeepSeek-V3/R1 Inference System Overview", 2025.
.. [3] J.-W. Chung, "Reading the ML.ENERGY Leaderboard v3.0", ML.ENERGY blog, January 2026.
.. [4] R. Pope et al., "Efficiently Scaling Transformer Inference", MLSys 2023 (the
   memory-bound versus compute-bound decode analysis this model follows).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from helpers._validate import as_array, result
from helpers.units import J_PER_WH

__all__ = [
    "PRECISION_BYTES",
    "bytes_per_param",
    "kv_bytes_per_token_gqa",
    "kv_bytes_per_token_mla",
    "attention_flops_per_context_token_gqa",
    "attention_flops_per_context_token_mla",
    "model_kwargs",
    "gpu_kwargs",
    "weights_read_params",
    "StepTimes",
    "decode_step_times_s",
    "decode_step_time_s",
    "decode_tokens_per_s",
    "decode_energy_per_token_j",
    "batching_ratio",
    "compute_bound_batch_size",
    "prefill_energy_j",
    "AnswerEnergy",
    "answer_energy",
    "max_batch_size",
    "min_gpu_count",
    "concurrent_sequences",
    "mean_context_tokens",
    "calibrate",
    "pooled_efficiency",
]

PRECISION_BYTES = {"FP16": 2.0, "BF16": 2.0, "FP8": 1.0, "INT8": 1.0, "INT4": 0.5}
"""Bytes per stored weight for the number formats the course uses."""

_EIGHT_BIT = {"FP8", "INT8"}


def bytes_per_param(precision: str) -> float:
    """Bytes per weight for ``precision`` (one of :data:`PRECISION_BYTES`).

    >>> bytes_per_param("FP8")
    1.0
    """
    if precision not in PRECISION_BYTES:
        raise ValueError(f"precision must be one of {list(PRECISION_BYTES)}; got {precision!r}")
    return PRECISION_BYTES[precision]


# --------------------------------------------------------------------------------------------
# Architecture: KV-cache bytes and attention FLOPs per token
# --------------------------------------------------------------------------------------------


def kv_bytes_per_token_gqa(layers, kv_heads, head_dim, bytes_per_element=2.0):
    """KV-cache bytes per token of a grouped-query (or multi-head) attention model.

    Every layer stores one key and one value vector per KV head.

    .. math:: k = 2 \\times \\text{layers} \\times \\text{kv\\_heads} \\times d_h \\times b

    Parameters
    ----------
    layers : float or array_like
        Transformer layers, ≥ 1.
    kv_heads : float or array_like
        Key/value heads per layer, ≥ 1 (equal to the attention heads for multi-head attention).
    head_dim : float or array_like
        Dimension of one head, ≥ 1.
    bytes_per_element : float or array_like, default 2.0
        Bytes per cached number (2 for BF16, 1 for an FP8 cache), > 0.

    Returns
    -------
    float or ndarray
        Bytes per token [B].

    Examples
    --------
    Llama 3.3 70B (80 layers, 8 KV heads of 128) with a BF16 cache:

    >>> kv_bytes_per_token_gqa(80, 8, 128)
    327680.0
    """
    n = as_array(layers, "layers", low=1)
    h = as_array(kv_heads, "kv_heads", low=1)
    d = as_array(head_dim, "head_dim", low=1)
    b = as_array(bytes_per_element, "bytes_per_element", low_open=True)
    return result(2.0 * n * h * d * b)


def kv_bytes_per_token_mla(layers, kv_latent_dim, rope_key_dim, bytes_per_element=2.0):
    """KV-cache bytes per token of multi-head latent attention (MLA, DeepSeek-V2/V3/R1).

    MLA caches one compressed latent vector and one small positional (RoPE) key per layer,
    shared by all heads, instead of a key and a value per head [1]_.

    .. math:: k = \\text{layers} \\times (d_c + d_h^R) \\times b

    Parameters
    ----------
    layers : float or array_like
        Transformer layers, ≥ 1.
    kv_latent_dim : float or array_like
        Dimension of the compressed KV latent ``d_c``, ≥ 1.
    rope_key_dim : float or array_like
        Dimension of the decoupled RoPE key ``d_h^R``, ≥ 0.
    bytes_per_element : float or array_like, default 2.0
        Bytes per cached number, > 0.

    Returns
    -------
    float or ndarray
        Bytes per token [B].

    Examples
    --------
    DeepSeek-V3 (61 layers, d_c = 512, d_h^R = 64) with a BF16 cache:

    >>> kv_bytes_per_token_mla(61, 512, 64)
    70272.0
    """
    n = as_array(layers, "layers", low=1)
    c = as_array(kv_latent_dim, "kv_latent_dim", low=1)
    r = as_array(rope_key_dim, "rope_key_dim")
    b = as_array(bytes_per_element, "bytes_per_element", low_open=True)
    return result(n * (c + r) * b)


def attention_flops_per_context_token_gqa(layers, attention_heads, head_dim):
    """Attention FLOPs that one new token spends on each token already in its context (GQA/MHA).

    Per layer and head: a dot product with each cached key and a weighted sum of each cached
    value, 2 × ``head_dim`` FLOPs each.

    .. math:: a = 4 \\times \\text{layers} \\times \\text{heads} \\times d_h

    Returns
    -------
    float or ndarray
        FLOPs per generated token per context token [FLOP].

    Examples
    --------
    >>> attention_flops_per_context_token_gqa(80, 64, 128)
    2621440.0
    """
    n = as_array(layers, "layers", low=1)
    h = as_array(attention_heads, "attention_heads", low=1)
    d = as_array(head_dim, "head_dim", low=1)
    return result(4.0 * n * h * d)


def attention_flops_per_context_token_mla(layers, attention_heads, kv_latent_dim, rope_key_dim):
    """Attention FLOPs per generated token per context token for MLA in its decode form.

    At decode time MLA attends directly over the cached latents ("absorbed" projections): each
    head scores every cached latent plus RoPE key (``d_c + d_h^R``) and sums the latents
    (``d_c``). Cheap in memory, heavy in arithmetic: about 6× a GQA model of similar size.

    .. math:: a = 2 \\times \\text{layers} \\times \\text{heads} \\times (2 d_c + d_h^R)

    Examples
    --------
    >>> attention_flops_per_context_token_mla(61, 128, 512, 64)
    16990208.0
    """
    n = as_array(layers, "layers", low=1)
    h = as_array(attention_heads, "attention_heads", low=1)
    c = as_array(kv_latent_dim, "kv_latent_dim", low=1)
    r = as_array(rope_key_dim, "rope_key_dim")
    return result(2.0 * n * h * (2.0 * c + r))


def _num(row, key):
    """A number from a mapping (dict or DataFrame row), or None where it is missing."""
    try:
        v = float(row[key])
    except (TypeError, ValueError, KeyError):
        return None
    return None if math.isnan(v) else v


def model_kwargs(model, precision: str = "BF16", kv_bytes_per_element: float = 2.0) -> dict:
    """Turn a row of ``data/models.csv`` into keyword arguments for the decode functions.

    Parameters
    ----------
    model : mapping
        A row of ``data.load("models")`` (or a dict with the same keys).
    precision : str, default "BF16"
        Number format of the weights (see :data:`PRECISION_BYTES`).
    kv_bytes_per_element : float, default 2.0
        Bytes per cached KV number (the cache usually stays in 16 bits).

    Returns
    -------
    dict
        ``active_params``, ``total_params`` (None for a dense model), ``routed_expert_fraction``
        (None for a dense model), ``bytes_per_param``, ``kv_bytes_per_token``,
        ``attention_flops_per_context_token``.
    """
    attention = str(model["attention"])
    layers = _num(model, "layers")
    heads = _num(model, "attention_heads")
    if attention == "MLA":
        latent, rope = _num(model, "kv_latent_dim"), _num(model, "rope_key_dim")
        kv = kv_bytes_per_token_mla(layers, latent, rope, kv_bytes_per_element)
        attn = attention_flops_per_context_token_mla(layers, heads, latent, rope)
    elif attention in ("GQA", "MHA"):
        kv_heads = heads if attention == "MHA" else _num(model, "kv_heads")
        head_dim = _num(model, "head_dim")
        kv = kv_bytes_per_token_gqa(layers, kv_heads, head_dim, kv_bytes_per_element)
        attn = attention_flops_per_context_token_gqa(layers, heads, head_dim)
    else:
        raise ValueError(f"attention must be one of ['GQA', 'MHA', 'MLA']; got {attention!r}")
    active = _num(model, "active_params_b") * 1e9
    total = _num(model, "total_params_b") * 1e9
    experts, used = _num(model, "routed_experts"), _num(model, "active_routed_experts")
    moe = experts is not None and used is not None and total > active
    return {
        "active_params": active,
        "total_params": total if moe else None,
        "routed_expert_fraction": used / experts if moe else None,
        "bytes_per_param": bytes_per_param(precision),
        "kv_bytes_per_token": kv,
        "attention_flops_per_context_token": attn,
    }


def gpu_kwargs(gpu, precision: str = "BF16") -> dict:
    """Turn a row of ``data/gpus.csv`` into keyword arguments for the decode functions.

    The peak used is the dense tensor throughput for the precision: 16-bit for FP16/BF16; the
    8-bit column for FP8/INT8 where the GPU has it. INT4, and 8-bit on GPUs without 8-bit tensor
    cores, are taken as *weight-only* formats whose arithmetic runs at 16 bits (how such kernels
    usually work): the weights shrink, the peak does not grow.

    Returns
    -------
    dict
        ``memory_bandwidth_gb_per_s``, ``peak_tflops`` and ``gpu_power_w`` (the rated power, an
        upper bound on what the board draws).
    """
    bytes_per_param(precision)  # validates the name
    peak = _num(gpu, "peak_16bit_tflops_dense")
    eight = _num(gpu, "peak_8bit_tflops_dense")
    if precision in _EIGHT_BIT and eight is not None:
        peak = eight
    return {
        "memory_bandwidth_gb_per_s": _num(gpu, "memory_bandwidth_gb_per_s"),
        "peak_tflops": peak,
        "gpu_power_w": _num(gpu, "tdp_w"),
    }


# --------------------------------------------------------------------------------------------
# Decode: one step for a batch
# --------------------------------------------------------------------------------------------


def weights_read_params(active_params, batch_size, total_params=None, routed_expert_fraction=None):
    """Parameters read from memory in one decode step of ``batch_size`` tokens.

    A dense model reads all its (active = total) parameters once per step, whatever the batch.
    A mixture-of-experts model reads its always-on part (attention, dense layers, shared experts)
    plus every routed expert that at least one token in the batch picked. With each token using
    a fraction ``f = k/E`` of the routed experts, independently and uniformly:

    .. math::

        R = \\frac{N_\\text{total} - N_\\text{active}}{1 - f},\\qquad
        W = N_\\text{total} - R\\,(1 - f)^B

    ``R`` is the routed-expert parameter count. ``W = N_active`` at ``B = 1`` and tends to
    ``N_total`` as ``B`` grows.

    Parameters
    ----------
    active_params : float or array_like
        Parameters used per token [-], > 0.
    batch_size : float or array_like
        Tokens in the step (sequences in the batch), ≥ 1.
    total_params : float or array_like, optional
        All parameters [-], ≥ ``active_params``. None (default) for a dense model.
    routed_expert_fraction : float or array_like, optional
        ``k/E``, the share of routed experts one token uses, in (0, 1). Required when
        ``total_params`` is given.

    Returns
    -------
    float or ndarray
        Parameters read per step [-].

    Examples
    --------
    DeepSeek-V3 (671B total, 37B active, 8 of 256 routed experts): batch 1 reads the active
    parameters; batch 128 already reads about 98 % of the model.

    >>> round(weights_read_params(37e9, 1, 671e9, 8 / 256) / 1e9, 1)
    37.0
    >>> round(weights_read_params(37e9, 128, 671e9, 8 / 256) / 671e9, 2)
    0.98
    """
    active = as_array(active_params, "active_params", low_open=True)
    b = as_array(batch_size, "batch_size", low=1)
    if total_params is None:
        return result(active * np.ones_like(b))
    if routed_expert_fraction is None:
        raise ValueError("routed_expert_fraction must be given for a mixture-of-experts model")
    total = as_array(total_params, "total_params", low_open=True)
    f = as_array(
        routed_expert_fraction, "routed_expert_fraction", low_open=True, high=1, high_open=True
    )
    if np.any(total < active):
        raise ValueError("total_params must be ≥ active_params")
    routed = (total - active) / (1.0 - f)
    if np.any(routed > total * (1 + 1e-12)):
        raise ValueError(
            "routed_expert_fraction is too large for these parameter counts: active_params "
            "must be at least routed_expert_fraction × total_params"
        )
    return result(total - routed * (1.0 - f) ** b)


class StepTimes(NamedTuple):
    """Ideal (η = 1) time of one decode step if it were limited only by memory or only by
    arithmetic [s]. The step takes the larger of the two."""

    memory_s: float | np.ndarray
    compute_s: float | np.ndarray


def _terms(
    active_params,
    bytes_per_param,
    batch_size,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    attention_flops_per_context_token,
    total_params,
    routed_expert_fraction,
):
    """Coefficients of the ideal step times, linear in context length L:
    memory_s = m0 + m1 L and compute_s = c0 + c1 L."""
    b = as_array(batch_size, "batch_size", low=1)
    bpp = as_array(bytes_per_param, "bytes_per_param", low_open=True)
    kv = as_array(kv_bytes_per_token, "kv_bytes_per_token")
    bw = as_array(memory_bandwidth_gb_per_s, "memory_bandwidth_gb_per_s", low_open=True) * 1e9
    peak = as_array(peak_tflops, "peak_tflops", low_open=True) * 1e12
    attn = as_array(attention_flops_per_context_token, "attention_flops_per_context_token")
    active = as_array(active_params, "active_params", low_open=True)
    w = np.asarray(weights_read_params(active, b, total_params, routed_expert_fraction))
    m0, m1 = w * bpp / bw, b * kv / bw
    c0, c1 = b * 2.0 * active / peak, b * attn / peak
    return m0, m1, c0, c1, b


def decode_step_times_s(
    active_params,
    bytes_per_param,
    batch_size,
    context_tokens,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    attention_flops_per_context_token=0.0,
    total_params=None,
    routed_expert_fraction=None,
    gpu_count=1,
):
    """Ideal memory time and compute time of one decode step (η = 1).

    .. math::

        t_\\text{mem} = \\frac{W b + B L k}{n \\cdot \\text{bandwidth}},\\qquad
        t_\\text{compute} = \\frac{B (2 N + a L)}{n \\cdot \\text{peak}}

    Parameters
    ----------
    active_params : float or array_like
        Parameters used per token ``N`` [-], > 0.
    bytes_per_param : float or array_like
        Bytes per stored weight ``b`` [B], > 0 (2 for BF16, 1 for FP8, 0.5 for INT4).
    batch_size : float or array_like
        Sequences decoded together ``B``, ≥ 1.
    context_tokens : float or array_like
        Tokens already in each sequence's KV cache ``L``, ≥ 0.
    kv_bytes_per_token : float or array_like
        KV-cache bytes per token ``k`` [B], ≥ 0.
    memory_bandwidth_gb_per_s : float or array_like
        Memory bandwidth of one GPU [GB/s], > 0.
    peak_tflops : float or array_like
        Peak dense tensor throughput of one GPU at the precision used [TFLOP/s], > 0.
    attention_flops_per_context_token : float or array_like, default 0
        Attention FLOPs per generated token per cached token ``a`` [FLOP], ≥ 0.
    total_params, routed_expert_fraction : optional
        For a mixture-of-experts model, see :func:`weights_read_params`.
    gpu_count : float or array_like, default 1
        GPUs sharing one copy of the model ``n``, ≥ 1 (assumed to split the work perfectly).

    Returns
    -------
    StepTimes
        ``memory_s`` and ``compute_s`` [s].
    """
    m0, m1, c0, c1, _ = _terms(
        active_params,
        bytes_per_param,
        batch_size,
        kv_bytes_per_token,
        memory_bandwidth_gb_per_s,
        peak_tflops,
        attention_flops_per_context_token,
        total_params,
        routed_expert_fraction,
    )
    ctx = as_array(context_tokens, "context_tokens")
    n = as_array(gpu_count, "gpu_count", low=1)
    return StepTimes(result((m0 + m1 * ctx) / n), result((c0 + c1 * ctx) / n))


def decode_step_time_s(
    active_params,
    bytes_per_param,
    batch_size,
    context_tokens,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    efficiency=1.0,
    attention_flops_per_context_token=0.0,
    total_params=None,
    routed_expert_fraction=None,
    gpu_count=1,
):
    """Time of one decode step: the larger of memory and compute time, divided by η.

    Parameters are those of :func:`decode_step_times_s` plus ``efficiency`` (η, in (0, 1]),
    the achieved share of the ideal speed.

    Returns
    -------
    float or ndarray
        Seconds per step [s].

    Examples
    --------
    >>> round(decode_step_time_s(70e9, 2, 1, 0, 327_680, 3350, 989) * 1e3, 1)  # ms
    41.8
    """
    eff = as_array(efficiency, "efficiency", low_open=True, high=1)
    times = decode_step_times_s(
        active_params,
        bytes_per_param,
        batch_size,
        context_tokens,
        kv_bytes_per_token,
        memory_bandwidth_gb_per_s,
        peak_tflops,
        attention_flops_per_context_token,
        total_params,
        routed_expert_fraction,
        gpu_count,
    )
    return result(np.maximum(times.memory_s, times.compute_s) / eff)


def decode_tokens_per_s(
    active_params,
    bytes_per_param,
    batch_size,
    context_tokens,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    efficiency=1.0,
    attention_flops_per_context_token=0.0,
    total_params=None,
    routed_expert_fraction=None,
    gpu_count=1,
):
    """Output tokens per second of the ``gpu_count`` GPUs serving one batch: ``B / t``.

    Same parameters as :func:`decode_step_time_s`.

    Returns
    -------
    float or ndarray
        Tokens per second for all ``gpu_count`` GPUs together [tokens/s].
    """
    t = decode_step_time_s(
        active_params,
        bytes_per_param,
        batch_size,
        context_tokens,
        kv_bytes_per_token,
        memory_bandwidth_gb_per_s,
        peak_tflops,
        efficiency,
        attention_flops_per_context_token,
        total_params,
        routed_expert_fraction,
        gpu_count,
    )
    return result(as_array(batch_size, "batch_size", low=1) / np.asarray(t))


def _energy_factor(gpu_power_w, efficiency, pue, host_overhead_fraction):
    p = as_array(gpu_power_w, "gpu_power_w", low_open=True)
    eff = as_array(efficiency, "efficiency", low_open=True, high=1)
    u = as_array(pue, "pue", low=1)
    h = as_array(host_overhead_fraction, "host_overhead_fraction")
    return p / eff * u * (1.0 + h)


def decode_energy_per_token_j(
    active_params,
    bytes_per_param,
    batch_size,
    context_tokens,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    gpu_power_w,
    efficiency=1.0,
    attention_flops_per_context_token=0.0,
    total_params=None,
    routed_expert_fraction=None,
    pue=1.0,
    host_overhead_fraction=0.0,
):
    """Energy of one generated token at context length ``context_tokens``.

    .. math:: e = \\frac{P \\max(t_\\text{mem}, t_\\text{compute})}{\\eta\\,B}
              \\times \\text{PUE} \\times (1 + h)

    With ``n`` GPUs the step is ``n`` times shorter and ``n`` times more power is drawn, so
    the energy per token does not depend on the GPU count (under perfect scaling).

    Parameters
    ----------
    active_params, bytes_per_param, batch_size, context_tokens, kv_bytes_per_token,
    memory_bandwidth_gb_per_s, peak_tflops, attention_flops_per_context_token,
    total_params, routed_expert_fraction
        As in :func:`decode_step_times_s`.
    gpu_power_w : float or array_like
        Power of one GPU while working [W], > 0. The rated power (TDP) is an upper bound.
    efficiency : float or array_like, default 1.0
        Achieved-efficiency factor η in (0, 1]; 1 is the ideal. Calibrate it with
        :func:`calibrate`.
    pue : float or array_like, default 1.0
        Data-centre power usage effectiveness, ≥ 1.
    host_overhead_fraction : float or array_like, default 0.0
        Host CPUs, memory and networking as a share of GPU energy, ≥ 0.

    Returns
    -------
    float or ndarray
        Energy per generated token [J].

    Examples
    --------
    Llama 3.3 70B in BF16 on H100s, batch 1, ideal: the GPU streams 140 GB of weights for
    every token, about 29 J.

    >>> round(decode_energy_per_token_j(70e9, 2, 1, 0, 327_680, 3350, 989, 700), 1)
    29.3
    """
    m0, m1, c0, c1, b = _terms(
        active_params,
        bytes_per_param,
        batch_size,
        kv_bytes_per_token,
        memory_bandwidth_gb_per_s,
        peak_tflops,
        attention_flops_per_context_token,
        total_params,
        routed_expert_fraction,
    )
    ctx = as_array(context_tokens, "context_tokens")
    k = _energy_factor(gpu_power_w, efficiency, pue, host_overhead_fraction)
    return result(k * np.maximum(m0 + m1 * ctx, c0 + c1 * ctx) / b)


def batching_ratio(batch_size, reference_batch_size, context_tokens, **model_and_gpu):
    """Decode energy per token at ``batch_size`` ÷ at ``reference_batch_size``.

    The efficiency factor, power, host share and PUE cancel in the ratio, so only the model,
    the GPU and the context matter (``model_and_gpu``: the keywords of :func:`model_kwargs` and
    :func:`gpu_kwargs`).

    Examples
    --------
    Llama 3.3 70B on an H100 in BF16, 1,000 tokens of context: one sequence alone costs many times
    what it costs in a batch of 64.

    >>> kw = {"active_params": 70.6e9, "bytes_per_param": 2, "kv_bytes_per_token": 327_680,
    ...       "memory_bandwidth_gb_per_s": 3350, "peak_tflops": 989, "gpu_power_w": 700}
    >>> round(batching_ratio(1, 64, 1000, **kw), 1)
    55.9
    """
    reference = as_array(reference_batch_size, "reference_batch_size", low=1.0)
    e = decode_energy_per_token_j(
        batch_size=batch_size, context_tokens=context_tokens, **model_and_gpu
    )
    ref = decode_energy_per_token_j(
        batch_size=reference, context_tokens=context_tokens, **model_and_gpu
    )
    return result(np.asarray(e) / np.asarray(ref))


def compute_bound_batch_size(
    active_params,
    bytes_per_param,
    context_tokens,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    attention_flops_per_context_token=0.0,
):
    """Batch size above which a *dense* model's decode step becomes compute-bound.

    Setting memory time equal to compute time and solving for ``B``:

    .. math:: B^* = \\frac{N b / \\text{bw}}{(2N + aL)/\\text{peak} - L k / \\text{bw}}

    Returns ``inf`` where the KV cache makes the step memory-bound at any batch size (the
    denominator is ≤ 0). For a mixture-of-experts model the weights read grow with the batch,
    so there is no closed form: evaluate :func:`decode_step_times_s` on a grid instead.

    Returns
    -------
    float or ndarray
        Batch size [-].

    Examples
    --------
    A 70B model in BF16 on an H100 at a short context turns compute-bound near batch 295
    (the GPU's FLOP-per-byte ratio 989e12 / 3.35e12).

    >>> round(compute_bound_batch_size(70e9, 2, 0, 0, 3350, 989))
    295
    """
    n = as_array(active_params, "active_params", low_open=True)
    bpp = as_array(bytes_per_param, "bytes_per_param", low_open=True)
    ctx = as_array(context_tokens, "context_tokens")
    kv = as_array(kv_bytes_per_token, "kv_bytes_per_token")
    bw = as_array(memory_bandwidth_gb_per_s, "memory_bandwidth_gb_per_s", low_open=True) * 1e9
    peak = as_array(peak_tflops, "peak_tflops", low_open=True) * 1e12
    a = as_array(attention_flops_per_context_token, "attention_flops_per_context_token")
    denom = (2.0 * n + a * ctx) / peak - ctx * kv / bw
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(denom > 0, (n * bpp / bw) / np.where(denom > 0, denom, 1.0), np.inf)
    return result(out)


# --------------------------------------------------------------------------------------------
# Prefill and whole answers
# --------------------------------------------------------------------------------------------


def prefill_energy_j(
    prompt_tokens,
    active_params,
    peak_tflops,
    gpu_power_w,
    efficiency=1.0,
    attention_flops_per_context_token=0.0,
    pue=1.0,
    host_overhead_fraction=0.0,
):
    """Energy of reading a prompt (prefill), taken as compute-bound.

    All prompt tokens are processed in parallel, so the weights are read once for many tokens
    and arithmetic dominates. Token ``i`` attends to the ``i`` tokens before it.

    .. math:: E = \\frac{P}{\\eta\\,\\text{peak}}\\left(2 N T + a \\frac{T (T - 1)}{2}\\right)
              \\times \\text{PUE} \\times (1 + h)

    Parameters
    ----------
    prompt_tokens : float or array_like
        Prompt length ``T`` [tokens], ≥ 0.
    active_params : float or array_like
        Parameters used per token [-], > 0.
    peak_tflops : float or array_like
        Peak dense throughput of one GPU [TFLOP/s], > 0.
    gpu_power_w : float or array_like
        Power of one GPU [W], > 0.
    efficiency : float or array_like, default 1.0
        Achieved share of peak during prefill (model FLOP utilization), in (0, 1].
    attention_flops_per_context_token, pue, host_overhead_fraction
        As in :func:`decode_energy_per_token_j`.

    Returns
    -------
    float or ndarray
        Energy [J].

    Examples
    --------
    1,000 prompt tokens through 70B active parameters at the H100's BF16 peak and 700 W:

    >>> round(prefill_energy_j(1000, 70e9, 989, 700), 1)
    99.1
    """
    t = as_array(prompt_tokens, "prompt_tokens")
    n = as_array(active_params, "active_params", low_open=True)
    peak = as_array(peak_tflops, "peak_tflops", low_open=True) * 1e12
    a = as_array(attention_flops_per_context_token, "attention_flops_per_context_token")
    k = _energy_factor(gpu_power_w, efficiency, pue, host_overhead_fraction)
    flops = 2.0 * n * t + a * t * np.maximum(t - 1.0, 0.0) / 2.0
    return result(k * flops / peak)


def _sum_linear(f0, f1, lo, hi):
    """Σ (f0 + f1 L) for integer L from lo to hi - 1 (zero where hi ≤ lo)."""
    n = np.maximum(hi - lo, 0.0)
    return n * f0 + f1 * n * (lo + hi - 1.0) / 2.0


def _sum_max_linear(m0, m1, c0, c1, lo, hi):
    """Σ max(m0 + m1 L, c0 + c1 L) for integer L in [lo, hi), in closed form.

    The two lines cross at most once, at L* = (c0 - m0) / (m1 - c1); split the range there
    and sum each part as an arithmetic series.
    """
    d0, d1 = m0 - c0, m1 - c1
    with np.errstate(divide="ignore", invalid="ignore"):
        star = np.where(d1 != 0, -d0 / np.where(d1 != 0, d1, 1.0), 0.0)
    # d1 > 0: memory wins for L >= ceil(L*); d1 < 0: memory wins for L <= floor(L*).
    up = np.clip(np.ceil(star), lo, hi)
    down = np.clip(np.floor(star) + 1.0, lo, hi)
    mem_rising = _sum_linear(c0, c1, lo, up) + _sum_linear(m0, m1, up, hi)
    mem_falling = _sum_linear(m0, m1, lo, down) + _sum_linear(c0, c1, down, hi)
    flat = np.where(d0 >= 0, _sum_linear(m0, m1, lo, hi), _sum_linear(c0, c1, lo, hi))
    return np.where(d1 > 0, mem_rising, np.where(d1 < 0, mem_falling, flat))


class AnswerEnergy(NamedTuple):
    """Energy of one answer, split by where it went [J], and the total [J and Wh]."""

    prompt_j: float | np.ndarray
    reasoning_j: float | np.ndarray
    answer_j: float | np.ndarray
    total_j: float | np.ndarray
    total_wh: float | np.ndarray


def answer_energy(
    prompt_tokens,
    reasoning_tokens,
    answer_tokens,
    *,
    active_params,
    bytes_per_param,
    batch_size,
    kv_bytes_per_token,
    memory_bandwidth_gb_per_s,
    peak_tflops,
    gpu_power_w,
    efficiency=1.0,
    prefill_efficiency=None,
    attention_flops_per_context_token=0.0,
    total_params=None,
    routed_expert_fraction=None,
    pue=1.0,
    host_overhead_fraction=0.0,
):
    """Energy of one answer: prefill of the prompt, then decoding the reasoning and the answer.

    Token ``i`` of the output (counting from 0) is generated with ``prompt + i`` tokens already
    in the cache, so each reasoning token makes every later token a little dearer. The decode
    energy is the exact sum over all output tokens of :func:`decode_energy_per_token_j`, computed
    in closed form (no loop over tokens), so the function is fast on large grids.

    Parameters
    ----------
    prompt_tokens : float or array_like
        Tokens in the prompt [tokens], ≥ 0.
    reasoning_tokens : float or array_like
        Chain-of-thought tokens generated before the answer [tokens], ≥ 0.
    answer_tokens : float or array_like
        Tokens of the visible answer [tokens], ≥ 0.
    active_params, bytes_per_param, batch_size, kv_bytes_per_token, memory_bandwidth_gb_per_s,
    peak_tflops, gpu_power_w, efficiency, attention_flops_per_context_token, total_params,
    routed_expert_fraction, pue, host_overhead_fraction
        As in :func:`decode_energy_per_token_j` (keyword-only). All other sequences in the batch
        are assumed to be at the same context length as this one.
    prefill_efficiency : float or array_like, optional
        η for the prefill (see :func:`prefill_energy_j`); defaults to ``efficiency``.

    Returns
    -------
    AnswerEnergy
        ``prompt_j``, ``reasoning_j``, ``answer_j``, ``total_j`` [J] and ``total_wh`` [Wh].

    Examples
    --------
    >>> e = answer_energy(500, 2000, 300, active_params=70e9, bytes_per_param=1, batch_size=32,
    ...                   kv_bytes_per_token=327_680, memory_bandwidth_gb_per_s=3350,
    ...                   peak_tflops=1979, gpu_power_w=700)
    >>> round(e.reasoning_j / e.answer_j, 2)  # 6.7 times the tokens, but cheaper ones
    5.84

    The answer's tokens come after the whole chain of thought, so each costs more than an
    average reasoning token.
    """
    p = as_array(prompt_tokens, "prompt_tokens")
    r = as_array(reasoning_tokens, "reasoning_tokens")
    a = as_array(answer_tokens, "answer_tokens")
    m0, m1, c0, c1, b = _terms(
        active_params,
        bytes_per_param,
        batch_size,
        kv_bytes_per_token,
        memory_bandwidth_gb_per_s,
        peak_tflops,
        attention_flops_per_context_token,
        total_params,
        routed_expert_fraction,
    )
    k = _energy_factor(gpu_power_w, efficiency, pue, host_overhead_fraction) / b
    prefill = prefill_energy_j(
        p,
        active_params,
        peak_tflops,
        gpu_power_w,
        efficiency if prefill_efficiency is None else prefill_efficiency,
        attention_flops_per_context_token,
        pue,
        host_overhead_fraction,
    )
    reasoning = k * _sum_max_linear(m0, m1, c0, c1, p, p + r)
    answer = k * _sum_max_linear(m0, m1, c0, c1, p + r, p + r + a)
    prefill, reasoning, answer = np.broadcast_arrays(prefill, reasoning, answer)
    total = prefill + reasoning + answer
    return AnswerEnergy(
        result(prefill), result(reasoning), result(answer), result(total), result(total / J_PER_WH)
    )


# --------------------------------------------------------------------------------------------
# Memory capacity and calibration
# --------------------------------------------------------------------------------------------


def max_batch_size(
    memory_gb,
    gpu_count,
    total_params,
    bytes_per_param,
    context_tokens,
    kv_bytes_per_token,
    usable_memory_fraction=0.9,
):
    """Largest batch whose KV caches fit next to the weights in the GPUs' memory.

    .. math:: B_\\max = \\left\\lfloor \\frac{f\\,n\\,M - N_\\text{total}\\,b}{L\\,k} \\right\\rfloor

    Returns 0 where the weights alone do not fit. ``usable_memory_fraction`` leaves room for
    activations and the runtime (0.9 is vLLM's default share of GPU memory).

    Parameters
    ----------
    memory_gb : float or array_like
        Memory of one GPU [GB], > 0.
    gpu_count : float or array_like
        GPUs holding one copy of the model, ≥ 1.
    total_params : float or array_like
        All parameters (every expert must be in memory) [-], > 0.
    bytes_per_param : float or array_like
        Bytes per weight [B], > 0.
    context_tokens : float or array_like
        Tokens cached per sequence [tokens], > 0.
    kv_bytes_per_token : float or array_like
        KV-cache bytes per token [B], > 0.
    usable_memory_fraction : float or array_like, default 0.9
        Share of memory for weights and KV cache, in (0, 1].

    Returns
    -------
    float or ndarray
        Sequences [-].

    Examples
    --------
    Qwen3-32B in BF16 on one 180 GB B200 with 4,000-token sequences:

    >>> max_batch_size(180, 1, 32.8e9, 2, 4000, 262_144)
    91.0
    """
    m = as_array(memory_gb, "memory_gb", low_open=True) * 1e9
    n = as_array(gpu_count, "gpu_count", low=1)
    w = as_array(total_params, "total_params", low_open=True)
    bpp = as_array(bytes_per_param, "bytes_per_param", low_open=True)
    ctx = as_array(context_tokens, "context_tokens", low_open=True)
    kv = as_array(kv_bytes_per_token, "kv_bytes_per_token", low_open=True)
    f = as_array(usable_memory_fraction, "usable_memory_fraction", low_open=True, high=1)
    return result(np.maximum(np.floor((f * n * m - w * bpp) / (ctx * kv)), 0.0))


def min_gpu_count(
    memory_gb,
    total_params,
    bytes_per_param,
    batch_size=0.0,
    context_tokens=0.0,
    kv_bytes_per_token=0.0,
    usable_memory_fraction=0.9,
):
    """Fewest GPUs whose memory holds the weights and, optionally, a batch of KV caches.

    .. math:: n = \\left\\lceil \\frac{N_\\text{total}\\,b + B\\,L\\,k}{f\\,M} \\right\\rceil

    Parameters
    ----------
    memory_gb : float or array_like
        Memory of one GPU [GB], > 0.
    total_params, bytes_per_param : float or array_like
        All parameters [-] and bytes per weight [B], > 0.
    batch_size, context_tokens, kv_bytes_per_token : float or array_like, default 0
        Sequences, tokens cached per sequence and KV bytes per token, ≥ 0 (all zero: weights only).
    usable_memory_fraction : float or array_like, default 0.9
        Share of memory for weights and KV cache, in (0, 1].

    Returns
    -------
    float or ndarray
        GPUs [-].

    Examples
    --------
    >>> min_gpu_count(80, 671e9, 1)  # DeepSeek-V3 in FP8 on 80 GB GPUs: weights only
    10.0
    >>> min_gpu_count(80, 671e9, 1, 1024, 8000, 70_272)  # plus 1,024 sequences of 8,000 tokens
    18.0
    """
    m = as_array(memory_gb, "memory_gb", low_open=True) * 1e9
    w = as_array(total_params, "total_params", low_open=True)
    bpp = as_array(bytes_per_param, "bytes_per_param", low_open=True)
    b = as_array(batch_size, "batch_size")
    ctx = as_array(context_tokens, "context_tokens")
    kv = as_array(kv_bytes_per_token, "kv_bytes_per_token")
    f = as_array(usable_memory_fraction, "usable_memory_fraction", low_open=True, high=1)
    return result(np.ceil((w * bpp + b * ctx * kv) / (f * m)))


def concurrent_sequences(tokens_per_s, tokens_per_s_per_sequence):
    """Sequences being decoded at once: total output rate ÷ the rate each user sees.

    Examples
    --------
    >>> round(concurrent_sequences(14_800, 21))
    705
    """
    t = as_array(tokens_per_s, "tokens_per_s")
    s = as_array(tokens_per_s_per_sequence, "tokens_per_s_per_sequence", low_open=True)
    return result(t / s)


def mean_context_tokens(prompt_tokens, output_tokens):
    """Mean number of cached tokens over the decode steps of one answer.

    Output token ``i`` (counting from 0) is written with ``prompt + i`` tokens in the cache, so
    the mean over ``n`` output tokens is

    .. math:: \\bar L = T_\\text{prompt} + \\frac{n - 1}{2}

    Because the memory time of a step is linear in the context length, the step at this mean
    context has the mean memory time of the whole answer.

    Parameters
    ----------
    prompt_tokens : float or array_like
        Tokens in the prompt [tokens], ≥ 0.
    output_tokens : float or array_like
        Tokens generated [tokens], ≥ 1.

    Returns
    -------
    float or ndarray
        Mean context length [tokens].

    Examples
    --------
    >>> mean_context_tokens(100, 501)
    350.0
    """
    p = as_array(prompt_tokens, "prompt_tokens")
    n = as_array(output_tokens, "output_tokens", low=1)
    return result(p + (n - 1.0) / 2.0)


def calibrate(measurement, model, gpu, batch_size=None, cache_hit_fraction=0.0) -> float:
    """The η that makes the model reproduce one published measurement.

    Parameters
    ----------
    measurement : mapping
        A row of ``data/decode_measurements.csv`` whose ``quantity`` is ``decode_throughput``
        (tokens/s for ``gpu_count`` GPUs, with the model copy spread over ``serving_gpus``),
        ``energy_per_token`` (J per output token, GPU energy) or ``prefill_throughput``
        (prompt tokens/s for ``gpu_count`` GPUs).
    model, gpu : mapping
        The matching rows of ``data/models.csv`` and ``data/gpus.csv``.
    batch_size : float, optional
        Sequences in flight per ``gpu_count`` GPUs, if the row does not give it (decode only).
    cache_hit_fraction : float, default 0
        Share of prompt tokens served from a KV cache, which need no computation (prefill only).

    Returns
    -------
    float
        Decode: η = ideal time ÷ measured time (throughput rows), or ideal energy at rated
        power ÷ measured energy (energy rows); an energy-based η also absorbs the GPU drawing
        less than its rated power. Prefill: achieved FLOP/s ÷ peak FLOP/s, counting ``2 N``
        FLOPs per computed prompt token (attention left out, since prompt lengths are not
        published, so this is a lower bound). Values above 1 would mean the measurement beats
        the model's ideal.

    Notes
    -----
    The decode context length is the row's ``context_tokens`` (the mean KV length) if given,
    otherwise the mean over the answer, ``prompt_tokens + (output_tokens - 1) / 2``.
    """
    quantity = str(measurement["quantity"])
    precision = str(measurement["weight_precision"])
    kw = model_kwargs(model, precision)
    g = gpu_kwargs(gpu, precision)
    if quantity == "prefill_throughput":
        hit = as_array(cache_hit_fraction, "cache_hit_fraction", high=1, high_open=True)
        value = as_array(_num(measurement, "value"), "value", low_open=True)
        per = _num(measurement, "gpu_count") or 1.0
        flops = value * (1.0 - hit) * 2.0 * kw["active_params"]
        return float(flops / (per * g["peak_tflops"] * 1e12))
    if quantity not in ("decode_throughput", "energy_per_token"):
        raise ValueError(
            "measurement quantity must be 'decode_throughput', 'energy_per_token' or "
            f"'prefill_throughput'; got {quantity!r}"
        )
    ctx = _num(measurement, "context_tokens")
    if ctx is None:
        ctx = mean_context_tokens(
            _num(measurement, "prompt_tokens") or 0.0, _num(measurement, "output_tokens")
        )
    batch = batch_size if batch_size is not None else _num(measurement, "batch_size")
    if batch is None:
        raise ValueError("batch_size must be given: the measurement row does not state it")
    per = _num(measurement, "gpu_count") or 1.0
    serving = _num(measurement, "serving_gpus") or per
    value = as_array(_num(measurement, "value"), "value", low_open=True)
    if quantity == "decode_throughput":
        total_batch = batch * serving / per
        t = decode_step_time_s(
            kw["active_params"],
            kw["bytes_per_param"],
            total_batch,
            ctx,
            kw["kv_bytes_per_token"],
            g["memory_bandwidth_gb_per_s"],
            g["peak_tflops"],
            1.0,
            kw["attention_flops_per_context_token"],
            kw["total_params"],
            kw["routed_expert_fraction"],
            serving,
        )
        return float(value * t / total_batch * serving / per)
    ideal = decode_energy_per_token_j(
        kw["active_params"],
        kw["bytes_per_param"],
        batch * serving / per,
        ctx,
        kw["kv_bytes_per_token"],
        g["memory_bandwidth_gb_per_s"],
        g["peak_tflops"],
        g["gpu_power_w"],
        1.0,
        kw["attention_flops_per_context_token"],
        kw["total_params"],
        kw["routed_expert_fraction"],
    )
    return float(ideal / value)


def pooled_efficiency(efficiencies) -> float:
    """One η from several calibrations: their geometric mean (the misfits are ratios, so the
    middle is taken on a log scale).

    >>> round(pooled_efficiency([0.25, 1.0]), 2)
    0.5
    """
    e = as_array(efficiencies, "efficiencies", low_open=True)
    return float(np.exp(np.mean(np.log(e))))
