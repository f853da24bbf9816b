"""Chapter 03 exercises: right answers pass, each likely mistake is explained, values pinned."""

import pytest

from helpers.checks import ch03

EXERCISES = [ch03.q1, ch03.q2, ch03.q3, ch03.q4]


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_correct_answer_passes(q, capsys):
    q.check(q.expected())
    assert capsys.readouterr().out.startswith("✓ Correct")


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_every_listed_mistake_is_explained(q):
    mistakes = q.mistakes(q.expected())
    assert len(mistakes) >= 2
    for m in mistakes:
        assert not q._close(m.value, q.expected()), m.message
        ok, message = q.verdict(m.value)
        assert not ok
        assert m.message in message


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_unanswered(q):
    assert q.verdict(...)[1].startswith("Not answered yet")


def test_worked_values():
    assert ch03.q1.expected() == pytest.approx(53.8, abs=0.1)
    assert ch03.q2.expected() == pytest.approx(151.5, abs=0.1)
    assert ch03.q3.expected() == pytest.approx(4.265, abs=1e-3)
    assert ch03.q4.expected() == pytest.approx(60.0)


def test_hints_and_solutions_print(capsys):
    for q in EXERCISES:
        q.hint()
        q.solution()
    out = capsys.readouterr().out
    assert out.count("Hint 1 of") == len(EXERCISES)
    assert out.count("Answer:") == len(EXERCISES)
