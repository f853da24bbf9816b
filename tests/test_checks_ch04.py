"""Chapter 04 exercises: the right answer passes, each listed mistake gets its message."""

import pytest

from helpers import capex
from helpers.checks import ch04

EXERCISES = [ch04.q1, ch04.q2, ch04.q3, ch04.q4]


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_right_answer_passes(q):
    ok, message = q.verdict(q.expected())
    assert ok, message


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_each_mistake_gets_its_message(q):
    for m in q.mistakes(q.expected()):
        ok, message = q.verdict(m.value)
        assert not ok
        assert m.message in message


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_unanswered_and_hints(q, capsys):
    assert q.verdict(...) == (
        False,
        "Not answered yet: replace the ... with your answer (a number).",
    )
    q.hint()
    q.solution()
    out = capsys.readouterr().out
    assert "Hint 1" in out and "Answer:" in out


def test_answers_match_the_worked_numbers():
    assert ch04.q1.expected() == pytest.approx(2_000)
    assert ch04.q2.expected() == pytest.approx(27_500 / (4 * 1_740.8) + 0.7 * 0.0806)
    assert ch04.q3.expected() == pytest.approx(100 * 0.07 / (10_000 / 35_040 + 0.07))
    p = capex.power_per_used_hour_w(700, 100, 1_740.8)
    assert ch04.q4.expected() == pytest.approx(p / 1000 * 0.0806)
