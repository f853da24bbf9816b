"""helpers.reconcile: why published per-query energies differ, one query's energy as five factors
(chapter 06)."""

import math

import numpy as np
import pytest
from conftest import floats, raises_naming
from hypothesis import given
from hypothesis import strategies as st

from helpers import power, reconcile

positive = floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
share = floats(min_value=1e-3, max_value=1.0)
fraction = floats(min_value=0.0, max_value=1.0)
at_least_one = floats(min_value=1.0, max_value=5.0)


def scenario():
    return st.fixed_dictionaries(
        {
            "output_tokens": positive,
            "energy_per_token_j": positive,
            "utilization": share,
            "idle_power_fraction": fraction,
            "boundary_factor": at_least_one,
            "pue": at_least_one,
        }
    )


def utilization_factor(u, f):
    """The utilisation factor of one query's energy: per_query_energy_wh with only u and f set,
    relative to the same query on a GPU that is always busy."""
    return reconcile.per_query_energy_wh(
        1.0, 1.0, utilization=u, idle_power_fraction=f
    ) / reconcile.per_query_energy_wh(1.0, 1.0)


# --- worked values -----------------------------------------------------------------------


def test_mlenergy_chat_response_is_0_051_wh():
    assert reconcile.per_query_energy_wh(717, 184 / 717) == pytest.approx(184 / 3600)


def test_utilization_factor_is_power_per_busy_hour_in_units_of_busy_power():
    # 10 % busy, idle at 100 of 700 W: (100 + 0.1 × 600) / 0.1 / 700
    assert utilization_factor(0.1, 100 / 700) == pytest.approx(160 / 0.1 / 700)
    assert utilization_factor(1.0, 0.3) == pytest.approx(1.0)
    assert utilization_factor(0.25, 0.0) == pytest.approx(1.0)
    p = power.average_power_w(700, 100, 0.3) / 0.3 / 700
    assert utilization_factor(0.3, 100 / 700) == pytest.approx(p)
    # The one home of the arithmetic, in watts: the same factor × 700 W.
    assert utilization_factor(0.3, 100 / 700) * 700 == pytest.approx(
        power.power_per_busy_hour_w(700, 100, 0.3)
    )


def test_factor_ratios_worked_example():
    low = {"output_tokens": 300, "energy_per_token_j": 0.25}
    high = {
        "output_tokens": 1500,
        "energy_per_token_j": 1.0,
        "utilization": 0.1,
        "idle_power_fraction": 100 / 700,
        "boundary_factor": 2.2,
        "pue": 1.5,
    }
    r = reconcile.factor_ratios(low, high)
    assert list(r) == list(reconcile.FACTORS)
    assert r["tokens"] == pytest.approx(5)
    assert r["batch"] == pytest.approx(4)
    assert r["utilization"] == pytest.approx(160 / 0.1 / 700)
    assert r["boundary"] == pytest.approx(2.2)
    assert r["pue"] == pytest.approx(1.5)


def test_log_shares_worked_example():
    s = reconcile.log_shares({"a": 4.0, "b": 2.0, "c": 0.5})
    assert s == pytest.approx({"a": 1.0, "b": 0.5, "c": -0.5})


def test_boundary_factor_divides_out_pue():
    assert reconcile.boundary_factor(0.24, 0.10, 1.09) == pytest.approx(0.24 / 0.10 / 1.09)
    assert reconcile.boundary_factor(0.3, 0.1) == pytest.approx(3.0)
    with raises_naming("accelerators_only_wh"):
        reconcile.boundary_factor(0.24, 0.0)
    with raises_naming("pue"):
        reconcile.boundary_factor(0.24, 0.10, 0.9)


# --- properties ---------------------------------------------------------------------------


@given(scenario(), scenario())
def test_factor_ratios_multiply_to_the_ratio_of_the_estimates(low, high):
    ratios = reconcile.factor_ratios(low, high)
    total = reconcile.per_query_energy_wh(**high) / reconcile.per_query_energy_wh(**low)
    assert math.prod(ratios.values()) == pytest.approx(total, rel=1e-9)


@given(scenario())
def test_a_scenario_against_itself_has_all_ratios_one(s):
    assert all(v == pytest.approx(1.0) for v in reconcile.factor_ratios(s, s).values())


@given(scenario(), scenario())
def test_log_shares_sum_to_one(low, high):
    ratios = reconcile.factor_ratios(low, high)
    if abs(math.log(math.prod(ratios.values()))) < 1e-6:
        return
    assert sum(reconcile.log_shares(ratios).values()) == pytest.approx(1.0)


@given(share, fraction)
def test_utilization_factor_is_at_least_one_and_falls_with_utilization(u, f):
    here = utilization_factor(u, f)
    assert here >= 1.0 - 1e-12
    assert utilization_factor(min(1.0, u * 1.5), f) <= here + 1e-12
    low = {"output_tokens": 1.0, "energy_per_token_j": 1.0}
    high = {**low, "utilization": u, "idle_power_fraction": f}
    assert reconcile.factor_ratios(low, high)["utilization"] == pytest.approx(here)


@given(scenario(), at_least_one)
def test_energy_scales_linearly_with_tokens_boundary_and_pue(s, k):
    base = reconcile.per_query_energy_wh(**s)
    for key in ("output_tokens", "boundary_factor", "pue"):
        assert reconcile.per_query_energy_wh(**{**s, key: s[key] * k}) == pytest.approx(base * k)


def test_arrays_broadcast():
    out = reconcile.per_query_energy_wh(np.array([300, 600]), 0.5, pue=np.array([1.0, 1.5]))
    assert out.shape == (2,)
    assert out[1] == pytest.approx(out[0] * 3)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0])
def test_bad_input_names_the_parameter(bad):
    with pytest.raises(ValueError, match="output_tokens"):
        reconcile.per_query_energy_wh(bad, 1.0)
    with pytest.raises(ValueError, match="energy_per_token_j"):
        reconcile.per_query_energy_wh(100, bad)


def test_out_of_range_inputs_are_rejected():
    with raises_naming("utilization"):
        reconcile.per_query_energy_wh(100, 1.0, utilization=0.0, idle_power_fraction=0.1)
    with raises_naming("utilization"):
        reconcile.per_query_energy_wh(100, 1.0, utilization=1.5, idle_power_fraction=0.1)
    with pytest.raises(ValueError):
        reconcile.per_query_energy_wh(100, 1.0, utilization=0.5, idle_power_fraction=1.2)
    with raises_naming("pue"):
        reconcile.per_query_energy_wh(100, 1.0, pue=0.9)
    with raises_naming("boundary_factor"):
        reconcile.per_query_energy_wh(100, 1.0, boundary_factor=0.5)


@pytest.mark.parametrize("bad", [1.2, -0.1])
def test_bad_idle_power_fraction_is_named(bad):
    with raises_naming("idle_power_fraction"):
        reconcile.per_query_energy_wh(100, 1.0, utilization=0.5, idle_power_fraction=bad)


def test_factor_ratios_and_log_shares_errors():
    ok = {"output_tokens": 1.0, "energy_per_token_j": 1.0}
    with pytest.raises(ValueError, match="missing"):
        reconcile.factor_ratios({"output_tokens": 1.0}, ok)
    with pytest.raises(ValueError, match="unknown"):
        reconcile.factor_ratios({**ok, "batch": 8}, ok)
    with pytest.raises(ValueError, match="output_tokens"):
        reconcile.factor_ratios({**ok, "output_tokens": 0.0}, ok)
    with pytest.raises(ValueError, match="no spread"):
        reconcile.log_shares({"a": 2.0, "b": 0.5})
    with pytest.raises(ValueError, match="empty"):
        reconcile.log_shares({})
    with pytest.raises(ValueError, match="ratios"):
        reconcile.log_shares({"a": 0.0})


# --- the chapter's reconciliation chart data (presentation layer, helpers.views.ch06) ---------


def test_reconciliation_frame_walks_from_the_low_to_the_high_estimate():
    from helpers.views import ch06 as view

    low = {"output_tokens": 300, "energy_per_token_j": 0.2}
    high = {
        "output_tokens": 1500,
        "energy_per_token_j": 0.6,
        "utilization": 0.1,
        "idle_power_fraction": 0.15,
        "boundary_factor": 2.0,
        "pue": 1.5,
    }
    frame = view.reconciliation_frame(low, high)
    assert frame["start"].iloc[0] == pytest.approx(reconcile.per_query_energy_wh(**low))
    assert frame["end"].iloc[-1] == pytest.approx(reconcile.per_query_energy_wh(**high))
    steps = frame[frame.kind == "factor"]
    assert len(steps) == len(reconcile.FACTORS)
    # each step starts where the previous one ended, and multiplies by its ratio
    assert np.allclose(steps["start"].iloc[1:].to_numpy(), steps["end"].iloc[:-1].to_numpy())
    assert np.allclose(steps["end"] / steps["start"], steps["ratio"])


# --- EcoLogits, a peer tool's method (docs/methodology/llm_inference.md at commit af96c0f) ------


def by_hand_wh(tokens, active, total, pue, batch=64.0):
    """The methodology's equations written out with its published numbers, independently of
    helpers.reconcile and of data/: α = 6.47e-6, β = -2.60e-3, γ = 1.04e-5 (energy fit), 6.78e-4,
    3.12e-4, 1.94e-2 (latency fit), 1 kW per 8-GPU server, memory overhead 1.2, 4 bits, 80 GB."""
    per_token_wh = 6.47e-6 * math.exp(-2.60e-3 * batch) * active + 1.04e-5
    gpus = math.ceil(1.2 * total * 4 / 8 / 80)
    latency_s = tokens * (6.78e-4 * active + 3.12e-4 * batch + 1.94e-2)
    server_wh = latency_s * 1000 * gpus / 8 / batch / 3600
    return pue * (gpus * tokens * per_token_wh + server_wh)


def test_the_tables_hold_the_published_coefficients():
    m = reconcile.ecologits_method()
    assert m.energy_alpha_wh == pytest.approx(6.47e-6)
    assert m.energy_beta == pytest.approx(-2.60e-3)
    assert m.energy_gamma_wh == pytest.approx(1.04e-5)
    assert (m.latency_alpha_s, m.latency_beta_s, m.latency_gamma_s) == pytest.approx(
        (6.78e-4, 3.12e-4, 1.94e-2)
    )
    assert (m.batch_size, m.server_power_w, m.gpus_per_server) == (64, 1000, 8)
    assert (m.memory_overhead, m.weight_bits, m.gpu_memory_gb) == (1.2, 4, 80)


def test_gpt4o_at_epochs_500_tokens_both_ends_of_the_active_range():
    """GPT-4o as EcoLogits sizes it (440B, 55-220B active, PUE 1.2 for OpenAI), 500 tokens."""
    from helpers import data

    value = data.load("per_query_assumptions")["value"]
    total, pue = value["ecologits-gpt4o-total-params"], value["ecologits-pue-openai"]
    tokens = value["epoch-output"]
    ends = [value["ecologits-gpt4o-active-low"], value["ecologits-gpt4o-active-high"]]
    assert (tokens, total, pue, *ends) == (500, 440, 1.2, 55, 220)
    low, high = (reconcile.ecologits_request(tokens, p, total, pue) for p in ends)
    assert low.gpu_count == high.gpu_count == 4  # ceil(1.2 × 440 × 4 / 8 / 80) = ceil(3.3)
    assert low.latency_s == pytest.approx(38.329)
    assert low.energy_wh == pytest.approx(0.8479, rel=1e-4)
    assert high.energy_wh == pytest.approx(3.1629, rel=1e-4)
    for p, r in zip(ends, (low, high), strict=True):
        assert r.energy_wh == pytest.approx(by_hand_wh(500, p, 440, 1.2), rel=1e-12)
        assert r.energy_wh == pytest.approx(pue * (r.gpu_energy_wh + r.server_energy_wh))
    # against Epoch AI's 0.3 Wh for the same 500 tokens
    epoch = data.value("inference_estimates", "epoch-gpt4o-2025", "energy_wh")
    assert low.energy_wh / epoch == pytest.approx(2.826, rel=1e-3)
    assert high.energy_wh / epoch == pytest.approx(10.54, rel=1e-3)
    both = reconcile.ecologits_request_energy_wh(tokens, np.array(ends), total, pue)
    assert both == pytest.approx([low.energy_wh, high.energy_wh])


def test_gpu_count_rounds_up_but_not_for_a_rounding_error():
    fills_five = 5 * 80 * 8 / (1.2 * 4)  # 666.67B: 1.2 × P × 4/8 is 400 GB, 5.000000000000001 GPUs
    sizes = (70, 133.3, 400, 400.1, fills_five, 1760)
    count = [reconcile.ecologits_request(100, p, p).gpu_count for p in sizes]
    # 1.2 × P × 4/8 GB: 42 -> 1 GPU, 79.98 -> 1, exactly 240 -> 3, 240.06 -> 4, 400 -> 5,
    # 1056 -> 14
    assert count == [1, 1, 3, 4, 5, 14]


def test_a_measured_request_time_caps_the_generation_time():
    free = reconcile.ecologits_request(500, 55, 440, 1.2)
    capped = reconcile.ecologits_request(500, 55, 440, 1.2, request_latency_s=10.0)
    assert capped.latency_s == 10.0
    assert capped.server_energy_wh == pytest.approx(free.server_energy_wh * 10.0 / free.latency_s)
    assert capped.gpu_energy_wh == free.gpu_energy_wh  # the GPU energy is per token
    long = reconcile.ecologits_request(500, 55, 440, 1.2, request_latency_s=1e4)
    assert long == free
    with raises_naming("request_latency_s"):
        reconcile.ecologits_request(500, 55, 440, request_latency_s=0.0)


@given(
    floats(min_value=1.0, max_value=1e5),
    floats(min_value=0.1, max_value=2000.0),
    floats(min_value=0.0, max_value=1.0),
    at_least_one,
)
def test_ecologits_is_linear_in_tokens_and_pue_and_grows_with_active_params(n, total, x, pue):
    active = max(total * x, 1e-3 * total)
    e = reconcile.ecologits_request_energy_wh(n, active, total, pue)
    assert e == pytest.approx(by_hand_wh(n, active, total, pue), rel=1e-9)
    assert reconcile.ecologits_request_energy_wh(2 * n, active, total, pue) == pytest.approx(2 * e)
    assert reconcile.ecologits_request_energy_wh(n, active, total, 1.0) == pytest.approx(e / pue)
    assert reconcile.ecologits_request_energy_wh(n, active / 2, total, pue) < e


def test_a_bigger_batch_costs_less_per_request():
    m = reconcile.ecologits_method()
    energies = [
        reconcile.ecologits_request_energy_wh(500, 55, 440, method=m._replace(batch_size=b))
        for b in (8, 64, 256)
    ]
    assert energies == sorted(energies, reverse=True)
    assert by_hand_wh(500, 55, 440, 1.0, batch=8) == pytest.approx(energies[0], rel=1e-12)


def test_ecologits_as_the_five_factors():
    s = reconcile.ecologits_scenario(500, 55, 440, 1.2)
    r = reconcile.ecologits_request(500, 55, 440, 1.2)
    assert reconcile.per_query_energy_wh(**s) == pytest.approx(r.energy_wh)
    assert s["boundary_factor"] == pytest.approx(1 + r.server_energy_wh / r.gpu_energy_wh)
    assert s["boundary_factor"] == pytest.approx(1.1334, rel=1e-4)
    assert s["energy_per_token_j"] == pytest.approx(r.gpu_energy_wh * 3600 / 500)
    # lined up with Epoch AI's 0.3 Wh (500 tokens, PUE 1.2): only the energy per token and the
    # boundary differ, and they multiply to the whole gap
    epoch = {"output_tokens": 500, "energy_per_token_j": 0.3 * 3600 / 500 / 1.2, "pue": 1.2}
    ratios = reconcile.factor_ratios(epoch, s)
    assert ratios["tokens"] == ratios["utilization"] == ratios["pue"] == pytest.approx(1.0)
    assert ratios["batch"] == pytest.approx(2.4936, rel=1e-4)
    assert math.prod(ratios.values()) == pytest.approx(r.energy_wh / 0.3)


def test_ecologits_bad_input_is_named():
    with pytest.raises(ValueError, match=r"active_params_b must be ≤ total_params_b"):
        reconcile.ecologits_request(500, 220, 55)
    with raises_naming("active_params_b"):
        reconcile.ecologits_request(500, 0.0, 440)
    with raises_naming("total_params_b"):
        reconcile.ecologits_request_energy_wh(500, 55, -1.0)
    with raises_naming("pue"):
        reconcile.ecologits_request_energy_wh(500, 55, 440, 0.9)
    with raises_naming("output_tokens"):
        reconcile.ecologits_scenario(0.0, 55, 440)
    with pytest.raises(TypeError, match="method must be an EcoLogitsMethod"):
        reconcile.ecologits_request(500, 55, 440, method={"batch_size": 64})
    bad = reconcile.ecologits_method()._replace(batch_size=0.0)
    with pytest.raises(ValueError, match=r"method\.batch_size"):
        reconcile.ecologits_request(500, 55, 440, method=bad)
    with pytest.raises(ValueError, match=r"method\.energy_alpha_wh"):
        reconcile.ecologits_request(500, 55, 440, method=bad._replace(energy_alpha_wh=-1.0))
