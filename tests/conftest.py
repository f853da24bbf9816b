"""Shared hypothesis strategies and helpers for the tests."""

from __future__ import annotations

import math
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Hypothesis: random exploration on a developer's machine (a failure it finds there becomes a
# pinned @example or test); the same examples on every CI run, so CI cannot fail by chance.
# .ci/run sets HYPOTHESIS_PROFILE=ci; so does CI=true (GitHub Actions and most CI services).
settings.register_profile("dev", deadline=None)
settings.register_profile("stress", deadline=None, max_examples=1000)  # a longer local hunt
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") == "true" else "dev")
)


def floats(min_value=None, max_value=None, **kwargs):
    """``st.floats`` without subnormal numbers (below about 2.2e-308 the calculators refuse
    them: they have lost their precision; tests/test_bad_inputs.py checks that)."""
    kwargs.setdefault("allow_subnormal", False)
    return st.floats(min_value, max_value, **kwargs)


def normal(x: float) -> float:
    """``x``, or 0 if it is subnormal: a product of two generated numbers can fall below the
    smallest normal float (0.5 W × 2.2e-308), which the calculators refuse by name (found by
    Hypothesis, 2026-12-02, in tests/test_power.py and tests/test_capex.py)."""
    return 0.0 if abs(x) < sys.float_info.min else x


# Finite, non-negative magnitudes spanning the ranges the course uses.
nonneg = floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)
positive = floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)
pue = floats(min_value=1.0, max_value=3.0, allow_nan=False, allow_infinity=False)
bad_nonneg = st.sampled_from([math.nan, math.inf, -math.inf, -1.0, -1e-9])


def raises_naming(parameter: str):
    """``pytest.raises(ValueError)`` that also demands the message names ``parameter``."""
    return pytest.raises(ValueError, match=rf"\b{parameter}\b")


# --- Real browser, shared by the browser tests (JupyterLab, the static book, calculator mode) ---

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_PREFIXES = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")


def require_chromium() -> None:
    """Skip without Chromium, or fail if J2_REQUIRE_BROWSER=1 (set by .ci/run)."""
    if Path(CHROMIUM).exists():
        return
    reason = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("J2_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + "; J2_REQUIRE_BROWSER=1 makes this a failure")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """Headless system Chromium driven by Playwright (never a downloaded browser)."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def offline_page(chromium):
    """``(page, blocked)``: a fresh page whose requests to anything but 127.0.0.1 (and data:,
    blob: URLs) are aborted and their URLs appended to ``blocked``."""
    blocked: list[str] = []
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def route(r):
        if r.request.url.startswith(LOCAL_PREFIXES):
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    yield page, blocked
    context.close()


ARTIFACTS = Path(
    os.environ.get("J2_ARTIFACT_DIR", Path(__file__).resolve().parent.parent / "build" / "browser")
)
"""Screenshots and timings of the browser tests (test artifacts; build/ is not committed)."""


@pytest.fixture
def screenshot():
    """``screenshot(page_or_locator, name)`` saves ``name.png`` to :data:`ARTIFACTS`
    (``$J2_ARTIFACT_DIR``, default ``build/browser``)."""

    def save(target, name: str, **kwargs) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target.screenshot(path=str(ARTIFACTS / f"{name}.png"), **kwargs)

    return save
