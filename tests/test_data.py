"""data/: every table matches its schema (checked twice: by frictionless, the reference
implementation of Table Schema, and by helpers.data, which notebooks use), and every row cites a
source that exists."""

import json
import shutil
from pathlib import Path

import frictionless
import pytest

from helpers import data

DATA_DIR = data.default_folder()
PACKAGE = json.loads((DATA_DIR / "datapackage.json").read_text())
NAMES = [r["name"] for r in PACKAGE["resources"]]


def test_package_is_valid_per_frictionless():
    report = frictionless.Package(str(DATA_DIR / "datapackage.json")).validate()
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "message"])


def test_every_csv_in_data_is_declared():
    declared = {r["path"] for r in PACKAGE["resources"]}
    on_disk = {p.name for p in DATA_DIR.glob("*.csv")}
    assert on_disk == declared


@pytest.mark.parametrize("name", NAMES)
def test_table_loads_and_cites_existing_sources(name):
    df = data.load(name)
    assert len(df) > 0
    if name == "sources":
        return
    assert "source_id" in df.columns
    assert set(df["source_id"]) <= set(data.load("sources")["id"])
    fks = [fk["fields"] for fk in data.schema(name)["schema"].get("foreignKeys", [])]
    assert "source_id" in fks, f"{name}: source_id must be a declared foreign key"


HOW_KNOWN = ["primary", "secondary", "arithmetic", "unchecked"]
EVIDENCE = ["peer-reviewed", "measurement", "company disclosure", "model estimate", "blog or press"]


@pytest.mark.parametrize("name", [n for n in NAMES if n != "sources"])
def test_rows_carry_provenance_and_locator(name):
    df = data.load(name)
    assert "status" not in df.columns
    assert df["how_known"].isin(HOW_KNOWN).all()
    assert df["evidence"].isin(EVIDENCE).all()
    assert df["locator"].notna().all()


@pytest.mark.parametrize("name", NAMES)
def test_provenance_enums_are_the_same_in_every_schema(name):
    fields = {f["name"]: f for f in data.schema(name)["schema"]["fields"]}
    assert fields["evidence"]["constraints"]["enum"] == EVIDENCE
    assert fields["evidence"]["constraints"]["required"]
    if name != "sources":
        assert fields["how_known"]["constraints"]["enum"] == HOW_KNOWN
        assert fields["how_known"]["constraints"]["required"]
        order = list(fields)
        assert order.index("evidence") == order.index("how_known") + 1


def test_sources_carry_a_default_evidence_kind():
    assert data.load("sources")["evidence"].isin(EVIDENCE).all()


@pytest.mark.parametrize("name", NAMES)
def test_numeric_fields_declare_units(name):
    for f in data.schema(name)["schema"]["fields"]:
        if f["type"] in ("number", "integer"):
            assert f.get("unit"), f"{name}.{f['name']} has no unit"
            assert f.get("description"), f"{name}.{f['name']} has no description"


def test_every_source_is_cited_somewhere():
    cited = set()
    for name in NAMES:
        if name != "sources":
            cited |= set(data.load(name)["source_id"])
    unused = set(data.load("sources")["id"]) - cited
    assert not unused, f"sources never cited by a table: {sorted(unused)}"


def test_the_tables_are_read_from_data_in_a_checkout():
    assert DATA_DIR == Path(__file__).resolve().parent.parent / "data"


def test_load_returns_a_copy():
    df = data.load("gpus")
    df.loc["h100-sxm", "tdp_w"] = -1
    assert data.value("gpus", "h100-sxm", "tdp_w") == 700


def test_value_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match="row_id"):
        data.value("gpus", "no-such-gpu", "tdp_w")
    with pytest.raises(ValueError, match="column"):
        data.value("gpus", "h100-sxm", "no_such_column")
    with pytest.raises(ValueError, match="name must be one of"):
        data.load("no_such_table")
    with pytest.raises(ValueError, match="empty"):
        data.value("training_runs", "deepseek-v3", "gpu_power_w")


@pytest.fixture
def broken_copy(tmp_path):
    """A copy of data/ that a test may break; read it with ``folder=``."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _replace(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            ",3350,989,1979,700,primary,company disclosure,nvidia-h100",
            ",3350,989,1979,-700,primary,company disclosure,nvidia-h100",
            "below minimum",
        ),
        (
            ",3350,989,1979,700,primary,company disclosure,nvidia-h100",
            ",3350,989,1979,700,primary,company disclosure,no-such-source",
            "not found in sources",
        ),
        (
            ",3350,989,1979,700,primary,company disclosure,nvidia-h100",
            ",3350,989,1979,700,certain,company disclosure,nvidia-h100",
            "not in",
        ),
        (
            ",3350,989,1979,700,primary,company disclosure,nvidia-h100",
            ",3350,lots,1979,700,primary,company disclosure,nvidia-h100",
            "not of type number",
        ),
        ("h200-sxm,NVIDIA H200 SXM", "h100-sxm,NVIDIA H200 SXM", "duplicate"),
    ],
)
def test_broken_tables_are_rejected_by_both_validators(broken_copy, old, new, message):
    _replace(broken_copy / "gpus.csv", old, new)
    with pytest.raises(data.DataError, match=message):
        data.load("gpus", folder=broken_copy)
    assert not frictionless.Package(str(broken_copy / "datapackage.json")).validate().valid


def test_seed_claims_quote_the_seed_and_quotes_are_short():
    claims = data.load("claims")
    from_seeds = claims[claims["source_id"].str.startswith("seed-")]
    assert from_seeds["quote"].notna().all(), list(from_seeds.index[from_seeds["quote"].isna()])
    for row_id, quote in claims["quote"].dropna().items():
        assert len(quote.split()) <= 40, f"{row_id}: quote longer than 40 words"
