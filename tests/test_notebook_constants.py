"""No unsourced numbers in the notebooks: every numeric literal in a code cell is either not a
number from the world (an index, a plumbing argument, a unit prefix), or listed below with the
reason it may stay.

Numbers from the world belong in data/ with a source; notebooks read them (``data.load``,
``data.value``, ``table.loc[...]``) or compute them. This test parses every code cell of every
notebook with ``ast`` and collects the int and float literals, except where they cannot be a
measurement:

- subscripts (``x[0]``, ``chain[-1]``): positions, not quantities;
- the value of a plumbing keyword (:data:`PLUMBING_KEYWORDS`: ``seed=0``, ``n=100_000``, ...);
- the digits of ``round(x, 2)`` and ``.round(2)``: display precision;
- a comparison with a ``chapter`` column (``claims.chapter == 4``): a key into data/;
- a unit prefix written as a power of ten (``1e3``, ``1e-3``, ``1e6``, ``1e9``): a definition;
- 100 as a factor or divisor (``100 * share``): a fraction turned into percent;
- cells tagged ``raises-exception``: they show an error message, not a result.

Everything else must be in :data:`ALLOWED` (course-wide, with a reason) or in :data:`TOY_VALUES`
(per notebook, with a reason: a pedagogical what-if, never a number from the world). A new
literal fails with the notebook, the cell, the line and the value; an exemption that no longer
matches anything fails too, so the lists shrink when a notebook changes.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

PLUMBING_KEYWORDS = {"seed", "n", "axis", "fill_value", "ndigits", "decimals"}
"""Keyword arguments whose values are settings of a computation, not quantities."""

UNIT_PREFIXES = {"1e3", "1e-3", "1e6", "1e-6", "1e9", "1e-9", "1e12"}
"""Powers of ten spelled like this are SI prefixes (k, m, M, µ, G, n, T): unit conversions."""

ALLOWED = {
    0: "zero: nothing, a start, an empty prompt",
    1: "one: identity, one unit (one hour, one GPU, batch 1), or a one-step offset",
    2: "two: halving or a midpoint, or the 2 bytes of a 16-bit number (a definition)",
}
"""Course-wide: values that are arithmetic, not measurements."""

TOY_VALUES: dict[str, dict[float, str]] = {
    "01_training_vs_inference.ipynb": {
        10e6: "what-if traffic of 10 million queries a day (the explorer's default)",
    },
    "02_chain_of_thought.ipynb": {
        **{b: "what-if batch size" for b in (16, 64, 256)},
        **{c: "what-if context length (tokens already in the cache)" for c in (200, 1_000, 8_000)},
        **{
            v: "what-if prompt or answer length in tokens, stated as an assumption in the text"
            for v in (100, 500)
        },
        950: "assumed length of a distilled answer, 1.9 x the assumed 500 tokens (the text derives "
        "it from Chamberlin's 87 % at about equal energy per token; he published no token counts)",
        4_096: "upper end of a batch-size axis",
        16_384: "upper end of a batch-size axis",
        100_000: "upper end of a context-length axis",
        80: "number of points on a chart axis",
        90: "number of points on a chart axis",
    },
    "03_rebound_jevons_vs_vacuum.ipynb": {
        **{g: "what-if efficiency gain, elasticity or cost share" for g in (0.1, 0.3, 0.5, 0.9)},
        0.01: "a 1 % efficiency gain (the small-gain limit)",
        0.8: "what-if elasticity just below 1",
        1.5: "what-if elasticity above the backfire threshold; adoption steepness",
        **{c: "what-if ceiling on demand (× today's service)" for c in (1.2, 3.0, 10.0)},
        3: "chapter number in a filter written as .loc[...] on a boolean (claims.chapter == 3)",
        8.0: "years after which the adoption example is read off",
    },
    "04_capex_amortization.ipynb": {
        1_000: "the seed's toy hours of use (seed 003 calls them toy numbers)",
        100.0: "the seed's toy hours of use (seed 003 calls them toy numbers)",
        5.0: "the seed's toy sale price, USD 5 per hour of compute (seed 003's toy numbers)",
        3.0: "toy sale price that cannot break even within a year, to show the error",
        4: "what-if write-off period in years (straight-line over 4-6 years is accounting "
        "practice, unverified: FACTS.md tags it [U]); the text calls it a choice",
        0.08: "what-if cost of capital, 8 % a year: no source in data/ gives a rate for GPU "
        "buyers; the code comment and the text call it a what-if",
    },
    "05_per_query_scaling.ipynb": {
        10_000_000: "the seed's what-if traffic, 10 million queries a month (seed 004's scenario)",
        **{b: "what-if batch size" for b in (16, 64, 256)},
        **{c: "what-if context length (tokens already in the cache)" for c in (1_000, 4_000)},
        **{u: "what-if utilisation" for u in (0.1, 0.3, 0.6)},
        5: "5th percentile of a Monte Carlo band",
        50: "median of a Monte Carlo band",
        95: "95th percentile of a Monte Carlo band",
    },
    "06_check_the_claims.ipynb": {
        0.1: "what-if utilisation: GPUs busy a tenth of the time (fleet utilisation is unpublished)",
    },
}
"""Per notebook: pedagogical what-ifs and chart settings, each with its reason."""


def _literals(source: str):
    """(line, value, text) of every numeric literal that could be a quantity."""
    tree = ast.parse(source)
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript):
            skip |= {id(n) for n in ast.walk(node.slice)}
        elif isinstance(node, ast.keyword) and node.arg in PLUMBING_KEYWORDS:
            skip |= {id(n) for n in ast.walk(node.value)}
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name == "round":
                args = node.args if isinstance(f, ast.Attribute) else node.args[1:]
                skip |= {id(n) for a in args for n in ast.walk(a)}
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mult, ast.Div)):
            for side in (node.left, node.right):
                if isinstance(side, ast.Constant) and side.value == 100:
                    skip.add(id(side))  # percent
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(isinstance(s, ast.Attribute) and s.attr == "chapter" for s in sides):
                skip |= {id(n) for s in sides for n in ast.walk(s)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)
            and id(node) not in skip
        ):
            text = ast.get_source_segment(source, node) or repr(node.value)
            if text.replace("_", "").lower() in UNIT_PREFIXES:
                continue
            yield node.lineno, node.value, text


def _scan(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        if "raises-exception" in cell.get("metadata", {}).get("tags", []):
            continue
        # IPython syntax (the Colab cell's %pip) becomes the Python it runs as.
        source = TransformerManager().transform_cell("".join(cell["source"]))
        for line, value, text in _literals(source):
            yield i, line, value, text, source.splitlines()[line - 1].strip()


def _exempt(name: str, value) -> bool:
    return value in ALLOWED or value in TOY_VALUES.get(name, {})


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_no_unsourced_numeric_literals(path):
    bad = [
        f"{path.name}, cell {i}, line {line}: {text}   ({code})"
        for i, line, value, text, code in _scan(path)
        if not _exempt(path.name, value)
    ]
    assert not bad, (
        "numeric literals that are not taken from data/ or computed (read them from data/ with a "
        "source row, or add them to TOY_VALUES with a reason if they are pedagogical what-ifs):\n"
        + "\n".join(bad)
    )


def test_every_exemption_is_still_used():
    stale = []
    found = {p.name: {v for _, _, v, _, _ in _scan(p)} for p in NOTEBOOKS}
    for name, values in TOY_VALUES.items():
        assert name in found, f"TOY_VALUES names a notebook that does not exist: {name}"
        stale += [f"TOY_VALUES[{name!r}][{v!r}]" for v in values if v not in found[name]]
    assert not stale, "exemptions that match no literal any more (remove them):\n" + "\n".join(
        stale
    )


def test_the_scanner_finds_and_ignores_what_it_should():
    src = (
        "x = 700\n"
        "s = 100 * share + 100\n"
        "y = data.value('gpus', 'h100-sxm', 'tdp_w') * 1e3\n"
        "z = chain[-1] + band[2]\n"
        "w = uncertainty.band(f, r, n=100_000, seed=3)\n"
        "v = round(q, 3) + df.round(4)\n"
        "u = claims.loc[claims.chapter == 6]\n"
        "t = 1_000e-3 + 0.0005\n"
    )
    found = [(line, value) for line, value, _ in _literals(src)]
    assert found == [(1, 700), (2, 100), (8, 1.0), (8, 0.0005)]
