"""The course's commands with Python alone, on any OS: ``python -m helpers COMMAND``.

Run from the top folder of a copy of the course (where ``pyproject.toml`` is). The first run
creates a virtual environment in ``.venv`` and installs the course with what its tests need
(about a minute, as ``make`` does); later runs reuse it, and reinstall after ``pyproject.toml``
changes. ``make lab`` and ``make test`` call these same commands.

Commands::

    lab [--port N]          JupyterLab at chapter 00 on 127.0.0.1 (default port 8888)
    test [PYTEST ARGS]      every test (unit, property, data, notebooks, browser)
    calculators [--port N]  calculator mode: every explorer on one page (Voilà, port 8866)
    book [FOLDER]           the static offline book (build/book)
    notebooks [FILES]       re-execute notebooks in place (default: all)
    bench [ARGS]            performance figures
    lint                    ruff check and format --check
    format                  ruff format and check --fix

This file uses only the standard library, so that any Python 3.11+ can run it before anything
is installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
STAMP = VENV / ".installed"
COMMANDS = ("lab", "test", "calculators", "book", "notebooks", "bench", "lint", "format")
FIRST_NOTEBOOK = "notebooks/00_start_here.ipynb"


def venv_python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _run(*args) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT)


def ensure_venv() -> Path:
    """The course's virtual environment, created and installed on first use (and again after
    pyproject.toml changes)."""
    python = venv_python()
    project = ROOT / "pyproject.toml"
    if STAMP.exists() and python.exists() and STAMP.stat().st_mtime >= project.stat().st_mtime:
        return python
    print(f"Setting up {VENV} (first run: about a minute) ...", flush=True)
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    _run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    _run(python, "-m", "pip", "install", "--quiet", "-e", ".[test]")
    _run(python, "-m", "helpers.ui.chart_view")  # bundle Vega for the explorers once (offline)
    STAMP.touch()
    return python


def _option(args: list[str], name: str, default: str) -> tuple[str, list[str]]:
    """The value of ``--name VALUE`` in ``args`` and the other arguments."""
    if name in args:
        i = args.index(name)
        if i + 1 >= len(args):
            sys.exit(f"{name} needs a value")
        return args[i + 1], args[:i] + args[i + 2 :]
    return default, args


def lab(args: list[str]) -> int:
    """JupyterLab in the foreground, its token in the environment, not on the command line."""
    import secrets

    from helpers import server

    port, _ = _option(args, "--port", "8888")
    token = secrets.token_hex(24)
    url = f"http://127.0.0.1:{port}/lab/tree/{FIRST_NOTEBOOK}?token={token}"
    print(f"Open the course at: {url}\n(Ctrl+C stops the server)", flush=True)
    env = {**os.environ, "JUPYTER_TOKEN": token}
    cmd = server.lab_command(ROOT, int(port)) + [FIRST_NOTEBOOK]
    try:
        return subprocess.call(cmd, env=env, cwd=ROOT)
    except KeyboardInterrupt:
        return 0


def here(command: str, args: list[str]) -> int:
    """Run ``command`` in this interpreter (the course's environment)."""
    py = sys.executable
    if command == "lab":
        return lab(args)
    if command == "calculators":
        port, _ = _option(args, "--port", "8866")
        return subprocess.call([py, "tools/calculators.py", port], cwd=ROOT)
    tools = {
        "test": [py, "-m", "pytest", *args],
        "book": [py, "tools/build_book.py", *args],
        "notebooks": [py, "tools/execute_notebooks.py"]
        + (args or sorted(str(p.relative_to(ROOT)) for p in (ROOT / "notebooks").glob("*.ipynb"))),
        "bench": [py, "benchmarks/run.py", *args],
    }
    if command in ("lint", "format"):
        steps = (
            (["check"], ["format", "--check"])
            if command == "lint"
            else (["format"], ["check", "--fix"])
        )
        for step in steps:
            code = subprocess.call([py, "-m", "ruff", *step, "."], cwd=ROOT)
            if code:
                return code
        return 0
    return subprocess.call(tools[command], cwd=ROOT)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (this file runs before anything checks it)
        sys.exit("The course needs Python 3.11 or newer.")
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    command, args = argv[0], argv[1:]
    if not (ROOT / "pyproject.toml").exists() or not (ROOT / "notebooks").is_dir():
        sys.exit(
            f"python -m helpers {command} runs in a copy of the course (git clone ...), "
            f"not in an installed package ({ROOT} has no pyproject.toml or notebooks/)."
        )
    python = ensure_venv()
    if Path(sys.prefix).resolve() != VENV.resolve():
        return subprocess.call([str(python), "-m", "helpers", *argv], cwd=ROOT)
    return here(command, args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
