"""Calculator mode: serve notebooks/calculators.ipynb with Voilà, the explorers without code.

Usage: python tools/calculators.py [PORT]      (``make calculators``; default port 8866)

Voilà runs the notebook in a fresh kernel and shows only its outputs (markdown, sliders,
charts). It listens on 127.0.0.1 only, without a token: nobody else on the network can reach it,
and the page gives a visitor no way to run code of their own (Voilà executes only the notebook
and passes widget messages). The ``offline-lab`` template in tools/jupyter/ is Voilà's ``lab``
template without the style sheets it would fetch from a CDN.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from helpers.server import VOILA_FLAG

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "calculators.ipynb"
TEMPLATES = ROOT / "tools" / "jupyter"  # holds voila/templates/offline-lab
DEFAULT_PORT = 8866


def command(
    port: int = DEFAULT_PORT, python: str = sys.executable, show_tracebacks: bool = False
) -> list[str]:
    """The Voilà command line serving the calculators on 127.0.0.1:``port``.

    ``show_tracebacks`` puts a failing cell's traceback in the page (the tests use it); in class
    Voilà only says that a cell failed."""
    return [
        python,
        "-m",
        "voila",
        str(NOTEBOOK),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--template=offline-lab",
        f"--show_tracebacks={show_tracebacks}",
        VOILA_FLAG,  # kernel messages reach the browser without Nagle's delay
    ]


def environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the template directory on
    JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(TEMPLATES), env.get("JUPYTER_PATH")]))
    return env


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PORT
    print(f"Calculators at http://127.0.0.1:{port}/  (Ctrl+C stops the server)", flush=True)
    cmd = command(port)
    os.execvpe(cmd[0], cmd, environment())
