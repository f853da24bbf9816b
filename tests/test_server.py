"""The servers the course starts (helpers.server): JupyterLab keeps its login token off every
command line; Voilà's calculator mode refuses requests for another host, holds at most
``max_kernels`` kernels and shuts down kernels no page uses.

The Voilà tests start the server as calculator mode does, on a one-cell notebook (a kernel
runs it in about a second), and count its kernels as the processes it started (``/proc``).
Requests are sent as a cross-site page makes a browser send them: a plain GET whose answer
nobody runs, so no page ever connects to the kernel.
"""

from __future__ import annotations

import ast
import asyncio
import concurrent.futures
import http.client
import importlib.util
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from conftest import require_chromium
from tornado.websocket import websocket_connect

import helpers.__main__ as launcher
from helpers import server

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("calculators", ROOT / "tools" / "calculators.py")
calculators = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(calculators)

PROC = Path("/proc")
needs_proc = pytest.mark.skipif(not (PROC / "self" / "cmdline").exists(), reason="needs /proc")


# --- Tokens -------------------------------------------------------------------------------


class _Exits:
    """Stands in for ``subprocess.Popen``: records how the server was started and exits."""

    returncode = 1
    started: list = []

    def __init__(self, cmd, env=None, **_):
        _Exits.started.append((list(cmd), dict(env or {})))

    def poll(self):
        return 1


def _no_secret_in(cmd: list[str], token: str) -> None:
    assert len(token) >= 32, token
    assert not [a for a in cmd if token in a], f"the token is on the command line: {cmd}"
    assert not [a for a in cmd if "token" in a.lower()], f"a token option: {cmd}"


def test_start_lab_passes_its_token_in_the_environment(monkeypatch, tmp_path):
    """The browser tests and the benchmark start JupyterLab with start_lab."""
    _Exits.started = []
    monkeypatch.setattr(server.subprocess, "Popen", _Exits)
    with pytest.raises(RuntimeError, match="JupyterLab exited with code 1"):
        server.start_lab(tmp_path, args=["--LabApp.expose_app_in_browser=True"], log_dir=tmp_path)
    ((cmd, env),) = _Exits.started
    _no_secret_in(cmd, env["JUPYTER_TOKEN"])


def test_make_lab_passes_its_token_in_the_environment(monkeypatch, capsys):
    """``make lab`` is ``python -m helpers lab`` (tests/test_packaging.py checks the Makefile)."""
    calls = []
    monkeypatch.setattr(
        launcher.subprocess, "call", lambda cmd, env, cwd: calls.append((cmd, env)) or 0
    )
    assert launcher.lab(["--port", "8899"]) == 0
    ((cmd, env),) = calls
    token = env["JUPYTER_TOKEN"]
    _no_secret_in(cmd, token)
    assert f"token={token}" in capsys.readouterr().out  # the learner still gets the address
    recipes = [line for line in (ROOT / "Makefile").read_text().splitlines() if line[:1] == "\t"]
    assert not [line for line in recipes if "token" in line.lower()], recipes


def test_voila_has_no_token_to_leak(monkeypatch, tmp_path):
    _Exits.started = []
    monkeypatch.setattr(server.subprocess, "Popen", _Exits)
    with pytest.raises(RuntimeError, match="Voilà exited"):
        calculators.start(log_dir=tmp_path)
    ((cmd, _),) = _Exits.started
    assert not [a for a in cmd if "token" in a.lower()], cmd


def test_the_benchmark_starts_its_servers_through_helpers_server():
    """benchmarks/run.py starts JupyterLab and Voilà only with start_lab, start_voila and
    tools/calculators.py's start, and adds no token option of its own."""
    source = (ROOT / "benchmarks" / "run.py").read_text()
    calls = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
    }
    assert {"start_lab", "start_voila", "start"} <= calls
    assert "Popen" not in calls
    options = [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    assert not [s for s in options if s.startswith("--") and "token" in s.lower()]
    for line in re.findall(r"subprocess\.\w+\((.*)", source):
        assert not re.search(r"jupyter|voila|lab\b", line), line


def _tree(pid: int) -> list[int]:
    """``pid`` and every process descended from it."""
    parents = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += [c for c, parent in parents.items() if parent == p]
    return found


def _cmdline(pid: int) -> str:
    try:
        return (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@needs_proc
def test_a_running_lab_server_shows_no_token_in_the_process_list(tmp_path):
    env = {"JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_DATA_DIR": str(tmp_path)}
    with server.start_lab(tmp_path, env=env, log_dir=tmp_path) as lab:
        status = f"{lab.url}/api/status"
        with urllib.request.urlopen(f"{status}?token={lab.token}", timeout=10) as answer:
            assert answer.status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:  # the token is what lets us in
            urllib.request.urlopen(status, timeout=10)
        assert refused.value.code == 403
        lines = {pid: _cmdline(pid) for pid in _tree(lab.process.pid)}
        assert "jupyterlab" in lines[lab.process.pid]
        assert not [line for line in lines.values() if lab.token in line], lines


# --- Voilà: which hosts, how many kernels, for how long ------------------------------------


@pytest.fixture(scope="module")
def one_cell(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("voila") / "one_cell.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("answer = 6 * 7\nanswer")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(nb, path)
    return path


def _voila(notebook: Path, log_dir: Path, **options) -> server.Server:
    return server.start_voila(
        notebook, template_dir=calculators.TEMPLATES, log_dir=log_dir, **options
    )


def _kernels(voila: server.Server) -> set[int]:
    """The kernels' process ids."""
    return {p for p in _tree(voila.process.pid)[1:] if "ipykernel" in _cmdline(p)}


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (value := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {seconds:.0f} s")
        time.sleep(0.2)
    return value


def _request(
    voila: server.Server, path: str = "/", host: str | None = None, method: str = "GET", **headers
) -> tuple[int, str]:
    """A request as a cross-site page's ``<img>`` or hidden frame makes a browser send it."""
    port = int(voila.url.rsplit(":", 1)[1])
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Sec-Fetch-Site": "cross-site", "Referer": "http://evil.example/", **headers}
    if host is not None:
        headers["Host"] = host
    connection.request(method, path, headers=headers)
    answer = connection.getresponse()
    body = answer.read().decode(errors="replace")
    connection.close()
    return answer.status, body


def _kernel_id(page: str) -> str:
    return re.search(r'"kernelId": "([0-9a-f-]{36})"', page).group(1)


def test_calculator_mode_is_started_with_a_ceiling_and_a_culler():
    cmd = calculators.command(8866)
    assert cmd[1:3] == ["-m", "helpers.server"]  # Voilà with the host check (LocalVoila)
    manager = "--VoilaConfiguration.multi_kernel_manager_class=helpers.server.CappedKernelManager"
    assert manager in cmd
    assert f"--CappedKernelManager.max_kernels={server.MAX_KERNELS}" in cmd
    assert f"--CappedKernelManager.cull_idle_timeout={server.CULL_IDLE_SECONDS}" in cmd
    assert f"--CappedKernelManager.cull_interval={server.CULL_INTERVAL_SECONDS}" in cmd
    assert server.MAX_KERNELS == 4 and server.CULL_IDLE_SECONDS == 600
    with pytest.raises(ValueError, match="pool_size must be from 0 to max_kernels - 1 = 1"):
        calculators.command(8866, pool_size=2, max_kernels=2)
    with pytest.raises(ValueError, match="cull_idle_seconds"):
        calculators.command(8866, cull_idle_seconds=0)


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("127.0.0.1:8866", True),
        ("127.0.0.1", True),
        ("localhost:8866", True),
        ("[::1]:8866", True),
        ("127.1.2.3:80", True),
        ("evil.example", False),
        ("evil.example:8866", False),
        ("127.0.0.1.evil.example:8866", False),
        ("localhost.evil.example", False),
        ("192.168.1.10:8866", False),
        ("[::ffff:10.0.0.1]:8866", False),
        ("", False),
    ],
)
def test_host_is_local(host, local):
    assert server.host_is_local(host) is local


@needs_proc
def test_voila_refuses_a_request_for_another_host_on_every_route(one_cell, tmp_path):
    """A DNS-rebinding page reaches 127.0.0.1 under its own name: the Host header is its."""
    with _voila(one_cell, tmp_path, pool_size=0) as voila:
        port = voila.url.rsplit(":", 1)[1]
        some_id = "0123abcd-0123-4abc-8def-0123456789ab"
        routes = [  # one of each of Voilà's routes (voila.app.Voila.init_handlers)
            ("GET", "/"),
            ("GET", "/voila/static/voila.js"),
            ("GET", "/voila/templates/lab/static/index.css"),
            ("GET", "/voila/labextensions/@voila-dashboards/widgets-manager8/package.json"),
            ("GET", "/voila/files/picture.png"),
            ("GET", "/voila/api/themes/light"),
            ("GET", f"/api/kernels/{some_id}"),
            ("GET", f"/api/kernels/{some_id}/channels"),
            ("POST", f"/voila/api/shutdown/{some_id}"),
            ("GET", "/login"),
        ]
        # To the browser, the rebinding page's requests to its own name are same-origin.
        rebinding = {"Origin": f"http://evil.example:{port}", "Sec-Fetch-Site": "same-origin"}
        for method, path in routes:
            host = f"evil.example:{port}"
            status, _ = _request(voila, path, host=host, method=method, **rebinding)
            assert status == 403, (method, path, status, voila.log_tail(800))
        assert not _kernels(voila), "a request for another host started a kernel"
        # The same requests for this machine are answered (200, 302, 404): the host made the 403.
        same = {"Cookie": "_xsrf=c0ffee", "X-XSRFToken": "c0ffee", "Sec-Fetch-Site": "same-origin"}
        for method, path in routes[1:]:
            status, _ = _request(voila, path, host=f"127.0.0.1:{port}", method=method, **same)
            assert status in (200, 302, 404), (method, path, status)
        # This machine, by any of its names: the page runs (a kernel each) and static files load.
        for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
            status, page = _request(voila, "/", host=host)
            assert status == 200 and "42" in page, (host, status, page[-500:])
        assert len(_kernels(voila)) == 2
        assert _request(voila, "/voila/static/voila.js", host=f"[::1]:{port}")[0] == 200


@needs_proc
def test_voila_refuses_a_request_for_another_host_on_the_request_info_websocket(one_cell, tmp_path):
    """The route a preheated page opens (Voilà's pool) is a plain Tornado websocket, which
    Jupyter's host check does not reach; to the browser, a rebinding page opening it is
    same-origin, so Tornado's own cross-origin check lets it through."""
    with _voila(one_cell, tmp_path, pool_size=1) as voila:
        port = voila.url.rsplit(":", 1)[1]
        upgrade = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}
        upgrade["Sec-WebSocket-Key"] = "dGhlIHNhbXBsZSBub25jZQ=="
        path = "/voila/query/0123abcd-0123-4abc-8def-0123456789ab"
        for host, status in ((f"evil.example:{port}", 403), (f"127.0.0.1:{port}", 101)):
            origin = {"Origin": f"http://{host}", "Sec-Fetch-Site": "same-origin"}
            assert _request(voila, path, host=host, **upgrade, **origin)[0] == status, host


@needs_proc
def test_voila_holds_at_most_max_kernels_and_says_why(one_cell, tmp_path):
    """With a pool of one and room for two: the ready kernel serves the first visitor, its
    replacement the second, whose own replacement is refused; after that, 503 with a page
    that says why, until a kernel is freed; then the pool is refilled."""
    with _voila(one_cell, tmp_path, pool_size=1, max_kernels=2) as voila:
        _wait(lambda: len(_kernels(voila)) == 1, 60, "the pool's kernel")
        answers = []
        for _ in range(5):
            answers.append(_request(voila))
            time.sleep(1.5)  # Voilà refills its pool a second after a visitor takes from it
            assert len(_kernels(voila)) <= 2, [a[0] for a in answers]
        assert [status for status, _ in answers] == [200, 200, 503, 503, 503]
        busy = answers[-1][1]
        assert (
            "The calculators are busy" in busy
            and "already runs as many kernels as it may (2)" in busy
        )
        assert "https://" not in busy  # the page loads nothing from elsewhere
        # A visitor closes their page: Voilà's page posts this as it unloads.
        xsrf = {"Cookie": "_xsrf=c0ffee", "X-XSRFToken": "c0ffee"}
        shutdown = f"/voila/api/shutdown/{_kernel_id(answers[0][1])}"
        assert _request(voila, shutdown, method="POST", **xsrf)[0] == 204
        _wait(lambda: len(_kernels(voila)) == 2, 60, "the pool refilled after a page closed")
        status, page = _request(voila)
        assert status == 200 and "42" in page


@needs_proc
def test_voila_holds_at_most_max_kernels_under_concurrent_requests(one_cell, tmp_path):
    with _voila(one_cell, tmp_path, pool_size=0, max_kernels=2) as voila:
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            statuses = sorted(s for s, _ in pool.map(lambda _: _request(voila), range(6)))
        assert statuses == [200, 200, 503, 503, 503, 503]
        assert len(_kernels(voila)) == 2


@needs_proc
def test_voila_culls_a_kernel_no_page_uses_and_keeps_the_pool_and_open_pages(one_cell, tmp_path):
    idle = 6

    async def until(condition, what: str, seconds: float = 60):
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"{what}: not within {seconds} s"
            await asyncio.sleep(0.2)

    options = {"pool_size": 1, "cull_idle_seconds": idle, "cull_interval_seconds": 1}
    with _voila(one_cell, tmp_path, **options) as voila:
        (ready,) = _wait(lambda: _kernels(voila), 60, "the pool's kernel")
        _request(voila)  # takes the ready kernel; nobody runs this page
        _, opened = _request(voila)  # this page stays open: its websocket is connected
        channels = f"{voila.url.replace('http', 'ws')}/api/kernels/{_kernel_id(opened)}/channels"

        async def watch():
            socket = await websocket_connect(channels)
            try:
                await until(lambda: ready not in _kernels(voila), "the unused kernel culled")
                kept = _kernels(voila)
                assert len(kept) == 2, kept  # the open page's, and the pool's new ready kernel
                await asyncio.sleep(3 * idle)
                assert _kernels(voila) == kept, "an open page's or the pool's kernel was culled"
            finally:
                socket.close()
            await until(lambda: len(_kernels(voila)) == 1, "the closed page's kernel culled")

        asyncio.run(watch())
        assert _request(voila)[0] == 200


@pytest.mark.browser
@needs_proc
def test_a_calculator_page_frees_its_kernel_when_reloaded_or_closed(one_cell, tmp_path):
    """The ceiling counts on Voilà's page shutting its kernel down as it unloads (a beacon to
    /voila/api/shutdown, which stock Voilà refuses for want of an _xsrf cookie)."""
    require_chromium()
    from conftest import CHROMIUM, CHROMIUM_ARGS
    from playwright.sync_api import sync_playwright

    shown = "() => document.body.innerText.includes('42')"
    with _voila(one_cell, tmp_path, pool_size=1) as voila, sync_playwright() as pw:
        (ready,) = _wait(lambda: _kernels(voila), 60, "the pool's kernel")
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # A context of its own: a page made by browser.new_page() takes its context down with
        # it as it closes, before the page's unload beacon goes out.
        page = browser.new_context().new_page()
        page.goto(voila.url + "/", wait_until="load", timeout=60_000)
        page.wait_for_function(shown, timeout=60_000)  # on the pool's kernel, `ready`
        page.reload(wait_until="load", timeout=60_000)
        page.wait_for_function(shown, timeout=60_000)
        _wait(lambda: ready not in _kernels(voila), 30, "the first view's kernel freed on reload")
        page.close(run_before_unload=True)
        _wait(lambda: len(_kernels(voila)) == 1, 30, "the second view's kernel freed on close")
        browser.close()


def test_the_course_s_voila_answers_as_it_is_configured(one_cell):
    """The application itself, without a server: host check on, and the routes Jupyter's check
    does not reach wrapped in the course's."""
    from jupyter_server.base.handlers import JupyterHandler

    app = server._local_voila()()
    on_term = signal.getsignal(signal.SIGTERM)
    try:
        app.initialize([str(one_cell), "--Voila.ip=127.0.0.1", "--preheat_kernel=True"])
    finally:
        signal.signal(signal.SIGTERM, on_term)  # Voilà installs its own
    assert app.init_settings()["allow_remote_access"] is False
    handlers = [route[1] for route in app.init_handlers()]
    assert len(handlers) >= 10
    unchecked = [h for h in handlers if not issubclass(h, (JupyterHandler, server._LocalHostOnly))]
    assert not unchecked, unchecked
    from voila.handler import VoilaHandler

    pages = [h for h in handlers if issubclass(h, VoilaHandler)]
    assert pages and all(issubclass(h, server._PageSetsXsrfCookie) for h in pages)
