"""Chapter 07 exercises: they check against the learner's own run once it is bound, and against
the shipped reference run before (what the answer key shows). Worked values are recomputed here
from the run's rows with plain arithmetic, not with the exercises' own code."""

import pandas as pd
import pytest

from helpers import measure, tokens
from helpers.checks import ch07


@pytest.fixture
def reference():
    runs = measure.shipped_runs()
    return runs[runs.run_id == ch07.REFERENCE_RUN].sort_values("batch_size")


@pytest.fixture(autouse=True)
def unbound():
    ch07._bound.clear()
    yield
    ch07._bound.clear()


def test_worked_values_of_the_reference_run(reference):
    one = reference.iloc[0]
    assert one.batch_size == 1
    assert ch07.q1.expected() == pytest.approx(one.step_s / one.predicted_step_s)
    # float32: 4 bytes per weight and 2 FLOPs per weight per sequence
    bend = 4 * one.matmul_tflops * 1e12 / (2 * one.bandwidth_gb_per_s * 1e9)
    assert ch07.q2.expected() == pytest.approx(bend)
    assert ch07.q3.expected() == pytest.approx(
        one.energy_j_per_token / reference.energy_j_per_token.iloc[-1]
    )
    # one H100 in BF16: 2 bytes per weight at 3,350 GB/s and 700 W, over the calibrated η
    eta = tokens.course_calibration().decode
    h100 = one.params * 2 / 3350e9 * 700 / eta
    assert ch07.q4.expected() == pytest.approx(h100, rel=1e-9)


def test_the_reference_run_is_what_the_solutions_describe(reference):
    assert 1.0 < ch07.q1.expected() < 1.5  # "about 1.3"
    assert 10 < ch07.q2.expected() < 16  # "about 13"
    assert 8 < ch07.q3.expected() < 16  # "about 12"
    assert 0.05 < ch07.q4.expected() < 0.09  # "about 0.07 J"


def test_a_bound_run_changes_the_answers(reference):
    mine = reference.assign(
        run_id="mine",
        step_s=reference.step_s * 2,
        measured_over_predicted=reference.measured_over_predicted * 2,
        bandwidth_gb_per_s=reference.bandwidth_gb_per_s / 4,
    )
    before = [q.expected() for q in (ch07.q1, ch07.q2)]
    ch07.use_run(mine)
    assert ch07.current_run()["run_id"].eq("mine").all()
    assert ch07.q1.expected() == pytest.approx(2 * before[0])
    assert ch07.q2.expected() == pytest.approx(4 * before[1])


def test_use_run_refuses_what_is_not_one_run_with_batch_1(reference):
    with pytest.raises(TypeError, match="table"):
        ch07.use_run([1, 2])
    with pytest.raises(ValueError, match="table"):
        ch07.use_run(reference.drop(columns="step_s"))
    with pytest.raises(ValueError, match="one run"):
        ch07.use_run(pd.concat([reference, reference.assign(run_id="other")]))
    with pytest.raises(ValueError, match="batch size 1"):
        ch07.use_run(reference[reference.batch_size > 1])


def test_the_hints_name_the_calculators_a_learner_calls():
    text = " ".join(h for q in (ch07.q1, ch07.q2, ch07.q4) for h in q.hints)
    assert "measure.measured_deployment" in text and "tokens.compute_bound_batch_size" in text
    assert "tokens.course_calibration().decode" in text
