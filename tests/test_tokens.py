"""Chapter 02 calculators: the per-token model, pinned to the architectures and measurements in
data/ and to the claims the chapter makes."""

import math

import numpy as np
import pandas as pd
import pytest
from conftest import bad_nonneg, raises_naming
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import data, tokens

MODELS = data.load("models")
GPUS = data.load("gpus")
MEAS = data.load("decode_measurements")


def setup(model_id="llama-3.3-70b", gpu_id="h100-sxm", precision="FP8"):
    """Keyword arguments for the decode functions from data/, as the notebook builds them."""
    kw = tokens.model_kwargs(MODELS.loc[model_id], precision)
    kw.update(tokens.gpu_kwargs(GPUS.loc[gpu_id], precision))
    return kw


def energy(kw, batch_size, context_tokens, **over):
    args = {**kw, **over}
    return tokens.decode_energy_per_token_j(
        args["active_params"],
        args["bytes_per_param"],
        batch_size,
        context_tokens,
        args["kv_bytes_per_token"],
        args["memory_bandwidth_gb_per_s"],
        args["peak_tflops"],
        args["gpu_power_w"],
        args.get("efficiency", 1.0),
        args["attention_flops_per_context_token"],
        args["total_params"],
        args["routed_expert_fraction"],
    )


def dense_like(kw, params):
    """The same model with ``params`` dense parameters (a what-if for comparisons)."""
    return {**kw, "active_params": params, "total_params": None, "routed_expert_fraction": None}


# ---------------------------------------------------------------------------------------------
# Architecture from data/
# ---------------------------------------------------------------------------------------------


def test_kv_bytes_per_token_from_the_models_table():
    assert setup("llama-3.3-70b")["kv_bytes_per_token"] == 327_680  # 2 × 80 × 8 × 128 × 2 B
    assert setup("deepseek-v3")["kv_bytes_per_token"] == 70_272  # 61 × (512 + 64) × 2 B
    assert setup("qwen3-32b")["kv_bytes_per_token"] == 262_144
    assert setup("qwen3-30b-a3b")["kv_bytes_per_token"] == 98_304


def test_mla_caches_less_but_computes_more_than_gqa():
    ds, llama = setup("deepseek-v3"), setup("llama-3.3-70b")
    assert ds["kv_bytes_per_token"] / llama["kv_bytes_per_token"] == pytest.approx(0.2145, abs=1e-4)
    assert ds["attention_flops_per_context_token"] > 6 * llama["attention_flops_per_context_token"]


def test_distilled_r1_has_the_llama_architecture():
    assert setup("deepseek-r1-distill-llama-70b") == setup("llama-3.3-70b")
    assert MODELS.loc["deepseek-r1-distill-llama-70b", "attention"] == "GQA"
    assert MODELS.loc["deepseek-r1", "attention"] == "MLA"


def test_model_kwargs_dense_and_moe():
    assert setup("llama-3.3-70b")["total_params"] is None
    ds = setup("deepseek-v3")
    assert ds["total_params"] == 671e9 and ds["active_params"] == 37e9
    assert ds["routed_expert_fraction"] == pytest.approx(8 / 256)
    assert ds["bytes_per_param"] == 1.0


def test_gpu_kwargs_pick_the_peak_for_the_precision():
    h100 = GPUS.loc["h100-sxm"]
    assert tokens.gpu_kwargs(h100, "BF16")["peak_tflops"] == 989
    assert tokens.gpu_kwargs(h100, "FP8")["peak_tflops"] == 1979
    assert tokens.gpu_kwargs(h100, "INT4")["peak_tflops"] == 989  # weight-only: 16-bit math
    assert tokens.gpu_kwargs(GPUS.loc["a100-80gb-sxm"], "FP8")["peak_tflops"] == 312  # no FP8
    with pytest.raises(ValueError, match="precision"):
        tokens.gpu_kwargs(h100, "FP6")


# ---------------------------------------------------------------------------------------------
# The claims the chapter makes
# ---------------------------------------------------------------------------------------------


def test_batch_one_is_memory_bound_by_far():
    kw = setup("llama-3.3-70b", precision="BF16")
    t = tokens.decode_step_times_s(
        kw["active_params"],
        2,
        1,
        1000,
        kw["kv_bytes_per_token"],
        3350,
        989,
        kw["attention_flops_per_context_token"],
    )
    assert t.memory_s / t.compute_s > 250


def test_energy_per_token_falls_with_batch_until_compute_bound():
    kw = setup("llama-3.3-70b")
    batch = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
    e = energy(kw, batch, 0)
    assert np.all(np.diff(e) <= 0)
    b_star = tokens.compute_bound_batch_size(
        kw["active_params"],
        kw["bytes_per_param"],
        0,
        kw["kv_bytes_per_token"],
        kw["memory_bandwidth_gb_per_s"],
        kw["peak_tflops"],
    )
    # 1 byte per parameter, 2 FLOPs per parameter: the ridge is peak ÷ (2 × bandwidth).
    assert b_star == pytest.approx(1979e12 / (2 * 3350e9), rel=1e-9)
    # Past the ridge the energy per token stops falling: 2 N FLOPs at peak, whatever the batch.
    flat = kw["gpu_power_w"] * 2 * kw["active_params"] / (kw["peak_tflops"] * 1e12)
    np.testing.assert_allclose(e[batch > b_star], flat, rtol=1e-12)
    assert np.all(e[batch < b_star] > flat)


def test_compute_bound_batch_is_where_the_two_times_meet():
    kw = setup("llama-3.3-70b")
    args = (
        kw["active_params"],
        1.0,
        200,
        kw["kv_bytes_per_token"],
        3350,
        1979,
        kw["attention_flops_per_context_token"],
    )
    b_star = tokens.compute_bound_batch_size(*args)
    t = tokens.decode_step_times_s(args[0], 1.0, b_star, 200, args[3], 3350, 1979, args[6])
    assert t.memory_s == pytest.approx(t.compute_s)
    # A context of a couple of thousand tokens keeps this GQA model memory-bound at any batch.
    assert tokens.compute_bound_batch_size(*args[:2], 2_000, *args[3:]) == math.inf


def test_long_chains_cost_more_per_token():
    kw = setup("llama-3.3-70b")
    e = energy(kw, 64, np.array([0, 1_000, 10_000, 30_000]))
    assert np.all(np.diff(e) > 0)
    assert e[-1] / e[0] > 3  # at batch 64 a 30k-token context more than triples the cost


def test_moe_costs_like_its_active_params_not_its_total_at_small_batch():
    ds = setup("deepseek-v3", "h800-sxm", "FP8")
    moe = energy(ds, 1, 1000)
    dense_37 = energy(dense_like(ds, 37e9), 1, 1000)
    dense_671 = energy(dense_like(ds, 671e9), 1, 1000)
    assert moe == pytest.approx(dense_37, rel=1e-9)
    assert dense_671 / moe > 15


def test_moe_reads_more_experts_as_the_batch_grows():
    ds = setup("deepseek-v3", "h800-sxm", "FP8")
    batch = np.array([1, 4, 16, 64, 256, 1024])
    w = tokens.weights_read_params(37e9, batch, 671e9, 8 / 256)
    assert w[0] == pytest.approx(37e9) and w[-1] == pytest.approx(671e9, rel=1e-9)
    assert np.all(np.diff(w) > 0)
    # ... so at large batches it no longer costs per token like a 37B dense model: the gap to
    # the 671B dense model closes.
    moe = energy(ds, batch, 0)
    d37 = energy(dense_like(ds, 37e9), batch, 0)
    d671 = energy(dense_like(ds, 671e9), batch, 0)
    assert moe[0] / d37[0] == pytest.approx(1.0)
    assert moe[3] / d37[3] > 5
    assert np.all(moe <= d671 * (1 + 1e-12))


def test_halving_bytes_per_param_halves_memory_bound_decode():
    bf16, fp8, int4 = (setup("llama-3.3-70b", precision=p) for p in ("BF16", "FP8", "INT4"))
    e16, e8, e4 = (energy(kw, 1, 500) for kw in (bf16, fp8, int4))
    assert e8 / e16 == pytest.approx(0.5, abs=0.01)
    assert e4 / e8 == pytest.approx(0.5, abs=0.01)
    # At large batch and long context the KV cache (kept in 16 bits) dominates: much less saving.
    assert energy(fp8, 256, 8000) / energy(bf16, 256, 8000) > 0.85


def test_energy_does_not_depend_on_gpu_count_but_time_does():
    kw = setup("deepseek-v3", "h800-sxm", "FP8")
    args = (
        kw["active_params"],
        1.0,
        512,
        4000,
        kw["kv_bytes_per_token"],
        3350,
        1979,
        1.0,
        kw["attention_flops_per_context_token"],
        kw["total_params"],
        kw["routed_expert_fraction"],
    )
    t8 = tokens.decode_step_time_s(*args, gpu_count=8)
    t16 = tokens.decode_step_time_s(*args, gpu_count=16)
    assert t8 == pytest.approx(2 * t16)
    tps = tokens.decode_tokens_per_s(*args, gpu_count=8)
    assert tps == pytest.approx(512 / t8)


# ---------------------------------------------------------------------------------------------
# Prefill and whole answers
# ---------------------------------------------------------------------------------------------


def test_prefill_energy_worked_example():
    # 2 × 70e9 × 1000 FLOPs at 989 TFLOP/s and 700 W.
    assert tokens.prefill_energy_j(1000, 70e9, 989, 700) == pytest.approx(700 * 1.4e14 / 989e12)
    with_attn = tokens.prefill_energy_j(1000, 70e9, 989, 700, attention_flops_per_context_token=1e6)
    assert with_attn - tokens.prefill_energy_j(1000, 70e9, 989, 700) == pytest.approx(
        700 * 1e6 * 1000 * 999 / 2 / 989e12
    )
    assert tokens.prefill_energy_j(0, 70e9, 989, 700) == 0.0


def brute_force(p, r, a, kw, batch):
    """The decode energy summed token by token: what the closed form must equal."""
    ctx = np.arange(p, p + r + a, dtype=float)
    e = energy(kw, batch, ctx, efficiency=kw.get("efficiency", 1.0)) if len(ctx) else np.zeros(0)
    return e[:r].sum(), e[r:].sum()


@pytest.mark.parametrize(
    "model_id,gpu_id,precision,batch",
    [
        ("llama-3.3-70b", "h100-sxm", "FP8", 1),
        ("llama-3.3-70b", "h100-sxm", "BF16", 700),  # compute-bound at short context
        ("deepseek-v3", "h800-sxm", "FP8", 12_686),  # compute- then memory-bound inside the range
        ("qwen3-30b-a3b", "b200", "BF16", 64),
    ],
)
def test_answer_energy_closed_form_equals_token_by_token_sum(model_id, gpu_id, precision, batch):
    kw = setup(model_id, gpu_id, precision)
    e = tokens.answer_energy(500, 3000, 400, batch_size=batch, efficiency=0.4, **kw)
    reasoning, answer = brute_force(500, 3000, 400, {**kw, "efficiency": 0.4}, batch)
    assert e.reasoning_j == pytest.approx(reasoning, rel=1e-9)
    assert e.answer_j == pytest.approx(answer, rel=1e-9)
    assert e.total_j == pytest.approx(e.prompt_j + e.reasoning_j + e.answer_j)
    assert e.total_wh == pytest.approx(e.total_j / 3600)


@settings(max_examples=60, deadline=None)
@given(
    p=st.integers(0, 300),
    r=st.integers(0, 300),
    a=st.integers(0, 100),
    batch=st.integers(1, 2000),
    kv=st.floats(0, 1e6),
    attn=st.floats(0, 1e9),
)
def test_closed_form_matches_sum_for_any_crossing(p, r, a, batch, kv, attn):
    kw = {
        "active_params": 8e9,
        "bytes_per_param": 2.0,
        "kv_bytes_per_token": kv,
        "memory_bandwidth_gb_per_s": 2000.0,
        "peak_tflops": 300.0,
        "gpu_power_w": 400.0,
        "attention_flops_per_context_token": attn,
        "total_params": None,
        "routed_expert_fraction": None,
    }
    e = tokens.answer_energy(p, r, a, batch_size=batch, **kw)
    reasoning, answer = brute_force(p, r, a, kw, batch)
    assert e.reasoning_j == pytest.approx(reasoning, rel=1e-9, abs=1e-9)
    assert e.answer_j == pytest.approx(answer, rel=1e-9, abs=1e-9)


def test_no_reasoning_means_no_reasoning_energy():
    e = tokens.answer_energy(500, 0, 300, batch_size=8, **setup())
    assert e.reasoning_j == 0.0 and e.answer_j > 0


def test_grid_of_tokens_and_batch_is_one_call():
    r = np.linspace(0, 20_000, 100)[:, None]
    b = np.geomspace(1, 1024, 100)[None, :]
    e = tokens.answer_energy(500, r, 300, batch_size=b, **setup("deepseek-r1", "h800-sxm", "FP8"))
    assert e.total_j.shape == (100, 100)
    assert np.all(np.diff(e.total_j, axis=0) > 0)  # more thinking, more energy
    assert np.all(np.diff(e.total_j, axis=1) <= 0)  # bigger batches, less energy per answer


@settings(deadline=None)
@given(
    r=st.integers(0, 50_000),
    extra=st.integers(1, 5_000),
    batch=st.integers(1, 4096),
    model_id=st.sampled_from(list(MODELS.index)),
)
def test_answer_energy_grows_with_reasoning_tokens(r, extra, batch, model_id):
    kw = setup(model_id, "h100-sxm", "FP8")
    lo = tokens.answer_energy(500, r, 300, batch_size=batch, **kw).total_j
    hi = tokens.answer_energy(500, r + extra, 300, batch_size=batch, **kw).total_j
    assert hi > lo


@settings(deadline=None)
@given(
    batch=st.integers(1, 4096),
    factor=st.integers(2, 8),
    ctx=st.integers(0, 100_000),
    model_id=st.sampled_from(list(MODELS.index)),
)
def test_energy_per_token_never_rises_with_batch(batch, factor, ctx, model_id):
    kw = setup(model_id, "b200", "BF16")
    assert energy(kw, batch * factor, ctx) <= energy(kw, batch, ctx) * (1 + 1e-12)


@settings(deadline=None)
@given(
    ctx=st.integers(0, 100_000),
    extra=st.integers(1, 10_000),
    batch=st.integers(1, 4096),
    model_id=st.sampled_from(list(MODELS.index)),
)
def test_energy_per_token_never_falls_with_context(ctx, extra, batch, model_id):
    kw = setup(model_id, "h200-sxm", "FP8")
    assert energy(kw, batch, ctx + extra) >= energy(kw, batch, ctx)


@given(k=st.floats(1.0, 3.0))
def test_energy_scales_with_pue_and_power(k):
    kw = setup()
    base = tokens.answer_energy(100, 100, 100, batch_size=4, **kw).total_j
    assert tokens.answer_energy(100, 100, 100, batch_size=4, pue=k, **kw).total_j == pytest.approx(
        k * base
    )
    more = {**kw, "gpu_power_w": kw["gpu_power_w"] * k}
    assert tokens.answer_energy(100, 100, 100, batch_size=4, **more).total_j == pytest.approx(
        k * base
    )
    host = tokens.answer_energy(100, 100, 100, batch_size=4, host_overhead_fraction=k - 1, **kw)
    assert host.total_j == pytest.approx(k * base)


def test_scalar_in_float_out():
    e = tokens.answer_energy(500, 1000, 300, batch_size=8, **setup())
    assert all(isinstance(x, float) for x in e)
    assert isinstance(energy(setup(), 8, 100), float)


# ---------------------------------------------------------------------------------------------
# Memory and calibration against data/
# ---------------------------------------------------------------------------------------------


def test_memory_caps_the_batch_for_long_reasoning():
    q = setup("qwen3-32b", "b200", "BF16")
    args = (180, 1, 32.8e9, 2.0)
    chat = tokens.max_batch_size(*args, 224 + 313, q["kv_bytes_per_token"])
    reasoning = tokens.max_batch_size(*args, 634 + 3517, q["kv_bytes_per_token"])
    assert chat > 512 > 128 > reasoning  # ML.ENERGY's 128 did not fit at the mean context
    assert tokens.max_batch_size(80, 1, 671e9, 1, 1000, 70_272) == 0  # weights alone overflow
    assert tokens.min_gpu_count(80, 671e9, 1) == 10


def test_deepseek_serving_calibration():
    row = MEAS.loc["deepseek-decode-throughput"]
    speed = MEAS.loc["deepseek-user-speed", "value"]
    batch = tokens.concurrent_sequences(row.value, speed)
    assert batch == pytest.approx(704.8, abs=0.1)
    eta = tokens.calibrate(row, MODELS.loc["deepseek-v3"], GPUS.loc["h800-sxm"], batch_size=batch)
    assert eta == pytest.approx(0.223, abs=0.001)
    # With that η the model reproduces the measured throughput exactly ...
    ds = setup("deepseek-v3", "h800-sxm", "FP8")
    tps = tokens.decode_tokens_per_s(
        ds["active_params"],
        1.0,
        batch * 18,
        4989,
        ds["kv_bytes_per_token"],
        3350,
        1979,
        eta,
        ds["attention_flops_per_context_token"],
        ds["total_params"],
        ds["routed_expert_fraction"],
        gpu_count=144,
    )
    assert tps / 18 == pytest.approx(14_800)
    # ... and the energy per token is rated power × GPU-seconds per token: 8 × 700 W / 14,800.
    e = energy({**ds, "efficiency": eta}, batch * 18, 4989, efficiency=eta)
    assert e == pytest.approx(8 * 700 / 14_800)


def test_prefill_calibration():
    eta = tokens.calibrate(
        MEAS.loc["deepseek-prefill-throughput"],
        MODELS.loc["deepseek-v3"],
        GPUS.loc["h800-sxm"],
        cache_hit_fraction=MEAS.loc["deepseek-cache-hits", "value"],
    )
    assert eta == pytest.approx(73_700 * (1 - 0.563) * 2 * 37e9 / (8 * 1979e12))


@pytest.mark.parametrize(
    "row_id,expected",
    [
        ("mlenergy-qwen3-32b-reasoning-b128", 0.641),
        ("mlenergy-qwen3-32b-chat-b128", 0.391),
        ("mlenergy-qwen3-32b-chat-b512", 0.223),
    ],
)
def test_mlenergy_calibrations(row_id, expected):
    row = MEAS.loc[row_id]
    eta = tokens.calibrate(row, MODELS.loc[row.model_id], GPUS.loc[row.gpu_id])
    assert eta == pytest.approx(expected, abs=0.001)
    # The model at that η gives back the measurement.
    kw = setup(row.model_id, row.gpu_id, row.weight_precision)
    ctx = row.prompt_tokens + (row.output_tokens - 1) / 2
    assert energy(kw, row.batch_size, ctx, efficiency=eta) == pytest.approx(row.value)


def test_mean_context_is_the_mean_over_the_answer():
    assert tokens.mean_context_tokens(100, 501) == 350.0
    assert tokens.mean_context_tokens(0, 1) == 0.0
    n = 717
    assert tokens.mean_context_tokens(500, n) == pytest.approx(np.mean(500 + np.arange(n)))
    # Memory-bound steps are linear in the context: the step at the mean context is the mean step.
    kw = setup()
    per_token = energy(kw, 1, 500 + np.arange(n))
    assert energy(kw, 1, tokens.mean_context_tokens(500, n)) == pytest.approx(per_token.mean())
    np.testing.assert_allclose(tokens.mean_context_tokens([0, 10], [1, 3]), [0.0, 11.0])


@given(bad=bad_nonneg)
def test_mean_context_rejects_bad_counts(bad):
    with raises_naming("prompt_tokens"):
        tokens.mean_context_tokens(bad, 10)
    with raises_naming("output_tokens"):
        tokens.mean_context_tokens(10, bad)
    with raises_naming("output_tokens"):
        tokens.mean_context_tokens(10, 0.5)


def test_pooled_efficiency_is_the_geometric_mean():
    assert tokens.pooled_efficiency([0.2, 0.8]) == pytest.approx(0.4)
    assert tokens.pooled_efficiency(0.3) == pytest.approx(0.3)


def test_calibrate_refuses_rows_it_cannot_use():
    with pytest.raises(ValueError, match="quantity"):
        tokens.calibrate(
            MEAS.loc["chamberlin-energy-ratio"].to_dict() | {"weight_precision": "FP8"},
            MODELS.loc["llama-3.3-70b"],
            GPUS.loc["h100-sxm"],
        )
    with pytest.raises(ValueError, match="batch_size"):
        tokens.calibrate(
            MEAS.loc["deepseek-decode-throughput"], MODELS.loc["deepseek-v3"], GPUS.loc["h800-sxm"]
        )


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

GOOD = dict(
    active_params=70e9,
    bytes_per_param=1.0,
    batch_size=8,
    context_tokens=100,
    kv_bytes_per_token=327_680.0,
    memory_bandwidth_gb_per_s=3350.0,
    peak_tflops=1979.0,
    gpu_power_w=700.0,
)


@pytest.mark.parametrize("name", ["context_tokens", "kv_bytes_per_token"])
@given(bad=bad_nonneg)
def test_bad_nonnegative_inputs_rejected(name, bad):
    with raises_naming(name):
        tokens.decode_energy_per_token_j(**{**GOOD, name: bad})


@pytest.mark.parametrize(
    "name",
    ["active_params", "bytes_per_param", "memory_bandwidth_gb_per_s", "peak_tflops", "gpu_power_w"],
)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_bad_positive_inputs_rejected(name, bad):
    with raises_naming(name):
        tokens.decode_energy_per_token_j(**{**GOOD, name: bad})


@pytest.mark.parametrize("bad", [0.0, 0.5, -1, math.nan, math.inf])
def test_batch_below_one_rejected(bad):
    with raises_naming("batch_size"):
        tokens.decode_energy_per_token_j(**{**GOOD, "batch_size": bad})


@pytest.mark.parametrize("bad", [0.0, 1.01, -0.1, math.nan])
def test_efficiency_must_be_in_zero_one(bad):
    with pytest.raises(ValueError, match=r"efficiency .*\(0, 1\]"):
        tokens.decode_energy_per_token_j(**GOOD, efficiency=bad)


def test_pue_and_host_share_rejected_out_of_range():
    with raises_naming("pue"):
        tokens.decode_energy_per_token_j(**GOOD, pue=0.9)
    with raises_naming("host_overhead_fraction"):
        tokens.decode_energy_per_token_j(**GOOD, host_overhead_fraction=-0.1)


@given(bad=bad_nonneg)
def test_bad_token_counts_rejected(bad):
    kw = {k: v for k, v in GOOD.items() if k != "context_tokens"}
    for i, name in enumerate(["prompt_tokens", "reasoning_tokens", "answer_tokens"]):
        counts = [100, 100, 100]
        counts[i] = bad
        with raises_naming(name):
            tokens.answer_energy(*counts, **kw)


def test_moe_arguments_checked():
    with raises_naming("routed_expert_fraction"):
        tokens.weights_read_params(37e9, 1, 671e9)
    with raises_naming("routed_expert_fraction"):
        tokens.weights_read_params(37e9, 1, 671e9, 1.0)
    with raises_naming("total_params"):
        tokens.weights_read_params(37e9, 1, 30e9, 0.1)
    with raises_naming("routed_expert_fraction"):
        tokens.weights_read_params(3e9, 1, 671e9, 0.5)  # active < f × total is impossible


def test_architecture_errors_name_the_parameter():
    with raises_naming("layers"):
        tokens.kv_bytes_per_token_gqa(0, 8, 128)
    with raises_naming("kv_latent_dim"):
        tokens.kv_bytes_per_token_mla(61, math.nan, 64)
    with raises_naming("attention"):
        tokens.model_kwargs({**MODELS.loc["qwen3-32b"].to_dict(), "attention": "linear"})
    with raises_naming("precision"):
        tokens.bytes_per_param("FP6")
    with raises_naming("usable_memory_fraction"):
        tokens.max_batch_size(80, 1, 70e9, 1, 1000, 1000, usable_memory_fraction=1.5)
    with raises_naming("tokens_per_s_per_sequence"):
        tokens.concurrent_sequences(100, 0)


# ---------------------------------------------------------------------------------------------
# Presentation: chart builders and the explorer use the calculators above
# ---------------------------------------------------------------------------------------------


def test_chart_builders_have_titles_units_and_descriptions():
    from helpers import charts, widgets

    kw = setup()
    frame = widgets.energy_per_token_frame(kw, np.geomspace(1, 4096, 30), 0, "ctx 0")
    assert set(frame.regime) == {"memory-bound", "compute-bound"}
    built = [
        charts.energy_per_token_lines(frame, x="batch_size"),
        charts.weights_read_lines(
            widgets.weights_read_frame({"ds": setup("deepseek-v3")}, [1, 8, 64])
        ),
        charts.answer_energy_bars(
            widgets.answer_parts_frame(
                {"a": tokens.answer_energy(100, 1000, 100, batch_size=8, **kw)}
            ),
            unit="Wh",
        ),
        charts.model_vs_measurement(
            pd.DataFrame({"label": ["x"], "ratio": [1.5], "role": ["check"]})
        ),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert spec.get("description") and spec.get("title")
    text = str(built[0].to_dict()) + str(built[2].to_dict())
    assert "(J, log)" in text and "(Wh)" in text
    with pytest.raises(ValueError, match="x must be"):
        charts.energy_per_token_lines(frame, x="nonsense")


@pytest.mark.parametrize(
    "model_id,gpu_id,precision",
    [
        ("deepseek-r1", "h800-sxm", "FP8"),
        ("qwen3-30b-a3b", "l4", "INT4"),
        ("llama-3.3-70b", "a100-80gb-sxm", "BF16"),
    ],
)
def test_explorer_draws_for_dropdown_choices(model_id, gpu_id, precision):
    from helpers import widgets

    box = widgets.answer_energy_explorer(efficiency=0.4, prefill_efficiency=0.15)
    assert set(box.control_widgets) == {
        "reasoning_tokens",
        "batch_size",
        "precision",
        "model_id",
        "gpu_id",
    }
    assert box.control_widgets["model_id"].options[0][1] in MODELS.index
    chart = box.draw_function(
        reasoning_tokens=30_000,
        batch_size=10**4.5,
        precision=precision,
        model_id=model_id,
        gpu_id=gpu_id,
    )
    assert "Wh per answer" in str(chart.to_dict()["title"])


def test_explorer_defaults_are_the_chapter_calibration():
    from helpers import widgets

    eta, eta_prefill = widgets.calibrated_efficiencies()
    rows = [
        "mlenergy-qwen3-32b-reasoning-b128",
        "mlenergy-qwen3-32b-chat-b128",
        "mlenergy-qwen3-32b-chat-b512",
    ]
    etas = [tokens.calibrate(MEAS.loc[r], MODELS.loc["qwen3-32b"], GPUS.loc["b200"]) for r in rows]
    assert eta == pytest.approx(tokens.pooled_efficiency(etas))
    assert eta == pytest.approx(0.382, abs=0.001)
    assert eta_prefill == pytest.approx(0.151, abs=0.001)


def test_batching_ratio_is_the_ratio_of_two_decode_energies():
    kw = setup(precision="BF16")
    one, sixty_four = (
        tokens.decode_energy_per_token_j(batch_size=b, context_tokens=1000, **kw) for b in (1, 64)
    )
    assert tokens.batching_ratio(1, 64, 1000, **kw) == pytest.approx(one / sixty_four)
    assert tokens.batching_ratio(64, 64, 1000, **kw) == pytest.approx(1.0)
    assert tokens.batching_ratio(256, 64, 1000, **kw) < 1.0
    with raises_naming("reference_batch_size"):
        tokens.batching_ratio(1, 0.5, 1000, **kw)
