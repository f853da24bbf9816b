"""data/: every table matches its schema (checked twice: by frictionless, the reference
implementation of Table Schema, and by helpers.data, which notebooks use), and every row cites a
source that exists."""

import csv
import doctest
import json
import pickle
import re
import shutil
from pathlib import Path

import frictionless
import pandas as pd
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


H100_ROW = ",3350,989,1979,700,primary,company disclosure,nvidia-h100"


@pytest.mark.parametrize(
    ("new", "column", "message"),
    [
        (
            ",3350,989,1979,-700,primary,company disclosure,nvidia-h100",
            "tdp_w",
            "below the minimum",
        ),
        (
            ",3350,989,1979,7000,primary,company disclosure,nvidia-h100",
            "tdp_w",
            "above the maximum",
        ),
        (",3350,989,1979,Infinity,primary,company disclosure,nvidia-h100", "tdp_w", "not a finite"),
        (",3350,989,1979,1e400,primary,company disclosure,nvidia-h100", "tdp_w", "too large"),
        (",3350,989,1979,700,primary,company disclosure,no-such-source", "source_id", "matches no"),
        (
            ",3350,989,1979,700,certain,company disclosure,nvidia-h100",
            "how_known",
            "not an allowed",
        ),
        (
            ",3350,lots,1979,700,primary,company disclosure,nvidia-h100",
            "peak_16bit_tflops_dense",
            "not a number",
        ),
    ],
)
def test_broken_tables_are_rejected_by_both_validators(broken_copy, new, column, message):
    _replace(broken_copy / "gpus.csv", H100_ROW, new)
    with pytest.raises(data.DataError, match=message) as info:
        data.load("gpus", folder=broken_copy)
    err = info.value
    assert (err.path.name, err.line, err.column) == ("gpus.csv", 3, column)
    assert str(err).startswith(f"data/gpus.csv, line 3, column {column}: ")
    assert not frictionless.Package(str(broken_copy / "datapackage.json")).validate().valid


def test_a_duplicate_id_names_both_lines(broken_copy):
    _replace(broken_copy / "gpus.csv", "h200-sxm,NVIDIA H200 SXM", "h100-sxm,NVIDIA H200 SXM")
    with pytest.raises(data.DataError, match="already used on line 3") as info:
        data.load("gpus", folder=broken_copy)
    assert (info.value.line, info.value.column) == (5, "id")
    assert not frictionless.Package(str(broken_copy / "datapackage.json")).validate().valid


# ---------------------------------------------------------------- plausible ranges (issue 17)

NUMERIC = [
    (name, f)
    for name in NAMES
    for f in data.schema(name)["schema"]["fields"]
    if f["type"] in ("number", "integer")
]


@pytest.mark.parametrize(("name", "field"), NUMERIC, ids=[f"{n}.{f['name']}" for n, f in NUMERIC])
def test_every_numeric_field_declares_a_plausible_range(name, field):
    c = field.get("constraints", {})
    assert "minimum" in c and "maximum" in c, f"{name}.{field['name']}: add minimum and maximum"
    assert c["minimum"] < c["maximum"]
    # every row passes (data.load enforces it), and the range is enforced, not decoration:
    values = data.load(name)[field["name"]].dropna()
    assert ((values >= c["minimum"]) & (values <= c["maximum"])).all()


def test_ranges_catch_what_a_tester_found(broken_copy):
    """The issue's examples: a 7,000 W GPU, a PUE of 15 and a price per kWh in cents."""
    cases = [
        ("gpus", "h100-sxm", "tdp_w", 7000),
        ("pue", "uptime-2023", "pue", 15),
        ("prices", "us-industrial-2023", "price_per_kwh", 8.1),
    ]
    for name, row_id, column, bad in cases:
        folder = broken_copy.parent / f"{name}-copy"
        shutil.copytree(broken_copy, folder)
        path = folder / data.schema(name)["path"]
        header, *rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
        i = next(k for k, r in enumerate(rows) if r[0] == row_id)
        rows[i][header.index(column)] = str(bad)
        with path.open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\n").writerows([header, *rows])
        with pytest.raises(data.DataError, match="above the maximum") as info:
            data.load(name, folder=folder)
        assert (info.value.line, info.value.column) == (i + 2, column)


# ------------------------------------------------------------------ reading files (issue 17)


def test_crlf_line_ends_and_a_byte_order_mark_read_the_same(broken_copy):
    path = broken_copy / "pue.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    pd.testing.assert_frame_equal(data.load("pue", folder=broken_copy), data.load("pue"))


def test_a_quoted_value_may_span_lines_and_later_lines_count_it(broken_copy):
    _replace(broken_copy / "gpus.csv", "TDP 'up to 700 W'.", "\"TDP 'up to 700 W'.\nSecond line.\"")
    spanning = broken_copy.parent / "spanning"
    shutil.copytree(broken_copy, spanning)
    assert data.load("gpus", folder=spanning).loc["h100-sxm", "notes"].endswith("\nSecond line.")
    _replace(broken_copy / "gpus.csv", ",141,4800,", ",141,-4800,")  # h200: record 4, line 6
    with pytest.raises(data.DataError) as info:
        data.load("gpus", folder=broken_copy)
    assert (info.value.line, info.value.column) == (6, "memory_bandwidth_gb_per_s")


def test_a_blank_line_is_named(broken_copy):
    _replace(broken_copy / "gpus.csv", "\nh200-sxm,", "\n\nh200-sxm,")
    with pytest.raises(data.DataError, match="gpus.csv, line 5: the line is blank"):
        data.load("gpus", folder=broken_copy)


def test_a_quote_inside_an_unquoted_value_is_text(broken_copy):
    _replace(broken_copy / "gpus.csv", "TDP 'up to 700 W'.", 'TDP "up to" 700 W.')
    assert data.load("gpus", folder=broken_copy).loc["h100-sxm", "notes"] == 'TDP "up to" 700 W.'


def test_text_after_a_closing_quote_is_named(broken_copy):
    _replace(broken_copy / "gpus.csv", ",NVIDIA H100 SXM,", ',"NVIDIA" H100 SXM,')
    with pytest.raises(data.DataError, match="text follows the closing quote") as info:
        data.load("gpus", folder=broken_copy)
    assert (info.value.line, info.value.column) == (3, "name")


def test_an_unclosed_quote_that_swallows_a_row_is_named_where_it_opens(broken_copy):
    """A quote left open on line 3 and closed by a stray quote at the end of line 4: the csv
    reader sees one two-field row; the error points at the quote, not at the field count."""
    path = broken_copy / "gpus.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[2] = lines[2].replace(",NVIDIA H100 SXM,", ',"NVIDIA H100 SXM,')
    lines[3] += '"'
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(data.DataError, match="runs on to line 4.*closing quote") as info:
        data.load("gpus", folder=broken_copy)
    assert (info.value.line, info.value.column) == (3, "name")


def test_a_whole_number_field_refuses_decimals(broken_copy):
    _replace(broken_copy / "pue.csv", ",1.58,2023,", ",1.58,2023.0,")
    with pytest.raises(data.DataError, match="not a whole number") as info:
        data.load("pue", folder=broken_copy)
    assert info.value.column == "year"


def test_a_broken_referenced_table_is_named_when_loading_another(broken_copy):
    _replace(broken_copy / "sources.csv", "\npatterson-2021,", "\npatterson-2021,,")
    with pytest.raises(data.DataError, match=r"sources\.csv, line 4, column 10") as info:
        data.load("gpus", folder=broken_copy)
    assert info.value.path.name == "sources.csv"


def test_a_missing_table_file_is_named(broken_copy):
    (broken_copy / "pue.csv").unlink()
    with pytest.raises(data.DataError, match="pue.csv: the file is missing"):
        data.load("pue", folder=broken_copy)


def _package_edit(folder, edit):
    path = folder / "datapackage.json"
    package = json.loads(path.read_text(encoding="utf-8"))
    edit({r["name"]: r for r in package["resources"]})
    path.write_text(json.dumps(package, indent=2), encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda r: r["pue"]["schema"]["fields"][2].update(type="float"), "has type 'float'"),
        (
            lambda r: r["pue"]["schema"]["fields"][2]["constraints"].update(maximun=3),
            "'maximun' of pue.pue is not checked",
        ),
        (
            lambda r: r["pue"]["schema"]["fields"][2]["constraints"].update(minimum=4),
            "minimum of pue.pue exceeds its maximum",
        ),
        (lambda r: r["pue"]["schema"].update(primaryKey="key"), "primaryKey of 'pue' names no"),
        (
            lambda r: r["pue"]["schema"]["foreignKeys"][0]["reference"].update(resource="refs"),
            "foreign key pue.source_id refers to no field",
        ),
        (
            lambda r: r["sources"]["schema"].update(
                foreignKeys=[{"fields": "id", "reference": {"resource": "pue", "fields": "id"}}]
            ),
            "foreign keys run in a circle",
        ),
        (lambda r: r["pue"].pop("path"), "resource 'pue' has no usable path"),
    ],
)
def test_a_broken_datapackage_is_named(broken_copy, edit, message):
    _package_edit(broken_copy, edit)
    with pytest.raises(data.DataError, match=message) as info:
        data.load("pue", folder=broken_copy)
    assert info.value.path.name == "datapackage.json"
    assert info.value.line is not None


def test_data_error_is_a_value_error_that_pickles():
    err = data.DataError(Path("data/gpus.csv"), 4, "tdp_w", "7000 is above the maximum 3,000", "x")
    assert isinstance(err, ValueError)
    assert (
        str(err)
        == "data/gpus.csv, line 4, column tdp_w: 7000 is above the maximum 3,000 (allowed: x)"
    )
    again = pickle.loads(pickle.dumps(err))
    assert (str(again), again.line, again.column) == (str(err), 4, "tdp_w")


# -------------------------------------------------------------------- citations (issue 17)


def test_an_undated_source_is_cited_without_na():
    undated = data.load("sources").query("year.isna()").index
    assert len(undated) > 0
    for source_id in undated:
        assert "(n.d.)" in data.cite(source_id)
    for source_id in data.load("sources").index:
        text = data.cite(source_id)
        assert "<NA>" not in text and re.search(r" \((\d{4}|n\.d\.)\)\. ", text), text


def test_citations_and_sources_for_read_a_folder(broken_copy):
    _replace(broken_copy / "sources.csv", "Carbon Emissions and Large", "Carbon Emissions and Big")
    line = data.citations(["patterson-2021"], folder=broken_copy).loc[0, "citation"]
    assert "Carbon Emissions and Big" in line
    assert "patterson-2021" in set(data.sources_for("training_runs", folder=broken_copy)["source"])


# ---------------------------------------------------------- bad names (issue 17, point 4)

GOOD = {
    "tables": {},
    "schema": {"name": "gpus"},
    "load": {"name": "gpus"},
    "value": {"name": "gpus", "row_id": "h100-sxm", "column": "tdp_w"},
    "cite": {"source_id": "nvidia-h100"},
    "citations": {"source_ids": ["nvidia-h100"]},
}
BAD = [
    (function, parameter, bad, kind)
    for function, kwargs in GOOD.items()
    for parameter in [*kwargs, "folder"]
    for bad, kind in (
        [(3, TypeError), (None, TypeError)]
        + ([] if parameter == "folder" else [("no-such-name", ValueError)])
        if parameter != "source_ids"
        else [("nvidia-h100", TypeError), ([3], TypeError), (["no-such-source"], ValueError)]
    )
    if not (parameter == "folder" and bad is None)  # None means the default folder
] + [(f, "folder", "/no/such/folder", ValueError) for f in GOOD]


@pytest.mark.parametrize(("function", "parameter", "bad", "kind"), BAD)
def test_bad_names_raise_naming_the_parameter(function, parameter, bad, kind):
    kwargs = {**GOOD[function], parameter: bad}
    with pytest.raises(kind, match=rf"\b{parameter}\b"):
        getattr(data, function)(**kwargs)


def test_sources_for_names_a_bad_table():
    with pytest.raises(ValueError, match=r"\bname\b"):
        data.sources_for("gpus", "no_such_table")
    with pytest.raises(TypeError, match=r"\bname\b"):
        data.sources_for("gpus", 3)


def test_every_public_function_has_a_worked_example():
    for name in data.__all__:
        obj = getattr(data, name)
        if callable(obj) and not isinstance(obj, type):
            examples = doctest.DocTestParser().get_examples(obj.__doc__ or "")
            assert any(f"{name}(" in e.source for e in examples), f"data.{name} has no example"


def test_seed_claims_quote_the_seed_and_quotes_are_short():
    claims = data.load("claims")
    from_seeds = claims[claims["source_id"].str.startswith("seed-")]
    assert from_seeds["quote"].notna().all(), list(from_seeds.index[from_seeds["quote"].isna()])
    for row_id, quote in claims["quote"].dropna().items():
        assert len(quote.split()) <= 40, f"{row_id}: quote longer than 40 words"
