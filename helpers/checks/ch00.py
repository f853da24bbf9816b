"""Self-checks for chapter 00, "Start here": energy units."""

from helpers import data, units
from helpers.checks import Exercise, Mistake

__all__ = ["q1", "q2", "q3"]

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
