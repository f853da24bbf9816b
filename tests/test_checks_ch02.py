"""Chapter 02 exercises: worked values (generic checks of every exercise live in test_checks.py);
answers come from data/ through helpers.tokens."""

import pytest

from helpers.checks import ch02


def test_worked_values():
    assert ch02.q1.expected() == pytest.approx(0.529, abs=0.001)
    assert ch02.q2.expected() == pytest.approx(0.362, abs=0.001)
    assert ch02.q3.expected() == pytest.approx(1.145, abs=0.001)
    assert ch02.q4.expected() == pytest.approx(989 / 3.35, rel=1e-9)


def test_deepseek_calibration_values():
    batch, eta, eta_prefill = ch02.deepseek_calibration()
    assert batch == pytest.approx(704.8, abs=0.1)
    assert eta == pytest.approx(0.223, abs=0.001)
    assert eta_prefill == pytest.approx(0.151, abs=0.001)
