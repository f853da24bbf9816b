"""Chapter 02 calculators: the per-token model, pinned to the architectures and measurements in
data/ and to the claims the chapter makes."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
from conftest import bad_nonneg, floats, raises_naming
from hypothesis import example, given, settings
from hypothesis import strategies as st

from helpers import data, tokens

MODELS = data.load("models")
GPUS = data.load("gpus")
MEAS = data.load("decode_measurements")


def setup(model_id="llama-3.3-70b", gpu_id="h100-sxm", precision="FP8"):
    """The deployment from data/, as the notebook builds it."""
    return tokens.Deployment.from_tables(model_id, gpu_id, precision)


def energy(d, batch_size, context_tokens, efficiency=1.0):
    return tokens.decode_energy_per_token_j(
        batch_size, context_tokens, deployment=d, efficiency=efficiency
    )


def fields(d):
    """A deployment's numbers (its label aside), to compare two deployments."""
    return {f.name: getattr(d, f.name) for f in dataclasses.fields(d) if f.name != "label"}


# ---------------------------------------------------------------------------------------------
# Architecture from data/: Deployment.from_tables
# ---------------------------------------------------------------------------------------------


def test_kv_bytes_per_token_from_the_models_table():
    assert setup("llama-3.3-70b").kv_bytes_per_token == 327_680  # 2 × 80 × 8 × 128 × 2 B
    assert setup("deepseek-v3").kv_bytes_per_token == 70_272  # 61 × (512 + 64) × 2 B
    assert setup("qwen3-32b").kv_bytes_per_token == 262_144
    assert setup("qwen3-30b-a3b").kv_bytes_per_token == 98_304


def test_mla_caches_less_but_computes_more_than_gqa():
    ds, llama = setup("deepseek-v3"), setup("llama-3.3-70b")
    assert ds.kv_bytes_per_token / llama.kv_bytes_per_token == pytest.approx(0.2145, abs=1e-4)
    assert ds.attention_flops_per_context_token > 6 * llama.attention_flops_per_context_token


def test_distilled_r1_has_the_llama_architecture():
    assert fields(setup("deepseek-r1-distill-llama-70b")) == fields(setup("llama-3.3-70b"))
    assert MODELS.loc["deepseek-r1-distill-llama-70b", "attention"] == "GQA"
    assert MODELS.loc["deepseek-r1", "attention"] == "MLA"


def test_from_tables_dense_and_moe():
    llama = setup("llama-3.3-70b")
    assert llama.total_params is None and llama.routed_expert_fraction is None
    assert llama.active_params == pytest.approx(70.6e9)
    ds = setup("deepseek-v3")
    assert ds.total_params == 671e9 and ds.active_params == 37e9
    assert ds.routed_expert_fraction == pytest.approx(8 / 256)
    assert ds.bytes_per_param == 1.0
    assert ds.memory_gb == 80 and ds.gpu_power_w == 700
    assert setup("deepseek-v3", precision="BF16").bytes_per_param == 2.0
    assert setup("deepseek-v3", precision="INT4").bytes_per_param == 0.5
    assert ds.label == "DeepSeek-V3 on NVIDIA H100 SXM (FP8)"


def test_from_tables_picks_the_peak_for_the_precision():
    assert setup(precision="BF16").peak_tflops == 989
    assert setup(precision="FP8").peak_tflops == 1979
    assert setup(precision="INT4").peak_tflops == 989  # weight-only: 16-bit math
    assert setup(gpu_id="a100-80gb-sxm", precision="FP8").peak_tflops == 312  # no FP8
    with raises_naming("precision"):
        setup(precision="FP6")


def test_from_rows_is_from_tables():
    d = tokens.Deployment.from_rows(MODELS.loc["qwen3-30b-a3b"], GPUS.loc["b200"], "BF16")
    assert fields(d) == fields(setup("qwen3-30b-a3b", "b200", "BF16"))


def test_from_tables_names_the_unknown_id():
    with raises_naming("model_id"):
        tokens.Deployment.from_tables("gpt-5", "h100-sxm", "FP8")
    with raises_naming("gpu_id"):
        tokens.Deployment.from_tables("llama-3.3-70b", "h100-pcie", "FP8")


def test_replace_is_a_what_if_and_leaves_the_original():
    d = setup()
    cooler = d.replace(gpu_power_w=350)
    assert cooler.gpu_power_w == 350 and d.gpu_power_w == 700
    assert energy(cooler, 8, 100) == pytest.approx(energy(d, 8, 100) / 2)
    assert {**fields(cooler), "gpu_power_w": 700} == fields(d)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.gpu_power_w = 1  # frozen: a what-if is a new deployment
    with raises_naming("gpu_power_w"):
        d.replace(gpu_power_w=0)  # the copy is checked like a new one


def test_dense_drops_the_experts_and_keeps_the_rest():
    ds = setup("deepseek-v3", "h800-sxm")
    dense = ds.dense(671e9, label="dense 671B")
    assert dense.active_params == 671e9
    assert dense.total_params is None and dense.routed_expert_fraction is None
    assert dense.label == "dense 671B"
    keep = ("kv_bytes_per_token", "attention_flops_per_context_token", "peak_tflops", "memory_gb")
    assert all(getattr(dense, k) == getattr(ds, k) for k in keep)
    assert ds.total_params == 671e9  # the original is untouched


def test_a_measured_cpu_is_a_deployment_too():
    # Chapter 07: no table row; FP32 weights on a CPU measured at 20 GB/s and 0.135 TFLOP/s.
    assert tokens.bytes_per_param("FP32") == 4.0
    cpu = tokens.Deployment(
        active_params=124e6,
        bytes_per_param=tokens.bytes_per_param("FP32"),
        kv_bytes_per_token=36_864.0,
        memory_bandwidth_gb_per_s=20.0,
        peak_tflops=0.135,
        gpu_power_w=65.0,
        label="laptop CPU",
    )
    weights_s = 124e6 * 4 / 20e9  # 24.8 ms to stream the weights once
    assert tokens.decode_step_time_s(1, 0, deployment=cpu) == pytest.approx(weights_s)
    t = tokens.decode_step_times_s(1, 100, deployment=cpu)
    assert t.memory_s == pytest.approx(weights_s + 100 * 36_864 / 20e9)
    assert t.compute_s == pytest.approx(2 * 124e6 / 0.135e12)
    assert t.memory_s > 10 * t.compute_s  # memory-bound, as on a GPU
    assert energy(cpu, 1, 0) == pytest.approx(65 * weights_s)
    assert tokens.decode_tokens_per_s(1, 0, deployment=cpu) == pytest.approx(1 / weights_s)


# ---------------------------------------------------------------------------------------------
# The claims the chapter makes
# ---------------------------------------------------------------------------------------------


def test_batch_one_is_memory_bound_by_far():
    d = setup("llama-3.3-70b", precision="BF16")
    assert (d.bytes_per_param, d.memory_bandwidth_gb_per_s, d.peak_tflops) == (2.0, 3350, 989)
    t = tokens.decode_step_times_s(1, 1000, deployment=d)
    assert t.memory_s / t.compute_s > 250


def test_energy_per_token_falls_with_batch_until_compute_bound():
    d = setup("llama-3.3-70b")
    batch = np.array([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096])
    e = energy(d, batch, 0)
    assert np.all(np.diff(e) <= 0)
    b_star = tokens.compute_bound_batch_size(0, deployment=d)
    # 1 byte per parameter, 2 FLOPs per parameter: the ridge is peak ÷ (2 × bandwidth).
    assert b_star == pytest.approx(1979e12 / (2 * 3350e9), rel=1e-9)
    # Past the ridge the energy per token stops falling: 2 N FLOPs at peak, whatever the batch.
    flat = d.gpu_power_w * 2 * d.active_params / (d.peak_tflops * 1e12)
    np.testing.assert_allclose(e[batch > b_star], flat, rtol=1e-12)
    assert np.all(e[batch < b_star] > flat)


def test_compute_bound_batch_is_where_the_two_times_meet():
    d = setup("llama-3.3-70b")  # FP8 on an H100: 1 byte per weight, 3,350 GB/s, 1,979 TFLOP/s
    assert (d.bytes_per_param, d.memory_bandwidth_gb_per_s, d.peak_tflops) == (1.0, 3350, 1979)
    b_star = tokens.compute_bound_batch_size(200, deployment=d)
    t = tokens.decode_step_times_s(b_star, 200, deployment=d)
    assert t.memory_s == pytest.approx(t.compute_s)
    # A context of a couple of thousand tokens keeps this GQA model memory-bound at any batch.
    assert tokens.compute_bound_batch_size(2_000, deployment=d) == math.inf


def test_compute_bound_batch_refuses_a_mixture_of_experts():
    ds = setup("deepseek-v3", "h800-sxm")
    with raises_naming("deployment"):
        tokens.compute_bound_batch_size(0, deployment=ds)
    # Its dense what-if has a closed form.
    assert tokens.compute_bound_batch_size(0, deployment=ds.dense(37e9)) > 0


def test_long_chains_cost_more_per_token():
    d = setup("llama-3.3-70b")
    e = energy(d, 64, np.array([0, 1_000, 10_000, 30_000]))
    assert np.all(np.diff(e) > 0)
    assert e[-1] / e[0] > 3  # at batch 64 a 30k-token context more than triples the cost


def test_moe_costs_like_its_active_params_not_its_total_at_small_batch():
    ds = setup("deepseek-v3", "h800-sxm", "FP8")
    moe = energy(ds, 1, 1000)
    dense_37 = energy(ds.dense(37e9), 1, 1000)
    dense_671 = energy(ds.dense(671e9), 1, 1000)
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
    d37 = energy(ds.dense(37e9), batch, 0)
    d671 = energy(ds.dense(671e9), batch, 0)
    assert moe[0] / d37[0] == pytest.approx(1.0)
    assert moe[3] / d37[3] > 5
    assert np.all(moe <= d671 * (1 + 1e-12))


def test_halving_bytes_per_param_halves_memory_bound_decode():
    bf16, fp8, int4 = (setup("llama-3.3-70b", precision=p) for p in ("BF16", "FP8", "INT4"))
    e16, e8, e4 = (energy(d, 1, 500) for d in (bf16, fp8, int4))
    assert e8 / e16 == pytest.approx(0.5, abs=0.01)
    assert e4 / e8 == pytest.approx(0.5, abs=0.01)
    # At large batch and long context the KV cache (kept in 16 bits) dominates: much less saving.
    assert energy(fp8, 256, 8000) / energy(bf16, 256, 8000) > 0.85


def test_energy_does_not_depend_on_gpu_count_but_time_does():
    ds = setup("deepseek-v3", "h800-sxm", "FP8")
    assert (ds.bytes_per_param, ds.memory_bandwidth_gb_per_s, ds.peak_tflops) == (1.0, 3350, 1979)
    t8 = tokens.decode_step_time_s(512, 4000, deployment=ds, gpu_count=8)
    t16 = tokens.decode_step_time_s(512, 4000, deployment=ds, gpu_count=16)
    assert t8 == pytest.approx(2 * t16)
    tps = tokens.decode_tokens_per_s(512, 4000, deployment=ds, gpu_count=8)
    assert tps == pytest.approx(512 / t8)
    # The energy per token takes no GPU count: n GPUs draw n times the power for 1/n the time.
    assert energy(ds, 512, 4000) == pytest.approx(8 * ds.gpu_power_w * t8 / 512)
    assert energy(ds, 512, 4000) == pytest.approx(16 * ds.gpu_power_w * t16 / 512)


# ---------------------------------------------------------------------------------------------
# Prefill and whole answers
# ---------------------------------------------------------------------------------------------


def test_prefill_energy_worked_example():
    # 2 × 70e9 × 1000 FLOPs at 989 TFLOP/s and 700 W.
    d = tokens.Deployment(70e9, 2.0, 0.0, 3350, 989, 700)
    assert tokens.prefill_energy_j(1000, deployment=d) == pytest.approx(700 * 1.4e14 / 989e12)
    attn = d.replace(attention_flops_per_context_token=1e6)
    with_attn = tokens.prefill_energy_j(1000, deployment=attn)
    assert with_attn - tokens.prefill_energy_j(1000, deployment=d) == pytest.approx(
        700 * 1e6 * 1000 * 999 / 2 / 989e12
    )
    assert tokens.prefill_energy_j(0, deployment=d) == 0.0


def brute_force(p, r, a, d, batch, efficiency=1.0):
    """The decode energy summed token by token: what the closed form must equal."""
    ctx = np.arange(p, p + r + a, dtype=float)
    e = energy(d, batch, ctx, efficiency=efficiency) if len(ctx) else np.zeros(0)
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
    d = setup(model_id, gpu_id, precision)
    e = tokens.answer_energy(500, 3000, 400, deployment=d, batch_size=batch, efficiency=0.4)
    reasoning, answer = brute_force(500, 3000, 400, d, batch, efficiency=0.4)
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
    kv=floats(0, 1e6),
    attn=floats(0, 1e9),
)
# Found by Hypothesis (2026-12-02): a tiny attention cost and no cache make the two lines nearly
# parallel, and their crossing overflowed to inf inside the closed form.
@example(p=100, r=100, a=50, batch=7, kv=0.0, attn=1.65e-301)
def test_closed_form_matches_sum_for_any_crossing(p, r, a, batch, kv, attn):
    d = tokens.Deployment(
        active_params=8e9,
        bytes_per_param=2.0,
        kv_bytes_per_token=kv,
        memory_bandwidth_gb_per_s=2000.0,
        peak_tflops=300.0,
        gpu_power_w=400.0,
        attention_flops_per_context_token=attn,
    )
    e = tokens.answer_energy(p, r, a, deployment=d, batch_size=batch)
    reasoning, answer = brute_force(p, r, a, d, batch)
    assert e.reasoning_j == pytest.approx(reasoning, rel=1e-9, abs=1e-9)
    assert e.answer_j == pytest.approx(answer, rel=1e-9, abs=1e-9)


def test_no_reasoning_means_no_reasoning_energy():
    e = tokens.answer_energy(500, 0, 300, deployment=setup(), batch_size=8)
    assert e.reasoning_j == 0.0 and e.answer_j > 0


def test_prefill_efficiency_defaults_to_the_decode_efficiency():
    d = setup()
    both = tokens.answer_energy(500, 100, 100, deployment=d, batch_size=8, efficiency=0.5)
    assert both.prompt_j == pytest.approx(
        tokens.prefill_energy_j(500, deployment=d, efficiency=0.5)
    )
    split = tokens.answer_energy(
        500, 100, 100, deployment=d, batch_size=8, efficiency=0.5, prefill_efficiency=0.25
    )
    assert split.prompt_j == pytest.approx(2 * both.prompt_j)
    assert split.reasoning_j == pytest.approx(both.reasoning_j)


def test_grid_of_tokens_and_batch_is_one_call():
    r = np.linspace(0, 20_000, 100)[:, None]
    b = np.geomspace(1, 1024, 100)[None, :]
    d = setup("deepseek-r1", "h800-sxm", "FP8")
    e = tokens.answer_energy(500, r, 300, deployment=d, batch_size=b)
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
    d = setup(model_id, "h100-sxm", "FP8")
    lo = tokens.answer_energy(500, r, 300, deployment=d, batch_size=batch).total_j
    hi = tokens.answer_energy(500, r + extra, 300, deployment=d, batch_size=batch).total_j
    assert hi > lo


@settings(deadline=None)
@given(
    batch=st.integers(1, 4096),
    factor=st.integers(2, 8),
    ctx=st.integers(0, 100_000),
    model_id=st.sampled_from(list(MODELS.index)),
)
def test_energy_per_token_never_rises_with_batch(batch, factor, ctx, model_id):
    d = setup(model_id, "b200", "BF16")
    assert energy(d, batch * factor, ctx) <= energy(d, batch, ctx) * (1 + 1e-12)


@settings(deadline=None)
@given(
    ctx=st.integers(0, 100_000),
    extra=st.integers(1, 10_000),
    batch=st.integers(1, 4096),
    model_id=st.sampled_from(list(MODELS.index)),
)
def test_energy_per_token_never_falls_with_context(ctx, extra, batch, model_id):
    d = setup(model_id, "h200-sxm", "FP8")
    assert energy(d, batch, ctx + extra) >= energy(d, batch, ctx)


@given(k=floats(1.0, 3.0))
def test_energy_scales_with_pue_and_power(k):
    d = setup()

    def total(deployment=d, **kw):
        return tokens.answer_energy(100, 100, 100, deployment=deployment, batch_size=4, **kw)

    base = total().total_j
    assert total(pue=k).total_j == pytest.approx(k * base)
    assert total(d.replace(gpu_power_w=d.gpu_power_w * k)).total_j == pytest.approx(k * base)
    assert total(host_overhead_fraction=k - 1).total_j == pytest.approx(k * base)


def test_scalar_in_float_out():
    e = tokens.answer_energy(500, 1000, 300, deployment=setup(), batch_size=8)
    assert all(isinstance(x, float) for x in e)
    assert isinstance(energy(setup(), 8, 100), float)


def test_deployment_fields_may_be_arrays():
    # One call for several GPU powers: fields broadcast like any other input.
    d = setup().replace(gpu_power_w=np.array([350.0, 700.0]))
    e = energy(d, 8, 100)
    assert e.shape == (2,)
    assert e[1] == pytest.approx(2 * e[0]) and e[1] == pytest.approx(energy(setup(), 8, 100))


# ---------------------------------------------------------------------------------------------
# Memory and calibration against data/
# ---------------------------------------------------------------------------------------------


def test_memory_caps_the_batch_for_long_reasoning():
    q = setup("qwen3-32b", "b200", "BF16")
    assert (q.memory_gb, q.active_params, q.bytes_per_param) == (180, pytest.approx(32.8e9), 2.0)
    chat = tokens.max_batch_size(224 + 313, deployment=q)
    reasoning = tokens.max_batch_size(634 + 3517, deployment=q)
    assert chat > 512 > 128 > reasoning  # ML.ENERGY's 128 did not fit at the mean context
    ds = setup("deepseek-v3", "h100-sxm", "FP8")  # 671 GB of FP8 weights, 80 GB per GPU
    assert tokens.max_batch_size(1000, deployment=ds) == 0  # weights alone overflow
    assert tokens.min_gpu_count(deployment=ds) == 10
    # Memory counts every parameter, not just the active ones: 10 GPUs, not 1.
    assert tokens.min_gpu_count(deployment=ds.dense(37e9)) == 1
    assert tokens.max_batch_size(1000, deployment=ds, gpu_count=10) > 0


def test_memory_needs_the_gpu_memory():
    d = tokens.Deployment(70e9, 1.0, 327_680, 3350, 1979, 700)
    with raises_naming("memory_gb"):
        tokens.max_batch_size(1000, deployment=d)
    with raises_naming("memory_gb"):
        tokens.min_gpu_count(deployment=d)


def test_deepseek_serving_calibration():
    row = MEAS.loc["deepseek-decode-throughput"]
    speed = MEAS.loc["deepseek-user-speed", "value"]
    batch = tokens.concurrent_sequences(row.value, speed)
    assert batch == pytest.approx(704.8, abs=0.1)
    eta = tokens.calibrate(row, batch_size=batch, always_on_copies=144)
    assert eta == pytest.approx(0.326, abs=0.001)
    # With that η the model reproduces the measured throughput exactly ...
    ds = setup("deepseek-v3", "h800-sxm", "FP8").replace(always_on_copies=144)
    tps = tokens.decode_tokens_per_s(batch * 18, 4989, deployment=ds, efficiency=eta, gpu_count=144)
    assert tps / 18 == pytest.approx(14_800)
    # ... and the energy per token is rated power × GPU-seconds per token: 8 × 700 W / 14,800.
    e = energy(ds, batch * 18, 4989, efficiency=eta)
    assert e == pytest.approx(8 * 700 / 14_800)


def test_prefill_calibration():
    eta = tokens.calibrate(
        MEAS.loc["deepseek-prefill-throughput"],
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
    eta = tokens.calibrate(row)
    assert eta == pytest.approx(expected, abs=0.001)
    # The model at that η gives back the measurement.
    d = setup(row.model_id, row.gpu_id, row.weight_precision)
    ctx = row.prompt_tokens + (row.output_tokens - 1) / 2
    assert energy(d, row.batch_size, ctx, efficiency=eta) == pytest.approx(row.value)


def test_course_calibration_is_the_chapter_calibration():
    c = tokens.course_calibration()
    rows = [
        "mlenergy-qwen3-32b-reasoning-b128",
        "mlenergy-qwen3-32b-chat-b128",
        "mlenergy-qwen3-32b-chat-b512",
    ]
    etas = [tokens.calibrate(MEAS.loc[r]) for r in rows]
    assert c.decode == pytest.approx(tokens.pooled_efficiency(etas))
    assert c.decode == pytest.approx(0.382, abs=0.001)
    assert c.prefill == pytest.approx(0.151, abs=0.001)
    assert c.deepseek_decode == pytest.approx(0.326, abs=0.001)
    assert c.deepseek_unit_gpus == 144
    assert c.deepseek_batch_per_node == pytest.approx(704.8, abs=0.1)
    # One decode unit is 144 GPUs, 18 nodes of 8.
    assert c.deepseek_pool_batch == pytest.approx(c.deepseek_batch_per_node * 18)
    assert c.prefill == pytest.approx(
        tokens.calibrate(
            MEAS.loc["deepseek-prefill-throughput"],
            cache_hit_fraction=MEAS.loc["deepseek-cache-hits", "value"],
        )
    )


def test_mean_context_is_the_mean_over_the_answer():
    assert tokens.mean_context_tokens(100, 501) == 350.0
    assert tokens.mean_context_tokens(0, 1) == 0.0
    n = 717
    assert tokens.mean_context_tokens(500, n) == pytest.approx(np.mean(500 + np.arange(n)))
    # Memory-bound steps are linear in the context: the step at the mean context is the mean step.
    d = setup()
    per_token = energy(d, 1, 500 + np.arange(n))
    assert energy(d, 1, tokens.mean_context_tokens(500, n)) == pytest.approx(per_token.mean())
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
    row = MEAS.loc["chamberlin-energy-ratio"].to_dict()
    row |= {"model_id": "llama-3.3-70b", "gpu_id": "h100-sxm", "weight_precision": "FP8"}
    with pytest.raises(ValueError, match="quantity"):
        tokens.calibrate(row)
    with pytest.raises(ValueError, match="batch_size"):
        tokens.calibrate(MEAS.loc["deepseek-decode-throughput"])


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

GOOD = dict(
    active_params=70e9,
    bytes_per_param=1.0,
    kv_bytes_per_token=327_680.0,
    memory_bandwidth_gb_per_s=3350.0,
    peak_tflops=1979.0,
    gpu_power_w=700.0,
)
D = tokens.Deployment(**GOOD)
CALL = dict(batch_size=8, context_tokens=100, deployment=D)


@given(bad=bad_nonneg)
def test_bad_context_rejected(bad):
    with raises_naming("context_tokens"):
        tokens.decode_energy_per_token_j(**{**CALL, "context_tokens": bad})


@pytest.mark.parametrize("name", ["kv_bytes_per_token", "attention_flops_per_context_token"])
@given(bad=bad_nonneg)
def test_bad_nonnegative_fields_rejected(name, bad):
    with raises_naming(name):
        tokens.Deployment(**{**GOOD, name: bad})
    with raises_naming(name):
        D.replace(**{name: bad})


@pytest.mark.parametrize(
    "name",
    [
        "active_params",
        "bytes_per_param",
        "memory_bandwidth_gb_per_s",
        "peak_tflops",
        "gpu_power_w",
        "memory_gb",
    ],
)
@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_bad_positive_fields_rejected(name, bad):
    with raises_naming(name):
        tokens.Deployment(**{**GOOD, name: bad})
    with raises_naming(name):
        D.replace(**{name: bad})


@pytest.mark.parametrize(
    "call",
    [
        lambda d: tokens.decode_step_times_s(8, 100, deployment=d),
        lambda d: tokens.decode_step_time_s(8, 100, deployment=d),
        lambda d: tokens.decode_tokens_per_s(8, 100, deployment=d),
        lambda d: tokens.decode_energy_per_token_j(8, 100, deployment=d),
        lambda d: tokens.batching_ratio(1, 64, 100, deployment=d),
        lambda d: tokens.compute_bound_batch_size(100, deployment=d),
        lambda d: tokens.prefill_energy_j(100, deployment=d),
        lambda d: tokens.answer_energy(100, 100, 100, deployment=d),
        lambda d: tokens.max_batch_size(100, deployment=d),
        lambda d: tokens.min_gpu_count(deployment=d),
    ],
)
def test_deployment_must_be_a_deployment(call):
    # The old keyword arguments as a dict, or a table row, are refused by name.
    with pytest.raises(TypeError, match=r"deployment must be a tokens\.Deployment; got dict"):
        call(dict(GOOD))
    with pytest.raises(TypeError, match=r"\bdeployment\b"):
        call(MODELS.loc["llama-3.3-70b"])


def test_deployment_is_keyword_only():
    with pytest.raises(TypeError):
        tokens.decode_energy_per_token_j(8, 100, D)


@pytest.mark.parametrize("bad", [0.0, 0.5, -1, math.nan, math.inf])
def test_batch_below_one_rejected(bad):
    with raises_naming("batch_size"):
        tokens.decode_energy_per_token_j(**{**CALL, "batch_size": bad})


@pytest.mark.parametrize("bad", [0.0, 1.01, -0.1, math.nan])
def test_efficiency_must_be_in_zero_one(bad):
    with pytest.raises(ValueError, match=r"efficiency .*\(0, 1\]"):
        tokens.decode_energy_per_token_j(**CALL, efficiency=bad)


def test_pue_and_host_share_rejected_out_of_range():
    with raises_naming("pue"):
        tokens.decode_energy_per_token_j(**CALL, pue=0.9)
    with raises_naming("host_overhead_fraction"):
        tokens.decode_energy_per_token_j(**CALL, host_overhead_fraction=-0.1)


@given(bad=bad_nonneg)
def test_bad_token_counts_rejected(bad):
    for i, name in enumerate(["prompt_tokens", "reasoning_tokens", "answer_tokens"]):
        counts = [100, 100, 100]
        counts[i] = bad
        with raises_naming(name):
            tokens.answer_energy(*counts, deployment=D, batch_size=8)


def test_moe_arguments_checked():
    with raises_naming("routed_expert_fraction"):
        tokens.weights_read_params(37e9, 1, 671e9)
    with raises_naming("routed_expert_fraction"):
        tokens.weights_read_params(37e9, 1, 671e9, 1.0)
    with raises_naming("total_params"):
        tokens.weights_read_params(37e9, 1, 30e9, 0.1)
    with raises_naming("routed_expert_fraction"):
        tokens.weights_read_params(3e9, 1, 671e9, 0.5)  # active < f × total is impossible
    # A deployment is checked the same way when it is made.
    with raises_naming("routed_expert_fraction"):
        tokens.Deployment(**{**GOOD, "active_params": 37e9, "total_params": 671e9})
    with raises_naming("total_params"):
        tokens.Deployment(**GOOD, total_params=30e9, routed_expert_fraction=0.1)


def test_architecture_errors_name_the_parameter():
    with raises_naming("layers"):
        tokens.kv_bytes_per_token_gqa(0, 8, 128)
    with raises_naming("kv_latent_dim"):
        tokens.kv_bytes_per_token_mla(61, math.nan, 64)
    with raises_naming("attention"):
        tokens.Deployment.from_rows(
            {**MODELS.loc["qwen3-32b"].to_dict(), "attention": "linear"}, GPUS.loc["h100-sxm"]
        )
    with raises_naming("precision"):
        tokens.bytes_per_param("FP6")
    with raises_naming("usable_memory_fraction"):
        tokens.max_batch_size(
            1000,
            deployment=tokens.Deployment(70e9, 1, 1000, 3350, 1979, 700, memory_gb=80),
            usable_memory_fraction=1.5,
        )
    with raises_naming("tokens_per_s_per_sequence"):
        tokens.concurrent_sequences(100, 0)


# ---------------------------------------------------------------------------------------------
# Presentation: chapter 02's chart builders and explorer (helpers.views.ch02) use the calculators
# ---------------------------------------------------------------------------------------------


def test_chart_builders_have_titles_units_and_descriptions():
    from helpers.views import ch02 as view

    d = setup()
    frame = view.energy_per_token_frame(d, np.geomspace(1, 4096, 30), 0, "ctx 0")
    assert set(frame.regime) == {"memory-bound", "compute-bound"}
    built = [
        view.energy_per_token_lines(frame, x="batch_size"),
        view.weights_read_lines(view.weights_read_frame({"ds": setup("deepseek-v3")}, [1, 8, 64])),
        view.answer_energy_bars(
            view.answer_parts_frame(
                {"a": tokens.answer_energy(100, 1000, 100, deployment=d, batch_size=8)}
            ),
            unit="Wh",
        ),
        view.model_vs_measurement(
            pd.DataFrame({"label": ["x"], "ratio": [1.5], "role": ["check"]})
        ),
    ]
    for chart in built:
        spec = chart.to_dict()
        assert spec.get("description") and spec.get("title")
    text = str(built[0].to_dict()) + str(built[2].to_dict())
    assert "(J, log)" in text and "(Wh)" in text
    with pytest.raises(ValueError, match="x must be"):
        view.energy_per_token_lines(frame, x="nonsense")


@pytest.mark.parametrize(
    "model_id,gpu_id,precision",
    [
        ("deepseek-r1", "h800-sxm", "FP8"),
        ("qwen3-30b-a3b", "l4", "INT4"),
        ("llama-3.3-70b", "a100-80gb-sxm", "BF16"),
    ],
)
def test_explorer_draws_for_dropdown_choices(model_id, gpu_id, precision):
    from helpers.views import ch02 as view

    box = view.answer_energy_explorer(efficiency=0.4, prefill_efficiency=0.15)
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


def test_batching_ratio_is_the_ratio_of_two_decode_energies():
    d = setup(precision="BF16")
    one, sixty_four = (tokens.decode_energy_per_token_j(b, 1000, deployment=d) for b in (1, 64))
    assert tokens.batching_ratio(1, 64, 1000, deployment=d) == pytest.approx(one / sixty_four)
    assert tokens.batching_ratio(64, 64, 1000, deployment=d) == pytest.approx(1.0)
    assert tokens.batching_ratio(256, 64, 1000, deployment=d) < 1.0
    # Efficiency, power and PUE cancel: a cooler GPU has the same ratio.
    cooler = d.replace(gpu_power_w=350)
    assert tokens.batching_ratio(1, 64, 1000, deployment=cooler) == pytest.approx(one / sixty_four)
    with raises_naming("reference_batch_size"):
        tokens.batching_ratio(1, 0.5, 1000, deployment=d)


# ---------------------------------------------------------------------------------------------
# Where DeepSeek serves: per-GPU copies of the always-on weights, attention in 16 bits
# ---------------------------------------------------------------------------------------------


def test_always_on_params_are_what_every_token_uses():
    ds = tokens.Deployment.from_tables("deepseek-v3", "h800-sxm", "FP8")
    routed = (671e9 - 37e9) / (1 - 8 / 256)
    assert ds.always_on_params == pytest.approx(671e9 - routed)
    assert 15e9 < ds.always_on_params < 18e9  # attention, dense layers, shared experts
    llama = tokens.Deployment.from_tables("llama-3.3-70b", "h100-sxm", "FP8")
    assert llama.always_on_params == llama.active_params


def test_each_copy_of_the_always_on_weights_is_read_at_every_step():
    ds = tokens.Deployment.from_tables("deepseek-v3", "h800-sxm", "FP8")
    one = tokens.decode_step_times_s(512, 4989, deployment=ds)
    many = tokens.decode_step_times_s(512, 4989, deployment=ds.replace(always_on_copies=144))
    extra_bytes = 143 * ds.always_on_params * ds.bytes_per_param
    assert many.memory_s - one.memory_s == pytest.approx(extra_bytes / 3350e9)
    assert many.compute_s == one.compute_s
    assert ds.replace(always_on_copies=144).dense(37e9).always_on_copies == 1.0
    with pytest.raises(ValueError, match="always_on_copies"):
        ds.replace(always_on_copies=0.5)


def test_attention_runs_at_the_peak_of_the_cache_format():
    ds = tokens.Deployment.from_tables("deepseek-v3", "h800-sxm", "FP8")
    assert ds.peak_tflops == 1979 and ds.attention_peak_tflops == 989  # FP8 weights, BF16 cache
    fp8_cache = tokens.Deployment.from_tables("deepseek-v3", "h800-sxm", "FP8", 1.0)
    assert fp8_cache.attention_peak_tflops == 1979
    t = tokens.decode_step_times_s(64, 4989, deployment=ds)
    flops = 64 * (2 * 37e9 / 1979e12 + ds.attention_flops_per_context_token * 4989 / 989e12)
    assert t.compute_s == pytest.approx(flops)
    prefill = tokens.prefill_energy_j(1000, deployment=ds)
    seconds = (
        2 * 37e9 * 1000 / 1979e12 + ds.attention_flops_per_context_token * 1000 * 999 / 2 / 989e12
    )
    assert prefill == pytest.approx(700 * seconds)


def test_at_deepseeks_operating_point_the_moe_is_memory_bound_and_a_few_times_cheaper():
    """Issue 16, point 6: at the published mean KV length (4,989 tokens) and batch per decode
    unit, the MoE is memory-bound and about 4-6× (not 15×) cheaper than a dense 671B model."""
    c = tokens.course_calibration()
    ds = tokens.Deployment.from_tables("deepseek-v3", "h800-sxm", "FP8")
    unit = ds.replace(always_on_copies=c.deepseek_unit_gpus)
    t = tokens.decode_step_times_s(c.deepseek_pool_batch, 4989, deployment=unit)
    assert t.memory_s > t.compute_s

    def e(d):
        return tokens.decode_energy_per_token_j(c.deepseek_pool_batch, 4989, deployment=d)

    assert e(ds.dense(671e9)) / e(unit) == pytest.approx(4.3, abs=0.1)
    assert e(ds.dense(671e9)) / e(ds) == pytest.approx(6.2, abs=0.1)
    assert e(ds.dense(671e9)) / e(ds) < 0.5 * (
        tokens.decode_energy_per_token_j(c.deepseek_pool_batch, 1000, deployment=ds.dense(671e9))
        / tokens.decode_energy_per_token_j(c.deepseek_pool_batch, 1000, deployment=ds)
    )


def test_roofline_ridge_and_arithmetic_intensity():
    d = tokens.Deployment.from_tables("llama-3.3-70b", "h100-sxm", "BF16")
    assert tokens.ridge_flops_per_byte(deployment=d) == pytest.approx(989e12 / 3350e9)
    assert tokens.arithmetic_intensity(1, 0, deployment=d) == pytest.approx(1.0)
    i = tokens.arithmetic_intensity(np.array([1, 64, 256]), 1000, deployment=d)
    assert np.all(np.diff(i) > 0) and i[-1] < tokens.ridge_flops_per_byte(deployment=d)
    # The intensity crosses the ridge where the step turns compute-bound.
    b = tokens.compute_bound_batch_size(0, deployment=d.replace(attention_peak_tflops=None))
    assert tokens.arithmetic_intensity(b, 0, deployment=d) == pytest.approx(
        tokens.ridge_flops_per_byte(deployment=d)
    )


def test_llama_70b_in_bf16_needs_two_h100s():
    d = tokens.Deployment.from_tables("llama-3.3-70b", "h100-sxm", "BF16")
    assert tokens.min_gpu_count(deployment=d) == 2
