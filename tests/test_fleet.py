"""Chapter 05 calculators (helpers.fleet) and exercises, pinned to the seed and the data."""

import math

import numpy as np
import pytest
from conftest import bad_nonneg, floats, nonneg, normal, positive, pue, raises_naming
from hypothesis import given
from hypothesis import strategies as st

from helpers import data, fleet, power
from helpers.checks import ch05
from helpers.units import convert_energy

unit_interval = floats(min_value=0.01, max_value=1.0, allow_nan=False)


# --- the seed's worked example (DESIGN.md, chapter 05) -------------------------------------


def kwh(queries, energy_per_query_wh, pue=1.0):
    """The fleet's energy in kWh, as the notebook writes it."""
    return convert_energy(fleet.queries_energy_wh(queries, energy_per_query_wh, pue), "Wh", "kWh")


def test_seed_energy_20000_kwh_per_month():
    # 10 million queries × 2 Wh (the seed's 0.002 kWh) = 20 million Wh = 20,000 kWh.
    assert fleet.queries_energy_wh(10_000_000, 2.0) == pytest.approx(20_000_000)
    assert kwh(10_000_000, 2.0) == pytest.approx(20_000)


def test_seed_cost_2000_then_3000_usd_with_pue():
    assert fleet.electricity_cost_usd(20_000, 0.10) == pytest.approx(2_000)
    energy = kwh(10_000_000, 2.0, pue=1.5)
    assert energy == pytest.approx(30_000)
    assert fleet.electricity_cost_usd(energy, 0.10) == pytest.approx(3_000)


def test_seed_example_from_the_tables():
    wh = data.value("inference_estimates", "seed-004-query", "energy_wh")
    price = data.value("prices", "seed-004-price", "price_per_kwh")
    seed_pue = data.value("pue", "seed-004-pue", "pue")
    assert wh == 2.0
    assert fleet.electricity_cost_usd(kwh(1e7, wh), price) == pytest.approx(2_000)
    assert fleet.electricity_cost_usd(kwh(1e7, wh, seed_pue), price) == pytest.approx(3_000)


# --- footprints from published per-query figures -------------------------------------------


def test_gemini_implied_intensities_match_the_tables():
    row = data.load("per_query_footprint").loc["gemini-median-2025"]
    intensity = fleet.implied_intensity_g_per_kwh(row.emissions_electricity_g_co2e, row.energy_wh)
    assert intensity == pytest.approx(96, abs=0.5)
    assert data.value(
        "grid_intensity", "google-market-2025", "intensity_g_co2e_per_kwh"
    ) == pytest.approx(intensity, abs=0.5)
    assert fleet.implied_water_l_per_kwh(row.water_ml, row.energy_wh) == pytest.approx(
        1.0833, rel=1e-3
    )


def test_emissions_and_water_worked_examples():
    assert fleet.emissions_kg_co2e(30_000, 381) - fleet.emissions_kg_co2e(
        30_000, 56
    ) == pytest.approx(9_750)
    assert fleet.water_l(2_400, 0.26 / 0.24) == pytest.approx(2_600)


def test_us_intensity_row_is_eia_2023_co2_over_generation():
    assert data.value("grid_intensity", "us-2023-eia", "intensity_g_co2e_per_kwh") == pytest.approx(
        1_532e12 / 4_183_271e6, abs=0.5
    )


def test_bloom_deployment_row_is_914_kwh_over_230768_requests():
    assert data.value("inference_estimates", "bloom-api-2022", "energy_wh") == pytest.approx(
        914e3 / 230_768, abs=0.005
    )


# --- where energy becomes carbon (chapter 05) ------------------------------------------------


def test_llama_31_location_based_11390_t_market_based_zero():
    runs = data.load("training_runs").loc[["llama-3.1-8b", "llama-3.1-70b", "llama-3.1-405b"]]
    assert runs.emissions_tco2e_reported.sum() == pytest.approx(420 + 2_040 + 8_930)
    assert runs.emissions_tco2e_market_reported.sum() == 0
    assert set(runs.emissions_basis) == {"location"}


def test_bloom_whole_footprint_is_about_half_idle_power_and_hardware():
    # BLOOM (Luccioni et al. 2023, abstract and Table 2): 24.69 t from dynamic GPU energy of a
    # 50.5 t whole footprint; the rest (25.8 t, 51 %) is idle power and embodied emissions.
    dynamic = data.value("training_runs", "bloom-176b", "emissions_tco2e_reported")
    total = data.value("training_runs", "bloom-176b-total", "emissions_tco2e_reported")
    assert (total - dynamic) / total == pytest.approx(0.5111, abs=5e-4)


def test_gemini_emissions_not_from_electricity_are_30_percent():
    # 0.033 g total = 0.023 g Scope 2 + 0.010 g Scopes 1 and 3
    row = data.load("per_query_footprint").loc["gemini-median-2025"]
    share = (row.emissions_g_co2e - row.emissions_electricity_g_co2e) / row.emissions_g_co2e
    assert share == pytest.approx(0.010 / 0.033)


def test_h100_embodied_per_hour_and_its_share_on_three_grids():
    # EcoLogits: 164 kg CO2e per H100 over 3 years = 164,000 g / 26,280 h = 6.24 g per hour,
    # against 0.7 kWh of electricity per busy hour: 337 g (world, 481), 67 g (Google, 96),
    # 39 g (France, 56).
    kg = data.value("per_query_assumptions", "ecologits-h100-embodied", "value")
    years = data.value("per_query_assumptions", "ecologits-lifetime", "value")
    embodied = fleet.embodied_per_hour_g_co2e(kg, years)
    assert embodied == pytest.approx(164_000 / 26_280)
    tdp_kwh = data.value("gpus", "h100-sxm", "tdp_w") / 1e3
    shares = {}
    for region in ("world-2023-ember", "google-market-2025", "france-2023"):
        intensity = data.value("grid_intensity", region, "intensity_g_co2e_per_kwh")
        electricity = 1e3 * fleet.emissions_kg_co2e(tdp_kwh, intensity)
        shares[region] = embodied / (embodied + electricity)
    assert shares == pytest.approx(
        {"world-2023-ember": 0.0182, "google-market-2025": 0.0850, "france-2023": 0.1373},
        abs=5e-4,
    )


def test_embodied_per_hour_worked_examples():
    assert fleet.embodied_per_hour_g_co2e(8.76, 1) == pytest.approx(1.0)
    assert fleet.embodied_per_hour_g_co2e(164, 3, utilization=0.3) == pytest.approx(20.80, abs=0.01)
    assert fleet.embodied_per_hour_g_co2e(0, 3) == 0


@given(m=floats(0, 1e6), years=floats(0.1, 30), u=unit_interval)
def test_embodied_per_hour_spreads_the_whole_footprint_over_the_working_hours(m, years, u):
    per_hour = fleet.embodied_per_hour_g_co2e(m, years, utilization=u)
    assert per_hour * years * 8_760 * u == pytest.approx(m * 1e3, rel=1e-9, abs=1e-9)
    assert per_hour >= fleet.embodied_per_hour_g_co2e(m, years) - 1e-12


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"embodied_kg_co2e": -1.0}, "embodied_kg_co2e"),
        ({"lifetime_years": 0.0}, "lifetime_years"),
        ({"utilization": 0.0}, "utilization"),
        ({"utilization": 1.5}, "utilization"),
    ],
)
def test_embodied_per_hour_bad_input_named(kwargs, name):
    args = {"embodied_kg_co2e": 164.0, "lifetime_years": 3.0, **kwargs}
    with raises_naming(name):
        fleet.embodied_per_hour_g_co2e(**args)


# --- a billion questions on the grid (chapter 05) ----------------------------------------------


def _billion_a_day_twh(energy_per_query_wh):
    days = 8_760 / 24
    return convert_energy(fleet.queries_energy_wh(1e9 * days, energy_per_query_wh), "Wh", "TWh")


def test_a_billion_typical_queries_a_day_against_all_data_centres():
    # 1e9 × 365 × 0.3 Wh = 1.095e11 Wh = 0.1095 TWh a year: 0.0264 % of the IEA's 415 TWh
    # (2024), 0.176 % of the 15 % used by accelerated servers (62.25 TWh).
    dc = data.load("data_centres")
    total = dc.loc["dc-electricity-2024", "value"]
    accelerated = total * dc.loc["dc-accelerated-share-2024", "value"] / 100
    twh = _billion_a_day_twh(data.value("inference_estimates", "epoch-gpt4o-2025", "energy_wh"))
    assert twh == pytest.approx(0.1095)
    assert twh / total == pytest.approx(0.1095 / 415)
    assert 100 * twh / total == pytest.approx(0.02639, abs=1e-5)
    assert accelerated == pytest.approx(62.25)
    assert 100 * twh / accelerated == pytest.approx(0.1759, abs=1e-4)
    # 1 % of 415 TWh = 4.15 TWh = 37.9 billion such queries a day; the growth to 2030
    # (945 − 415 = 530 TWh) = 4,840 billion a day.
    assert total / 100 / twh == pytest.approx(37.90, abs=0.01)
    growth = dc.loc["dc-electricity-2030", "value"] - total
    assert growth / twh == pytest.approx(4_840.2, abs=0.1)


def test_a_billion_reasoning_queries_a_day_at_the_high_end():
    # DeepSeek-R1 on DeepSeek's API, 19.25 Wh: 7.03 TWh a year, 1.7 % of 415 TWh
    twh = _billion_a_day_twh(
        data.value("inference_estimates", "howhungry-deepseek-r1-short", "energy_wh")
    )
    assert twh == pytest.approx(7.026, abs=1e-3)
    assert 100 * twh / 415 == pytest.approx(1.693, abs=1e-3)


# --- levers -----------------------------------------------------------------------------


def test_apply_levers_returns_every_step():
    steps = fleet.apply_levers(30_000, [0.25, 0.8])
    np.testing.assert_allclose(steps, [30_000, 7_500, 6_000])


def test_apply_levers_allows_a_lever_that_backfires():
    np.testing.assert_allclose(fleet.apply_levers(100.0, [1.3]), [100.0, 130.0])


def test_apply_levers_monte_carlo_shape():
    factors = np.array([[0.5, 1.0, 0.9], [0.8, 0.8, 0.8]])  # 2 levers × 3 draws
    steps = fleet.apply_levers(np.array([10.0, 20.0, 30.0]), factors)
    assert steps.shape == (3, 3)
    np.testing.assert_allclose(steps[-1], [4.0, 16.0, 21.6])


def test_apply_levers_one_dimensional_factors_with_array_baseline():
    steps = fleet.apply_levers(np.array([10.0, 20.0]), [0.5, 0.5])
    np.testing.assert_allclose(steps, [[10, 20], [5, 10], [2.5, 5]])


def test_lever_table_ranges_are_ordered():
    levers = data.load("levers")
    assert (levers.factor_low <= levers.factor_central).all()
    assert (levers.factor_central <= levers.factor_high).all()


def test_batching_factor_is_three_to_five_times():
    row = data.load("levers").loc["batching-mlenergy"]
    assert row.factor_low == pytest.approx(1 / 5)
    assert row.factor_high == pytest.approx(1 / 3, abs=1e-3)


@pytest.mark.parametrize(
    ("column", "u0"), [("factor_low", 0.1), ("factor_central", 0.3), ("factor_high", 0.5)]
)
def test_utilization_lever_row_is_our_arithmetic(column, u0):
    row = data.load("levers").loc["utilization-idle"]
    assert row[column] == pytest.approx(fleet.utilization_factor(700, 100, u0, 0.6), abs=5e-4)


def test_utilization_examples():
    # Busy 30 % → 60 %: (280 W / 0.3) → (460 W / 0.6), energy per unit of work × 0.821.
    assert power.average_power_w(700, 100, 0.6) == pytest.approx(460)
    assert fleet.utilization_factor(700, 100, 0.3, 0.6) == pytest.approx((460 / 0.6) / (280 / 0.3))
    assert fleet.utilization_factor(700, 0, 0.3, 0.6) == pytest.approx(1.0)
    assert fleet.utilization_factor(0, 0, 0.3, 0.6) == pytest.approx(1.0)


def test_utilization_factor_is_a_ratio_of_powers_per_busy_hour():
    before = power.power_per_busy_hour_w(700, 100, 0.1)
    after = power.power_per_busy_hour_w(700, 100, 0.6)
    assert fleet.utilization_factor(700, 100, 0.1, 0.6) == pytest.approx(after / before)
    assert fleet.utilization_factor(700, 100, 0.6, 0.1) == pytest.approx(before / after)


def test_idle_above_busy_rejected():
    with raises_naming("idle_power_w"):
        fleet.utilization_factor(100, 200, 0.3, 0.6)


def test_vectorized_and_scalar_out():
    out = fleet.queries_energy_wh(np.array([1e6, 2e6]), 2.0, pue=np.array([[1.0], [1.5]]))
    assert out.shape == (2, 2)
    np.testing.assert_allclose(out, [[2e6, 4e6], [3e6, 6e6]])
    assert isinstance(fleet.queries_energy_wh(1, 1), float)
    assert isinstance(fleet.electricity_cost_usd(1, 1), float)


# --- properties ------------------------------------------------------------------------


@given(q=nonneg, e=floats(0, 1_000.0), u=pue, k=floats(1.0, 1e3))
def test_energy_is_linear_in_queries(q, e, u, k):
    base = fleet.queries_energy_wh(q, e, u)
    assert fleet.queries_energy_wh(q * k, e, u) == pytest.approx(base * k, rel=1e-9, abs=1e-9)


@given(q=nonneg, e=floats(0, 1_000.0), u=pue)
def test_energy_is_queries_times_energy_times_pue(q, e, u):
    assert fleet.queries_energy_wh(q, e, u) == pytest.approx(q * e * u, rel=1e-12, abs=1e-12)


@given(e=nonneg, p=floats(0, 1.0), extra=floats(0, 1.0))
def test_cost_rises_with_price(e, p, extra):
    assert fleet.electricity_cost_usd(e, p + extra) >= fleet.electricity_cost_usd(e, p)


@given(e=nonneg, i1=floats(0, 2000), i2=floats(0, 2000))
def test_emissions_ordered_like_intensity(e, i1, i2):
    lo, hi = sorted((i1, i2))
    assert fleet.emissions_kg_co2e(e, lo) <= fleet.emissions_kg_co2e(e, hi)


@given(f=st.lists(floats(0.05, 2.0), min_size=1, max_size=6), b=positive)
def test_lever_order_does_not_change_the_end(f, b):
    forward = fleet.apply_levers(b, f)[-1]
    backward = fleet.apply_levers(b, f[::-1])[-1]
    assert forward == pytest.approx(backward, rel=1e-9)
    assert forward == pytest.approx(b * math.prod(f), rel=1e-9)


@given(busy=floats(1, 2000), idle_share=floats(0, 1), u0=unit_interval, u1=unit_interval)
def test_higher_utilization_never_costs_more_per_unit_of_work(busy, idle_share, u0, u1):
    lo, hi = sorted((u0, u1))
    assert fleet.utilization_factor(busy, normal(busy * idle_share), lo, hi) <= 1 + 1e-12


@given(bad=bad_nonneg)
def test_bad_queries_rejected(bad):
    with raises_naming("queries"):
        fleet.queries_energy_wh(bad, 2.0)


@given(bad=bad_nonneg)
def test_bad_energy_per_query_rejected(bad):
    with raises_naming("energy_per_query_wh"):
        fleet.queries_energy_wh(1e6, bad)


@given(bad=bad_nonneg)
def test_bad_price_rejected(bad):
    with raises_naming("price_usd_per_kwh"):
        fleet.electricity_cost_usd(1.0, bad)


@given(bad=bad_nonneg)
def test_bad_intensity_and_water_rejected(bad):
    with raises_naming("grid_intensity_g_per_kwh"):
        fleet.emissions_kg_co2e(1.0, bad)
    with raises_naming("water_l_per_kwh"):
        fleet.water_l(1.0, bad)


@pytest.mark.parametrize("bad", [0.99, 0.0, math.nan, math.inf])
def test_pue_below_one_rejected(bad):
    with pytest.raises(ValueError, match=r"pue .*\[1, inf\)"):
        fleet.queries_energy_wh(1, 1, pue=bad)


@pytest.mark.parametrize("bad", [0.0, -0.5, math.nan, math.inf])
def test_non_positive_lever_factor_rejected(bad):
    with raises_naming("factors"):
        fleet.apply_levers(100.0, [0.5, bad])


@pytest.mark.parametrize("bad", [0.0, 1.01, -0.1, math.nan])
def test_utilization_out_of_range_rejected(bad):
    with pytest.raises(ValueError, match=r"utilization\w* .*\(0, 1\]"):
        fleet.utilization_factor(700, 100, bad, 0.5)
    with pytest.raises(ValueError, match=r"utilization\w* .*\(0, 1\]"):
        fleet.utilization_factor(700, 100, 0.5, bad)


@pytest.mark.parametrize("bad", [0.0, 1.01])
def test_utilization_out_of_range_names_which_one(bad):
    with raises_naming("utilization_before"):
        fleet.utilization_factor(700, 100, bad, 0.5)
    with raises_naming("utilization_after"):
        fleet.utilization_factor(700, 100, 0.5, bad)


def test_zero_energy_rejected_where_it_divides():
    with raises_naming("energy_wh"):
        fleet.implied_intensity_g_per_kwh(0.03, 0.0)
    with raises_naming("energy_wh"):
        fleet.implied_water_l_per_kwh(0.26, 0.0)


# --- exercises ---------------------------------------------------------------------------

EXERCISES = [ch05.q1, ch05.q2, ch05.q3, ch05.q4]


@pytest.mark.parametrize("q", EXERCISES, ids=lambda q: q.name)
def test_right_answer_passes(q):
    ok, message = q.verdict(q.expected())
    assert ok, message


@pytest.mark.parametrize(
    ("q", "index"),
    [(q, i) for q in EXERCISES for i in range(len(q.mistakes(q.expected())))],
    ids=lambda x: getattr(x, "name", str(x)),
)
def test_each_mistake_gets_its_message(q, index):
    mistake = q.mistakes(q.expected())[index]
    ok, message = q.verdict(mistake.value)
    assert not ok
    assert mistake.message in message


def test_exercise_answers():
    assert ch05.q1.expected() == pytest.approx(193.44)
    assert ch05.q2.expected() == pytest.approx(9_750)
    assert ch05.q3.expected() == pytest.approx(6_000)
    assert 3_500 < ch05.q4.expected() < 4_740
    assert ch05.q4.expected() == pytest.approx(4_065.79, abs=0.01)  # the 95th percentile


def test_unanswered_is_not_an_error():
    assert ch05.q1.verdict(...) == (
        False,
        "Not answered yet: replace the ... with your answer (a number).",
    )


def test_apply_levers_without_levers_is_the_baseline():
    np.testing.assert_allclose(fleet.apply_levers(30.0, []), [30.0])


# --- the chapter's chart data and explorer (presentation layer) -----------------------------

CHAIN = {
    "quantization": "quantization-fp8-large-batch",
    "batching": "batching-mlenergy",
    "caching": "caching-seed",
    "newer hardware": "newer-hardware",
    "utilisation": "utilization-idle",
}
"""The notebook's lever chain of the same model, in order; then the data centre and a smaller
model."""


def _chain_factors():
    levers = data.load("levers")
    factors = {name: levers.loc[i, "factor_central"] for name, i in CHAIN.items()}
    factors["data centre"] = data.value("pue", "google-fleet-2024", "pue") / data.value(
        "pue", "seed-004-pue", "pue"
    )
    factors["smaller model"] = levers.loc["smaller-model", "factor_central"]
    return factors


def test_the_lever_chain_saving_depends_on_the_baseline():
    from helpers.views import ch05 as view

    # by hand: 0.89 × 0.25 × 0.8 × 0.65 × 0.821 × (1.09 / 1.5) = 0.06903 → 14.5 times less;
    # already batched (no batching factor): 0.2761 → 3.62; with a smaller model (× 0.28):
    # 51.7 and 12.9.
    cases = view.lever_cases(
        30_000,
        _chain_factors(),
        {
            "every lever": [],
            "already batched": ["batching"],
            "same model": ["smaller model"],
            "same model, already batched": ["batching", "smaller model"],
        },
    ).set_index("case")
    assert cases["times less"].to_dict() == pytest.approx(
        {
            "every lever": 51.74,
            "already batched": 12.94,
            "same model": 14.49,
            "same model, already batched": 3.622,
        },
        rel=1e-3,
    )
    assert cases.loc["same model", "optimised"] == pytest.approx(30_000 / 14.487, rel=1e-3)
    assert cases.loc["already batched", "levers left out"] == "batching"
    assert cases.loc["every lever", "levers left out"] == "none"
    with pytest.raises(ValueError, match="unknown levers"):
        view.lever_cases(1.0, {"batching": 0.25}, {"oops": ["batchin"]})


def test_the_comparable_spread_leaves_out_what_is_not_a_chat_answer():
    from helpers.views import ch05 as view

    estimates = data.load("inference_estimates")
    frame = view.spread_frame(estimates)
    assert set(frame.index[~frame.comparable]) == {"phm-text-generation", "gemini-narrow-2025"}
    assert frame.loc[~frame.comparable, "why_not_comparable"].str.len().gt(0).all()
    assert frame.loc[~frame.comparable, "label"].str.startswith("not comparable").all()
    # by hand: DeepSeek-R1 on DeepSeek's API, 19.25 Wh ÷ Gemini (and Llama-3.3-70B), 0.24 Wh
    assert view.comparable_spread(frame) == pytest.approx(19.25 / 0.24)
    assert view.comparable_spread(frame) == pytest.approx(80.2, abs=0.05)
    assert estimates.energy_wh.max() / estimates.energy_wh.min() == pytest.approx(409.6, abs=0.05)
    with pytest.raises(ValueError, match="BOUNDARY_KIND"):
        view.spread_frame(estimates.rename(index={"altman-2025": "someone-new"}))


def test_the_spread_chart_headlines_the_comparable_spread_and_colours_evidence():
    from helpers.views import ch05 as view

    spec = view.per_query_spread(view.spread_frame(data.load("inference_estimates"))).to_dict()
    assert spec["title"]["text"].startswith("Published energy per query: a spread of 80 times")
    assert "410 times" in spec["title"]["subtitle"]
    assert "80 times" in spec["description"]
    points = spec["layer"][2]["encoding"]
    assert points["color"]["field"] == "evidence"
    assert points["color"]["title"] == "Kind of evidence"
    assert set(points["color"]["scale"]["domain"]) == set(data.load("inference_estimates").evidence)
    assert set(points["color"]["scale"]["domain"]) <= set(view.EVIDENCE_ORDER)
    shade = spec["layer"][0]
    assert shade["mark"]["type"] == "rect"
    (band,) = spec["datasets"][shade["data"]["name"]]
    assert (band["low"], band["high"]) == pytest.approx((0.24, 19.25))


def test_evidence_order_is_the_tables_enum():
    from helpers.views import ch05 as view

    fields = data.schema("inference_estimates")["schema"]["fields"]
    enum = next(f for f in fields if f["name"] == "evidence")["constraints"]["enum"]
    assert view.EVIDENCE_ORDER == enum


def test_lever_steps_frame_and_waterfall():
    from helpers.views import ch05 as view

    frame = view.lever_steps_frame(30_000, {"batching": 0.25, "worse": 1.2}, scale=1e-3)
    assert list(frame.step) == ["naive fleet", "batching", "worse", "optimised"]
    assert list(frame.kind) == ["total", "saving", "increase", "total"]
    np.testing.assert_allclose(frame.end, [30, 7.5, 9, 9])
    assert frame.low.isna().all()
    chart = view.lever_waterfall(frame, "Energy per month (MWh)")
    assert "MWh" in chart.to_json() and chart.to_dict()["description"]


def test_fleet_chart_shows_band_and_bill():
    from helpers.views import ch05 as view

    builder, kwargs = view.fleet_figure(1e7, 2.0, 1.5, 0.10, "france-2023", n=2_000, batching=True)
    spec = builder(**kwargs).to_dict()
    assert spec["title"]["text"].startswith("Optimised: 7.5 MWh a month, $750")
    frame = view.lever_steps_frame(30_000, {"batching": 0.25})
    assert len(frame) == 3
    box = view.fleet_explorer()
    assert set(view.FLEET_LEVERS) <= set(box.control_widgets)
    on = {k for k in view.FLEET_LEVERS if box.control_widgets[k].value}
    assert on == set(view.FLEET_LEVERS) - {"smaller_model"}
    assert set(box.control_widgets["region"].options[i][1] for i in range(3)) <= set(
        data.load("grid_intensity").index
    )


def test_fleet_explorer_smaller_model_lever_uses_its_row():
    from helpers.views import ch05 as view

    levers = data.load("levers")
    assert set(view.FLEET_LEVERS.values()) <= set(levers.index)
    builder, kwargs = view.fleet_figure(
        1e7, 2.0, 1.5, 0.10, "france-2023", n=2_000, smaller_model=True
    )
    steps = kwargs["steps"].set_index("step")
    assert list(steps.index) == ["naive fleet", "smaller-model", "optimised"]
    assert steps.loc["optimised", "end"] == pytest.approx(
        30 * levers.loc["smaller-model", "factor_central"]
    )
