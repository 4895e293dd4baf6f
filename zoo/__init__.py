"""zoo: pretrained Keras 3 autoencoders by name. See README.md.

`list_models` needs no deep-learning import; `load`, `info`, `create`, `finetune`, `train`, `compare`,
`disentanglement`, `plot_latent`, `data_parallel`, `explore` and `push_to_hub` import Keras on first use.
"""
from zoo.recipes import list_models
from zoo.version import __version__  # noqa: F401

API = ("load", "info", "create", "compare", "push_to_hub", "finetune", "train", "disentanglement", "plot_latent",
       "data_parallel", "explore")
__all__ = ["list_models", *API]


def __getattr__(name):
    if name in API:
        from zoo import api, stderr_filter

        stderr_filter.import_keras_quietly()
        return getattr(api, name)
    if name in ("data", "progress"):  # zoo.data.load_images, zoo.progress.set_enabled: imported on first use
        import importlib

        return importlib.import_module(f"zoo.{name}")
    raise AttributeError(f"module 'zoo' has no attribute {name!r}")
