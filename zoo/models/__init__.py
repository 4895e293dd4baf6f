"""Model families. Importing this package registers each one (one line per family)."""
from zoo.models import (  # noqa: F401  # noqa: F401  # noqa: F401
    aae,
    ae,
    beta_vae,
    cae,
    cvae,
    dae,
    hvae,  # noqa: F401
    iwae,
    rae,
    sae,
    vae,
    vamp,  # noqa: F401
    vqvae,  # noqa: F401
    wae,
)
from zoo.models.base import Autoencoder  # noqa: F401
