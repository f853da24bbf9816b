"""Markdown that renders the same in every front end.

JupyterLab, Notebook 7, Colab, VS Code and GitHub typeset text between two dollar signs as
mathematics, so "a $30,000 and a $10,000 card" comes out as an italic formula. Escaping does not
help everywhere: JupyterLab 4.6 turns ``\\$`` into ``$`` before MathJax runs, so "\\$30,000 and
a \\$10,000" was typeset too (seen in a browser test's screenshot). The notebooks hold no
formulas, and money in their text is written "USD 30,000": no dollar sign outside code.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
DOLLAR = re.compile(r"\$")


def _text_outside_code(source: str) -> str:
    return re.sub(r"`[^`]*`", "", source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_dollar_signs_in_markdown(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = [
        f"cell {i}: {line.strip()[:100]}"
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
        for line in _text_outside_code("".join(c["source"])).splitlines()
        if DOLLAR.search(line)
    ]
    assert not bad, "write money as USD 30,000 ($...$ is typeset as maths):\n" + "\n".join(bad)


def test_the_check_sees_dollars_escaped_or_not_but_not_in_code():
    assert DOLLAR.search(_text_outside_code("a $30,000 and a $10,000 card"))
    assert DOLLAR.search(_text_outside_code(r"a \$30,000 card"))
    assert not DOLLAR.search(_text_outside_code("a USD 30,000 card, `cost = $x`"))
