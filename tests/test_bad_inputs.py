"""Every public calculator, fed bad input, fails clearly or answers correctly: nothing else.

"Public" is every name in the ``__all__`` of a calculator module. For each function the test
takes the valid call from its docstring's examples (so a new function is covered as soon as it
has an example, which the test demands) and replaces one argument at a time with bad input of
that argument's kind. The only acceptable outcomes:

* a ``TypeError`` for a value of the wrong type (a string, bytes, a bool, None, an array of
  booleans, strings or objects), or a ``ValueError`` for a wrong value (NaN, ±inf, out of range,
  huge, empty, mismatched shapes), whose message names the parameter (both parameters for
  mismatched shapes);
* a finite result without any warning (the value was in range after all);
* ``inf`` only from a function that says in its docstring that it returns inf on purpose.

Everything else fails: a silent acceptance of a string, an ``OverflowError`` or ``KeyError``
from deep inside numpy or pandas, a NaN or inf result, an error that names no parameter or the
wrong one, a bare numpy warning.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import inspect
import math
import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd
import pytest

from helpers import _validate

MODULES = [
    "helpers.lifecycle",
    "helpers.tokens",
    "helpers.rebound",
    "helpers.capex",
    "helpers.fleet",
    "helpers.power",
    "helpers.uncertainty",
    "helpers.claims",
    "helpers.reconcile",
    "helpers.units",
    "helpers.data",
]

# Functions that read the tables and take only table, row and column names: their bad inputs
# are names (wrong type, unknown name), tested in tests/test_data.py.
NAMES_ONLY = {"helpers.data"}


def _public():
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj):
                yield pytest.param(module, name, id=f"{module_name.split('.')[1]}.{name}")


PUBLIC = list(_public())


def _example_calls(module, function) -> list[inspect.BoundArguments]:
    """The calls to ``function`` in its docstring's examples, bound to its parameters."""
    examples = doctest.DocTestParser().get_examples(function.__doc__ or "")
    namespace = dict(vars(module))
    calls = []
    for example in examples:
        if example.exc_msg is not None:
            continue  # an example of an error: neither a valid call nor safe to run
        tree = ast.parse(example.source)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if called != function.__name__ or any(isinstance(a, ast.Starred) for a in node.args):
                continue
            if any(k.arg is None for k in node.keywords):
                continue
            try:  # a call inside a comprehension uses names only the comprehension knows
                args = [_eval(a, namespace) for a in node.args]
                kwargs = {k.arg: _eval(k.value, namespace) for k in node.keywords}
            except NameError:
                continue
            calls.append(inspect.signature(function).bind(*args, **kwargs))
        exec(compile(example.source, "<example>", "exec"), namespace)  # names later ones use
    return calls


def _eval(node, namespace):
    return eval(compile(ast.Expression(node), "<example>", "eval"), namespace)


def _array_parameters(function) -> set[str]:
    """The parameters its docstring says take arrays ("float or array_like"); None if the
    docstring documents no parameters (then every one not annotated ``int``)."""
    documented, arrays = set(), set()
    for match in re.finditer(r"^\s*([\w, ]+) : (.+)$", function.__doc__ or "", re.MULTILINE):
        names = {n.strip() for n in match.group(1).split(",")}
        documented |= names
        if "array" in match.group(2):
            arrays |= names
    if documented:
        return arrays
    return {
        p
        for p, par in inspect.signature(function).parameters.items()
        if par.annotation not in (int, "int")
    }


def _returns_inf_on_purpose(function) -> bool:
    text = re.sub(r"\s+", " ", function.__doc__ or "").lower()
    return "returns ``inf`` on purpose" in text


def _is_number(value) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | float | np.integer | np.floating):
        return True
    return isinstance(value, np.ndarray) and value.dtype.kind in "iuf"


TYPE_ERRORS = {
    "a numeric string": "1e7",
    "bytes": b"1",
    "a bool": True,
    "None": None,
    "an array of booleans": np.array([True, False]),
    "an array of strings": np.array(["1", "2"]),
    "an array of objects": np.array([1.0, None], dtype=object),
    "a list of strings": ["1", "2"],
}
VALUE_ERRORS = {
    "NaN": math.nan,
    "+inf": math.inf,
    "-inf": -math.inf,
    "an array with NaN": np.array([1.0, math.nan]),
    "a huge integer": 10**400,
    "an empty array": np.array([]),
}
EDGE_VALUES = {  # each either an error naming the parameter, or a finite answer
    "zero": 0.0,
    "minus one": -1.0,
    "one": 1.0,
    "a subnormal": 5e-324,
    "1e308": 1e308,
    "-1e308": -1e308,
    "a 0-d array": np.array(2.0),
    "a long array": np.full(7, 0.5),
}


def _outcome(function, bound: inspect.BoundArguments):
    """``("ok", result)``, ``("error", exception)`` or ``("warning", warning)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = function(*bound.args, **bound.kwargs)
        except Exception as err:  # classified by the caller
            return "error", err
    if caught:
        return "warning", caught[0].message
    return "ok", out


def _numbers(out):
    """Every number in a result, as a flat float array (tuples and dicts walked; a table may
    hold missing values, so frames are not looked into)."""
    if isinstance(out, pd.DataFrame):
        return np.array([])
    if isinstance(out, Mapping):
        return np.concatenate([_numbers(v) for v in out.values()] or [[]])
    if isinstance(out, tuple | list):
        return np.concatenate([_numbers(v) for v in out] or [[]])
    if _is_number(out):
        return np.atleast_1d(np.asarray(out, dtype=float)).ravel()
    return np.array([])


def _check(function, bound, parameter: str, label: str, expect: str):
    """Fail unless the outcome is acceptable (see the module docstring)."""
    kind, value = _outcome(function, bound)
    where = f"{function.__module__}.{function.__name__}({parameter}={label})"
    if kind == "warning":
        pytest.fail(f"{where}: a bare warning: {value}")
    if kind == "error":
        if not isinstance(value, TypeError | ValueError):
            pytest.fail(f"{where}: {type(value).__name__} from deep inside: {value}")
        if expect == "type" and not isinstance(value, TypeError):
            pytest.fail(f"{where}: wrong type should raise TypeError; got {value!r}")
        named = re.search(rf"\b{re.escape(parameter)}\b", str(value))
        overflow = expect != "type" and "the result of" in str(value)  # names the result
        if not (named or overflow):
            pytest.fail(f"{where}: the error does not name {parameter!r}: {value}")
        return
    if expect in ("type", "value"):
        pytest.fail(f"{where}: accepted silently, returned {value!r}")
    numbers = _numbers(value)
    if np.isnan(numbers).any():
        pytest.fail(f"{where}: NaN in the result without an error: {value!r}")
    if np.isinf(numbers).any() and not _returns_inf_on_purpose(function):
        pytest.fail(f"{where}: inf in the result without an error: {value!r}")


def _parameters(function, bound) -> list[str]:
    """The parameters a caller can pass: named ones, with their defaults filled in."""
    full = inspect.signature(function).bind(*bound.args, **bound.kwargs)
    full.apply_defaults()
    return [
        p
        for p, par in inspect.signature(function).parameters.items()
        if par.kind not in (par.VAR_POSITIONAL, par.VAR_KEYWORD)
    ]


def _with(function, bound, parameter, value) -> inspect.BoundArguments:
    full = inspect.signature(function).bind(*bound.args, **bound.kwargs)
    full.apply_defaults()
    arguments = dict(full.arguments)
    arguments[parameter] = value
    return inspect.signature(function).bind(**arguments)


@pytest.mark.parametrize(("module", "name"), PUBLIC)
def test_every_public_function_has_an_example_to_start_from(module, name):
    if module.__name__ in NAMES_ONLY:
        pytest.skip("names only: tests/test_data.py")
    function = getattr(module, name)
    assert _example_calls(module, function), (
        f"{module.__name__}.{name} has no example call in its docstring: add one (it is also "
        "where this test takes a valid call from)"
    )


@pytest.mark.parametrize(("module", "name"), PUBLIC)
def test_bad_input_gets_a_clear_error(module, name):
    function = getattr(module, name)
    calls = _example_calls(module, function)
    if not calls or module.__name__ in NAMES_ONLY:
        pytest.skip("no example (see the test above) or names only")
    bound = calls[0]
    full = inspect.signature(function).bind(*bound.args, **bound.kwargs)
    full.apply_defaults()
    signature = inspect.signature(function)
    for parameter in _parameters(function, bound):
        good = full.arguments.get(parameter)
        optional = signature.parameters[parameter].default is None  # None means "not given"
        nan_missing = optional and "or NaN" in (function.__doc__ or "")  # so may NaN, if said
        if _is_number(good):
            for label, bad in TYPE_ERRORS.items():
                expect = "any" if optional and bad is None else "type"
                _check(function, _with(function, bound, parameter, bad), parameter, label, expect)
            for label, bad in VALUE_ERRORS.items():
                expect = "any" if nan_missing and label == "NaN" else "value"
                _check(function, _with(function, bound, parameter, bad), parameter, label, expect)
            for label, edge in EDGE_VALUES.items():
                _check(function, _with(function, bound, parameter, edge), parameter, label, "any")
        elif isinstance(good, bool | np.bool_):
            for label, bad in {"None": None, '"no"': "no", "0": 0, "1.0": 1.0}.items():
                _check(function, _with(function, bound, parameter, bad), parameter, label, "type")
        elif isinstance(good, str):
            _check(
                function,
                _with(function, bound, parameter, "no-such-name"),
                parameter,
                "an unknown name",
                "value",
            )
            _check(function, _with(function, bound, parameter, 3), parameter, "a number", "type")
        elif isinstance(good, Mapping):
            for label, bad in _bad_mappings(good).items():
                # a mapping of free-form names may take any key and leave any out
                expect = "any" if "unknown key" in label or "without" in label else "value"
                _check(function, _with(function, bound, parameter, bad), parameter, label, expect)
        elif isinstance(good, pd.DataFrame):
            for label, bad in _bad_frames(good).items():
                _check(function, _with(function, bound, parameter, bad), parameter, label, "value")
        elif callable(good):
            for label, bad in _bad_callables().items():
                _check(function, _with(function, bound, parameter, bad), parameter, label, "value")


def _bad_mappings(good: Mapping) -> dict:
    keys = list(good)
    out = {"an empty mapping": {}, "a mapping with an unknown key": {**good, "no_such_key": 1.0}}
    if keys:
        out["a mapping without its first key"] = {k: v for k, v in good.items() if k != keys[0]}
        out["a mapping with NaN"] = {**good, keys[0]: math.nan}
        out["a mapping with a string"] = {**good, keys[0]: "1"}
    return out


def _bad_frames(good: pd.DataFrame) -> dict:
    out = {"a frame without columns": good[[]], "a list instead of a frame": [1.0, 2.0]}
    numeric = good.select_dtypes("number").columns
    if len(numeric):  # (a table's NaN is an empty cell: allowed where a value may be missing)
        out["a frame with inf in every number"] = good.assign(**dict.fromkeys(numeric, math.inf))
        out["a frame with strings for numbers"] = good.assign(**dict.fromkeys(numeric, "1"))
    return out


def _bad_callables() -> dict:
    return {
        "a callable returning NaN": lambda *a, **k: math.nan,
        "a callable returning the wrong shape": lambda *a, **k: np.zeros(3),
        "a callable returning text": lambda *a, **k: "x",
    }


@pytest.mark.parametrize(("module", "name"), PUBLIC)
def test_mismatched_shapes_name_both_parameters(module, name):
    function = getattr(module, name)
    calls = _example_calls(module, function)
    if not calls or module.__name__ in NAMES_ONLY:
        pytest.skip("no example or names only")
    bound = calls[0]
    full = inspect.signature(function).bind(*bound.args, **bound.kwargs)
    full.apply_defaults()
    arrays = _array_parameters(function)
    numeric = [
        p for p in _parameters(function, bound) if _is_number(full.arguments.get(p)) and p in arrays
    ]
    if len(numeric) < 2:
        pytest.skip("fewer than two parameters that take arrays")
    a, b = numeric[:2]
    args = _with(function, bound, a, np.full(2, full.arguments[a], dtype=float))
    args = _with(function, args, b, np.full(3, full.arguments[b], dtype=float))
    kind, value = _outcome(function, args)
    if kind == "ok":
        return  # the function accepts these two as independent axes: a valid use
    assert kind == "error" and isinstance(value, ValueError), (kind, value)
    assert re.search(rf"\b{a}\b", str(value)) and re.search(rf"\b{b}\b", str(value)), (
        f"{function.__name__}: a shape mismatch must name {a} and {b}: {value}"
    )


def test_the_error_class_is_both_a_type_and_a_value_error():
    assert issubclass(_validate.InputTypeError, TypeError)
    assert issubclass(_validate.InputTypeError, ValueError)
    with pytest.raises(TypeError, match="energy_wh"):
        _validate.as_array("1e7", "energy_wh")
    with pytest.raises(ValueError, match="energy_wh"):  # old callers catching ValueError
        _validate.as_array("1e7", "energy_wh")


def test_the_walker_finds_every_module_and_can_fail():
    assert len(PUBLIC) > 60

    def lax(x):
        """Accepts anything.

        >>> lax(1.0)
        1.0
        """
        return float(x) if not isinstance(x, str) else 1.0

    bound = inspect.signature(lax).bind(1.0)
    with pytest.raises(pytest.fail.Exception, match="accepted silently"):
        _check(lax, _with(lax, bound, "x", "1e7"), "x", "a numeric string", "type")
