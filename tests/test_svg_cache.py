"""The SVG renderer's disk cache (helpers.charts.cached_svg): a chart drawn before is read back,
anything that could change the picture renders afresh, and a cache that cannot be used never
stops a chart from showing."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest

import helpers
from helpers import charts, live


def _chart(y: float) -> alt.Chart:
    return alt.Chart(pd.DataFrame({"x": [1, 2], "y": [0.5, y]})).mark_line().encode(x="x", y="y")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("J2_CACHE_DIR", str(tmp_path))
    helpers.setup()
    return tmp_path / "svg"


def _render(chart) -> str:
    return alt.renderers.get()(chart.to_dict())["image/svg+xml"]


def test_the_course_renderer_is_the_cached_one(cache):
    assert alt.renderers.active == charts.RENDERER
    svg = _render(_chart(1.0))
    assert svg.startswith("<svg") and len(list(cache.glob("*.svg"))) == 1


def test_a_cached_chart_is_what_vl_convert_draws_and_is_read_back(cache):
    import vl_convert as vlc

    spec = _chart(1.0).to_dict()
    first = alt.renderers.get()(spec)["image/svg+xml"]
    assert first == vlc.vegalite_to_svg(spec, vl_version=live.VL_VERSION)
    (path,) = cache.glob("*.svg")
    path.write_text("<svg>read from the cache</svg>", encoding="utf-8")
    assert alt.renderers.get()(spec)["image/svg+xml"] == "<svg>read from the cache</svg>"


def test_a_changed_chart_or_context_renders_afresh(cache, monkeypatch):
    _render(_chart(1.0))
    _render(_chart(2.0))  # other data
    assert len(list(cache.glob("*.svg"))) == 2
    context = charts._render_context()
    monkeypatch.setattr(charts, "_render_context", lambda: [*context[:3], [], context[4]])
    _render(_chart(1.0))  # the same chart with other fonts installed
    assert len(list(cache.glob("*.svg"))) == 3


def test_the_context_names_versions_fonts_and_time_zone():
    import vl_convert as vlc

    versions_vl, version_alt, schema, fonts, zone = charts._render_context()
    assert (versions_vl, version_alt, schema) == (
        vlc.__version__,
        alt.__version__,
        alt.SCHEMA_VERSION,
    )
    assert any("DejaVuSans" in path for path, _size, _mtime in fonts)
    assert len(zone) == 3


def test_an_unusable_cache_still_draws_the_chart(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("J2_CACHE_DIR", str(blocker))  # the cache folder would sit inside a file
    helpers.setup()
    assert _render(_chart(3.0)).startswith("<svg")
    assert _render(_chart(3.0)).startswith("<svg")
