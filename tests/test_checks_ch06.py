"""Chapter 06 exercises: worked values (generic checks of every exercise: test_checks.py)."""

import pytest

from helpers.checks import ch06


def test_answers_match_the_worked_numbers():
    assert ch06.q1.expected() == pytest.approx(6_400_000 * 700 / 1e6)
    assert ch06.q2.expected() == pytest.approx(2 / 0.24)
    assert ch06.q3.expected() == pytest.approx(5_576_000 + 294_000)
    assert ch06.q4.expected() == pytest.approx(1_600 / 1_740.8)


def test_the_v3_only_answer_is_named():
    ok, message = ch06.q3.verdict(5_576_000)
    assert not ok and "V3's final run alone" in message
