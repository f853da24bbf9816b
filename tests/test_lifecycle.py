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


# --- what the chapters print from the training table (chapters 00 and 01) ---------------------


def _energy_table():
    return lifecycle.training_energy_table(data.load("training_runs"), data.load("gpus"))


def test_the_largest_published_training_energy_is_an_upper_bound_of_about_22_gwh():
    """Chapter 00's ladder and chapter 01's chart: only Llama 3.1 405B's GPU-hours × 700 W
    reaches tens of GWh (21.6 GWh); every energy a source reports is below 1.3 GWh."""
    table = _energy_table()
    top = table.energy_mwh.idxmax()
    assert top == "llama-3.1-405b"
    assert table.at[top, "energy_mwh"] == pytest.approx(21_588)
    assert table.at[top, "basis"] == "GPU-hours × power stated by the source"
    reported = table[table.basis == "reported by the source"].energy_mwh
    assert reported.max() == pytest.approx(1_287)  # GPT-3 (Patterson et al.)
    assert reported.min() == pytest.approx(157)  # OLMo 2 7B, measured
    ladder = table.loc[["bloom-176b", "gpt-3", "deepseek-v3", "llama-3.1-405b"], "energy_mwh"]
    assert ladder.min() == pytest.approx(433.196)  # BLOOM: the smallest run on chapter 00's ladder


def test_chapter_01_chart_spans_about_two_hundred_times():
    table = _energy_table().drop(index="deepseek-v3-pretraining")
    assert table.energy_mwh.idxmin() == "deepseek-r1-reasoning"
    assert table.energy_mwh.min() == pytest.approx(102.9)
    assert table.energy_mwh.max() / table.energy_mwh.min() == pytest.approx(209.8, abs=0.1)


def test_deepseek_v3_gpu_energy_upper_bound():
    run = data.load("training_runs").loc["deepseek-v3"]
    tdp = data.value("gpus", run.gpu_id, "tdp_w")
    assert lifecycle.training_energy_mwh(run.gpu_hours, tdp) == pytest.approx(1_951.6)


# --- development before the final run (chapter 01) -------------------------------------------


def test_development_rows_as_ratios():
    olmo2 = data.value("ai_efficiency_trends", "olmo-dev-share", "value")
    olmo3 = data.value("ai_efficiency_trends", "olmo3-dev-share", "value") / 100
    assert olmo2 == pytest.approx(459 / 913, abs=5e-4)  # OLMo 2: development ÷ final runs
    assert olmo3 == pytest.approx(0.822)  # Olmo 3: development's share of all compute
    assert lifecycle.development_ratio_from_share(olmo3) == pytest.approx(4.618, abs=1e-3)
    # OLMo 2's ratio as a share of the total is a third, as the row's notes say.
    assert olmo2 / (1 + olmo2) == pytest.approx(0.33, abs=0.005)


def test_deepseek_v3_with_development_what_ifs():
    """Chapter 01: DeepSeek-V3's final run scaled by OLMo 2's and Olmo 3's development."""
    run = data.load("training_runs").loc["deepseek-v3"]
    energy = lifecycle.training_energy_mwh(run.gpu_hours, 700)
    olmo2 = data.value("ai_efficiency_trends", "olmo-dev-share", "value")
    olmo3 = lifecycle.development_ratio_from_share(
        data.value("ai_efficiency_trends", "olmo3-dev-share", "value") / 100
    )
    assert lifecycle.with_development(energy, olmo2) == pytest.approx(2_933.3, abs=0.1)
    assert lifecycle.with_development(energy, olmo3) == pytest.approx(10_964.0, abs=0.1)
    assert lifecycle.with_development(run.cost_usd_reported, olmo2) == pytest.approx(8_380_728)
    assert lifecycle.with_development(run.cost_usd_reported, olmo3) == pytest.approx(
        31_325_843, abs=1
    )


@given(x=nonneg, s=floats(0.0, 0.99))
def test_a_share_of_the_total_round_trips(x, s):
    """Scaling the final run by the ratio gives back final ÷ (1 − share): the whole pipeline."""
    total = lifecycle.with_development(x, lifecycle.development_ratio_from_share(s))
    assert total == pytest.approx(x / (1 - s), rel=1e-9, abs=1e-9)
    if total > 0:
        assert x / total == pytest.approx(1 - s, rel=1e-9)


@pytest.mark.parametrize("bad", [1.0, 1.5, -0.1, math.nan])
def test_a_share_must_be_below_one(bad):
    with raises_naming("development_share"):
        lifecycle.development_ratio_from_share(bad)


@given(bad=bad_nonneg)
def test_bad_development_ratio_rejected(bad):
    with raises_naming("development_ratio"):
        lifecycle.with_development(1_000, bad)
    with raises_naming("final_run"):
        lifecycle.with_development(bad, 0.5)
