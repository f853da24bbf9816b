"""Chart specifications that are built once and refilled: what makes a slider move cheap.

Building a chart's specification with Altair costs 10–60 ms (building the chart objects and
``to_dict``), too slow for a slider. So a chart builder that explorers use is written in two
steps (:func:`two_step`): a *data* step in pandas that returns every table, the title and the
few discrete choices that shape the chart, and an *encode* step in Altair that only places
them. :class:`SpecTemplates` runs the encode step once per shape of chart and afterwards
refills the resulting specification with new tables and a new title. The tests check, at many
slider positions, that the refilled specification is the one Altair would build.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable

import altair as alt
import numpy as np
import pandas as pd

__all__ = ["two_step", "SpecTemplates", "refill"]


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
    # Validated when the template was built; a refilled title has the same form.
    return title.to_dict(validate=False) if isinstance(title, alt.SchemaBase) else title


def _records(frame: pd.DataFrame) -> list[dict]:
    """The rows Altair embeds for ``frame`` (``alt.to_values``), computed column by column.

    Altair's conversion copies and converts the whole frame (about 3 ms for a small table);
    numbers, text and booleans need only NaN and infinities turned into ``None``. Any other
    column type, or column names Altair would reject, take Altair's own route."""
    if isinstance(frame.columns, pd.MultiIndex) or not all(isinstance(c, str) for c in frame):
        return alt.to_values(frame)["values"]
    columns = []
    for _, col in frame.items():
        kind = col.dtype.kind
        if kind in "iub" and not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            columns.append(col.to_numpy().tolist())
        elif kind == "f" and not isinstance(col.dtype, pd.api.extensions.ExtensionDtype):
            values = col.to_numpy()
            finite = np.isfinite(values)
            listed = values.tolist()
            columns.append(
                listed
                if finite.all()
                else [v if ok else None for v, ok in zip(listed, finite, strict=True)]
            )
        elif pd.api.types.is_string_dtype(col.dtype) and not isinstance(
            col.dtype, pd.CategoricalDtype
        ):
            listed = col.tolist()
            if not all(isinstance(v, str) for v in listed):
                return alt.to_values(frame)["values"]
            columns.append(listed)
        else:
            return alt.to_values(frame)["values"]
    names = list(frame.columns)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


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

    def fill(self, builder, *args, **kwargs) -> tuple[dict, dict | None]:
        """The template of ``builder(*args, **kwargs)`` and what fills it, without building
        the chart: ``(template, changes)``, where ``changes`` holds the rows of each named
        dataset and the title (see :func:`refill`). For a shape that could not be made a
        template, ``(the whole specification, None)``."""
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
        template = self._templates[key]
        if template is None:
            return builder.encode(**parts).to_dict(validate=False), None
        spec, names = template
        changes = {"datasets": {name: _records(frames[k]) for k, name in names.items()}}
        if "title" in parts:
            changes["title"] = _title_json(parts["title"])
        return spec, changes

    def spec(self, builder, *args, **kwargs) -> dict:
        """The specification of ``builder(*args, **kwargs)``, without building the chart."""
        return refill(*self.fill(builder, *args, **kwargs))

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


def refill(template: dict, changes: dict | None) -> dict:
    """``template`` with the datasets and title in ``changes`` (from :meth:`SpecTemplates.fill`)."""
    if changes is None:
        return template
    spec = dict(template, datasets={**template["datasets"], **changes["datasets"]})
    if "title" in changes:
        spec["title"] = changes["title"]
    return spec
