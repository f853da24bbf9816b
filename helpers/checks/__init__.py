"""Self-check exercises in the style of Kaggle's learntools: ``q1.check(answer)``, ``q1.hint()``,
``q1.solution()``.

An :class:`Exercise` knows its correct answer (computed by a calculator from data/, never typed
in) and a list of *likely mistakes*: answers a learner gets by forgetting PUE, mixing up kWh and
MWh, and so on. A wrong answer that matches a likely mistake is told what went wrong.

A :class:`ConceptQuestion` asks for understanding rather than a number: the learner picks one of
a few statements, and each wrong one has its own feedback, saying why it is tempting and why it
is wrong. Teachers find the reasoning behind each answer in ``docs/TEACHERS.md``.

Each chapter's exercises live in ``helpers.checks.chNN``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Exercise", "Mistake", "unit_mistakes", "Choice", "ConceptQuestion"]


@dataclass(frozen=True)
class Mistake:
    """A wrong answer a learner is likely to give, and what to tell them."""

    value: float
    message: str


def unit_mistakes(answer: float, unit: str) -> list[Mistake]:
    """The usual slips of a factor of 1,000, 1,000,000 or 3,600 (J vs Wh) around ``answer``."""
    out = []
    for factor, what in ((1e3, "1,000"), (1e6, "1,000,000"), (3600.0, "3,600 (joules vs Wh?)")):
        out.append(Mistake(answer * factor, f"Off by a factor of {what}: check the unit ({unit})."))
        out.append(Mistake(answer / factor, f"Off by a factor of {what}: check the unit ({unit})."))
    return out


class _Asks:
    """What an exercise and a concept question share: ``check`` prints the verdict of
    ``verdict(value)``, ``hint`` the next of ``hints``."""

    def check(self, value) -> None:
        """Print whether ``value`` is right and, if not, what probably went wrong."""
        ok, message = self.verdict(value)
        print(("✓ " if ok else "✗ ") + message)

    def hint(self) -> None:
        """Print the next hint."""
        if not self.hints:
            print(f"No hint for this one: see {self.name}.solution().")
            return
        i = min(self._hints_given, len(self.hints) - 1)
        self._hints_given += 1
        print(f"Hint {i + 1} of {len(self.hints)}: {self.hints[i]}")


@dataclass
class Exercise(_Asks):
    """One self-checking exercise.

    Parameters
    ----------
    question : str
        The question, repeated when the learner asks for a hint.
    answer : callable
        Returns the correct answer. Evaluated lazily so that importing a chapter's checks is cheap.
    unit : str
        Unit of the expected answer, e.g. ``"MWh"``.
    rtol : float
        Relative tolerance for a correct answer.
    hints : list of str
        Shown one after the other by :meth:`hint`.
    solution_text : str
        The worked solution, shown by :meth:`solution`.
    name : str
        How the notebook refers to the exercise (``"q1"``), used in messages.
    mistakes : callable
        Returns a list of :class:`Mistake` given the correct answer.
    """

    question: str
    answer: Callable[[], float]
    unit: str
    solution_text: str
    hints: list[str] = field(default_factory=list)
    name: str = "q"
    rtol: float = 0.02
    mistakes: Callable[[float], list[Mistake]] = lambda correct: []
    _hints_given: int = field(default=0, init=False, repr=False)

    def expected(self) -> float:
        """The correct answer."""
        return float(self.answer())

    def _close(self, a: float, b: float) -> bool:
        return math.isclose(a, b, rel_tol=self.rtol, abs_tol=1e-12)

    def verdict(self, value) -> tuple[bool, str]:
        """``(correct, message)`` for a learner's ``value``, without printing."""
        if value is None or value is Ellipsis:
            return False, "Not answered yet: replace the ... with your answer (a number)."
        try:
            x = float(value)
        except (TypeError, ValueError):
            return False, f"Expected a number in {self.unit}; got {value!r}."
        if not math.isfinite(x):
            return False, f"Expected a finite number in {self.unit}; got {x}."
        correct = self.expected()
        if self._close(x, correct):
            return True, f"Correct: {correct:,.4g} {self.unit}."
        for m in self.mistakes(correct) + unit_mistakes(correct, self.unit):
            if self._close(x, m.value):
                return False, f"Not quite. {m.message}"
        direction = "too high" if x > correct else "too low"
        return False, (
            f"Not quite: {x:,.4g} is {direction} (tolerance {self.rtol:.0%}). "
            f"Try {self.name}.hint() for a nudge."
        )

    def solution(self) -> None:
        """Print the worked solution and the correct value."""
        print(self.solution_text.strip())
        print(f"Answer: {self.expected():,.6g} {self.unit}")


@dataclass(frozen=True)
class Choice:
    """One statement of a :class:`ConceptQuestion`, with what to tell a learner who picks it."""

    text: str
    feedback: str
    correct: bool = False


@dataclass
class ConceptQuestion(_Asks):
    """A multiple-choice question about a concept, with feedback on every choice.

    Parameters
    ----------
    question : str
        The question.
    choices : dict of str to Choice
        Letter (``"a"``, ``"b"``, ...) → statement; exactly one is correct.
    hints : list of str
        Shown one after the other by :meth:`hint`.
    solution_text : str
        Why the correct statement is correct, shown by :meth:`solution`.
    name : str
        How the notebook refers to the question (``"q5"``), used in messages.
    """

    question: str
    choices: dict[str, Choice]
    solution_text: str
    hints: list[str] = field(default_factory=list)
    name: str = "q"
    _hints_given: int = field(default=0, init=False, repr=False)

    def __post_init__(self):
        right = [k for k, c in self.choices.items() if c.correct]
        if len(right) != 1:
            raise ValueError(f"{self.name}: exactly one choice must be correct; got {right}")

    @property
    def answer(self) -> str:
        """The letter of the correct choice."""
        return next(k for k, c in self.choices.items() if c.correct)

    def text(self) -> str:
        """The question and its choices, one per line."""
        lines = [self.question] + [f"  {k}) {c.text}" for k, c in self.choices.items()]
        return "\n".join(lines)

    def show(self) -> None:
        """Print the question and its choices."""
        print(self.text())

    def verdict(self, value) -> tuple[bool, str]:
        """``(correct, message)`` for the learner's letter, without printing."""
        if value is None or value is Ellipsis:
            return False, f"Not answered yet: replace the ... with a letter ({self._letters()})."
        key = str(value).strip().lower().rstrip(")")
        if key not in self.choices:
            return False, f"Answer with one letter: {self._letters()}; got {value!r}."
        choice = self.choices[key]
        if choice.correct:
            return True, f"Correct. {choice.feedback}"
        return False, f"Not this one. {choice.feedback} Try {self.name}.hint() for a nudge."

    def _letters(self) -> str:
        return ", ".join(repr(k) for k in self.choices)

    def solution(self) -> None:
        """Print the correct choice and why."""
        print(f"Answer: {self.answer}) {self.choices[self.answer].text}")
        print(self.solution_text.strip())
