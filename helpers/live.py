"""Charts that redraw in the browser: what makes a slider move cheap.

An explorer's chart is drawn in two places. In a saved notebook, the static book and CI it is
an SVG picture rendered in the kernel (:func:`helpers.charts.enable`). In a live kernel the
explorer shows a :class:`altair.JupyterChart`, which draws the chart in the browser with
Vega-Lite; a slider move then only has to send a new chart specification.

Building that specification with Altair costs 10–60 ms a chart (building the chart objects and
``to_dict``), too slow for a slider. So a chart builder that explorers use is written in two
steps (:func:`two_step`): a *data* step in pandas that returns every table, the title and the
few discrete choices that shape the chart, and an *encode* step in Altair that only places
them. :class:`SpecTemplates` runs the encode step once per shape of chart and afterwards
refills the resulting specification with new tables and a new title. The tests check, at many
slider positions, that the refilled specification is the one Altair would build.

The browser needs Vega's JavaScript. :func:`bundle_file` has vl-convert bundle it from
Altair's widget code once per machine (about a second) and keeps it in a cache folder, so no
kernel loads anything from the network and later kernels start the widget at once.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Callable, Hashable
from pathlib import Path

import altair as alt
import pandas as pd

__all__ = ["two_step", "SpecTemplates", "bundle_file", "chart_view"]


def two_step(encode: Callable[..., alt.TopLevelMixin]):
    """Decorate a chart builder's data step with its encode step.

    The decorated function takes the builder's arguments and returns the chart, as any builder
    does. Its ``parts`` attribute is the data step alone (returns a dict of the encode step's
    keyword arguments) and ``encode`` the Altair step. The data step returns:

    * DataFrames, each drawn as it is (the encode step passes them to ``alt.Chart`` unchanged);
    * ``title``: the final title (a str or ``alt.TitleParams``), which the encode step puts at
      the top of the chart;
    * anything else: hashable choices that change the chart's shape (a unit in an axis title,
      whether a layer is drawn). Each combination gets its own template, so numbers that vary
      with a slider belong in a DataFrame, never here.
    """

    def decorate(parts: Callable[..., dict]):
        @functools.wraps(parts)
        def build(*args, **kwargs):
            return encode(**parts(*args, **kwargs))

        build.parts, build.encode = parts, encode
        return build

    return decorate


def _title_json(title):
    return title.to_dict() if isinstance(title, alt.SchemaBase) else title


def _records(frame: pd.DataFrame) -> list:
    # The same conversion Altair applies to a DataFrame it embeds.
    return alt.to_values(frame)["values"]


class SpecTemplates:
    """Vega-Lite specifications of two-step builders, built by Altair once per chart shape and
    refilled with new data afterwards.

    A template needs each DataFrame of the data step to be one dataset of the specification and
    the title to sit at its top. If a shape breaks that (two identical or empty tables at the
    moment the template is built), that shape is built by Altair every time instead: slower,
    never wrong. :attr:`fallbacks` counts such shapes.
    """

    def __init__(self) -> None:
        self._templates: dict[Hashable, tuple[dict, dict[str, str]] | None] = {}
        self.fallbacks = 0

    def spec(self, builder, *args, **kwargs) -> dict:
        """The specification of ``builder(*args, **kwargs)``, without building the chart."""
        parts = builder.parts(*args, **kwargs)
        frames = {k: v for k, v in parts.items() if isinstance(v, pd.DataFrame)}
        shape = tuple(
            sorted((k, v) for k, v in parts.items() if k != "title" and k not in frames)
        ) + tuple((k, tuple(f.columns)) for k, f in sorted(frames.items()))
        key = (builder.encode, shape)
        if key not in self._templates:
            spec = builder.encode(**parts).to_dict()  # validated once per shape
            self._templates[key] = self._match(spec, parts, frames)
            self.fallbacks += self._templates[key] is None
            return spec
        template = self._templates[key]
        if template is None:
            return builder.encode(**parts).to_dict(validate=False)
        spec, names = template
        spec = dict(spec, datasets=dict(spec["datasets"]))
        for k, name in names.items():
            spec["datasets"][name] = _records(frames[k])
        if "title" in parts:
            spec["title"] = _title_json(parts["title"])
        return spec

    @staticmethod
    def _match(spec: dict, parts: dict, frames: dict) -> tuple[dict, dict[str, str]] | None:
        if "title" in parts and spec.get("title") != _title_json(parts["title"]):
            return None
        datasets = spec.get("datasets", {})
        names = {}
        for k, frame in frames.items():
            records = _records(frame)
            found = [name for name, values in datasets.items() if values == records]
            if len(found) != 1 or not records:
                return None
            names[k] = found[0]
        if len(set(names.values())) != len(names):
            return None
        return spec, names


def _cache_dir() -> Path:
    base = os.environ.get("J2_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "joules-and-jevons"
    )
    return Path(base)


def bundle_file() -> Path:
    """Path of Altair's chart widget code bundled with Vega, Vega-Lite and vega-embed, built by
    vl-convert (offline) on first use and cached per Altair and vl-convert version.

    The cache folder is ``$J2_CACHE_DIR``, else ``$XDG_CACHE_HOME/joules-and-jevons``, else
    ``~/.cache/joules-and-jevons``; if it cannot be written, a temporary folder.
    """
    import vl_convert as vlc
    from altair.jupyter.jupyter_chart import load_js_src

    source = load_js_src()
    key = hashlib.sha256(f"{alt.__version__}|{vlc.__version__}|{source}".encode()).hexdigest()[:16]
    for folder in (_cache_dir(), Path(tempfile.gettempdir()) / "joules-and-jevons"):
        path = folder / f"jupyter-chart-{key}.js"
        if path.is_file():
            return path
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            continue
        # vl-convert bundles a snippet that imports only from the packages it ships: drop the
        # widget code's own import lines (they point at a CDN) and let it resolve the names.
        body = "\n".join(line for line in source.splitlines() if not line.startswith("import "))
        vl_version = "_".join(alt.SCHEMA_VERSION.split(".")[:2])  # "v6.4.1" -> "v6_4"
        code = vlc.javascript_bundle(body, vl_version=vl_version)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        try:
            tmp.write_text(code, encoding="utf-8")
            os.replace(tmp, path)
        except OSError:
            continue
        return path
    raise OSError("no writable cache folder for the chart widget's JavaScript bundle")


@functools.cache
def _view_class():
    class ChartView(alt.JupyterChart):
        """Altair's chart widget with Vega bundled from a file instead of a CDN."""

        _esm = bundle_file()

    return ChartView


def chart_view(spec: dict) -> alt.JupyterChart:
    """A chart widget showing ``spec``, drawn as SVG in the browser; assign a new
    specification to its ``spec`` attribute to redraw it."""
    view = _view_class()(
        None,
        embed_options={
            "renderer": "svg",
            "actions": {"export": True, "source": False, "compiled": False, "editor": False},
        },
    )
    view.spec = spec
    return view


if __name__ == "__main__":  # `python -m helpers.live`: build the bundle now (make, Binder)
    print(f"chart widget bundle: {bundle_file()}")
