"""Sliders and menus in the course's layout: a wide label on the left, a slider of fixed width.

Sliders only offer valid ranges, so a learner cannot push a calculator into an error; they
update when released (``continuous_update=False``), so one move is one redraw.
"""

from __future__ import annotations

import ipywidgets as widgets

__all__ = ["STYLE", "LAYOUT", "slider", "log_slider", "dropdown", "checkbox"]

STYLE = {"description_width": "270px"}
LAYOUT = widgets.Layout(width="620px")


def slider(description: str, value: float, min: float, max: float, step: float, fmt: str = ".2f"):
    """A labelled FloatSlider restricted to ``[min, max]``."""
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
):
    """A FloatLogSlider from 10**min_exp to 10**max_exp, for quantities spanning decades."""
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


def dropdown(description: str, options, value):
    """A labelled Dropdown; ``options`` as ipywidgets takes them (values or (label, value))."""
    return widgets.Dropdown(
        options=options, value=value, description=description, style=STYLE, layout=LAYOUT
    )


def checkbox(description: str, value: bool):
    """A labelled Checkbox."""
    return widgets.Checkbox(value=value, description=description, style=STYLE, layout=LAYOUT)
