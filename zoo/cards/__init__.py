"""The documents made from cards (card.json files written by training and `zoo evaluate`; nothing here is typed
by hand), one module each: MODEL_CARDS.md (model_cards), a checkpoint's Hugging Face README (hub_readme) and
`zoo info`'s summary (info); common holds what they share. Rendering reads only the cards it is given.
"""
from zoo.cards.common import DISENTANGLEMENT_HEAD, data_name, evaluator_cards, family_blurb, load_cards  # noqa: F401
from zoo.cards.hub_readme import hf_readme, user_readme  # noqa: F401
from zoo.cards.info import summary  # noqa: F401
from zoo.cards.model_cards import disentanglement_rows, render, write_all  # noqa: F401
