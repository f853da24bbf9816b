"""Shared hypothesis strategies and helpers for the tests."""

from __future__ import annotations

import math

import pytest
from hypothesis import strategies as st

# Finite, non-negative magnitudes spanning the ranges the course uses.
nonneg = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False)
pue = st.floats(min_value=1.0, max_value=3.0, allow_nan=False, allow_infinity=False)
bad_nonneg = st.sampled_from([math.nan, math.inf, -math.inf, -1.0, -1e-9])


def raises_naming(parameter: str):
    """``pytest.raises(ValueError)`` that also demands the message names ``parameter``."""
    return pytest.raises(ValueError, match=rf"\b{parameter}\b")
