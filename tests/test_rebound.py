"""Chapter 03 calculators: the textbook cases of the rebound model, pinned; its invariants as
properties; the AI numbers of data/ai_efficiency_trends.csv run through it."""

import math

import numpy as np
import pytest
from conftest import floats, raises_naming
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers import data, rebound

gains = floats(min_value=1e-6, max_value=0.999, allow_nan=False)
elasticities = floats(min_value=0.0, max_value=rebound.MAX_ELASTICITY, allow_nan=False)
shares = floats(min_value=0.01, max_value=1.0, allow_nan=False)
ceilings = floats(min_value=1.0, max_value=100.0, allow_nan=False)
bad_any = st.sampled_from([math.nan, math.inf, -math.inf])

GRID = np.array([1e-9, 1e-3, 0.1, 0.33, 0.5, 0.9, 0.999999])


# --- textbook cases -------------------------------------------------------------------------


def test_elasticity_zero_keeps_the_full_saving():
    for s in (0.2, 1.0):
        np.testing.assert_allclose(rebound.rebound(GRID, 0.0, cost_share=s), 0.0, atol=1e-12)
        np.testing.assert_allclose(rebound.energy_ratio(GRID, 0.0, cost_share=s), 1 - GRID)
        np.testing.assert_allclose(rebound.energy_saving(GRID, 0.0, cost_share=s), GRID)


def test_elasticity_one_offsets_the_saving_exactly_for_any_gain():
    # With energy as the whole cost, E1/E0 = (1 - g)^(1 - eps): eps = 1 gives exactly 1, not only
    # for small gains.
    assert np.all(rebound.energy_ratio(GRID, 1.0) == 1.0)
    assert np.all(rebound.rebound(GRID, 1.0) == 1.0)
    assert rebound.energy_ratio(0.9, 1.0) == 1.0


def test_small_gains_give_rebound_equal_to_share_times_elasticity():
    for s, eps in [(1.0, 0.3), (1.0, 1.7), (0.5, 0.8), (0.1, 2.0)]:
        assert rebound.rebound(1e-9, eps, cost_share=s) == pytest.approx(s * eps, rel=1e-6)


def test_large_gains_depart_from_the_small_gain_approximation():
    # s = 1, eps = 0.5, g = 0.5: R = sqrt(2) - 1, not 0.5.
    assert rebound.rebound(0.5, 0.5) == pytest.approx(math.sqrt(2) - 1)


def test_elasticity_above_one_backfires_for_any_gain():
    for eps in (1.01, 1.5, 3.0):
        assert np.all(rebound.energy_ratio(GRID[1:], eps) > 1.0)
        assert np.all(rebound.rebound(GRID[1:], eps) > 1.0)
    assert rebound.energy_ratio(0.5, 1.5) == pytest.approx(math.sqrt(2))


def test_backfire_threshold_with_energy_as_the_whole_cost_is_one():
    np.testing.assert_allclose(rebound.backfire_elasticity(GRID), 1.0)


@pytest.mark.parametrize("s", [0.1, 0.25, 0.5, 0.9])
@pytest.mark.parametrize("g", [0.01, 0.3, 0.5, 0.9])
def test_backfire_threshold_with_a_cost_share(g, s):
    eps_star = rebound.backfire_elasticity(g, cost_share=s)
    assert eps_star == pytest.approx(math.log(1 - g) / math.log(1 - s * g))
    assert eps_star >= 1 / s
    if eps_star * 1.01 > rebound.MAX_ELASTICITY:  # beyond any plausible elasticity: no backfire
        assert rebound.energy_ratio(g, rebound.MAX_ELASTICITY, cost_share=s) < 1.0
        return
    assert rebound.energy_ratio(g, eps_star, cost_share=s) == pytest.approx(1.0)
    assert rebound.rebound(g, eps_star, cost_share=s) == pytest.approx(1.0)
    assert rebound.energy_ratio(g, eps_star * 1.01, cost_share=s) > 1.0
    assert rebound.energy_ratio(g, eps_star * 0.99, cost_share=s) < 1.0


def test_backfire_threshold_tends_to_one_over_share_for_small_gains():
    for s in (0.1, 0.5, 0.8):
        assert rebound.backfire_elasticity(1e-8, cost_share=s) == pytest.approx(1 / s, rel=1e-6)
    assert rebound.backfire_elasticity(0.5, cost_share=0.5) == pytest.approx(2.409, abs=1e-3)


def test_saturated_demand_banks_the_full_saving():
    for eps in (0.5, 1.0, 1.5, 10.0):
        np.testing.assert_allclose(rebound.rebound(GRID, eps, saturation_ratio=1.0), 0.0, atol=1e-9)
        np.testing.assert_allclose(
            rebound.rebound(GRID, eps, saturation_ratio=1.0, smooth=True), 0.0, atol=1e-9
        )


def test_ceiling_caps_the_rebound():
    # g = 0.5, eps = 1.5: demand would grow 2.83x; a ceiling at 1.5x stops it there.
    assert rebound.service_ratio(0.5, 1.5, saturation_ratio=1.5) == pytest.approx(1.5)
    assert rebound.energy_ratio(0.5, 1.5, saturation_ratio=1.5) == pytest.approx(0.75)
    assert rebound.rebound(0.5, 1.5, saturation_ratio=1.5) == pytest.approx(0.5)
    # A ceiling above what demand reaches changes nothing.
    assert rebound.rebound(0.5, 1.5, saturation_ratio=3.0) == pytest.approx(
        rebound.rebound(0.5, 1.5)
    )


def test_ceiling_can_rule_backfire_out():
    assert rebound.backfire_ceiling(0.5) == 2.0
    assert rebound.energy_ratio(0.5, 10.0, saturation_ratio=rebound.backfire_ceiling(0.5)) == (
        pytest.approx(1.0)
    )
    assert rebound.backfire_elasticity(0.5, saturation_ratio=2.0) == math.inf
    assert rebound.backfire_elasticity(0.5, saturation_ratio=2.5) == 1.0
    assert rebound.energy_ratio(0.5, 10.0, saturation_ratio=2.0) == pytest.approx(1.0)
    out = rebound.backfire_elasticity(0.5, saturation_ratio=np.array([1.0, 2.0, 4.0]))
    assert list(out) == [math.inf, math.inf, 1.0]


def test_the_two_stories_are_two_settings_of_one_model():
    # Seed 003: twice as efficient (g = 0.5). Same elasticity; only the ceiling differs.
    steam = rebound.energy_ratio(0.5, 1.5)
    vacuum = rebound.energy_ratio(0.5, 1.5, saturation_ratio=1.0)
    assert steam == pytest.approx(math.sqrt(2))
    assert vacuum == pytest.approx(0.5)


def test_smooth_ceiling_limits():
    g, eps = 0.4, 1.3
    free = rebound.service_ratio(g, eps)
    assert rebound.service_ratio(g, eps, saturation_ratio=1e9, smooth=True) == pytest.approx(
        free, rel=1e-6
    )
    smooth = rebound.service_ratio(g, eps, saturation_ratio=3.0, smooth=True)
    assert 1.0 < smooth < min(free, 3.0)
    # Near the ceiling it approaches h as the price goes to zero.
    assert rebound.service_ratio(0.999999, 5.0, saturation_ratio=3.0, smooth=True) == (
        pytest.approx(3.0, rel=1e-6)
    )


def test_smooth_ceiling_local_elasticity_is_eps_times_headroom():
    eps, h, s = 1.5, 4.0, 1.0
    g = 1e-6
    local = math.log(rebound.service_ratio(g, eps, s, h, smooth=True)) / -math.log(1 - g)
    assert local == pytest.approx(eps * (h - 1) / h, rel=1e-4)


def test_identities_between_the_outputs():
    g, eps, s, h = 0.3, 1.2, 0.7, 1.8
    e = rebound.energy_ratio(g, eps, s, h)
    assert e == pytest.approx((1 - g) * rebound.service_ratio(g, eps, s, h))
    assert rebound.energy_saving(g, eps, s, h) == pytest.approx(1 - e)
    assert rebound.rebound(g, eps, s, h) == pytest.approx(1 - (1 - e) / g)
    assert rebound.price_ratio(g, s) == pytest.approx(1 - s * g)


def test_gain_from_factor():
    assert rebound.gain_from_factor(2) == pytest.approx(0.5)
    assert rebound.gain_from_factor(33) == pytest.approx(32 / 33)


def test_observed_rebound_wikipedia_example():
    # 5 % more efficient cars, 2 % less fuel: a 60 % rebound.
    assert rebound.observed_rebound(0.05, 0.98 / 0.95) == pytest.approx(0.6)
    assert rebound.observed_rebound(0.5, 0.8) < 0  # use fell: more than the expected saving


def test_implied_elasticity():
    assert rebound.implied_elasticity(4.0, 0.5) == pytest.approx(2.0)
    assert rebound.implied_elasticity(1.0, 0.5) == 0.0


# --- the AI numbers --------------------------------------------------------------------------


def _trend(row):
    return data.value("ai_efficiency_trends", row, "value")


def test_gemini_year_as_rebound_accounting():
    g = rebound.gain_from_factor(_trend("gemini-energy-per-prompt"))
    growth = _trend("google-tokens-2025-05") / _trend("google-tokens-2024-05")
    assert growth == pytest.approx(49.48, abs=0.01)
    assert rebound.observed_rebound(g, growth) == pytest.approx(1.515, abs=1e-3)
    assert rebound.observed_energy_ratio(g, growth) == pytest.approx(1.4995, abs=1e-4)
    assert rebound.implied_elasticity(growth, 1 - g) == pytest.approx(1.116, abs=1e-3)


def test_token_elasticity_through_the_model():
    eps = abs(_trend("nber-token-elasticity"))
    g = rebound.gain_from_factor(_trend("gemini-energy-per-prompt"))
    assert rebound.energy_ratio(g, eps) == pytest.approx(33**0.11)
    g10 = rebound.gain_from_factor(_trend("llmflation-decline"))
    assert rebound.energy_ratio(g10, eps) == pytest.approx(10**0.11)


def test_negative_published_elasticity_is_rejected_with_its_name():
    with raises_naming("elasticity"):
        rebound.energy_ratio(0.5, _trend("nber-token-elasticity"))


# --- adoption --------------------------------------------------------------------------------


def test_adoption_share_and_energy_at_start():
    assert rebound.adoption_share(2.0, 2.0, 1.0) == 0.5
    assert rebound.adoption_share(0.0, -1e6, 1.0) == 1.0
    assert rebound.adoption_energy_ratio(0.0, 0.3, 2.0, 1.0) == pytest.approx(1.0)


def test_adoption_peak_is_where_energy_stops_growing():
    g, t0, k = 0.5, 2.0, 1.5
    t_star = rebound.adoption_peak_year(g, t0, k)
    assert t_star == pytest.approx(2.101, abs=1e-3)
    around = rebound.adoption_energy_ratio(
        np.array([t_star - 0.01, t_star, t_star + 0.01]), g, t0, k
    )
    assert around[1] > around[0] and around[1] > around[2]


def test_adoption_peak_is_now_when_efficiency_outruns_adoption():
    # k (1 - A) < -ln(1 - g) from the start: energy falls at once.
    assert rebound.adoption_peak_year(0.9, 2.0, 1.0) == 0.0
    assert rebound.adoption_peak_year(0.5, -5.0, 1.0) == 0.0
    later = rebound.adoption_energy_ratio(np.linspace(0, 5, 11), 0.9, 2.0, 1.0)
    assert np.all(np.diff(later) < 0)


def test_adoption_is_stable_for_extreme_parameters():
    out = rebound.adoption_energy_ratio(np.array([0.0, 1.0, 50.0]), 0.1, 1e3, 5.0)
    assert np.all(np.isfinite(out))


# --- shapes ----------------------------------------------------------------------------------


def test_vectorized_over_a_grid():
    out = rebound.energy_ratio(np.array([[0.1], [0.5], [0.9]]), np.array([0.0, 1.0, 2.0]))
    assert out.shape == (3, 3)
    np.testing.assert_allclose(out[:, 1], 1.0)


def test_scalar_in_float_out():
    for f in (rebound.rebound, rebound.energy_ratio, rebound.service_ratio):
        assert isinstance(f(0.5, 1.2), float)
    assert isinstance(rebound.backfire_elasticity(0.5), float)
    assert isinstance(rebound.adoption_peak_year(0.5, 2.0, 1.5), float)


# --- properties ------------------------------------------------------------------------------


@given(g=gains, e1=elasticities, e2=elasticities, s=shares)
def test_more_elastic_demand_rebounds_more(g, e1, e2, s):
    lo, hi = sorted((e1, e2))
    assert rebound.rebound(g, lo, s) <= rebound.rebound(g, hi, s) * (1 + 1e-12) + 1e-12


@given(g=gains, e=elasticities, s1=shares, s2=shares)
def test_larger_cost_share_rebounds_more(g, e, s1, s2):
    lo, hi = sorted((s1, s2))
    assert rebound.rebound(g, e, lo) <= rebound.rebound(g, e, hi) * (1 + 1e-12) + 1e-12


@given(g=gains, e=elasticities, s=shares, h1=ceilings, h2=ceilings, smooth=st.booleans())
def test_higher_ceiling_never_lowers_the_rebound(g, e, s, h1, h2, smooth):
    lo, hi = sorted((h1, h2))
    r_lo = rebound.rebound(g, e, s, lo, smooth)
    r_hi = rebound.rebound(g, e, s, hi, smooth)
    assert r_lo <= r_hi * (1 + 1e-9) + 1e-9
    assert r_hi <= rebound.rebound(g, e, s) * (1 + 1e-9) + 1e-9
    assert r_lo >= -1e-9


@given(g=gains, e=elasticities, s=shares)
def test_backfire_exactly_above_the_threshold(g, e, s):
    eps_star = rebound.backfire_elasticity(g, s)
    assume(abs(e - eps_star) > 1e-6 * max(1.0, eps_star))
    assert (rebound.rebound(g, e, s) > 1.0) == (e > eps_star)


@given(g=gains, e=elasticities, s=shares, h=ceilings)
def test_observed_rebound_recovers_the_model(g, e, s, h):
    sr = rebound.service_ratio(g, e, s, h)
    assume(np.isfinite(sr) and sr < 1e300)
    assert rebound.observed_rebound(g, sr) == pytest.approx(
        rebound.rebound(g, e, s, h), rel=1e-6, abs=1e-6
    )


@given(g=floats(1e-3, 0.99), e=floats(0.01, rebound.MAX_ELASTICITY), s=shares)
def test_implied_elasticity_recovers_the_model(g, e, s):
    sr = rebound.service_ratio(g, e, s)
    assert rebound.implied_elasticity(sr, rebound.price_ratio(g, s)) == pytest.approx(e, rel=1e-6)


@given(g=gains, e=elasticities, s=shares)
def test_saving_never_exceeds_the_engineering_saving(g, e, s):
    assert rebound.energy_saving(g, e, s) <= g * (1 + 1e-12)


# --- bad input -------------------------------------------------------------------------------


@given(bad=st.one_of(bad_any, st.sampled_from([0.0, 1.0, -0.1, 1.5])))
def test_bad_efficiency_gain(bad):
    for f in (rebound.rebound, rebound.energy_ratio, rebound.service_ratio, rebound.energy_saving):
        with raises_naming("efficiency_gain"):
            f(bad, 1.0)
    with raises_naming("efficiency_gain"):
        rebound.backfire_elasticity(bad)
    with raises_naming("efficiency_gain"):
        rebound.price_ratio(bad)
    with raises_naming("efficiency_gain"):
        rebound.observed_rebound(bad, 2.0)


@given(bad=st.one_of(bad_any, st.sampled_from([-1.1, -1e-9, rebound.MAX_ELASTICITY + 1])))
def test_bad_elasticity(bad):
    with raises_naming("elasticity"):
        rebound.rebound(0.5, bad)


@given(bad=st.one_of(bad_any, st.sampled_from([0.0, -0.5, 1.01])))
def test_bad_cost_share(bad):
    with raises_naming("cost_share"):
        rebound.energy_ratio(0.5, 1.0, cost_share=bad)
    with raises_naming("cost_share"):
        rebound.backfire_elasticity(0.5, cost_share=bad)


@given(bad=st.one_of(bad_any, st.sampled_from([0.99, 0.0, -2.0])))
def test_bad_saturation_ratio(bad):
    with raises_naming("saturation_ratio"):
        rebound.rebound(0.5, 1.0, saturation_ratio=bad)
    with raises_naming("saturation_ratio"):
        rebound.backfire_elasticity(0.5, saturation_ratio=bad)


def test_bad_input_in_arrays_and_other_parameters():
    with raises_naming("efficiency_gain"):
        rebound.rebound(np.array([0.2, np.nan]), 1.0)
    with raises_naming("elasticity"):
        rebound.rebound(0.5, True)
    with raises_naming("reduction_factor"):
        rebound.gain_from_factor(1.0)
    with raises_naming("service_ratio"):
        rebound.observed_rebound(0.5, 0.0)
    with raises_naming("service_ratio"):
        rebound.observed_energy_ratio(0.5, -1.0)
    with raises_naming("price_ratio"):
        rebound.implied_elasticity(2.0, 1.0)
    with raises_naming("years"):
        rebound.adoption_share(-1.0, 2.0, 1.0)
    with raises_naming("midpoint_years"):
        rebound.adoption_share(1.0, math.nan, 1.0)
    with raises_naming("steepness_per_year"):
        rebound.adoption_energy_ratio(1.0, 0.3, 2.0, 0.0)
    with raises_naming("efficiency_gain_per_year"):
        rebound.adoption_peak_year(1.0, 2.0, 1.0)
