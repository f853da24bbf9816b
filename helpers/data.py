"""The course's tables: every number from the world, with its source.

``load("gpus")`` reads ``gpus.csv`` into a DataFrame indexed by ``id`` and checks it against the
Table Schema in ``datapackage.json``: types, required fields, plausible ranges (``minimum`` and
``maximum``), enums, patterns, uniqueness and foreign keys (every ``source_id`` must exist in
``sources.csv``). Numbers must be finite: ``Infinity``, ``nan`` or ``1e400`` in a number column is
an error, not a value. The test suite validates the same package again with the reference
implementation, ``frictionless``; this module keeps the run-time check light (the standard
library's ``csv`` reader, one pass over each file) so that a notebook starts quickly.

Anything wrong with a table, or with ``datapackage.json`` itself, raises :class:`DataError`, whose
message names the file, the line (as a text editor numbers it: the header is line 1, and a quoted
value that spans lines counts every line) and the column, says what is wrong and what is allowed::

    data/gpus.csv, line 4, column tdp_w: 7000 is above the maximum 3,000 (allowed: a finite
    number from 20 to 3,000 W, never empty)

The file is read in one pass and the first problem in file order is reported: bytes that are not
UTF-8, a quote that is never closed, a row with more or fewer fields than the header, an empty
file or one with a header but no rows, a missing, extra or misplaced column, a value of the wrong
type or outside its constraints; then, after the whole file, a foreign key that names no row of
its table.

Where the tables are: the repository keeps them in ``data/`` at its top level (one copy in git).
An installed wheel carries them inside the package as ``helpers/tables/`` (``pyproject.toml``
maps ``data/`` there), read through ``importlib.resources``; a source checkout or an editable
install reads ``data/`` beside the package. Every function also takes an explicit ``folder``
(tests use it to read corrupted copies).
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from importlib import resources
from numbers import Real
from pathlib import Path

import numpy as np
import pandas as pd

from helpers._validate import InputTypeError, as_choice

__all__ = [
    "default_folder",
    "DataError",
    "tables",
    "schema",
    "load",
    "read_file",
    "value",
    "cite",
    "citations",
    "sources_for",
]


def default_folder() -> Path:
    """The folder of the course's tables: ``helpers/tables`` inside an installed wheel, else
    ``data/`` beside the package (a source checkout or an editable install).

    >>> (default_folder() / "datapackage.json").is_file()
    True
    """
    packaged = resources.files("helpers") / "tables"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "data"


def _folder(folder) -> Path:
    if folder is None:
        return default_folder()
    if not isinstance(folder, str | os.PathLike):
        raise InputTypeError(
            f"folder must be a path (a str or pathlib.Path) or None; got {type(folder).__name__}"
        )
    path = Path(folder).resolve()
    if not path.is_dir():
        raise ValueError(f"folder must be an existing folder of tables; got {str(folder)!r}")
    return path


class DataError(ValueError):
    """A table (or ``datapackage.json``) breaks its rules.

    The message reads ``"data/<file>, line N, column <name>: what is wrong (allowed: ...)"``.

    Attributes
    ----------
    path : pathlib.Path
        The file at fault.
    line : int or None
        Its 1-based line as a text editor shows it (the header is line 1); None where no line
        applies (a missing file).
    column : str, int or None
        In a table, the column's name (an int counts fields when a row runs past the header's
        last column); in ``datapackage.json``, the character position JSON's parser reports, or
        the field a schema error concerns.
    problem, allowed : str
        What is wrong, and what would be accepted (None if there is nothing to add).
    """

    def __init__(self, path, line, column, problem, allowed=None):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.problem = problem
        self.allowed = allowed
        super().__init__(self._text())

    def _text(self) -> str:
        where = [f"{self.path.parent.name}/{self.path.name}"]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column is not None:
            where.append(f"column {self.column}")
        text = f"{', '.join(where)}: {self.problem}"
        return f"{text} (allowed: {self.allowed})" if self.allowed else text

    def __reduce__(self):
        return (type(self), (self.path, self.line, self.column, self.problem, self.allowed))


class _Bad(Exception):
    """A cell's problem; :func:`_read` adds the file, line and column."""

    def __init__(self, problem: str, allowed: str | None = None):
        super().__init__(problem)
        self.problem, self.allowed = problem, allowed


# ---------------------------------------------------------------------------- datapackage.json

_TYPES = ("string", "number", "integer", "boolean")
_CONSTRAINTS = ("required", "unique", "minimum", "maximum", "enum", "pattern")


def _decode(path: Path) -> tuple[str, int | None]:
    """The file's text and the offset of its first byte that is not UTF-8 (None if all are).
    Bad bytes are kept as lone surrogates (``surrogateescape``) so the caller can say in which
    field they are. A UTF-8 byte-order mark is dropped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            path,
            None,
            None,
            "the file is missing",
            "a file for every table datapackage.json declares, named by its path",
        ) from None
    except OSError as err:
        raise DataError(path, None, None, f"the file cannot be read ({err.strerror})") from None
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError as err:
        return raw.decode("utf-8", "surrogateescape"), err.start


def _encoding_problem(text: str, offset: int) -> _Bad:
    byte = ord(text[offset]) - 0xDC00
    return _Bad(
        f"byte 0x{byte:02X} is not UTF-8 (was the file saved as Windows-1252 or Latin-1?)",
        "text encoded as UTF-8",
    )


def _json_line(text: str, resource: str | None, field: str | None = None) -> int | None:
    """The line of resource ``resource`` in datapackage.json (of its field ``field`` if given),
    found by walking the ``resources`` list with the JSON decoder; None if it cannot be found."""
    if resource is None:
        return None
    start = re.search(r'"resources"\s*:\s*\[', text)
    if start is None:
        return None
    decoder, pos = json.JSONDecoder(), start.end()
    try:
        while True:
            while text[pos] in " \t\r\n,":
                pos += 1
            if text[pos] == "]":
                return None
            obj, end = decoder.raw_decode(text, pos)
            if isinstance(obj, dict) and obj.get("name") == resource:
                span, hit = text[pos:end], None
                if field is not None:
                    fields = re.search(r'"fields"\s*:', span)
                    named = re.compile(r'"name"\s*:\s*' + re.escape(json.dumps(field)))
                    hit = named.search(span, fields.end() if fields else 0)
                if hit is None:
                    hit = re.search(r'"name"\s*:\s*' + re.escape(json.dumps(resource)), span)
                return text.count("\n", 0, pos + (hit.start() if hit else 0)) + 1
            pos = end
    except (IndexError, ValueError):
        return None


def _check_package(package, text: str, path: Path) -> None:
    """Raise DataError unless ``package`` has the structure this module relies on."""

    def fail(problem, allowed=None, resource=None, field=None):
        raise DataError(path, _json_line(text, resource, field), field, problem, allowed)

    if not isinstance(package, dict) or not isinstance(package.get("resources"), list):
        fail('there is no "resources" list', 'a "resources" list with one entry per table')
    names = []
    for i, res in enumerate(package["resources"], start=1):
        if not isinstance(res, dict) or not isinstance(res.get("name"), str):
            fail(f"resource {i} has no name", 'a "name" (a string) for every resource')
        name = res["name"]
        if name in names:
            fail(f"resource {name!r} is declared twice", "one entry per table", name)
        names.append(name)
        file = res.get("path")
        if not isinstance(file, str) or not file or Path(file).name != file or file[0] == ".":
            fail(f"resource {name!r} has no usable path: {file!r}", "a file in this folder", name)
        sch = res.get("schema")
        if not isinstance(sch, dict):
            fail(f"resource {name!r} has no schema", 'a "schema" with the table\'s "fields"', name)
        fields = sch.get("fields")
        if not isinstance(fields, list) or not fields:
            fail(f"resource {name!r} has no fields", 'a "fields" list, one per column', name)
        seen = []
        for f in fields:
            if not isinstance(f, dict) or not isinstance(f.get("name"), str):
                fail(f"resource {name!r} has a field without a name", 'a "name" per field', name)
            _check_field(f, name, fail)
            if f["name"] in seen:
                fail(
                    f"field {f['name']!r} of {name!r} is declared twice",
                    "one entry per column",
                    name,
                    f["name"],
                )
            seen.append(f["name"])
        key = sch.get("primaryKey")
        if key is not None and key not in seen:
            fail(f"the primaryKey of {name!r} names no field: {key!r}", "a field's name", name)
        missing = sch.get("missingValues", [""])
        if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
            fail(f"the missingValues of {name!r} are not a list of strings", '[""]', name)
    _check_foreign_keys(package["resources"], fail)


def _check_field(f: dict, resource: str, fail) -> None:
    name, kind = f["name"], f.get("type", "string")
    where = f"{resource}.{name}"
    if kind not in _TYPES:
        fail(f"field {where} has type {kind!r}", ", ".join(_TYPES), resource, name)
    c = f.get("constraints", {})
    if not isinstance(c, dict):
        fail(f"the constraints of {where} are not an object", "an object", resource, name)
    for key, limit in c.items():
        if key not in _CONSTRAINTS:
            fail(
                f"constraint {key!r} of {where} is not checked by helpers.data",
                ", ".join(_CONSTRAINTS),
                resource,
                name,
            )
        if key in ("required", "unique") and not isinstance(limit, bool):
            fail(f"constraint {key!r} of {where} is {limit!r}", "true or false", resource, name)
        if key in ("minimum", "maximum") and (
            kind not in ("number", "integer") or not _is_real(limit) or not math.isfinite(limit)
        ):
            fail(
                f"constraint {key!r} of {where} is {limit!r}",
                "a finite number, on a number or integer field",
                resource,
                name,
            )
        if key == "enum" and not isinstance(limit, list):
            fail(f"constraint 'enum' of {where} is not a list", "a list", resource, name)
        if key == "pattern":
            try:
                re.compile(limit)
            except (re.error, TypeError) as err:
                fail(
                    f"the pattern of {where} is not a regular expression ({err})",
                    "a Python regular expression",
                    resource,
                    name,
                )
    if "minimum" in c and "maximum" in c and c["minimum"] > c["maximum"]:
        fail(f"the minimum of {where} exceeds its maximum", "minimum <= maximum", resource, name)


def _check_foreign_keys(res_list: list, fail) -> None:
    fields = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in res_list}
    edges = {name: set() for name in fields}
    for r in res_list:
        name = r["name"]
        fks = r["schema"].get("foreignKeys", [])
        if not isinstance(fks, list):
            fail(f"the foreignKeys of {name!r} are not a list", "a list", name)
        for fk in fks:
            ref = fk.get("reference") if isinstance(fk, dict) else None
            if not isinstance(ref, dict):
                fail(f"a foreign key of {name!r} has no reference", '"fields", "reference"', name)
            own, theirs = _one(fk.get("fields")), _one(ref.get("fields"))
            target = ref.get("resource")
            if own not in fields[name]:
                fail(
                    f"a foreign key of {name!r} names no field: {fk.get('fields')!r}",
                    "one field of the table",
                    name,
                )
            target = name if target == "" else target
            if target not in fields or theirs not in fields[target]:
                fail(
                    f"the foreign key {name}.{own} refers to no field: {ref!r}",
                    "a declared resource and one of its fields",
                    name,
                    own,
                )
            if target != name:
                edges[name].add(target)
    state = {}

    def visit(node, trail):
        state[node] = "open"
        for nxt in sorted(edges[node]):
            if state.get(nxt) == "open":
                fail(
                    f"foreign keys run in a circle: {' -> '.join([*trail, nxt])}",
                    "foreign keys that end in a table without them",
                    node,
                )
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = "done"

    for node in edges:
        if node not in state:
            visit(node, [node])


def _one(fields):
    """A foreign key's field: a string, or a list of exactly one string (else None)."""
    if isinstance(fields, list) and len(fields) == 1:
        fields = fields[0]
    return fields if isinstance(fields, str) else None


def _is_real(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


@functools.cache
def _package(folder: Path) -> dict:
    path = folder / "datapackage.json"
    text, bad = _decode(path)
    if bad is not None:
        line = text.count("\n", 0, bad) + 1
        column = bad - (text.rfind("\n", 0, bad) + 1) + 1
        problem = _encoding_problem(text, bad)
        raise DataError(path, line, column, problem.problem, problem.allowed)
    try:
        package = json.loads(text)
    except json.JSONDecodeError as err:
        raise DataError(
            path,
            err.lineno,
            err.colno,
            f"not valid JSON: {err.msg}",
            "JSON: names and strings in double quotes, a comma between items and none after the "
            "last",
        ) from None
    _check_package(package, text, path)
    return package


def _resource(name, folder: Path) -> dict:
    res = _package(folder)["resources"]
    names = [r["name"] for r in res]
    as_choice(name, "name", names)
    return res[names.index(name)]


def tables(folder=None) -> list[str]:
    """Names of the tables declared in datapackage.json, in its order.

    >>> tables()[:3]
    ['sources', 'gpus', 'training_runs']
    """
    return [r["name"] for r in _package(_folder(folder))["resources"]]


def schema(name: str, folder=None) -> dict:
    """The Table Schema resource of table ``name`` (a copy: safe to modify): its ``path``,
    ``title`` and ``schema`` (``fields`` with type, unit, description and constraints).

    >>> [f["constraints"] for f in schema("gpus")["schema"]["fields"] if f["name"] == "tdp_w"]
    [{'required': True, 'minimum': 20, 'maximum': 3000}]
    """
    return copy.deepcopy(_resource(name, _folder(folder)))


# ---------------------------------------------------------------------------------- the tables

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_TRUE, _FALSE = ("true", "True", "TRUE"), ("false", "False", "FALSE")
_SURROGATE = re.compile("[\udc80-\udcff]")
_TINY = float(np.finfo(float).tiny)
_QUOTE_RULE = (
    "a value in double quotes ends with a double quote before the next comma or line end; a "
    'quote inside it is written twice ("")'
)


def _num(x) -> str:
    x = float(x)
    return f"{int(x):,}" if x.is_integer() and abs(x) < 1e15 else f"{x:g}"


def _allowed(f: dict) -> str:
    """What field ``f`` accepts, in words (for the ``allowed`` part of an error)."""
    kind, c = f.get("type", "string"), f.get("constraints", {})
    if "enum" in c:
        return "one of " + ", ".join(str(v) for v in c["enum"])
    what = {
        "number": "a finite number",
        "integer": "a whole number",
        "boolean": "true or false",
        "string": "text",
    }[kind]
    unit = f.get("unit", "")
    unit = f" {unit}" if unit and unit not in ("1", "see unit") else ""
    if "minimum" in c and "maximum" in c:
        what += f" from {_num(c['minimum'])} to {_num(c['maximum'])}{unit}"
    elif "minimum" in c:
        what += f" of at least {_num(c['minimum'])}{unit}"
    elif "maximum" in c:
        what += f" of at most {_num(c['maximum'])}{unit}"
    if "pattern" in c:
        what += f" matching {c['pattern']}"
    if c.get("required"):
        what += ", never empty"
    return what


def _parse_number(text: str, kind: str):
    if kind == "integer":
        if _INTEGER.fullmatch(text):
            return int(text)
        if _NON_FINITE.fullmatch(text):
            raise _Bad(f"{text!r} is not a finite number")
        raise _Bad(f"{text!r} is not a whole number")
    if not _NUMBER.fullmatch(text):
        if _NON_FINITE.fullmatch(text):
            raise _Bad(f"{text!r} is not a finite number")
        raise _Bad(f"{text!r} is not a number")
    x = float(text)
    if math.isinf(x):
        raise _Bad(f"{text} is too large for a 64-bit float (it would be read as infinity)")
    underflow = x == 0 and re.search("[1-9]", re.split("[eE]", text)[0])
    if underflow or 0 < abs(x) < _TINY:
        raise _Bad(f"{text} is too small for a 64-bit float (it would lose its precision)")
    return x


def _cell(f: dict, text: str, missing: set):
    """The value of one cell, typed and checked against the field's constraints (except
    ``unique``, which needs the whole column); None for a missing value."""
    c = f.get("constraints", {})
    if text in missing:
        if c.get("required"):
            raise _Bad("the value is empty but required")
        return None
    kind = f.get("type", "string")
    if kind in ("number", "integer"):
        x = _parse_number(text, kind)
        if "minimum" in c and x < c["minimum"]:
            raise _Bad(f"{text} is below the minimum {_num(c['minimum'])}")
        if "maximum" in c and x > c["maximum"]:
            raise _Bad(f"{text} is above the maximum {_num(c['maximum'])}")
    elif kind == "boolean":
        if text not in _TRUE + _FALSE:
            raise _Bad(f"{text!r} is not true or false")
        x = text in _TRUE
    else:
        x = text
        if "pattern" in c and not re.fullmatch(c["pattern"], text):
            raise _Bad(f"{text!r} does not match the pattern {c['pattern']}")
    if "enum" in c and x not in c["enum"]:
        raise _Bad(f"{text!r} is not an allowed value")
    return x


def _offset_of_line(text: str, line: int) -> int:
    pos = 0
    for _ in range(line - 1):
        pos = text.index("\n", pos) + 1
    return pos


def _quote_problem(text: str, line: int):
    """Where the record starting on ``line`` goes wrong with its quotes: ``(line, field index,
    problem)`` of the quoted value at fault, or None if its quotes are fine."""
    i, n, field, at_start = _offset_of_line(text, line), len(text), 0, True
    while i < n:
        ch = text[i]
        if at_start and ch == '"':
            opened, index = line, field
            i += 1
            start = i
            while True:
                if i >= n:
                    return opened, index, "a quoted value starts here and has no closing quote"
                ch = text[i]
                if ch == '"' and text[i + 1 : i + 2] == '"':
                    i += 2
                    continue
                if ch == '"':
                    if text[i + 1 : i + 2] in (",", "\n", "\r", ""):
                        i += 1
                        break
                    inside = text[start:i]
                    if "," not in inside and "\n" not in inside:
                        return opened, index, "text follows the closing quote of this value"
                    return (
                        opened,
                        index,
                        (
                            "a quoted value starts here and its closing quote seems to be missing: "
                            f"the next quote, on line {line}, is followed by text, not a comma"
                        ),
                    )
                line += ch == "\n"
                i += 1
            at_start = False
            continue
        if ch == ",":
            field, at_start = field + 1, True
        elif ch in "\r\n":
            return None
        else:
            at_start = False
        i += 1
    return None


def _records(text: str, path: Path, names: list[str]) -> Iterator[tuple[int, list[str]]]:
    """``(first line, fields)`` for every record, read with the csv module (strict quoting)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            found = _quote_problem(text, end + 1)
            if found is None:
                raise DataError(path, end + 1, None, f"cannot be read as CSV ({err})") from None
            line, index, problem = found
            column = names[index] if index < len(names) else index + 1
            raise DataError(path, line, column, problem, _QUOTE_RULE) from None
        yield end + 1, values
        end = reader.line_num


def _field_lines(start: int, values: list[str]) -> list[int]:
    lines, line = [], start
    for v in values:
        lines.append(line)
        line += v.count("\n")
    return lines


def _check_header(values: list[str], names: list[str], path: Path) -> None:
    if values == names:
        return
    allowed = "the columns " + ",".join(names) + ", in this order"
    extra = [v for v in values if v not in names]
    missing = [n for n in names if n not in values]
    twice = [v for i, v in enumerate(values) if v in values[:i]]
    if missing:
        raise DataError(path, 1, missing[0], "the column is missing from the header", allowed)
    if extra:
        raise DataError(
            path, 1, extra[0], "the column is not declared in datapackage.json", allowed
        )
    if twice:
        raise DataError(path, 1, twice[0], "the column appears twice in the header", allowed)
    first = next(i for i, (v, n) in enumerate(zip(values, names, strict=True)) if v != n)
    raise DataError(
        path,
        1,
        values[first],
        f"the column is number {first + 1} in the header but "
        f"{names.index(values[first]) + 1} in the schema",
        allowed,
    )


def _ragged(path: Path, start: int, values: list[str], names: list[str]) -> DataError:
    n, got = len(names), len(values)
    lines = _field_lines(start, values)
    allowed = f"{n} fields, one per column; a value that contains a comma goes in double quotes"
    # A value whose text after a line break holds a whole row's commas most likely opened a
    # quote that was never closed and swallowed the next lines.
    swallowed = [j for j, v in enumerate(values) if v.partition("\n")[2].count(",") >= n - 1]
    if swallowed:
        j = swallowed[0]
        last = lines[j] + values[j].count("\n")
        return DataError(
            path,
            lines[j],
            names[j] if j < n else j + 1,
            f"a quoted value starts here and runs on to line {last}, and the row has {got} "
            f"fields where the header has {n}: is a closing quote missing?",
            _QUOTE_RULE,
        )
    if got > n:
        return DataError(
            path,
            lines[n],
            n + 1,
            f"the row has {got} fields where the header has {n}: this one is past the last "
            f"column, {names[-1]}",
            allowed,
        )
    after = " or the columns after it" if got < n - 1 else ""
    return DataError(
        path,
        lines[-1] if lines else start,
        names[got],
        f"the row has {got} fields where the header has {n}: no value for {names[got]}{after}",
        allowed,
    )


def _read(name: str, folder: Path) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """The table as a DataFrame (not yet indexed), and each column's line numbers."""
    res = _resource(name, folder)
    return _read_path(folder / res["path"], res["schema"], res["schema"]["fields"])


def _read_path(path: Path, schema_: dict, fields: list) -> tuple[pd.DataFrame, dict]:
    """``path`` read and checked against ``fields`` (of the table whose schema is ``schema_``)."""
    names = [f["name"] for f in fields]
    missing = set(schema_.get("missingValues", [""]))
    key = schema_.get("primaryKey")
    unique = [f.get("constraints", {}).get("unique") or f["name"] == key for f in fields]
    text, bad_byte = _decode(path)
    if not text.strip():
        raise DataError(
            path,
            1,
            names[0],
            "the file is empty",
            "a header line naming the columns " + ",".join(names) + ", then rows",
        )
    records = _records(text, path, names)
    start, header = next(records)
    if bad_byte is not None and any(_SURROGATE.search(v) for v in header):
        _raise_encoding(path, start, header, header)
    _check_header(header, names, path)
    columns = {n: [] for n in names}
    lines = {n: [] for n in names}
    seen = [{} if u else None for u in unique]
    for start, values in records:
        if not values:
            raise DataError(
                path,
                start,
                None,
                "the line is blank",
                f"one row per line, with {len(names)} fields",
            )
        if bad_byte is not None and any(_SURROGATE.search(v) for v in values):
            _raise_encoding(path, start, values, names)
        if len(values) != len(names):
            raise _ragged(path, start, values, names)
        where = _field_lines(start, values)
        for j, (f, v) in enumerate(zip(fields, values, strict=True)):
            try:
                x = _cell(f, v, missing)
            except _Bad as bad:
                raise DataError(
                    path, where[j], names[j], bad.problem, bad.allowed or _allowed(f)
                ) from None
            if seen[j] is not None and x is not None:
                if x in seen[j]:
                    raise DataError(
                        path,
                        where[j],
                        names[j],
                        f"{v!r} is already used on line {seen[j][x]}",
                        "a value no other row of this column has",
                    )
                seen[j][x] = where[j]
            columns[names[j]].append(x)
            lines[names[j]].append(where[j])
    if not columns[names[0]]:
        raise DataError(
            path,
            start + 1,
            names[0],
            "the table has a header but no rows",
            "at least one row after the header",
        )
    return pd.DataFrame({f["name"]: _column(columns[f["name"]], f) for f in fields}), lines


def _raise_encoding(path: Path, start: int, values: list[str], names: list[str]):
    """Raise the DataError for the first byte that is not UTF-8, in the record ``values``."""
    where = _field_lines(start, values)
    for j, v in enumerate(values):
        hit = _SURROGATE.search(v)
        if hit:
            problem = _encoding_problem(v, hit.start())
            column = names[j] if j < len(names) else j + 1
            line = where[j] + v.count("\n", 0, hit.start())
            raise DataError(path, line, column, problem.problem, problem.allowed)


def _column(values: list, f: dict):
    kind = f.get("type", "string")
    if kind == "number":
        return np.array([math.nan if v is None else v for v in values], dtype="float64")
    return pd.array(values, dtype={"integer": "Int64", "boolean": "boolean"}.get(kind, "string"))


def _did_you_mean(text: str, known) -> str:
    import difflib  # only on the way to an error: not worth its import time otherwise

    close = difflib.get_close_matches(text, sorted(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@functools.cache
def _load_checked(name: str, folder: Path) -> pd.DataFrame:
    df, lines = _read(name, folder)
    res = _resource(name, folder)
    for fk in res["schema"].get("foreignKeys", []):
        field, ref = _one(fk["fields"]), fk["reference"]
        target_name, their = ref["resource"] or name, _one(ref["fields"])
        target = df if target_name == name else _load_checked(target_name, folder)
        known = set(target[their].dropna())
        target_file = _resource(target_name, folder)["path"]
        for v, line in zip(df[field], lines[field], strict=True):
            if v is pd.NA or v in known:
                continue
            raise DataError(
                folder / res["path"],
                line,
                field,
                f"{v!r} matches no {their} in {target_file}{_did_you_mean(v, known)}",
                f"a value of {target_name}.{their}",
            )
    key = res["schema"].get("primaryKey")
    return df.set_index(key, drop=False).rename_axis(None) if key else df


def load(name: str, folder=None) -> pd.DataFrame:
    """Load table ``name``, validated against datapackage.json.

    Returns a fresh copy (safe to modify), indexed by the table's primary key. ``folder``: read
    the tables from there instead of :func:`default_folder`.

    Raises
    ------
    TypeError, ValueError
        If ``name`` is not a string or not a table (the message names ``name``).
    DataError
        (a ValueError) If the table, or datapackage.json, breaks its rules: the message names
        the file, the line and the column.

    Examples
    --------
    >>> gpus = load("gpus")
    >>> float(gpus.loc["h100-sxm", "tdp_w"])
    700.0
    """
    return _load_checked(name, _folder(folder)).copy()


def read_file(path, like: str, columns=None, folder=None) -> pd.DataFrame:
    """Read a CSV file of one's own (a learner's saved run, say) laid out like table ``like``,
    checked by the same rules as the course's tables.

    ``columns``: the columns the file must have, in this order (default: all of ``like``'s).
    Foreign keys and the primary key are not checked: the file is not part of the data package.

    Raises
    ------
    TypeError, ValueError
        For a ``path`` that is not a path, a ``like`` that is not a table, or a ``columns``
        that are not its columns.
    DataError
        (a ValueError) If the file breaks the rules: the message names the file, the line and
        the column.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mine.csv"
    >>> _ = path.write_text("id,tdp_w\\nmy-laptop,28\\n")
    >>> float(read_file(path, "gpus", ["id", "tdp_w"]).tdp_w[0])
    28.0
    >>> _ = path.write_text("id,tdp_w\\nmy-laptop,-5\\n")
    >>> read_file(path, "gpus", ["id", "tdp_w"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    helpers.data.DataError: ...mine.csv, line 2, column tdp_w: -5 is below the minimum 20 (allowed: ...)
    """
    if not isinstance(path, str | os.PathLike):
        raise InputTypeError(f"path must be a file path (str or os.PathLike); got {path!r}")
    res = _resource(as_choice(like, "like", tables(folder)), _folder(folder))
    by_name = {f["name"]: f for f in res["schema"]["fields"]}
    if columns is None:
        columns = list(by_name)
    if isinstance(columns, str) or not all(isinstance(c, str) for c in columns):
        raise InputTypeError(f"columns must be a list of column names; got {columns!r}")
    for c in columns:
        as_choice(c, "columns", by_name)
    frame, _ = _read_path(Path(path), res["schema"], [by_name[c] for c in columns])
    return frame


def value(name: str, row_id: str, column: str, folder=None):
    """One number (or string) from a table, as a plain Python value.

    >>> value("gpus", "h100-sxm", "tdp_w")
    700.0

    Unknown or non-string names raise ``ValueError`` or ``TypeError`` naming ``name``,
    ``row_id`` or ``column``; an empty cell raises ``ValueError`` too.
    """
    folder = _folder(folder)
    df = _load_checked(name, folder)
    as_choice(row_id, "row_id", df.index)
    as_choice(column, "column", df.columns)
    v = df.at[row_id, column]
    if pd.isna(v):
        raise ValueError(f"{name}.{row_id}.{column} is empty in {_resource(name, folder)['path']}")
    return v.item() if hasattr(v, "item") else v


def cite(source_id: str, folder=None) -> str:
    """A one-line citation for ``source_id``: authors (year). Title. Organisation. URL. An undated
    source gets "n.d." (no date) for its year.

    >>> cite("nvidia-h100")
    'NVIDIA (2023). NVIDIA H100 Tensor Core GPU product specifications. NVIDIA. https://www.nvidia.com/en-us/data-center/h100/'
    >>> "(n.d.)" in cite("seed-002")  # an undated source
    True
    """
    src = _load_checked("sources", _folder(folder))
    as_choice(source_id, "source_id", src.index)
    r = src.loc[source_id]
    year = "n.d." if pd.isna(r.year) else int(r.year)
    return f"{r.authors} ({year}). {r.title}. {r.organisation}. {r.url}"


def citations(source_ids: Iterable[str], folder=None) -> pd.DataFrame:
    """One citation line per source id (duplicates dropped, order kept), for a Sources section.

    >>> citations(["nvidia-h100", "patterson-2021", "nvidia-h100"])["source"].tolist()
    ['nvidia-h100', 'patterson-2021']
    """
    if isinstance(source_ids, str | bytes) or not isinstance(source_ids, Iterable):
        raise InputTypeError(
            f"source_ids must be a list of source ids; got {type(source_ids).__name__} "
            f"{source_ids!r:.60}"
        )
    folder = _folder(folder)
    known = _load_checked("sources", folder).index
    ids = list(dict.fromkeys(source_ids))
    for i in ids:
        if not isinstance(i, str):
            raise InputTypeError(f"source_ids must hold source ids (strings); got {i!r}")
        if i not in known:
            hint = _did_you_mean(i, known)
            raise ValueError(f"source_ids: {i!r} is not an id in sources.csv{hint}")
    return pd.DataFrame({"source": ids, "citation": [cite(i, folder) for i in ids]})


def sources_for(*names: str, folder=None) -> pd.DataFrame:
    """The sources cited by every row of the given tables (see :func:`citations`).

    >>> sources_for("gpus", "pue")["source"].tolist()[:2]
    ['nvidia-a100', 'nvidia-h100']
    """
    return citations((i for n in names for i in load(n, folder)["source_id"]), folder)
