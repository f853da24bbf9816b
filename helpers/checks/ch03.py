"""Self-checks for chapter 03, "Jevons vs the vacuum cleaner". Answers are computed by
helpers.rebound from data/."""

from helpers import data, rebound
from helpers.checks import Exercise, Mistake

__all__ = ["q1", "q2", "q3", "q4"]


def _trend(row_id):
    return data.value("ai_efficiency_trends", row_id, "value")


# q1: the rebound of a large gain is not the elasticity --------------------------------------

Q1_GAIN, Q1_ELASTICITY = 0.4, 0.6


def _q1():
    return 100 * rebound.rebound(Q1_GAIN, Q1_ELASTICITY)


q1 = Exercise(
    name="q1",
    question=(
        "A serving stack uses 40 % less energy per token, energy is the whole cost of a token "
        "(cost_share = 1) and demand has a price elasticity of 0.6. What is the rebound, in %?"
    ),
    answer=_q1,
    unit="%",
    hints=[
        "rebound.rebound(efficiency_gain, elasticity) returns a fraction: multiply by 100.",
        "The efficiency gain is 0.4 (40 % less energy per unit), not 1.4 or 0.6.",
    ],
    solution_text=(
        "rebound.rebound(0.4, 0.6) ≈ 0.538, a rebound of about 54 %. Energy after ÷ before = "
        "0.6 ** (1 − 0.6) ≈ 0.815: the saving is 18.5 % instead of the expected 40 %, and "
        "1 − 18.5/40 ≈ 54 %. The rule of thumb 'rebound ≈ elasticity' (60 %) holds only for small "
        "gains."
    ),
    mistakes=lambda c: [
        Mistake(
            100 * Q1_ELASTICITY,
            "Rebound ≈ elasticity only for small gains; compute it for a 40 % gain.",
        ),
        Mistake(
            100 * rebound.energy_saving(Q1_GAIN, Q1_ELASTICITY),
            "That is the actual saving (% of energy before), not the share of the expected "
            "saving that was lost.",
        ),
        Mistake(100 - c, "That is the share of the expected saving that was kept: 100 % minus it."),
        Mistake(c / 100, "Give the rebound in percent, not as a fraction."),
    ],
)


# q2: Google's year as rebound accounting ---------------------------------------------------


def _q2_parts():
    g = rebound.gain_from_factor(_trend("gemini-energy-per-prompt"))
    growth = _trend("google-tokens-2025-05") / _trend("google-tokens-2024-05")
    return g, growth


def _q2():
    g, growth = _q2_parts()
    return 100 * rebound.observed_rebound(g, growth)


def _q2_mistakes(c):
    g, growth = _q2_parts()
    two_years = _trend("google-tokens-2026-05") / _trend("google-tokens-2024-05")
    return [
        Mistake(
            100 * rebound.observed_rebound(1 - g, growth),
            "The efficiency gain is the fall in energy per prompt, 1 − 1/33, not 1/33.",
        ),
        Mistake(
            100 * rebound.observed_rebound(g, two_years),
            "That uses two years of token growth (to May 2026) against one year of efficiency.",
        ),
        Mistake(c / 100, "Give the rebound in percent, not as a fraction."),
    ]


q2 = Exercise(
    name="q2",
    question=(
        "Treat Google's year from May 2024 to May 2025 as if tokens were the service and energy "
        "per token fell like energy per Gemini prompt (33 times). Using the token counts in "
        "ai_efficiency_trends, what rebound (in %) does this crude accounting give?"
    ),
    answer=_q2,
    unit="%",
    hints=[
        "rebound.gain_from_factor(33) turns '33 times less energy' into an efficiency gain.",
        "The service ratio is tokens in May 2025 ÷ tokens in May 2024; then "
        "rebound.observed_rebound(gain, service_ratio).",
    ],
    solution_text=(
        "g = 1 − 1/33 ≈ 0.970; tokens grew 480/9.7 ≈ 49.5 times; observed_rebound ≈ 1.52, a "
        "rebound of about 150 % (backfire: 49.5/33 ≈ 1.5 times the energy). Crude, because "
        "prompts are not tokens, the 33× covers the Gemini app only, and the token growth came "
        "mostly from new products, not from cheaper tokens."
    ),
    mistakes=_q2_mistakes,
)


# q3: backfire threshold when energy is only part of the price ------------------------------

Q3_GAIN, Q3_SHARE = 0.5, 0.3


def _q3():
    return rebound.backfire_elasticity(Q3_GAIN, cost_share=Q3_SHARE)


q3 = Exercise(
    name="q3",
    question=(
        "A new cooling system halves the electricity per token (gain 0.5), but electricity is "
        "only 30 % of the token's price. Above what price elasticity does total energy rise?"
    ),
    answer=_q3,
    unit="(no unit)",
    hints=[
        "Only the electricity part of the price falls: the price falls by 0.3 × 0.5 = 15 %.",
        "rebound.backfire_elasticity(efficiency_gain, cost_share=...).",
    ],
    solution_text=(
        "rebound.backfire_elasticity(0.5, cost_share=0.3) = ln(0.5) / ln(0.85) ≈ 4.27. Demand "
        "would have to be extremely elastic: when energy is a small part of the price, an "
        "efficiency gain barely moves the price, so little demand responds."
    ),
    mistakes=lambda c: [
        Mistake(1.0, "The threshold is 1 only when energy is the whole price (cost_share = 1)."),
        Mistake(
            1 / Q3_SHARE,
            "1 / cost_share is the limit for small gains; for a 50 % gain the threshold is higher.",
        ),
    ],
)


# q4: a ceiling on demand ------------------------------------------------------------------

Q4_GAIN, Q4_ELASTICITY, Q4_CEILING = 0.5, 1.5, 1.2


def _q4():
    return 100 * rebound.energy_ratio(Q4_GAIN, Q4_ELASTICITY, saturation_ratio=Q4_CEILING)


q4 = Exercise(
    name="q4",
    question=(
        "Same gain (50 %) and elasticity (1.5) as the steam engine, but nobody wants more than "
        "1.2 times today's service. What is energy use after the gain, in % of before?"
    ),
    answer=_q4,
    unit="%",
    hints=[
        "rebound.energy_ratio(..., saturation_ratio=1.2).",
        "Without a ceiling demand would grow 2.8 times; the ceiling stops it at 1.2 times.",
    ],
    solution_text=(
        "Energy ratio = (1 − 0.5) × min(0.5 ** −1.5, 1.2) = 0.5 × 1.2 = 0.6: energy falls to 60 % "
        "of before. The ceiling turns a backfire (141 %) into a 40 % saving."
    ),
    mistakes=lambda c: [
        Mistake(
            100 * rebound.energy_ratio(Q4_GAIN, Q4_ELASTICITY),
            "That ignores the ceiling: demand cannot exceed 1.2 times today's.",
        ),
        Mistake(
            100 * (1 - Q4_GAIN),
            "That assumes demand is already at its ceiling; here there is 20 % headroom.",
        ),
        Mistake(c / 100, "Give the answer in percent of before, not as a ratio."),
    ],
)
