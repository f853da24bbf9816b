"""Tables for notebooks: a DataFrame shown left-aligned, without its index, with readable numbers.

A trusted notebook shows the HTML (a pandas Styler); an untrusted one shows the same table
with JupyterLab's default styles (its sanitiser drops the style sheet); a text-only front end
shows a one-line summary.
"""

from __future__ import annotations

import hashlib

import pandas as pd

__all__ = ["Table", "table"]


class Table:
    """A formatted table for a notebook: HTML from a pandas Styler, a one-line summary as text.

    The summary replaces the Styler's ``<... Styler at 0x7f...>``, whose memory address changed
    on every run, so that re-executing a notebook leaves its committed outputs unchanged.
    """

    def __init__(self, styler, frame: pd.DataFrame):
        self.styler, self.data = styler, frame

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def __repr__(self) -> str:
        rows, cols = self.data.shape
        return f"<Table: {rows} rows × {cols} columns: {', '.join(map(str, self.data.columns))}>"


def table(df: pd.DataFrame, formats: dict | None = None) -> Table:
    """A DataFrame as a left-aligned table without the index (a :class:`Table`).

    Parameters
    ----------
    df : DataFrame
        The rows to show.
    formats : dict, optional
        Column → format string, e.g. ``{"energy_mwh": "{:,.0f}"}``. Other float columns show
        four significant digits.
    """
    cell = [("text-align", "left"), ("vertical-align", "top"), ("white-space", "normal")]
    # A table id derived from the content (pandas picks a random one), so re-running a notebook
    # leaves its committed output unchanged.
    uid = hashlib.sha1(df.to_csv().encode()).hexdigest()[:10]
    styler = (
        df.style.set_uuid(uid)
        .hide(axis="index")
        .set_table_styles(
            [
                {"selector": "th", "props": cell},
                {"selector": "td", "props": [*cell, ("max-width", "36em")]},
            ]
        )
    )
    default = {c: "{:,.4g}" for c in df.select_dtypes("float").columns}
    return Table(styler.format({**default, **(formats or {})}, na_rep="–"), df)
