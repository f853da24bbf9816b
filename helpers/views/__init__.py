"""One module per chapter: that chapter's frames, chart builders and explorer.

``helpers.views.ch04`` goes with ``notebooks/04_capex_amortization.ipynb`` and
``helpers.checks.ch04``; a notebook imports its own chapter's view
(``from helpers.views import ch04``). What every chapter shares (rendering, tables, sliders, the
explorer frame, the chart widget, the cache) is in :mod:`helpers.ui`.

In each view module:

* **chart builders** take a DataFrame and return an Altair chart with a title, axis titles with
  units and a one-sentence ``description`` (what a screen reader and a text-only front end
  read). Encodings are channel objects (``alt.X("day:Q")``), never shorthand strings: Altair
  converts each shorthand through ``from_dict``, about 5 ms each (tests/test_charts.py). A
  builder that an explorer redraws is written in two steps
  (:func:`helpers.ui.templates.two_step`);
* **frames** turn calculator results into the long tables the builders draw;
* **the explorer** wires sliders to a frame and a builder
  (:func:`helpers.ui.explorer.explorer`); its calculator inputs come from the calculator
  layer (e.g. :class:`helpers.tokens.Deployment`), never from the view.
"""
