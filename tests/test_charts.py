"""How chart builders pass their encodings.

Altair 6 turns an encoding given as a shorthand string (``x="day:Q"``) or as ``alt.value(0)``
into a channel object through ``from_dict``, which rebuilds its table of about 5,000 schema
classes every time (a known cost, vega/altair pull request #3547): about 5 ms an encoding, most of the time a chart took
to build. Channel objects (``alt.X("day:Q")``, ``alt.YValue(0)``) give the same specification
without it.
"""

import ast
from pathlib import Path

import helpers.views

SOURCES = sorted(Path(helpers.views.__file__).parent.glob("ch*.py"))


def _encode_arguments():
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "encode":
                yield from ((f"{source.name}:{node.lineno}", kw) for kw in node.keywords)


def test_every_encoding_is_a_channel_object():
    shorthand = [
        f"line {line}: {kw.arg}={ast.unparse(kw.value)}"
        for line, kw in _encode_arguments()
        if isinstance(kw.value, (ast.Constant, ast.JoinedStr, ast.List, ast.Dict))
        or (isinstance(kw.value, ast.Call) and getattr(kw.value.func, "attr", None) == "value")
    ]
    assert shorthand == [], "use alt.X(...), alt.YValue(...) etc.:\n" + "\n".join(shorthand)


def test_the_check_sees_the_encodings():
    assert sum(1 for _ in _encode_arguments()) > 50
