from pathlib import Path

from zoo import cards

ROOT = Path(__file__).resolve().parents[2]


def test_model_cards_md_is_generated_from_the_cards():
    expected = cards.render()
    actual = (ROOT / "MODEL_CARDS.md").read_text()
    assert actual == expected, "MODEL_CARDS.md is stale: run `python scripts/make_cards.py`"


def test_every_registered_model_has_a_card():
    assert {c["name"] for c in cards.load_cards()} == set(cards.registry.list_models())
