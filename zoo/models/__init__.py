"""Model families, one file each. Importing this package imports every module in it, and each family file
registers itself (`@register_family`), so a new family is one file here plus its recipes in `zoo/recipes/`."""
import importlib
import pkgutil

from zoo.models.base import Autoencoder  # noqa: F401

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
