"""Self-checks for chapter 01, "Training vs inference". Answers are computed from data/."""

from helpers import data, lifecycle
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake

__all__ = ["q1", "q2", "q3", "q4", "q5"]


def _run(run_id, column):
    return data.value("training_runs", run_id, column)


def _all_llama_31_mwh():
    runs = data.load("training_runs").loc[["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b"]]
    return lifecycle.training_energy_mwh(runs.gpu_hours, runs.gpu_power_w).sum()


def _q1():
    return lifecycle.training_energy_mwh(
        _run("llama-3.1-405b", "gpu_hours"), _run("llama-3.1-405b", "gpu_power_w")
    )


q1 = Exercise(
    name="q1",
    question="Using Meta's model card, how much energy (MWh) did training Llama 3.1 405B alone take?",
    answer=_q1,
    unit="MWh",
    hints=[
        "Look up the 405B row of data.load('training_runs'): GPU-hours and power per GPU.",
        "GPU-hours × W gives Wh; 1 MWh = 1,000,000 Wh. Use Meta's 700 W as it stands: the card "
        "says it is already 'adjusted for power usage efficiency', so add no PUE of your own.",
    ],
    solution_text=(
        "lifecycle.training_energy_mwh(30.84e6, 700) = 30.84 million GPU-hours × 700 W "
        "= 21,588 MWh (about 21.6 GWh; an upper bound, since 700 W is the GPU's peak power)."
    ),
    mistakes=lambda c: [
        Mistake(
            _all_llama_31_mwh(),
            "That is all three Llama 3.1 models: use the 405B row only.",
        ),
        Mistake(
            c * 1.1, "Meta's 700 W is already 'adjusted for power usage efficiency': no extra PUE."
        ),
    ],
)


def _q2():
    gpt3 = _run("gpt-3", "energy_mwh_reported")
    gemini = data.value("inference_estimates", "gemini-median-2025", "energy_wh")
    return lifecycle.crossover_queries(gpt3, gemini)


q2 = Exercise(
    name="q2",
    question=(
        "How many Gemini median prompts (0.24 Wh each, overhead included) use as much energy as "
        "training GPT-3 (1,287 MWh per Patterson et al.)?"
    ),
    answer=_q2,
    unit="queries",
    hints=[
        "lifecycle.crossover_queries(training_energy_mwh, energy_per_query_wh, pue).",
        "Google's 0.24 Wh already includes data-centre overhead, so keep pue=1.",
    ],
    solution_text=(
        "lifecycle.crossover_queries(1287, 0.24) ≈ 5.4 billion prompts. No PUE factor: "
        "Google's figure already counts the data centre's overhead."
    ),
    mistakes=lambda c: [
        Mistake(c / 1.1, "Google's 0.24 Wh already includes overhead: don't apply PUE 1.1 again.")
    ],
)


def _q3_parts():
    hours = _run("deepseek-v3", "gpu_hours")
    tdp = data.value("gpus", "h800-sxm", "tdp_w")
    pue, wh, per_day = 1.1, 2.0, 50e6
    training = lifecycle.training_energy_mwh(hours, tdp, pue)
    return training, wh, per_day, pue


def _q3():
    training, wh, per_day, pue = _q3_parts()
    return lifecycle.crossover_days(training, wh, per_day, pue)


q3 = Exercise(
    name="q3",
    question=(
        "Take DeepSeek-V3's GPU-hours at the assumed H800 power of 700 W and a data centre with "
        "PUE 1.1 for both training and serving. At 2 Wh per query and 50 million queries a day, "
        "after how many days has inference used as much energy as training?"
    ),
    answer=_q3,
    unit="days",
    hints=[
        "Training: lifecycle.training_energy_mwh(gpu_hours, 700, pue=1.1).",
        "Then lifecycle.crossover_days(training_mwh, 2.0, 50e6, pue=1.1). What happens to PUE?",
    ],
    solution_text=(
        "Training ≈ 2.79 M GPU-h × 700 W × 1.1 ≈ 2,147 MWh; the crossover is 2,147 MWh ÷ "
        "(2 Wh × 1.1) ≈ 976 million queries, about 19.5 days at 50 million a day. The PUE "
        "cancels when both phases run in the same data centre."
    ),
    mistakes=lambda c: [
        Mistake(c / 1.1, "You applied PUE to inference but not to training."),
        Mistake(c * 1.1, "You applied PUE to training but not to inference."),
        Mistake(c * 50e6, "That is a number of queries: divide by the queries per day."),
    ],
)


# --- concept questions ----------------------------------------------------------------------

q4 = ConceptQuestion(
    name="q4",
    question=(
        "The chapter divides DeepSeek-V3's training energy (its H800 GPU-hours × 700 W) by "
        "Google's 0.24 Wh per Gemini prompt to find a crossover. What does each of the two "
        "numbers count?"
    ),
    choices={
        "a": Choice(
            "Both count the whole data centre, so the ratio is like for like.",
            "Tempting, since both end in watt-hours. But GPU-hours × the GPU's rating counts the "
            "GPUs alone: no host computers, no cooling, no idle machines. Google's figure counts "
            "all of those.",
        ),
        "b": Choice(
            "The training figure counts the GPUs only, at their rated power (an upper bound for "
            "the GPUs, with hosts and cooling left out); Google's counts the accelerators, host "
            "CPUs and memory, idle machines kept ready and the data centre's overhead.",
            "The two sides of the crossover have different boundaries, so the crossover is an "
            "order of magnitude, not a precise count of queries.",
            correct=True,
        ),
        "c": Choice(
            "Google's figure counts the accelerators only; the training figure includes the "
            "building.",
            "The right idea, reversed. Google published a narrower accelerators-only figure as "
            "well, and it is much smaller; the 0.24 Wh is the comprehensive one. GPU-hours × "
            "700 W has no building in it.",
        ),
        "d": Choice(
            "The training figure includes all the experiments that led to the final run.",
            "DeepSeek's GPU-hours are for the final run only (pre-training, context extension, "
            "post-training); its report says research and ablation runs are left out.",
        ),
    },
    hints=[
        "Which of the two numbers was measured on Google's own fleet, and which is GPU-hours × "
        "a rating?",
        "What would you have to add to the GPUs' energy to reach what the data centre's meter "
        "sees?",
    ],
    solution_text=(
        "GPU-hours × rated power counts only the GPUs, and at their maximum: real training draws "
        "less, so it is an upper bound on GPU energy, while host computers, networking, idle "
        "time and cooling (PUE) are missing altogether. Google's 0.24 Wh is a measured median "
        "with a comprehensive boundary: accelerators, host CPU and DRAM, idle machines kept "
        "ready and data-centre overhead. Say what each side leaves out before dividing one by "
        "the other; the crossover is an order of magnitude."
    ),
)

q5 = ConceptQuestion(
    name="q5",
    question=(
        "DeepSeek-V3's USD 5.576 million is 2.788 million H800 GPU-hours at an assumed USD 2 "
        "each, for the final training run. What does it leave out?"
    ),
    choices={
        "a": Choice(
            "Nothing important: the final run is where almost all of the compute goes.",
            "Tempting, because the final run is the one that gets reported. Teams that counted "
            "their whole pipeline found otherwise: OLMo's development added about half again to "
            "its final runs, and in Olmo 3 development was most of the compute.",
        ),
        "b": Choice(
            "Only the electricity, which would roughly double it.",
            "A rental price already pays for the provider's electricity, and electricity is a "
            "small part of the cost of compute anyway (chapter 04). What is missing is mostly "
            "development compute, hardware and staff.",
        ),
        "c": Choice(
            "The research and failed or experimental runs before it, which can add from about "
            "half again to several times the final run's compute, and the cost of buying the "
            "hardware, the staff and the data.",
            "The figure is a rental-price equivalent of one final run. The same boundary applies "
            "to any energy computed from those GPU-hours.",
            correct=True,
        ),
        "d": Choice(
            "The inference that followed, which is why it is so small.",
            "Inference is a separate phase (the second half of this chapter) and never part of a "
            "training cost. The gap between the headline and the cost of building the model is "
            "development, hardware and staff.",
        ),
    },
    hints=[
        "Read the scope and 'not included' lines the chapter prints for DeepSeek-V3.",
        "What did the OLMo and Olmo 3 teams find when they also counted their development runs?",
    ],
    solution_text=(
        "USD 5.576 million is GPU-hours × an assumed rental price for one final run. DeepSeek's "
        "report excludes prior research and ablation experiments, and a price per GPU-hour says "
        "nothing about buying the cluster, salaries or data. Where teams have counted "
        "development, it was large: about half as much again as the final runs for OLMo, and "
        "most of the total compute for Olmo 3. Training energy computed from final-run "
        "GPU-hours has the same blind spot."
    ),
)
