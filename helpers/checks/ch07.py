"""Self-checks for chapter 07, "Measure it yourself".

The exercises are about a run: the learner's own once the notebook calls ``use_run(table)``
with its run table, else the reference run this project made on its development machine
(``data/ch07_runs.csv``, run :data:`REFERENCE_RUN`), which is what the answer key shows. The
answers are computed from the run's rows with ``helpers.measure`` and ``helpers.tokens``;
nothing is typed in.
"""

from __future__ import annotations

import pandas as pd

from helpers import measure, tokens
from helpers._validate import as_frame
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake

__all__ = ["REFERENCE_RUN", "use_run", "current_run", "q1", "q2", "q3", "q4", "q5", "q6", "q7"]

REFERENCE_RUN = "dev-vm-t2-quick-a"
"""The shipped run the exercises use until the learner binds their own."""

_bound: dict[str, pd.DataFrame] = {}
_H100 = tokens.Deployment.from_tables("llama-3.3-70b", "h100-sxm", "BF16")
"""Chapter 02's datacentre GPU, from data/gpus.csv and data/models.csv."""


def use_run(table) -> None:
    """Check the exercises against this run (``measure.run_table(my_run)``: one run's rows)."""
    table = as_frame(table, "table", list(measure.RUN_COLUMNS))
    if table["run_id"].nunique() != 1 or 1 not in set(table["batch_size"]):
        raise ValueError("table must hold one run (one run_id) that includes batch size 1")
    _bound["table"] = table.sort_values("batch_size").reset_index(drop=True)


def current_run() -> pd.DataFrame:
    """The run the exercises check against: the bound one, else :data:`REFERENCE_RUN`."""
    if "table" in _bound:
        return _bound["table"]
    runs = measure.shipped_runs()
    return runs[runs.run_id == REFERENCE_RUN].sort_values("batch_size").reset_index(drop=True)


def _at(batch: int) -> pd.Series:
    t = current_run()
    return t[t.batch_size == batch].iloc[0]


def _deployment() -> tokens.Deployment:
    r = _at(1)
    return measure.measured_deployment(
        r.params, r.bandwidth_gb_per_s, r.matmul_tflops, r.estimate_power_w
    )


# --- q1: batch 1, measured against the model ---------------------------------------------------


def _q1():
    return _at(1).measured_over_predicted


q1 = Exercise(
    name="q1",
    question=(
        "In your run, how many times longer did one decode step at batch 1 take than chapter "
        "02's ideal prediction from your own measured bandwidth and FLOP/s? (measured ÷ "
        "predicted)"
    ),
    answer=_q1,
    unit="×",
    rtol=0.01,
    hints=[
        "The run table has step_s (measured) and predicted_step_s (chapter 02) for each "
        "batch_size.",
        "At batch 1 the prediction is the weight bytes ÷ the measured bandwidth: "
        "tokens.decode_step_times_s(1, 0, deployment=measure.measured_deployment(...)).memory_s.",
    ],
    solution_text=(
        "Take the batch-1 row: measured_over_predicted = step_s ÷ predicted_step_s. The step "
        "reads every float32 weight once through seven matrix-vector products per layer, "
        "the same kernel as the bandwidth test, so the ratio is usually a little "
        "above 1: the matrices are smaller than the one the bandwidth test reads, and small "
        "products keep the threads less busy. A ratio slightly below 1 is noise: the bandwidth "
        "is a median over runs at other moments."
    ),
    mistakes=lambda c: [
        Mistake(1 / c, "That is predicted ÷ measured: the question asks measured ÷ predicted."),
    ],
)


# --- q2: the bend, from the measured limits ---------------------------------------------------


def _q2():
    return tokens.compute_bound_batch_size(0, deployment=_deployment())


q2 = Exercise(
    name="q2",
    question=(
        "From your run's measured bandwidth and FLOP/s, above what batch size does chapter 02's "
        "model make a decode step on your machine compute-bound? (float32: 4 bytes per weight)"
    ),
    answer=_q2,
    unit="sequences",
    hints=[
        "d = measure.measured_deployment(params, bandwidth_gb_per_s, matmul_tflops, power_w) "
        "with the numbers of your run table; then tokens.compute_bound_batch_size(0, "
        "deployment=d).",
        "Reading a weight takes 4 bytes; using it takes 2 FLOPs per sequence. The bend is "
        "where 4 N ÷ bandwidth = 2 N B ÷ FLOP/s.",
    ],
    solution_text=(
        "B = (bytes per weight ÷ 2) × FLOP/s ÷ bandwidth = 2 × FLOP/s ÷ bandwidth for float32. "
        f"A CPU does a few FLOPs per byte it reads; an H100 in BF16 does about "
        f"{_H100.peak_tflops * 1e3 / _H100.memory_bandwidth_gb_per_s:.0f} "
        f"({_H100.peak_tflops:,.0f} TFLOP/s ÷ {_H100.memory_bandwidth_gb_per_s:,.0f} GB/s, "
        "data/gpus.csv) and reads 2 bytes per weight, so its bend lies near batch "
        f"{tokens.compute_bound_batch_size(0, deployment=_H100):.0f}, twenty or more times "
        "later than a CPU's: batching pays for far longer on a GPU."
    ),
    mistakes=lambda c: [
        Mistake(
            c / 2,
            "Half the answer: that is the FLOP-per-byte ratio alone (or 2 bytes per weight). "
            "float32 weights are 4 bytes, and each feeds 2 FLOPs per sequence.",
        ),
        Mistake(c * 2, "Twice the answer: each weight costs 2 FLOPs per sequence, not 1."),
    ],
)


# --- q3: batching and energy --------------------------------------------------------------------


def _q3():
    t = current_run()
    return _at(1).energy_j_per_token / t.energy_j_per_token.iloc[-1]


q3 = Exercise(
    name="q3",
    question=(
        "In your run, how many times more energy per token does batch 1 take than the largest "
        "batch you ran (256 by default)?"
    ),
    answer=_q3,
    unit="×",
    rtol=0.01,
    hints=[
        "Divide energy_j_per_token at batch 1 by its value in the last row of your run table.",
        "Where the energy is an estimate (time × a fixed power), the ratio is the ratio of "
        "the times per token.",
    ],
    solution_text=(
        "energy_j_per_token at batch 1 ÷ at the largest batch. Where the energy is an estimate "
        "at a fixed power it is the ratio of the times per token: one step at batch 256 takes "
        "far less than 256 times as long as at batch 1, but writes 256 tokens. Chapter 02's "
        "model says up to the bend batching is nearly free; the CPU collects less of that "
        "saving than the model promises, because batches 2 to 32 run far from both limits."
    ),
    mistakes=lambda c: [
        Mistake(1 / c, "Upside down: batch 1 costs more per token than a large batch."),
    ],
)


# --- q4: the same decoder on a datacentre GPU ---------------------------------------------------


def _h100_same_decoder(efficiency):
    same = _H100.dense(_at(1).params, label="the same decoder on an H100")
    return tokens.decode_energy_per_token_j(1, 0, deployment=same, efficiency=efficiency)


def _q4():
    return _h100_same_decoder(tokens.course_calibration().decode)


q4 = Exercise(
    name="q4",
    question=(
        "Chapter 02's calibrated model: how many joules per token would the same decoder (your "
        "run's parameter count, in BF16) take on one H100 at batch 1, with the decode η that "
        "chapter 02 calibrated on ML.ENERGY's measurements?"
    ),
    answer=_q4,
    unit="J",
    hints=[
        "h100 = tokens.Deployment.from_tables('llama-3.3-70b', 'h100-sxm', 'BF16'); "
        "h100.dense(params) keeps the H100 and BF16 and swaps in your decoder's parameters.",
        "tokens.decode_energy_per_token_j(1, 0, deployment=..., "
        "efficiency=tokens.course_calibration().decode).",
    ],
    solution_text=(
        "The H100 streams the 2-byte weights at 3,350 GB/s and draws 700 W; the calibrated η "
        "(about 0.4) makes the step longer and the energy larger by 1/η. At batch 1 both "
        "machines only wait for memory: the GPU reads its half-size weights over a hundred "
        "times faster than a laptop CPU but draws a hundred or so times the power, so the two "
        "land within a few times of each other. A stretch to keep in mind: η was calibrated "
        "on servers running 70B-class models, and a model this small would take a GPU about a "
        "tenth of a millisecond per step, where launching the kernels, not memory, sets the pace."
    ),
    mistakes=lambda c: [
        Mistake(
            _h100_same_decoder(1.0),
            "That is the ideal (η = 1): use chapter 02's calibrated η, "
            "tokens.course_calibration().decode.",
        ),
    ],
)


# --- concept questions ---------------------------------------------------------------------------

q5 = ConceptQuestion(
    name="q5",
    question=(
        "On a 2-core CPU the ideal model is right within a factor of about 2 at batch 1 and at "
        "batch 256, but steps at batches 2 to 32 take two to four times the prediction. What "
        "explains the middle?"
    ),
    choices={
        "a": Choice(
            "Memory bandwidth drops when several sequences are decoded together.",
            "The weights are read once per step whatever the batch, and the bandwidth measured "
            "before and after the sweep is the same. What changes with the batch is the kernel "
            "the library picks, not the memory.",
        ),
        "b": Choice(
            "For a batch of 2 or more, numpy calls a general matrix-matrix kernel (sgemm) that "
            "copies blocks of the weights into packed buffers and is tuned for large tiles; "
            "with only a few sequences there is too little arithmetic per weight to hide that "
            "work, so the step is limited neither by memory nor by arithmetic.",
            "The ideal model assumes a kernel that streams each weight once and uses it for "
            "every sequence; a CPU library has such a kernel for one vector (sgemv), not for "
            "a few. GPU inference engines ship kernels for exactly these skinny products.",
            correct=True,
        ),
        "c": Choice(
            "Each sequence in a batch reads its own copy of the weights, so batch 8 reads eight "
            "times the bytes.",
            "Then the step time would grow with the batch from the start; it barely moves "
            "from batch 2 to 16. One read of the weights serves the whole batch: that is the "
            "premise of batching, and the measurements keep it.",
        ),
        "d": Choice(
            "Python's overhead per token, which grows with the batch size.",
            "There is one Python call per matrix per step, whatever the batch (35 calls for 5 "
            "layers), a few microseconds each against tens of milliseconds of step.",
        ),
    },
    hints=[
        "Compare batch 1 and batch 2: the bytes read are the same. What else changes?",
        "numpy hands (1 × d) @ (d × d) to a matrix-vector routine, (2 × d) @ (d × d) to a "
        "matrix-matrix one.",
    ],
    solution_text=(
        "Chapter 02's model has two limits and nothing between them. Real kernels add a third "
        "regime: at small batches a general matrix-multiply spends its time packing and "
        "unpacking tiles, and neither the memory bus nor the arithmetic units are busy. Caches "
        "and threads shift it (a 4 MiB matrix held in the cache shows the same slowdown). The "
        "lesson for η: it is not one number, it "
        "depends on the kernel each batch size selects, which is why chapter 02 calibrates it "
        "on measurements of real servers."
    ),
)

q6 = ConceptQuestion(
    name="q6",
    question=(
        "On a Linux laptop that can read its RAPL counter, why does the chapter measure an idle "
        "baseline as long as the work and subtract it?"
    ),
    choices={
        "a": Choice(
            "The counter measures the whole CPU package: every program and the idle power of "
            "the chip, not only this workload. The baseline removes what the machine draws "
            "anyway.",
            "What is left is the energy the work added. Chapter 02's per-token energy is the "
            "other kind: a GPU's whole power while it works, idle share included. Compare the "
            "two knowing that a net figure leaves out what the machine draws anyway.",
            correct=True,
        ),
        "b": Choice(
            "RAPL counters wrap around, and the baseline corrects the wrap.",
            "Wrap-around is real (the counter restarts from 0 at max_energy_range_uj), but it "
            "is handled by comparing two readings (measure.rapl_delta_uj), not by a baseline.",
        ),
        "c": Choice(
            "To warm up the CPU so that its clock is stable during the measurement.",
            "Warm-up runs come before timing, and they are work, not idling. The baseline is "
            "a sleep: it measures what the machine draws when this program does nothing.",
        ),
        "d": Choice(
            "RAPL reports power in watts, and the baseline turns it into joules.",
            "RAPL's energy_uj is already energy, in microjoules. Joules come from the difference "
            "of two readings.",
        ),
    },
    hints=["What else is running on a laptop while your notebook decodes?"],
    solution_text=(
        "A package counter integrates everything the socket does: other processes, the "
        "operating system, and the idle draw of cores and caches. Reading it over the work and "
        "over an equal idle stretch beside it, and subtracting, leaves the energy the work "
        "added. On a busy machine short windows are noisy: the net can even come out negative, "
        "and the chapter reports it as it is."
    ),
)

q7 = ConceptQuestion(
    name="q7",
    question=(
        "On Binder or Colab the chapter's energy per token is labelled 'an estimate'. What does "
        "that number tell you?"
    ),
    choices={
        "a": Choice(
            "The energy the CPU actually used, read from a software counter.",
            "No counter was readable there (most virtual machines expose none), so nothing was "
            "read. A measured figure is labelled 'measured' and names its counter.",
        ),
        "b": Choice(
            "The measured step time multiplied by an assumed power (busy threads × a rated "
            "power per thread from data/cpu_power.csv, or a power you typed), divided by the "
            "batch: "
            "its shape over batch sizes is measured, its level is assumed.",
            "The time is yours; the watts are a data-sheet figure for a CPU that may not be "
            "yours. Type your machine's power if you know it.",
            correct=True,
        ),
        "c": Choice(
            "Chapter 02's prediction for this machine, with no measurement in it.",
            "The prediction is the other line, from the measured bandwidth and FLOP/s. The "
            "estimate uses the measured step time; only the power is assumed.",
        ),
        "d": Choice(
            "The energy of the whole machine, including memory, disk and the data centre.",
            "The assumed power is that of the busy CPU threads only: no memory, no idle cores, "
            "no cooling or PUE.",
        ),
    },
    hints=["Which part of time × power ÷ batch was measured on your machine?"],
    solution_text=(
        "Energy = time × power. Where no counter can be read, the chapter measures the time "
        "and assumes the power, and says so on every such number. The comparison with a GPU "
        "then holds for the shape (how much batching saves) more than for the level."
    ),
)
