"""Execute notebooks in place and strip volatile metadata, so that committed outputs are what
nbval compares and diffs stay readable. Live widgets are replaced by their stills.

Usage: python tools/execute_notebooks.py notebooks/01_training_vs_inference.ipynb [...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

WIDGET = "application/vnd.jupyter.widget-view+json"


def without_widget(output):
    """``output`` without its live widget view, which a saved notebook cannot bring back; the
    still beside it (an explorer's starting picture, see ``helpers.ui.explorer``) stays. None if
    nothing but text would be left."""
    data = output.get("data", {})
    if WIDGET not in data:
        return output
    data.pop(WIDGET)
    output.get("metadata", {}).pop(WIDGET, None)
    return output if set(data) - {"text/plain"} else None


def execute(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    nb.metadata.pop("widgets", None)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if "outputs" in cell:
            cell.outputs = [out for out in map(without_widget, cell.outputs) if out is not None]
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(Path(arg))
