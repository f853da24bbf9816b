"""helpers.uncertainty: seeded, vectorized Monte Carlo over sourced ranges."""

import math

import numpy as np
import pytest
from conftest import floats
from hypothesis import given
from hypothesis import strategies as st

from helpers import data, fleet
from helpers.uncertainty import Band, Range, band, lever_chain, monte_carlo, percentiles, sample
from helpers.units import convert_energy

SEED_RANGES = {
    "energy_per_query_wh": Range(1.0, 3.0),
    "pue": Range(1.09, 1.58),
}


def seed_bill(energy_per_query_wh, pue):
    wh = fleet.queries_energy_wh(1e7, energy_per_query_wh, pue)
    return fleet.electricity_cost_usd(convert_energy(wh, "Wh", "kWh"), 0.10)


def test_same_seed_same_result():
    a = monte_carlo(seed_bill, SEED_RANGES, n=10_000, seed=42)
    b = monte_carlo(seed_bill, SEED_RANGES, n=10_000, seed=42)
    np.testing.assert_array_equal(a, b)
    assert band(seed_bill, SEED_RANGES, seed=7) == band(seed_bill, SEED_RANGES, seed=7)


def test_different_seed_different_result():
    a = monte_carlo(seed_bill, SEED_RANGES, n=10_000, seed=1)
    b = monte_carlo(seed_bill, SEED_RANGES, n=10_000, seed=2)
    assert not np.array_equal(a, b)
    # ... but the same answer to within sampling noise
    assert np.median(a) == pytest.approx(np.median(b), rel=0.02)


def test_seed_bill_band_brackets_the_seed_3000():
    b = band(seed_bill, SEED_RANGES)
    assert isinstance(b, Band)
    assert b.low < 3_000 < b.high
    assert b.low > seed_bill(1.0, 1.09)
    assert b.high < seed_bill(3.0, 1.58)
    assert seed_bill(2.0, 1.5) == pytest.approx(3_000)  # the seed's own numbers


def test_seed_bill_band_is_the_chapter_s_band():
    # The docstring's example (PUE 1.1-1.6) and chapter 05's exercise (1.09-1.58, n=100,000).
    ranges = {"energy_per_query_wh": Range(1.0, 3.0), "pue": Range(1.1, 1.6)}
    assert str(band(seed_bill, ranges)) == "2,660 (5–95 %: 1,450 to 4,110)"
    assert band(seed_bill, SEED_RANGES, n=100_000, seed=0).high == pytest.approx(4_065.79, abs=0.01)


def test_draws_stay_in_range_and_have_the_right_centre():
    s = sample(
        {
            "u": Range(1.0, 3.0),
            "t": Range(0.71, 1.0, "triangular", mode=0.89),
            "log": Range(0.2, 1 / 3, "loguniform"),
            "c": 5.0,
        },
        n=200_000,
        seed=0,
    )
    assert 1.0 <= s["u"].min() and s["u"].max() <= 3.0
    assert np.median(s["u"]) == pytest.approx(2.0, rel=0.01)
    assert 0.71 <= s["t"].min() and s["t"].max() <= 1.0
    assert np.median(s["log"]) == pytest.approx(math.sqrt(0.2 / 3), rel=0.01)
    assert s["c"] == 5.0


def test_central_values():
    assert Range(1.0, 3.0).central() == 2.0
    assert Range(1.0, 4.0, "loguniform").central() == pytest.approx(2.0)
    assert Range(0.0, 1.0, "triangular", mode=0.2).central() == 0.2
    assert np.all(Range(2.0, 2.0).draw(np.random.default_rng(0), 4) == 2.0)


def test_ranges_from_the_lever_table():
    for _, row in data.load("levers").iterrows():
        mode = row.factor_central if row.distribution == "triangular" else None
        r = Range(row.factor_low, row.factor_high, row.distribution, mode=mode)
        draws = r.draw(np.random.default_rng(0), 1000)
        assert row.factor_low <= draws.min() and draws.max() <= row.factor_high


def test_constant_model_output_is_broadcast():
    out = monte_carlo(lambda pue: 3.0, {"pue": Range(1.1, 1.6)}, n=5)
    assert out.shape == (5,)


def test_percentiles_are_ordered():
    p = percentiles(np.arange(101.0), (5, 50, 95))
    np.testing.assert_allclose(p, [5, 50, 95])


def test_band_prints_readably():
    assert str(Band(1_446.0, 2_665.0, 4_114.0)) == "2,660 (5–95 %: 1,450 to 4,110)"
    assert str(Band(0.1, 0.25, 0.3333)) == "0.25 (5–95 %: 0.1 to 0.333)"


@given(lo=floats(-1e6, 1e6), width=floats(0, 1e6), seed=st.integers(0, 2**32 - 1))
def test_uniform_draws_inside_bounds(lo, width, seed):
    x = Range(lo, lo + width).draw(np.random.default_rng(seed), 100)
    assert (x >= lo).all() and (x <= lo + width).all()


@given(seed=st.integers(0, 2**32 - 1))
def test_band_is_ordered(seed):
    b = band(seed_bill, SEED_RANGES, n=500, seed=seed)
    assert b.low <= b.median <= b.high


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"low": 2.0, "high": 1.0}, "high"),
        ({"low": math.nan, "high": 1.0}, "low"),
        ({"low": 0.0, "high": math.inf}, "high"),
        ({"low": 0.0, "high": 1.0, "shape": "loguniform"}, "low"),
        ({"low": 0.0, "high": 1.0, "shape": "normal"}, "shape"),
        ({"low": 0.0, "high": 1.0, "shape": "triangular"}, "mode"),
        ({"low": 0.0, "high": 1.0, "shape": "triangular", "mode": 2.0}, "mode"),
        ({"low": 0.0, "high": 1.0, "mode": 0.5}, "mode"),
    ],
)
def test_bad_ranges_rejected(kwargs, name):
    with pytest.raises(ValueError, match=rf"\b{name}\b"):
        Range(**kwargs)


@pytest.mark.parametrize("bad", [0, -5, 1.5, math.nan, True, "10"])
def test_bad_n_rejected(bad):
    with pytest.raises(ValueError, match=r"\bn\b"):
        sample(SEED_RANGES, n=bad)


@pytest.mark.parametrize("bad", [-1, 0.5, math.nan, "x"])
def test_bad_seed_rejected(bad):
    with pytest.raises(ValueError, match=r"\bseed\b"):
        sample(SEED_RANGES, n=10, seed=bad)


def test_bad_constant_rejected():
    with pytest.raises(ValueError, match=r"\bpue\b"):
        sample({"pue": math.nan}, n=10)


def test_bad_percentiles_rejected():
    with pytest.raises(ValueError, match=r"\bq\b"):
        percentiles([1.0, 2.0], (5, 150))
    with pytest.raises(ValueError, match=r"\bq\b"):
        band(seed_bill, SEED_RANGES, n=10, q=(5, 95))


def test_lever_chain_is_seeded_and_shaped():
    levers = [Range(0.2, 1 / 3, "loguniform"), Range(0.5, 1.0)]
    a = lever_chain(Range(10.0, 30.0), levers, n=1_000, seed=3)
    b = lever_chain(Range(10.0, 30.0), levers, n=1_000, seed=3)
    assert a.shape == (3, 1_000)
    np.testing.assert_array_equal(a, b)
    assert (a[1] <= a[0]).all() and (a[2] <= a[1]).all()


def test_lever_chain_takes_baseline_draws():
    base = np.full(100, 30.0)
    chain = lever_chain(base, [0.5], n=100)
    np.testing.assert_allclose(chain, [np.full(100, 30.0), np.full(100, 15.0)])
    assert lever_chain(5.0, [], n=4).shape == (1, 4)
    with pytest.raises(ValueError, match="baseline"):
        lever_chain(np.ones(10), [0.5], n=100)
    with pytest.raises(ValueError, match="baseline"):
        lever_chain(-np.ones(100), [0.5], n=100)


def test_range_from_lever_row():
    row = data.load("levers").loc["quantization-fp8-large-batch"]
    r = Range.from_factors(row.factor_low, row.factor_central, row.factor_high, row.distribution)
    assert (r.low, r.mode, r.high, r.shape) == (0.71, 0.89, 1.0, "triangular")
    assert Range.from_factors(0.2, 0.25, 0.333, "loguniform").mode is None


def test_band_text_rounds_to_three_significant_figures_across_a_thousand():
    assert str(Band(999.4, 999.7, 1234.5)) == "1,000 (5–95 %: 999 to 1,230)"
