"""helpers.reconcile: why published per-query energies differ, one query's energy as five factors
(chapter 06)."""

import math

import numpy as np
import pytest
from conftest import floats, raises_naming
from hypothesis import given
from hypothesis import strategies as st

from helpers import power, reconcile

positive = floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
share = floats(min_value=1e-3, max_value=1.0)
fraction = floats(min_value=0.0, max_value=1.0)
at_least_one = floats(min_value=1.0, max_value=5.0)


def scenario():
    return st.fixed_dictionaries(
        {
            "output_tokens": positive,
            "energy_per_token_j": positive,
            "utilization": share,
            "idle_power_fraction": fraction,
            "boundary_factor": at_least_one,
            "pue": at_least_one,
        }
    )


def utilization_factor(u, f):
    """The utilisation factor of one query's energy: per_query_energy_wh with only u and f set,
    relative to the same query on a GPU that is always busy."""
    return reconcile.per_query_energy_wh(
        1.0, 1.0, utilization=u, idle_power_fraction=f
    ) / reconcile.per_query_energy_wh(1.0, 1.0)


# --- worked values -----------------------------------------------------------------------


def test_mlenergy_chat_response_is_0_051_wh():
    assert reconcile.per_query_energy_wh(717, 184 / 717) == pytest.approx(184 / 3600)


def test_utilization_factor_is_power_per_busy_hour_in_units_of_busy_power():
    # 10 % busy, idle at 100 of 700 W: (100 + 0.1 × 600) / 0.1 / 700
    assert utilization_factor(0.1, 100 / 700) == pytest.approx(160 / 0.1 / 700)
    assert utilization_factor(1.0, 0.3) == pytest.approx(1.0)
    assert utilization_factor(0.25, 0.0) == pytest.approx(1.0)
    p = power.average_power_w(700, 100, 0.3) / 0.3 / 700
    assert utilization_factor(0.3, 100 / 700) == pytest.approx(p)
    # The one home of the arithmetic, in watts: the same factor × 700 W.
    assert utilization_factor(0.3, 100 / 700) * 700 == pytest.approx(
        power.power_per_busy_hour_w(700, 100, 0.3)
    )


def test_factor_ratios_worked_example():
    low = {"output_tokens": 300, "energy_per_token_j": 0.25}
    high = {
        "output_tokens": 1500,
        "energy_per_token_j": 1.0,
        "utilization": 0.1,
        "idle_power_fraction": 100 / 700,
        "boundary_factor": 2.2,
        "pue": 1.5,
    }
    r = reconcile.factor_ratios(low, high)
    assert list(r) == list(reconcile.FACTORS)
    assert r["tokens"] == pytest.approx(5)
    assert r["batch"] == pytest.approx(4)
    assert r["utilization"] == pytest.approx(160 / 0.1 / 700)
    assert r["boundary"] == pytest.approx(2.2)
    assert r["pue"] == pytest.approx(1.5)


def test_log_shares_worked_example():
    s = reconcile.log_shares({"a": 4.0, "b": 2.0, "c": 0.5})
    assert s == pytest.approx({"a": 1.0, "b": 0.5, "c": -0.5})


def test_boundary_factor_divides_out_pue():
    assert reconcile.boundary_factor(0.24, 0.10, 1.09) == pytest.approx(0.24 / 0.10 / 1.09)
    assert reconcile.boundary_factor(0.3, 0.1) == pytest.approx(3.0)
    with raises_naming("accelerators_only_wh"):
        reconcile.boundary_factor(0.24, 0.0)
    with raises_naming("pue"):
        reconcile.boundary_factor(0.24, 0.10, 0.9)


# --- properties ---------------------------------------------------------------------------


@given(scenario(), scenario())
def test_factor_ratios_multiply_to_the_ratio_of_the_estimates(low, high):
    ratios = reconcile.factor_ratios(low, high)
    total = reconcile.per_query_energy_wh(**high) / reconcile.per_query_energy_wh(**low)
    assert math.prod(ratios.values()) == pytest.approx(total, rel=1e-9)


@given(scenario())
def test_a_scenario_against_itself_has_all_ratios_one(s):
    assert all(v == pytest.approx(1.0) for v in reconcile.factor_ratios(s, s).values())


@given(scenario(), scenario())
def test_log_shares_sum_to_one(low, high):
    ratios = reconcile.factor_ratios(low, high)
    if abs(math.log(math.prod(ratios.values()))) < 1e-6:
        return
    assert sum(reconcile.log_shares(ratios).values()) == pytest.approx(1.0)


@given(share, fraction)
def test_utilization_factor_is_at_least_one_and_falls_with_utilization(u, f):
    here = utilization_factor(u, f)
    assert here >= 1.0 - 1e-12
    assert utilization_factor(min(1.0, u * 1.5), f) <= here + 1e-12
    low = {"output_tokens": 1.0, "energy_per_token_j": 1.0}
    high = {**low, "utilization": u, "idle_power_fraction": f}
    assert reconcile.factor_ratios(low, high)["utilization"] == pytest.approx(here)


@given(scenario(), at_least_one)
def test_energy_scales_linearly_with_tokens_boundary_and_pue(s, k):
    base = reconcile.per_query_energy_wh(**s)
    for key in ("output_tokens", "boundary_factor", "pue"):
        assert reconcile.per_query_energy_wh(**{**s, key: s[key] * k}) == pytest.approx(base * k)


def test_arrays_broadcast():
    out = reconcile.per_query_energy_wh(np.array([300, 600]), 0.5, pue=np.array([1.0, 1.5]))
    assert out.shape == (2,)
    assert out[1] == pytest.approx(out[0] * 3)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0])
def test_bad_input_names_the_parameter(bad):
    with pytest.raises(ValueError, match="output_tokens"):
        reconcile.per_query_energy_wh(bad, 1.0)
    with pytest.raises(ValueError, match="energy_per_token_j"):
        reconcile.per_query_energy_wh(100, bad)


def test_out_of_range_inputs_are_rejected():
    with raises_naming("utilization"):
        reconcile.per_query_energy_wh(100, 1.0, utilization=0.0, idle_power_fraction=0.1)
    with raises_naming("utilization"):
        reconcile.per_query_energy_wh(100, 1.0, utilization=1.5, idle_power_fraction=0.1)
    with pytest.raises(ValueError):
        reconcile.per_query_energy_wh(100, 1.0, utilization=0.5, idle_power_fraction=1.2)
    with raises_naming("pue"):
        reconcile.per_query_energy_wh(100, 1.0, pue=0.9)
    with raises_naming("boundary_factor"):
        reconcile.per_query_energy_wh(100, 1.0, boundary_factor=0.5)


@pytest.mark.parametrize("bad", [1.2, -0.1])
def test_bad_idle_power_fraction_is_named(bad):
    with raises_naming("idle_power_fraction"):
        reconcile.per_query_energy_wh(100, 1.0, utilization=0.5, idle_power_fraction=bad)


def test_factor_ratios_and_log_shares_errors():
    ok = {"output_tokens": 1.0, "energy_per_token_j": 1.0}
    with pytest.raises(ValueError, match="missing"):
        reconcile.factor_ratios({"output_tokens": 1.0}, ok)
    with pytest.raises(ValueError, match="unknown"):
        reconcile.factor_ratios({**ok, "batch": 8}, ok)
    with pytest.raises(ValueError, match="output_tokens"):
        reconcile.factor_ratios({**ok, "output_tokens": 0.0}, ok)
    with pytest.raises(ValueError, match="no spread"):
        reconcile.log_shares({"a": 2.0, "b": 0.5})
    with pytest.raises(ValueError, match="empty"):
        reconcile.log_shares({})
    with pytest.raises(ValueError, match="ratios"):
        reconcile.log_shares({"a": 0.0})


# --- the chapter's reconciliation chart data (presentation layer, helpers.views.ch06) ---------


def test_reconciliation_frame_walks_from_the_low_to_the_high_estimate():
    from helpers.views import ch06 as view

    low = {"output_tokens": 300, "energy_per_token_j": 0.2}
    high = {
        "output_tokens": 1500,
        "energy_per_token_j": 0.6,
        "utilization": 0.1,
        "idle_power_fraction": 0.15,
        "boundary_factor": 2.0,
        "pue": 1.5,
    }
    frame = view.reconciliation_frame(low, high)
    assert frame["start"].iloc[0] == pytest.approx(reconcile.per_query_energy_wh(**low))
    assert frame["end"].iloc[-1] == pytest.approx(reconcile.per_query_energy_wh(**high))
    steps = frame[frame.kind == "factor"]
    assert len(steps) == len(reconcile.FACTORS)
    # each step starts where the previous one ended, and multiplies by its ratio
    assert np.allclose(steps["start"].iloc[1:].to_numpy(), steps["end"].iloc[:-1].to_numpy())
    assert np.allclose(steps["end"] / steps["start"], steps["ratio"])
