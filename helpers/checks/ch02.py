"""Self-checks for chapter 02, "The cost of thinking". Answers are computed from data/ with
``helpers.tokens``; nothing is typed in."""

from helpers import tokens
from helpers.checks import Exercise, Mistake

__all__ = ["q1", "q2", "q3", "q4"]

# --- q1: one token, batch 32 ----------------------------------------------------------------

Q1_BATCH, Q1_CONTEXT = 32, 1000


def _q1_deployment():
    return tokens.Deployment.from_tables("llama-3.3-70b", "h100-sxm", "FP8")


def _q1():
    return tokens.decode_energy_per_token_j(Q1_BATCH, Q1_CONTEXT, deployment=_q1_deployment())


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
        "d = tokens.Deployment.from_tables('llama-3.3-70b', 'h100-sxm', 'FP8') gives the model "
        "and GPU numbers.",
        "tokens.decode_energy_per_token_j(32, 1000, deployment=d): batch 32, 1,000 tokens of "
        "context. Is the step memory-bound? Then the GPU reads the weights once plus 32 KV "
        "caches, and the energy is shared by 32 tokens.",
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
            tokens.decode_energy_per_token_j(
                Q1_BATCH, Q1_CONTEXT, deployment=_q1_deployment().replace(bytes_per_param=2.0)
            ),
            "You used 2 bytes per parameter: FP8 stores one byte per weight.",
        ),
        Mistake(
            tokens.decode_energy_per_token_j(Q1_BATCH, 0, deployment=_q1_deployment()),
            "You left out the KV cache: every sequence's 1,000 cached tokens are read too.",
        ),
    ],
)


# --- q2: a whole reasoning answer on DeepSeek's own serving setup ----------------------------

Q2_PROMPT, Q2_REASONING, Q2_ANSWER, Q2_PUE = 500, 4000, 300, 1.2


def _q2_parts(pue=Q2_PUE, reasoning=Q2_REASONING):
    calibration = tokens.course_calibration()
    return tokens.answer_energy(
        Q2_PROMPT,
        reasoning,
        Q2_ANSWER,
        deployment=tokens.Deployment.from_tables("deepseek-r1", "h800-sxm", "FP8").replace(
            always_on_copies=calibration.deepseek_unit_gpus
        ),
        batch_size=calibration.deepseek_pool_batch,
        efficiency=calibration.deepseek_decode,
        prefill_efficiency=calibration.prefill,
        pue=pue,
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
        "Use tokens.answer_energy(500, 4000, 300, deployment=r1_unit, batch_size=..., "
        "efficiency=eta_deepseek, prefill_efficiency=eta_prefill, pue=1.2), where r1_unit is "
        "tokens.Deployment.from_tables('deepseek-r1', 'h800-sxm', 'FP8') with "
        "always_on_copies=144: every GPU of the unit reads its own attention and shared expert.",
        "The batch is the whole decode unit: sequences per node × 18 nodes (144 GPUs ÷ 8). "
        "tokens.course_calibration() gives it (.deepseek_pool_batch), the unit's GPUs "
        "(.deepseek_unit_gpus) and the two η (.deepseek_decode and .prefill).",
    ],
    solution_text=(
        "The calibration gives about 705 sequences per node, so 12,686 in one 144-GPU decode "
        "unit, η ≈ 0.33 for decode and ≈ 0.15 for prefill. tokens.answer_energy(...).total_wh "
        "with PUE 1.2 gives about 0.42 Wh, most of it in the 4,000 reasoning tokens; without "
        "the reasoning the same answer would take about 0.05 Wh."
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
    moe = tokens.Deployment.from_tables("deepseek-v3", "h800-sxm", "FP8")
    dense = moe.dense(moe.total_params)
    return tuple(
        tokens.decode_energy_per_token_j(Q3_BATCH, Q3_CONTEXT, deployment=d) for d in (moe, dense)
    )


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
        "A dense what-if: d.dense(671e9) is the same deployment d with 671B dense parameters "
        "(total_params and routed_expert_fraction None).",
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
    d = tokens.Deployment.from_tables("llama-3.3-70b", "h100-sxm", "BF16")
    return tokens.compute_bound_batch_size(0, deployment=d)


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
        "tokens.compute_bound_batch_size(0, deployment=d) with "
        "d = tokens.Deployment.from_tables('llama-3.3-70b', 'h100-sxm', 'BF16').",
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
