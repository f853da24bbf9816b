"""Charts as pictures every front end shows (helpers.render): the three parts of a chart's mime
bundle, the cache in front of vl-convert, and fonts that do not depend on the machine."""

from __future__ import annotations

import base64
import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import altair as alt
import pandas as pd
import pytest
from PIL import Image

import helpers
from helpers.ui import cache, render

ROOT = Path(__file__).resolve().parent.parent


def _chart(y: float) -> alt.Chart:
    frame = pd.DataFrame({"x": [1, 2], "y": [0.5, y]})
    return (
        alt.Chart(frame)
        .mark_line()
        .encode(x=alt.X("x:Q", title="Hours"), y=alt.Y("y:Q", title="Energy (Wh)"))
        .properties(
            title=alt.Title("A test line", subtitle="two points"),
            description="Line chart of two points.",
        )
    )


@pytest.fixture
def cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("J2_CACHE_DIR", str(tmp_path / "cache"))
    helpers.setup()
    return tmp_path / "cache" / "charts"


def _bundle(chart) -> tuple[dict, dict]:
    return alt.renderers.get()(chart.to_dict())


def test_a_chart_displays_as_svg_png_and_its_words(cache_folder):
    assert alt.renderers.active == render.RENDERER
    data, metadata = _bundle(_chart(1.0))
    assert set(data) == {"image/svg+xml", "image/png", "text/plain"}
    assert data["image/svg+xml"].startswith("<svg")
    assert data["text/plain"] == "Chart: A test line (two points). Line chart of two points."
    png = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert png.format == "PNG" and png.mode == "P"  # a palette image
    width, height = metadata["image/png"]["width"], metadata["image/png"]["height"]
    assert abs(png.size[0] - width * render.PNG_SCALE) <= 1
    assert abs(png.size[1] - height * render.PNG_SCALE) <= 1
    svg_width = int(data["image/svg+xml"].split('width="', 1)[1].split('"', 1)[0])
    assert width == svg_width


def test_ipython_shows_our_words_instead_of_the_chart_repr(cache_folder):
    from IPython.core.formatters import DisplayFormatter

    data, metadata = DisplayFormatter().format(_chart(1.0))
    assert data["text/plain"].startswith("Chart: A test line")
    assert "alt.Chart" not in data["text/plain"]
    assert {"image/png", "image/svg+xml"} <= set(data) and "image/png" in metadata


@pytest.mark.parametrize(
    ("spec", "text"),
    [
        ({"title": "Energy?", "description": "Dots."}, "Chart: Energy? Dots."),
        ({"title": ["Two", "lines"]}, "Chart: Two lines."),
        ({}, "Chart: untitled."),
    ],
)
def test_chart_text_reads_title_subtitle_and_description(spec, text):
    assert render.chart_text(spec) == text


def test_a_cached_chart_is_what_vl_convert_draws_and_is_read_back(cache_folder):
    spec = _chart(1.0).to_dict()
    first, _ = render.chart_bundle(spec)
    vlc = render._vlc()
    assert first["image/svg+xml"] == vlc.vegalite_to_svg(spec, vl_version=render.VL_VERSION)
    (path,) = cache_folder.glob("*.json")
    entry = json.loads(path.read_text())
    path.write_text(json.dumps({**entry, "svg": "<svg>read from the cache</svg>"}))
    again, _ = render.chart_bundle(spec)
    assert again["image/svg+xml"] == "<svg>read from the cache</svg>"
    assert again["image/png"] == first["image/png"]


def test_a_damaged_entry_is_drawn_again(cache_folder):
    spec = _chart(1.0).to_dict()
    first, _ = render.chart_bundle(spec)
    (path,) = cache_folder.glob("*.json")
    path.write_text('{"svg": "<svg')  # cut short
    again, _ = render.chart_bundle(spec)
    assert again == first


def test_a_changed_chart_or_context_renders_afresh(cache_folder, monkeypatch):
    render.chart_bundle(_chart(1.0).to_dict())
    render.chart_bundle(_chart(2.0).to_dict())  # other data
    assert len(list(cache_folder.glob("*.json"))) == 2
    versions, fonts, *rest = render._render_context()
    monkeypatch.setattr(render, "_render_context", lambda: [versions, [], *rest])
    render.chart_bundle(_chart(1.0).to_dict())  # the same chart with other fonts installed
    assert len(list(cache_folder.glob("*.json"))) == 3


def test_the_context_names_versions_fonts_and_time_zone():
    import PIL
    import vl_convert as vlc

    versions, fonts, zone, scale, colours, recipe = render._render_context()
    assert versions == [vlc.__version__, alt.__version__, alt.SCHEMA_VERSION, PIL.__version__]
    assert any(path.endswith("helpers/ui/fonts/DejaVuSans.ttf") for path, _size, _mtime in fonts)
    assert len(zone) == 3 and (scale, colours) == (render.PNG_SCALE, render.PNG_COLOURS)
    assert len(recipe) == 16


def test_an_unusable_cache_still_draws_the_chart(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("J2_CACHE_DIR", str(blocker))  # the cache folder would sit inside a file
    assert cache.private_dir("charts") is None
    helpers.setup()
    for _ in range(2):
        data, _ = _bundle(_chart(3.0))
        assert data["image/svg+xml"].startswith("<svg") and data["image/png"]


def test_a_cache_folder_others_can_write_to_is_not_used(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o777)
    shared.chmod(0o777)
    monkeypatch.setenv("J2_CACHE_DIR", str(shared))
    assert cache.private_dir("charts") is None
    shared.chmod(0o700)
    assert cache.private_dir("charts") == shared / "charts"
    assert (shared / "charts").stat().st_mode & 0o777 == 0o700


_RENDER_SCRIPT = """
import hashlib, json, sys
import altair as alt
from helpers.ui import render
spec = json.loads(sys.argv[1])
if sys.argv[2] == "course-fonts":
    render._vlc()  # registers helpers/fonts
else:
    import vl_convert
    render._vlc = lambda: vl_convert  # what vl-convert does with the machine's fonts alone
svg = render._vlc().vegalite_to_svg(spec, vl_version=render.VL_VERSION)
png, _, _ = render._png(svg)
print(hashlib.sha256(svg.encode() + png).hexdigest())
"""


def _render_elsewhere(spec: dict, fonts: str, hide_system_fonts: bool, home: Path) -> str:
    env = {**os.environ, "HOME": str(home), "J2_CACHE_DIR": str(home / "cache")}
    cmd = [sys.executable, "-c", _RENDER_SCRIPT, json.dumps(spec), fonts]
    if hide_system_fonts:
        empty = home / "no-fonts"
        empty.mkdir(exist_ok=True)
        mounts = " && ".join(
            f"mount --bind {empty} {folder}"
            for folder in ("/usr/share/fonts", "/usr/local/share/fonts")
            if Path(folder).is_dir()
        )
        script = f"{mounts} && exec {shlex.join(cmd)}"
        cmd = ["unshare", "--mount", "sh", "-c", script]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout.strip()


def test_charts_look_the_same_on_a_machine_without_the_font(tmp_path):
    """A machine without DejaVu Sans (macOS, Windows, a slim Linux): simulated by hiding the
    system's font folders in a private mount namespace (needs root and ``unshare``)."""
    if shutil.which("unshare") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root and unshare(1) to hide the system fonts")
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"unshare --mount is not permitted here: {probe.stderr.decode()[:200]}")
    alt.theme.enable(render.THEME)
    spec = _chart(1.0).to_dict()
    here = _render_elsewhere(spec, "course-fonts", False, tmp_path)
    elsewhere = _render_elsewhere(spec, "course-fonts", True, tmp_path)
    assert elsewhere == here
    # Without the shipped fonts the same machine draws another picture: the test can fail.
    assert _render_elsewhere(spec, "system-only", True, tmp_path) != here


def test_the_png_keeps_every_colour_a_small_mark_is_drawn_in():
    """A 64-colour palette chosen by median cut follows the pixel count, so a colour only a few
    marks use was replaced by a near one (chapter 05's evidence colours came out merged). The
    colours a chart fills shapes with are kept exactly: here 297 blue points and 3 green ones,
    drawn at opacity 0.6 over white."""
    import numpy as np
    import pandas as pd
    from PIL import Image

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.uniform(0, 100, 300),
            "y": rng.uniform(0, 100, 300),
            "kind": ["a"] * 297 + ["b"] * 3,
        }
    )
    colours = [render.PALETTE[0], render.PALETTE[2]]
    chart = (
        alt.Chart(frame, title="Points")
        .mark_circle(size=60, opacity=0.6)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            color=alt.Color("kind:N", scale=alt.Scale(domain=["a", "b"], range=colours)),
        )
    )
    svg = render._vlc().vegalite_to_svg(chart.to_dict())
    png, _, _ = render._png(svg)
    image = Image.open(io.BytesIO(png))
    assert image.mode == "P" and len(image.getcolors()) <= render.PNG_COLOURS
    drawn = {c for _, c in image.convert("RGB").getcolors()}
    for hex_colour in colours:
        rgb = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
        over_white = tuple(round(0.6 * c + 0.4 * 255) for c in rgb)
        assert over_white in drawn, f"{hex_colour} at opacity 0.6 was replaced by a near colour"


def test_the_png_keeps_white_white_and_stays_close_to_the_svg():
    """Pillow's quantize(palette=...) looks colours up in boxes of 8 levels: with a near-white
    shade in the palette it drew chapter 03's white background in grey (251, 251, 251), a mean
    difference of 2.1 of 255 from the SVG. Each colour now goes to its nearest palette entry."""
    import numpy as np
    from PIL import Image

    chart = (
        alt.Chart(alt.Data(values=[{"x": 0}, {"x": 1}]))
        .mark_rect(color="#FAECE0", opacity=1)
        .encode(x="x:Q", x2=alt.datum(0.5))
    )
    band = (
        alt.Chart(alt.Data(values=[{"y": v} for v in range(0, 100, 7)]))
        .mark_rule(color="#FBFBFB", strokeWidth=3)
        .encode(y="y:Q")
    )
    svg = render._vlc().vegalite_to_svg((chart + band).properties(title="Band").to_dict())
    png, _, _ = render._png(svg)
    shown = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)
    raw = Image.open(io.BytesIO(render._vlc().svg_to_png(svg, scale=render.PNG_SCALE)))
    flat = Image.new("RGB", raw.size, "white")
    flat.paste(raw, mask=raw.getchannel("A"))
    assert tuple(shown[2, 2]) == (255, 255, 255), "the white background turned grey"
    assert np.abs(shown - np.asarray(flat, dtype=float)).mean() < 0.5
