"""Self-checks for chapter 01, "Training vs inference". Answers are computed from data/."""

from helpers import data, lifecycle
from helpers.checks import Exercise, Mistake

__all__ = ["q1", "q2", "q3"]


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
        "GPU-hours × W gives Wh; 1 MWh = 1,000,000 Wh. Meta's 700 W already includes PUE.",
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
