"""Execute notebooks in place and strip volatile metadata, so that committed outputs are what
nbval compares and diffs stay readable.

Usage: python tools/execute_notebooks.py notebooks/01_training_vs_inference.ipynb [...]
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient


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
        # Widget views are live-kernel state that a saved notebook cannot replay: drop them, so a
        # reader sees the sliders only after running the cell (as the notebook text says).
        if "outputs" in cell:
            cell.outputs = [
                out
                for out in cell.outputs
                if "application/vnd.jupyter.widget-view+json" not in out.get("data", {})
            ]
    nbformat.validate(nb)
    nbformat.write(nb, path)
    print(f"executed {path}")


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        execute(Path(arg))
