"""The environment files agree with pyproject.toml, Binder installs the package, and a built
wheel holds everything the package reads at run time."""

import importlib
import json
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml

import helpers.checks
from helpers import data
from helpers.checks import Exercise

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _meta() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pyproject_names(*groups: str) -> set[str]:
    """Names of the runtime dependencies and of the given extras (without the package itself)."""
    meta = _meta()
    reqs = list(meta["dependencies"])
    for group in groups:
        reqs += meta["optional-dependencies"][group]
    return {_name(r) for r in reqs} - {meta["name"]}


def _conda_names() -> set[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    names = {_name(d) for d in env["dependencies"] if isinstance(d, str)}
    return names - {"python", "pip"}


def test_environment_yml_names_what_a_kernel_and_jupyterlab_need():
    """conda users get the kernel's packages and the [lab] extra (JupyterLab, Voilà)."""
    assert _conda_names() == _pyproject_names("lab")


def test_a_kernel_install_pulls_in_no_server_and_pins_nothing_of_the_host():
    """Colab or VS Code install the runtime dependencies only: no JupyterLab or Voilà, and no
    upper bound that would downgrade a package the host already has."""
    runtime = _meta()["dependencies"]
    assert not {_name(r) for r in runtime} & {"jupyterlab", "voila", "notebook", "jupyter-server"}
    assert not [r for r in runtime if "<" in r], runtime


def test_the_licence_field_says_what_the_wheel_carries():
    meta = _meta()
    assert meta["license"] == "MIT AND CC-BY-4.0 AND Bitstream-Vera"
    assert set(meta["license-files"]) == {"LICENSE", "helpers/ui/fonts/LICENSE"}
    text = (ROOT / "LICENSE").read_text()
    assert "MIT License" in text and "CC BY 4.0" in text


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


def test_binder_configures_only_its_own_environment():
    """The server setting goes into the environment's etc/jupyter (sys.prefix), never into
    ~/.jupyter, where it would reach every other Jupyter server of the user."""
    text = (ROOT / "binder" / "postBuild").read_text()
    code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert "server.configure_environment(sys.prefix)" in code
    assert "HOME" not in code and "~" not in code and "/.jupyter" not in code


def test_the_environment_setting_is_read_by_that_environment_s_servers(tmp_path):
    from helpers import server

    prefix = tmp_path / "env"
    path = server.configure_environment(prefix)
    path.write_text(path.read_text().replace("{", '{"NotebookApp": {"x": 1},', 1))
    server.configure_environment(prefix)  # merges with what is there
    assert json.loads(path.read_text())["NotebookApp"] == {"x": 1}
    probe = (
        "from jupyter_server.serverapp import ServerApp; a = ServerApp(); a.initialize(argv=[]);"
        " print(a.kernel_websocket_connection_class.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={**os.environ, "JUPYTER_CONFIG_PATH": str(prefix / "etc" / "jupyter")},
    )
    assert out.stdout.strip().endswith("NoDelayConnection"), out.stderr[-2000:]


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


def _wheel(tmp_path) -> Path:
    """``pip wheel`` of a clean copy of the project (setuptools would reuse an old build/)."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__")
    for folder in ("helpers", "data"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(tmp_path / "dist"), str(source)],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return _wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_carries_code_tables_fonts_and_licences(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"helpers/ui/chart_view.js", "helpers/ui/fonts/DejaVuSans.ttf"} <= names
    assert {"helpers/views/ch02.py", "helpers/checks/ch02.py", "helpers/tokens.py"} <= names
    tables = {f"helpers/tables/{p.name}" for p in (ROOT / "data").glob("*.csv")}
    assert tables | {"helpers/tables/datapackage.json"} <= names
    licences = [
        n for n in names if n.endswith(("licenses/LICENSE", "licenses/helpers/ui/fonts/LICENSE"))
    ]
    assert len(licences) == 2, licences
    metadata = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        .decode()
    )
    assert "License-Expression: MIT AND CC-BY-4.0 AND Bitstream-Vera" in metadata


_OUTSIDE = """
import json, sys, helpers, pandas
from helpers import data
from helpers.ui import render
from helpers.checks import Exercise
import importlib, pkgutil, helpers.checks
tables = {name: len(data.load(name)) for name in data.tables()}
answers = {}
for m in pkgutil.iter_modules(helpers.checks.__path__):
    mod = importlib.import_module(f"helpers.checks.{m.name}")
    for attr, q in vars(mod).items():
        if isinstance(q, Exercise):
            answers[f"{m.name}.{attr}"] = q.expected()
helpers.setup()
import altair as alt
chart = alt.Chart(pandas.DataFrame({"x": [1, 2]})).mark_bar().encode(x=alt.X("x:Q"))
bundle, _ = render.chart_bundle(chart.to_dict())
print(json.dumps({"file": helpers.__file__, "folder": str(data.default_folder()),
                  "tables": tables, "answers": answers, "chart": sorted(bundle)}))
"""


def test_a_wheel_installed_outside_the_repository_loads_every_table_and_runs_every_chapter(
    wheel, tmp_path
):
    """``pip install`` of the wheel (not editable) into a new virtual environment outside the
    repository: the package reads its own tables and fonts, and every chapter's exercises
    (each computed by the chapter's calculators from data) give the same answers as here. The
    dependencies come from this environment's site-packages (a path, so its editable-install
    hook for helpers is not loaded), so the test needs no network."""
    import site
    import venv

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
    )
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    out = subprocess.run(
        [python, "-I", "-c", _OUTSIDE],
        capture_output=True,
        text=True,
        cwd=outside,
        env={**os.environ, "J2_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert out.returncode == 0, out.stderr[-3000:]
    got = json.loads(out.stdout)
    assert Path(got["file"]).is_relative_to(env_dir), got["file"]
    assert Path(got["folder"]) == Path(purelib) / "helpers" / "tables"
    assert got["tables"] == {name: len(data.load(name)) for name in data.tables()}
    here = {
        f"{m.name}.{attr}": q.expected()
        for m in pkgutil.iter_modules(helpers.checks.__path__)
        for attr, q in vars(importlib.import_module(f"helpers.checks.{m.name}")).items()
        if isinstance(q, Exercise)
    }
    assert got["answers"] == pytest.approx(here, rel=1e-12)
    assert got["chart"] == ["image/png", "image/svg+xml", "text/plain"]


def test_every_server_the_course_starts_sends_kernel_messages_without_delay():
    from helpers import server

    setting = server.SERVER_FLAG.split(".", 1)[1]  # kernel_websocket_connection_class=helpers...
    name, value = setting.split("=")
    assert server.SERVER_FLAG in server.lab_command(ROOT, 8888)  # make lab, tests, benchmark
    assert "server.configure_environment" in (ROOT / "binder" / "postBuild").read_text()
    sys.path.insert(0, str(ROOT / "tools"))
    import calculators

    assert server.VOILA_FLAG in calculators.command(8866)


def test_the_makefile_runs_the_python_launcher():
    """``make lab`` and ``make test`` are ``python -m helpers lab`` and ``... test``: one way
    to set up and start things, with or without make."""
    makefile = (ROOT / "Makefile").read_text()
    assert "-m helpers" in makefile
    for target in ("lab", "test"):
        assert re.search(rf"^{target}:.*\n\t\$\(RUN\) {target}\b", makefile, re.M), target
    readme = (ROOT / "README.md").read_text()
    assert "python -m helpers lab" in readme and "python -m helpers test" in readme


def test_the_package_version_is_the_project_version():
    assert helpers.__version__ == _meta()["version"]


def test_every_chapter_opens_in_colab_at_the_version_it_installs():
    """Each chapter links to Colab and, on Colab only, installs the course at the same version
    tag as the link opens (v + the version in pyproject.toml)."""
    ref = f"v{_meta()['version']}"
    repo = helpers.REPOSITORY
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        head = "".join(cells[0]["source"])
        link = f"https://colab.research.google.com/github/{repo}/blob/{ref}/notebooks/{path.name}"
        assert f"[Open in Colab]({link})" in head, path.name
        if not any(c["cell_type"] == "code" for c in cells):
            continue  # text only (the glossary): nothing to install
        installs = [c for c in cells if "google.colab" in "".join(c["source"])]
        assert len(installs) == 1, path.name
        source = "".join(installs[0]["source"])
        assert f"git+https://github.com/{repo}@{ref}" in source, path.name
        assert 'if "google.colab" in sys.modules:' in source  # nothing happens elsewhere
        first_import = next(
            i for i, c in enumerate(cells) if "import helpers" in "".join(c["source"])
        )
        assert cells.index(installs[0]) < first_import, f"{path.name}: install after import"
        assert not installs[0].get("outputs"), f"{path.name}: the cell printed something"
    assert (
        f"colab.research.google.com/github/{repo}/blob/{ref}/notebooks/"
        in (ROOT / "README.md").read_text()
    )
