"""The explorers' chart widget in headless Chromium, without JupyterLab: a chart redrawn in
place from new rows and a new title (what a slider move sends) is the chart a fresh drawing of
the whole specification gives: the same pixels and the same aria-labels. So is a view opened
after the moves.

The widget's code (helpers/chart_view.js, with Vega from the shared library module that
vl-convert bundles) runs in a blank offline page with a small stand-in for the widget model. The explorers' own ``ChartView``
decides, move by move, whether it sends changes or a whole specification, exactly as in a
kernel; the page then draws both ways at the same place and compares screenshots.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from test_widgets import EXPLORERS, _build, corner_cases

import helpers
from helpers.ui import chart_view as live

pytestmark = pytest.mark.browser

# In the page: `j2.load(code)` imports the bundled widget; `j2.start(state)` draws a chart
# widget (element #live) from a model stand-in (get/set/on as anywidget offers them);
# `j2.move(sent, whole)` sets the traits a move sends, awaits the widget's handlers as a comm
# message would trigger them, draws the whole specification afresh in #fresh, and draws the
# live model's state in a new view (#late). Both return the drawings' aria-labels, which
# screen readers read out.
_HARNESS = """
window.j2 = {
  async import(code) {
    const url = URL.createObjectURL(new Blob([code], {type: "text/javascript"}));
    return (await import(url)).default;
  },
  async load(library, view) {
    this.widget = await this.import(view);  // waits for Vega until the library is loaded
    await this.import(library);
  },
  model(state) {
    const handlers = {};
    return {
      get: (k) => state[k], set: (k, v) => { state[k] = v; }, save_changes() {}, send() {},
      on: (event, f) => { (handlers[event] ??= []).push(f); }, off() {}, state,
      async change(next) {
        const fired = Object.keys(next).filter((k) => JSON.stringify(state[k]) !== JSON.stringify(next[k]));
        Object.assign(state, next);
        for (const k of fired) await Promise.all((handlers["change:" + k] ?? []).map((f) => f()));
      },
    };
  },
  labels(id) {
    const svg = document.getElementById(id).querySelector("svg.marks");
    return svg ? [...svg.querySelectorAll("[aria-label]")].map((e) => e.getAttribute("aria-label")).sort() : null;
  },
  async draw(id, model) {
    document.getElementById(id)?.remove();
    const el = Object.assign(document.createElement("div"), {id});
    // Both drawings at the same place on the page (rasterised alike), one shown at a time.
    Object.assign(el.style, {position: "absolute", left: "0", top: "0", visibility: "hidden"});
    document.body.append(el);
    await this.widget.render({model, el});
  },
  async start(state) {
    this.live = this.model(state);
    await this.draw("live", this.live);
    return this.labels("live");
  },
  show(id) {
    for (const el of document.body.children) el.style.visibility = el.id === id ? "visible" : "hidden";
  },
  async move(sent, whole) {
    await this.live.change(sent);
    await this.draw("fresh", this.model(whole));
    // A view opened after the moves (a second view, a reloaded page) starts from spec + data.
    await this.draw("late", this.model(structuredClone({...this.live.state, ...sent})));
    return [this.labels("live"), this.labels("late"), this.labels("fresh")];
  },
};
"""

_OPTIONS = {"renderer": "svg", "actions": False}


def _states(name) -> tuple[list, int]:
    """What the explorer's chart widget holds after each move: the traits a move sends, and the
    whole specification it means. Also how many moves sent changes only."""
    helpers.setup()
    with contextlib.redirect_stdout(io.StringIO()):
        box = _build(name)
    view = box.children[-1]
    assert isinstance(view, live.ChartView)
    states = [{"spec": view.spec, "data": view.data, "embed_options": _OPTIONS}]
    in_place = 0
    for values in corner_cases(box):
        view.show(*box.fill_function(**values))
        in_place += view.data is not None
        states.append(
            {
                "sent": {"spec": view.spec, "data": view.data},
                "whole": {
                    "spec": box.spec_function(**values),
                    "data": None,
                    "embed_options": _OPTIONS,
                },
            }
        )
    return states, in_place


def _picture(page, id_: str) -> bytes:
    page.evaluate("id => j2.show(id)", id_)
    return page.locator(f"#{id_}").screenshot()


@pytest.mark.parametrize("name", EXPLORERS)
def test_a_chart_redrawn_in_place_is_the_chart_drawn_afresh(offline_page, name):
    """Same pixels and same aria-labels, move after move."""
    page, blocked = offline_page
    page.goto("about:blank")
    page.add_script_tag(content=_HARNESS)
    view_code = (Path(live.__file__).parent / "chart_view.js").read_text(encoding="utf-8")
    page.evaluate("([lib, view]) => j2.load(lib, view)", [live.bundle_code(), view_code])
    states, in_place = _states(name)
    assert in_place > 0, "no move redrew in place: nothing would be tested"
    page.evaluate("state => j2.start(state)", states[0])
    pictures = set()
    for i, state in enumerate(states[1:]):
        redrawn, late, fresh = page.evaluate(
            "([s, w]) => j2.move(s, w)", [state["sent"], state["whole"]]
        )
        assert fresh, f"move {i}: the fresh drawing failed"
        assert redrawn == fresh and late == fresh, f"move {i}: the aria-labels differ"
        picture = _picture(page, "fresh")
        assert _picture(page, "live") == picture, f"move {i}: redrawn in place, another picture"
        assert _picture(page, "late") == picture, f"move {i}: opened late, another picture"
        pictures.add(picture)
    assert len(pictures) > 1, "the moves changed nothing"
    assert blocked == []
