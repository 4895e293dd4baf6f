"""docs/quickstart.ipynb runs end to end in a fresh kernel, and its outputs say what the text promises."""
import re
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "docs" / "quickstart.ipynb"


def outputs(cell, kind):
    """The cell's stdout text (kind 'text'), or its outputs' MIME types (kind 'mime')."""
    if kind == "text":
        return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return {m for o in cell.outputs for m in o.get("data", {})}


def test_quickstart_notebook_runs_and_shows_what_it_says(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert "vae 1079600 parameters" in outputs(code[0], "text")
    assert "(32, 28, 28, 1) True True" in outputs(code[1], "text") and "image/png" in outputs(code[1], "mime")
    assert "image/png" in outputs(code[2], "mime")
    assert "best sampler by FID: hvae-mnist" in outputs(code[3], "text") and "text/html" in outputs(code[3], "mime")
    before, after = map(float, re.search(r"before ([\d.]+) after ([\d.]+)", outputs(code[4], "text")).groups())
    assert after < 0.7 * before  # five epochs at the family's defaults cut the held-out error substantially
    assert all("image/png" in outputs(c, "mime") for c in code[5:7])
    assert list(tmp_path.iterdir()) == []  # the notebook writes nothing where it runs
