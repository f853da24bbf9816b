"""Joules & Jevons: calculators, data and charts for a course on the energy cost of AI.

Importing ``helpers`` has no side effects. A notebook calls :func:`setup` once to switch on the
offline chart renderer and the course theme.

Layers (each imports only the ones below it)::

    helpers.widgets, charts, live     presentation (altair, ipywidgets)
    helpers.lifecycle, tokens, ...    calculators (numpy only)
    helpers.data                      the tables in data/, validated against datapackage.json
"""

__version__ = "0.1.0"

__all__ = ["setup", "__version__"]


def setup() -> None:
    """Enable the offline SVG renderer and the course theme for Altair charts.

    Charts are rendered to SVG in the kernel by ``vl-convert``, so they show in JupyterLab, in
    exported HTML and in CI without loading any JavaScript from the network. Explorers (sliders)
    draw their chart in the browser instead, from Vega bundled offline (:mod:`helpers.live`).
    """
    from helpers import charts

    charts.enable()
