"""Self-checks for chapter 06, "Check the claims". Answers are computed from data/."""

from helpers import claims, data, lifecycle, reconcile
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake
from helpers.units import convert_energy

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7"]


def _run(row_id, column):
    return data.value("training_runs", row_id, column)


def _q1():
    return lifecycle.training_energy_mwh(
        _run("llama-3-70b", "gpu_hours"), _run("llama-3-70b", "gpu_power_w")
    )


def _q1_mistakes(c):
    seed_pue = data.value("pue", "seed-004-pue", "pue")
    llama31 = lifecycle.training_energy_mwh(
        _run("llama-3.1-70b", "gpu_hours"), _run("llama-3.1-70b", "gpu_power_w")
    )
    return [
        Mistake(c * seed_pue, "The question asks for GPU energy: no PUE on top."),
        Mistake(llama31, "Those are Llama 3.1 70B's GPU-hours: use the Llama 3 card's row."),
    ]


q1 = Exercise(
    name="q1",
    question=(
        "Meta's Llama 3 model card gives the GPU-hours of Llama 3 70B's pre-training and 700 W per "
        "H100 (runs.loc['llama-3-70b']). How many MWh of GPU energy is that (no PUE)?"
    ),
    answer=_q1,
    unit="MWh",
    hints=[
        "lifecycle.training_energy_mwh(gpu_hours, gpu_power_w): GPU-hours × watts ÷ 1,000,000.",
        "6.4 million GPU-hours × 700 W = 4.48 billion Wh. How many MWh is that?",
    ],
    solution_text=(
        "lifecycle.training_energy_mwh(6_400_000, 700) = 6.4M h × 700 W = 4.48e9 Wh = 4,480 MWh, "
        "four to six times the seed's 700–1,200 MWh (and still an upper bound: 700 W is the TDP)."
    ),
    mistakes=_q1_mistakes,
)


def _wh(row_id):
    return data.value("inference_estimates", row_id, "energy_wh")


def _q2():
    seed_kwh = data.value("claims", "seed-004-per-query", "value")
    return claims.claim_ratio(convert_energy(seed_kwh, "kWh", "Wh"), _wh("gemini-median-2025"))


def _q2_mistakes(c):
    pue = data.value("pue", "seed-004-pue", "pue")
    return [
        Mistake(1 / c, "Upside down: divide the seed's figure by Google's."),
        Mistake(
            c * pue,
            "The seed's 2 Wh is IT energy; Google's already includes overhead. "
            "The question compares the figures as stated, without adding a PUE.",
        ),
    ]


q2 = Exercise(
    name="q2",
    question=(
        "The seed says a medium query takes 0.002 kWh. How many times Google's measured 0.24 Wh "
        "for a median Gemini prompt is that?"
    ),
    answer=_q2,
    unit="times",
    hints=[
        "Put both in the same unit first: 0.002 kWh = ? Wh.",
        "Then claims.claim_ratio(seed_wh, google_wh).",
    ],
    solution_text=(
        "0.002 kWh = 2 Wh; 2 ÷ 0.24 ≈ 8.3. The seed's figure is eight times what Google measured "
        "with a wider boundary, though the models and token counts differ."
    ),
    mistakes=_q2_mistakes,
)


def _q3():
    v3 = lifecycle.training_cost_usd(
        _run("deepseek-v3", "gpu_hours"), _run("deepseek-v3", "usd_per_gpu_hour")
    )
    r1 = lifecycle.training_cost_usd(
        _run("deepseek-r1-reasoning", "gpu_hours"),
        _run("deepseek-r1-reasoning", "usd_per_gpu_hour"),
    )
    return v3 + r1


def _q3_mistakes(c):
    v3 = _run("deepseek-v3", "cost_usd_reported")
    r1 = _run("deepseek-r1-reasoning", "cost_usd_reported")
    return [
        Mistake(v3, "That is DeepSeek-V3's final run alone: add R1's reasoning stages."),
        Mistake(r1, "That is R1's reasoning stages alone: R1 starts from V3, add V3's final run."),
    ]


q3 = Exercise(
    name="q3",
    question=(
        "At DeepSeek's assumed USD 2 per GPU-hour, what did the final V3 run plus R1's reasoning "
        "stages cost, in USD (runs.loc['deepseek-v3'] and runs.loc['deepseek-r1-reasoning'])?"
    ),
    answer=_q3,
    unit="USD",
    hints=[
        "lifecycle.training_cost_usd(gpu_hours, usd_per_gpu_hour) for each row.",
        "R1 is trained on top of DeepSeek-V3-Base: both runs belong to R1's cost.",
    ],
    solution_text=(
        "2,788,000 h × $2 = $5,576,000 for V3's final run, plus 147,000 h × $2 = $294,000 for "
        "R1's reasoning stages: about $5.87M. Close to the famous '$6 million', but it is a "
        "rental-price equivalent of two final runs, with research, failed runs, hardware and "
        "staff left out."
    ),
    mistakes=_q3_mistakes,
)


def _q4():
    seed = data.value("claims", "seed-003-berlin-sunshine", "value")
    dwd = data.value("sunshine", "berlin-dwd-1991-2020", "hours_per_year")
    return claims.claim_ratio(seed, dwd)


def _q4_mistakes(c):
    old = data.value("sunshine", "berlin-dwd-1961-1990", "hours_per_year")
    seed = data.value("claims", "seed-003-berlin-sunshine", "value")
    return [
        Mistake(1 / c, "Upside down: claimed ÷ recomputed, the seed's hours on top."),
        Mistake(seed / old, "That is against the old 1961–1990 average: use 1991–2020."),
    ]


q4 = Exercise(
    name="q4",
    question=(
        "Seed text 003 says Berlin gets about 1,600 hours of sunshine a year. What is the ratio "
        "claimed ÷ DWD's 1991–2020 average (sunshine.loc['berlin-dwd-1991-2020'])?"
    ),
    answer=_q4,
    unit="(ratio)",
    rtol=0.005,
    hints=["claims.claim_ratio(claimed, recomputed)."],
    solution_text=(
        "1,600 ÷ 1,740.8 ≈ 0.92: the seed's figure is about 8 % below the current reference "
        "period, and close to the old 1961–1990 average (1,634 h)."
    ),
    mistakes=_q4_mistakes,
)


# --- concept questions ----------------------------------------------------------------------

q5 = ConceptQuestion(
    name="q5",
    question=(
        "Epoch AI's estimate of a ChatGPT query assumes a utilisation of 0.1. Chapter 04's "
        "idle-GPU arithmetic also has a utilisation. Are they the same thing?"
    ),
    choices={
        "a": Choice(
            "Yes: both are the share of the time the GPU is busy.",
            "Tempting, because the word is the same. Epoch's 0.1 is a FLOP utilisation: the "
            "share of the GPU's peak arithmetic achieved while it works. Chapter 04's is the "
            "share of hours in which the GPU works at all.",
        ),
        "b": Choice(
            "Yes: a GPU at 10 % FLOP utilisation is idle 90 % of the time.",
            "A GPU decoding non-stop can be busy all the time and still reach a small share of "
            "its peak FLOP/s, because decoding waits on memory (chapter 02). Low FLOP "
            "utilisation is slow work, not idleness.",
        ),
        "c": Choice(
            "No: Epoch's 0.1 is FLOP utilisation, the share of peak arithmetic a busy GPU "
            "achieves (it sets how long the work takes); chapter 04's is the share of time busy "
            "(it sets how much idle power the work must pay for).",
            "Both lower the useful work per joule, in different ways. Always ask which one a "
            "source means.",
            correct=True,
        ),
        "d": Choice(
            "No: Epoch's is the share of time busy, and chapter 04's the share of peak arithmetic.",
            "The right distinction, the wrong way round. Chapter 04 counts hours switched on "
            "but idle; Epoch divides the work's FLOPs by a share of the GPU's peak FLOP/s.",
        ),
    },
    hints=[
        "One meaning asks 'how fast does the GPU work while it works?', the other 'how often "
        "does it work?'"
    ],
    solution_text=(
        "FLOP utilisation (model FLOP utilisation, MFU) is achieved FLOP/s ÷ peak FLOP/s while "
        "working: when it is low, the work takes longer and is paid at busy power. Share of time "
        "busy is working hours ÷ hours switched on: when it is low, idle power is charged to the "
        "work. Epoch's 0.1 is the first kind; chapter 04's idle arithmetic and this chapter's "
        "utilisation factor are the second. An estimate can assume either or both."
    ),
)

q6 = ConceptQuestion(
    name="q6",
    question=(
        "In the ledger, a claim's verdict is 'supported', and the number in its primary source "
        "is a model estimate. What does 'supported' tell you?"
    ),
    choices={
        "a": Choice(
            "The claim repeats its primary source faithfully; the number is still only as good "
            "as the source's model and assumptions.",
            "A verdict compares a claim with its primary source, nothing more. Quote a supported "
            "estimate with its assumptions.",
            correct=True,
        ),
        "b": Choice(
            "The number is true: the course checked it.",
            "The verdict checks that the claim says what its source says. If the source's "
            "number is an estimate, the claim inherits its assumptions, and a faithful copy of "
            "an estimate is still an estimate.",
        ),
        "c": Choice(
            "Somebody measured it; otherwise it could not be supported.",
            "Verdict and evidence are separate: an estimate, a company disclosure or a press "
            "statement can all be repeated faithfully. The evidence column says what kind of "
            "number it is.",
        ),
        "d": Choice(
            "The course recomputed it with its calculators and got the same number.",
            "Recomputing is a separate step (the chapter's recomputation table), and a ratio "
            "near 1 does not make a claim right either: the USD 6 million matches the "
            "arithmetic but carries the wrong label.",
        ),
    },
    hints=[
        "A verdict answers one question: does the claim say what its primary source says? "
        "Which questions does it leave open?"
    ],
    solution_text=(
        "Three questions, three columns. The verdict: does the claim match its primary source? "
        "how_known: how do we know the number (primary, secondary, arithmetic, unchecked)? "
        "evidence: what kind of number is it (measurement, model estimate, company disclosure, "
        "peer-reviewed, blog or press)? A supported claim about a model estimate is a faithful "
        "report of an estimate, and should be quoted with the assumptions behind it."
    ),
)


# --- a peer tool against Epoch AI -----------------------------------------------------------


def _assumption(row_id):
    return data.value("per_query_assumptions", row_id, "value")


def _epoch_wh():
    return data.value("inference_estimates", "epoch-gpt4o-2025", "energy_wh")


def _gpt4o_by_ecologits(end="low"):
    """EcoLogits' request for GPT-4o at Epoch AI's 500 output tokens (its PUE for OpenAI), at the
    ``"low"`` or ``"high"`` end of its active-parameter range: a
    :class:`helpers.reconcile.EcoLogitsRequest`."""
    return reconcile.ecologits_request(
        output_tokens=_assumption("epoch-output"),
        active_params_b=_assumption(f"ecologits-gpt4o-active-{end}"),
        total_params_b=_assumption("ecologits-gpt4o-total-params"),
        pue=_assumption("ecologits-pue-openai"),
    )


def _epoch_scenario():
    """Epoch AI's 0.3 Wh as the five factors: its 500 tokens, PUE 1.2, and the rest as one energy
    per token (GPUs and host, whose power its 1,275 W per GPU includes)."""
    tokens = _assumption("epoch-output")
    pue = data.value("pue", "epoch-assumption", "pue")
    return {
        "output_tokens": tokens,
        "energy_per_token_j": convert_energy(_epoch_wh() / pue / tokens, "Wh", "J"),
        "pue": pue,
    }


def _ecologits_vs_epoch(end="low"):
    """:func:`helpers.reconcile.factor_ratios` from Epoch AI's estimate to EcoLogits' (GPT-4o,
    500 output tokens) at one end of EcoLogits' active-parameter range."""
    eco = reconcile.ecologits_scenario(
        output_tokens=_assumption("epoch-output"),
        active_params_b=_assumption(f"ecologits-gpt4o-active-{end}"),
        total_params_b=_assumption("ecologits-gpt4o-total-params"),
        pue=_assumption("ecologits-pue-openai"),
    )
    return reconcile.factor_ratios(_epoch_scenario(), eco)


def _q7():
    return _gpt4o_by_ecologits("low").energy_wh / _epoch_wh()


def _q7_mistakes(c):
    low, high = _gpt4o_by_ecologits("low"), _gpt4o_by_ecologits("high")
    pue = _assumption("ecologits-pue-openai")
    epoch = _epoch_wh()
    return [
        Mistake(1 / c, "Upside down: EcoLogits' energy ÷ Epoch's 0.3 Wh."),
        Mistake(low.energy_wh, "That is EcoLogits' energy in Wh: now divide it by Epoch's 0.3 Wh."),
        Mistake(
            high.energy_wh / epoch,
            "That is the high end (220B active): the question asks for the low end, 55B.",
        ),
        Mistake(
            c / pue,
            "EcoLogits multiplies the server's energy by the PUE (1.2 for OpenAI), and Epoch's "
            "0.3 Wh includes its own PUE 1.2: keep both.",
        ),
        Mistake(
            c / low.gpu_count,
            "That is one GPU's share. The 4-bit weights need more than one 80 GB GPU, and "
            "EcoLogits charges its energy per token to each GPU holding the model.",
        ),
        Mistake(
            low.gpu_energy_wh * pue / epoch,
            "The server outside the GPUs is missing: 1 kW per 8-GPU server, for the generation "
            "time, in proportion to the GPUs used and shared by the batch.",
        ),
    ]


q7 = Exercise(
    name="q7",
    question=(
        "EcoLogits estimates a request's energy from fitted coefficients (assumptions rows "
        "'ecologits-*'). For GPT-4o at Epoch AI's 500 output tokens, at the low end of EcoLogits' "
        "active-parameter range (55B of 440B) and with its PUE for OpenAI, what energy does "
        "EcoLogits give, and how many times Epoch's 0.3 Wh "
        "(estimates.loc['epoch-gpt4o-2025']) is that? Answer with the ratio."
    ),
    answer=_q7,
    unit="times",
    hints=[
        "reconcile.ecologits_request_energy_wh(output_tokens, active_params_b, total_params_b, "
        "pue) follows EcoLogits' method with its coefficients. Inputs: "
        "assumptions.loc['epoch-output'], ['ecologits-gpt4o-active-low'], "
        "['ecologits-gpt4o-total-params'] and ['ecologits-pue-openai'].",
        "By hand: the weights need 1.2 × 440 × 4 ÷ 8 = 264 GB, so 4 GPUs of 80 GB; each uses "
        "α·e^(64β)·55 + γ Wh per token; add the server outside the GPUs, multiply by the PUE, "
        "then divide by 0.3 Wh.",
    ],
    solution_text=(
        "reconcile.ecologits_request_energy_wh(500, 55, 440, 1.2): the weights need "
        "1.2 × 440 × 4 ÷ 8 = 264 GB, 4 GPUs of 80 GB. One GPU uses α·e^(64β)·55 + γ = "
        "0.000312 Wh per token; × 500 tokens × 4 GPUs = 0.623 Wh. The server outside the GPUs "
        "adds 1,000 W × 38.3 s × 4/8 ÷ 64 = 0.083 Wh; × PUE 1.2 = 0.848 Wh, 2.83 times "
        "Epoch's 0.3 Wh (3.16 Wh and 10.5 times at 220B active). "
        "Line up the five factors (reconcile.factor_ratios of reconcile.ecologits_scenario "
        "against Epoch's): tokens ×1 (500 both), PUE ×1 (1.2 both), share of time busy ×1 "
        "(neither charges idle time), boundary ×1.13 (EcoLogits adds the server outside the "
        "GPUs; Epoch's 1,275 W per GPU already includes the host), and energy per token ×2.49, "
        "the real gap. It splits in two. EcoLogits charges a token's fitted energy to each of "
        "the 4 GPUs holding the model (×4), while Epoch counts GPU time from the token's "
        "arithmetic, however many GPUs share it. And one GPU's fitted energy per token is 0.62 "
        "times Epoch's whole energy per token at 55B active (2.43 times at 220B): the guess of "
        "GPT-4o's size, which OpenAI does not publish, moves the energy per token 3.9 times. "
        "EcoLogits' batch-64 fit equals Epoch's energy per token (10 % FLOP utilisation at 70 % "
        "of 1,275 W) at about 89B active parameters, close to the 100B Epoch assumes: the two "
        "methods price a token's arithmetic alike and differ mostly in how many GPUs they "
        "charge it to."
    ),
    mistakes=_q7_mistakes,
)
