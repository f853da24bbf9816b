"""Every explorer redraws without error at every corner of its sliders: widgets only offer valid
ranges. Runs headless (no browser): it calls the same callback the sliders call. And the fast
path a slider move takes (a refilled chart template) gives the specification Altair builds."""

import contextlib
import functools
import importlib
import io
import json
import pkgutil

import altair as alt
import ipywidgets as w
import numpy as np
import pandas as pd
import pytest
from conftest import floats
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
import helpers.views
from helpers.ui import chart_view, render, templates
from helpers.views import ch01

VIEWS = {
    m.name: importlib.import_module(f"helpers.views.{m.name}")
    for m in pkgutil.iter_modules(helpers.views.__path__)
}
EXPLORERS = sorted(
    f"{ch}.{name}"
    for ch, mod in VIEWS.items()
    for name in mod.__all__
    if name.endswith("_explorer")
)


def _build(name):
    chapter, function = name.split(".")
    with contextlib.redirect_stdout(io.StringIO()):  # outside a kernel the first draw prints a repr
        return getattr(VIEWS[chapter], function)()


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


def corner_cases(box) -> list[dict]:
    """Control values: each control at each of its extremes, the others at their defaults, then
    the all-min and all-max corners of the numeric sliders together."""
    controls = box.control_widgets
    defaults = {k: c.value for k, c in controls.items()}
    cases = [dict(defaults, **{k: v}) for k, c in controls.items() for v in _corners(c)]
    numeric = {
        k: _corners(c)
        for k, c in controls.items()
        if isinstance(c, (w.FloatSlider, w.FloatLogSlider, w.IntSlider))
    }
    for end in (0, 1):
        cases.append(dict(defaults, **{k: v[end] for k, v in numeric.items()}))
    return cases


def test_there_is_an_explorer_per_chapter_so_far():
    assert "ch01.crossover_explorer" in EXPLORERS and len(EXPLORERS) >= 6


@pytest.mark.parametrize("name", EXPLORERS)
def test_explorer_has_controls_and_output(name):
    box = _build(name)
    assert isinstance(box, w.VBox)
    assert box.control_widgets and callable(box.draw_function) and callable(box.spec_function)
    assert isinstance(box.children[-1], chart_view.ChartView)
    assert box.children[-1].spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6")
    assert box.children[-1].embed_options["renderer"] == "svg"  # readable by screen readers


@pytest.mark.parametrize("name", EXPLORERS)
def test_every_slider_corner_draws_a_chart(name):
    helpers.setup()
    box = _build(name)
    for values in corner_cases(box):
        chart = box.draw_function(**values)
        assert isinstance(chart, alt.TopLevelMixin), values
        svg = render._vlc().vegalite_to_svg(chart.to_dict(), vl_version=render.VL_VERSION)
        assert "<svg" in svg, values


@pytest.mark.parametrize("name", EXPLORERS)
def test_an_explorer_displays_with_its_starting_picture(name):
    """The live widget for a running notebook, and beside it the chart it starts with as a
    picture for a saved one (tools/execute_notebooks.py keeps the picture)."""
    helpers.setup()
    box = _build(name)
    data, metadata = box._repr_mimebundle_()
    assert set(data) == {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"}
    start, _ = alt.renderers.get()(box.draw_function(**box.values()).to_dict())
    assert data["image/png"] == start["image/png"]
    assert data["text/plain"] == f"{box.note} {start['text/plain']}"
    assert metadata["image/png"]["width"] > 0


def test_timeline_total_is_training_plus_inference_and_crossing_is_mid_chart():
    frame = ch01.timeline_frame(2_000, 2.0, 10e6).pivot(
        index="day", columns="phase", values="energy_mwh"
    )
    assert (frame["total"] - frame["training"] - frame["inference"]).abs().max() < 1e-9
    assert frame.index.max() == pytest.approx(200)
    assert frame.loc[100.0, "inference"] == pytest.approx(2_000)


def _canonical(spec: dict):
    """A specification with each dataset's name replaced by its contents: Altair names datasets
    by a hash of their values, a refilled template keeps the name it was built with."""
    spec = json.loads(json.dumps(spec))
    datasets = spec.pop("datasets", {})
    contents = {name: json.dumps(values, sort_keys=True) for name, values in datasets.items()}

    def walk(obj):
        if isinstance(obj, dict):
            return {
                k: contents.get(v, v) if k == "name" and isinstance(v, str) else walk(v)
                for k, v in obj.items()
            }
        return [walk(x) for x in obj] if isinstance(obj, list) else obj

    return walk(spec), sorted(contents.values())


@functools.cache
def _built(name):
    return _build(name)


def _slider_value(control, fraction):
    """A value the slider can take: ``fraction`` of the way along it, on one of its steps."""
    steps = round((control.max - control.min) * fraction / control.step)
    position = min(control.min + steps * control.step, control.max)
    return 10**position if isinstance(control, w.FloatLogSlider) else position


@pytest.mark.parametrize("name", EXPLORERS)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_slider_move_sends_the_chart_altair_would_build(name, data):
    helpers.setup()
    box = _built(name)
    assert box.spec_templates.fallbacks == 0, "the starting chart could not be made a template"
    values = {k: c.value for k, c in box.control_widgets.items()}
    for k, c in box.control_widgets.items():
        if isinstance(c, (w.FloatSlider, w.FloatLogSlider, w.IntSlider)):
            values[k] = _slider_value(c, data.draw(floats(0, 1), label=k))
        elif isinstance(c, w.Checkbox):
            values[k] = data.draw(st.booleans(), label=k)
        elif isinstance(c, w.Dropdown):
            values[k] = data.draw(st.sampled_from(_corners(c)), label=k)
    refilled = box.spec_function(**values)
    assert _canonical(refilled) == _canonical(box.draw_function(**values).to_dict())


def test_templates_fall_back_to_altair_when_a_table_cannot_be_told_apart():
    @templates.two_step(
        lambda a, b, title: alt.layer(
            alt.Chart(a).mark_point().encode(x="x:Q"), alt.Chart(b).mark_rule().encode(x="x:Q")
        ).properties(title=title)
    )
    def two_tables(x_a, x_b):
        return {
            "a": pd.DataFrame({"x": [x_a]}),
            "b": pd.DataFrame({"x": [x_b]}),
            "title": f"{x_a} and {x_b}",
        }

    shapes = templates.SpecTemplates()
    shapes.spec(two_tables, 1.0, 1.0)  # identical tables: which dataset is which?
    assert shapes.fallbacks == 1
    spec = shapes.spec(two_tables, 1.0, 2.0)
    assert _canonical(spec) == _canonical(two_tables(1.0, 2.0).to_dict())
    shapes.spec(
        two_tables,
        3.0,
        4.0,
    )
    other = templates.SpecTemplates()
    other.spec(two_tables, 1.0, 2.0)
    assert other.fallbacks == 0
    assert _canonical(other.spec(two_tables, 5.0, np.float64(6.0))) == _canonical(
        two_tables(5.0, 6.0).to_dict()
    )


def test_every_chart_widget_shares_one_vega_library():
    """A page with many explorers receives and loads Vega once (calculator mode has six)."""
    helpers.setup()
    views = [_build(name).children[-1] for name in EXPLORERS]
    assert {id(v.library) for v in views} == {id(chart_view.library())}
    assert all(len(v._esm) < 20_000 for v in views)  # each chart carries only its own code
    assert len(chart_view.library()._esm) > 100_000


def test_the_chart_widget_works_offline_from_a_cached_bundle(tmp_path, monkeypatch):
    monkeypatch.setenv("J2_CACHE_DIR", str(tmp_path))
    code = chart_view.bundle_code()
    (path,) = tmp_path.glob("chart-view-*.js")
    assert len(code) > 100_000 and path.read_text() == code
    assert "https://esm.sh" not in code and "cdn.jsdelivr" not in code
    assert "__j2VegaEmbed" in code and "export" in code  # the library's own code, as a module
    path.write_text(code + "// read back")
    assert chart_view.bundle_code().endswith("// read back")  # the second call reuses it


@pytest.mark.parametrize("name", EXPLORERS)
def test_a_move_within_a_template_sends_only_rows_and_title(name):
    helpers.setup()
    box = _build(name)
    view = box.children[-1]
    sent_changes = 0
    for values in corner_cases(box):
        template, changes = box.fill_function(**values)
        spec_before = view.spec
        view.show(template, changes)
        if view.data is not None:  # the browser swaps rows and title into the drawn chart
            sent_changes += 1
            assert view.spec is spec_before and view.data is changes
            assert set(changes) <= {"datasets", "title"}
            assert set(changes["datasets"]) == set(template["datasets"])
        else:  # another template (or title layout): the whole specification goes
            assert view.spec == templates.refill(template, changes)
    assert sent_changes > 0


def test_a_new_title_layout_sends_the_whole_specification():
    helpers.setup()
    box = _build("ch01.crossover_explorer")
    view = box.children[-1]
    template, changes = box.fill_function(**{k: c.value for k, c in box.control_widgets.items()})
    view.show(template, dict(changes, title="a plain title"))
    assert view.data is not None
    view.show(template, dict(changes, title={"text": "a title", "subtitle": "and a subtitle"}))
    assert view.data is None and view.spec["title"]["subtitle"] == "and a subtitle"


@given(
    st.lists(
        st.tuples(
            st.one_of(
                st.floats(allow_nan=True, allow_infinity=True),
                st.integers(-(2**53), 2**53),
                st.booleans(),
                st.text(max_size=5),
            ),
            st.floats(allow_nan=True, allow_infinity=True),
        ),
        max_size=8,
    )
)
def test_rows_are_the_ones_altair_embeds(rows):
    frame = pd.DataFrame(rows, columns=["a", "b"]) if rows else pd.DataFrame({"a": [], "b": []})
    assert templates._records(frame) == alt.to_values(frame)["values"]


@pytest.mark.parametrize("name", EXPLORERS)
def test_an_explorer_refuses_a_start_its_controls_cannot_show(name):
    """ipywidgets would silently move a slider's value to its nearest end (a start of 100 Wh on a
    slider that ends at 31.6 would draw 31.6): refused instead, naming the parameter."""
    import inspect

    chapter, function = name.split(".")
    explorer = getattr(VIEWS[chapter], function)
    parameters = inspect.signature(explorer).parameters
    tried = 0
    for key, control in _build(name).control_widgets.items():
        if key not in parameters:
            continue
        if isinstance(control, (w.FloatSlider, w.FloatLogSlider)):
            low, high = _corners(control)
            bad = {"above": high * 10 + 1, "below": low - abs(low) - 1, "text": "1"}
        elif isinstance(control, w.Dropdown):
            bad = {"unknown": "no-such-option"}
        elif isinstance(control, w.Checkbox):
            bad = {"not a bool": "no"}
        else:
            continue
        for value in bad.values():
            with pytest.raises((ValueError, TypeError), match=rf"\b{key}\b"):
                explorer(**{key: value})
            tried += 1
    assert tried, f"{name}: no control matches a parameter, so nothing was checked"
