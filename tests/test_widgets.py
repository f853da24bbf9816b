"""Every explorer redraws without error at every corner of its sliders: widgets only offer valid
ranges. Runs headless (no browser): it calls the same callback the sliders call."""

import contextlib
import io

import altair as alt
import ipywidgets as w
import pytest

import helpers
from helpers import widgets

EXPLORERS = sorted(n for n in dir(widgets) if n.endswith("_explorer"))


def _build(name):
    with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel the first draw prints a repr
        return getattr(widgets, name)()


def _corners(control):
    if isinstance(control, w.FloatLogSlider):
        return [10**control.min, 10**control.max]
    if isinstance(control, (w.FloatSlider, w.IntSlider)):
        return [control.min, control.max]
    if isinstance(control, (w.Dropdown, w.ToggleButtons, w.RadioButtons, w.Select)):
        return (
            [v for _, v in control.options]
            if isinstance(control.options[0], tuple)
            else list(control.options)
        )
    if isinstance(control, (w.Checkbox, w.ToggleButton)):
        return [False, True]
    return [control.value]


def test_there_is_an_explorer_per_chapter_so_far():
    assert "crossover_explorer" in EXPLORERS


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_has_controls_and_output(name):
    box = _build(name)
    assert isinstance(box, w.VBox)
    assert box.control_widgets and callable(box.draw_function)
    assert isinstance(box.children[-1], w.Output)


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_slider_corner_draws_a_chart(name):
    helpers.setup()
    box = _build(name)
    controls = box.control_widgets
    defaults = {k: c.value for k, c in controls.items()}
    # Each control at each of its extremes, the others at their defaults...
    cases = [dict(defaults, **{k: v}) for k, c in controls.items() for v in _corners(c)]
    # ...and the all-min / all-max corners for numeric sliders together.
    numeric = {
        k: _corners(c)
        for k, c in controls.items()
        if isinstance(c, (w.FloatSlider, w.FloatLogSlider, w.IntSlider))
    }
    for end in (0, 1):
        cases.append(dict(defaults, **{k: v[end] for k, v in numeric.items()}))
    for values in cases:
        chart = box.draw_function(**values)
        assert isinstance(chart, alt.TopLevelMixin), values
        svg = alt.renderers.get()(chart.to_dict())
        assert "<svg" in svg["image/svg+xml"], values


def test_timeline_total_is_training_plus_inference_and_crossing_is_mid_chart():
    frame = widgets.timeline_frame(2_000, 2.0, 10e6).pivot(
        index="day", columns="phase", values="energy_mwh"
    )
    assert (frame["total"] - frame["training"] - frame["inference"]).abs().max() < 1e-9
    assert frame.index.max() == pytest.approx(200)
    assert frame.loc[100.0, "inference"] == pytest.approx(2_000)
