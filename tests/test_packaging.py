"""The environment files agree with pyproject.toml, Binder installs the package, and a built
wheel holds everything the package reads at run time."""

import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pyproject_runtime() -> set[str]:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {_name(r) for r in meta["project"]["dependencies"]}


def _conda_runtime() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    return names - {"python", "pip"}


def test_environment_yml_names_the_same_runtime_dependencies():
    assert _conda_runtime() == _pyproject_runtime()


def test_binder_environment_is_the_root_environment():
    binder = ROOT / "binder" / "environment.yml"
    assert binder.read_bytes() == (ROOT / "environment.yml").read_bytes()


def test_binder_postbuild_installs_helpers_without_dependencies():
    text = (ROOT / "binder" / "postBuild").read_text()
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    assert lines[0] == "set -e"
    assert "pip install --no-deps -e ." in text


def test_readme_badge_opens_the_first_notebook():
    readme = (ROOT / "README.md").read_text()
    assert "mybinder.org/v2/" in readme
    assert (
        "labpath=notebooks%2F00_start_here.ipynb" in readme
        or "labpath=notebooks/00_start_here.ipynb" in readme
    )


def test_every_notebook_is_in_the_readme_chapter_map():
    readme = (ROOT / "README.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        assert f"notebooks/{nb.name}" in readme, f"{nb.name} missing from README chapter map"


def test_the_wheel_carries_the_chart_widget_code(tmp_path):
    """``pip install .`` (not editable) must ship helpers/chart_view.js, which the explorers load."""
    source = tmp_path / "source"  # a clean copy: setuptools would reuse an old build/ folder
    shutil.copytree(
        ROOT / "helpers", source / "helpers", ignore=shutil.ignore_patterns("__pycache__")
    )
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(tmp_path), str(source)],
        check=True,
    )
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "helpers/chart_view.js" in names and "helpers/live.py" in names


def test_every_server_the_course_starts_sends_kernel_messages_without_delay():
    from helpers.server import SERVER_FLAG, VOILA_FLAG

    setting = SERVER_FLAG.split(".", 1)[1]  # kernel_websocket_connection_class=helpers...
    name, value = setting.split("=")
    assert SERVER_FLAG in (ROOT / "Makefile").read_text()
    postbuild = (ROOT / "binder" / "postBuild").read_text()
    assert f'"{name}": "{value}"' in postbuild
    sys.path.insert(0, str(ROOT / "tools"))
    import calculators

    assert VOILA_FLAG in calculators.command(8866)
