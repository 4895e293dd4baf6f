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


def test_table_works_where_tables_are_worked_with(monkeypatch):
    import sys

    rows = [{"name": "a-mnist", "family": "ae", "params": 1234, "fid": 1.5, "source": "card"},
            {"name": "b-mnist", "family": "vae", "params": 99, "fid": None, "source": "computed"}]
    t = Table(rows)
    assert [r["name"] for r in t] == ["a-mnist", "b-mnist"] and t[1] is rows[1] and list(t) == rows
    assert sorted(t, key=lambda r: r["params"])[0]["name"] == "b-mnist"
    with pytest.raises(KeyError, match="it has a-mnist, b-mnist"):
        t["c-mnist"]
    pd = pytest.importorskip("pandas")
    frame = t.to_pandas()
    assert isinstance(frame, pd.DataFrame) and list(frame.index) == ["a-mnist", "b-mnist"]
    assert frame.loc["a-mnist", "fid"] == 1.5 and frame["params"].sum() == 1333
    monkeypatch.setitem(sys.modules, "pandas", None)  # as if not installed
    with pytest.raises(ImportError, match="pip install pandas"):
        t.to_pandas()


def test_disentanglement_scores_get_their_own_block_and_seed_ranges_their_table():
    from zoo import cards

    scores = {k: 0.5 for k in cards.DISENTANGLEMENT_HEAD}
    t = Table([{"name": "beta_vae-dsprites", "family": "beta_vae", "mse": 0.01, **scores, "mig": 0.25}])
    text = str(t)
    assert "MIG" in text and "0.250" in text and "DCI D" in text
    assert not any("FID" in line for line in text.splitlines() if line.startswith("model"))  # unmeasured: no column
    from dataclasses import replace

    from zoo import checkpoints
    from zoo.card import SeedRun

    shipped = checkpoints.read_card(checkpoints.root() / "beta_vae-dsprites")  # its scores and seeds set here
    scored = replace(shipped.evaluation.disentanglement, scores={**scores, "mig": 0.25})
    card = shipped.replace(
        training=replace(shipped.training, steps=6000), evaluation=replace(shipped.evaluation, disentanglement=scored),
        seeds=[SeedRun(0, {**scores, "mig": 0.25}), SeedRun(1, {**scores, "mig": 0.05}), SeedRun(2, {**scores, "mig": 0.31})])
    head, rows = cards.disentanglement_rows([card, checkpoints.read_card(checkpoints.root() / "vae-mnist")])
    assert len(rows) == 1 and rows[0][:3] == ["beta_vae-dsprites", "dsprites", "6,000"]
    assert rows[0][head.index("MIG")] == "0.250 (0.05–0.31)" and rows[0][-1] == "3"
