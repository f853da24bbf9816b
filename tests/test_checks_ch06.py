"""Chapter 06 exercises: worked values (generic checks of every exercise: test_checks.py)."""

import math

import pytest

from helpers import data, reconcile
from helpers.checks import ch06
from helpers.units import J_PER_WH


def test_answers_match_the_worked_numbers():
    assert ch06.q1.expected() == pytest.approx(6_400_000 * 700 / 1e6)
    assert ch06.q2.expected() == pytest.approx(2 / 0.24)
    assert ch06.q3.expected() == pytest.approx(5_576_000 + 294_000)
    assert ch06.q4.expected() == pytest.approx(1_600 / 1_740.8)


def test_the_v3_only_answer_is_named():
    ok, message = ch06.q3.verdict(5_576_000)
    assert not ok and "V3's final run alone" in message


def test_q7_ecologits_against_epoch():
    # EcoLogits' GPT-4o at 500 output tokens, 55B of 440B active, PUE 1.2, ÷ Epoch AI's 0.3 Wh
    assert ch06.q7.expected() == pytest.approx(0.8479 / 0.3, rel=1e-3)
    ok, message = ch06.q7.verdict(0.8479)
    assert not ok and "energy in Wh" in message
    ok, message = ch06.q7.verdict(ch06.q7.expected() / 4)
    assert not ok and "one GPU's share" in message


def _in_solution(q, *numbers):
    missing = [n for n in numbers if n not in q.solution_text]
    assert not missing, f"{q.name}'s solution no longer shows {missing}: update its text"


def test_q7_solution_shows_the_computed_numbers():
    """The worked solution types its numbers: each is recomputed here, so a change in data/ or
    in the method fails until the text is updated."""
    low, high = ch06._gpt4o_by_ecologits("low"), ch06._gpt4o_by_ecologits("high")
    epoch = ch06._epoch_wh()
    tokens = ch06._epoch_scenario()["output_tokens"]
    per_gpu_token = low.gpu_energy_wh / low.gpu_count / tokens
    m = reconcile.ecologits_method()
    total = data.value("per_query_assumptions", "ecologits-gpt4o-total-params", "value")
    weights_gb = m.memory_overhead * total * m.weight_bits / 8
    _in_solution(
        ch06.q7,
        f"= {weights_gb:.0f} GB, {low.gpu_count:.0f} GPUs of {m.gpu_memory_gb:.0f} GB",
        f"{per_gpu_token:.6f} Wh per token",
        f"= {low.gpu_energy_wh:.3f} Wh",
        f"{low.latency_s:.1f} s",
        f"= {low.server_energy_wh:.3f} Wh",
        f"= {low.energy_wh:.3f} Wh, {low.energy_wh / epoch:.2f} times",
        f"({high.energy_wh:.2f} Wh and {high.energy_wh / epoch:.1f} times at 220B",
    )
    ratios = {end: ch06._ecologits_vs_epoch(end) for end in ("low", "high")}
    for name in ("tokens", "utilization", "pue"):
        assert ratios["low"][name] == pytest.approx(1.0)
    epoch_token_wh = ch06._epoch_scenario()["energy_per_token_j"] / J_PER_WH  # 0.3 Wh / 1.2 / 500
    one_gpu = {
        end: r.gpu_energy_wh / r.gpu_count / tokens / epoch_token_wh
        for end, r in (("low", low), ("high", high))
    }
    assert ratios["low"]["batch"] == pytest.approx(low.gpu_count * one_gpu["low"])
    slope = m.energy_alpha_wh * math.exp(m.energy_beta * m.batch_size)
    break_even_b = (epoch_token_wh - m.energy_gamma_wh) / slope
    _in_solution(
        ch06.q7,
        f"boundary ×{ratios['low']['boundary']:.2f}",
        f"energy per token ×{ratios['low']['batch']:.2f}",
        f"is {one_gpu['low']:.2f} times",
        f"({one_gpu['high']:.2f} times at 220B)",
        f"{one_gpu['high'] / one_gpu['low']:.1f} times",
        f"about {break_even_b:.0f}B active",
    )
