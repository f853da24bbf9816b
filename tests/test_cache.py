"""The course's cache cannot be used to plant code or pictures in a learner's notebook page
(helpers.ui.cache, helpers.ui.chart_view.bundle_code): nothing is read from a shared or predictable place,
and writes never follow a link someone else put there."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from helpers.ui import cache
from helpers.ui import chart_view as live

PLANTED = "/* planted */ export default { render() { window.pwned = true; } };"


def _bundle_names() -> list[str]:
    import hashlib

    import altair as alt
    import vl_convert as vlc

    source = live._LIBRARY
    key = hashlib.sha256(f"{alt.__version__}|{vlc.__version__}|{source}".encode()).hexdigest()[:16]
    return [f"chart-view-{key}.js"]


def test_a_bundle_planted_in_the_shared_temporary_folder_is_never_read(tmp_path, monkeypatch):
    """Before: a fixed name under the system's temporary folder, preferred over making one."""
    shared = Path(tempfile.gettempdir()) / "joules-and-jevons"
    shared.mkdir(exist_ok=True)
    planted = [shared / name for name in _bundle_names()]
    for path in planted:
        path.write_text(PLANTED)
    monkeypatch.setenv("J2_CACHE_DIR", str(tmp_path / "fresh"))  # a fresh machine
    try:
        assert "planted" not in live.bundle_code()
        (made,) = (tmp_path / "fresh").glob("chart-view-*.js")
        assert "planted" not in made.read_text()
    finally:
        for path in planted:
            path.unlink()


def test_a_cache_folder_another_user_can_write_to_is_ignored(tmp_path, monkeypatch):
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    for name in _bundle_names():
        (folder / name).write_text(PLANTED)
    folder.chmod(0o777)  # anyone may have put files here
    monkeypatch.setenv("J2_CACHE_DIR", str(folder))
    assert cache.private_dir() is None
    code = live.bundle_code()  # made in memory instead
    assert "planted" not in code and len(code) > 100_000


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_folder_owned_by_another_user_is_ignored(tmp_path, monkeypatch):
    folder = tmp_path / "theirs"
    folder.mkdir(mode=0o755)
    (folder / "charts").mkdir(mode=0o755)
    for name in _bundle_names():
        (folder / name).write_text(PLANTED)
    os.chown(folder, 65534, 65534)  # nobody
    monkeypatch.setenv("J2_CACHE_DIR", str(folder))
    assert cache.private_dir() is None and cache.private_dir("charts") is None
    assert "planted" not in live.bundle_code()


def test_a_file_owned_by_another_user_or_a_link_is_not_read(tmp_path):
    target = tmp_path / "elsewhere.js"
    target.write_text(PLANTED)
    link = tmp_path / "chart-view-x.js"
    link.symlink_to(target)
    assert cache.read_bytes(link) is None
    assert cache.read_bytes(target) == PLANTED.encode()
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.chown(target, 65534, 65534)
        assert cache.read_bytes(target) is None


def test_atomic_writes_never_follow_a_planted_link(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    path = folder / "chart.json"
    # The old scheme wrote through <name>.<pid>.tmp: plant links at every such name, and at the
    # final name itself.
    for pid in range(os.getpid() - 5, os.getpid() + 5):
        (folder / f"chart.{pid}.tmp").symlink_to(victim)
    path.symlink_to(victim)
    assert cache.write_atomic(path, "new content")
    assert victim.read_text() == "untouched"
    assert not path.is_symlink() and path.read_text() == "new content"
    leftovers = [p for p in folder.iterdir() if not p.is_symlink() and p != path]
    assert not leftovers, leftovers  # no temporary file left behind


def test_atomic_write_reports_failure_instead_of_raising(tmp_path):
    assert not cache.write_atomic(tmp_path / "missing-folder" / "x.json", "x")


def test_the_private_folder_is_made_for_this_user_only(tmp_path, monkeypatch):
    monkeypatch.setenv("J2_CACHE_DIR", str(tmp_path / "new"))
    folder = cache.private_dir("charts")
    assert folder == tmp_path / "new" / "charts"
    for f in (tmp_path / "new", folder):
        assert f.stat().st_mode & 0o777 == 0o700
