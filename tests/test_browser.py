"""JupyterLab in headless Chromium: every notebook opens, runs all its cells offline, shows no
unexpected error, and renders every chart and slider.

Playwright drives the system Chromium (``/usr/bin/chromium``; it never downloads a browser). Every
request that is not to 127.0.0.1 is aborted and recorded, which shows the course works offline.
Without Chromium the tests skip with a reason, unless ``J2_REQUIRE_BROWSER=1`` (set by .ci/run),
which turns the skip into a failure. Screenshots go to ``$J2_SCREENSHOT_DIR`` if it is set.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _require_browser():
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("J2_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; J2_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    _require_browser()
    home = tmp_path_factory.mktemp("jupyter")
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    # No "get notified about Jupyter news?" toast over the page.
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.expose_app_in_browser=True",
        "--ServerApp.port_retries=0",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(home / "server.log", "w")
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=1)
            break
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.5)
    else:
        proc.terminate()
        pytest.fail("JupyterLab did not start: " + (home / "server.log").read_text()[-2000:])
    if proc.poll() is not None:
        pytest.fail("JupyterLab exited: " + (home / "server.log").read_text()[-2000:])
    yield base, token
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _expected(name: str) -> dict:
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    tags = [set(c.get("metadata", {}).get("tags", [])) for c in code]
    svgs = sum(
        1 for c in code for o in c.get("outputs", []) if "image/svg+xml" in o.get("data", {})
    )
    return {
        "errors": sum("raises-exception" in t for t in tags),
        "svgs": svgs,
        "explorers": sum(
            "nbval-ignore-output" in t and "explorer(" in "".join(c["source"])
            for t, c in zip(tags, code, strict=True)
        ),
    }


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_renders_offline(lab, browser, name):
    base, token = lab
    blocked: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(r):
        url = r.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.wait_for_function(
        "() => { const p = window.jupyterapp?.shell?.currentWidget;"
        " return p && p.sessionContext && p.sessionContext.session?.kernel?.connectionStatus === 'connected'; }",
        timeout=60_000,
    )
    # Clear the committed outputs first, so that everything checked below was made in this page.
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "() => { const p = window.jupyterapp.shell.currentWidget; const cells = p.content.widgets;"
        " return cells.every(c => c.model.type !== 'code' || (c.model.executionCount !== null"
        " && !c.promptNode.textContent.includes('*'))) && p.sessionContext.session.kernel.status === 'idle'; }",
        timeout=180_000,
    )
    page.wait_for_timeout(1500)
    want = _expected(name)
    # JupyterLab renders tracebacks (and warnings) with the stderr mime type.
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).count()
    # JupyterLab shows an SVG output as an <img>; count those that actually decoded to a picture.
    charts = page.evaluate(
        """() => {
            const drawn = el => [...el.querySelectorAll('img')].some(i => i.complete && i.naturalWidth > 0)
                || el.querySelector('svg') !== null;
            const all = [...document.querySelectorAll(".jp-OutputArea-output[data-mime-type='image/svg+xml']")];
            const inWidget = all.filter(el => el.closest('.jupyter-widgets'));
            return {top: all.filter(el => !el.closest('.jupyter-widgets') && drawn(el)).length,
                    widget: inWidget.filter(drawn).length};
        }"""
    )
    svgs, widget_svgs = charts["top"], charts["widget"]
    sliders = page.locator(
        ".jupyter-widgets .widget-slider, .jupyter-widgets.widget-slider"
    ).count()
    if os.environ.get("J2_SCREENSHOT_DIR"):
        out = Path(os.environ["J2_SCREENSHOT_DIR"])
        out.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out / f"{Path(name).stem}.png"), full_page=False)
        explorer = page.locator(".jupyter-widgets.widget-vbox").first
        if explorer.count():
            explorer.scroll_into_view_if_needed()
            explorer.screenshot(path=str(out / f"{Path(name).stem}_explorer.png"))
    context.close()
    assert errors == want["errors"], (
        f"{errors} error/stderr outputs, expected {want['errors']} (raises-exception cells)"
    )
    assert svgs >= want["svgs"], (
        f"{svgs} charts rendered, the committed notebook has {want['svgs']}"
    )
    if want["explorers"]:
        assert sliders >= 1, "explorer cell rendered no slider"
        assert widget_svgs >= want["explorers"], "explorer rendered no chart"
    assert not blocked, f"requests to the network: {blocked}"
