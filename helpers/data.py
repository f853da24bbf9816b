"""The course's tables: every number from the world, with its source.

``load("gpus")`` reads ``gpus.csv`` into a DataFrame indexed by ``id`` and checks it against the
Table Schema in ``datapackage.json``: types, required fields, ranges, enums, patterns,
uniqueness and foreign keys (every ``source_id`` must exist in ``sources.csv``). The test suite
validates the same package again with the reference implementation, ``frictionless``; this module
keeps the run-time check light so that a notebook starts quickly.

Where the tables are: the repository keeps them in ``data/`` at its top level (one copy in git).
An installed wheel carries them inside the package as ``helpers/tables/`` (``pyproject.toml``
maps ``data/`` there), read through ``importlib.resources``; a source checkout or an editable
install reads ``data/`` beside the package. Every function also takes an explicit ``folder``
(tests use it to read corrupted copies).
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from pathlib import Path

import pandas as pd

__all__ = [
    "default_folder",
    "DataError",
    "tables",
    "schema",
    "load",
    "value",
    "cite",
    "citations",
    "sources_for",
]


def default_folder() -> Path:
    """The folder of the course's tables: ``helpers/tables`` inside an installed wheel, else
    ``data/`` beside the package (a source checkout or an editable install)."""
    packaged = resources.files("helpers") / "tables"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "data"


def _folder(folder) -> Path:
    return default_folder() if folder is None else Path(folder).resolve()


class DataError(ValueError):
    """A table does not match its schema."""


@functools.cache
def _package(folder: Path) -> dict:
    return json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))


def tables(folder=None) -> list[str]:
    """Names of the tables declared in datapackage.json."""
    return [r["name"] for r in _package(_folder(folder))["resources"]]


def schema(name: str, folder=None) -> dict:
    """The Table Schema of table ``name``."""
    for r in _package(_folder(folder))["resources"]:
        if r["name"] == name:
            return r
    raise ValueError(f"name must be one of {tables(folder)}; got {name!r}")


_DTYPES = {"string": "string", "number": "float64", "integer": "Int64", "boolean": "boolean"}


def _read(name: str, folder: Path) -> pd.DataFrame:
    res = schema(name, folder)
    fields = res["schema"]["fields"]
    path = folder / res["path"]
    raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    expected = [f["name"] for f in fields]
    if list(raw.columns) != expected:
        raise DataError(f"{res['path']}: columns {list(raw.columns)} differ from schema {expected}")
    out = {}
    for f in fields:
        col = raw[f["name"]]
        kind = f.get("type", "string")
        where = f"{res['path']} column {f['name']!r}"
        if kind == "boolean":
            mapped = col.str.lower().map({"true": True, "false": False})
            bad = col.notna() & mapped.isna()
            out[f["name"]] = mapped.astype("boolean")
        elif kind in ("number", "integer"):
            num = pd.to_numeric(col, errors="coerce")
            bad = col.notna() & num.isna()
            if kind == "integer":
                bad |= num.notna() & (num % 1 != 0)
            out[f["name"]] = num.astype(_DTYPES[kind]) if not bad.any() else num
        else:
            bad = pd.Series(False, index=col.index)
            out[f["name"]] = col.astype("string")
        if bad.any():
            raise DataError(f"{where}: {list(col[bad])} is not of type {kind}")
        _check_constraints(out[f["name"]], f.get("constraints", {}), where)
    df = pd.DataFrame(out)
    key = res["schema"].get("primaryKey")
    if key and df[key].duplicated().any():
        raise DataError(f"{res['path']}: duplicate {key} {list(df.loc[df[key].duplicated(), key])}")
    return df


def _check_constraints(col: pd.Series, c: dict, where: str) -> None:
    present = col.dropna()
    if c.get("required") and col.isna().any():
        raise DataError(f"{where}: required but empty in row(s) {list(col.index[col.isna()] + 2)}")
    if "minimum" in c and (present < c["minimum"]).any():
        raise DataError(
            f"{where}: {list(present[present < c['minimum']])} below minimum {c['minimum']}"
        )
    if "maximum" in c and (present > c["maximum"]).any():
        raise DataError(
            f"{where}: {list(present[present > c['maximum']])} above maximum {c['maximum']}"
        )
    if "enum" in c and not present.isin(c["enum"]).all():
        raise DataError(f"{where}: {list(present[~present.isin(c['enum'])])} not in {c['enum']}")
    if "pattern" in c:
        pat = re.compile(c["pattern"])
        bad = [v for v in present if not pat.fullmatch(str(v))]
        if bad:
            raise DataError(f"{where}: {bad} do not match pattern {c['pattern']!r}")
    if c.get("unique") and present.duplicated().any():
        raise DataError(f"{where}: duplicate values {list(present[present.duplicated()])}")


@functools.cache
def _load_checked(name: str, folder: Path) -> pd.DataFrame:
    df = _read(name, folder)
    for fk in schema(name, folder)["schema"].get("foreignKeys", []):
        ref = fk["reference"]
        target = _load_checked(ref["resource"], folder)[ref["fields"]]
        vals = df[fk["fields"]].dropna()
        missing = sorted(set(vals) - set(target))
        if missing:
            raise DataError(
                f"{schema(name, folder)['path']} column {fk['fields']!r}: {missing} not found in "
                f"{ref['resource']}.{ref['fields']}"
            )
    key = schema(name, folder)["schema"].get("primaryKey")
    return df.set_index(key, drop=False).rename_axis(None) if key else df


def load(name: str, folder=None) -> pd.DataFrame:
    """Load table ``name``, validated against datapackage.json.

    Returns a fresh copy (safe to modify), indexed by the table's primary key. ``folder``: read
    the tables from there instead of :func:`default_folder`.

    Raises
    ------
    ValueError
        If ``name`` is not a table; :class:`DataError` (a ValueError) if the table breaks its schema.
    """
    return _load_checked(name, _folder(folder)).copy()


def value(name: str, row_id: str, column: str, folder=None):
    """One number (or string) from a table, e.g. ``value("gpus", "h100-sxm", "tdp_w")``."""
    df = _load_checked(name, _folder(folder))
    if row_id not in df.index:
        raise ValueError(f"row_id must be one of {list(df.index)}; got {row_id!r}")
    if column not in df.columns:
        raise ValueError(f"column must be one of {list(df.columns)}; got {column!r}")
    v = df.at[row_id, column]
    if pd.isna(v):
        raise ValueError(f"{name}.{row_id}.{column} is empty in {schema(name, folder)['path']}")
    return v.item() if hasattr(v, "item") else v


def cite(source_id: str, folder=None) -> str:
    """A one-line citation for ``source_id``: authors (year). Title. Organisation. URL."""
    src = _load_checked("sources", _folder(folder))
    if source_id not in src.index:
        raise ValueError(f"source_id must be one of {list(src.index)}; got {source_id!r}")
    r = src.loc[source_id]
    return f"{r.authors} ({r.year}). {r.title}. {r.organisation}. {r.url}"


def citations(source_ids) -> pd.DataFrame:
    """One citation line per source id (duplicates dropped, order kept), for a Sources section."""
    ids = list(dict.fromkeys(source_ids))
    return pd.DataFrame({"source": ids, "citation": [cite(i) for i in ids]})


def sources_for(*names: str) -> pd.DataFrame:
    """The sources cited by every row of the given tables (see :func:`citations`)."""
    return citations(i for n in names for i in load(n)["source_id"])
