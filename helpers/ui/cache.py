"""The course's private cache folder: rendered charts and the explorers' JavaScript bundle.

Everything here is a speed-up: a file that cannot be read or written is simply made again, so
a missing, full or read-only cache never stops a chart from showing.

The folder is the learner's own: it is created with mode 0700 and used only while it belongs to
the user running the kernel and nobody else can write to it, because what it holds ends up in
the learner's notebook page (pictures, and JavaScript that runs there). Files are written
through an unpredictable temporary file in the same folder and renamed into place, so no
reader sees half a file and a link planted under a predictable name is never followed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

__all__ = ["cache_dir", "private_dir", "read_bytes", "write_atomic"]


def cache_dir() -> Path:
    """The course's cache folder: ``$J2_CACHE_DIR``, else ``$XDG_CACHE_HOME/joules-and-jevons``,
    else ``~/.cache/joules-and-jevons``. It may not exist yet; see :func:`private_dir`."""
    base = os.environ.get("J2_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "joules-and-jevons"
    )
    return Path(base)


def _is_private(path: Path) -> bool:
    """A real folder (not a link), owned by this user, that no other user can write to."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    if not stat.S_ISDIR(info.st_mode):
        return False
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return False
    return not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def private_dir(*parts: str) -> Path | None:
    """``cache_dir() / parts``, created with mode 0700 where missing; None if that folder, or
    any folder from the cache folder down to it, is not private to this user (see the module
    docstring) or cannot be made."""
    folders = [cache_dir()]
    for part in parts:
        folders.append(folders[-1] / part)
    for i, folder in enumerate(folders):
        try:
            folder.mkdir(mode=0o700, parents=i == 0, exist_ok=True)
        except OSError:
            return None
        if not _is_private(folder):
            return None
    return folders[-1]


def read_bytes(path: Path) -> bytes | None:
    """The bytes of the regular file ``path`` in a private cache folder, or None (missing,
    unreadable, a link, or owned by another user)."""
    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode):
            return None
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return None
        return path.read_bytes()
    except OSError:
        return None


def write_atomic(path: Path, content: str | bytes) -> bool:
    """Write ``content`` to ``path`` so that no reader sees half a file; False if it cannot.

    The bytes go to a new temporary file with an unpredictable name in the same folder
    (``mkstemp``: created exclusively, never through an existing file or link), which is then
    renamed over ``path``. A rename replaces a link at ``path`` instead of writing through it.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
    return True
