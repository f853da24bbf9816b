"""The teaching materials around the chapters, checked against the code and against each other.

- Exercises and concept questions (``helpers.checks.chNN``): every chapter 00–06 asks at least
  two concept questions, every exercise has a hint, and each concept question has exactly one
  right answer, its own feedback for every wrong one, and answers a learner's letter, a wrong
  letter and an untouched ``...`` in words.
- The answer key (``docs/ANSWERS.md``) is exactly what ``tools/answer_key.py`` writes from the
  exercises and data/ today, so it cannot drift from them.
- The glossary (``notebooks/glossary.ipynb``): unique anchors, each before its heading, each
  entry saying where the term is first used, and every ``glossary.ipynb#id`` a chapter links to
  exists.
- The teacher's guide (``docs/TEACHERS.md``): its relative links exist, the chapter sections it
  names are headings of those chapters, and the exercises it names exist.

Each check is a function returning a list of problems; the tests below run it on the real files
and on a deliberately broken input, so each can be seen to fail.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import json
import re
from pathlib import Path

import pytest

from helpers.checks import Choice, ConceptQuestion, Exercise

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
GLOSSARY = NOTEBOOKS / "glossary.ipynb"
TEACHERS = ROOT / "docs" / "TEACHERS.md"
ANSWERS = ROOT / "docs" / "ANSWERS.md"


def _tool():
    spec = importlib.util.spec_from_file_location("answer_key", ROOT / "tools" / "answer_key.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


answer_key = _tool()
CHAPTERS = dict(answer_key.chapters())  # "00" -> helpers.checks.ch00, ...
QUESTIONS = [
    (f"ch{number}.{name}", q)
    for number, module in CHAPTERS.items()
    for name, q in answer_key.questions(module)
]
CONCEPTS = [(i, q) for i, q in QUESTIONS if isinstance(q, ConceptQuestion)]
EXERCISES = [(i, q) for i, q in QUESTIONS if isinstance(q, Exercise)]
CONCEPT_CHAPTERS = [f"{n:02d}" for n in range(7)]
"""Chapters that must ask at least two concept questions (add a new chapter here)."""


def _printed(function, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        function(*args)
    return out.getvalue()


def _markdown(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]


# --- exercises and concept questions ----------------------------------------------------------


def concept_problems(q: ConceptQuestion) -> list[str]:
    """What is wrong with a concept question's content (not its behaviour)."""
    problems = []
    letters = list(q.choices)
    if letters != ["a", "b", "c", "d"][: len(letters)] or not 3 <= len(letters) <= 4:
        problems.append(f"choices should be a, b, c (and d); got {letters}")
    right = [k for k, c in q.choices.items() if c.correct]
    if len(right) != 1:
        problems.append(f"exactly one choice must be correct; got {right}")
    wrong = [c.feedback.strip() for c in q.choices.values() if not c.correct]
    if not all(wrong):
        problems.append("a wrong choice has no feedback")
    if len(set(wrong)) != len(wrong):
        problems.append("two wrong choices share the same feedback")
    if not all(c.text.strip() for c in q.choices.values()):
        problems.append("a choice has no text")
    if not 1 <= len(q.hints) <= 2 or not all(h.strip() for h in q.hints):
        problems.append(f"one or two hints expected; got {len(q.hints)}")
    if not q.solution_text.strip() or not q.question.strip():
        problems.append("no question or no solution text")
    return problems


def behaviour_problems(q: ConceptQuestion) -> list[str]:
    """What a learner would see go wrong: check, hint and solution, run on a copy."""
    q = copy.copy(q)
    problems = []
    out = _printed(q.check, q.answer)
    if not out.startswith("✓"):
        problems.append(f"the right letter {q.answer!r} is not accepted: {out.strip()}")
    if not _printed(q.check, f" {q.answer.upper()}) ").startswith("✓"):
        problems.append("an upper-case letter with a bracket is not accepted")
    for key, choice in q.choices.items():
        if choice.correct:
            continue
        out = _printed(q.check, key)
        if not out.startswith("✗") or choice.feedback.strip() not in out:
            problems.append(f"choice {key!r} does not print its own feedback: {out.strip()}")
    out = _printed(q.check, "z")
    if not out.startswith("✗") or not all(repr(k) in out for k in q.choices):
        problems.append(f"an invalid letter gets no clear message: {out.strip()}")
    out = _printed(q.check, ...)
    if "Not answered yet" not in out:
        problems.append(f"an unanswered question gets no clear message: {out.strip()}")
    out = _printed(q.hint)
    if not out.startswith("Hint 1 of") or q.hints[0] not in out:
        problems.append(f"hint() does not print the first hint: {out.strip()}")
    out = _printed(q.solution)
    if f"Answer: {q.answer})" not in out or q.solution_text.strip() not in out:
        problems.append(f"solution() does not print the answer and its reasoning: {out[:80]}")
    return problems


@pytest.mark.parametrize("number", CONCEPT_CHAPTERS)
def test_every_chapter_asks_at_least_two_concept_questions(number):
    assert number in CHAPTERS, f"helpers/checks/ch{number}.py is missing"
    found = [i for i, _ in CONCEPTS if i.startswith(f"ch{number}.")]
    assert len(found) >= 2, f"chapter {number} has {len(found)} concept questions: {found}"


@pytest.mark.parametrize("q", [q for _, q in EXERCISES], ids=[i for i, _ in EXERCISES])
def test_every_exercise_has_a_hint(q):
    assert q.hints and all(h.strip() for h in q.hints), f"{q.name} has no hint"


@pytest.mark.parametrize("ident", [i for i, _ in QUESTIONS])
def test_every_question_is_public_and_knows_its_name(ident):
    module, name = ident.split(".")
    mod = CHAPTERS[module[2:]]
    assert name in mod.__all__, f"{ident} is not in helpers.checks.{module}.__all__"
    assert getattr(mod, name).name == name, f"{ident} calls itself {getattr(mod, name).name!r}"


@pytest.mark.parametrize("q", [q for _, q in CONCEPTS], ids=[i for i, _ in CONCEPTS])
def test_a_concept_question_has_one_answer_and_feedback_for_every_other(q):
    assert concept_problems(q) == []


@pytest.mark.parametrize("q", [q for _, q in CONCEPTS], ids=[i for i, _ in CONCEPTS])
def test_a_concept_question_answers_the_learner_in_words(q):
    assert behaviour_problems(q) == []


def _broken_question() -> ConceptQuestion:
    return ConceptQuestion(
        name="qx",
        question="?",
        choices={
            "a": Choice("right", "yes", correct=True),
            "b": Choice("wrong", "same"),
            "c": Choice("also wrong", "same"),
            "e": Choice("wrong too", " "),
        },
        solution_text="because",
    )


def test_the_checks_see_a_broken_concept_question():
    problems = " | ".join(concept_problems(_broken_question()))
    for expected in ("choices should be", "no feedback", "same feedback", "hints expected"):
        assert expected in problems
    with pytest.raises(ValueError, match="exactly one choice must be correct"):
        ConceptQuestion("?", {"a": Choice("x", "f", True), "b": Choice("y", "g", True)}, "s")

    class Silent(ConceptQuestion):
        def verdict(self, value):
            return False, "Wrong."

    mute = Silent("?", {"a": Choice("x", "f", True), "b": Choice("y", "why b")}, "s", ["h"])
    problems = " | ".join(behaviour_problems(mute))
    for expected in ("right letter", "own feedback", "invalid letter", "unanswered"):
        assert expected in problems


# --- the answer key ---------------------------------------------------------------------------


def test_the_answer_key_is_up_to_date():
    """docs/ANSWERS.md is generated from the exercises and data/: regenerate, never edit."""
    committed = ANSWERS.read_text(encoding="utf-8") if ANSWERS.exists() else ""
    assert committed == answer_key.render(), (
        "docs/ANSWERS.md is out of date with the exercises or data/: run "
        f"`{answer_key.COMMAND}` and commit the result"
    )


def test_the_answer_key_holds_every_question_and_answer():
    key = answer_key.render()
    for number, module in CHAPTERS.items():
        assert f"## Chapter {number} · {answer_key.chapter_title(module)}" in key
    for ident, q in QUESTIONS:
        assert answer_key.text(q.question) in key, ident
        if isinstance(q, Exercise):
            assert f"**Answer.** {answer_key.number(q.expected())} " in key, ident
        else:
            assert f"**Answer.** {q.answer}) " in key, ident
            for c in q.choices.values():
                assert answer_key.text(c.feedback) in key, ident
    assert "$" not in key.replace("\\$", ""), "money is written USD (a $ pair is typeset as maths)"


def test_the_answer_key_formats_numbers_and_text_for_markdown():
    assert answer_key.number(5.3625e9) == "5,362,500,000"
    assert answer_key.number(0.52947812) == "0.529478"
    assert answer_key.number(2.1) == "2.1"
    assert answer_key.text("costs $30,000 at $/kWh, 0.6 ** 2") == (
        "costs USD 30,000 at USD/kWh, 0.6 \\*\\* 2"
    )


def test_the_answer_key_tool_writes_the_file(tmp_path):
    out = tmp_path / "key.md"
    assert answer_key.main([str(out)]) == 0
    assert out.read_text(encoding="utf-8") == answer_key.render()
    assert answer_key.main([]) == 2


# --- the glossary -----------------------------------------------------------------------------

ANCHOR = re.compile(r'<a id="([^"]*)"></a>')
LINK = re.compile(r"\]\(([^)\s]+)\)")
CHAPTER_LINK = re.compile(r"""(?:\]\(|href=["'])glossary\.ipynb#([^)"'\s]+)""")
CELL_FRAGMENT = re.compile(r"cell-id=g-([a-z0-9-]+)")
"""Links name an entry's cell, ``glossary.ipynb#cell-id=g-pue``: JupyterLab scrolls to a cell id
(it cannot find an ``<a id>`` in a markdown cell it has not rendered yet, and the untrusted
sanitizer renames ids), and nbconvert gives every cell the HTML id ``cell-id=<id>``, so the same
link works in the static book."""


def _entry(fragment: str) -> str | None:
    """The anchor a link fragment names (``cell-id=g-pue`` → ``pue``), None if malformed."""
    m = CELL_FRAGMENT.fullmatch(fragment)
    return m.group(1) if m else None


def glossary_problems(cells: list[str], folder: Path) -> list[str]:
    """Anchors unique and well formed, each right before a ``###`` heading; every entry says
    where the term is first used, linking notebooks that exist; every ``(#id)`` link resolves."""
    problems = []
    text = "\n\n".join(cells)
    anchors = ANCHOR.findall(text)
    if not anchors:
        problems.append("no anchors")
    for a in sorted({a for a in anchors if anchors.count(a) > 1}):
        problems.append(f"anchor {a!r} is used twice")
    for a in anchors:
        if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a):
            problems.append(f"anchor {a!r}: use lowercase letters, digits and hyphens")
    entries = re.split(r'(?=<a id=")', text)[1:]
    for entry in entries:
        anchor = ANCHOR.match(entry).group(1)
        if not re.match(r'<a id="[^"]*"></a>\s*\n### \S', entry):
            problems.append(f"anchor {anchor!r} is not right before a ### heading")
        first = re.search(r"First used in:(.*?)(?:\n\n|$)", entry, re.S)
        links = LINK.findall(first.group(1)) if first else []
        if not links:
            problems.append(f"entry {anchor!r} does not say where the term is first used")
        for target in links:
            if not (folder / target.split("#")[0]).is_file():
                problems.append(f"entry {anchor!r} links to {target}, which does not exist")
    for target in re.findall(r"\]\(#([^)]+)\)", text):
        if _entry(target) is None:
            problems.append(f"a link points to #{target}: write #cell-id=g-<anchor>")
        elif _entry(target) not in anchors:
            problems.append(f"a link points to #{target}, which is no anchor")
    return problems


def glossary_cell_id_problems(cells: list[dict]) -> list[str]:
    """Each entry's cell has the id ``g-<anchor>`` that links name."""
    problems = []
    for cell in cells:
        anchors = ANCHOR.findall("".join(cell["source"]))
        if anchors and cell.get("id") != f"g-{anchors[0]}":
            problems.append(f"the cell of entry {anchors[0]!r} has id {cell.get('id')!r}")
    return problems


def chapter_link_problems(notebooks: dict[str, list[str]], anchors: set[str]) -> list[str]:
    """Every ``glossary.ipynb#id`` link in a notebook's markdown names an existing anchor."""
    return [
        f"{name} links to glossary.ipynb#{target}, which is not in the glossary"
        if _entry(target) is not None
        else f"{name} links to glossary.ipynb#{target}: write glossary.ipynb#cell-id=g-<anchor>"
        for name, cells in notebooks.items()
        for cell in cells
        for target in CHAPTER_LINK.findall(cell)
        if _entry(target) not in anchors
    ]


def _glossary_cells() -> list[str]:
    return _markdown(GLOSSARY)


def test_the_glossary_is_markdown_only_with_a_title():
    nb = json.loads(GLOSSARY.read_text(encoding="utf-8"))
    assert {c["cell_type"] for c in nb["cells"]} == {"markdown"}, "the glossary has no code"
    assert nb["cells"][0]["source"][0].startswith("# Glossary")
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_the_glossary_entries_are_well_formed():
    assert glossary_problems(_glossary_cells(), NOTEBOOKS) == []
    cells = json.loads(GLOSSARY.read_text(encoding="utf-8"))["cells"]
    assert glossary_cell_id_problems(cells) == []


def test_every_glossary_link_in_a_chapter_exists():
    anchors = set(ANCHOR.findall("\n".join(_glossary_cells())))
    notebooks = {p.name: _markdown(p) for p in sorted(NOTEBOOKS.glob("*.ipynb")) if p != GLOSSARY}
    assert chapter_link_problems(notebooks, anchors) == []


def test_the_glossary_checks_see_broken_entries():
    broken = [
        '<a id="pue"></a>\n### PUE\n\nText.\n\nFirst used in: [01](01_nowhere.ipynb).',
        '<a id="pue"></a>\n\nText without a heading.',
        '<a id="Bad Id"></a>\n### Bad\n\nNo first use. See [PUE](#cell-id=g-pue), [X](#cell-id=g-x)'
        " and [Y](#pue).",
    ]
    problems = " | ".join(glossary_problems(broken, NOTEBOOKS))
    for expected in (
        "'pue' is used twice",
        "01_nowhere.ipynb, which does not exist",
        "'pue' is not right before a ### heading",
        "lowercase letters",
        "'Bad Id' does not say where",
        "#cell-id=g-x, which is no anchor",
        "#pue: write #cell-id=g-<anchor>",
    ):
        assert expected in problems
    chapters = {
        "02.ipynb": [
            "See [PUE](glossary.ipynb#cell-id=g-pue), [x](glossary.ipynb#cell-id=g-nope) and "
            "[y](glossary.ipynb#pue)."
        ]
    }
    assert chapter_link_problems(chapters, {"pue"}) == [
        "02.ipynb links to glossary.ipynb#cell-id=g-nope, which is not in the glossary",
        "02.ipynb links to glossary.ipynb#pue: write glossary.ipynb#cell-id=g-<anchor>",
    ]
    cells = [{"id": "g-pue", "source": ['<a id="pue"></a>']}, {"id": "x", "source": ['<a id="t">']}]
    cells[1]["source"] = ['<a id="tdp"></a>\n### TDP']
    assert glossary_cell_id_problems(cells) == ["the cell of entry 'tdp' has id 'x'"]


# --- the teacher's guide ----------------------------------------------------------------------

SECTION = re.compile(r"\b(\d\d)\s+§\s+\*([^*]+)\*")
"""How the guide names a section: 02 § *Batching: one read of the weights, many tokens*."""
QUESTION = re.compile(r"\bch(\d\d)\.(q\d+)\b")


def guide_link_problems(text: str, folder: Path) -> list[str]:
    """Relative links that point nowhere (a glossary link also needs its anchor)."""
    problems = []
    for target in LINK.findall(text):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue
        path, _, fragment = target.partition("#")
        resolved = (folder / path).resolve()
        if not resolved.exists():
            problems.append(f"link to {target}: no such file")
        elif fragment and resolved.name == "glossary.ipynb":
            entry = _entry(fragment)
            if entry is None or f'<a id="{entry}"></a>' not in "\n".join(_markdown(resolved)):
                problems.append(f"link to {target}: no such glossary entry")
    return problems


def guide_reference_problems(text: str, notebooks: Path, chapters: dict) -> list[str]:
    """Sections named as ``NN § *Heading*`` are headings of chapter NN; exercises named as
    ``chNN.qK`` exist."""
    problems = []
    for number, heading in SECTION.findall(text):
        found = sorted(notebooks.glob(f"{number}_*.ipynb"))
        headings = {
            line.lstrip("#").strip()
            for path in found
            for cell in _markdown(path)
            for line in cell.splitlines()
            if line.startswith("#")
        }
        heading = " ".join(heading.split())  # the guide wraps long headings
        if heading not in headings:
            problems.append(f"chapter {number} has no section {heading!r}")
    for number, name in QUESTION.findall(text):
        module = chapters.get(number)
        if module is None or not isinstance(
            getattr(module, name, None), Exercise | ConceptQuestion
        ):
            problems.append(f"ch{number}.{name} is not an exercise")
    return problems


def test_the_teachers_guide_links_exist():
    assert guide_link_problems(TEACHERS.read_text(encoding="utf-8"), TEACHERS.parent) == []


def test_the_teachers_guide_names_real_sections_and_exercises():
    text = TEACHERS.read_text(encoding="utf-8")
    assert SECTION.search(text) and QUESTION.search(text)
    problems = guide_reference_problems(text, NOTEBOOKS, CHAPTERS)
    assert problems == [], "update docs/TEACHERS.md: " + "; ".join(problems)


def test_the_guide_checks_see_broken_links_and_references():
    text = (
        "[key](ANSWERS.md) [gone](NOWHERE.md) [web](https://example.org) "
        "[pue](../notebooks/glossary.ipynb#cell-id=g-pue) "
        "[bad](../notebooks/glossary.ipynb#cell-id=g-no-such-term) "
        "01 § *When does inference overtake training?* 01 § *A heading nobody wrote* "
        "ch01.q1 ch01.q99"
    )
    assert guide_link_problems(text, TEACHERS.parent) == [
        "link to NOWHERE.md: no such file",
        "link to ../notebooks/glossary.ipynb#cell-id=g-no-such-term: no such glossary entry",
    ]
    assert guide_reference_problems(text, NOTEBOOKS, CHAPTERS) == [
        "chapter 01 has no section 'A heading nobody wrote'",
        "ch01.q99 is not an exercise",
    ]
