"""How a chart becomes something every notebook front end can show: theme, fonts and pictures.

:func:`enable` (called by :func:`helpers.setup`) makes Altair display every chart as a mime
bundle of three parts, made in the kernel by vl-convert with no network:

* ``image/svg+xml``: the chart as SVG, sharp at any zoom; what JupyterLab shows in a trusted
  notebook and what the tests (nbval) compare;
* ``image/png``: the same picture, rasterised at 1.5 times its size (sharp enough on a
  high-density screen) and reduced to a 64-colour palette (a fifth of the bytes, no visible
  loss), with its display size as metadata. PNG is a
  "safe" type: a notebook that nobody has signed on this machine (a fresh clone, Binder, a
  download) is *untrusted*, and JupyterLab, Notebook 7 and others then refuse SVG but show PNG;
* ``text/plain``: the chart's title and its one-sentence description, for any front end that
  can show only text (and for screen readers there), instead of ``alt.Chart(...)``.

Text is laid out with the DejaVu Sans font that ships in ``helpers/ui/fonts`` (free to
redistribute), registered with vl-convert, so a chart comes out the same on any machine,
whatever fonts it has.

Rendering costs vl-convert about 0.4 s to start in each kernel and about 0.1 s a chart, so
each bundle is kept in the course's cache (:mod:`helpers.cache`), keyed by a hash of everything
the pictures depend on: the specification, the versions of vl-convert, Altair and Pillow, the
fonts and the time zone. A chart drawn before on this machine is read back, not drawn again.

The palette is Okabe & Ito's colour-blind-safe set (Okabe, M. & Ito, K., "Color Universal Design",
2008, https://jfly.uni-koeln.de/color/).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import inspect
import io
import json
import os
import time
from importlib import resources
from pathlib import Path

import altair as alt
import numpy as np

from helpers.ui import cache

__all__ = [
    "PALETTE",
    "THEME",
    "RENDERER",
    "WIDTH",
    "HEIGHT",
    "PNG_SCALE",
    "enable",
    "chart_bundle",
    "chart_text",
    "fonts_dir",
]

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
"""Okabe-Ito colours, blue first."""

THEME = "joules_jevons"
RENDERER = "joules_jevons"
WIDTH = 560
HEIGHT = 300
FONT = "DejaVu Sans"

PNG_SCALE = 1.5
"""Pixels per CSS pixel of the PNG. 2 is sharper on high-density screens but makes the
committed notebooks 1.4 times larger; the PNG is what untrusted and text-poor front ends show
(a trusted JupyterLab shows the SVG)."""
PNG_COLOURS = 64
"""Palette size of the PNG: charts have a few flat colours plus anti-aliased edges."""
_SOLID_PIXELS = 100
"""Pixels of one exact colour that make it a fill to keep (a 7 × 7 CSS-pixel swatch at
:data:`PNG_SCALE`; an anti-aliasing shade rarely covers as many)."""


@alt.theme.register(THEME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "range": {"category": PALETTE},
            "font": FONT,
            "title": {"fontSize": 15, "anchor": "start", "subtitleColor": "#444"},
            "axis": {"labelFontSize": 12, "titleFontSize": 12, "gridColor": "#e6e6e6"},
            "legend": {"labelFontSize": 12, "titleFontSize": 12, "orient": "bottom"},
            "mark": {"color": PALETTE[0]},
        }
    }


def fonts_dir() -> Path:
    """The folder of the fonts the course ships (DejaVu Sans and DejaVu Sans Bold)."""
    return Path(str(resources.files("helpers.ui") / "fonts"))


@functools.cache
def _vlc():
    """vl-convert, with the course's fonts registered (once per process)."""
    import vl_convert as vlc

    vlc.register_font_directory(str(fonts_dir()))
    return vlc


VL_VERSION = "_".join(alt.SCHEMA_VERSION.split(".")[:2])
"""The Vega-Lite version Altair writes, as vl-convert names it ("v6.4.1" -> "v6_4")."""


def enable() -> None:
    """Display Altair charts as SVG + PNG + text bundles (:func:`chart_bundle`) in the course
    theme."""
    alt.renderers.register(RENDERER, chart_bundle)
    alt.renderers.enable(RENDERER)
    alt.theme.enable(THEME)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return str(value)


def chart_text(spec: dict) -> str:
    """The chart as words: ``Chart: <title> (<subtitle>). <description>``.

    >>> chart_text({"title": {"text": "Energy", "subtitle": "per query"}, "description": "A dot."})
    'Chart: Energy (per query). A dot.'
    """
    title = spec.get("title")
    if isinstance(title, dict):
        text, subtitle = _text(title.get("text")), _text(title.get("subtitle"))
    else:
        text, subtitle = _text(title), ""
    head = f"Chart: {text or 'untitled'}" + (f" ({subtitle})" if subtitle else "")
    head += "" if head.endswith((".", "?", "!")) else "."
    description = _text(spec.get("description"))
    return f"{head} {description}" if description else head


@functools.cache
def _render_context() -> list:
    """What a picture depends on besides the specification: versions, fonts and time zone."""
    import PIL
    import vl_convert as vlc

    # The folders in which vl-convert's font database (fontdb) looks on Linux and macOS, and
    # the course's own fonts.
    home = Path.home()
    folders = [
        fonts_dir(),
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        home / ".fonts",
        home / ".local/share/fonts",
        Path("/Library/Fonts"),
        home / "Library/Fonts",
    ]
    fonts = sorted(
        (str(f), f.stat().st_size, f.stat().st_mtime_ns)
        for folder in folders
        if folder.is_dir()
        for f in folder.rglob("*")
        if f.is_file()
    )
    zone = [os.environ.get("TZ"), time.tzname, os.path.realpath("/etc/localtime")]
    versions = [vlc.__version__, alt.__version__, alt.SCHEMA_VERSION, PIL.__version__]
    # How the PNG is made: a change to that code draws every picture afresh.
    recipe = hashlib.sha256(inspect.getsource(_png).encode()).hexdigest()[:16]
    return [versions, fonts, zone, PNG_SCALE, PNG_COLOURS, recipe]


def _png(svg: str) -> tuple[bytes, int, int]:
    """The SVG as a palette PNG at :data:`PNG_SCALE`, and its display width and height."""
    from PIL import Image

    raw = Image.open(io.BytesIO(_vlc().svg_to_png(svg, scale=PNG_SCALE)))
    flat = Image.new("RGB", raw.size, "white")
    flat.paste(raw, mask=raw.getchannel("A") if raw.mode == "RGBA" else None)
    # The colours shapes are filled with (a run of identical pixels at least as big as a small
    # legend swatch) are kept exactly; median cut, which follows the pixel count, chooses the
    # rest, mostly the shades of anti-aliased edges. Median cut alone merged a few points or a
    # swatch of one colour into a neighbour that covers more pixels.
    counts = flat.getcolors(maxcolors=flat.width * flat.height)
    solid = [c for n, c in sorted(counts, reverse=True) if n >= _SOLID_PIXELS][: PNG_COLOURS // 2]
    cut = flat.quantize(colors=PNG_COLOURS - len(solid), dither=Image.Dither.NONE)
    shades = cut.getpalette()[: 3 * len(cut.getcolors())]
    chosen = list(dict.fromkeys(solid + list(zip(*[iter(shades)] * 3, strict=True))))
    # Each colour goes to its nearest palette entry. Pillow's own mapping (quantize(palette=))
    # looks colours up in boxes of 8 levels and sent pure white to a nearby grey.
    palette = np.array(chosen[:PNG_COLOURS], dtype=np.int64)
    rgb = np.asarray(flat, dtype=np.int64)
    codes, where = np.unique(rgb @ [65536, 256, 1], return_inverse=True)
    colours = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], axis=1)
    nearest = ((colours[:, None, :] - palette[None]) ** 2).sum(axis=2).argmin(axis=1)
    small = Image.frombytes("P", flat.size, nearest[where].astype(np.uint8).tobytes())
    small.putpalette(palette.ravel().tolist())
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    width, height = raw.size
    return out.getvalue(), round(width / PNG_SCALE), round(height / PNG_SCALE)


def _pictures(spec: dict) -> dict:
    """``{"svg", "png" (base64), "width", "height"}`` of ``spec``, from the cache where it holds
    them."""
    blob = json.dumps([_render_context(), spec], sort_keys=True, default=str)
    key = hashlib.sha256(blob.encode()).hexdigest()
    folder = cache.private_dir("charts")
    path = folder / f"{key}.json" if folder is not None else None
    kept = cache.read_bytes(path) if path is not None else None
    if kept is not None:
        try:
            entry = json.loads(kept)
            if {"svg", "png", "width", "height"} <= set(entry):
                return entry
        except ValueError:
            pass  # a damaged entry: draw the chart again
    svg = _vlc().vegalite_to_svg(spec, vl_version=VL_VERSION)
    png, width, height = _png(svg)
    entry = {
        "svg": svg,
        "png": base64.b64encode(png).decode("ascii"),
        "width": width,
        "height": height,
    }
    if path is not None:
        cache.write_atomic(path, json.dumps(entry))
    return entry


def chart_bundle(spec: dict, **_options) -> tuple[dict, dict]:
    """The mime bundle and metadata that display the Vega-Lite ``spec`` everywhere (see the
    module docstring). Altair calls this as its renderer."""
    pictures = _pictures(spec)
    data = {
        "image/svg+xml": pictures["svg"],
        "image/png": pictures["png"],
        "text/plain": chart_text(spec),
    }
    return data, {"image/png": {"width": pictures["width"], "height": pictures["height"]}}
