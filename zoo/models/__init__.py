"""Model families. Importing this package registers each one (one line per family)."""
from zoo.models.base import Autoencoder  # noqa: F401
from zoo.models import ae, vae  # noqa: F401
from zoo.models import dae, sae, cae  # noqa: F401
from zoo.models import beta_vae, iwae, wae, rae, aae, cvae  # noqa: F401
from zoo.models import vamp  # noqa: F401
from zoo.models import hvae  # noqa: F401
from zoo.models import vqvae  # noqa: F401
