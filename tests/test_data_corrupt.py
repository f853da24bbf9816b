"""Every table, corrupted in every way a tester found, gives a DataError naming the file, the line
and the column.

For each table declared in data/datapackage.json the test copies data/ to a temporary folder,
breaks that table (or its entry in datapackage.json) in one way, and loads it with
``data.load(name, folder=copy)``. The only acceptable outcome is a :class:`helpers.data.DataError`
whose ``path``, ``line`` and ``column`` are the file, the 1-based physical line (as a text editor
numbers it) and the column the corruption was made in, and whose message says the same and what
is wrong. A table that loads anyway, any other exception, or an error naming the wrong place
fails.

Every row-level corruption is made twice: in the table as it is, and with line breaks inserted
into quoted text values, one in the first row and one in the corrupted row before the corrupted
field, so that physical lines and record numbers differ (line numbers must count physical lines).

Run as a script (``python tests/test_data_corrupt.py``) it prints how each corruption fared, by
outcome, for whichever ``helpers`` is on the path: the before/after count of the issue.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from helpers import data

DATA_DIR = data.default_folder()
PACKAGE_TEXT = (DATA_DIR / "datapackage.json").read_text(encoding="utf-8")
RESOURCES = {r["name"]: r for r in json.loads(PACKAGE_TEXT)["resources"]}
NAMES = list(RESOURCES)
MARK = "QQMARKQQ"  # a placeholder replaced by raw text after csv.writer has quoted the rest


@dataclass(frozen=True)
class Expect:
    """Where the error must point: the file's name, the line and the column."""

    file: str
    line: int | None
    column: str | int | None
    words: str = ""  # must also appear in the message: says what is wrong


# ------------------------------------------------------------------------- reading the tables


def _fields(name):
    return RESOURCES[name]["schema"]["fields"]


def _names(name):
    return [f["name"] for f in _fields(name)]


def _read(name):
    with open(DATA_DIR / RESOURCES[name]["path"], newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _constraints(f):
    return f.get("constraints", {})


def _key(name):
    return RESOURCES[name]["schema"]["primaryKey"]


def _fk_fields(name):
    return {fk["fields"] for fk in RESOURCES[name]["schema"].get("foreignKeys", [])}


def _free_text(name):
    """String fields without an enum or pattern that are neither key nor foreign key."""
    return [
        f["name"]
        for f in _fields(name)
        if f.get("type", "string") == "string"
        and not {"enum", "pattern"} & set(_constraints(f))
        and f["name"] != _key(name)
        and f["name"] not in _fk_fields(name)
    ]


def _numeric(name):
    numbers = [f for f in _fields(name) if f["type"] == "number"]
    return (numbers or [f for f in _fields(name) if f["type"] == "integer"])[0]


def _line(rows, i, j=0):
    """Physical line of field ``j`` of data row ``i`` (header = line 1)."""
    before = sum(v.count("\n") for r in rows[:i] for v in r)
    return 2 + i + before + sum(v.count("\n") for v in rows[i][:j])


def _csv(header, rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


# ------------------------------------------------------------------------- the corruptions


BREAK = "\n(a second line)"


def _table_case(name, kind, span):
    """``(csv bytes, Expect)`` for corruption ``kind`` of table ``name``. With ``span``, the first
    row and the corrupted row each get a line break in a text value (in the corrupted row, one
    before the corrupted field where there is one), so line numbers must count physical lines."""
    header, rows = _read(name)
    rows = [list(r) for r in rows]
    names, file = _names(name), RESOURCES[name]["path"]
    last, middle = len(rows) - 1, len(rows) // 2
    text_field = names.index(_free_text(name)[0])
    num_j = names.index(_numeric(name)["name"])

    def field_with(constraint):
        return next(f for f in _fields(name) if constraint(_constraints(f)))

    raw, column, words = None, None, ""
    if kind == "windows-1252 text":
        i, j, new = last, text_field, rows[last][text_field] + MARK
        raw, words = (MARK, "café – naïve".encode("cp1252")), "UTF-8"
    elif kind == "unclosed quote":
        i, j, new = middle, text_field, MARK
        raw, words = (MARK, b'"an unclosed value'), "closing quote"
    elif kind == "row with an extra field":
        i, j, new = last, len(names), "surplus"
        column, words = len(names) + 1, "fields"
    elif kind == "row with a missing field":
        i, j, new = last, len(names) - 2, None  # the error is where the row ends
        column, words = names[-1], "fields"
    elif kind in NON_FINITE:
        i, j, new = last, num_j, kind
        integer = _numeric(name)["type"] == "integer"
        words = "whole number" if integer and "e" in kind else NON_FINITE[kind]
    elif kind == "above the maximum":
        f = field_with(lambda c: "maximum" in c)
        top = _constraints(f)["maximum"]
        i, j = last, names.index(f["name"])
        new, words = str(top + 1 if f["type"] == "integer" else top * 2 + 1), "maximum"
    elif kind == "below the minimum":
        f = field_with(lambda c: "minimum" in c)
        i, j = last, names.index(f["name"])
        new, words = str(_constraints(f)["minimum"] - 1), "minimum"
    elif kind == "not in the enum":
        i, j, new, words = last, names.index("evidence"), "hearsay", "hearsay"
    elif kind == "not matching the pattern":
        f = field_with(lambda c: "pattern" in c)
        i, j, new, words = last, names.index(f["name"]), "Not a Pattern!", "pattern"
    elif kind == "required value empty":
        f = next(
            f for f in _fields(name) if _constraints(f).get("required") and f["name"] != _key(name)
        )
        i, j, new, words = last, names.index(f["name"]), "", "empty"
    elif kind == "duplicate id":
        j = names.index(_key(name))
        i, new, words = last, rows[0][j], "already used"
    elif kind == "unknown source":
        i, j, new, words = last, names.index("source_id"), "no-such-source", "no-such-source"
    else:
        raise AssertionError(kind)
    if new is None:
        rows[i].pop()
    elif j == len(rows[i]):
        rows[i].append(new)
    else:
        rows[i][j] = new
    if span:
        first = names.index(_free_text(name)[-1])
        rows[0][first] += BREAK
        before = [k for k in map(names.index, _free_text(name)) if k < j and (i, k) != (0, first)]
        if before:
            rows[i][before[0]] += BREAK
    expect = Expect(file, _line(rows, i, j), names[j] if column is None else column, words)
    body = _csv(header, rows).encode("utf-8")
    if raw:
        body = body.replace(raw[0].encode(), raw[1])
    return body, expect


NON_FINITE = {
    "Infinity": "not a finite number",
    "-inf": "not a finite number",
    "nan": "not a finite number",
    "NaN": "not a finite number",
    "1e400": "infinity",
    "1e-400": "too small",
}


def _file_case(name, kind):
    """Corruptions of the whole file or its columns: ``(csv bytes, Expect)``."""
    header, rows = _read(name)
    names, file = _names(name), RESOURCES[name]["path"]
    if kind == "empty file":
        return b"", Expect(file, 1, names[0], "empty")
    if kind == "header only":
        return _csv(header, []).encode(), Expect(file, 2, names[0], "no rows")
    if kind == "deleted column":
        j = names.index(_numeric(name)["name"])
        cut = [[v for k, v in enumerate(r) if k != j] for r in [header, *rows]]
        return _csv(cut[0], cut[1:]).encode(), Expect(file, 1, names[j], "missing")
    if kind == "extra column":
        return _csv([*header, "surplus"], [[*r, "1"] for r in rows]).encode(), Expect(
            file, 1, "surplus", "not declared"
        )
    raise AssertionError(kind)


def _package_case(name, kind):
    """Corruptions of the table's entry in datapackage.json: ``(json text, Expect)``."""
    if kind == "datapackage.json syntax error":
        entry = f'"path": "{RESOURCES[name]["path"]}",'
        at = PACKAGE_TEXT.index(entry) + len(entry) - 1  # drop the comma after the path
        text = PACKAGE_TEXT[:at] + PACKAGE_TEXT[at + 1 :]
        nxt = at + len(text[at:]) - len(text[at:].lstrip())  # where the next name starts
        line = text.count("\n", 0, nxt) + 1
        column = nxt - text.rfind("\n", 0, nxt)
        return text, Expect("datapackage.json", line, column, "JSON")
    if kind == "datapackage.json without the schema":
        package = json.loads(PACKAGE_TEXT)
        for r in package["resources"]:
            if r["name"] == name:
                del r["schema"]
        text = json.dumps(package, indent=2, ensure_ascii=False)
        own = re.search(rf'^      "name": {re.escape(json.dumps(name))},$', text, re.MULTILINE)
        line = text.count("\n", 0, own.start()) + 1
        return text, Expect("datapackage.json", line, None, f"resource {name!r} has no schema")
    raise AssertionError(kind)


ROW_KINDS = [
    "windows-1252 text",
    "unclosed quote",
    "row with an extra field",
    "row with a missing field",
    "Infinity",
    "-inf",
    "nan",
    "NaN",
    "1e400",
    "1e-400",
    "above the maximum",
    "below the minimum",
    "not in the enum",
    "required value empty",
    "duplicate id",
]
FILE_KINDS = ["empty file", "header only", "deleted column", "extra column"]
PACKAGE_KINDS = ["datapackage.json syntax error", "datapackage.json without the schema"]


def _applies(name, kind) -> bool:
    fields = _fields(name)
    if kind == "above the maximum":
        return any("maximum" in _constraints(f) for f in fields)
    if kind == "below the minimum":
        return any("minimum" in _constraints(f) for f in fields)
    if kind == "not matching the pattern":
        return any("pattern" in _constraints(f) for f in fields)
    if kind == "unknown source":
        return "source_id" in _fk_fields(name)
    return True


def _cases():
    for name in NAMES:
        for kind in [*ROW_KINDS, "not matching the pattern", "unknown source"]:
            if _applies(name, kind):
                for span in (False, True):
                    yield name, kind, span
        for kind in FILE_KINDS + PACKAGE_KINDS:
            yield name, kind, False


CASES = list(_cases())


def corrupt(name, kind, span, target: Path) -> Expect:
    """Copy data/ to ``target`` and break table ``name`` there in way ``kind``."""
    shutil.copytree(DATA_DIR, target)
    if kind in PACKAGE_KINDS:
        text, expect = _package_case(name, kind)
        (target / "datapackage.json").write_text(text, encoding="utf-8")
        return expect
    if kind in FILE_KINDS:
        body, expect = _file_case(name, kind)
    else:
        body, expect = _table_case(name, kind, span)
    (target / RESOURCES[name]["path"]).write_bytes(body)
    return expect


def outcome(name, folder: Path, expect: Expect) -> tuple[str, str]:
    """How loading the corrupted copy went: ``("named", message)`` if it raised a DataError
    naming the expected file, line and column; otherwise one of "loaded silently", "another
    exception", "no file named", "no line named" or "wrong line, column or message", with the
    message."""
    try:
        data.load(name, folder=folder)
    except data.DataError as err:
        msg = str(err)
        if expect.file not in msg:
            return "no file named", msg
        if expect.line is not None and not re.search(r"\bline \d", msg):
            return "no line named", msg
        line_ok = expect.line is None or re.search(rf"\bline {expect.line}\b", msg)
        column_ok = expect.column is None or re.search(
            rf"\bcolumn {re.escape(str(expect.column))}(?![\w-])", msg
        )
        attrs = (
            getattr(err, "path", None) is not None
            and Path(err.path).name == expect.file
            and getattr(err, "line", "?") == expect.line
            and getattr(err, "column", "?") == expect.column
        )
        if not (line_ok and column_ok and attrs and expect.words in msg):
            return "wrong line, column or message", msg
        return "named", msg
    except Exception as err:  # what the test forbids: reported, not hidden
        return "another exception", f"{type(err).__name__}: {err}"
    return "loaded silently", ""


@pytest.mark.parametrize(
    ("name", "kind", "span"),
    CASES,
    ids=[f"{n}-{k.replace(' ', '_')}{'-span' if s else ''}" for n, k, s in CASES],
)
def test_corruption_is_named_by_file_line_and_column(tmp_path, name, kind, span):
    folder = tmp_path / "data"
    expect = corrupt(name, kind, span, folder)
    result, message = outcome(name, folder, expect)
    assert result == "named", f"{result}: expected {expect}; got {message!r}"


def test_every_table_and_every_kind_is_covered():
    tables = {n for n, _, _ in CASES}
    assert tables == set(NAMES)
    for name in NAMES:
        kinds = {k for n, k, _ in CASES if n == name}
        assert set(ROW_KINDS + FILE_KINDS + PACKAGE_KINDS) <= kinds, name


def test_the_check_can_fail(tmp_path):
    """An error naming the wrong line does not pass: the test is not vacuous."""
    folder = tmp_path / "data"
    expect = corrupt("gpus", "Infinity", False, folder)
    wrong = Expect(expect.file, expect.line + 1, expect.column)
    assert outcome("gpus", folder, wrong)[0] == "wrong line, column or message"
    assert outcome("gpus", DATA_DIR, expect)[0] == "loaded silently"


if __name__ == "__main__":
    import tempfile

    counts, kinds = Counter(), {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, kind, span) in enumerate(CASES):
            folder = Path(tmp) / str(i)
            result, message = outcome(name, folder, corrupt(name, kind, span, folder))
            counts[result] += 1
            kinds.setdefault(kind, Counter())[result] += 1
    print(f"helpers.data from {data.__file__}: {len(CASES)} corruptions of {len(NAMES)} tables")
    for result, n in counts.most_common():
        print(f"  {n:4d} {result}")
    for kind, c in kinds.items():
        print(f"  {kind:38s} " + ", ".join(f"{n} {r}" for r, n in c.most_common()))
    sys.exit(0)
