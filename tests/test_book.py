"""The static book (``make book``, tools/build_book.py), read offline in headless Chromium.

The book is built into a temporary directory and served from 127.0.0.1; every other request is
aborted and recorded. Each page must load, draw every chart its notebook has (plus each
explorer's starting chart), show the explorer note, and link only to pages that exist. The
static checks at the top need no browser.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PAGES = [*CHAPTERS, ROOT / "notebooks" / "glossary.ipynb"]


def _load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_book = _load(ROOT / "tools" / "build_book.py")


def _expected(path: Path) -> dict:
    """What the page for ``path`` must show, counted from the committed notebook."""
    nb = json.loads(path.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    live = [c for c in code if build_book.LIVE_TAG in c.get("metadata", {}).get("tags", [])]
    pictures = [
        o
        for c in code
        for o in c.get("outputs", [])
        if {"image/svg+xml", "image/png"} & set(o.get("data", {}))
    ]
    return {
        "cells": len(nb["cells"]),
        "charts": len(pictures),  # every chart, and every explorer's starting picture
        "alts": [
            "".join(o["data"]["text/plain"]) for o in pictures if "image/svg+xml" in o["data"]
        ],
        "live": len(live),
        "tables": sum(
            any("text/html" in o.get("data", {}) for o in c.get("outputs", [])) for c in live
        ),
    }


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("book")
    start = time.perf_counter()
    build_book.build(out)
    print(f"book built in {time.perf_counter() - start:.1f} s")
    return out


# --- static checks (no browser) ------------------------------------------------------------


def test_one_page_per_chapter_and_an_index(book):
    pages = sorted(p.name for p in book.glob("*.html"))
    assert pages == sorted(["index.html", *(f"{p.stem}.html" for p in PAGES)])


# A tag that makes the browser fetch something, with the address it fetches.
_FETCHING = re.compile(
    r"<(script|link|img|iframe|source|audio|video|embed|object)\b[^>]*?\s(?:src|href|data)="
    r"\"([^\"]*)\"",
    re.IGNORECASE,
)


@pytest.mark.parametrize("name", ["index.html", *(f"{p.stem}.html" for p in PAGES)])
def test_page_fetches_nothing_from_the_network(book, name):
    page = (book / name).read_text(encoding="utf-8")
    remote = [
        f"<{tag} {url[:80]}>"
        for tag, url in _FETCHING.findall(page)
        if not url.startswith("data:") and re.match(r"^([a-z]+:)?//", url, re.IGNORECASE)
    ]
    remote += re.findall(r"url\(\s*['\"]?(?:https?:)?//[^)]{0,80}", page)
    remote += re.findall(r"import\(\s*['\"](?:https?:)?//[^)]{0,80}", page)
    remote += re.findall(r"@import\s+['\"]?(?:url\()?['\"]?(?:https?:)?//[^;]{0,80}", page)
    assert not remote, f"{name} would load from the network: {remote}"
    local = re.findall(r'href="(?![a-z]+://)[^"]*\.ipynb[#"]', page)
    assert not local, f"{name} still links to a notebook file: {local}"


# --- in the browser ------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(book):
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=book))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _watch(page) -> list[str]:
    """Record local requests that failed or answered with an error, and script errors."""
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on(
        "requestfailed",
        lambda r: problems.append(f"failed {r.url}") if r.url.startswith("http://127.") else None,
    )
    return problems


def _dead_links(page, site: str) -> list[str]:
    """Links within the book that do not resolve: a missing page, or a missing #anchor here."""
    hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
    here = page.url.split("#")[0]
    dead = []
    for href in sorted(set(hrefs)):
        if not href.startswith(site):
            continue
        target, _, anchor = href.partition("#")
        if target != here:
            if not page.request.get(target).ok:
                dead.append(href)
        elif anchor and not page.evaluate(
            # The spec tries the fragment as written, then decoded (nbconvert's heading ids
            # are percent-encoded as written).
            "a => (document.getElementById(a) || document.getElementById(decodeURIComponent(a)))"
            " !== null",
            anchor,
        ):
            dead.append(href)
    return dead


@pytest.mark.browser
def test_index_links_every_chapter(site, offline_page, screenshot):
    page, blocked = offline_page
    problems = _watch(page)
    response = page.goto(f"{site}/index.html")
    assert response.ok
    links = page.eval_on_selector_all(
        "ol.chapters a", "els => els.map(a => [a.getAttribute('href'), a.textContent])"
    )
    assert [href for href, _ in links] == [f"{p.stem}.html" for p in CHAPTERS]
    for (href, text), path in zip(links, CHAPTERS, strict=True):
        assert text.startswith(path.name[:2]), f"{href}: link text {text!r}"
        assert page.request.get(f"{site}/{href}").ok, f"{href} does not resolve"
    screenshot(page, "book_index")
    assert not _dead_links(page, site)
    assert not problems, problems
    assert not blocked, f"requests to the network: {blocked}"


@pytest.mark.browser
@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_page_renders_offline(site, offline_page, screenshot, path):
    page, blocked = offline_page
    problems = _watch(page)
    want = _expected(path)
    start = time.perf_counter()
    response = page.goto(f"{site}/{path.stem}.html")
    assert response.ok
    page.wait_for_function(
        "() => [...document.querySelectorAll('img')].every(i => i.complete)", timeout=30_000
    )
    seconds = time.perf_counter() - start
    seen = page.evaluate(
        """() => {
            const imgs = [...document.querySelectorAll('.jp-OutputArea-output img')];
            const svgs = [...document.querySelectorAll('.jp-OutputArea-output svg')]
                .filter(s => !s.parentElement.closest('svg'));
            return {
                cells: document.querySelectorAll('.jp-Cell').length,
                drawn: imgs.filter(i => i.naturalWidth > 0).length + svgs.length,
                broken: imgs.filter(i => i.naturalWidth === 0).length,
                notes: document.querySelectorAll('.j2-explorer-note').length,
                alts: [...document.querySelectorAll(
                    ".jp-OutputArea-output[data-mime-type='image/svg+xml'] img")].map(i => i.alt),
                tablesAfterNotes: [...document.querySelectorAll('.jp-Cell')].filter(c =>
                    c.querySelector('.j2-explorer-note') && c.querySelector('table')).length,
                title: document.title,
            };
        }"""
    )
    print(f"{path.stem}: loaded and drawn in {seconds:.2f} s")
    screenshot(page, f"book_{path.stem}")
    if want["live"]:
        page.locator(".j2-explorer-note").first.scroll_into_view_if_needed()
        screenshot(page, f"book_{path.stem}_explorer")
    assert seen["cells"] == want["cells"], seen
    assert seen["broken"] == 0, f"{seen['broken']} images did not decode"
    assert seen["drawn"] == want["charts"], (
        f"{seen['drawn']} charts drawn, expected {want['charts']} "
        f"(chart outputs + one starting picture per explorer)"
    )
    assert seen["alts"] == want["alts"], "a chart image lacks its title and description as alt"
    assert seen["notes"] == want["live"]
    assert seen["tablesAfterNotes"] == want["tables"], "a live table (the ledger) shows no rows"
    assert seen["title"].startswith(path.name[:2]), seen["title"]
    assert not _dead_links(page, site)
    assert not problems, problems
    assert not blocked, f"requests to the network: {blocked}"


@pytest.mark.browser
def test_the_glossary_page_keeps_its_anchors_and_links(site, offline_page, screenshot):
    """Chapters link to ``glossary.html#term``: every entry's anchor must survive nbconvert, and
    the index lists the glossary under Reference."""
    page, blocked = offline_page
    problems = _watch(page)
    response = page.goto(f"{site}/index.html")
    assert response.ok
    extra = page.eval_on_selector_all("ul.appendices a", "els => els.map(a => a.textContent)")
    assert extra and extra[0].startswith("Glossary"), extra
    response = page.goto(f"{site}/glossary.html")
    assert response.ok
    cells = json.loads((ROOT / "notebooks" / "glossary.ipynb").read_text(encoding="utf-8"))
    anchors = [f"cell-id={c['id']}" for c in cells["cells"] if c["id"].startswith("g-")]
    assert len(anchors) >= 20, anchors  # chapters link to glossary.ipynb#cell-id=g-<term>
    missing = page.evaluate("ids => ids.filter(i => !document.getElementById(i))", anchors)
    assert not missing, f"anchors lost in the book: {missing}"
    screenshot(page, "book_glossary")
    assert not _dead_links(page, site)
    assert not problems, problems
    assert not blocked, f"requests to the network: {blocked}"
