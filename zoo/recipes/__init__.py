"""The shipped models' recipes, one module per family (like keras-hub's `*_presets.py`); importing this package
registers them all. Keras-free, so `zoo list` starts fast. The measurements behind each choice: docs/findings.md.
"""
from __future__ import annotations

import fnmatch
import importlib
import pkgutil

from zoo.names import unknown_name_error
from zoo.registry import RECIPES, Recipe

for _module in pkgutil.iter_modules(__path__):  # a new family's recipes are found without a line here
    importlib.import_module(f"{__name__}.{_module.name}")


def list_models(pattern: str = "*") -> list[str]:
    """Names of the registered pretrained models, sorted; `pattern` is an fnmatch wildcard."""
    return sorted(n for n in RECIPES if fnmatch.fnmatch(n, pattern))


def get_recipe(name: str) -> Recipe:
    if name not in RECIPES:
        raise unknown_name_error(name, list(RECIPES))
    return RECIPES[name]


def expand(patterns) -> list[str]:
    """Model names for names or wildcards ('vae-*'); an unknown name without a wildcard is a KeyError."""
    names = []
    for pattern in patterns:
        names += list_models(pattern) or [get_recipe(pattern).name]
    return list(dict.fromkeys(names))
