"""Chapter 01 calculators, pinned to the worked examples of DESIGN.md and the sources in data/."""

import math

import numpy as np
import pytest
from conftest import bad_nonneg, floats, nonneg, positive, pue, raises_naming
from hypothesis import given

from helpers import data, fleet, lifecycle
from helpers.units import convert_energy


def test_deepseek_v3_rental_cost():
    run = data.load("training_runs").loc["deepseek-v3"]
    cost = lifecycle.training_cost_usd(run.gpu_hours, run.usd_per_gpu_hour)
    assert cost == pytest.approx(5_576_000)
    assert cost == pytest.approx(run.cost_usd_reported)


def test_deepseek_v3_pretraining_cost_matches_report():
    run = data.load("training_runs").loc["deepseek-v3-pretraining"]
    assert lifecycle.training_cost_usd(run.gpu_hours, run.usd_per_gpu_hour) == pytest.approx(
        5_328_000
    )


def test_gpt3_energy_from_patterson_inputs():
    run = data.load("training_runs").loc["gpt-3"]
    hours = lifecycle.gpu_hours(run.gpu_count, run.training_days)
    assert hours == pytest.approx(3_552_000)
    energy = lifecycle.training_energy_mwh(hours, run.gpu_power_w, run.pue)
    assert energy == pytest.approx(1289, abs=1)
    # Patterson et al. report 1,287 MWh: our recomputation agrees within 0.2 %.
    assert energy == pytest.approx(run.energy_mwh_reported, rel=0.002)


def test_llama31_energy_and_emissions():
    runs = data.load("training_runs").loc[["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b"]]
    total_hours = runs.gpu_hours.sum()
    assert total_hours == pytest.approx(39.3e6)
    energy = lifecycle.training_energy_mwh(total_hours, 700)
    assert energy == pytest.approx(27_510)
    assert runs.emissions_tco2e_reported.sum() == pytest.approx(11_390)
    # t CO2e ÷ MWh, both × 1e6: g per Wh, × 1000: g per kWh
    assert fleet.implied_intensity_g_per_kwh(11_390e6, energy * 1e6) == pytest.approx(414, abs=1)


def test_seed_crossover_one_billion_queries():
    assert lifecycle.crossover_queries(2_000, 2.0) == pytest.approx(1e9)
    assert lifecycle.crossover_queries(2_000, 2.0, pue=1.25) == pytest.approx(0.8e9)


def test_crossover_days_at_given_traffic():
    assert lifecycle.crossover_days(2_000, 2.0, queries_per_day=10e6) == pytest.approx(100)


def inference_mwh(queries, energy_per_query_wh, pue=1.0):
    """Energy of serving the queries in MWh: the one multiplication of queries by energy per
    query (helpers.fleet.queries_energy_wh), in the unit of training energy."""
    return convert_energy(fleet.queries_energy_wh(queries, energy_per_query_wh, pue), "Wh", "MWh")


def test_inference_energy_is_inverse_of_crossover():
    n = lifecycle.crossover_queries(1_951.6, 0.24, pue=1.1)
    assert inference_mwh(n, 0.24, pue=1.1) == pytest.approx(1_951.6)


def test_crossover_days_is_when_inference_reaches_training():
    days = lifecycle.crossover_days(2_000, 2.0, queries_per_day=10e6, pue=1.25)
    assert inference_mwh(days * 10e6, 2.0, pue=1.25) == pytest.approx(2_000)


def test_vectorized_over_arrays():
    out = lifecycle.training_energy_mwh(np.array([1e6, 2e6]), 700, pue=np.array([[1.0], [1.5]]))
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[700, 1400], [1050, 2100]])


def test_scalar_in_float_out():
    assert isinstance(lifecycle.training_energy_mwh(1, 1), float)


@given(h=nonneg, p=nonneg, u=pue, k=floats(1.0, 10.0))
def test_energy_scales_linearly(h, p, u, k):
    base = lifecycle.training_energy_mwh(h, p, u)
    assert lifecycle.training_energy_mwh(h * k, p, u) == pytest.approx(base * k, rel=1e-9, abs=1e-9)


@given(t=nonneg, e=positive, u=pue, extra=floats(0.01, 10.0))
def test_crossover_falls_as_queries_get_dearer(t, e, u, extra):
    assert lifecycle.crossover_queries(t, e * (1 + extra), u) <= lifecycle.crossover_queries(
        t, e, u
    )


@given(bad=bad_nonneg)
def test_bad_gpu_hours_rejected(bad):
    with raises_naming("gpu_hours"):
        lifecycle.training_energy_mwh(bad, 700)


@given(bad=bad_nonneg)
def test_bad_power_rejected(bad):
    with raises_naming("gpu_power_w"):
        lifecycle.training_energy_mwh(1.0, bad)


@pytest.mark.parametrize("bad", [0.99, 0.0, math.nan, math.inf])
def test_pue_below_one_rejected(bad):
    with pytest.raises(ValueError, match=r"pue .*\[1, inf\)"):
        fleet.queries_energy_wh(1, 1, pue=bad)
    with pytest.raises(ValueError, match=r"pue .*\[1, inf\)"):
        lifecycle.training_energy_mwh(1, 1, pue=bad)
    with pytest.raises(ValueError, match=r"pue .*\[1, inf\)"):
        lifecycle.crossover_queries(1, 1, pue=bad)


def test_zero_energy_per_query_rejected_where_it_divides():
    with pytest.raises(ValueError, match=r"energy_per_query_wh .*\(0, inf\)"):
        lifecycle.crossover_queries(2_000, 0.0)
    assert fleet.queries_energy_wh(10, 0.0) == 0.0  # where it only multiplies, zero is fine


def test_zero_traffic_rejected():
    with raises_naming("queries_per_day"):
        lifecycle.crossover_days(2_000, 2.0, 0)
