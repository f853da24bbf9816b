"""helpers.claims: claimed vs recomputed, and the claims ledger (chapter 06). Why per-query
estimates differ (the reconciliation) is tests/test_reconcile.py."""

import numpy as np
import pytest

from helpers import claims, data, lifecycle

# --- worked values -----------------------------------------------------------------------


def test_llama3_70b_claim_is_a_fifth_of_the_model_card():
    run = data.load("training_runs").loc["llama-3-70b"]
    mwh = lifecycle.training_energy_mwh(run.gpu_hours, run.gpu_power_w)
    assert mwh == pytest.approx(4_480)
    c = data.load("claims").loc["seed-004-llama3-70b-training"]
    central = claims.claimed_central(c.value, c.value_low, c.value_high)
    assert central == pytest.approx(950)
    assert claims.claim_ratio(central, mwh) == pytest.approx(950 / 4_480)


def test_claimed_central_prefers_the_value_then_the_range():
    assert claims.claimed_central(2.0, 1.0, 3.0) == 2.0
    assert claims.claimed_central(float("nan"), 1.0, 3.0) == 2.0
    assert claims.claimed_central(None, None, 30.0) == 30.0
    assert claims.claimed_central(np.nan, 20.0, np.nan) == 20.0


def test_percent_more():
    assert claims.percent_more(1.87) == pytest.approx(87)
    assert claims.percent_more(0.5) == pytest.approx(-50)


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -1.0])
def test_bad_input_names_the_parameter(bad):
    with pytest.raises(ValueError, match="recomputed"):
        claims.claim_ratio(1.0, bad)
    with pytest.raises(ValueError, match="ratio"):
        claims.percent_more(bad)


def test_out_of_range_inputs_are_rejected():
    with pytest.raises(ValueError, match="recomputed"):
        claims.claim_ratio(1.0, 0.0)


def test_claimed_central_errors():
    with pytest.raises(ValueError, match="must be given"):
        claims.claimed_central(None, None, None)
    with pytest.raises(ValueError, match="value_low must be ≤ value_high"):
        claims.claimed_central(None, 5.0, 1.0)
    with pytest.raises(ValueError, match="value_low"):
        claims.claimed_central(None, -1.0, 1.0)


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

    from helpers.views import ch06 as view

    with contextlib.redirect_stdout(io.StringIO()):
        box = view.claims_ledger()
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
    from helpers.ui.tables import Table

    for name, control in box.control_widgets.items():
        for _, value in control.options:
            shown = draw(**{**{k: "all" for k in box.control_widgets}, name: value})
            assert isinstance(shown, Table) or "No claim" in shown.value, (name, value)


def test_the_ledger_shows_the_quote_and_the_kind_of_evidence():
    from helpers.views import ch06 as view

    ledger = view.ledger_frame()
    shown = view.claims_ledger().draw_function(verdict="all", chapter="all", made_by="seed text")
    assert list(shown.data.columns) == view.LEDGER_COLUMNS
    assert {"quote", "how_known", "evidence"} <= set(shown.data.columns)
    assert "verdict" in shown.data.columns and "status" not in ledger.columns
    # every seed claim has its verbatim quote beside it, shortened at a word
    seed = ledger[ledger.made_by == "seed text"]
    assert seed["quote"].notna().all()
    for claim_id, quote in shown.data["quote"].items():
        full = " ".join(seed.loc[claim_id, "quote"].split())
        assert quote == full or (quote.endswith(" …") and full.startswith(quote[:-2]))
        assert len(quote) <= view.QUOTE_CHARACTERS + 2
    # a dollar sign is kept but isolated, so JupyterLab does not typeset a pair as mathematics
    html = shown._repr_html_()
    assert "spent just <span>$</span>6 million" in html
    assert html.count("$") == html.count("<span>$</span>")


def test_short_quote():
    from helpers.views.ch06 import short_quote

    assert short_quote("A short one.") == "A short one."
    assert short_quote("one two three four", limit=9) == "one two …"
    assert short_quote("one two, three", limit=10) == "one two …"
    assert short_quote(float("nan")) == "" and short_quote(None) == ""


def test_ledger_counts_as_the_chapter_reads_them():
    """Chapter 06's crosstab and its takeaway ('most of the seed texts' claims are supported or
    partly supported'), pinned: a change in data/claims.csv shows here and in the notebook."""
    from helpers.views import ch06 as view

    ledger = view.ledger_frame()
    counts = ledger.groupby(["made_by", "verdict"]).size().to_dict()
    assert counts == {
        ("research source", "partly supported"): 1,
        ("research source", "supported"): 9,
        ("seed text", "partly supported"): 8,
        ("seed text", "supported"): 8,
        ("seed text", "unsupported"): 5,
        ("seed text", "unverifiable"): 4,
        ("seed text", "wrong"): 3,
    }
    seed = ledger[ledger.made_by == "seed text"]
    assert seed.verdict.isin(["supported", "partly supported"]).mean() > 0.5
    assert ledger.loc["seed-002-12600j", "verdict"] == "unsupported"
    assert ledger.loc["seed-002-12600j", "how_known"] == "arithmetic"


def test_the_seed_per_query_range_against_google():
    """Chapter 06 prints it (no longer typed as 'five to twelve'): 1-3 Wh ÷ 0.24 Wh."""
    from helpers.units import convert_energy

    c = data.load("claims").loc["seed-004-per-query"]
    google = data.value("inference_estimates", "gemini-median-2025", "energy_wh")
    low, high = claims.claim_ratio(
        convert_energy(np.array([c.value_low, c.value_high]), c.unit, "Wh"), google
    )
    assert (round(low, 1), round(high, 1)) == (4.2, 12.5)
