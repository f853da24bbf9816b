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

import dataclasses
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from helpers._validate import as_array, as_choice, as_number, calculator, result
from helpers.units import J_PER_WH, PER_BILLION, PER_GIGA, PER_TERA

__all__ = [
    "PRECISION_BYTES",
    "bytes_per_param",
    "kv_bytes_per_token_gqa",
    "kv_bytes_per_token_mla",
    "attention_flops_per_context_token_gqa",
    "attention_flops_per_context_token_mla",
    "Deployment",
    "weights_read_params",
    "StepTimes",
    "decode_step_times_s",
    "decode_step_time_s",
    "decode_tokens_per_s",
    "decode_energy_per_token_j",
    "batching_ratio",
    "ridge_flops_per_byte",
    "arithmetic_intensity",
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
    "Calibration",
    "course_calibration",
    "measurement_checks",
]

PRECISION_BYTES = {"FP32": 4.0, "FP16": 2.0, "BF16": 2.0, "FP8": 1.0, "INT8": 1.0, "INT4": 0.5}
"""Bytes per stored weight for the number formats the course uses."""

_EIGHT_BIT = {"FP8", "INT8"}


@calculator
def bytes_per_param(precision: str) -> float:
    """Bytes per weight for ``precision`` (one of :data:`PRECISION_BYTES`).

    >>> bytes_per_param("FP8")
    1.0
    """
    return PRECISION_BYTES[as_choice(precision, "precision", PRECISION_BYTES)]


# --------------------------------------------------------------------------------------------
# Architecture: KV-cache bytes and attention FLOPs per token
# --------------------------------------------------------------------------------------------


@calculator
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


@calculator
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


@calculator
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


@calculator
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


def _model_fields(model, precision: str, kv_bytes_per_element: float) -> dict:
    """A row of ``data/models.csv`` as :class:`Deployment` fields."""
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
    active = _num(model, "active_params_b") * PER_BILLION
    total = _num(model, "total_params_b") * PER_BILLION
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


def _gpu_fields(gpu, precision: str) -> dict:
    """A row of ``data/gpus.csv`` as :class:`Deployment` fields.

    The peak is the dense tensor throughput for the precision: 16-bit for FP16/BF16; the 8-bit
    column for FP8/INT8 where the GPU has it. INT4, and 8-bit on GPUs without 8-bit tensor
    cores, are taken as *weight-only* formats whose arithmetic runs at 16 bits (how such kernels
    usually work): the weights shrink, the peak does not grow.
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
        "memory_gb": _num(gpu, "memory_gb"),
    }


def _attention_peak(gpu, kv_bytes_per_element: float) -> float | None:
    """The peak for attention over the KV cache: the 8-bit column for a 1-byte cache where the
    GPU has it, else the 16-bit one."""
    eight = _num(gpu, "peak_8bit_tflops_dense")
    if kv_bytes_per_element <= 1.0 and eight is not None:
        return eight
    return _num(gpu, "peak_16bit_tflops_dense")


@dataclass(frozen=True, eq=False)
class Deployment:
    """A model served on GPUs in a number format: what the decode model needs to know of both.

    The course's tables describe models (``data/models.csv``) and GPUs (``data/gpus.csv``);
    :meth:`from_tables` picks one of each and a precision. The functions of this module take it
    as ``deployment=`` beside what changes from one call to the next (batch size, context,
    efficiency), so a learner writes
    ``tokens.answer_energy(500, 2000, 300, deployment=d, batch_size=32)``. For a what-if,
    :meth:`replace` changes fields; for hardware measured on your own machine (chapter 07),
    build one directly.

    Every field may be a number or an array (numpy broadcasting).

    Attributes
    ----------
    active_params : float
        Parameters used per token ``N`` [-], > 0.
    bytes_per_param : float
        Bytes per stored weight ``b`` [B], > 0 (4 for FP32, 2 for BF16, 1 for FP8, 0.5 for INT4).
    kv_bytes_per_token : float
        KV-cache bytes per token ``k`` [B], ≥ 0.
    memory_bandwidth_gb_per_s : float
        Memory bandwidth of one GPU (or of a CPU's memory) [GB/s], > 0.
    peak_tflops : float
        Peak dense throughput of one GPU at the precision used [TFLOP/s], > 0.
    gpu_power_w : float
        Power of one GPU while working [W], > 0. The rated power (TDP) is an upper bound.
    attention_flops_per_context_token : float, default 0
        Attention FLOPs per generated token per cached token ``a`` [FLOP], ≥ 0.
    total_params, routed_expert_fraction : float, optional
        For a mixture-of-experts model, all parameters and the share of routed experts one
        token uses (see :func:`weights_read_params`); None for a dense model.
    attention_peak_tflops : float, optional
        Peak throughput for the attention arithmetic over the KV cache [TFLOP/s], > 0; None
        (default) means ``peak_tflops``. Attention runs in the cache's number format, usually
        16 bits even when the weights are 8-bit (DeepSeek runs its MLA attention in BF16 [2]_),
        so :meth:`from_rows` takes the 16-bit peak for a 16-bit cache.
    always_on_copies : float, default 1
        GPUs that each hold, and read at every step, their own copy of the always-on weights
        (attention, dense layers, shared experts): 1 when the model is split across the GPUs
        that serve it; the number of GPUs when attention is data-parallel, as in DeepSeek's
        expert-parallel serving, where every decode GPU keeps attention and a shared expert
        [2]_. Routed experts are read once, on the GPU that hosts each.
    memory_gb : float, optional
        Memory of one GPU [GB], > 0 (for :func:`max_batch_size` and :func:`min_gpu_count`).
    label : str
        What this is, for tables and charts.
    """

    active_params: float
    bytes_per_param: float
    kv_bytes_per_token: float
    memory_bandwidth_gb_per_s: float
    peak_tflops: float
    gpu_power_w: float
    attention_flops_per_context_token: float = 0.0
    total_params: float | None = None
    routed_expert_fraction: float | None = None
    attention_peak_tflops: float | None = None
    always_on_copies: float = 1.0
    memory_gb: float | None = None
    label: str = ""

    def __post_init__(self):
        as_array(self.active_params, "active_params", low_open=True)
        as_array(self.bytes_per_param, "bytes_per_param", low_open=True)
        as_array(self.kv_bytes_per_token, "kv_bytes_per_token")
        as_array(self.memory_bandwidth_gb_per_s, "memory_bandwidth_gb_per_s", low_open=True)
        as_array(self.peak_tflops, "peak_tflops", low_open=True)
        as_array(self.gpu_power_w, "gpu_power_w", low_open=True)
        as_array(self.attention_flops_per_context_token, "attention_flops_per_context_token")
        if self.memory_gb is not None:
            as_array(self.memory_gb, "memory_gb", low_open=True)
        if self.attention_peak_tflops is not None:
            as_array(self.attention_peak_tflops, "attention_peak_tflops", low_open=True)
        as_array(self.always_on_copies, "always_on_copies", low=1)
        if (self.total_params is None) != (self.routed_expert_fraction is None):
            raise ValueError(
                "total_params and routed_expert_fraction must be given together (a mixture of "
                "experts) or both be None (a dense model)"
            )
        weights_read_params(self.active_params, 1, self.total_params, self.routed_expert_fraction)

    @classmethod
    def from_rows(cls, model, gpu, precision: str = "BF16", kv_bytes_per_element: float = 2.0):
        """From a row of ``data.load("models")`` and one of ``data.load("gpus")`` (or dicts with
        the same keys), the weights stored in ``precision`` (see :data:`PRECISION_BYTES`) and
        the KV cache in ``kv_bytes_per_element`` bytes per number (usually 16 bits)."""
        label = f"{model.get('name', '')} on {gpu.get('name', '')} ({precision})"
        return cls(
            **_model_fields(model, precision, kv_bytes_per_element),
            **_gpu_fields(gpu, precision),
            attention_peak_tflops=_attention_peak(gpu, kv_bytes_per_element),
            label=label,
        )

    @classmethod
    def from_tables(
        cls,
        model_id: str,
        gpu_id: str,
        precision: str = "BF16",
        kv_bytes_per_element: float = 2.0,
        folder=None,
    ) -> Deployment:
        """The deployment of ``model_id`` (``data/models.csv``) on ``gpu_id``
        (``data/gpus.csv``) in ``precision``.

        >>> d = Deployment.from_tables("llama-3.3-70b", "h100-sxm", "FP8")
        >>> d.bytes_per_param, d.peak_tflops, d.label
        (1.0, 1979.0, 'Llama 3.3 70B on NVIDIA H100 SXM (FP8)')
        """
        from helpers import data

        models, gpus = data.load("models", folder), data.load("gpus", folder)
        for name, table, key in (("model_id", models, model_id), ("gpu_id", gpus, gpu_id)):
            if key not in table.index:
                raise ValueError(f"{name} must be one of {list(table.index)}; got {key!r}")
        return cls.from_rows(
            models.loc[model_id], gpus.loc[gpu_id], precision, kv_bytes_per_element
        )

    def replace(self, **changes) -> Deployment:
        """A copy with some fields changed (a what-if), e.g. ``d.replace(gpu_power_w=500)``."""
        return dataclasses.replace(self, **changes)

    def dense(self, active_params, label: str = "") -> Deployment:
        """The same attention and hardware with a dense model of ``active_params`` parameters,
        split across its GPUs (one copy of its weights)."""
        return self.replace(
            active_params=active_params,
            total_params=None,
            routed_expert_fraction=None,
            always_on_copies=1.0,
            label=label,
        )

    @property
    def always_on_params(self):
        """Parameters every token uses whatever the routing [-]: all of them for a dense model;
        attention, dense layers and shared experts for a mixture of experts (the active
        parameters minus the routed experts a token picks)."""
        if self.total_params is None:
            return self.active_params
        f = np.asarray(self.routed_expert_fraction, dtype=float)
        routed = (np.asarray(self.total_params, float) - self.active_params) / (1.0 - f)
        return result(np.asarray(self.total_params, float) - routed)


def _deployment(deployment) -> Deployment:
    if not isinstance(deployment, Deployment):
        raise TypeError(f"deployment must be a tokens.Deployment; got {type(deployment).__name__}")
    return deployment


# --------------------------------------------------------------------------------------------
# Decode: one step for a batch
# --------------------------------------------------------------------------------------------


@calculator
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


def _terms(d: Deployment, batch_size):
    """Coefficients of the ideal step times, linear in context length L:
    memory_s = m0 + m1 L and compute_s = c0 + c1 L."""
    b = as_array(batch_size, "batch_size", low=1)
    bw = np.asarray(d.memory_bandwidth_gb_per_s, dtype=float) * PER_GIGA
    peak = np.asarray(d.peak_tflops, dtype=float) * PER_TERA
    attention_peak = peak if d.attention_peak_tflops is None else d.attention_peak_tflops * PER_TERA
    active = np.asarray(d.active_params, dtype=float)
    w = np.asarray(weights_read_params(active, b, d.total_params, d.routed_expert_fraction))
    w = w + (np.asarray(d.always_on_copies, float) - 1.0) * np.asarray(d.always_on_params, float)
    m0, m1 = w * d.bytes_per_param / bw, b * np.asarray(d.kv_bytes_per_token, float) / bw
    c0 = b * 2.0 * active / peak
    c1 = b * np.asarray(d.attention_flops_per_context_token, float) / attention_peak
    return m0, m1, c0, c1, b


def _efficiency(efficiency):
    return as_array(efficiency, "efficiency", low_open=True, high=1)


@calculator
def decode_step_times_s(batch_size, context_tokens, *, deployment, gpu_count=1):
    """Ideal memory time and compute time of one decode step (η = 1).

    .. math::

        t_\\text{mem} = \\frac{W b + B L k}{n \\cdot \\text{bandwidth}},\\qquad
        t_\\text{compute} = \\frac{B (2 N + a L)}{n \\cdot \\text{peak}}

    Parameters
    ----------
    batch_size : float or array_like
        Sequences decoded together ``B``, ≥ 1.
    context_tokens : float or array_like
        Tokens already in each sequence's KV cache ``L``, ≥ 0.
    deployment : Deployment
        The model, the GPU and the precision.
    gpu_count : float or array_like, default 1
        GPUs sharing one copy of the model ``n``, ≥ 1 (assumed to split the work perfectly).

    Returns
    -------
    StepTimes
        ``memory_s`` and ``compute_s`` [s].

    Examples
    --------
    >>> d = Deployment(70e9, 2, 327_680, 3350, 989, 700)  # a 70B model in BF16 on an H100
    >>> t = decode_step_times_s(1, 0, deployment=d)
    >>> round(t.memory_s * 1e3, 1), round(t.compute_s * 1e3, 2)  # ms: memory-bound
    (41.8, 0.14)
    """
    m0, m1, c0, c1, _ = _terms(_deployment(deployment), batch_size)
    ctx = as_array(context_tokens, "context_tokens")
    n = as_array(gpu_count, "gpu_count", low=1)
    return StepTimes(result((m0 + m1 * ctx) / n), result((c0 + c1 * ctx) / n))


@calculator
def decode_step_time_s(batch_size, context_tokens, *, deployment, efficiency=1.0, gpu_count=1):
    """Time of one decode step: the larger of memory and compute time, divided by η.

    Parameters are those of :func:`decode_step_times_s` plus ``efficiency`` (η, in (0, 1]),
    the achieved share of the ideal speed.

    Returns
    -------
    float or ndarray
        Seconds per step [s].

    Examples
    --------
    >>> d = Deployment(70e9, 2, 327_680, 3350, 989, 700)  # a 70B model in BF16 on an H100
    >>> round(decode_step_time_s(1, 0, deployment=d) * 1e3, 1)  # ms
    41.8
    """
    eff = _efficiency(efficiency)
    times = decode_step_times_s(
        batch_size, context_tokens, deployment=deployment, gpu_count=gpu_count
    )
    return result(np.maximum(times.memory_s, times.compute_s) / eff)


@calculator
def decode_tokens_per_s(batch_size, context_tokens, *, deployment, efficiency=1.0, gpu_count=1):
    """Output tokens per second of the ``gpu_count`` GPUs serving one batch: ``B / t``.

    Same parameters as :func:`decode_step_time_s`.

    Returns
    -------
    float or ndarray
        Tokens per second for all ``gpu_count`` GPUs together [tokens/s].

    Examples
    --------
    >>> d = Deployment(70e9, 2, 327_680, 3350, 989, 700)
    >>> round(decode_tokens_per_s(1, 0, deployment=d), 1)
    23.9
    >>> round(decode_tokens_per_s(64, 0, deployment=d))  # 64 times the tokens for 1.15 times the time
    1531
    """
    t = decode_step_time_s(
        batch_size,
        context_tokens,
        deployment=deployment,
        efficiency=efficiency,
        gpu_count=gpu_count,
    )
    return result(as_array(batch_size, "batch_size", low=1) / np.asarray(t))


def _energy_factor(d: Deployment, efficiency, pue, host_overhead_fraction):
    u = as_array(pue, "pue", low=1)
    h = as_array(host_overhead_fraction, "host_overhead_fraction")
    return np.asarray(d.gpu_power_w, dtype=float) / _efficiency(efficiency) * u * (1.0 + h)


@calculator
def decode_energy_per_token_j(
    batch_size,
    context_tokens,
    *,
    deployment,
    efficiency=1.0,
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
    batch_size, context_tokens, deployment
        As in :func:`decode_step_times_s`.
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
    Llama 3.3 70B in BF16 on H100s, batch 1, ideal: the GPUs stream 140 GB of weights for
    every token, about 29 J.

    >>> d = Deployment(70e9, 2, 327_680, 3350, 989, 700)
    >>> round(decode_energy_per_token_j(1, 0, deployment=d), 1)
    29.3
    """
    d = _deployment(deployment)
    m0, m1, c0, c1, b = _terms(d, batch_size)
    ctx = as_array(context_tokens, "context_tokens")
    k = _energy_factor(d, efficiency, pue, host_overhead_fraction)
    return result(k * np.maximum(m0 + m1 * ctx, c0 + c1 * ctx) / b)


@calculator
def batching_ratio(batch_size, reference_batch_size, context_tokens, *, deployment):
    """Decode energy per token at ``batch_size`` ÷ at ``reference_batch_size``.

    The efficiency factor, power, host share and PUE cancel in the ratio, so only the model,
    the GPU and the context matter.

    Examples
    --------
    Llama 3.3 70B on an H100 in BF16, 1,000 tokens of context: one sequence alone costs many times
    what it costs in a batch of 64.

    >>> d = Deployment(70.6e9, 2, 327_680, 3350, 989, 700)
    >>> round(batching_ratio(1, 64, 1000, deployment=d), 1)
    55.9
    """
    reference = as_array(reference_batch_size, "reference_batch_size", low=1.0)
    e = decode_energy_per_token_j(batch_size, context_tokens, deployment=deployment)
    ref = decode_energy_per_token_j(reference, context_tokens, deployment=deployment)
    return result(np.asarray(e) / np.asarray(ref))


@calculator
def ridge_flops_per_byte(*, deployment):
    """The GPU's ridge point: peak FLOP/s ÷ memory bandwidth [FLOP/B].

    In the *roofline* picture a step whose arithmetic intensity (FLOPs per byte it moves) is
    below the ridge waits for memory (memory-bound); above it, for arithmetic (compute-bound).

    >>> round(ridge_flops_per_byte(deployment=Deployment(70e9, 2, 0, 3350, 989, 700)))
    295
    """
    d = _deployment(deployment)
    return result(
        np.asarray(d.peak_tflops, float)
        * PER_TERA
        / (np.asarray(d.memory_bandwidth_gb_per_s) * PER_GIGA)
    )


@calculator
def arithmetic_intensity(batch_size, context_tokens, *, deployment):
    """FLOPs per byte read of one decode step: its arithmetic ÷ the weights and KV caches it
    reads [FLOP/B] (attention FLOPs counted at face value).

    One sequence in 16-bit numbers does about two FLOPs per two-byte weight: an intensity near
    1, far below any GPU's ridge (:func:`ridge_flops_per_byte`). Batching raises it.

    >>> d = Deployment(70e9, 2, 0, 3350, 989, 700)
    >>> arithmetic_intensity(1, 0, deployment=d), arithmetic_intensity(64, 0, deployment=d)
    (1.0, 64.0)
    """
    d = _deployment(deployment)
    m0, m1, c0, c1, _ = _terms(d.replace(attention_peak_tflops=None), batch_size)
    ctx = as_array(context_tokens, "context_tokens")
    bw = np.asarray(d.memory_bandwidth_gb_per_s, float) * PER_GIGA
    peak = np.asarray(d.peak_tflops, float) * PER_TERA
    return result(((c0 + c1 * ctx) * peak) / ((m0 + m1 * ctx) * bw))


@calculator(allow_inf=True)
def compute_bound_batch_size(context_tokens, *, deployment):
    """Batch size above which a *dense* model's decode step becomes compute-bound.

    Setting memory time equal to compute time and solving for ``B``:

    .. math:: B^* = \\frac{c\\,N b / \\text{bw}}
              {2N/\\text{peak} + aL/\\text{peak}_\\text{attn} - L k / \\text{bw}}

    with ``c`` the deployment's ``always_on_copies`` and :math:`\\text{peak}_\\text{attn}` its
    attention peak.

    Returns ``inf`` on purpose where the KV cache makes the step memory-bound at any batch size
    (the denominator is ≤ 0). For a mixture-of-experts model the weights read grow with the
    batch, so there is no closed form: evaluate :func:`decode_step_times_s` on a grid instead.

    Returns
    -------
    float or ndarray
        Batch size [-].

    Examples
    --------
    A 70B model in BF16 on an H100 at a short context turns compute-bound near batch 295
    (the GPU's FLOP-per-byte ratio 989e12 / 3.35e12).

    >>> round(compute_bound_batch_size(0, deployment=Deployment(70e9, 2, 0, 3350, 989, 700)))
    295
    """
    d = _deployment(deployment)
    if d.total_params is not None:
        raise ValueError(
            "deployment must be a dense model (total_params None): a mixture of experts reads "
            "more weights as the batch grows, so evaluate decode_step_times_s on a grid"
        )
    n = np.asarray(d.active_params, dtype=float)
    ctx = as_array(context_tokens, "context_tokens")
    kv = np.asarray(d.kv_bytes_per_token, dtype=float)
    bw = np.asarray(d.memory_bandwidth_gb_per_s, dtype=float) * PER_GIGA
    peak = np.asarray(d.peak_tflops, dtype=float) * PER_TERA
    a = np.asarray(d.attention_flops_per_context_token, dtype=float)
    attention_peak = peak if d.attention_peak_tflops is None else d.attention_peak_tflops * PER_TERA
    weights = n * np.asarray(d.always_on_copies, dtype=float)
    denom = 2.0 * n / peak + a * ctx / attention_peak - ctx * kv / bw
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(
            denom > 0, (weights * d.bytes_per_param / bw) / np.where(denom > 0, denom, 1.0), np.inf
        )
    return result(out)


# --------------------------------------------------------------------------------------------
# Prefill and whole answers
# --------------------------------------------------------------------------------------------


@calculator
def prefill_energy_j(
    prompt_tokens, *, deployment, efficiency=1.0, pue=1.0, host_overhead_fraction=0.0
):
    """Energy of reading a prompt (prefill), taken as compute-bound.

    All prompt tokens are processed in parallel, so the weights are read once for many tokens
    and arithmetic dominates. Token ``i`` attends to the ``i`` tokens before it.

    .. math:: E = \\frac{P}{\\eta}\\left(\\frac{2 N T}{\\text{peak}}
              + \\frac{a\\,T (T - 1) / 2}{\\text{peak}_\\text{attn}}\\right)
              \\times \\text{PUE} \\times (1 + h)

    Parameters
    ----------
    prompt_tokens : float or array_like
        Prompt length ``T`` [tokens], ≥ 0.
    deployment : Deployment
        The model, the GPU and the precision.
    efficiency : float or array_like, default 1.0
        Achieved share of peak during prefill (model FLOP utilization), in (0, 1].
    pue, host_overhead_fraction
        As in :func:`decode_energy_per_token_j`.

    Returns
    -------
    float or ndarray
        Energy [J].

    Examples
    --------
    1,000 prompt tokens through 70B active parameters at the H100's BF16 peak and 700 W:

    >>> round(prefill_energy_j(1000, deployment=Deployment(70e9, 2, 0, 3350, 989, 700)), 1)
    99.1
    """
    d = _deployment(deployment)
    t = as_array(prompt_tokens, "prompt_tokens")
    n = np.asarray(d.active_params, dtype=float)
    peak = np.asarray(d.peak_tflops, dtype=float) * PER_TERA
    a = np.asarray(d.attention_flops_per_context_token, dtype=float)
    attention_peak = peak if d.attention_peak_tflops is None else d.attention_peak_tflops * PER_TERA
    k = _energy_factor(d, efficiency, pue, host_overhead_fraction)
    seconds = 2.0 * n * t / peak + a * t * np.maximum(t - 1.0, 0.0) / 2.0 / attention_peak
    return result(k * seconds)


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
    # Nearly parallel lines cross far away: L* may overflow to ±inf, which the clips below
    # turn into "no crossing in the range", as it should.
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
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


@calculator
def answer_energy(
    prompt_tokens,
    reasoning_tokens,
    answer_tokens,
    *,
    deployment,
    batch_size=1,
    efficiency=1.0,
    prefill_efficiency=None,
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
    deployment : Deployment
        The model, the GPU and the precision.
    batch_size : float or array_like, default 1
        Sequences decoded together, ≥ 1. All other sequences in the batch are assumed to be at
        the same context length as this one.
    efficiency, pue, host_overhead_fraction
        As in :func:`decode_energy_per_token_j`.
    prefill_efficiency : float or array_like, optional
        η for the prefill (see :func:`prefill_energy_j`); defaults to ``efficiency``.

    Returns
    -------
    AnswerEnergy
        ``prompt_j``, ``reasoning_j``, ``answer_j``, ``total_j`` [J] and ``total_wh`` [Wh].

    Examples
    --------
    >>> d = Deployment(70e9, 1, 327_680, 3350, 1979, 700)
    >>> e = answer_energy(500, 2000, 300, deployment=d, batch_size=32)
    >>> round(e.reasoning_j / e.answer_j, 2)  # 6.7 times the tokens, but cheaper ones
    5.84

    The answer's tokens come after the whole chain of thought, so each costs more than an
    average reasoning token.
    """
    d = _deployment(deployment)
    p = as_array(prompt_tokens, "prompt_tokens")
    r = as_array(reasoning_tokens, "reasoning_tokens")
    a = as_array(answer_tokens, "answer_tokens")
    m0, m1, c0, c1, b = _terms(d, batch_size)
    k = _energy_factor(d, efficiency, pue, host_overhead_fraction) / b
    prefill = prefill_energy_j(
        p,
        deployment=d,
        efficiency=efficiency if prefill_efficiency is None else prefill_efficiency,
        pue=pue,
        host_overhead_fraction=host_overhead_fraction,
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


def _memory(d: Deployment):
    if d.memory_gb is None:
        raise ValueError("deployment.memory_gb must be set (the GPU's memory in GB)")
    return np.asarray(d.memory_gb, dtype=float) * PER_GIGA


def _all_params(d: Deployment):
    return np.asarray(d.active_params if d.total_params is None else d.total_params, float)


@calculator
def max_batch_size(context_tokens, *, deployment, gpu_count=1, usable_memory_fraction=0.9):
    """Largest batch whose KV caches fit next to the weights in the GPUs' memory.

    .. math:: B_\\max = \\left\\lfloor \\frac{f\\,n\\,M - N_\\text{total}\\,b}{L\\,k} \\right\\rfloor

    Returns 0 where the weights alone do not fit. ``usable_memory_fraction`` leaves room for
    activations and the runtime (0.9 is vLLM's default share of GPU memory).

    Parameters
    ----------
    context_tokens : float or array_like
        Tokens cached per sequence [tokens], > 0.
    deployment : Deployment
        The model (every parameter must be in memory), the GPU (its ``memory_gb``) and the
        precision; its ``kv_bytes_per_token`` must be > 0.
    gpu_count : float or array_like, default 1
        GPUs holding one copy of the model, ≥ 1.
    usable_memory_fraction : float or array_like, default 0.9
        Share of memory for weights and KV cache, in (0, 1].

    Returns
    -------
    float or ndarray
        Sequences [-].

    Examples
    --------
    Qwen3-32B in BF16 on one 180 GB B200 with 4,000-token sequences:

    >>> d = Deployment(32.8e9, 2, 262_144, 7700, 2250, 1000, memory_gb=180)
    >>> max_batch_size(4000, deployment=d)
    91.0
    """
    d = _deployment(deployment)
    m = _memory(d)
    n = as_array(gpu_count, "gpu_count", low=1)
    ctx = as_array(context_tokens, "context_tokens", low_open=True)
    kv = as_array(d.kv_bytes_per_token, "deployment.kv_bytes_per_token", low_open=True)
    f = as_array(usable_memory_fraction, "usable_memory_fraction", low_open=True, high=1)
    weights = _all_params(d) * d.bytes_per_param
    return result(np.maximum(np.floor((f * n * m - weights) / (ctx * kv)), 0.0))


@calculator
def min_gpu_count(*, deployment, batch_size=0.0, context_tokens=0.0, usable_memory_fraction=0.9):
    """Fewest GPUs whose memory holds the weights and, optionally, a batch of KV caches.

    .. math:: n = \\left\\lceil \\frac{N_\\text{total}\\,b + B\\,L\\,k}{f\\,M} \\right\\rceil

    Parameters
    ----------
    deployment : Deployment
        The model, the GPU (its ``memory_gb``) and the precision.
    batch_size, context_tokens : float or array_like, default 0
        Sequences and tokens cached per sequence, ≥ 0 (both zero: weights only).
    usable_memory_fraction : float or array_like, default 0.9
        Share of memory for weights and KV cache, in (0, 1].

    Returns
    -------
    float or ndarray
        GPUs [-].

    Examples
    --------
    DeepSeek-V3 in FP8 on 80 GB GPUs, weights only, then with 1,024 sequences of 8,000 tokens:

    >>> d = Deployment(37e9, 1, 70_272, 3350, 1979, 700, total_params=671e9,
    ...                routed_expert_fraction=8 / 256, memory_gb=80)
    >>> min_gpu_count(deployment=d)
    10.0
    >>> min_gpu_count(deployment=d, batch_size=1024, context_tokens=8000)
    18.0
    """
    d = _deployment(deployment)
    m = _memory(d)
    b = as_array(batch_size, "batch_size")
    ctx = as_array(context_tokens, "context_tokens")
    f = as_array(usable_memory_fraction, "usable_memory_fraction", low_open=True, high=1)
    need = _all_params(d) * d.bytes_per_param + b * ctx * np.asarray(d.kv_bytes_per_token, float)
    return result(np.ceil(need / (f * m)))


@calculator
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


@calculator
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


@calculator
def calibrate(
    measurement, *, batch_size=None, cache_hit_fraction=0.0, always_on_copies=1.0, folder=None
) -> float:
    """The η that makes the model reproduce one published measurement.

    Parameters
    ----------
    measurement : mapping
        A row of ``data/decode_measurements.csv`` whose ``quantity`` is ``decode_throughput``
        (tokens/s for ``gpu_count`` GPUs, with the model copy spread over ``serving_gpus``),
        ``energy_per_token`` (J per output token, GPU energy) or ``prefill_throughput``
        (prompt tokens/s for ``gpu_count`` GPUs). Its ``model_id``, ``gpu_id`` and
        ``weight_precision`` say which :class:`Deployment` it measured.
    batch_size : float, optional
        Sequences in flight per ``gpu_count`` GPUs, if the row does not give it (decode only).
    cache_hit_fraction : float, default 0
        Share of prompt tokens served from a KV cache, which need no computation (prefill only).
    always_on_copies : float, default 1
        See :class:`Deployment`: the GPUs that each read their own copy of the always-on
        weights (decode only).
    folder : optional
        Where the tables are (see :func:`helpers.data.load`).

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

    Examples
    --------
    >>> from helpers import data
    >>> row = data.load("decode_measurements").loc["mlenergy-qwen3-32b-chat-b512"]
    >>> 0 < calibrate(row) < 1
    True
    """
    hit = as_number(cache_hit_fraction, "cache_hit_fraction", high=1, high_open=True)
    always_on_copies = as_number(always_on_copies, "always_on_copies", low=1)
    if batch_size is not None:
        batch_size = as_number(batch_size, "batch_size", low=1)
    quantity = str(measurement["quantity"])
    if quantity not in ("decode_throughput", "energy_per_token", "prefill_throughput"):
        raise ValueError(
            "measurement quantity must be 'decode_throughput', 'energy_per_token' or "
            f"'prefill_throughput'; got {quantity!r}"
        )
    d = Deployment.from_tables(
        str(measurement["model_id"]),
        str(measurement["gpu_id"]),
        str(measurement["weight_precision"]),
        folder=folder,
    ).replace(always_on_copies=always_on_copies)
    if quantity == "prefill_throughput":
        value = as_array(_num(measurement, "value"), "value", low_open=True)
        per = _num(measurement, "gpu_count") or 1.0
        flops = value * (1.0 - hit) * 2.0 * d.active_params
        return float(flops / (per * d.peak_tflops * PER_TERA))
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
    total_batch = batch * serving / per
    if quantity == "decode_throughput":
        t = decode_step_time_s(total_batch, ctx, deployment=d, gpu_count=serving)
        return float(value * t / total_batch * serving / per)
    ideal = decode_energy_per_token_j(total_batch, ctx, deployment=d)
    return float(ideal / value)


@calculator
def pooled_efficiency(efficiencies) -> float:
    """One η from several calibrations: their geometric mean (the misfits are ratios, so the
    middle is taken on a log scale).

    >>> round(pooled_efficiency([0.25, 1.0]), 2)
    0.5
    """
    e = as_array(efficiencies, "efficiencies", low_open=True)
    return float(np.exp(np.mean(np.log(e))))


class Calibration(NamedTuple):
    """Chapter 02's calibration: the η that fit published measurements."""

    decode: float
    """Geometric mean of the η that fit ML.ENERGY's Qwen3-32B energy-per-token rows."""
    prefill: float
    """Prefill η (share of the FP8 peak) from DeepSeek's prefill throughput and cache hits."""
    deepseek_decode: float
    """Decode η from DeepSeek's published tokens per second per node."""
    deepseek_batch_per_node: float
    """Sequences in flight per 8-GPU node: tokens/s per node ÷ tokens/s each user sees."""
    deepseek_pool_batch: float
    """The same per decode unit (``serving_gpus`` GPUs)."""
    deepseek_unit_gpus: float
    """GPUs in one DeepSeek decode unit, each with its own copy of attention and the shared
    expert: the ``always_on_copies`` of DeepSeek's serving :class:`Deployment`."""


@calculator
def course_calibration(folder=None) -> Calibration:
    """The η chapter 02 calibrates, from ``data/decode_measurements.csv`` (see :func:`calibrate`).

    >>> c = course_calibration()
    >>> 0 < c.decode < 1 and 0 < c.prefill < 1 and c.deepseek_pool_batch > c.deepseek_batch_per_node
    True
    """
    from helpers import data

    meas = data.load("decode_measurements", folder)
    energy = meas[(meas.quantity == "energy_per_token") & (meas.source_id == "ml-energy-v3")]
    decode = pooled_efficiency([calibrate(r, folder=folder) for _, r in energy.iterrows()])
    prefill = calibrate(
        meas.loc["deepseek-prefill-throughput"],
        cache_hit_fraction=meas.loc["deepseek-cache-hits", "value"],
        folder=folder,
    )
    serving = meas.loc["deepseek-decode-throughput"]
    per_node = concurrent_sequences(serving.value, meas.loc["deepseek-user-speed", "value"])
    # Every GPU of DeepSeek's decode unit keeps its own attention and shared expert (data-
    # parallel attention, expert-parallel routed experts: Day 6 overview).
    eta_deepseek = calibrate(
        serving, batch_size=per_node, always_on_copies=serving.serving_gpus, folder=folder
    )
    pool = per_node * serving.serving_gpus / serving.gpu_count
    return Calibration(
        decode, prefill, eta_deepseek, float(per_node), float(pool), float(serving.serving_gpus)
    )


@calculator
def measurement_checks(efficiency, prefill_efficiency, folder=None):
    """The calibrated model against the published measurements, one row each: what the model
    says, what was measured, and their ratio (chapter 02's comparison).

    Parameters
    ----------
    efficiency, prefill_efficiency : float
        The decode and prefill η (e.g. from :func:`course_calibration`).
    folder : optional
        Where the tables are (see :func:`helpers.data.load`).

    Returns
    -------
    DataFrame
        Columns ``label``, ``model``, ``measured``, ``role`` ("in the calibration" for the rows η
        was fitted on, "check" for the others) and ``ratio`` (model ÷ measured). Each ML.ENERGY
        response runs at the row's batch size and mean context; the MoE comparison runs each
        model at the largest batch that fits its memory (:func:`max_batch_size`); the batching
        row compares with the middle of ML.ENERGY's "3–5×"; DeepSeek's row uses its decode
        unit's batch (:func:`course_calibration`).

    Examples
    --------
    >>> checks = measurement_checks(0.38, 0.15)
    >>> list(checks.columns)
    ['label', 'model', 'measured', 'role', 'ratio']
    """
    import pandas as pd

    from helpers import data

    efficiency = as_number(efficiency, "efficiency", low_open=True, high=1)
    prefill_efficiency = as_number(prefill_efficiency, "prefill_efficiency", low_open=True, high=1)
    meas = data.load("decode_measurements", folder)
    q32 = Deployment.from_tables("qwen3-32b", "b200", "BF16", folder=folder)
    q30 = Deployment.from_tables("qwen3-30b-a3b", "b200", "BF16", folder=folder)
    reasoning = meas.loc["mlenergy-qwen3-32b-reasoning-b128"]
    chat = meas.loc["mlenergy-qwen3-32b-chat-b512"]

    def context(row):
        return mean_context_tokens(row.prompt_tokens, row.output_tokens)

    def per_token_j(row, d, batch=None):
        b = row.batch_size if batch is None else batch
        return decode_energy_per_token_j(b, context(row), deployment=d, efficiency=efficiency)

    def response_j(row, d):
        return answer_energy(
            row.prompt_tokens,
            0,
            row.output_tokens,
            deployment=d,
            batch_size=row.batch_size,
            efficiency=efficiency,
            prefill_efficiency=prefill_efficiency,
        ).total_j

    fit_32 = max_batch_size(context(reasoning), deployment=q32)
    fit_30 = max_batch_size(context(reasoning), deployment=q30)
    batching = meas.loc["mlenergy-batching"]
    serving = meas.loc["deepseek-decode-throughput"]
    deepseek = Deployment.from_tables(
        serving.model_id, serving.gpu_id, serving.weight_precision, folder=folder
    ).replace(always_on_copies=serving.serving_gpus)
    pool = course_calibration(folder).deepseek_pool_batch
    deepseek_tps = decode_tokens_per_s(
        pool,
        serving.context_tokens,
        deployment=deepseek,
        efficiency=efficiency,
        gpu_count=serving.serving_gpus,
    )
    measured = meas["value"]
    rows = [
        ("Qwen3-32B reasoning J/token, batch 128", per_token_j(reasoning, q32),
         reasoning.value, "in the calibration"),
        ("Qwen3-32B chat J/token, batch 128",
         per_token_j(meas.loc["mlenergy-qwen3-32b-chat-b128"], q32),
         measured["mlenergy-qwen3-32b-chat-b128"], "in the calibration"),
        ("Qwen3-32B chat J/token, batch 512", per_token_j(chat, q32), chat.value,
         "in the calibration"),
        ("Qwen3-32B reasoning response (J)", response_j(reasoning, q32),
         measured["mlenergy-qwen3-32b-reasoning-response"], "check"),
        ("Qwen3-32B chat response (J)", response_j(chat, q32),
         measured["mlenergy-qwen3-32b-chat-response"], "check"),
        ("reasoning ÷ chat response", response_j(reasoning, q32) / response_j(chat, q32),
         measured["mlenergy-qwen3-32b-reasoning-response"]
         / measured["mlenergy-qwen3-32b-chat-response"], "check"),
        ("Qwen3-32B ÷ Qwen3-30B-A3B J/token",
         per_token_j(reasoning, q32, fit_32) / per_token_j(reasoning, q30, fit_30),
         measured["mlenergy-qwen3-moe-vs-dense"], "check"),
        ("J/token, batch 8 ÷ batch 512 (chat)", per_token_j(chat, q32, 8) / per_token_j(chat, q32),
         (batching.value_low + batching.value_high) / 2, "check"),
        ("DeepSeek tokens/s per node", deepseek_tps * serving.gpu_count / serving.serving_gpus,
         serving.value, "check"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["label", "model", "measured", "role"])
    frame["model"] = frame["model"].astype(float)
    frame["ratio"] = frame["model"] / frame["measured"]
    return frame
