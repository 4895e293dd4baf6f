import pytest

from zoo.comparison import Table

pytestmark = pytest.mark.backend_agnostic  # file, CLI and data logic: the backend runs skip it


def test_table_prints_and_renders():
    rows = [{"name": "a-mnist", "family": "ae", "params": 1234, "fid": 1.5, "validity": 0.9, "source": "card"},
            {"name": "b-mnist", "family": "vae", "params": 99, "fid": None, "validity": 0.5, "source": "computed"}]
    t = Table(rows, ["note"])
    text = str(t)
    assert "model" in text and "1,234" in text and "1.50" in text and "–" in text and "note" in text
    assert "NLL" not in text.splitlines()[0]  # columns with no values are dropped
    assert "<table>" in t._repr_html_() and t["b-mnist"]["validity"] == 0.5
    assert t.to_markdown().startswith("| model |")
