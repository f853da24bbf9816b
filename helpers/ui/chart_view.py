"""The explorers' chart widget: a Vega-Lite chart drawn in the browser that redraws in place.

An explorer's chart is drawn in the browser by Vega (:class:`ChartView`, an anywidget); the
static book and a saved notebook show it as a picture at the sliders' starting values instead.
Sending a refilled specification (:mod:`helpers.ui.templates`) would still make the browser
compile and draw the whole chart again (30–40 ms). A move that keeps the template sends only
the new tables and title; the browser swaps them into the Vega view it already has
(``chart_view.js``). The browser tests check that the view redrawn this way is the one a fresh
drawing gives.

The browser needs Vega's JavaScript. :func:`bundle_code` has vl-convert bundle it once per
machine (about a second) and keeps it in the course's private cache folder, so no kernel loads
anything from the network and later kernels start the widget at once. Every chart of a page
gets it from one shared model (:func:`library`), so a page of six explorers loads it once.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
from collections.abc import Hashable
from pathlib import Path

import altair as alt
import anywidget
import ipywidgets
import traitlets

from helpers.ui import cache
from helpers.ui.render import VL_VERSION
from helpers.ui.templates import refill

__all__ = ["bundle_code", "VegaLibrary", "library", "ChartView", "chart_view"]


_LIBRARY = """
// The shared Vega library of the course's chart widgets (see chart_view.js).
globalThis.__j2VegaEmbed ??= (() => {
  let resolve;
  const promise = new Promise((r) => {
    resolve = r;
  });
  promise.resolve = resolve;
  return promise;
})();
globalThis.__j2VegaEmbed.resolve(vegaEmbed);
export default { initialize() {} };
"""


def bundle_code() -> str:
    """Vega, Vega-Lite and vega-embed bundled by vl-convert (offline) as the module of
    :class:`VegaLibrary`, about a second the first time.

    The bundle is kept in the course's private cache folder (:func:`helpers.cache.private_dir`),
    one file per version of Altair and vl-convert, and read from nowhere else: the code runs
    in the learner's notebook page, so a file another user could have written is never used.
    Without a private folder the bundle is made again in each kernel.
    """
    import vl_convert as vlc

    key = hashlib.sha256(f"{alt.__version__}|{vlc.__version__}|{_LIBRARY}".encode()).hexdigest()[
        :16
    ]
    folder = cache.private_dir()
    path = folder / f"chart-view-{key}.js" if folder is not None else None
    kept = cache.read_bytes(path) if path is not None else None
    if kept is not None:
        return kept.decode("utf-8")
    code = vlc.javascript_bundle(_LIBRARY, vl_version=VL_VERSION)
    if path is not None and cache.write_atomic(path, code):
        for old in folder.glob("chart-view-*.js"):  # bundles of earlier versions are stale
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
    return code


class VegaLibrary(anywidget.AnyWidget):
    """Vega for every chart widget of a page, sent and loaded once (never displayed itself)."""


@functools.cache
def library() -> VegaLibrary:
    """The kernel's one :class:`VegaLibrary`."""
    cls = type("VegaLibrary", (VegaLibrary,), {"_esm": bundle_code(), "__module__": __name__})
    return cls()


def _title_shape(title) -> Hashable:
    # What the browser cannot change by setting the title's text and subtitle signals.
    if not isinstance(title, dict):
        return title is None
    rest = json.dumps({k: v for k, v in title.items() if k not in ("text", "subtitle")})
    return rest, "subtitle" in title


class ChartView(anywidget.AnyWidget):
    """A Vega-Lite chart drawn as SVG in the browser, which redraws in place.

    :meth:`show` sends a whole specification only when the chart's template changes; a slider
    move that refills the same template sends just the new rows and title, and the browser
    swaps them into the drawn view (``chart_view.js``) instead of compiling and drawing the
    chart from scratch. Make one with :func:`chart_view`.
    """

    _esm = Path(__file__).parent / "chart_view.js"
    spec = traitlets.Dict(allow_none=True).tag(sync=True)
    data = traitlets.Dict(allow_none=True).tag(sync=True)
    embed_options = traitlets.Dict().tag(sync=True)
    # The page loads Vega from this model (made before any chart, so its module is there first).
    library = traitlets.Instance(VegaLibrary).tag(sync=True, **ipywidgets.widget_serialization)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._drawn: tuple[int, Hashable] | None = None  # (id of the template, title shape)

    def show(self, template: dict, changes: dict | None = None) -> None:
        """Draw ``refill(template, changes)`` (see :meth:`SpecTemplates.fill`)."""
        title = changes.get("title") if changes else None
        if changes is not None and self._drawn == (id(template), _title_shape(title)):
            self.data = changes
            return
        with self.hold_sync():
            self.spec = refill(template, changes)
            self.data = None
        self._drawn = None if changes is None else (id(template), _title_shape(title))


def chart_view(template: dict, changes: dict | None = None) -> ChartView:
    """A chart widget showing ``refill(template, changes)``; call its ``show`` to redraw."""
    view = ChartView(
        library=library(),
        embed_options={
            "renderer": "svg",
            "actions": {"export": True, "source": False, "compiled": False, "editor": False},
        },
    )
    view.show(template, changes)
    return view


if (
    __name__ == "__main__"
):  # `python -m helpers.ui.chart_view`: build the bundle now (Binder, first setup)
    bundle_code()
    print(f"chart widget bundle cached in {cache.private_dir() or 'memory only'}")
