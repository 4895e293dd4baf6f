"""zoo: pretrained Keras 3 autoencoders by name. See README.md."""
from zoo.registry import list_models  # noqa: F401
from zoo.api import create, info, load  # noqa: F401

__version__ = "0.1.0"
__all__ = ["list_models", "load", "info", "create"]
