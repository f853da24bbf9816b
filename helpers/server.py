"""Starting the course's servers: JupyterLab (``make lab``, the browser tests, the benchmark)
and Voilà's calculator mode (``make calculators``), one way each.

Every server listens on 127.0.0.1 only. JupyterLab's login token travels in the server's
environment (``JUPYTER_TOKEN``), never on its command line, where any local user could read it
with ``ps`` (``/proc/PID/environ`` is readable by the same user only). :func:`start_lab` and
:func:`start_voila` wait until the server answers and fail loudly, with the end of its log, when
it does not.

Calculator mode has no token (the page gives a visitor no way to run code of their own: Voilà
executes only the notebook and passes widget messages), so anything that can make a browser on
this machine send a request can start a kernel, which runs the whole notebook and holds about
160 MB. A cross-site page can (an ``<img>`` or a hidden frame pointing at the server; a token
would not stop it either once its cookie is set), and a DNS-rebinding page can even read the
answers. Stock Voilà 0.5 turns Jupyter's check of the ``Host`` header off, starts a kernel for
every request and never stops one whose page is gone: it never culls, and the shutdown a page
asks for as it closes is refused (voila-dashboards/voila#1458). 16 cross-site requests left 18
kernels holding 2.9 GB, and every reload of the page one more. Voilà as the course runs it
(``python -m helpers.server``, :func:`voila_command`) differs in four ways:

- **Host check.** A request whose ``Host`` is not this machine (``localhost`` or a loopback
  address such as ``127.0.0.1`` or ``[::1]``, with any port) gets 403, on every route, static
  files included: a DNS-rebinding page reaches the server under its own name and is refused.
- **At most** :data:`MAX_KERNELS` **kernels** (4), the one waiting ready for the next visitor
  (Voilà's pool) included. Projecting in class needs one page, perhaps a second tab, and a
  reload holds two for a moment; four bound what a flood of requests can take to about 600 MB.
  Beyond it a visitor gets a 503 page saying why and what to do (:class:`CappedKernelManager`).
- **A page frees its kernel** as it closes or reloads: the page gets the ``_xsrf`` cookie its
  shutdown request must carry.
- **Idle kernels are culled.** A kernel that no page is connected to and that has been idle for
  :data:`CULL_IDLE_SECONDS` (10 minutes; checked every :data:`CULL_INTERVAL_SECONDS`, one
  minute) is shut down: the kernel of a request whose page never ran (a cross-site request) or
  of a tab that vanished without saying goodbye (a crash, a sleeping laptop). A page that is
  open keeps its kernel however long it sits idle (Jupyter's ``cull_connected`` stays off), and
  the pool's ready kernel is never culled (Voilà exempts it). Ten minutes is far longer than a
  page takes to connect, and short enough that a cap filled by stray requests frees itself
  within a lesson.

On Binder, calculator mode is Voilà's Jupyter server extension inside Binder's own server
(``/voila/render/...``), behind JupyterHub's login, which this module does not configure.

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
import ipaddress
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web
from traitlets import Integer, TraitError, default, validate

__all__ = [
    "NoDelayConnection",
    "SERVER_FLAG",
    "VOILA_FLAG",
    "MAX_KERNELS",
    "CULL_IDLE_SECONDS",
    "CULL_INTERVAL_SECONDS",
    "CappedKernelManager",
    "host_is_local",
    "Server",
    "configure_environment",
    "lab_command",
    "start_lab",
    "voila_command",
    "voila_env",
    "start_voila",
    "free_port",
]

MAX_KERNELS = 4
"""Most kernels calculator mode holds at once, the pool's ready kernel included."""
CULL_IDLE_SECONDS = 600
"""A kernel no page is connected to is shut down after this long idle."""
CULL_INTERVAL_SECONDS = 60
"""How often the server looks for such kernels."""

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


def host_is_local(host: str, local_hostnames: Iterable[str] = ("localhost",)) -> bool:
    """Whether an HTTP ``Host`` header names this machine: a loopback address (``127.0.0.1``,
    ``[::1]``, ...) or one of ``local_hostnames``, with or without a port. The same rule as
    Jupyter Server's own check (``JupyterHandler.check_host``), for the routes Voilà serves
    without it.

    >>> [host_is_local(h) for h in ("127.0.0.1:8866", "localhost", "[::1]:8866", "evil.example")]
    [True, True, True, False]
    """
    name = re.match(r"^(.*?)(:\d+)?$", host).group(1)
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return name in set(local_hostnames)


class CappedKernelManager(AsyncMappingKernelManager):
    """Voilà's kernel manager with a ceiling: at most ``max_kernels`` kernels, running or
    starting, Voilà's pool included; idle kernels no page is connected to are culled (see the
    module's docstring for the defaults and why).

    Beyond the ceiling, :meth:`start_kernel` raises a 503 whose message Voilà shows in the page
    (``503.html`` of the course's template). Voilà's pool starts its next kernel when a visitor
    takes the ready one; refused at the ceiling, that start would leave the pool empty for good,
    so the manager starts it again as soon as a kernel is shut down (a page closed, a kernel
    culled).
    """

    max_kernels = Integer(
        MAX_KERNELS,
        config=True,
        help="Most kernels at once, running or starting, the pool's ready kernels included.",
    )

    @default("cull_idle_timeout")
    def _default_cull_idle_timeout(self):
        return CULL_IDLE_SECONDS

    @default("cull_interval")
    def _default_cull_interval(self):
        return CULL_INTERVAL_SECONDS

    @validate("max_kernels")
    def _valid_max_kernels(self, proposal):
        if proposal["value"] < 1:
            raise TraitError(f"max_kernels must be at least 1, got {proposal['value']}")
        return proposal["value"]

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starting: set[str] = set()
        self._closing = False

    def held(self) -> int:
        """Kernels running or starting now."""
        return len(set(self._kernels) | set(self._pending_kernels) | self._starting)

    async def start_kernel(self, *, kernel_id: str | None = None, **kwargs) -> str:
        if kernel_id is not None and kernel_id in self:  # an existing kernel: nothing starts
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        # No await between counting and reserving: concurrent requests cannot both slip in.
        held = self.held()
        if held >= self.max_kernels:
            self.log.warning("Refusing a kernel: %d of at most %d running", held, self.max_kernels)
            culled = (
                f" A kernel whose page was never shown or was lost is freed after"
                f" {self.cull_idle_timeout / 60:g} minutes idle."
                if self.cull_idle_timeout > 0
                else ""
            )
            raise web.HTTPError(
                503,
                "This server already runs as many kernels as it may (%d): each open "
                "calculators page holds one, and another may wait ready for the next visitor. "
                "Close a calculators tab you no longer use, then reload this page.%s",
                held,
                culled,
                reason="Calculators busy",
            )
        kernel_id = kernel_id or self.new_kernel_id()
        self._starting.add(kernel_id)
        try:
            return await super().start_kernel(kernel_id=kernel_id, **kwargs)
        finally:
            self._starting.discard(kernel_id)

    async def shutdown_kernel(self, kernel_id: str, *args, **kwargs) -> None:
        await super().shutdown_kernel(kernel_id, *args, **kwargs)
        if not self._closing:
            self._refill_pool()

    async def shutdown_all(self, *args, **kwargs) -> None:
        self._closing = True  # no refill while the server stops
        await super().shutdown_all(*args, **kwargs)

    def _refill_pool(self) -> None:
        # Voilà's pool (voila.voila_kernel_manager, preheat): a list of kernel-start tasks per
        # notebook, topped up by fill_if_needed. Drop the starts the ceiling refused, top up.
        pools = getattr(self, "_pools", None)
        if not pools or not hasattr(self, "fill_if_needed"):
            return
        for name, pool in pools.items():
            pool[:] = [t for t in pool if not (t.done() and (t.cancelled() or t.exception()))]
            self.fill_if_needed(delay=0, notebook_name=name)


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


def _start(name, cmd, env, port, token, ready_path, timeout, log_dir, cwd) -> Server:
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
            raise RuntimeError(f"{name} exited with code {proc.returncode}:\n{server.log_tail()}")
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
                f"{name} did not answer at {url} within {timeout:.0f} s:\n{server.log_tail()}"
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
    ready = f"/api/status?token={token}"
    return _start("JupyterLab", cmd, full_env, port, token, ready, timeout, log_dir, root)


def voila_command(
    notebook: Path,
    port: int,
    *,
    template_dir: Path,
    pool_size: int = 1,
    max_kernels: int = MAX_KERNELS,
    cull_idle_seconds: int = CULL_IDLE_SECONDS,
    cull_interval_seconds: int = CULL_INTERVAL_SECONDS,
    show_tracebacks: bool = False,
    python: str = sys.executable,
) -> list[str]:
    """The command line of Voilà as the course runs it (``python -m helpers.server``: host
    check on every route, at most ``max_kernels`` kernels, idle kernels culled; see the module's
    docstring), serving ``notebook`` alone on 127.0.0.1:``port``.

    ``pool_size`` kernels are started ahead and run the notebook before anyone asks for it
    (Voilà's *preheat*), so the first visitor's page is ready at once; 0 starts a kernel per
    visitor. ``template_dir`` must be on ``JUPYTER_PATH`` (it holds ``offline-lab``, Voilà's
    ``lab`` template without the style sheets it would fetch from a CDN, and the page a visitor
    sees beyond ``max_kernels``). A kernel no page is connected to is shut down after
    ``cull_idle_seconds`` idle, looked for every ``cull_interval_seconds``. ``show_tracebacks``
    puts a failing cell's traceback in the page (the tests use it).
    """
    if not 0 <= pool_size < max_kernels:
        raise ValueError(
            f"pool_size must be from 0 to max_kernels - 1 = {max_kernels - 1} (a visitor needs"
            f" a kernel beside the pool), got {pool_size}"
        )
    if cull_idle_seconds < 1 or cull_interval_seconds < 1:
        raise ValueError(
            "cull_idle_seconds and cull_interval_seconds must be at least 1, got"
            f" {cull_idle_seconds} and {cull_interval_seconds}"
        )
    manager = CappedKernelManager.__name__
    cmd = [
        python,
        "-m",
        "helpers.server",
        str(notebook),
        "--no-browser",
        "--Voila.ip=127.0.0.1",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--template=offline-lab",
        f"--show_tracebacks={show_tracebacks}",
        VOILA_FLAG,
        f"--VoilaConfiguration.multi_kernel_manager_class=helpers.server.{manager}",
        f"--{manager}.max_kernels={max_kernels}",
        f"--{manager}.cull_idle_timeout={cull_idle_seconds}",
        f"--{manager}.cull_interval={cull_interval_seconds}",
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
    timeout: float = 90,
    log_dir: Path | None = None,
    **options,
) -> Server:
    """Start Voilà serving ``notebook`` (see :func:`voila_command`, which takes ``options``:
    ``pool_size``, ``max_kernels``, ...) and wait until it answers.

    With a pool, the server answers before the pool's kernels have run the notebook; the first
    page then waits for them (see the benchmark for how long).
    """
    port = port or free_port()
    env = voila_env(template_dir)
    cmd = voila_command(notebook, port, template_dir=template_dir, **options)
    # Any page would make Voilà run the notebook: a listening socket is the sign it is up.
    return _start("Voilà", cmd, env, port, "", None, timeout, log_dir, None)


class _LocalHostOnly:
    """Refuses (403) a request whose ``Host`` is not this machine, before the route's own
    ``prepare``: for the routes that are not Jupyter handlers (static files, Voilà's
    request-info websocket), which Jupyter's check does not reach."""

    def prepare(self, *args, **kwargs):
        if not host_is_local(self.request.host, self.settings.get("local_hostnames", ())):
            raise web.HTTPError(403, "Host %r is not this machine", self.request.host)
        return super().prepare(*args, **kwargs)


class _PageSetsXsrfCookie:
    """Sets the ``_xsrf`` cookie with the page. As it unloads, Voilà's page asks the server to
    shut its kernel down, sending the cookie's value back; stock Voilà never sets the cookie,
    so the server refuses the request (403, "'_xsrf' argument missing from POST",
    voila-dashboards/voila#1458) and the kernel of every closed or reloaded page lives on."""

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        self.xsrf_token  # noqa: B018 (reading it sets the cookie)


def _local_voila():
    """Voilà's application with Jupyter's host check on (stock Voilà sets
    ``allow_remote_access``, which turns it off) and extended to every route, and pages that
    can free their kernel as they close."""
    from jupyter_server.base.handlers import JupyterHandler
    from voila.app import Voila
    from voila.handler import VoilaHandler

    def local_only(route):
        pattern, handler, *rest = route
        if issubclass(handler, VoilaHandler):
            handler = type(handler.__name__, (_PageSetsXsrfCookie, handler), {})
        elif not issubclass(handler, JupyterHandler):  # Jupyter handlers check the host
            handler = type(handler.__name__, (_LocalHostOnly, handler), {})
        return (pattern, handler, *rest)

    class LocalVoila(Voila):
        def init_settings(self):
            return {
                **super().init_settings(),
                "allow_remote_access": False,
                "local_hostnames": ["localhost"],
            }

        def init_handlers(self):
            return [local_only(route) for route in super().init_handlers()]

    return LocalVoila


if __name__ == "__main__":  # python -m helpers.server NOTEBOOK [VOILA OPTIONS]: see voila_command
    _local_voila().launch_instance()
