"""Self-checks for chapter 03, "Jevons vs the vacuum cleaner". Answers are computed by
helpers.rebound from data/."""

from helpers import data, rebound
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake

__all__ = ["q1", "q2", "q3", "q4", "q5", "q6"]


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


# --- concept questions ----------------------------------------------------------------------

q5 = ConceptQuestion(
    name="q5",
    question=(
        "Energy per token falls by 50 %, and the rebound turns out to be 60 %. What happened to "
        "total energy use?"
    ),
    choices={
        "a": Choice(
            "It rose by 60 %.",
            "Tempting, because 'rebound' sounds like growth. But the rebound is the share of the "
            "expected saving that is lost, not a change in energy use. Energy rises only when "
            "the rebound is above 100 % (backfire).",
        ),
        "b": Choice(
            "It rose: any rebound is Jevons' paradox.",
            "Jevons' paradox (backfire) is the special case of a rebound above 100 %. Below "
            "that, the efficiency gain still saves energy, only less than the engineer expected.",
        ),
        "c": Choice(
            "It fell by the full 50 %: a rebound changes what people pay, not the energy.",
            "The rebound is measured in energy: more use of the cheaper service eats part of the "
            "saving. Here use grew 1.6 times, so energy is 0.5 × 1.6 = 0.8 of before.",
        ),
        "d": Choice(
            "It fell by 20 % instead of the expected 50 %: 60 % of the saving was lost and 40 % "
            "kept.",
            "A rebound below 100 % is a smaller saving, not a rise.",
            correct=True,
        ),
    },
    hints=[
        "Rebound = share of the expected saving that is lost. The expected saving is 50 %; how "
        "much of it is lost?"
    ],
    solution_text=(
        "The expected saving is 50 %. A rebound of 60 % loses 0.6 × 50 = 30 points of it, so "
        "energy falls by 20 %, to 0.8 of before (use grew 1.6 times: 0.5 × 1.6 = 0.8). Only a "
        "rebound above 100 %, backfire or Jevons' paradox, makes energy use rise; 0 % keeps the "
        "whole saving."
    ),
)

q6 = ConceptQuestion(
    name="q6",
    question=(
        "The one published price elasticity for LLM tokens, −1.11 in an NBER working paper, "
        "was estimated on OpenRouter, where several providers often sell the same open model. "
        "What does it measure?"
    ),
    choices={
        "a": Choice(
            "How the whole market's demand for tokens responds to price, so AI is past the "
            "backfire threshold.",
            "Tempting, because its size is just above 1, the textbook threshold. But when one "
            "provider of a model cuts its price, customers move to it from the other providers "
            "of the same model; that switching is a large response that leaves total demand for "
            "tokens unchanged.",
        ),
        "b": Choice(
            "Mostly how customers switch between providers of the same open model when one "
            "changes its price; not how market demand for tokens responds, which is why the "
            "chapter's forecast uses a what-if range of elasticities.",
            "An elasticity of switching says little about whether cheaper tokens raise AI's "
            "total energy use.",
            correct=True,
        ),
        "c": Choice(
            "The minus sign means demand falls when prices fall.",
            "The sign says price and use move in opposite directions: price down, use up. The "
            "course's calculators take the magnitude and refuse a negative value.",
        ),
        "d": Choice(
            "The long-run response of all AI use to cheaper tokens, over several years.",
            "It is a short-run estimate from one marketplace, for open models. The long-run "
            "response (new products, new users) is what the rebound debate is about, and nobody "
            "has measured it.",
        ),
    },
    hints=[
        "Two providers sell the same model and one cuts its price. What do their customers do, "
        "and does anyone use more tokens?"
    ],
    solution_text=(
        "Within one marketplace, a price cut by one provider of a model mostly moves customers "
        "from the other providers of the same model: a large response at the level of the "
        "provider, with little change in the total. So −1.1 is an elasticity of switching, not "
        "of market demand for tokens, and cannot tell whether cheaper tokens raise AI's energy "
        "use. Because the model sits on a knife-edge near an elasticity of 1, the chapter's "
        "forecast shows a what-if range instead of one number."
    ),
)
