"""Self-checks for chapter 05, "A billion questions". Answers are computed from data/."""

from helpers import data, fleet, uncertainty
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake
from helpers.units import convert_energy

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6", "q7", "q8", "q9", "SEED_QUERIES_PER_MONTH"]

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


# --- concept questions ----------------------------------------------------------------------

q5 = ConceptQuestion(
    name="q5",
    question=(
        "Meta reports Llama 3.1's training emissions twice: location-based, thousands of tonnes "
        "of CO2e, and market-based, 0 t. What does the market-based zero mean?"
    ),
    choices={
        "a": Choice(
            "The data centres ran on their own solar panels and emitted nothing.",
            "Market-based accounting does not describe how the electricity was made where it was "
            "used. The GPUs drew power from local grids, which emitted what the location-based "
            "figure says.",
        ),
        "b": Choice(
            "The location-based figure was a mistake, corrected by the market-based one.",
            "Both are right answers to different questions: what the local grid emitted to "
            "supply the electricity (location-based), and what the company's purchases imply "
            "(market-based). A careful report gives both, as Meta's does.",
        ),
        "c": Choice(
            "Meta bought renewable electricity by contract (power-purchase agreements, "
            "certificates) to match its use; the local grids still emitted what the "
            "location-based figure counts.",
            "Google's 0.03 g CO2e per prompt is market-based too: check the accounting before "
            "comparing carbon figures.",
            correct=True,
        ),
        "d": Choice(
            "The two figures differ by the data centre's PUE.",
            "PUE changes the energy, and both figures start from the same energy. They differ in "
            "the carbon intensity that energy is multiplied by: the local grid's average, or "
            "that of the electricity bought by contract.",
        ),
    },
    hints=["Location-based: which grid's intensity? Market-based: whose contracts?"],
    solution_text=(
        "Location-based emissions multiply the electricity used by the average carbon intensity "
        "of the local grid: what the grid emitted to supply it. Market-based emissions use the "
        "intensity of the electricity the company bought by contract, which can be zero when "
        "its purchases match its use. A market-based figure can be far below any grid average; "
        "before comparing two carbon figures, check that they use the same accounting."
    ),
)

q6 = ConceptQuestion(
    name="q6",
    question=(
        "BLOOM's training emitted 24.7 t CO2e from the electricity its GPUs used while "
        "computing, and 50.5 t in total. Where does the rest come from?"
    ),
    choices={
        "a": Choice(
            "From the experiments before the final training run.",
            "Both figures are for the same final training run; development is a separate "
            "question (chapter 01). The rest is power drawn while idle and the emissions of "
            "manufacturing the hardware.",
        ),
        "b": Choice(
            "From switching to market-based accounting.",
            "Both figures count the electricity at the French grid's average (location-based) "
            "intensity. The total adds other sources of emissions rather than counting the same "
            "ones another way.",
        ),
        "c": Choice(
            "From the API that served BLOOM after training.",
            "BLOOM's deployment was measured separately (it is one of this chapter's per-query "
            "estimates). The 50.5 t is training alone.",
        ),
        "d": Choice(
            "From the power the machines drew while idle, and from manufacturing the hardware "
            "(embodied emissions), shared out over its life.",
            "Embodied emissions are in no electricity figure: they have to be added, and a lever "
            "like newer hardware adds some while it saves energy.",
            correct=True,
        ),
    },
    hints=[
        "The 24.7 t counts only the electricity of the GPUs' computing. What else does a "
        "training run need that emits?"
    ],
    solution_text=(
        "24.7 t is the 'dynamic' figure: the GPUs' energy while computing × the grid's intensity. "
        "The 50.5 t adds the machines' idle power over the run and the embodied emissions of "
        "making the servers, spread over their useful life. Embodied emissions never appear in "
        "an electricity figure: about 0.01 g of Google's 0.03 g CO2e per prompt does not come "
        "from electricity, and the 'newer hardware' lever saves energy but adds manufacturing "
        "emissions the lever chain does not count."
    ),
)

q7 = ConceptQuestion(
    name="q7",
    question=(
        "A company moves a batch job from the evening to midday, when the grid's average carbon "
        "intensity is lowest. Which intensity tells you how much CO2e the move saves?"
    ),
    choices={
        "a": Choice(
            "The average at each hour: the saving is the energy × (evening average − midday "
            "average).",
            "Tempting, because averages are what the tables give. But an average describes all "
            "the generation running in that hour; the job's demand is met by whatever plant "
            "responds at the margin, which may be the same gas plant at both hours.",
        ),
        "b": Choice(
            "The marginal intensity: the emissions of the generation that actually goes up or "
            "down when the job's demand moves.",
            "Adding, removing or moving a load changes emissions at the marginal rate, which can "
            "differ a lot from the average.",
            correct=True,
        ),
        "c": Choice(
            "Neither: moving a job in time never changes emissions.",
            "It can, when the generation that responds differs between the two times, for "
            "instance when midday solar power would otherwise be curtailed. How much it changes "
            "is what the marginal intensity tells you.",
        ),
        "d": Choice(
            "The market-based intensity, since the company buys its electricity by contract.",
            "Market-based accounting answers a reporting question (what the company's purchases "
            "imply), not a physical one: the contract does not change which plants respond when "
            "the job moves.",
        ),
    },
    hints=[
        "Which power plants change their output because of the job: all of them in proportion, "
        "or the ones at the margin?"
    ],
    solution_text=(
        "The average intensity (a grid's emissions ÷ its electricity) describes its mix; the "
        "marginal intensity describes the generation that changes when demand changes. The "
        "effect of adding, removing or moving a load is set by the marginal intensity. Reports "
        "and the course's tables give averages, so a saving computed from averages is an "
        "estimate that can be too large or too small."
    ),
)

q8 = ConceptQuestion(
    name="q8",
    question=(
        "The published per-query energies in this chapter span several hundred times from the "
        "smallest to the largest, yet the chapter headlines a much smaller spread. Why?"
    ),
    choices={
        "a": Choice(
            "The largest estimates are wrong, so they are left out.",
            "The high figures (reasoning models, modelled on a slow host) stay in: they are "
            "estimates of real long answers. What is left out is a number that measures "
            "something else.",
        ),
        "b": Choice(
            "The smaller spread is what remains once differences between the models are removed.",
            "The headline does not correct for models. Even the smaller spread comes mostly "
            "from boundary, tokens, utilisation and method, not from which model is greener "
            "(chapter 06 splits it into factors).",
        ),
        "c": Choice(
            "The smallest figures measure something else: a benchmark that generated only 10 "
            "tokens per query, and a count of the accelerators alone; comparing like with like "
            "leaves them out.",
            "A spread means something only between numbers that measure the same kind of thing.",
            correct=True,
        ),
        "d": Choice(
            "Several hundred times is what the same model costs on two different hosts.",
            "The same model on two hosts (DeepSeek-R1 on DeepSeek's API and on Azure) differs "
            "by far less. The largest ratio sets a 10-token benchmark against long reasoning "
            "answers.",
        ),
    },
    hints=["Look at how many tokens each estimate generated per query, and at what it counts."],
    solution_text=(
        "Power Hungry Processing's text-generation figure generated 10 tokens per query, far "
        "from a chatbot answer, and Google's accelerator-only figure counts part of the same "
        "prompt as its 0.24 Wh. Dividing the largest estimate by the smallest sets a benchmark "
        "against long reasoning answers. Among whole chat answers the spread is smaller but "
        "still large, and it comes mostly from boundary, tokens, utilisation and method. Before "
        "quoting a spread, check that its ends measure the same thing."
    ),
)

q9 = ConceptQuestion(
    name="q9",
    question=(
        "The lever chain applies batching at its central factor. Your service already runs "
        "large batches on a busy fleet. What will the batching lever save you?"
    ),
    choices={
        "a": Choice(
            "The same share as in the chain: a lever's factor applies to any fleet.",
            "Each factor compares two operating points: batching's is the energy per token of "
            "large batches ÷ small ones. A fleet that already batches well is at the lever's end "
            "point.",
        ),
        "b": Choice(
            "More than the chain shows, because the savings of the levers add up.",
            "Levers multiply what the previous ones left (exercise q3), and overlapping levers "
            "(batching and utilisation both keep the GPU busy) count part of a saving twice: "
            "the chain is optimistic, not pessimistic.",
        ),
        "c": Choice(
            "It depends only on the PUE of your data centre.",
            "PUE is a separate lever, the data centre. Batching changes the GPU's energy per "
            "token, whatever the building's overhead.",
        ),
        "d": Choice(
            "Little or nothing: a lever's factor is relative to a baseline (here, small "
            "batches), and your fleet is already past it.",
            "Check what a lever assumes about the starting point before applying it to yours.",
            correct=True,
        ),
    },
    hints=["A factor like 'a quarter of the energy' compares what with what?"],
    solution_text=(
        "Every lever is a ratio between a baseline and an improved state: batching compares "
        "small batches with large ones, quantization 16-bit with 8-bit weights, newer hardware "
        "an old GPU with a new one (without its manufacturing emissions). Applied to a fleet "
        "that already has the improvement, the factor counts a saving that is not there. The "
        "chapter states what each lever assumes about the baseline for this reason."
    ),
)
