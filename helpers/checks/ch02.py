"""Self-checks for chapter 02, "The cost of thinking". Answers are computed from data/ with
``helpers.tokens``; nothing is typed in."""

from helpers import tokens
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]

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


# --- concept questions ----------------------------------------------------------------------

q5 = ConceptQuestion(
    name="q5",
    question=(
        "In Chamberlin's test, DeepSeek's R1-distilled 70B model used 87 % more energy than "
        "Llama 3.3 70B on the same prompts, at about the same tokens per joule. What explains "
        "the 87 %?"
    ),
    choices={
        "a": Choice(
            "The reasoning model is less efficient: each of its tokens costs much more energy.",
            "That is how the headline was often read. But 'about the same tokens per joule' "
            "means each token cost about the same: R1-Distill-Llama-70B is Llama 3.3 70B "
            "fine-tuned, with the same architecture.",
        ),
        "b": Choice(
            "It was the 671B DeepSeek-R1, a model ten times larger.",
            "The test ran the 70B distilled model on one GPU, not the 671B mixture of experts. "
            "Mixing the two up is one of the lost labels chapter 06 lists.",
        ),
        "c": Choice(
            "Hidden reasoning tokens are generated twice, once to think and once to show.",
            "Every token is generated once. Reasoning tokens are ordinary generated tokens the "
            "user may not see; they are paid for like any other token, but not twice.",
        ),
        "d": Choice(
            "It wrote more tokens, mostly its chain of thought; per token the cost was nearly "
            "the same, slightly higher because later tokens read a longer KV cache.",
            "Energy per answer = tokens per answer × energy per token, and only the first factor "
            "changed much.",
            correct=True,
        ),
    },
    hints=["Energy per answer = tokens per answer × energy per token. Which factor changed?"],
    solution_text=(
        "Same architecture means about the same energy per token at the same context. A "
        "reasoning answer has many more tokens, so its energy rises with the token count, and a "
        "little more because tokens deep in a long chain read a longer KV cache. Compare models "
        "per token to judge their efficiency, and per answer to judge what a question costs; a "
        "per-query figure without its token count cannot tell the two apart."
    ),
)

q6 = ConceptQuestion(
    name="q6",
    question=(
        "On the same model, GPU and batch size, why does reading a 1,000-token prompt (prefill) "
        "usually take far less energy than writing a 1,000-token answer (decode)?"
    ),
    choices={
        "a": Choice(
            "Prompt tokens need no arithmetic: they are only stored in the cache.",
            "Prompt tokens get the same ~2 FLOPs per parameter as generated ones; that arithmetic "
            "is what fills the KV cache. Only prompt tokens already cached from an earlier "
            "request (DeepSeek's cache hits) skip it.",
        ),
        "b": Choice(
            "Prefill handles all the prompt's tokens together, so each read of the weights feeds "
            "every one of them and the arithmetic is the limit (compute-bound); decode writes "
            "one token per sequence per step and re-reads the weights and the KV cache each "
            "time, so it usually waits on memory (memory-bound).",
            "The GPU is limited by whichever takes longer, moving bytes or doing arithmetic, and "
            "prefill does far more arithmetic per byte read.",
            correct=True,
        ),
        "c": Choice(
            "Prefill is memory-bound and decode is compute-bound, and memory is cheaper.",
            "The right pair, reversed. Prefill does many FLOPs per byte read, because all prompt "
            "tokens share each weight read, so it is compute-bound; decode does few, so it is "
            "usually memory-bound.",
        ),
        "d": Choice(
            "They cost the same, about 2 FLOPs per parameter per token; only the prices differ.",
            "The FLOPs per token are indeed similar, which makes this tempting. But energy "
            "follows time, and a decode step's time is set by the bytes it moves, not by its "
            "FLOPs: the arithmetic units mostly wait for the weights and the cache to arrive.",
        ),
    },
    hints=[
        "How many tokens share one read of the weights in prefill? In one decode step?",
        "Compare the FLOPs done per byte read with the GPU's own ratio, peak FLOP/s ÷ memory "
        "bandwidth (the roofline).",
    ],
    solution_text=(
        "A step takes as long as the slower of moving bytes and doing arithmetic (the roofline). "
        "Prefill does about 2 FLOPs per parameter for every prompt token, and all prompt tokens "
        "share one read of the weights: many FLOPs per byte, so it runs near the GPU's "
        "arithmetic limit. Decode makes one token per sequence per step, re-reading the weights "
        "(shared only across the batch) and every sequence's KV cache: few FLOPs per byte, so "
        "it is usually memory-bound. That is why output tokens cost more than prompt tokens, and "
        "why batching, more tokens per weight read, is the biggest lever on decode."
    ),
)

q7 = ConceptQuestion(
    name="q7",
    question=(
        "DeepSeek-V3 uses 37B of its 671B parameters per token. At DeepSeek's own operating "
        "point (thousands of sequences per decode unit, a mean context of about 5,000 tokens), "
        "how does its energy per token compare with a dense 671B model with the same attention?"
    ),
    choices={
        "a": Choice(
            "About 18 times less (671 ÷ 37), at every batch size.",
            "That is the headline, and it holds only at batch 1, where a step reads just the "
            "experts one token picked. In a batch the tokens pick different experts, and every "
            "sequence brings its own KV cache, which the mixture of experts does not shrink.",
        ),
        "b": Choice(
            "About the same: at large batches the tokens touch every expert, so the MoE reads "
            "all 671B parameters anyway.",
            "True of the weights read at medium batches (exercise q3), which makes it tempting. "
            "But at thousands of sequences one read of the weights is shared so widely that it "
            "hardly matters per token; what still differs is the arithmetic, which the dense "
            "model does on all 671B parameters for every token.",
        ),
        "c": Choice(
            "Several times less, but far from 671 ÷ 37: at that context the MoE's step is "
            "limited by reading every sequence's KV cache (memory-bound), while the dense model's "
            "would be limited by arithmetic on all 671B parameters.",
            "The MoE advantage depends on the operating point: batch size and context length "
            "decide which resource limits each model.",
            correct=True,
        ),
        "d": Choice(
            "More: MLA's compressed cache makes the MoE's KV cache larger than the dense model's.",
            "The dense what-if has the same attention and the same cache, so the caches are "
            "identical. And MLA makes a cache smaller than grouped-query attention would, not "
            "larger.",
        ),
    },
    hints=[
        "At a very large batch, what is read per token: the weights, shared by all sequences, or "
        "each sequence's own KV cache?",
        "At that batch and context, which of the two models is compute-bound and which "
        "memory-bound?",
    ],
    solution_text=(
        "At batch 1 the MoE reads only its active experts and costs like a 37B model. At medium "
        "batches the tokens between them touch most experts and the advantage nearly vanishes. "
        "At DeepSeek's huge batches the weight reads are shared by thousands of tokens; with a "
        "mean context near 5,000 tokens the MoE's step is dominated by reading the sequences' "
        "KV caches (memory-bound), while a dense 671B model would be compute-bound on its much "
        "larger arithmetic. The ratio is the dense model's compute time over the MoE's memory "
        "time: several times, not 18. (DeepSeek also runs attention in BF16 and keeps a copy of "
        "the attention and shared-expert weights on every decode GPU, which adds to what the "
        "MoE reads.)"
    ),
)
