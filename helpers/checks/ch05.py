"""Self-checks for chapter 05, "A billion questions". Answers are computed from data/."""

from helpers import data, fleet, uncertainty
from helpers.checks import Exercise, Mistake
from helpers.units import convert_energy

__all__ = ["q1", "q2", "q3", "q4", "SEED_QUERIES_PER_MONTH"]

SEED_QUERIES_PER_MONTH = 10_000_000
"""The seed's what-if traffic: 10 million API calls a month (seed-004)."""


def _kwh(wh):
    return convert_energy(wh, "Wh", "kWh")


def _seed_fleet_kwh():
    wh = data.value("inference_estimates", "seed-004-query", "energy_wh")
    pue = data.value("pue", "seed-004-pue", "pue")
    return _kwh(fleet.queries_energy_wh(SEED_QUERIES_PER_MONTH, wh, pue))


def _q1():
    gemini_wh = data.value("inference_estimates", "gemini-median-2025", "energy_wh")
    energy = _kwh(fleet.queries_energy_wh(SEED_QUERIES_PER_MONTH, gemini_wh))
    return fleet.electricity_cost_usd(
        energy, data.value("prices", "us-industrial-2023", "price_per_kwh")
    )


def _q1_mistakes(c):
    seed_pue = data.value("pue", "seed-004-pue", "pue")
    us = data.value("prices", "us-industrial-2023", "price_per_kwh")
    seed_price = data.value("prices", "seed-004-price", "price_per_kwh")
    return [
        Mistake(
            c * seed_pue, "Google's 0.24 Wh already includes data-centre overhead: no PUE on top."
        ),
        Mistake(
            c * seed_price / us,
            "That is at the seed's $0.10 per kWh: use the US industrial average.",
        ),
    ]


q1 = Exercise(
    name="q1",
    question=(
        "The seed's service sends 10 million queries a month. If each cost what Google measured "
        "for a median Gemini prompt (0.24 Wh, overhead included), what would the monthly "
        "electricity bill be at the US industrial average price (8.06 US cents per kWh), in USD?"
    ),
    answer=_q1,
    unit="USD per month",
    hints=[
        "fleet.queries_energy_wh(queries, energy_per_query_wh, pue) gives Wh; "
        "convert_energy(wh, 'Wh', 'kWh') (from helpers.units) turns it into kWh.",
        "Then fleet.electricity_cost_usd(energy_kwh, 0.0806). Does Google's figure need a PUE?",
    ],
    solution_text=(
        "fleet.queries_energy_wh(10_000_000, 0.24) = 2.4 million Wh = 2,400 kWh a month (pue=1: "
        "Google's figure already counts overhead); × $0.0806 per kWh ≈ $193 a month, about a "
        "fifteenth of the seed's $3,000."
    ),
    mistakes=_q1_mistakes,
)


def _q2():
    energy = _seed_fleet_kwh()
    germany = data.value("grid_intensity", "germany-2023", "intensity_g_co2e_per_kwh")
    france = data.value("grid_intensity", "france-2023", "intensity_g_co2e_per_kwh")
    return fleet.emissions_kg_co2e(energy, germany) - fleet.emissions_kg_co2e(energy, france)


def _q2_mistakes(c):
    energy = _seed_fleet_kwh()
    germany = data.value("grid_intensity", "germany-2023", "intensity_g_co2e_per_kwh")
    pue = data.value("pue", "seed-004-pue", "pue")
    return [
        Mistake(
            c / pue, "You left out the PUE: the grid supplies the whole facility, cooling included."
        ),
        Mistake(
            fleet.emissions_kg_co2e(energy, germany), "That is Germany's total: subtract France's."
        ),
    ]


q2 = Exercise(
    name="q2",
    question=(
        "The seed's fleet (10 million queries a month × 2 Wh × PUE 1.5) runs in Germany instead "
        "of France. How many more kg CO2e does it emit per month (2023 lifecycle intensities, "
        "location-based)?"
    ),
    answer=_q2,
    unit="kg CO2e per month",
    hints=[
        "Energy first: fleet.queries_energy_wh(10_000_000, 2.0, pue=1.5) Wh, in kWh with "
        "convert_energy(..., 'Wh', 'kWh').",
        "Then fleet.emissions_kg_co2e(energy_kwh, g_per_kwh) for each country, and subtract.",
    ],
    solution_text=(
        "30,000 kWh a month × (381 − 56) g/kWh = 9,750 kg CO2e a month more in Germany: the "
        "same service, nearly seven times the emissions."
    ),
    mistakes=_q2_mistakes,
)


def _lever(lever_id):
    return data.value("levers", lever_id, "factor_central")


def _q3():
    factors = [_lever("batching-mlenergy"), _lever("caching-seed")]
    return float(fleet.apply_levers(_seed_fleet_kwh(), factors)[-1])


def _q3_mistakes(c):
    base = _seed_fleet_kwh()
    added = base * (1 - (1 - _lever("batching-mlenergy")) - (1 - _lever("caching-seed")))
    return [
        Mistake(
            added, "Savings multiply, they don't add: caching saves 20 % of what batching left."
        ),
        Mistake(base * _lever("batching-mlenergy"), "You applied batching only: add caching too."),
    ]


q3 = Exercise(
    name="q3",
    question=(
        "Start from the seed's 30,000 kWh a month. Apply batching at its central factor (ML.ENERGY: "
        "3–5× less energy per token; the table's central factor is 0.25) and then the seed's "
        "semantic cache (20 % of calls avoided). How many kWh a month are left?"
    ),
    answer=_q3,
    unit="kWh per month",
    hints=[
        "Each lever multiplies what is left: fleet.apply_levers(baseline, [f1, f2]).",
        "The last element of apply_levers is the optimised value.",
    ],
    solution_text=(
        "fleet.apply_levers(30_000, [0.25, 0.8]) → 30,000, 7,500, 6,000 kWh. Adding the savings "
        "(75 % + 20 % = 95 %) would wrongly give 1,500 kWh."
    ),
    mistakes=_q3_mistakes,
)


def _q4_ranges():
    low = data.value("inference_estimates", "seed-004-query", "energy_wh_low")
    high = data.value("inference_estimates", "seed-004-query", "energy_wh_high")
    return {
        "energy_per_query_wh": uncertainty.Range(low, high),
        "pue": uncertainty.Range(
            data.value("pue", "google-fleet-2024", "pue"), data.value("pue", "uptime-2023", "pue")
        ),
    }


def _seed_bill(energy_per_query_wh, pue):
    price = data.value("prices", "seed-004-price", "price_per_kwh")
    energy = _kwh(fleet.queries_energy_wh(SEED_QUERIES_PER_MONTH, energy_per_query_wh, pue))
    return fleet.electricity_cost_usd(energy, price)


def _q4():
    return uncertainty.band(_seed_bill, _q4_ranges(), n=100_000, seed=0).high


def _q4_mistakes(c):
    r = _q4_ranges()
    worst = _seed_bill(r["energy_per_query_wh"].high, r["pue"].high)
    return [
        Mistake(
            worst, "That is the worst case (both inputs at their maximum), not the 95th percentile."
        ),
        Mistake(
            uncertainty.band(_seed_bill, _q4_ranges(), n=100_000, seed=0).median,
            "That is the median: the question asks for the 95th percentile.",
        ),
    ]


q4 = Exercise(
    name="q4",
    question=(
        "Let energy per query vary uniformly over the seed's 1–3 Wh and PUE uniformly between "
        "Google's 1.09 and Uptime's 1.58. At $0.10 per kWh and 10 million queries a month, what "
        "is the 95th percentile of the monthly bill (100,000 draws, seed 0)?"
    ),
    answer=_q4,
    unit="USD per month",
    rtol=0.03,
    hints=[
        "Write the bill as a function of energy_per_query_wh and pue, using the fleet functions "
        "(fleet.queries_energy_wh gives Wh: convert to kWh before pricing).",
        "uncertainty.band(bill, {name: uncertainty.Range(low, high), ...}, n=100_000, seed=0).high",
    ],
    solution_text=(
        "band(bill, {'energy_per_query_wh': Range(1, 3), 'pue': Range(1.09, 1.58)}) "
        "gives a median near $2,640 and a 95th percentile near $4,070; the worst case (3 Wh × "
        "1.58) is $4,740, which almost never happens when both inputs vary independently."
    ),
    mistakes=_q4_mistakes,
)
