"""Chapter 03 exercises: worked values (generic checks of every exercise: test_checks.py)."""

import pytest

from helpers.checks import ch03


def test_worked_values():
    assert ch03.q1.expected() == pytest.approx(53.8, abs=0.1)
    assert ch03.q2.expected() == pytest.approx(151.5, abs=0.1)
    assert ch03.q3.expected() == pytest.approx(4.265, abs=1e-3)
    assert ch03.q4.expected() == pytest.approx(60.0)
