"""Chapter 04 calculators, pinned to seed text 003's toy numbers and the tables in data/."""

import math

import numpy as np
import pytest
from conftest import bad_nonneg, floats, raises_naming
from hypothesis import given

from helpers import capex, data
from helpers.power import power_per_busy_hour_w
from helpers.units import HOURS_PER_YEAR

capex_usd = floats(0.0, 1e6, allow_nan=False, allow_infinity=False)
hours = floats(1.0, HOURS_PER_YEAR, allow_nan=False, allow_infinity=False)
lifetime = floats(0.1, 10.0, allow_nan=False, allow_infinity=False)
power = floats(0.0, 2_000.0, allow_nan=False, allow_infinity=False)
price_kwh = floats(0.0, 1.0, allow_nan=False, allow_infinity=False)


def _seed(card):
    return data.value("gpu_prices", f"seed-003-{card}", "price_usd")


# --- the seed's numbers ------------------------------------------------------------------


def test_seed_expensive_card_cost_per_hour():
    assert _seed("expensive") == 30_000
    assert capex.cost_per_hour_usd(_seed("expensive"), 100) == pytest.approx(300.0)
    assert capex.cost_per_hour_usd(_seed("expensive"), 1_000) == pytest.approx(30.0)


def test_seed_cheap_card_cost_per_hour():
    assert _seed("cheap") == 10_000
    assert capex.cost_per_hour_usd(_seed("cheap"), 100) == pytest.approx(100.0)
    assert capex.cost_per_hour_usd(_seed("cheap"), 1_000) == pytest.approx(10.0)


def test_seed_breakeven_at_five_dollars():
    assert capex.breakeven_hours_per_year(_seed("expensive"), 5.0) == pytest.approx(6_000)
    assert capex.breakeven_hours_per_year(_seed("cheap"), 5.0) == pytest.approx(2_000)


def test_breakeven_is_inverse_of_cost_per_hour():
    h = capex.breakeven_hours_per_year(25_000, 4.0, 2.0, 700, 0.12)
    assert capex.cost_per_hour_usd(25_000, h, 2.0, 700, 0.12) == pytest.approx(4.0)


def test_seed_cards_fit_the_sunshine_hours_as_the_seed_says():
    # The cheap card's 2,000 h fit into LA's sunshine, not into Berlin's; the expensive
    # card's 6,000 h fit into neither.
    berlin = data.value("sunshine", "berlin-dwd-1991-2020", "hours_per_year")
    la = data.value("sunshine", "la-seed", "hours_per_year")
    cheap = capex.breakeven_hours_per_year(_seed("cheap"), 5.0)
    dear = capex.breakeven_hours_per_year(_seed("expensive"), 5.0)
    assert berlin < cheap < la < dear


# --- the parts ------------------------------------------------------------------------------


def test_cost_is_capital_plus_energy():
    assert capex.capital_cost_per_hour_usd(30_000, 1_000, 3) == pytest.approx(10.0)
    assert capex.energy_cost_per_hour_usd(700, 0.10) == pytest.approx(0.07)
    assert capex.cost_per_hour_usd(30_000, 1_000, 3, 700, 0.10) == pytest.approx(10.07)


def test_energy_share_example_and_limits():
    assert capex.energy_share_of_cost(10_000, 8_760, 4, 700, 0.10) == pytest.approx(
        0.07 / (10_000 / 35_040 + 0.07)
    )
    assert capex.energy_share_of_cost(10_000, 1_000) == 0.0  # no energy priced in
    assert capex.energy_share_of_cost(0, 1_000, 1, 700, 0.1) == 1.0  # hardware already paid
    assert capex.energy_share_of_cost(0, 1_000) == 0.0  # nothing costs anything: defined as 0


def test_cheap_hardware_has_a_larger_energy_share():
    dear = capex.energy_share_of_cost(30_000, 2_000, 1, 700, 0.10)
    cheap = capex.energy_share_of_cost(10_000, 2_000, 1, 700, 0.10)
    assert cheap > dear


def test_breakeven_with_energy():
    # $10k, 1 year, 700 W at $0.10/kWh, sold at $5/h: each hour earns $4.93.
    assert capex.breakeven_hours_per_year(10_000, 5.0, 1.0, 700, 0.10) == pytest.approx(
        10_000 / 4.93
    )


def test_breakeven_free_hardware_is_zero_hours():
    assert capex.breakeven_hours_per_year(0, 1.0, 1.0, 700, 0.10) == 0.0


def used_hour_w(busy_power_w, idle_power_w, hours_per_year):
    """Power charged to each hour of use of a card left on all year (the chapter's recipe)."""
    return power_per_busy_hour_w(busy_power_w, idle_power_w, capex.utilization(hours_per_year))


def test_utilization_is_the_share_of_the_year_used():
    assert capex.utilization(2_000) == pytest.approx(2_000 / 8_760)
    assert capex.utilization(HOURS_PER_YEAR) == 1.0
    np.testing.assert_allclose(capex.utilization(np.array([876.0, 4_380.0])), [0.1, 0.5])
    assert isinstance(capex.utilization(1_000), float)


def test_power_per_used_hour():
    assert used_hour_w(700, 100, 2_000) == pytest.approx(700 + 100 * 6_760 / 2_000)
    assert used_hour_w(700, 100, HOURS_PER_YEAR) == pytest.approx(700)
    assert used_hour_w(700, 0, 10) == pytest.approx(700)  # switched off when idle


def test_idle_hours_raise_the_cost_of_each_used_hour():
    # Pass the power per used hour as power_w: the hours of use pay for the idle ones.
    on_all_year = capex.cost_per_hour_usd(30_000, 2_000, 3, used_hour_w(700, 100, 2_000), 0.10)
    switched_off = capex.cost_per_hour_usd(30_000, 2_000, 3, 700, 0.10)
    assert on_all_year - switched_off == pytest.approx(100 * 6_760 / 2_000 / 1_000 * 0.10)


def test_vectorized_over_arrays():
    out = capex.cost_per_hour_usd(np.array([[10_000], [30_000]]), np.array([100, 1_000]))
    np.testing.assert_allclose(out, [[100, 10], [300, 30]])
    hrs = capex.breakeven_hours_per_year(np.array([10_000, 30_000, 60_000]), 5.0, strict=False)
    np.testing.assert_allclose(hrs, [2_000, 6_000, math.inf])


def test_scalar_in_float_out():
    assert isinstance(capex.cost_per_hour_usd(1, 1), float)
    assert isinstance(capex.breakeven_hours_per_year(1, 1), float)
    assert isinstance(capex.energy_share_of_cost(1, 1, 1, 1, 1), float)


# --- the two ways of not breaking even --------------------------------------------------------


def test_price_below_energy_cost_names_the_price():
    with raises_naming("price_usd_per_hour"):
        capex.breakeven_hours_per_year(10_000, 0.05, 1.0, 700, 0.10)
    with raises_naming("price_usd_per_hour"):
        capex.breakeven_hours_per_year(10_000, 0.0)


def test_breakeven_beyond_a_year_is_not_achievable():
    with pytest.raises(ValueError, match="not achievable within a year"):
        capex.breakeven_hours_per_year(30_000, 3.0)
    assert capex.breakeven_hours_per_year(30_000, 3.0, strict=False) == math.inf
    assert capex.breakeven_hours_per_year(10_000, 0.05, 1, 700, 0.10, strict=False) == math.inf


def test_breakeven_exactly_a_year_is_allowed():
    assert capex.breakeven_hours_per_year(HOURS_PER_YEAR, 1.0) == pytest.approx(HOURS_PER_YEAR)


# --- bad input -----------------------------------------------------------------------------


def test_more_hours_than_a_year_is_refused():
    with raises_naming("hours_per_year"):
        capex.cost_per_hour_usd(30_000, 8_761)
    with raises_naming("hours_per_year"):
        used_hour_w(700, 100, 9_000)
    with raises_naming("hours_per_year"):
        capex.utilization(9_000)


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf])
def test_hours_and_lifetime_must_be_positive(bad):
    with raises_naming("hours_per_year"):
        capex.cost_per_hour_usd(30_000, bad)
    with raises_naming("hours_per_year"):
        capex.utilization(bad)  # zero hours would leave nobody to pay for the idle ones
    with raises_naming("lifetime_years"):
        capex.cost_per_hour_usd(30_000, 1_000, bad)
    with raises_naming("lifetime_years"):
        capex.breakeven_hours_per_year(30_000, 5.0, bad)


@given(bad=bad_nonneg)
def test_bad_money_and_power_named(bad):
    with raises_naming("capex_usd"):
        capex.cost_per_hour_usd(bad, 1_000)
    with raises_naming("power_w"):
        capex.cost_per_hour_usd(1_000, 1_000, 1, bad, 0.1)
    with raises_naming("price_usd_per_kwh"):
        capex.energy_share_of_cost(1_000, 1_000, 1, 700, bad)
    with raises_naming("price_usd_per_hour"):
        capex.breakeven_hours_per_year(1_000, bad)


def test_idle_above_busy_rejected():
    with raises_naming("idle_power_w"):
        used_hour_w(100, 200, 2_000)


# --- properties ----------------------------------------------------------------------------


@given(c=capex_usd, h=hours, life=lifetime, p=power, e=price_kwh, more=floats(1.0, 100.0))
def test_cost_per_hour_falls_with_hours(c, h, life, p, e, more):
    h2 = min(h * more, HOURS_PER_YEAR)
    assert capex.cost_per_hour_usd(c, h2, life, p, e) <= capex.cost_per_hour_usd(
        c, h, life, p, e
    ) * (1 + 1e-12)


def test_a_subnormal_price_is_refused_by_name():
    """Pinned from a Hypothesis run (2026-12-02): a price of 2.2e-309 USD/kWh, a subnormal float
    that has lost its precision, reached numpy. Now refused, naming the parameter."""
    with raises_naming("price_usd_per_kwh"):
        capex.cost_per_hour_usd(0.0, 1.0, 1.0, 0.0, 2.225073858507203e-309)


@given(c=capex_usd, h=hours, life=lifetime, p=power, e=price_kwh)
def test_cost_never_below_energy_cost(c, h, life, p, e):
    assert capex.cost_per_hour_usd(c, h, life, p, e) >= capex.energy_cost_per_hour_usd(p, e)


@given(c=capex_usd, h=hours, life=lifetime, k=floats(1.0, 10.0))
def test_capital_cost_scales_with_capex(c, h, life, k):
    base = capex.capital_cost_per_hour_usd(c, h, life)
    assert capex.capital_cost_per_hour_usd(c * k, h, life) == pytest.approx(base * k, rel=1e-9)


@given(c=floats(1.0, 1e6), h=hours, life=lifetime, p=power, e=price_kwh, more=floats(1.0, 50.0))
def test_energy_share_rises_with_hours_and_stays_a_share(c, h, life, p, e, more):
    s1 = capex.energy_share_of_cost(c, h, life, p, e)
    s2 = capex.energy_share_of_cost(c, min(h * more, HOURS_PER_YEAR), life, p, e)
    assert 0.0 <= s1 <= 1.0
    assert s2 >= s1 - 1e-12


@given(c=capex_usd, q=floats(0.5, 100.0), life=lifetime, p=power, e=price_kwh)
def test_breakeven_roundtrip_or_not_achievable(c, q, life, p, e):
    h = capex.breakeven_hours_per_year(c, q, life, p, e, strict=False)
    if math.isinf(h):
        return
    assert 0.0 <= h <= HOURS_PER_YEAR
    if h > 0:
        assert capex.cost_per_hour_usd(c, h, life, p, e) == pytest.approx(q, rel=1e-9)


@given(h=hours, busy=power, frac=floats(0.0, 1.0), more=floats(1.0, 100.0))
def test_power_per_used_hour_falls_with_hours_and_stays_above_busy(h, busy, frac, more):
    idle = busy * frac
    here = used_hour_w(busy, idle, h)
    assert here >= busy * (1 - 1e-12) - 1e-12  # (absolute slack for subnormal watts)
    assert used_hour_w(busy, idle, min(h * more, HOURS_PER_YEAR)) <= here * (1 + 1e-12) + 1e-12


# --- cost of capital, host power and PUE (chapter 04's options) ------------------------------


def test_capital_recovery_factor_is_an_annuity():
    assert capex.capital_recovery_factor(0.0, 4) == pytest.approx(0.25)
    r, life = 0.08, 5
    crf = capex.capital_recovery_factor(r, life)
    # Paying crf × price for `life` years at rate r repays the price exactly.
    present_value = sum(crf / (1 + r) ** year for year in range(1, life + 1))
    assert present_value == pytest.approx(1.0)
    # A tiny rate is nearly straight-line; rates only raise the yearly charge.
    assert capex.capital_recovery_factor(1e-12, 4) == pytest.approx(0.25)
    rates = np.array([0.0, 0.02, 0.05, 0.1, 0.2])
    assert np.all(np.diff(capex.capital_recovery_factor(rates, 4)) > 0)
    with raises_naming("interest_rate"):
        capex.capital_recovery_factor(-0.01, 4)
    with raises_naming("lifetime_years"):
        capex.capital_recovery_factor(0.05, 0)


def test_host_power_and_pue_multiply_the_electricity():
    bare = capex.energy_cost_per_hour_usd(700, 0.10)
    full = capex.energy_cost_per_hour_usd(700, 0.10, host_power_w=575, pue=1.2)
    assert full == pytest.approx(bare * (700 + 575) / 700 * 1.2)
    with raises_naming("pue"):
        capex.energy_cost_per_hour_usd(700, 0.10, pue=0.9)
    with raises_naming("host_power_w"):
        capex.energy_cost_per_hour_usd(700, 0.10, host_power_w=-1)


def test_the_options_feed_cost_share_and_break_even_alike():
    opts = dict(host_power_w=575, pue=1.2, interest_rate=0.08)
    cost = capex.cost_per_hour_usd(30_000, 6_000, 4, 700, 0.10, **opts)
    capital = capex.capital_cost_per_hour_usd(30_000, 6_000, 4, interest_rate=0.08)
    energy = capex.energy_cost_per_hour_usd(700, 0.10, host_power_w=575, pue=1.2)
    assert cost == pytest.approx(capital + energy)
    assert capex.energy_share_of_cost(30_000, 6_000, 4, 700, 0.10, **opts) == pytest.approx(
        energy / cost
    )
    # At the break-even hours, the sale price is exactly the cost per hour.
    be = capex.breakeven_hours_per_year(30_000, 5.0, 4, 700, 0.10, **opts)
    assert capex.cost_per_hour_usd(30_000, be, 4, 700, 0.10, **opts) == pytest.approx(5.0)
    # Interest, host power and PUE all make the card need more hours.
    assert be > capex.breakeven_hours_per_year(30_000, 5.0, 4, 700, 0.10)
    # Without options nothing changes: the seed's numbers still reproduce.
    assert capex.breakeven_hours_per_year(30_000, 5.0) == pytest.approx(6_000)
