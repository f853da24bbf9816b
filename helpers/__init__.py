"""Joules & Jevons: calculators, data and charts for a course on the energy cost of AI.

Importing ``helpers`` has no side effects. A notebook calls :func:`setup` once to switch on the
offline chart renderer and the course theme.

Layers (each imports only the ones below it)::

    helpers.views.ch00 ... ch06        each chapter's frames, chart builders and explorer
    helpers.ui                         what every chapter's view uses (rendering, tables, sliders,
                                       the explorer frame, the chart widget, the cache)
    helpers.lifecycle, tokens, ...     calculators (numpy only): lifecycle (01), tokens (02),
                                       rebound (03), capex (04), fleet and uncertainty (05),
                                       claims and reconcile (06), power, units
    helpers.data                       the tables in data/, validated against datapackage.json

``helpers.checks.chNN`` holds chapter NN's exercises; ``helpers.server`` starts the course's
servers (JupyterLab, Voilà) and ``python -m helpers`` runs the course's commands.
"""

__version__ = "0.1.0"
REPOSITORY = "joules-and-jevons/course"
"""Where the course is published on GitHub (Binder, Colab and the Colab install cells)."""

__all__ = ["setup", "__version__", "REPOSITORY"]


def setup() -> None:
    """Enable the offline chart renderer and the course theme for Altair charts.

    Charts are rendered in the kernel by ``vl-convert`` to SVG and PNG, with their title and
    description as text (:mod:`helpers.ui.render`), so they show in every notebook front end,
    trusted or not, in exported HTML and in CI, without loading anything from the network.
    Explorers (sliders) draw their chart in the browser instead, from Vega bundled offline
    (:mod:`helpers.ui.chart_view`).
    """
    from helpers.ui import render

    render.enable()
