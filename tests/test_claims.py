"""helpers.claims: claimed vs recomputed, the per-query reconciliation, and the claims ledger."""

import math

import numpy as np
import pytest
from conftest import raises_naming
from hypothesis import given
from hypothesis import strategies as st

from helpers import capex, claims, data, lifecycle

positive = st.floats(min_value=1e-3, max_value=1e4, allow_nan=False, allow_infinity=False)
share = st.floats(min_value=1e-3, max_value=1.0)
fraction = st.floats(min_value=0.0, max_value=1.0)
at_least_one = st.floats(min_value=1.0, max_value=5.0)


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


# --- worked values -----------------------------------------------------------------------


def test_llama3_70b_claim_is_a_fifth_of_the_model_card():
    run = data.load("training_runs").loc["llama-3-70b"]
    mwh = lifecycle.training_energy_mwh(run.gpu_hours, run.gpu_power_w)
    assert mwh == pytest.approx(4_480)
    c = data.load("claims").loc["seed-004-llama3-70b-training"]
    central = claims.claimed_central(c.value, c.value_low, c.value_high)
    assert central == pytest.approx(950)
    assert claims.claim_ratio(central, mwh) == pytest.approx(950 / 4_480)


def test_mlenergy_chat_response_is_0_051_wh():
    assert claims.per_query_energy_wh(717, 184 / 717) == pytest.approx(184 / 3600)


def test_utilization_overhead_matches_capex_and_fleet():
    # 10 % busy, idle at 100 of 700 W: (100 + 0.1 × 600) / 0.1 / 700
    assert claims.utilization_overhead(0.1, 100 / 700) == pytest.approx(160 / 0.1 / 700)
    assert claims.utilization_overhead(1.0, 0.3) == pytest.approx(1.0)
    assert claims.utilization_overhead(0.25, 0.0) == pytest.approx(1.0)
    p = capex.average_power_w(700, 100, 0.3) / 0.3 / 700
    assert claims.utilization_overhead(0.3, 100 / 700) == pytest.approx(p)


def test_claimed_central_prefers_the_value_then_the_range():
    assert claims.claimed_central(2.0, 1.0, 3.0) == 2.0
    assert claims.claimed_central(float("nan"), 1.0, 3.0) == 2.0
    assert claims.claimed_central(None, None, 30.0) == 30.0
    assert claims.claimed_central(np.nan, 20.0, np.nan) == 20.0


def test_percent_more():
    assert claims.percent_more(1.87) == pytest.approx(87)
    assert claims.percent_more(0.5) == pytest.approx(-50)


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
    r = claims.factor_ratios(low, high)
    assert list(r) == list(claims.FACTORS)
    assert r["tokens"] == pytest.approx(5)
    assert r["batch"] == pytest.approx(4)
    assert r["utilization"] == pytest.approx(160 / 0.1 / 700)
    assert r["boundary"] == pytest.approx(2.2)
    assert r["pue"] == pytest.approx(1.5)


def test_log_shares_worked_example():
    s = claims.log_shares({"a": 4.0, "b": 2.0, "c": 0.5})
    assert s == pytest.approx({"a": 1.0, "b": 0.5, "c": -0.5})


# --- properties ---------------------------------------------------------------------------


@given(scenario(), scenario())
def test_factor_ratios_multiply_to_the_ratio_of_the_estimates(low, high):
    ratios = claims.factor_ratios(low, high)
    total = claims.per_query_energy_wh(**high) / claims.per_query_energy_wh(**low)
    assert math.prod(ratios.values()) == pytest.approx(total, rel=1e-9)


@given(scenario())
def test_a_scenario_against_itself_has_all_ratios_one(s):
    assert all(v == pytest.approx(1.0) for v in claims.factor_ratios(s, s).values())


@given(scenario(), scenario())
def test_log_shares_sum_to_one(low, high):
    ratios = claims.factor_ratios(low, high)
    if abs(math.log(math.prod(ratios.values()))) < 1e-6:
        return
    assert sum(claims.log_shares(ratios).values()) == pytest.approx(1.0)


@given(share, fraction)
def test_utilization_overhead_is_at_least_one_and_falls_with_utilization(u, f):
    here = claims.utilization_overhead(u, f)
    assert here >= 1.0 - 1e-12
    assert claims.utilization_overhead(min(1.0, u * 1.5), f) <= here + 1e-12


@given(scenario(), at_least_one)
def test_energy_scales_linearly_with_tokens_boundary_and_pue(s, k):
    base = claims.per_query_energy_wh(**s)
    for key in ("output_tokens", "boundary_factor", "pue"):
        assert claims.per_query_energy_wh(**{**s, key: s[key] * k}) == pytest.approx(base * k)


def test_arrays_broadcast():
    out = claims.per_query_energy_wh(np.array([300, 600]), 0.5, pue=np.array([1.0, 1.5]))
    assert out.shape == (2,)
    assert out[1] == pytest.approx(out[0] * 3)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0])
def test_bad_input_names_the_parameter(bad):
    with pytest.raises(ValueError, match="output_tokens"):
        claims.per_query_energy_wh(bad, 1.0)
    with pytest.raises(ValueError, match="energy_per_token_j"):
        claims.per_query_energy_wh(100, bad)
    with pytest.raises(ValueError, match="recomputed"):
        claims.claim_ratio(1.0, bad)
    with pytest.raises(ValueError, match="ratio"):
        claims.percent_more(bad)


def test_out_of_range_inputs_are_rejected():
    with pytest.raises(ValueError, match="utilization"):
        claims.utilization_overhead(0.0, 0.1)
    with pytest.raises(ValueError, match="utilization"):
        claims.utilization_overhead(1.5, 0.1)
    with pytest.raises(ValueError, match="idle_power_fraction"):
        claims.utilization_overhead(0.5, 1.2)
    with pytest.raises(ValueError, match="pue"):
        claims.per_query_energy_wh(100, 1.0, pue=0.9)
    with pytest.raises(ValueError, match="boundary_factor"):
        claims.per_query_energy_wh(100, 1.0, boundary_factor=0.5)
    with pytest.raises(ValueError, match="recomputed"):
        claims.claim_ratio(1.0, 0.0)


def test_claimed_central_errors():
    with pytest.raises(ValueError, match="must be given"):
        claims.claimed_central(None, None, None)
    with pytest.raises(ValueError, match="value_low must be ≤ value_high"):
        claims.claimed_central(None, 5.0, 1.0)
    with pytest.raises(ValueError, match="value_low"):
        claims.claimed_central(None, -1.0, 1.0)


def test_factor_ratios_and_log_shares_errors():
    ok = {"output_tokens": 1.0, "energy_per_token_j": 1.0}
    with pytest.raises(ValueError, match="missing"):
        claims.factor_ratios({"output_tokens": 1.0}, ok)
    with pytest.raises(ValueError, match="unknown"):
        claims.factor_ratios({**ok, "batch": 8}, ok)
    with pytest.raises(ValueError, match="output_tokens"):
        claims.factor_ratios({**ok, "output_tokens": 0.0}, ok)
    with pytest.raises(ValueError, match="no spread"):
        claims.log_shares({"a": 2.0, "b": 0.5})
    with pytest.raises(ValueError, match="empty"):
        claims.log_shares({})
    with pytest.raises(ValueError, match="ratios"):
        claims.log_shares({"a": 0.0})


# --- the ledger ---------------------------------------------------------------------------


def test_ledger_has_the_issue_examples_and_every_verdict_is_known():
    ledger = data.load("claims")
    assert len(ledger) >= 15
    assert set(ledger.verdict) <= set(claims.VERDICTS)
    for row_id in [
        "seed-000-deepseek-6m",
        "seed-004-deepseek-gqa",
        "seed-000-87pct",
        "seed-002-17800j",
        "seed-004-llama3-70b-training",
        "seed-004-per-query",
        "seed-004-int8-saving",
        "seed-003-berlin-sunshine",
        "seed-002-dynamic-modules",
    ]:
        assert row_id in ledger.index
    assert ledger.loc["seed-004-deepseek-gqa", "verdict"] == "wrong"
    assert ledger.loc["seed-002-dynamic-modules", "verdict"] == "wrong"
    assert ledger.loc["seed-002-17800j", "verdict"] == "unverifiable"
    assert set(ledger.primary_source_id) <= set(data.load("sources").index)


def test_ledger_widget_filters_without_a_browser():
    import contextlib
    import io

    import ipywidgets as w

    from helpers import widgets

    with contextlib.redirect_stdout(io.StringIO()):
        box = widgets.claims_ledger()
    assert not isinstance(box, w.VBox)  # not an explorer: no slider for the browser test to move
    draw = box.draw_function
    everything = draw(verdict="all", chapter="all", made_by="all").data
    assert len(everything) == len(data.load("claims"))
    wrong = draw(verdict="wrong", chapter="all", made_by="all").data
    assert set(wrong["verdict"]) == {"wrong"}
    assert len(wrong) == (data.load("claims").verdict == "wrong").sum()
    seed_ch6 = draw(verdict="all", chapter=6, made_by="seed text").data
    assert len(seed_ch6) > 0 and set(seed_ch6.index) <= set(
        data.load("claims").query("chapter == 6").index
    )
    nothing = draw(verdict="wrong", chapter=6, made_by="research source")
    assert isinstance(nothing, w.HTML) and "No claim" in nothing.value
    from helpers import charts

    for name, control in box.control_widgets.items():
        for _, value in control.options:
            shown = draw(**{**{k: "all" for k in box.control_widgets}, name: value})
            assert isinstance(shown, charts.Table) or "No claim" in shown.value, (name, value)


def test_reconciliation_frame_walks_from_the_low_to_the_high_estimate():
    from helpers import widgets

    low = {"output_tokens": 300, "energy_per_token_j": 0.2}
    high = {
        "output_tokens": 1500,
        "energy_per_token_j": 0.6,
        "utilization": 0.1,
        "idle_power_fraction": 0.15,
        "boundary_factor": 2.0,
        "pue": 1.5,
    }
    frame = widgets.reconciliation_frame(low, high)
    assert frame["start"].iloc[0] == pytest.approx(claims.per_query_energy_wh(**low))
    assert frame["end"].iloc[-1] == pytest.approx(claims.per_query_energy_wh(**high))
    steps = frame[frame.kind == "factor"]
    assert len(steps) == len(claims.FACTORS)
    # each step starts where the previous one ended, and multiplies by its ratio
    assert np.allclose(steps["start"].iloc[1:].to_numpy(), steps["end"].iloc[:-1].to_numpy())
    assert np.allclose(steps["end"] / steps["start"], steps["ratio"])


def test_boundary_factor_divides_out_pue():
    assert claims.boundary_factor(0.24, 0.10, 1.09) == pytest.approx(0.24 / 0.10 / 1.09)
    assert claims.boundary_factor(0.3, 0.1) == pytest.approx(3.0)
    with raises_naming("accelerators_only_wh"):
        claims.boundary_factor(0.24, 0.0)
    with raises_naming("pue"):
        claims.boundary_factor(0.24, 0.10, 0.9)
