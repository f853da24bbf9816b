"""JupyterLab in headless Chromium: every notebook opens, runs all its cells offline, shows no
unexpected error, and renders every chart and slider.

Playwright drives the system Chromium (``/usr/bin/chromium``; it never downloads a browser). Every
request that is not to 127.0.0.1 is aborted and recorded, which shows the course works offline.
Without Chromium the tests skip with a reason, unless ``J2_REQUIRE_BROWSER=1`` (set by .ci/run),
which turns the skip into a failure. A full-page screenshot of every notebook go to
``$J2_ARTIFACT_DIR`` (default ``build/browser``), with ``timings.tsv``: per notebook, the seconds
from opening it to all outputs rendered, then the milliseconds from each explorer's slider key
press to its redrawn chart (recorded, never asserted).
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ARTIFACTS, require_chromium

from helpers.server import SERVER_FLAG

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    require_chromium()
    (ARTIFACTS / "timings.tsv").unlink(missing_ok=True)  # this run's timings only
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
        SERVER_FLAG,
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


# An explorer draws its chart in the browser (vega-embed inside Altair's chart widget): one
# <svg class="marks"> in the widget box.
_EXPLORER_CHART = """i => { const box = document.querySelectorAll('.jupyter-widgets.widget-vbox')[i];
    const svg = box && box.querySelector('.vega-embed svg.marks');
    return svg ? svg.outerHTML : ''; }"""


def _chart_markup(page, explorer_index: int) -> str:
    """The markup of the chart inside one explorer."""
    return page.evaluate(_EXPLORER_CHART, explorer_index)


def _move_one_slider(page, explorer_index: int) -> str:
    """Press End on the first slider handle of an explorer (jump to its maximum, as a learner's
    keyboard would); returns that slider's readout afterwards."""
    box = page.locator(".jupyter-widgets.widget-vbox").nth(explorer_index)
    handle = box.locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press("End")
    return box.locator(".widget-readout").first.inner_text()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_and_renders_offline(lab, offline_page, screenshot, name):
    base, token = lab
    page, blocked = offline_page
    t_open = time.perf_counter()
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
    want = _expected(name)
    # Rendered: every committed chart is back as a decoded picture, every explorer has drawn
    # its chart and no widget is still loading.
    page.wait_for_function(
        """([n, m]) => { const imgs = [...document.querySelectorAll(".jp-OutputArea-output[data-mime-type='image/svg+xml'] img")];
                  return imgs.filter(i => i.complete && i.naturalWidth > 0).length >= n
                      && document.querySelectorAll('.widget-vbox .vega-embed svg.marks').length >= m
                      && !document.body.innerText.includes('Loading widget'); }""",
        arg=[want["svgs"], want["explorers"]],
        timeout=60_000,
    )
    seconds_to_rendered = time.perf_counter() - t_open
    # JupyterLab renders tracebacks (and warnings) with the stderr mime type.
    errors = page.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
    ).count()
    text = page.locator(".jp-NotebookPanel").inner_text()
    # JupyterLab shows an SVG output as an <img>; count those that actually decoded to a picture.
    charts = page.evaluate(
        """() => {
            const drawn = el => [...el.querySelectorAll('img')].some(i => i.complete && i.naturalWidth > 0);
            const all = [...document.querySelectorAll(".jp-OutputArea-output[data-mime-type='image/svg+xml']")];
            return {top: all.filter(el => !el.closest('.jupyter-widgets') && drawn(el)).length,
                    widget: document.querySelectorAll('.widget-vbox .vega-embed svg.marks').length};
        }"""
    )
    svgs, widget_svgs = charts["top"], charts["widget"]
    sliders = page.locator(
        ".jupyter-widgets .widget-slider, .jupyter-widgets.widget-slider"
    ).count()
    # Move one slider in every explorer and wait for its chart to be redrawn; note how long the
    # page took from the key press to the new chart (kernel, websocket and browser together).
    unchanged, redraw_ms = [], []
    explorers = page.locator(".jupyter-widgets.widget-vbox").count()
    for i in range(explorers):
        before = _chart_markup(page, i)
        t_press = time.perf_counter()
        readout = _move_one_slider(page, i)
        try:
            page.wait_for_function(
                f"([i, before]) => {{ const now = ({_EXPLORER_CHART})(i);"
                " return now !== '' && now !== before; }",
                arg=[i, before],
                polling="raf",
                timeout=20_000,
            )
            redraw_ms.append(1e3 * (time.perf_counter() - t_press))
        except Exception:
            unchanged.append(f"explorer {i} (first slider now {readout})")
    stem = Path(name).stem
    for i in range(explorers):  # each explorer after its move, as a learner sees it
        screenshot(page.locator(".jupyter-widgets.widget-vbox").nth(i), f"{stem}_explorer_{i + 1}")
    # A full-page picture: grow the window to the notebook's height, then photograph it.
    height = page.evaluate(
        "() => Math.max(...['.jp-WindowedPanel-outer', '.jp-WindowedPanel-inner', '.jp-Notebook']"
        ".map(q => document.querySelector(q)).filter(Boolean).map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 200, 30_000)})
    page.evaluate(
        "() => document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })"
    )
    page.wait_for_timeout(500)
    screenshot(page, stem)
    with open(ARTIFACTS / "timings.tsv", "a") as f:
        moves = " ".join(f"{ms:.0f}" for ms in redraw_ms)
        f.write(f"{name}\t{seconds_to_rendered:.1f}\t{moves}\n")
    assert errors == want["errors"], (
        f"{errors} error/stderr outputs, expected {want['errors']} (raises-exception cells)"
    )
    for message in ("Error displaying widget", "Loading widget", "Model not found"):
        assert message not in text, f"a widget did not render: {message!r} on the page"
    assert svgs >= want["svgs"], (
        f"{svgs} charts rendered, the committed notebook has {want['svgs']}"
    )
    if want["explorers"]:
        assert explorers >= want["explorers"], "an explorer cell rendered no widget box"
        assert sliders >= 1, "explorer cell rendered no slider"
        assert widget_svgs >= want["explorers"], "explorer rendered no chart"
    assert not unchanged, f"moving a slider did not redraw the chart: {unchanged}"
    assert not blocked, f"requests to the network: {blocked}"
