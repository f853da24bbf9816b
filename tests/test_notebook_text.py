"""Markdown that renders the same in JupyterLab and in the static book.

JupyterLab typesets text between two dollar signs as mathematics, so "a $30,000 and a $10,000
card" came out as an italic formula. The notebooks hold no formulas: every dollar sign in their
text is money and must be written ``\\$`` (nbconvert prints it as ``$`` too).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
UNESCAPED_DOLLAR = re.compile(r"(?<!\\)\$")


def _text_outside_code(source: str) -> str:
    return re.sub(r"`[^`]*`", "", source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_dollar_signs_in_markdown_are_escaped(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    bad = [
        f"cell {i}: {line.strip()[:100]}"
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
        for line in _text_outside_code("".join(c["source"])).splitlines()
        if UNESCAPED_DOLLAR.search(line)
    ]
    assert not bad, "write \\$ for money (JupyterLab reads $...$ as maths):\n" + "\n".join(bad)


def test_the_check_sees_an_unescaped_pair():
    assert UNESCAPED_DOLLAR.search(_text_outside_code("a $30,000 and a $10,000 card"))
    assert not UNESCAPED_DOLLAR.search(_text_outside_code(r"a \$30,000 card, `cost = $x`"))
