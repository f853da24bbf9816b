"""Calculator mode: serve notebooks/calculators.ipynb with Voilà, the explorers without code.

Usage: python tools/calculators.py [PORT]      (``make calculators``; default port 8866)

Voilà runs the notebook and shows only its outputs (markdown, sliders, charts). One kernel is
started ahead and runs the notebook before anyone asks (Voilà's preheat), so the first visitor's
page is ready at once; each later visitor gets the next pre-run kernel. It listens on 127.0.0.1
only, without a token: nobody else on the network can reach it, and the page gives a visitor
no way to run code of their own (Voilà executes only the notebook and passes widget messages).
Voilà runs as the course configures it (:mod:`helpers.server`): a request for any host but this
machine is refused (a DNS-rebinding page), at most four kernels run at once (the ready one
included; beyond that a page says the calculators are busy), a page frees its kernel as it
closes or reloads, and a kernel no page uses is shut down after ten minutes idle.
The ``offline-lab`` template in tools/jupyter/ is Voilà's ``lab`` template without the style
sheets it would fetch from a CDN, plus that busy page. The command line is
:func:`helpers.server.voila_command`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from helpers import server

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "calculators.ipynb"
TEMPLATES = ROOT / "tools" / "jupyter"  # holds voila/templates/offline-lab
DEFAULT_PORT = 8866


def command(port: int = DEFAULT_PORT, **options) -> list[str]:
    """The Voilà command line serving the calculators on 127.0.0.1:``port``."""
    return server.voila_command(NOTEBOOK, port, template_dir=TEMPLATES, **options)


def start(**options) -> server.Server:
    """Start calculator mode in the background (tests, benchmark); see
    :func:`helpers.server.start_voila`."""
    return server.start_voila(NOTEBOOK, template_dir=TEMPLATES, **options)


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_PORT
    print(f"Calculators at http://127.0.0.1:{port}/  (Ctrl+C stops the server)", flush=True)
    try:
        sys.exit(subprocess.call(command(port), env=server.voila_env(TEMPLATES)))
    except KeyboardInterrupt:
        pass
