"""Every chapter's exercises: the right answer passes, each likely mistake gets its own message,
unit slips are named, and nothing is hard-coded (answers come from calculators and data/).

Exercises are discovered in ``helpers.checks.chNN``; chapter test files pin the worked values.
"""

import importlib
import pkgutil
import re

import pytest

import helpers
import helpers.checks
from helpers.checks import Exercise, Mistake, ch00, ch01

CHAPTERS = {
    m.name: importlib.import_module(f"helpers.checks.{m.name}")
    for m in pkgutil.iter_modules(helpers.checks.__path__)
    if m.name.startswith("ch")
}
EXERCISES = [
    (f"{name}.{attr}", q)
    for name, mod in sorted(CHAPTERS.items())
    for attr, q in vars(mod).items()
    if isinstance(q, Exercise)
]
IDS = [i for i, _ in EXERCISES]
QS = [q for _, q in EXERCISES]


@pytest.mark.parametrize("name", sorted(set(CHAPTERS) - {"ch00"}))
def test_every_chapter_has_at_least_three_exercises(name):
    assert sum(isinstance(v, Exercise) for v in vars(CHAPTERS[name]).values()) >= 3


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_correct_answer_passes(q, capsys):
    q.check(q.expected())
    assert capsys.readouterr().out.startswith("✓ Correct")


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_every_listed_mistake_is_explained(q):
    correct = q.expected()
    for m in q.mistakes(correct):
        assert not q._close(m.value, correct), f"mistake equals the answer: {m.message}"
        ok, message = q.verdict(m.value)
        assert not ok
        assert m.message in message


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_unit_slips_are_named(q):
    ok, message = q.verdict(q.expected() * 1000)
    assert not ok and "factor of 1,000" in message


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_unanswered_hint_and_solution(q, capsys):
    assert q.verdict(...)[1].startswith("Not answered yet")
    q.hint()
    q.solution()
    out = capsys.readouterr().out
    assert "Hint 1 of" in out or "No hint" in out
    assert "Answer:" in out


CALCULATORS = sorted(
    m.name for m in pkgutil.iter_modules(helpers.__path__) if not m.name.startswith("_")
)
NAMED = re.compile(rf"\b({'|'.join(CALCULATORS)})((?:\.[A-Za-z_]\w*)+)")


@pytest.mark.parametrize("q", QS, ids=IDS)
def test_every_function_an_exercise_names_exists(q):
    """Hints and solutions name calculators (``tokens.Deployment.from_tables``,
    ``power.power_per_busy_hour_w``): each must be there, so a renamed or removed function is
    caught here rather than by a learner."""
    text = " ".join([q.question, *q.hints, q.solution_text])
    for module, chain in NAMED.findall(text):
        obj = importlib.import_module(f"helpers.{module}")
        for name in chain.strip(".").split("."):
            assert hasattr(obj, name), f"{q.name} names {module}{chain}, which does not exist"
            obj = getattr(obj, name)


def test_non_numbers_and_direction():
    q = ch01.q1
    assert "Expected a number" in q.verdict("lots")[1]
    assert "finite" in q.verdict(float("nan"))[1]
    assert "too high" in q.verdict(q.expected() * 1.5)[1]
    assert "too low" in q.verdict(q.expected() * 0.5)[1]


def test_worked_values_ch00_ch01():
    assert ch00.q1.expected() == pytest.approx(2.1)
    assert ch00.q2.expected() == pytest.approx(864)
    assert ch00.q3.expected() == pytest.approx(1e6 / 0.24)
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
