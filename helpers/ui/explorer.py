"""The explorer: sliders wired to a calculator and a chart that redraws in the browser.

:func:`explorer` is the one pattern every chapter uses: a dict of controls, a ``figure``
function that turns their values into a chart builder and its arguments, and a chart drawn in
the browser that redraws on every change (:mod:`helpers.ui.chart_view`). Its box also displays
as a still picture where no live widget can run (:class:`WithStill`).
"""

from __future__ import annotations

import html
from collections.abc import Callable

import ipywidgets as widgets

from helpers.ui import chart_view, render, templates

__all__ = ["WithStill", "Explorer", "explorer"]


class WithStill:
    """A live widget whose mime bundle also carries a still form of what it shows first.

    A running notebook shows the live widget; a saved one, opened before anything runs (or
    untrusted, or in a front end without widgets, or as a static page), shows the still: where
    the widget starts. ``tools/execute_notebooks.py`` commits the still and drops the live
    widget, whose state a saved notebook cannot bring back.
    """

    note = "Live widget: it appears when this cell runs. What it shows first:"

    def still(self) -> tuple[dict, dict]:
        """``(data, metadata)`` of a mime bundle: the widget's starting output."""
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        live = super()._repr_mimebundle_(**kwargs)
        data, metadata = self.still()
        return {**data, **live, "text/plain": f"{self.note} {data['text/plain']}"}, metadata


class Explorer(WithStill, widgets.VBox):
    """An explorer's box: controls, a line for problems, and the chart that redraws (see
    :func:`explorer`). Its still is the chart at the controls' values as a picture
    (:func:`helpers.ui.render.chart_bundle`: PNG and text; the SVG is left out to keep the
    committed notebooks small, and nbval does not compare explorer cells)."""

    note = "Explorer: its sliders appear when this cell runs. Starting picture:"

    def values(self) -> dict:
        return {k: c.value for k, c in self.control_widgets.items()}

    def still(self) -> tuple[dict, dict]:
        data, metadata = render.chart_bundle(self.spec_function(**self.values()))
        data.pop("image/svg+xml")
        return data, metadata


def explorer(figure: Callable[..., tuple], controls: dict[str, widgets.Widget]) -> Explorer:
    """Wire ``controls`` to a chart that redraws in the browser on every change.

    Parameters
    ----------
    figure : callable
        Takes one keyword argument per control and returns ``(builder, kwargs)``: a two-step
        chart builder of a chapter's view (see :func:`helpers.ui.templates.two_step`) and its
        arguments. A slider move computes them, refills the chart's template
        (:class:`helpers.ui.templates.SpecTemplates`) and sends the new tables and title to the
        browser, which redraws the chart in place (:class:`helpers.ui.chart_view.ChartView`).
    controls : dict
        Keyword name → widget.

    The box keeps ``draw_function`` (values → the Altair chart, e.g. for a static page),
    ``fill_function`` (values → the template and the changes a move sends) and
    ``spec_function`` (values → the specification the chart then shows), so that tests,
    benchmarks and the static book can drive the explorer without a browser.
    """
    shapes = templates.SpecTemplates()

    def draw(**values):
        builder, kwargs = figure(**values)
        return builder(**kwargs)

    def fill(**values):
        builder, kwargs = figure(**values)
        return shapes.fill(builder, **kwargs)

    def spec(**values):
        return templates.refill(*fill(**values))

    def values():
        return {k: c.value for k, c in controls.items()}

    view = chart_view.chart_view(*fill(**values()))
    problem = widgets.HTML()

    def redraw(_change=None):
        try:
            view.show(*fill(**values()))
            problem.value = ""
        except Exception as err:  # shown beside the chart instead of lost in a log
            problem.value = f"<b>Could not redraw:</b> {html.escape(str(err))}"

    for control in controls.values():
        control.observe(redraw, names="value")
    box = Explorer([*controls.values(), problem, view])
    box.draw_function, box.fill_function, box.spec_function = draw, fill, spec
    box.control_widgets = controls
    box.spec_templates = shapes
    return box
