"""Exercises accept the right answer, explain the likely mistakes, and never hard-code answers."""

import pytest

from helpers.checks import Exercise, Mistake, ch00, ch01

EXERCISES = [ch00.q1, ch00.q2, ch00.q3, ch01.q1, ch01.q2, ch01.q3]


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.question[:40])
def test_correct_answer_passes(q, capsys):
    q.check(q.expected())
    assert capsys.readouterr().out.startswith("✓ Correct")


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.question[:40])
def test_every_listed_mistake_is_explained(q):
    for m in q.mistakes(q.expected()):
        ok, message = q.verdict(m.value)
        assert not ok
        assert m.message in message


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.question[:40])
def test_unit_slips_are_named(q):
    ok, message = q.verdict(q.expected() * 1000)
    assert not ok and "factor of 1,000" in message


def test_unanswered_and_non_numbers():
    q = ch01.q1
    assert q.verdict(...)[1].startswith("Not answered yet")
    assert "Expected a number" in q.verdict("lots")[1]
    assert "finite" in q.verdict(float("nan"))[1]


def test_far_answers_say_direction():
    assert "too high" in ch01.q1.verdict(ch01.q1.expected() * 1.5)[1]
    assert "too low" in ch01.q1.verdict(ch01.q1.expected() * 0.5)[1]


def test_worked_values():
    assert ch00.q1.expected() == pytest.approx(2.1)
    assert ch00.q2.expected() == pytest.approx(864)
    assert ch01.q1.expected() == pytest.approx(21_588)
    assert ch01.q2.expected() == pytest.approx(5.3625e9)
    assert ch01.q3.expected() == pytest.approx(19.5, abs=0.1)


def test_hints_cycle_and_solution_prints_answer(capsys):
    q = Exercise(
        question="?",
        answer=lambda: 2.0,
        unit="Wh",
        solution_text="Two.",
        hints=["a", "b"],
        name="qx",
    )
    q.hint(), q.hint(), q.hint()
    out = capsys.readouterr().out
    assert "Hint 1 of 2: a" in out and out.count("Hint 2 of 2: b") == 2
    q.solution()
    assert "Answer: 2 Wh" in capsys.readouterr().out
    assert q.verdict(3.0)[1].endswith("Try qx.hint() for a nudge.")
    assert Mistake(1.0, "m").message == "m"
