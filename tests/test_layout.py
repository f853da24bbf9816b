"""The package's layout, as CONTRIBUTING.md describes it: layers that import one way, one view
module per chapter beside its exercises, presentation modules small enough to read, and an
``__all__`` in every module that lists exactly its public names."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest

import helpers

ROOT = Path(helpers.__file__).resolve().parent
MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(helpers.__path__, prefix="helpers.")
    if m.name != "helpers.__main__"
)
CALCULATORS = [
    "helpers.capex",
    "helpers.claims",
    "helpers.data",
    "helpers.fleet",
    "helpers.lifecycle",
    "helpers.power",
    "helpers.rebound",
    "helpers.reconcile",
    "helpers.tokens",
    "helpers.uncertainty",
    "helpers.units",
]
PRESENTATION = [m for m in MODULES if m.startswith(("helpers.ui", "helpers.views"))]
MAX_PRESENTATION_LINES = 420
"""About 400 lines: a module a contributor reads in one sitting."""


def _imports(module: str) -> set[str]:
    path = Path(importlib.import_module(module).__file__)
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def test_the_module_lists_are_complete():
    assert set(CALCULATORS) <= set(MODULES)
    chapters = sorted(p.name[:2] for p in (ROOT.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for nn in chapters:
        assert f"helpers.views.ch{nn}" in MODULES, f"chapter {nn} has no view module"
        assert f"helpers.checks.ch{nn}" in MODULES, f"chapter {nn} has no exercises"


@pytest.mark.parametrize("module", MODULES)
def test_all_lists_exactly_the_public_names_defined_here(module):
    mod = importlib.import_module(module)
    if Path(mod.__file__).name == "__init__.py" and module != "helpers":
        names = getattr(mod, "__all__", [])
        assert all(hasattr(mod, n) for n in names), f"{module}.__all__ names a missing object"
        return
    assert hasattr(mod, "__all__"), f"{module} has no __all__"
    defined = {
        name
        for name, obj in vars(mod).items()
        if not name.startswith("_")
        and (inspect.isfunction(obj) or inspect.isclass(obj))
        and getattr(obj, "__module__", None) == module
    }
    missing = defined - set(mod.__all__)
    assert not missing, f"{module} defines public {sorted(missing)} but leaves them out of __all__"
    absent = [n for n in mod.__all__ if not hasattr(mod, n)]
    assert not absent, f"{module}.__all__ names {absent}, which do not exist"


@pytest.mark.parametrize("module", CALCULATORS)
def test_calculators_import_no_presentation(module):
    heavy = {"altair", "ipywidgets", "anywidget", "IPython"}
    imported = _imports(module)
    assert not {i.split(".")[0] for i in imported} & heavy, f"{module} imports {imported & heavy}"
    upward = [
        i for i in imported if i.startswith(("helpers.ui", "helpers.views", "helpers.checks"))
    ]
    assert not upward, f"{module} imports the layer above it: {upward}"


@pytest.mark.parametrize("module", PRESENTATION)
def test_presentation_modules_are_short_and_have_no_chapter_banners(module):
    source = Path(importlib.import_module(module).__file__).read_text(encoding="utf-8")
    lines = source.count("\n")
    assert lines <= MAX_PRESENTATION_LINES, f"{module}: {lines} lines; split it by job"
    assert "# --- chapter" not in source.lower(), f"{module} is split by chapter banners"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("helpers.views.ch")])
def test_a_chapter_view_uses_no_other_chapter_view(module):
    other = [i for i in _imports(module) if i.startswith("helpers.views") and i != module]
    assert not other, f"{module} imports {other}: shared parts belong in helpers.ui"


@pytest.mark.parametrize("module", [m for m in MODULES if m.startswith("helpers.ui")])
def test_the_toolkit_knows_no_chapter(module):
    chapters = [i for i in _imports(module) if i.startswith(("helpers.views", "helpers.checks"))]
    assert not chapters, f"{module} imports {chapters}"


def test_the_check_sees_a_public_function_missing_from_all(tmp_path, monkeypatch):
    (tmp_path / "j2_probe.py").write_text("__all__ = []\n\ndef shown():\n    pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("j2_probe")
    defined = {n for n, o in vars(mod).items() if inspect.isfunction(o) and not n.startswith("_")}
    assert defined - set(mod.__all__) == {"shown"}


@pytest.mark.parametrize("module", [m for m in CALCULATORS if m != "helpers.data"])
def test_every_public_calculator_checks_its_inputs(module):
    """Each is wrapped by ``helpers._validate.calculator`` (see tests/test_bad_inputs.py)."""
    mod = importlib.import_module(module)
    unchecked = [
        name
        for name in mod.__all__
        if inspect.isfunction(getattr(mod, name))
        and not getattr(getattr(mod, name), "checked", False)
    ]
    assert not unchecked, f"{module}: not wrapped by @calculator: {unchecked}"
