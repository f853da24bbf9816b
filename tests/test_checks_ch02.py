"""Chapter 02 exercises: worked values (generic checks of every exercise live in test_checks.py);
answers come from data/ through helpers.tokens."""

import pytest

from helpers import tokens
from helpers.checks import ch02


def test_worked_values():
    assert ch02.q1.expected() == pytest.approx(0.529, abs=0.001)
    assert ch02.q2.expected() == pytest.approx(0.424, abs=0.001)
    assert ch02.q3.expected() == pytest.approx(1.145, abs=0.001)
    assert ch02.q4.expected() == pytest.approx(989 / 3.35, rel=1e-9)


def test_deepseek_calibration_values():
    c = tokens.course_calibration()
    assert c.deepseek_batch_per_node == pytest.approx(704.8, abs=0.1)
    assert c.deepseek_decode == pytest.approx(0.326, abs=0.001)
    assert c.prefill == pytest.approx(0.151, abs=0.001)


def test_q2_is_deepseeks_calibrated_serving():
    # The whole 144-GPU decode unit (18 nodes of 8) at the calibrated η: the exercise's parts.
    c = tokens.course_calibration()
    r1 = tokens.Deployment.from_tables("deepseek-r1", "h800-sxm", "FP8").replace(
        always_on_copies=c.deepseek_unit_gpus
    )
    e = tokens.answer_energy(
        500,
        4000,
        300,
        deployment=r1,
        batch_size=c.deepseek_batch_per_node * 18,
        efficiency=c.deepseek_decode,
        prefill_efficiency=c.prefill,
        pue=1.2,
    )
    assert ch02.q2.expected() == pytest.approx(e.total_wh, rel=1e-12)


def test_hints_and_solutions_use_the_deployment_api():
    qs = (ch02.q1, ch02.q2, ch02.q3, ch02.q4)
    text = " ".join(h for q in qs for h in [*q.hints, q.solution_text])
    assert "decode_kwargs" not in text and "**" not in text
    assert "tokens.Deployment.from_tables('llama-3.3-70b', 'h100-sxm', 'FP8')" in text
    assert "deployment=" in text
