"""Every chart committed in a notebook carries all its parts, and they are the same chart.

nbval compares a chart's SVG but ignores its PNG, which is what an untrusted notebook (a fresh
clone, Binder) shows. So, for every chart output: the SVG, the PNG (with its display size) and
the text (title and description) are all there; the PNG is the SVG's picture (rasterised again
here and compared pixel by pixel with the palette PNG, within the palette's rounding);
and the text names the title the SVG draws. Each explorer cell's committed output is its
starting picture: a PNG and the explorer's text.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers.ui import explorer, render

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LIVE_TAG = "live-widget"


def _pictures():
    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            live = LIVE_TAG in cell.get("metadata", {}).get("tags", [])
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if {"image/svg+xml", "image/png"} & set(data):
                    yield pytest.param(output, live, id=f"{path.stem}-cell{i}")


PICTURES = list(_pictures())


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=float)


def test_the_notebooks_have_charts():
    assert len(PICTURES) >= 25


@pytest.mark.parametrize(("output", "live"), PICTURES)
def test_a_chart_output_has_all_its_parts_and_they_agree(output, live):
    data, metadata = output["data"], output.get("metadata", {})
    text = "".join(data.get("text/plain", ""))
    png = base64.b64decode(data["image/png"])  # every picture has its PNG
    size = metadata["image/png"]
    shown = Image.open(io.BytesIO(png))
    assert shown.format == "PNG" and shown.mode == "P", "not a palette PNG"
    assert abs(shown.width - size["width"] * render.PNG_SCALE) <= 1
    assert abs(shown.height - size["height"] * render.PNG_SCALE) <= 1
    if live:
        assert set(data) == {"image/png", "text/plain"}, "an explorer's still is a PNG and text"
        assert text.startswith(explorer.Explorer.note + " Chart: ")
        return
    assert set(data) == {"image/svg+xml", "image/png", "text/plain"}
    assert text.startswith("Chart: ") and "alt.Chart" not in text
    svg = "".join(data["image/svg+xml"])
    titles = [html.unescape(t) for t in re.findall(r"aria-label=\"Title text '(.*?)'\"", svg)]
    assert titles and text.startswith(f"Chart: {titles[0]}"), (titles, text[:120])
    _, width, height = render._png(svg)
    assert (width, height) == (size["width"], size["height"])
    raw = render._vlc().svg_to_png(svg, scale=render.PNG_SCALE)  # before the palette
    diff = np.abs(_rgb(raw) - _rgb(png)).mean()
    assert diff < 1.0, f"the PNG is not the SVG's picture (mean difference {diff:.2f} of 255)"
