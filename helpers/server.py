"""Starting the course's servers: JupyterLab (``make lab``, the browser tests, the benchmark)
and Voilà's calculator mode (``make calculators``), one way each.

Every server listens on 127.0.0.1 only. JupyterLab's login token travels in the server's
environment (``JUPYTER_TOKEN``), never on its command line, where any local user could read it
with ``ps``. :func:`start_lab` and :func:`start_voila` wait until the server answers and fail
loudly, with the end of its log, when it does not.

The servers also send kernel messages to the browser without Nagle's delay. Jupyter Server
relays the kernel's messages over a websocket whose TCP socket keeps Nagle's algorithm on
(Tornado's default; Jupyter Server never calls ``set_nodelay``). A slider move makes the kernel
send several small messages in a row (busy, the widget's echo, the chart's new data, idle), and
Nagle holds each small one back until the browser acknowledges the one before, which the
browser's delayed ACK postpones by up to about 40 ms: on this course's machines that added
30–40 ms to every other slider move, with any widget. :class:`NoDelayConnection` is Jupyter
Server's own kernel websocket connection with ``TCP_NODELAY`` set, chosen through the servers'
documented setting ``kernel_websocket_connection_class`` (:data:`SERVER_FLAG`,
:data:`VOILA_FLAG`). Only the course's own launchers apply it (these functions, and Binder's
environment, configured by ``binder/postBuild`` through :func:`configure_environment`):
installing the package changes no other Jupyter server. This module needs the ``[lab]`` extra.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

__all__ = [
    "NoDelayConnection",
    "SERVER_FLAG",
    "VOILA_FLAG",
    "Server",
    "configure_environment",
    "lab_command",
    "start_lab",
    "voila_command",
    "voila_env",
    "start_voila",
    "free_port",
]

_SETTING = "kernel_websocket_connection_class=helpers.server.NoDelayConnection"
SERVER_FLAG = f"--ServerApp.{_SETTING}"
"""Command-line option for ``jupyter lab`` / ``jupyter server``."""
VOILA_FLAG = f"--Voila.{_SETTING}"
"""Command-line option for ``voila``."""


class NoDelayConnection(ZMQChannelsWebsocketConnection):
    """Jupyter Server's kernel websocket connection, with small messages sent at once."""

    def connect(self):
        self.websocket_handler.set_nodelay(True)
        return super().connect()


def configure_environment(prefix: str | Path = sys.prefix) -> Path:
    """Write the no-delay setting into the Jupyter configuration of the environment at
    ``prefix`` (``<prefix>/etc/jupyter/jupyter_server_config.json``, merged with what is there),
    so that every server of that environment uses it and no other server does. Binder's
    postBuild calls this. Returns the file's path."""
    path = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.json"
    config = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    name, value = _SETTING.split("=")
    config.setdefault("ServerApp", {})[name] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _root_flag() -> list[str]:
    # Jupyter refuses to start as root unless told to.
    return ["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []


def lab_command(root: Path, port: int, python: str = sys.executable) -> list[str]:
    """The JupyterLab command line serving ``root`` on 127.0.0.1:``port`` (no token in it: see
    :func:`start_lab`)."""
    return [
        python,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}",
        SERVER_FLAG,
        *_root_flag(),
    ]


@dataclass
class Server:
    """A server started in the background: its address, token, process and log file."""

    url: str
    token: str
    process: subprocess.Popen
    log: Path
    _files: list = field(default_factory=list, repr=False)

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for f in self._files:
            f.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _start(cmd, env, port, token, ready_path, timeout, log_dir, cwd) -> Server:
    url = f"http://127.0.0.1:{port}"
    log_dir = Path(log_dir or tempfile.mkdtemp(prefix="j2-server-"))
    log = log_dir / "server.log"
    out = open(log, "w")
    proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
    server = Server(url, token, proc, log, [out])
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            server.stop()
            raise RuntimeError(f"{cmd[2]} exited with code {proc.returncode}:\n{server.log_tail()}")
        with contextlib.suppress(OSError):
            if ready_path is None:  # listening is enough
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return server
            with urllib.request.urlopen(f"{url}{ready_path}", timeout=2) as response:
                if response.status == 200:
                    return server
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(
                f"{cmd[2]} did not answer at {url} within {timeout:.0f} s:\n{server.log_tail()}"
            )
        time.sleep(0.25)


def start_lab(
    root: Path,
    *,
    port: int | None = None,
    env: dict | None = None,
    args: list[str] | None = None,
    timeout: float = 90,
    log_dir: Path | None = None,
) -> Server:
    """Start JupyterLab on 127.0.0.1 serving ``root`` and wait until it answers.

    The token is new and random, and reaches the server through ``JUPYTER_TOKEN``. ``env``
    adds to (or overrides) this process's environment, e.g. ``JUPYTER_CONFIG_DIR``; ``args``
    are more command-line options.

    Raises
    ------
    RuntimeError
        If the server exits or does not answer within ``timeout`` seconds; the message ends
        with its log.
    """
    port = port or free_port()
    token = secrets.token_hex(24)
    full_env = {**os.environ, **(env or {}), "JUPYTER_TOKEN": token}
    cmd = lab_command(Path(root), port) + list(args or [])
    return _start(cmd, full_env, port, token, f"/api/status?token={token}", timeout, log_dir, root)


def voila_command(
    notebook: Path,
    port: int,
    *,
    template_dir: Path,
    pool_size: int = 1,
    show_tracebacks: bool = False,
    python: str = sys.executable,
) -> list[str]:
    """The Voilà command line serving ``notebook`` alone on 127.0.0.1:``port``.

    ``pool_size`` kernels are started ahead and run the notebook before anyone asks for it
    (Voilà's *preheat*), so the first visitor's page is ready at once; 0 starts a kernel per
    visitor. ``template_dir`` must be on ``JUPYTER_PATH`` (it holds ``offline-lab``, Voilà's
    ``lab`` template without the style sheets it would fetch from a CDN). ``show_tracebacks``
    puts a failing cell's traceback in the page (the tests use it).
    """
    cmd = [
        python,
        "-m",
        "voila",
        str(notebook),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--template=offline-lab",
        f"--show_tracebacks={show_tracebacks}",
        VOILA_FLAG,
    ]
    if pool_size > 0:
        cmd += ["--preheat_kernel=True", f"--pool_size={pool_size}"]
    return cmd


def voila_env(template_dir: Path, base: dict | None = None) -> dict:
    """``base`` (default: this process's environment) with ``template_dir`` on JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(template_dir), env.get("JUPYTER_PATH")])
    )
    return env


def start_voila(
    notebook: Path,
    *,
    template_dir: Path,
    port: int | None = None,
    pool_size: int = 1,
    show_tracebacks: bool = False,
    timeout: float = 90,
    log_dir: Path | None = None,
) -> Server:
    """Start Voilà serving ``notebook`` (see :func:`voila_command`) and wait until it answers.

    With a pool, the server answers before the pool's kernels have run the notebook; the first
    page then waits for them (see the benchmark for how long).
    """
    port = port or free_port()
    env = voila_env(template_dir)
    cmd = voila_command(
        notebook,
        port,
        template_dir=template_dir,
        pool_size=pool_size,
        show_tracebacks=show_tracebacks,
    )
    # Any page would make Voilà run the notebook: a listening socket is the sign it is up.
    return _start(cmd, env, port, "", None, timeout, log_dir, None)
