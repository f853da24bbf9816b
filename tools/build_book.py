"""Build the static, offline book: one HTML page per chapter, the glossary and an index, in
build/book/.

Usage: python tools/build_book.py [OUTPUT_DIR]      (``make book``)

The pages are converted by nbconvert from the committed outputs (nothing is executed for them),
so the book shows exactly what nbval checks. They load nothing from the network: the template
drops the require.js, MathJax, Mermaid and widget scripts nbconvert's ``lab`` template would
fetch from CDNs. The notebooks contain no TeX math (their ``$`` signs are dollars), so MathJax
would only turn prices into italic formulae. Charts are SVG outputs, inlined as data: URIs,
each with its title and description (the output's text form) as the image's alternative text.

A live widget cell (tagged ``live-widget``: an explorer, or chapter 06's filterable ledger) is
committed with its still, what it shows at its starting values (a chart, or the ledger's
table; see ``helpers.ui.explorer``); its sliders and menus need a live kernel. In the book it shows
a note saying where they work, above that still.
"""

from __future__ import annotations

import html
import re
import sys
import time
from pathlib import Path

import jinja2
import nbformat
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CHAPTERS = "[0-9][0-9]_*.ipynb"
APPENDICES = ["glossary.ipynb"]
"""Pages after the chapters (chapters link to their entries: ``glossary.ipynb#pue``)."""
LIVE_TAG = "live-widget"
DEFAULT_OUT = ROOT / "build" / "book"
BOOK_TITLE = "Joules & Jevons"

EXPLORER_NOTE = (
    '<div class="j2-explorer-note" role="note"><strong>Live explorer.</strong> '
    "This cell shows sliders or menus when the notebook runs in JupyterLab (<code>make lab</code>) "
    "or on Binder (see the README); <code>make calculators</code> shows all the explorers alone. "
    "Below: what it shows at its starting values.</div>"
)

# nbconvert's lab template, minus every script it would load from a CDN, plus a chapter bar.
TEMPLATE = r"""
{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style>
  .j2-nav { display: flex; gap: 1.5em; padding: 0.6em 1em; margin-bottom: 1em;
            border-bottom: 1px solid #ddd; font-family: var(--jp-ui-font-family); }
  .j2-nav.j2-bottom { border-bottom: 0; border-top: 1px solid #ddd; margin: 2em 0 0 0; }
  .j2-nav a { text-decoration: none; }
  .j2-explorer-note { border-left: 4px solid #0072B2; background: #eef5fb; padding: 0.6em 1em;
                      margin: 0.3em 0; }
</style>
{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.j2_nav }}
{%- endblock body_header -%}
{%- block data_svg scoped -%}
<div class="jp-RenderedSVG jp-OutputArea-output {{ extra_class }}" data-mime-type="image/svg+xml">
<img alt="{{ output.data['text/plain'] | default('Chart') | escape_html }}" src="data:image/svg+xml;base64,{{ output.data['image/svg+xml'] | text_base64 | escape_html }}">
</div>
{%- endblock data_svg -%}
{%- block body_footer -%}
{{ resources.j2_nav | replace('class="j2-nav"', 'class="j2-nav j2-bottom"') }}
{{ super() }}
{%- endblock body_footer -%}
"""


def chapters() -> list[Path]:
    """The chapter notebooks, in order."""
    return sorted(NOTEBOOKS.glob(CHAPTERS))


def appendices() -> list[Path]:
    """The pages after the chapters that exist (the glossary)."""
    return [NOTEBOOKS / name for name in APPENDICES if (NOTEBOOKS / name).exists()]


def is_live_widget(cell) -> bool:
    """A live widget cell (an explorer, or chapter 06's ledger): tagged ``live-widget``."""
    return cell.cell_type == "code" and LIVE_TAG in cell.get("metadata", {}).get("tags", [])


def title(nb) -> str:
    """The text of the notebook's first ``#`` heading."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError("notebook has no '# ' title")


def with_notes(nb):
    """The notebook with a note above the committed still of each live widget cell."""
    for cell in nb.cells:
        if is_live_widget(cell):
            note = nbformat.v4.new_output(
                "display_data",
                data={"text/html": EXPLORER_NOTE, "text/plain": "Live explorer (sliders)"},
            )
            cell.outputs = [note, *cell.outputs]
    return nb


_NB_LINK = re.compile(r'href="([A-Za-z0-9_\-]+)\.ipynb(#[^"]*)?"')


def rewrite(page: str, names: set[str]) -> str:
    """Links to the book's notebooks (chapters and glossary) → their pages, anchors kept."""

    def link(m: re.Match) -> str:
        if m.group(1) not in names:
            return m.group(0)
        return f'href="{m.group(1)}.html{m.group(2) or ""}"'

    return _NB_LINK.sub(link, page)


def nav(prev: tuple[str, str] | None, nxt: tuple[str, str] | None) -> str:
    items = ['<a href="index.html">Contents</a>']
    if prev:
        items.append(f'<a href="{prev[0]}.html" rel="prev">← {html.escape(prev[1])}</a>')
    if nxt:
        items.append(f'<a href="{nxt[0]}.html" rel="next">{html.escape(nxt[1])} →</a>')
    return f'<nav class="j2-nav">{"".join(items)}</nav>'


def index_page(entries: list[tuple[str, str]], extra: list[tuple[str, str]] = ()) -> str:
    items = "\n".join(
        f'    <li><a href="{stem}.html">{html.escape(text)}</a></li>' for stem, text in entries
    )
    more = "\n".join(
        f'    <li><a href="{stem}.html">{html.escape(text)}</a></li>' for stem, text in extra
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{html.escape(BOOK_TITLE)}</title>
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 46em; margin: 2em auto; padding: 0 1em;
         line-height: 1.5; color: #222; }}
  li {{ margin: 0.3em 0; }}
  .note {{ color: #555; }}
</style>
</head>
<body>
<main>
  <h1>{html.escape(BOOK_TITLE)}</h1>
  <p>An open course on what AI models cost in energy and money. This is the static, offline
  version of the notebooks, with their saved outputs; to change the numbers, run them in
  JupyterLab (<code>make lab</code>) or on Binder.</p>
  <h2>Chapters</h2>
  <ol class="chapters" start="0">
{items}
  </ol>
  <p class="note">Each explorer's sliders work only with a live kernel; here each shows its
  chart at the starting values.</p>
  <h2>Reference</h2>
  <ul class="appendices">
{more}
  </ul>
</main>
</body>
</html>
"""


def build(out_dir: Path | str | None = None) -> list[Path]:
    """Write one page per chapter and ``index.html`` into ``out_dir``; return the paths."""
    out = Path(out_dir) if out_dir is not None else DEFAULT_OUT
    out.mkdir(parents=True, exist_ok=True)
    if not chapters():
        raise FileNotFoundError(f"no {CHAPTERS} in {NOTEBOOKS}")
    paths = chapters() + appendices()
    books = [nbformat.read(p, as_version=4) for p in paths]
    entries = [(p.stem, title(nb)) for p, nb in zip(paths, books, strict=True)]
    n_chapters = len(chapters())
    names = {p.stem for p in paths}
    exporter = HTMLExporter(
        template_name="lab",
        extra_loaders=[jinja2.DictLoader({"j2_book.html.j2": TEMPLATE})],
        template_file="j2_book.html.j2",
    )
    written = []
    for k, (path, nb) in enumerate(zip(paths, books, strict=True)):
        nb = with_notes(nb)
        resources = {
            "metadata": {"name": entries[k][1], "path": str(path.parent)},
            "j2_nav": nav(
                entries[k - 1] if k else None, entries[k + 1] if k + 1 < len(entries) else None
            ),
        }
        body, _ = exporter.from_notebook_node(nb, resources=resources)
        target = out / f"{path.stem}.html"
        target.write_text(rewrite(body, names), encoding="utf-8")
        written.append(target)
    index = out / "index.html"
    index.write_text(index_page(entries[:n_chapters], entries[n_chapters:]), encoding="utf-8")
    return [index, *written]


if __name__ == "__main__":
    start = time.perf_counter()
    pages = build(sys.argv[1] if len(sys.argv) > 1 else None)
    for page in pages:
        print(f"wrote {page}")
    print(f"{len(pages)} pages in {time.perf_counter() - start:.1f} s")
