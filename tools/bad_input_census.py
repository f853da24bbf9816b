"""Count what the bad-input walker (tests/test_bad_inputs.py) feeds the calculators, by outcome.

The test fails on the first unacceptable outcome; this script runs the same walk to the end and
tallies every call: a clear TypeError, a clear ValueError, a finite answer for a valid edge case,
inf where a function says it returns inf on purpose, and anything else (which the test rejects).
docs/RELIABILITY.md quotes its output.

    python tools/bad_input_census.py
"""

from __future__ import annotations

import collections
import contextlib
import io
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import test_bad_inputs as walker  # noqa: E402

tally: collections.Counter = collections.Counter()
functions: set[str] = set()
_check = walker._check


def _counting_check(function, bound, parameter, label, expect):
    functions.add(f"{function.__module__}.{function.__name__}")
    kind, value = walker._outcome(function, bound)
    if kind == "error":
        tally[
            "TypeError naming the parameter"
            if isinstance(value, TypeError)
            else "ValueError naming the parameter or the result"
        ] += 1
    elif kind == "ok":
        numbers = walker._numbers(value)
        tally[
            "inf, documented" if np.isinf(numbers).any() else "a finite answer (valid edge case)"
        ] += 1
    try:
        _check(function, bound, parameter, label, expect)
    except pytest.fail.Exception as failure:
        tally["rejected by the test: " + str(failure).split(":")[1].strip()] += 1


walker._check = _counting_check
with contextlib.redirect_stdout(io.StringIO()):  # the docstring examples' own prints
    for param in walker.PUBLIC:
        module, name = param.values
        for test in (
            walker.test_bad_input_gets_a_clear_error,
            walker.test_mismatched_shapes_name_both_parameters,
        ):
            try:
                test(module, name)
            except pytest.skip.Exception:
                pass


inputs = sum(v for k, v in tally.items() if not k.startswith("rejected"))
print(f"{inputs:,} bad or edge inputs to {len(functions)} public functions")
for outcome, count in sorted(tally.items(), key=lambda kv: -kv[1]):
    print(f"{count:6,}  {outcome}")
