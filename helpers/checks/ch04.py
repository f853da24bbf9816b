"""Self-checks for chapter 04, "Who pays for the idle GPU". Answers are computed from data/."""

from helpers import capex, data
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake
from helpers.power import power_per_busy_hour_w

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


def _idle_w():
    """Idle draw of an H100 [W]: OLMo's checkpoint-pause reading, used as a proxy (as in the notebook)."""
    return data.value("per_query_assumptions", "olmo-h100-idle", "value")


def _price(row_id):
    return data.value("gpu_prices", row_id, "price_usd")


def _q1():
    return capex.breakeven_hours_per_year(_price("seed-003-expensive"), 5.0, lifetime_years=3)


q1 = Exercise(
    name="q1",
    question=(
        "The seed's $30,000 card is sold at $5 per hour, but written off over 3 years instead of "
        "one. How many hours per year must be sold to break even (ignore electricity)?"
    ),
    answer=_q1,
    unit="h/yr",
    hints=[
        "capex.breakeven_hours_per_year(capex_usd, price_usd_per_hour, lifetime_years).",
        "Over three years each year only has to pay for a third of the card.",
    ],
    solution_text=(
        "capex.breakeven_hours_per_year(30_000, 5.0, lifetime_years=3) = 30,000 ÷ (3 × 5) "
        "= 2,000 hours a year: a longer life does what a cheaper card did in the seed."
    ),
    mistakes=lambda c: [
        Mistake(c * 3, "That is the one-year answer: spread the price over 3 years."),
        Mistake(c * 9, "You multiplied by the lifetime: the yearly hours fall with a longer life."),
    ],
)


def _q2_parts():
    capex_usd = _price("h100-sxm-2023")
    power = data.value("gpus", "h100-sxm", "tdp_w")
    kwh = data.value("prices", "us-industrial-2023", "price_per_kwh")
    hours = data.value("sunshine", "berlin-dwd-1991-2020", "hours_per_year")
    return capex_usd, hours, 4.0, power, kwh


def _q2():
    return capex.cost_per_hour_usd(*_q2_parts())


def _q2_mistakes(c):
    capex_usd, hours, life, power, kwh = _q2_parts()
    capital = capex.capital_cost_per_hour_usd(capex_usd, hours, life)
    return [
        Mistake(capital, "You left out the electricity: add power (kW) × price per kWh."),
        Mistake(capital + power * kwh, "Convert watts to kilowatts before multiplying by $/kWh."),
        Mistake(
            capex.cost_per_hour_usd(capex_usd, hours, 1.0, power, kwh),
            "That is a one-year write-off: use the 4-year lifetime.",
        ),
        Mistake(
            capex.cost_per_hour_usd(capex_usd, 8760, life, power, kwh),
            "That runs the card all year: use Berlin's sunshine hours only.",
        ),
    ]


q2 = Exercise(
    name="q2",
    question=(
        "An H100 at the analyst's central price, written off over 4 years, runs only during "
        "Berlin's sunshine hours (DWD 1991–2020) at its 700 W rating, paying the US industrial "
        "average electricity price. What does one hour of use cost, in USD?"
    ),
    answer=_q2,
    unit="USD/h",
    # Electricity is only 1.4 % of this cost: a tight tolerance tells "forgot it" apart.
    rtol=0.005,
    hints=[
        "Rows: gpu_prices 'h100-sxm-2023', gpus 'h100-sxm' (tdp_w), prices 'us-industrial-2023', "
        "sunshine 'berlin-dwd-1991-2020'.",
        "capex.cost_per_hour_usd(capex_usd, hours_per_year, lifetime_years, power_w, "
        "price_usd_per_kwh).",
    ],
    solution_text=(
        "capex.cost_per_hour_usd(27_500, 1_740.8, 4, 700, 0.0806): the card costs "
        "27,500 ÷ (4 × 1,740.8) ≈ $3.95 per hour and its electricity 0.7 kW × $0.0806 ≈ $0.06: "
        "about $4.01 per hour, 99 % of it hardware."
    ),
    mistakes=_q2_mistakes,
)


def _q3_parts():
    return (
        _price("seed-003-cheap"),
        8760.0,
        4.0,
        data.value("gpus", "h100-sxm", "tdp_w"),
        data.value("prices", "seed-004-price", "price_per_kwh"),
    )


def _q3():
    return 100 * capex.energy_share_of_cost(*_q3_parts())


def _q3_mistakes(c):
    capex_usd, hours, life, power, kwh = _q3_parts()
    return [
        Mistake(c / 100, "The answer is in percent, not a fraction: multiply by 100."),
        Mistake(
            100 * capex.energy_share_of_cost(capex_usd, hours, 1.0, power, kwh),
            "That is a one-year write-off: spread the card over 4 years.",
        ),
        Mistake(
            100
            * capex.energy_cost_per_hour_usd(power, kwh)
            / capex.capital_cost_per_hour_usd(capex_usd, hours, life),
            "That is energy ÷ hardware; the share is energy ÷ (hardware + energy).",
        ),
    ]


q3 = Exercise(
    name="q3",
    question=(
        "The seed's $10,000 card runs all 8,760 hours of the year for 4 years at 700 W, paying "
        "seed text 004's $0.10 per kWh. What percentage of its cost per hour is electricity?"
    ),
    answer=_q3,
    unit="%",
    hints=[
        "capex.energy_share_of_cost(capex_usd, hours_per_year, lifetime_years, power_w, "
        "price_usd_per_kwh) returns a fraction.",
        "Hardware per hour: 10,000 ÷ (4 × 8,760); electricity per hour: 0.7 kW × $0.10.",
    ],
    solution_text=(
        "Hardware 10,000 ÷ 35,040 h ≈ $0.285 per hour, electricity $0.07 per hour: "
        "0.07 ÷ (0.285 + 0.07) ≈ 19.7 %. Only cheap hardware used all the time for years makes "
        "electricity a large share."
    ),
    mistakes=_q3_mistakes,
)


def _q4_parts():
    busy = data.value("gpus", "h100-sxm", "tdp_w")
    hours = data.value("sunshine", "berlin-dwd-1991-2020", "hours_per_year")
    kwh = data.value("prices", "us-industrial-2023", "price_per_kwh")
    return busy, hours, kwh


def _q4():
    busy, hours, kwh = _q4_parts()
    per_busy_hour = power_per_busy_hour_w(busy, _idle_w(), capex.utilization(hours))
    return capex.energy_cost_per_hour_usd(per_busy_hour, kwh)


def _q4_mistakes(c):
    busy, hours, kwh = _q4_parts()
    return [
        Mistake(
            capex.energy_cost_per_hour_usd(busy, kwh),
            f"That ignores the idle hours: the card also draws {_idle_w():.0f} W for the rest of the year.",
        ),
        Mistake(
            capex.energy_cost_per_hour_usd(busy + _idle_w(), kwh),
            "Idle power is drawn for 8,760 − H hours, charged to H hours of use: scale it.",
        ),
    ]


q4 = Exercise(
    name="q4",
    question=(
        "Now the H100 stays switched on all year with a model loaded, drawing an assumed 100 W "
        "when idle, but still works only Berlin's sunshine hours. What is the electricity cost "
        "per hour of use, in USD, at the US industrial average price?"
    ),
    answer=_q4,
    unit="USD/h",
    hints=[
        "power.power_per_busy_hour_w(busy_power_w, idle_power_w, capex.utilization(hours)) "
        "gives the power each working hour has to pay for (capex.utilization(hours) = hours "
        "÷ 8,760, the share of the year the card works).",
        "Then capex.energy_cost_per_hour_usd(power_w, price_usd_per_kwh).",
    ],
    solution_text=(
        "The idle hours add 100 W × (8,760 − 1,740.8) ÷ 1,740.8 ≈ 403 W to each working hour: "
        "about 1,103 W × $0.0806/kWh ≈ $0.089 per hour instead of $0.056. Still small next to "
        "the $3.95 of hardware per hour."
    ),
    mistakes=_q4_mistakes,
)


# --- concept questions ----------------------------------------------------------------------

q5 = ConceptQuestion(
    name="q5",
    question=(
        "An H100 stays switched on all year with a model loaded, but works only a fifth of the "
        "hours. Who pays for the power it draws while it waits?"
    ),
    choices={
        "a": Choice(
            "Each working hour: it carries its own draw plus the idle draw of the hours between, "
            "idle power × (1 − u) ÷ u, which grows fast as the share of time busy u falls.",
            "At u = 0.2 every working hour carries four idle hours. In money that is still small "
            "next to the card's price; in energy and emissions it is not.",
            correct=True,
        ),
        "b": Choice(
            "Nobody: a GPU that does no work costs nothing.",
            "The meter keeps running: a loaded H100 draws power between requests (the chapter "
            "uses OLMo's reading of about 100 W). That electricity is paid for, and the only "
            "thing it can be charged to is the work the GPU does.",
        ),
        "c": Choice(
            "Each working hour carries one hour of idle power on top of its own, whatever the "
            "utilisation.",
            "That counts idle power once, as if there were one idle hour per working hour. "
            "Busy a fifth of the time, the card has four idle hours for every working hour "
            "(exercise q4 makes the same point).",
        ),
        "d": Choice(
            "It raises the bill a lot but does not matter for energy or emissions.",
            "The other way round: in money, idle power is small next to the purchase price of "
            "the card; in energy and emissions it can be a large share, because all of it is "
            "electricity.",
        ),
    },
    hints=["Busy a fifth of the time: how many idle hours are there for each working hour?"],
    solution_text=(
        "Average power = idle + (busy − idle) × u, and the working hours must pay for the "
        "average over all hours: power per busy hour = busy + idle × (1 − u) ÷ u. At u = 0.2 "
        "that is the busy power plus four times the idle power. Here u is the share of time "
        "busy, not the share of peak arithmetic (FLOP utilisation). In the bill the idle power "
        "stays small next to the hardware; in energy and emissions it is what chapter 05's "
        "utilisation lever attacks."
    ),
)

q6 = ConceptQuestion(
    name="q6",
    question=(
        "The chapter compares the seed's sale price of USD 5 per GPU-hour with what H100s rent "
        "for today (a median of about USD 3). If a card's hours can only be sold at the market "
        "price, what happens to the seed's idea of paying the card back in the sunny hours "
        "alone?"
    ),
    choices={
        "a": Choice(
            "It gets easier: a cheaper hour means a cheaper card.",
            "Tempting if you think as a renter, for whom the hour got cheaper. The card's owner "
            "sells those hours: at a lower price each hour pays back less of the card, so more "
            "hours are needed.",
        ),
        "b": Choice(
            "Nothing changes: the break-even depends only on the purchase price and lifetime.",
            "The sale price is in the break-even's denominator: at USD 3 instead of USD 5 an "
            "owner needs 5 ÷ 3 times as many hours.",
        ),
        "c": Choice(
            "Electricity becomes the main cost, so the sun matters for the electricity price, "
            "not for the hardware.",
            "A lower sale price does not change what the card costs to run: an H100's "
            "electricity is cents per hour, far below its hardware cost per hour. The hardware "
            "still dominates; each hour just pays back less of it.",
        ),
        "d": Choice(
            "It gets harder: break-even hours = purchase price ÷ (lifetime × price per hour), so "
            "a lower price per hour needs more hours a year, and fewer cards fit into the sunny "
            "hours.",
            "Host power, the data centre's PUE and a cost of capital raise the cost per hour "
            "further and push the break-even later still.",
            correct=True,
        ),
    },
    hints=[
        "Write the break-even: hours per year = purchase price ÷ (lifetime × sale price per "
        "hour). What does a smaller sale price do?"
    ],
    solution_text=(
        "Break-even hours per year = purchase price ÷ (lifetime × price per hour). At the "
        "market's roughly USD 3 instead of the seed's USD 5 an owner needs about 1.7 times the "
        "hours: an expensive card that already needed more than the sunny hours needs even "
        "more, and the cheaper cards get tight too. Counting host power and PUE in the "
        "electricity, and a cost of capital (what the money would have earned elsewhere) in the "
        "hardware, raises the cost per hour and pushes the break-even later still."
    ),
)
