"""Self-checks for chapter 00, "Start here": energy units."""

from helpers import data, units
from helpers.checks import Choice, ConceptQuestion, Exercise, Mistake

__all__ = ["q1", "q2", "q3", "q4", "q5"]

_H100_W = lambda: data.value("gpus", "h100-sxm", "tdp_w")  # noqa: E731
_GEMINI_WH = lambda: data.value("inference_estimates", "gemini-median-2025", "energy_wh")  # noqa: E731

q1 = Exercise(
    name="q1",
    question="An H100 drawing its full rated power runs for 3 hours. How many kWh is that?",
    answer=lambda: units.convert_energy(_H100_W() * 3, "Wh", "kWh"),
    unit="kWh",
    hints=[
        "Energy = power × time. Watts × hours gives watt-hours.",
        "Then divide by 1,000 to go from Wh to kWh.",
    ],
    solution_text="700 W × 3 h = 2,100 Wh = 2.1 kWh (power × time, then Wh → kWh).",
    mistakes=lambda c: [
        Mistake(_H100_W(), "That is the power (W), not the energy: multiply by the time."),
        Mistake(c / 3, "That is one hour's worth: the GPU ran for 3 hours."),
    ],
)

q2 = Exercise(
    name="q2",
    question="Google's median Gemini text prompt used 0.24 Wh. How many joules is that?",
    answer=lambda: units.convert_energy(_GEMINI_WH(), "Wh", "J"),
    unit="J",
    hints=["One watt for one second is one joule; an hour has 3,600 seconds."],
    solution_text="0.24 Wh × 3,600 J/Wh = 864 J.",
    mistakes=lambda c: [
        Mistake(c / 3600 * 60, "You used 60 seconds per hour: an hour has 3,600 s.")
    ],
)

q3 = Exercise(
    name="q3",
    question="How many Gemini median prompts (0.24 Wh each) add up to one MWh?",
    answer=lambda: units.convert_energy(1, "MWh", "Wh") / _GEMINI_WH(),
    unit="prompts",
    hints=[
        "1 MWh is 1,000,000 Wh.",
        "Divide the total energy by the energy per prompt, both in Wh.",
    ],
    solution_text="1 MWh = 1,000,000 Wh; 1,000,000 Wh ÷ 0.24 Wh ≈ 4.17 million prompts.",
    mistakes=lambda c: [
        Mistake(1 / _GEMINI_WH(), "You divided 1 by 0.24 without converting MWh to Wh.")
    ],
)


# --- concept questions ----------------------------------------------------------------------

q4 = ConceptQuestion(
    name="q4",
    question=(
        "A headline says a GPU 'uses 700 W'. What else do you need before you can say how much "
        "energy it used?"
    ),
    choices={
        "a": Choice(
            "Nothing: 700 W is already an amount of energy.",
            "Tempting, because watts are printed on every appliance and feel like a quantity. But "
            "a watt is a rate, one joule per second: 700 W for one second is 700 J, for one hour "
            "700 Wh. Without a time there is no amount.",
        ),
        "b": Choice(
            "The factor 3,600, which turns watts into watt-hours.",
            "3,600 turns watt-hours into joules (an hour has 3,600 seconds); it does not turn a "
            "rate into an amount. Without the running time there is nothing to convert.",
        ),
        "c": Choice(
            "How long it ran, and how much it really drew on average (700 W is its maximum): "
            "energy = power × time.",
            "Watts say how fast, watt-hours say how much: 700 W for half an hour is 350 Wh. And "
            "since 700 W is the rating, power × time with it is an upper bound.",
            correct=True,
        ),
        "d": Choice(
            "The data centre's PUE.",
            "PUE scales the GPU's energy up to the whole building's, so you may need it as well. "
            "But it is a ratio: 700 W × PUE is still a power (W), not an energy. The missing "
            "piece is time.",
        ),
    },
    hints=["Which unit is a rate and which is an amount? A watt is one joule per second."],
    solution_text=(
        "Power (W) is a rate, joules per second; energy (J, Wh) is power × time. '700 W' becomes "
        "an amount only with a duration: 700 W for one hour is 700 Wh = 2.52 million J. A GPU's "
        "rated power (TDP) is its maximum, and real draw is usually lower, so power × time with "
        "the rating gives an upper bound."
    ),
)

q5 = ConceptQuestion(
    name="q5",
    question=(
        "A row in data/ has how_known = primary and evidence = model estimate. What does that "
        "tell you about its number?"
    ),
    choices={
        "a": Choice(
            "The number is confirmed: it is true.",
            "Tempting, because 'primary' sounds like 'confirmed'. But it says where we read the "
            "number, not whether it is right: a faithful copy of an estimate is still an estimate.",
        ),
        "b": Choice(
            "Someone measured it with a meter, and we checked the measurement.",
            "'model estimate' says the opposite: the source computed the number from assumptions "
            "(hardware, utilisation, tokens); nobody metered it. A metered number would have "
            "evidence = measurement.",
        ),
        "c": Choice(
            "It is our own arithmetic on other rows of the tables.",
            "That would be how_known = arithmetic. 'primary' means we read the number in the "
            "primary source itself.",
        ),
        "d": Choice(
            "We read it in the source that produced it, and that source computed it from "
            "assumptions rather than measuring it.",
            "how_known says how we know the number (here, from the primary source); evidence "
            "says what kind of number the source gives (here, a model estimate, such as Epoch "
            "AI's estimate of a ChatGPT query).",
            correct=True,
        ),
    },
    hints=[
        "The two columns answer different questions: how do we know the number, and how did "
        "the source get it?"
    ],
    solution_text=(
        "how_known (primary, secondary, arithmetic, unchecked) records how the course knows a "
        "number; evidence (measurement, model estimate, company disclosure, peer-reviewed, blog "
        "or press) records what kind of number it is. They are independent. A model estimate "
        "read in its primary source is copied faithfully but is only as good as its assumptions; "
        "a measurement we saw only in a summary (secondary) is good evidence that we could not "
        "check ourselves. Neither column says a number is true."
    ),
)
