"""Chapter 04 exercises: worked values (generic checks of every exercise: test_checks.py)."""

import pytest

from helpers import capex, power
from helpers.checks import ch04


def test_answers_match_the_worked_numbers():
    assert ch04.q1.expected() == pytest.approx(2_000)
    assert ch04.q2.expected() == pytest.approx(27_500 / (4 * 1_740.8) + 0.7 * 0.0806)
    assert ch04.q3.expected() == pytest.approx(100 * 0.07 / (10_000 / 35_040 + 0.07))
    p = power.power_per_busy_hour_w(700, 100, capex.utilization(1_740.8))
    assert p == pytest.approx(700 + 100 * (8_760 - 1_740.8) / 1_740.8)
    assert ch04.q4.expected() == pytest.approx(p / 1000 * 0.0806)


def test_q4_hint_points_at_the_power_module():
    hint = ch04.q4.hints[0]
    assert "power.power_per_busy_hour_w" in hint and "capex.utilization" in hint
    assert "power_per_used_hour_w" not in hint
