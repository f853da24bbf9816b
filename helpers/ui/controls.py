"""Sliders and menus in the course's layout: a wide label on the left, a slider of fixed width.

Sliders only offer valid ranges, so a learner cannot push a calculator into an error; they
update when released (``continuous_update=False``), so one move is one redraw.
"""

from __future__ import annotations

import ipywidgets as widgets

from helpers._validate import as_flag, as_number

__all__ = ["STYLE", "LAYOUT", "slider", "log_slider", "dropdown", "checkbox"]

STYLE = {"description_width": "270px"}
LAYOUT = widgets.Layout(width="620px")


def _start(value, name: str | None, description: str, low: float, high: float) -> float:
    """The starting value, refused (naming the parameter) if the slider cannot show it:
    ipywidgets would silently move it to the nearest end."""
    return as_number(value, name or description, low=low, high=high)


def slider(
    description: str,
    value: float,
    min: float,
    max: float,
    step: float,
    fmt: str = ".2f",
    *,
    name: str | None = None,
):
    """A labelled FloatSlider restricted to ``[min, max]``. A starting ``value`` outside it
    raises ``ValueError`` naming ``name`` (the explorer's parameter) and the range."""
    value = _start(value, name, description, min, max)
    return widgets.FloatSlider(
        value=value,
        min=min,
        max=max,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style=STYLE,
        layout=LAYOUT,
    )


def log_slider(
    description: str,
    value: float,
    min_exp: float,
    max_exp: float,
    step: float = 0.05,
    fmt: str = ",.3g",
    *,
    name: str | None = None,
):
    """A FloatLogSlider from 10**min_exp to 10**max_exp, for quantities spanning decades; a
    starting ``value`` outside that range raises ``ValueError`` naming ``name``."""
    value = _start(value, name, description, 10.0**min_exp, 10.0**max_exp)
    return widgets.FloatLogSlider(
        value=value,
        base=10,
        min=min_exp,
        max=max_exp,
        step=step,
        description=description,
        readout_format=fmt,
        continuous_update=False,
        style=STYLE,
        layout=LAYOUT,
    )


def dropdown(description: str, options, value, *, name: str | None = None):
    """A labelled Dropdown; ``options`` as ipywidgets takes them (values or (label, value)). A
    ``value`` that is not among them raises ``ValueError`` naming ``name``."""
    values = [o[1] if isinstance(o, tuple) else o for o in options]
    if value not in values:
        raise ValueError(f"{name or description} must be one of {values}; got {value!r}")
    return widgets.Dropdown(
        options=options, value=value, description=description, style=STYLE, layout=LAYOUT
    )


def checkbox(description: str, value: bool, *, name: str | None = None):
    """A labelled Checkbox; ``value`` must be True or False (``TypeError`` naming ``name``)."""
    value = as_flag(value, name or description)
    return widgets.Checkbox(value=value, description=description, style=STYLE, layout=LAYOUT)
