"""Write the teachers' answer key: every exercise and concept question of every chapter, with the
worked solution and the answer the chapter's calculators compute from data/ today.

Usage: python tools/answer_key.py docs/ANSWERS.md

The answers depend on the tables in data/, so the key changes when they do.
``tests/test_teaching.py`` fails when docs/ANSWERS.md differs from what this script writes: run
the command above after changing an exercise, a concept question or the data, and commit the
result with the change.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import helpers.checks  # noqa: E402
from helpers.checks import ConceptQuestion, Exercise  # noqa: E402

COMMAND = "python tools/answer_key.py docs/ANSWERS.md"
"""How to regenerate the committed key (tests quote it in their failure message)."""


def chapters() -> list[tuple[str, ModuleType]]:
    """``("00", helpers.checks.ch00)``, ... for every chapter's checks, in order."""
    names = sorted(
        m.name
        for m in pkgutil.iter_modules(helpers.checks.__path__)
        if re.fullmatch(r"ch\d\d", m.name)
    )
    return [(name[2:], importlib.import_module(f"helpers.checks.{name}")) for name in names]


def questions(module: ModuleType) -> list[tuple[str, Exercise | ConceptQuestion]]:
    """The module's exercises and concept questions: those in ``__all__`` first, in its order."""
    found = {
        name: obj
        for name, obj in vars(module).items()
        if isinstance(obj, Exercise | ConceptQuestion)
    }
    order = [n for n in getattr(module, "__all__", []) if n in found]
    order += [n for n in found if n not in order]
    return [(name, found[name]) for name in order]


def chapter_title(module: ModuleType) -> str:
    """The chapter's title, quoted in its module docstring: 'Self-checks for chapter 02, "The
    cost of thinking"' gives 'The cost of thinking'."""
    match = re.search(r'"([^"]+)"', module.__doc__ or "")
    return match.group(1) if match else ""


def notebook(number: str) -> str | None:
    """The chapter's notebook, relative to docs/ (None if there is none yet)."""
    found = sorted((ROOT / "notebooks").glob(f"{number}_*.ipynb"))
    return f"../notebooks/{found[0].name}" if found else None


def text(value: str) -> str:
    """One line of Markdown from an exercise's text: whitespace collapsed, money written USD and
    the characters that Markdown would read as emphasis or mathematics escaped."""
    out = " ".join(str(value).split())
    out = re.sub(r"\$(?=\d)", "USD ", out)
    out = out.replace("$/", "USD/")
    return out.replace("\\", "\\\\").replace("*", "\\*").replace("$", "\\$")


def number(value: float) -> str:
    """Six significant digits, thousands separated, without an exponent or trailing zeros."""
    x = float(value)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    rounded = float(f"{x:.6g}")
    decimals = max(0, 5 - math.floor(math.log10(abs(rounded))))
    out = f"{rounded:,.{decimals}f}"
    return out.rstrip("0").rstrip(".") if "." in out else out


def _exercise(name: str, q: Exercise) -> list[str]:
    correct = q.expected()
    lines = [
        f"### {name} · exercise",
        "",
        f"**Question.** {text(q.question)}",
        "",
        f"**Answer.** {number(correct)} {text(q.unit)} (accepted within ±{q.rtol * 100:g} %).",
        "",
        f"**Worked solution.** {text(q.solution_text)}",
        "",
    ]
    if q.hints:
        lines += ["**Hints.**", ""]
        lines += [f"{i}. {text(h)}" for i, h in enumerate(q.hints, 1)]
        lines.append("")
    mistakes = q.mistakes(correct)
    if mistakes:
        lines += [
            "**Likely mistakes** (the value a learner gets, and what the check tells them).",
            "",
        ]
        lines += [f"- {number(m.value)} {text(q.unit)}: {text(m.message)}" for m in mistakes]
        lines.append("")
    return lines


def _concept(name: str, q: ConceptQuestion) -> list[str]:
    lines = [
        f"### {name} · concept question",
        "",
        f"**Question.** {text(q.question)}",
        "",
    ]
    lines += [
        f"- **{key})** {text(c.text)}" + (" ✓" if c.correct else "") for key, c in q.choices.items()
    ]
    right = q.choices[q.answer]
    lines += [
        "",
        f"**Answer.** {q.answer}) {text(right.feedback)}",
        "",
        f"**Reasoning.** {text(q.solution_text)}",
        "",
        "**Feedback on the other choices** (what the check prints).",
        "",
    ]
    lines += [f"- **{key})** {text(c.feedback)}" for key, c in q.choices.items() if not c.correct]
    lines.append("")
    if q.hints:
        lines += ["**Hints.**", ""]
        lines += [f"{i}. {text(h)}" for i, h in enumerate(q.hints, 1)]
        lines.append("")
    return lines


def render() -> str:
    """The whole answer key, as Markdown."""
    found = chapters()
    lines = [
        "# Answer key",
        "",
        "For teachers: every exercise and concept question of the course, with its answer and "
        "worked solution. Learners see the same text with `q1.hint()` and `q1.solution()`; the "
        "concept questions' feedback is what `q5.check('a')` prints.",
        "",
        "The numeric answers are computed by the chapters' calculators from the tables in "
        "`data/`, so they change when the data do. This file is generated: do not edit it by "
        f"hand, run `{COMMAND}` (`tests/test_teaching.py` fails when it is out of date). The "
        "teacher's guide is [TEACHERS.md](TEACHERS.md).",
        "",
    ]
    for number_, module in found:
        kinds = [isinstance(q, ConceptQuestion) for _, q in questions(module)]
        lines.append(
            f"- [Chapter {number_} · {chapter_title(module)}](#chapter-{number_}): "
            f"{kinds.count(False)} exercises, {kinds.count(True)} concept questions"
        )
    lines.append("")
    for number_, module in found:
        lines += [f'<a id="chapter-{number_}"></a>', ""]
        lines += [f"## Chapter {number_} · {chapter_title(module)}", ""]
        link = notebook(number_)
        lines += [
            f"Notebook: [{link.rsplit('/', 1)[1]}]({link}); exercises in "
            f"`helpers/checks/ch{number_}.py`."
            if link
            else f"Exercises in `helpers/checks/ch{number_}.py`.",
            "",
        ]
        for name, q in questions(module):
            lines += _exercise(name, q) if isinstance(q, Exercise) else _concept(name, q)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(f"usage: {COMMAND}", file=sys.stderr)
        return 2
    out = Path(args[0])
    out.write_text(render(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
