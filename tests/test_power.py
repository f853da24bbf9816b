"""helpers.power: power over time, the one home of "power per busy hour" (chapters 04, 05, 06)."""

import math

import numpy as np
import pytest
from conftest import bad_nonneg, floats, normal, raises_naming
from hypothesis import given

from helpers import capex, power
from helpers.units import HOURS_PER_YEAR

watts = floats(0.0, 2_000.0, allow_nan=False, allow_infinity=False)
share = floats(0.0, 1.0, allow_nan=False)
busy_share = floats(1e-6, 1.0, allow_nan=False)


# --- worked examples ---------------------------------------------------------------------------


def test_average_power_examples():
    assert power.average_power_w(700, 100, 0.3) == pytest.approx(280)
    assert power.average_power_w(700, 100, 0.0) == pytest.approx(100)
    assert power.average_power_w(700, 100, 1.0) == pytest.approx(700)


def test_power_per_busy_hour_over_a_year():
    # 700 W busy, 100 W idle, used 2,000 of the 8,760 hours and left on the rest.
    u = capex.utilization(2_000)
    assert u == pytest.approx(2_000 / 8_760)
    assert power.power_per_busy_hour_w(700, 100, u) == pytest.approx(700 + 100 * 6_760 / 2_000)
    assert power.power_per_busy_hour_w(700, 100, u) == pytest.approx(1_038)
    assert power.power_per_busy_hour_w(700, 100, capex.utilization(HOURS_PER_YEAR)) == (
        pytest.approx(700)
    )
    # Switched off when idle: only the busy hours are paid for.
    assert power.power_per_busy_hour_w(700, 0, capex.utilization(10)) == pytest.approx(700)


def test_power_per_busy_hour_in_units_of_busy_power():
    # An H100 busy 10 % of the time that idles at 100 of its 700 W: (100 + 0.1 × 600) / 0.1 / 700.
    assert power.power_per_busy_hour_w(1.0, 100 / 700, 0.1) == pytest.approx(160 / 0.1 / 700)
    assert power.power_per_busy_hour_w(1.0, 100 / 700, 0.1) == pytest.approx(2.29, abs=0.005)
    assert power.power_per_busy_hour_w(1.0, 0.3, 1.0) == pytest.approx(1.0)
    assert power.power_per_busy_hour_w(1.0, 0.0, 0.25) == pytest.approx(1.0)


def test_is_the_average_power_charged_to_the_busy_share():
    avg = power.average_power_w(700, 100, 0.3)
    assert power.power_per_busy_hour_w(700, 100, 0.3) == pytest.approx(avg / 0.3)
    # ... and busy hours × power per busy hour is the whole year's energy.
    hours = 2_000.0
    year_wh = 700 * hours + 100 * (HOURS_PER_YEAR - hours)
    per_hour = power.power_per_busy_hour_w(700, 100, capex.utilization(hours))
    assert per_hour * hours == pytest.approx(year_wh)


def test_vectorized_and_scalar_out():
    out = power.power_per_busy_hour_w(700, np.array([[0.0], [100.0]]), np.array([0.5, 1.0]))
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[700, 700], [800, 700]])
    assert isinstance(power.power_per_busy_hour_w(700, 100, 0.5), float)
    assert isinstance(power.average_power_w(700, 100, 0.5), float)


# --- bad input ---------------------------------------------------------------------------------


def test_idle_above_busy_rejected():
    with raises_naming("idle_power_w"):
        power.average_power_w(100, 200, 0.5)
    with raises_naming("idle_power_w"):
        power.power_per_busy_hour_w(100, 200, 0.5)


@pytest.mark.parametrize("bad", [0.0, -0.1, 1.01, math.nan, math.inf])
def test_power_per_busy_hour_needs_a_busy_share_in_zero_one(bad):
    # Zero would divide: nobody is left to pay for the idle hours.
    with pytest.raises(ValueError, match=r"\butilization\b.*\(0, 1\]"):
        power.power_per_busy_hour_w(700, 100, bad)


@pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
def test_average_power_needs_a_share_in_zero_one(bad):
    with raises_naming("utilization"):
        power.average_power_w(700, 100, bad)
    assert power.average_power_w(700, 100, 0.0) == 100  # idle all the time is allowed here


@given(bad=bad_nonneg)
def test_bad_power_named(bad):
    with raises_naming("busy_power_w"):
        power.power_per_busy_hour_w(bad, 0.0, 0.5)
    with raises_naming("idle_power_w"):
        power.power_per_busy_hour_w(700, bad, 0.5)
    with raises_naming("busy_power_w"):
        power.average_power_w(bad, 0.0, 0.5)


# --- properties --------------------------------------------------------------------------------


@given(busy=watts, idle_share=share, u=busy_share)
def test_power_per_busy_hour_is_at_least_the_busy_power(busy, idle_share, u):
    idle = normal(busy * idle_share)
    p = power.power_per_busy_hour_w(busy, idle, u)
    assert p >= busy * (1 - 1e-12) - 1e-12  # (absolute slack for subnormal watts)
    assert p == pytest.approx(power.average_power_w(busy, idle, u) / u, rel=1e-9, abs=1e-9)


@given(busy=watts, idle_share=share, u=busy_share)
def test_busy_power_exactly_when_never_idle_or_switched_off(busy, idle_share, u):
    assert power.power_per_busy_hour_w(busy, 0.0, u) == pytest.approx(busy, rel=1e-12, abs=1e-9)
    assert power.power_per_busy_hour_w(busy, normal(busy * idle_share), 1.0) == pytest.approx(
        busy, rel=1e-12, abs=1e-9
    )


@given(busy=watts, idle_share=share, u0=busy_share, u1=busy_share)
def test_more_busy_time_never_costs_more_per_busy_hour(busy, idle_share, u0, u1):
    lo, hi = sorted((u0, u1))
    idle = normal(busy * idle_share)
    assert (
        power.power_per_busy_hour_w(busy, idle, hi)
        <= power.power_per_busy_hour_w(busy, idle, lo) * (1 + 1e-12) + 1e-12
    )


@given(u=share, busy=watts, frac=share)
def test_average_power_between_idle_and_busy(u, busy, frac):
    idle = normal(busy * frac)
    avg = power.average_power_w(busy, idle, u)
    assert idle - 1e-9 <= avg <= busy + 1e-9
