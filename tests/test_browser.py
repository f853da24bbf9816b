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
import time
from pathlib import Path

import pytest
from conftest import ARTIFACTS, require_chromium

from helpers.server import start_lab

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab as a learner meets it on a new machine or on Binder: a fresh Jupyter data
    directory (nothing trusted), every cell in the page (windowed rendering off, so all outputs
    can be counted), no autosave (the tests never write to the notebooks) and no news toast."""
    require_chromium()
    (ARTIFACTS / "timings.tsv").unlink(missing_ok=True)  # this run's timings only
    home = tmp_path_factory.mktemp("jupyter")
    config = home / "config"
    (config / "labconfig").mkdir(parents=True)
    (config / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}})
    )
    settings = home / "settings"
    for plugin, values in {
        "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
        "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    }.items():
        path = settings / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        "JUPYTER_CONFIG_DIR": str(config),
        "JUPYTER_DATA_DIR": str(home / "data"),  # no notebook signatures: nothing is trusted
        "JUPYTERLAB_SETTINGS_DIR": str(settings),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    args = ["--LabApp.expose_app_in_browser=True"]  # window.jupyterapp, for the tests
    with start_lab(ROOT, env=env, args=args, log_dir=home) as server:
        assert server.token not in " ".join(server.process.args), "token on the command line"
        yield server.url, server.token


def _expected(name: str) -> dict:
    """What the committed notebook holds: chart outputs, explorer cells, error cells."""
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    live = [c for c in code if "live-widget" in c.get("metadata", {}).get("tags", [])]
    outputs = [(c, o) for c in code for o in c.get("outputs", [])]
    pngs = [o for _, o in outputs if "image/png" in o.get("data", {})]
    return {
        "errors": sum("raises-exception" in c.get("metadata", {}).get("tags", []) for c in code),
        # Run All: static charts come back as SVG; live cells become widgets.
        "svgs": sum("image/svg+xml" in o.get("data", {}) for c, o in outputs if c not in live),
        "explorers": sum(
            any("image/png" in o.get("data", {}) for o in c.get("outputs", [])) for c in live
        ),
        # First open, untrusted: every chart and every explorer's still as a PNG.
        "png_widths": [o["metadata"]["image/png"]["width"] for o in pngs],
    }


def _full_page_screenshot(page, screenshot, name: str) -> None:
    """Grow the window to the notebook's height, then photograph the whole page."""
    height = page.evaluate(
        "() => Math.max(...['.jp-WindowedPanel-outer', '.jp-WindowedPanel-inner', '.jp-Notebook']"
        ".map(q => document.querySelector(q)).filter(Boolean).map(e => e.scrollHeight))"
    )
    page.set_viewport_size({"width": 1280, "height": min(int(height) + 200, 30_000)})
    page.evaluate(
        "() => document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })"
    )
    page.wait_for_timeout(500)
    screenshot(page, name)


def _open_as_saved(page, base: str, token: str, name: str) -> None:
    page.goto(f"{base}/lab/tree/notebooks/{name}?reset&token={token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)


# Every picture shown as an image output, with its size on the page and whether it decoded.
_IMAGES = """() => [...document.querySelectorAll(
        ".jp-OutputArea-output[data-mime-type='image/png'] img,"
        + " .jp-OutputArea-output[data-mime-type='image/svg+xml'] img")]
    .map(i => ({mime: i.closest('[data-mime-type]').dataset.mimeType,
                decoded: i.complete && i.naturalWidth > 0,
                width: Number(i.getAttribute('width'))}))"""


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opened_as_saved_shows_every_chart(lab, offline_page, screenshot, name):
    """What a class on Binder sees first: the committed notebook, untrusted, before anything
    runs. Every chart, and every explorer's starting picture, shows as an image at its size;
    no chart appears as text."""
    base, token = lab
    page, blocked = offline_page
    want = _expected(name)["png_widths"]
    _open_as_saved(page, base, token, name)
    page.wait_for_function(
        f"n => ({_IMAGES})().filter(i => i.decoded).length >= n", arg=len(want), timeout=60_000
    )
    images = page.evaluate(_IMAGES)
    trusted = page.evaluate(
        "() => window.jupyterapp.shell.currentWidget.content.model.cells.get(0).trusted"
    )
    outputs = "\n".join(page.locator(".jp-OutputArea").all_inner_texts())
    _full_page_screenshot(page, screenshot, f"{Path(name).stem}_as_saved")
    assert not trusted, "the notebook opened as trusted: the test would not see what Binder shows"
    assert [i["mime"] for i in images] == ["image/png"] * len(want), images
    assert all(i["decoded"] for i in images), images
    assert [i["width"] for i in images] == want, "an image is not shown at its own size"
    for text in ("alt.Chart", "alt.LayerChart", "Chart: "):
        assert text not in outputs, f"a chart shows as text ({text!r}) instead of a picture"
    assert not blocked, f"requests to the network: {blocked}"


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
    _open_as_saved(page, base, token, name)
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
    _full_page_screenshot(page, screenshot, stem)
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


@pytest.fixture(scope="module")
def default_lab(tmp_path_factory):
    """JupyterLab with its default notebook settings (windowed rendering on), nothing trusted."""
    require_chromium()
    home = tmp_path_factory.mktemp("jupyter-default")
    settings = home / "settings" / "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings"
    settings.parent.mkdir(parents=True)
    settings.write_text(json.dumps({"autosave": False}))  # the tests never write notebooks
    env = {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    args = ["--LabApp.expose_app_in_browser=True"]
    with start_lab(ROOT, env=env, args=args, log_dir=home) as server:
        yield server.url, server.token


def test_a_glossary_link_opens_the_glossary_at_its_entry(default_lab, offline_page, screenshot):
    """Chapters link to ``glossary.ipynb#cell-id=g-<term>``; in JupyterLab (default settings)
    the click opens the glossary and scrolls to that entry's cell. An ``<a id>`` would not do:
    JupyterLab renames ids in untrusted markdown and cannot search cells it has not rendered.
    (With windowed rendering switched off, JupyterLab 4.6 opens the glossary at its top.)"""
    base, token = default_lab
    page, blocked = offline_page
    _open_as_saved(page, base, token, "02_chain_of_thought.ipynb")
    link = page.locator("a[href*='glossary.ipynb'][href$='#cell-id=g-kv-cache']").first
    link.scroll_into_view_if_needed()
    link.click()
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " return w && w.context && w.context.path.endsWith('glossary.ipynb'); }",
        timeout=30_000,
    )
    page.wait_for_function(
        """() => { const nb = window.jupyterapp.shell.currentWidget.content;
            const cell = nb.widgets.find(c => c.model.id === 'g-kv-cache');
            if (!cell) return false;
            const r = cell.node.getBoundingClientRect();
            return r.bottom > 100 && r.top < window.innerHeight; }""",
        timeout=30_000,
    )
    screenshot(page, "glossary_link_in_lab")
    assert not blocked, f"requests to the network: {blocked}"
