"""Chapter 02 exercises: right answers pass, listed mistakes are explained, answers come from
data/ through helpers.tokens."""

import pytest

from helpers.checks import ch02

EXERCISES = [ch02.q1, ch02.q2, ch02.q3, ch02.q4]


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_correct_answer_passes(q, capsys):
    q.check(q.expected())
    assert capsys.readouterr().out.startswith("✓ Correct")


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_every_listed_mistake_is_explained(q):
    mistakes = q.mistakes(q.expected())
    assert mistakes
    for m in mistakes:
        ok, message = q.verdict(m.value)
        assert not ok
        assert m.message in message


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_unanswered(q):
    assert q.verdict(...)[1].startswith("Not answered yet")


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
