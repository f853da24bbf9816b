"""Self-checks for chapter 02, "The cost of thinking". Answers are computed from data/ with
``helpers.tokens``; nothing is typed in."""

from helpers import data, tokens
from helpers.checks import Exercise, Mistake


def _kw(model_id, gpu_id, precision):
    kw = tokens.model_kwargs(data.load("models").loc[model_id], precision)
    kw.update(tokens.gpu_kwargs(data.load("gpus").loc[gpu_id], precision))
    return kw


def _decode(kw, batch_size, context_tokens, **over):
    a = {**kw, **over}
    return tokens.decode_energy_per_token_j(
        a["active_params"],
        a["bytes_per_param"],
        batch_size,
        context_tokens,
        a["kv_bytes_per_token"],
        a["memory_bandwidth_gb_per_s"],
        a["peak_tflops"],
        a["gpu_power_w"],
        a.get("efficiency", 1.0),
        a["attention_flops_per_context_token"],
        a["total_params"],
        a["routed_expert_fraction"],
    )


# --- q1: one token, batch 32 ----------------------------------------------------------------

Q1_BATCH, Q1_CONTEXT = 32, 1000


def _q1_kw():
    return _kw("llama-3.3-70b", "h100-sxm", "FP8")


def _q1():
    return _decode(_q1_kw(), Q1_BATCH, Q1_CONTEXT)


q1 = Exercise(
    name="q1",
    question=(
        "Llama 3.3 70B with FP8 weights on H100s decodes a batch of 32 sequences, each with "
        "1,000 tokens already in its KV cache. At the ideal (η = 1) and the H100's rated 700 W, "
        "how many joules does one generated token cost?"
    ),
    answer=_q1,
    unit="J",
    hints=[
        "widgets.decode_kwargs('llama-3.3-70b', 'h100-sxm', 'FP8') gives the model and GPU numbers.",
        "tokens.decode_energy_per_token_j(...) with batch_size=32, context_tokens=1000. Is the step "
        "memory-bound? Then the GPU reads the weights once plus 32 KV caches, and the energy is "
        "shared by 32 tokens.",
    ],
    solution_text=(
        "Bytes per step: 70.6 GB of FP8 weights + 32 × 1,000 × 327,680 B of KV cache ≈ 81 GB. At "
        "3,350 GB/s that takes about 24 ms (the arithmetic would take about 2 ms, so the step is "
        "memory-bound). 700 W × 24 ms ≈ 17 J per step, shared by 32 tokens: about 0.53 J each."
    ),
    mistakes=lambda c: [
        Mistake(
            c * Q1_BATCH, "That is the energy of the whole step: divide it among the 32 tokens."
        ),
        Mistake(
            _decode(_q1_kw(), Q1_BATCH, Q1_CONTEXT, bytes_per_param=2.0),
            "You used 2 bytes per parameter: FP8 stores one byte per weight.",
        ),
        Mistake(
            _decode(_q1_kw(), Q1_BATCH, 0),
            "You left out the KV cache: every sequence's 1,000 cached tokens are read too.",
        ),
    ],
)


# --- q2: a whole reasoning answer on DeepSeek's own serving setup ----------------------------

Q2_PROMPT, Q2_REASONING, Q2_ANSWER, Q2_PUE = 500, 4000, 300, 1.2


def deepseek_calibration():
    """η for decode and prefill from DeepSeek's published serving statistics (as in the notebook).

    Returns ``(batch per node, decode η, prefill η)``.
    """
    meas, models, gpus = data.load("decode_measurements"), data.load("models"), data.load("gpus")
    row = meas.loc["deepseek-decode-throughput"]
    batch = tokens.concurrent_sequences(row.value, meas.loc["deepseek-user-speed", "value"])
    model, gpu = models.loc[row.model_id], gpus.loc[row.gpu_id]
    eta = tokens.calibrate(row, model, gpu, batch_size=batch)
    eta_prefill = tokens.calibrate(
        meas.loc["deepseek-prefill-throughput"],
        model,
        gpu,
        cache_hit_fraction=meas.loc["deepseek-cache-hits", "value"],
    )
    return batch, eta, eta_prefill


def _q2_parts(pue=Q2_PUE, reasoning=Q2_REASONING):
    batch, eta, eta_prefill = deepseek_calibration()
    row = data.load("decode_measurements").loc["deepseek-decode-throughput"]
    pool = batch * row.serving_gpus / row.gpu_count
    return tokens.answer_energy(
        Q2_PROMPT,
        reasoning,
        Q2_ANSWER,
        batch_size=pool,
        efficiency=eta,
        prefill_efficiency=eta_prefill,
        pue=pue,
        **_kw("deepseek-r1", "h800-sxm", "FP8"),
    )


def _q2():
    return _q2_parts().total_wh


q2 = Exercise(
    name="q2",
    question=(
        "DeepSeek-R1 served the way DeepSeek serves it (FP8 on H800s, the batch and the η "
        "calibrated on its published statistics in this chapter) answers a 500-token prompt "
        "with 4,000 reasoning tokens and a 300-token answer, in a data centre with PUE 1.2. "
        "How many watt-hours does the answer take?"
    ),
    answer=_q2,
    unit="Wh",
    hints=[
        "Use tokens.answer_energy(500, 4000, 300, batch_size=..., efficiency=eta_deepseek, "
        "prefill_efficiency=eta_prefill, pue=1.2, **widgets.decode_kwargs('deepseek-r1', "
        "'h800-sxm', 'FP8')).",
        "The batch is the whole decode unit: sequences per node × 18 nodes (144 GPUs ÷ 8).",
    ],
    solution_text=(
        "The calibration gives about 705 sequences per node, so 12,686 in one 144-GPU decode "
        "unit, η ≈ 0.22 for decode and ≈ 0.15 for prefill. tokens.answer_energy(...).total_wh "
        "with PUE 1.2 gives about 0.36 Wh, nearly all of it in the 4,000 reasoning tokens; without "
        "the reasoning the same answer would take about 0.04 Wh."
    ),
    mistakes=lambda c: [
        Mistake(_q2_parts(pue=1.0).total_wh, "You left out the PUE of 1.2."),
        Mistake(
            _q2_parts(reasoning=0).total_wh,
            "You left out the reasoning tokens: they are generated (and paid for) like any other.",
        ),
    ],
)


# --- q3: mixture of experts at batch 64 ------------------------------------------------------

Q3_BATCH, Q3_CONTEXT = 64, 1000


def _q3_energies():
    moe = _kw("deepseek-v3", "h800-sxm", "FP8")
    dense = {
        **moe,
        "active_params": moe["total_params"],
        "total_params": None,
        "routed_expert_fraction": None,
    }
    return _decode(moe, Q3_BATCH, Q3_CONTEXT), _decode(dense, Q3_BATCH, Q3_CONTEXT)


def _q3():
    moe, dense = _q3_energies()
    return dense / moe


q3 = Exercise(
    name="q3",
    question=(
        "At batch 64 (context 1,000 tokens, FP8 on H800s), how many times more energy per token "
        "would a dense model with all of DeepSeek-V3's 671B parameters use than DeepSeek-V3 "
        "itself? (Same attention and KV cache; only the expert sparsity differs.)"
    ),
    answer=_q3,
    unit="×",
    hints=[
        "A dense what-if: the same keyword arguments with active_params=671e9, total_params=None, "
        "routed_expert_fraction=None.",
        "tokens.weights_read_params(37e9, 64, 671e9, 8 / 256): how much of the MoE does a batch "
        "of 64 read?",
    ],
    solution_text=(
        "At batch 64 the 64 tokens pick their experts independently, and between them they touch "
        "about 87 % of the routed experts, so each step reads about 585B parameters, not 37B. "
        "The dense 671B model reads 671B. With the KV cache on top, the dense model costs only "
        "about 1.1 times as much per token: the '37B, not 671B' saving holds at small batches."
    ),
    mistakes=lambda c: [
        Mistake(
            671 / 37,
            "That is total ÷ active parameters, true at batch 1. At batch 64 the tokens of the "
            "batch, between them, use most of the experts.",
        ),
    ],
)


# --- q4: where batching stops helping ---------------------------------------------------------


def _q4():
    kw = _kw("llama-3.3-70b", "h100-sxm", "BF16")
    return tokens.compute_bound_batch_size(
        kw["active_params"],
        kw["bytes_per_param"],
        0,
        kw["kv_bytes_per_token"],
        kw["memory_bandwidth_gb_per_s"],
        kw["peak_tflops"],
        kw["attention_flops_per_context_token"],
    )


q4 = Exercise(
    name="q4",
    question=(
        "Llama 3.3 70B in BF16 on H100s, with (almost) empty KV caches: above what batch size "
        "does the decode step become compute-bound, so that a bigger batch no longer lowers the "
        "energy per token?"
    ),
    answer=_q4,
    unit="sequences",
    hints=[
        "tokens.compute_bound_batch_size(active_params, bytes_per_param, 0, kv_bytes_per_token, "
        "bandwidth, peak).",
        "Reading a weight costs 2 bytes; using it costs 2 FLOPs per sequence. Compare the GPU's "
        "FLOP/s with its bytes/s.",
    ],
    solution_text=(
        "Memory time 2 N / bandwidth equals compute time 2 N B / peak when B = peak ÷ bandwidth "
        "× (bytes per parameter ÷ 2) = 989 TFLOP/s ÷ 3.35 TB/s ≈ 295 sequences."
    ),
    mistakes=lambda c: [
        Mistake(
            c * 2,
            "Twice too many: each parameter costs 2 FLOPs per sequence (a multiply and an add), "
            "or you used the FP8 peak with BF16 weights.",
        ),
    ],
)
