"""The presentation toolkit every chapter's view uses, one module per job.

=================  ===========================================================================
``render``         theme, palette, fonts; a chart as SVG + PNG + words (``helpers.setup()``)
``cache``          the private cache folder (rendered charts, the Vega bundle)
``tables``         a DataFrame as a readable table
``numbers``        one way to write numbers, money and masses
``controls``       sliders, menus and check boxes in the course's layout
``templates``      two-step chart builders and specifications refilled with new data
``chart_view``     the chart widget that redraws in the browser (``chart_view.js``)
``explorer``       the explorer: controls + chart + a still picture for saved notebooks
=================  ===========================================================================

Chapter-specific frames, chart builders and explorers live in :mod:`helpers.views`.
"""

from helpers.ui.numbers import number
from helpers.ui.tables import table

__all__ = ["table", "number"]
