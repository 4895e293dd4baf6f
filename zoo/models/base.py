"""The contract every zoo model keeps: an autoencoder plus a latent density.

`Autoencoder` validates and scales inputs, and gives every family `encode`, `decode`, `reconstruct`,
`sample`, a `compute_loss` that sums the family's named loss terms (each reported as a metric in `fit`),
and a config that round-trips through `keras.saving` with `safe_mode=True`.
A family overrides `call` (a dict of outputs) and `loss_terms`, and optionally `make_prior`.
"""
from __future__ import annotations

import keras
import numpy as np
from keras import ops

from zoo import data, inputs, progress, registry, units
from zoo.models import backbones, likelihoods, precision, priors

SAMPLE_CHUNK = 10_000  # codes drawn at once by `sample`; larger requests are drawn and decoded chunk by chunk


class _PerExampleMean(keras.losses.Loss):
    """The batch mean of per-example losses, with Keras' scaling for the replicas of a distribution strategy."""

    def call(self, y_true, y_pred):
        return y_pred


_batch_mean = _PerExampleMean(name="batch_mean")


class Autoencoder(keras.Model):
    family = "base"  # set by registry.register_family
    loss_names: tuple = ("reconstruction",)  # the terms loss_terms returns, in nats per image
    critic_terms: tuple = ()  # loss terms read through a learned critic (aae, factor_vae): they move as it learns
    fitted_prior = False  # True when `sample` uses a density fitted to training codes after training
    conditional = False  # True when encode/decode/sample take class labels (cvae)
    has_likelihood = False  # True when `log_weights` gives importance weights for an IWAE likelihood bound
    binarizable = False  # True when the family can train on dynamically binarized images (`dynamic_binarization`)
    dynamic_binarization = False  # a binarizable family's setting (see vae.py)
    card = None  # the checkpoint's card (a dict) once loaded or trained by the zoo
    loaded_from = None  # what zoo.load was given (a registry name, a path, an hf:// address): for reproduce lines
    discrete_code = False  # True when codes are codebook indices (vqvae): no Jacobian, no Gaussian mixture
    # zoo.finetune's defaults, measured (scripts/finetune_defaults.py; README, "The defaults, measured"): a family
    # overrides them where its measurement says so; `finetune_rate` gives a photo model its own.
    finetune_learning_rate = registry.LEARNING_RATE
    finetune_batch_size = 32
    # True when a training step draws many random numbers (image-sized corruption, k samples per image):
    # TensorFlow's XLA draws them about 40x slower than its graph kernels on a CPU, so such a step is not
    # compiled with XLA there (see `xla_on_cpu`).
    noisy_step = False

    def __init__(self, input_shape=(28, 28, 1), latent_dim=16, backbone="mlp", hidden=None,
                 prior=None, seed=None, likelihood="bernoulli", likelihood_components=10, **kwargs):
        """Args:
            input_shape: (height, width, channels) of the images.
            latent_dim: width of the code.
            backbone: "mlp", "conv" or "conv4" (disentanglement_lib's) encoder and decoder (zoo.models.backbones),
                sized from the image shape.
            hidden: hidden widths (mlp) or filters (conv); default the backbone's.
            prior: the density `sample` draws from (a serialised layer config, or None for the family's own).
            seed: seed of the training-time randomness (code sampling, corruption).
            likelihood: the decoder's p(x | z) (zoo.models.likelihoods): "bernoulli" (per-pixel logits; binarized
                and grey images) or "logistic_mixture" (PixelCNN++'s discretized logistic mixture; 8-bit colour).
            likelihood_components: the logistics in each pixel's mixture (logistic_mixture only).
            **kwargs: keras.Model arguments (name).
        """
        precision.check_policy()
        # The model's own math (losses, sampling, densities) stays float32 under a mixed policy; its networks
        # compute in bfloat16 and hand float32 back (zoo.models.precision).
        super().__init__(**precision.float32_kwargs(kwargs))
        self.image_shape = tuple(int(s) for s in input_shape)
        if len(self.image_shape) != 3:
            raise ValueError(f"input_shape must be (height, width, channels); got {input_shape}.")
        self.latent_dim = inputs.as_count(latent_dim, "latent_dim")
        self.backbone = backbone
        if hidden is not None and (isinstance(hidden, (str, bytes)) or len(hidden) == 0):
            raise ValueError(f"hidden must list at least one width (or be None for the backbone's {backbone!r} "
                             f"default); got {hidden!r}.")
        self.hidden = tuple(inputs.as_count(h, "each hidden width") for h in hidden) if hidden is not None else tuple(
            backbones.DEFAULT_HIDDEN.get(backbone, ()))
        self.likelihood = likelihoods.get(likelihood, likelihood_components)
        self.encoder, self.decoder = self.make_networks()
        if isinstance(prior, dict):
            prior = keras.saving.deserialize_keras_object(prior)
        self.prior = prior if prior is not None else self.make_prior()
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)  # training-time randomness (sampling z, corruption)
        self.loss_trackers = [keras.metrics.Mean(name=n) for n in self.loss_names]
        self.make_layers()
        self.build((None, *self.image_shape))  # built at construction, so weights load and training resumes

    @property
    def code_shape(self) -> tuple:
        """The code's shape: (latent_dim,), or (rows, cols, channels) for a grid code (zoo.units.code_shape)."""
        return units.code_shape(self.family, self.backbone, self.image_shape, self.latent_dim,
                                {"hidden": self.hidden})

    # ---- hooks a family overrides -------------------------------------------------------------
    def encoder_out_dim(self) -> int:
        """Width of the encoder's output (a VAE needs mean and log-variance)."""
        return self.latent_dim

    def decoder_in_dim(self) -> int:
        """Width of the decoder's input (a conditional model appends its label)."""
        return self.latent_dim

    def decoder_channels(self) -> int:
        """Channels of the decoder's output: what the likelihood needs per pixel (one logit per channel for
        a Bernoulli)."""
        return self.likelihood.channels(self.image_shape[-1])

    def make_networks(self):
        """(encoder, decoder): images -> encoder_out_dim features, decoder_in_dim codes -> the likelihood's
        parameters per pixel (decoder_channels)."""
        return backbones.build(self.backbone, self.image_shape, self.decoder_in_dim(), self.encoder_out_dim(),
                               self.hidden, out_channels=self.decoder_channels())

    def make_prior(self):
        """The density `sample` draws from when none was given."""
        return priors.StandardNormal(self.latent_dim, name="prior")

    def make_layers(self):
        """Create any extra layers or weights the family needs (state must exist before the model is built)."""

    def code(self, features):
        """Deterministic code from encoder features (the posterior mean for a VAE)."""
        return features

    def features(self, x, labels=None, training=False):
        """The encoder's output for images x (a conditional family also reads the one-hot labels)."""
        return self.encoder(x, training=training)

    def decoder_input(self, z, labels=None):
        """What the decoder reads: the code (a conditional family appends the one-hot label)."""
        return z

    def reconstruction_output(self, x, y=None):
        """The decoder's output (the likelihood's parameters per pixel) for images x decoded from their
        deterministic code; `y` the one-hot labels of a conditional family. What reconstruction metrics score."""
        return self.decoder(self.decoder_input(self.code(self.features(x, y)), y), training=False)

    def one_hot_labels(self, labels, n):
        """Checked one-hot labels (n, classes) for a conditional family; None for the others."""
        if labels is not None:
            raise ValueError(f"{type(self).__name__} is not conditional and takes no labels; "
                             "the conditional family is cvae.")
        return None

    def call(self, x, training=False):
        z = self.code(self.encoder(x, training=training))
        return {"logits": self.decoder(z, training=training), "z": z}

    def loss_terms(self, x, outputs, training=False) -> dict:
        """Named per-example loss terms, shape (N,) each; their sum is the training loss."""
        target = outputs.get("target", x)
        return {"reconstruction": self.reconstruction_nll(target, outputs["logits"])}

    def reconstruction_nll(self, x, decoder_out):
        """-log p(x | z) under the model's likelihood, nats per image (N,), from the decoder's output."""
        return self.likelihood.nll(x, decoder_out)

    # ---- training ------------------------------------------------------------------------------
    def finetune_rate(self) -> float:
        """zoo.finetune's default learning rate for this model: the one its likelihood declares (the logistic
        mixture's was measured on photographs), else the family's, measured on grey images."""
        return self.likelihood.finetune_rate or self.finetune_learning_rate

    def make_optimizer(self, learning_rate):
        """The optimizer `fit` trains this model with: Adam, which a family with a learned critic may give the
        critic's variables their own settings."""
        return keras.optimizers.Adam(learning_rate)

    def xla_on_cpu(self) -> bool:
        """Whether `fit` on a TensorFlow CPU compiles the training step with XLA (`jit_compile`). Measured on
        the zoo's families (scripts/bench.py): 1.1-1.6x faster with the MLP networks in float32, slower for
        bfloat16 ones, 0.7x with convolutions (oneDNN's beat XLA's) and 0.3x for a noisy step. On a GPU Keras
        turns XLA on itself."""
        return self.backbone == "mlp" and not self.noisy_step and precision.of(self) == "float32"

    def build(self, input_shape=None):
        # Encoder, decoder and prior create their weights in __init__; nothing is shape-dependent.
        self.built = True

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        terms = self.loss_terms(x, y_pred, training=training)
        total = None
        for tracker in self.loss_trackers:
            term = terms[tracker.name]
            tracker.update_state(ops.mean(term))
            total = term if total is None else total + term
        for extra in self.losses:  # add_loss / weight regularisers, if any
            total = total + ops.sum(extra)
        # The batch mean through keras.losses' reduction: under tf.distribute it is divided by the replica count
        # (as a compiled Keras loss is), so the replicas' summed gradients are the global batch's mean's.
        return _batch_mean(total, total)

    def _prepare_data(self, x):
        return inputs.as_images(x, self.image_shape) if _is_array_like(x) else x

    def fit(self, x=None, y=None, *args, validation_data=None, **kwargs):
        """Keras `fit` on images only (no targets): arrays are validated and scaled to [0, 1] first. On
        TensorFlow, in-memory arrays are fed through a tf.data pipeline (`zoo.data.array_batches`), which keeps
        the cores busier than Keras' own array adapter; the batches and epochs are the same."""
        if validation_data is not None:
            validation_data = self._prepare_data(validation_data)
        x = self._prepare_data(x)
        if keras.backend.backend() == "tensorflow" and not args and y is None and _plain_fit(x, kwargs):
            batch_size = kwargs.pop("batch_size", None) or 32  # Keras' default
            x = data.array_batches(x, batch_size, kwargs.pop("shuffle", True))
            kwargs.update(shuffle=False)  # the pipeline shuffles
            kwargs.setdefault("validation_batch_size", batch_size)
        return super().fit(x, y, *args, validation_data=validation_data, **kwargs)

    def evaluate(self, x=None, y=None, *args, **kwargs):
        return super().evaluate(self._prepare_data(x), y, *args, **kwargs)

    def frozen_parts(self, which: str) -> list:
        """The layers `zoo.finetune(freeze=which)` holds fixed: "encoder" or "decoder"."""
        return [self.encoder] if which == "encoder" else [self.decoder]

    def log_weights(self, x, labels, k, rng) -> np.ndarray:
        """log p(x, z_i) - log q(z_i | x) for k codes per image (N, k): the importance weights of the IWAE
        bound. Only families with `has_likelihood`."""
        raise TypeError(f"{type(self).__name__} defines no likelihood (has_likelihood is False).")

    def fit_prior(self, x, seed=0, epochs=None, verbose="auto"):
        """Refit the sampler fitted after training (a Gaussian mixture for the plain AE and kin) to the codes of
        images `x`. `epochs` applies to a trained prior (vqvae's PixelCNN); a mixture's EM ignores it.
        `verbose=0` hides the progress bar (shown from progress.MANY_IMAGES images)."""
        if not isinstance(self.prior, priors.GaussianMixture):
            raise TypeError(f"{type(self).__name__}'s prior ({type(self.prior).__name__}) is not fitted to data.")
        with progress.Progress(2, f"Fitting {self.name}'s sampler to the codes of {len(x):,} images", "part",
                               show=verbose != 0 and len(x) >= progress.MANY_IMAGES) as bar:
            codes = self.encode(x)
            bar.advance()
            self.prior.fit(codes, seed=seed)
            bar.advance()
        return self

    @property
    def min_prior_images(self) -> int:
        """How many training images the sampler fitted after training needs (a mixture's components); 0 if none."""
        if self.fitted_prior and isinstance(self.prior, priors.GaussianMixture):
            return self.prior.n_components
        return 0

    def fit_ex_post(self, x, labels=None, components=10, seed=0) -> priors.GaussianMixture:
        """A Gaussian mixture fitted to the codes of images `x`: Ghosh et al.'s ex-post density, for any model
        with a continuous code. The model is unchanged; draw from it with `sample(n, prior=mixture)`."""
        if self.discrete_code:
            raise TypeError(f"{type(self).__name__}'s code is a grid of codebook indices, which a Gaussian "
                            "mixture cannot model; its own prior (a PixelCNN over the indices) is already fitted "
                            "to the training codes.")
        mixture = priors.GaussianMixture(self.latent_dim, components, name="ex_post")
        return mixture.fit(self.encode(x, labels), seed=seed)

    # ---- the user-facing API (numpy in, numpy out) ---------------------------------------------
    def _batched(self, fn, arr, labels, batch_size):
        """fn(batch, its labels or None) over batches of arr, written into one preallocated numpy array."""
        out = None
        for i in range(0, len(arr), batch_size):
            part = ops.convert_to_numpy(fn(arr[i:i + batch_size], None if labels is None else labels[i:i + batch_size]))
            if out is None:
                out = np.empty((len(arr), *part.shape[1:]), part.dtype)
            out[i:i + len(part)] = part
        return out

    def encode(self, x, labels=None, *, batch_size=1000) -> np.ndarray:
        """Images (N, H, W[, C]), uint8 0..255 or float 0..1 -> codes (N, latent_dim), as numpy (a VAE's
        posterior means). `labels` (N integer classes) only for a conditional family.

        Example: `z = zoo.load("vae-mnist").encode(x_test[:100])`  # (100, 16)
        """
        x = inputs.as_images(x, self.image_shape)
        y = self.one_hot_labels(labels, len(x))
        return self._batched(lambda b, yb: self.code(self.features(b, yb)), x, y, batch_size)

    def decode(self, z, labels=None, *, batch_size=1000, pixels=None) -> np.ndarray:
        """Codes (N, latent_dim) -> images (N, H, W, C) float32 in [0, 1]: the likelihood's mean image (the
        Bernoulli means; a logistic mixture's mean). `pixels=rng` (a numpy Generator) draws the pixels from the
        likelihood instead (binary for a Bernoulli, 8-bit for a logistic mixture).

        Example: `m.decode(np.zeros((1, m.latent_dim)))`  # the image at the centre of the code space
        """
        z = inputs.as_codes(z, self.latent_dim)
        y = self.one_hot_labels(labels, len(z))
        if pixels is None:
            read = self.likelihood.mean
        else:
            def read(out):
                return self.likelihood.draw(out, pixels)
        return self._batched(lambda b, yb: read(self.decoder(self.decoder_input(b, yb), training=False)),
                             z, y, batch_size)

    def reconstruct(self, x, labels=None, *, batch_size=1000) -> np.ndarray:
        """decode(encode(x)): images in, images in [0, 1] out, as numpy.

        Example: `x_hat = m.reconstruct(x_test[:8])`
        """
        x = inputs.as_images(x, self.image_shape)
        y = self.one_hot_labels(labels, len(x))
        return self.decode(self.encode(x, y, batch_size=batch_size), y, batch_size=batch_size)

    def sample(self, n, seed=None, prior=None, temperature=1.0, labels=None, pixels=False) -> np.ndarray:
        """Draw `n` images: decode codes drawn from the model's density.

        prior=None uses the model's own density; prior="normal" draws z ~ N(0, I) whatever the model
        (for a plain AE this lands in the holes of its latent space); a fitted density such as
        `fit_ex_post(x_train)` draws from it instead. `temperature` scales the noise;
        1.0 is the model's true sampler. The same `seed` gives the same images. A conditional family
        draws the classes in `labels` (one int or n ints), or classes drawn uniformly when it is None.
        Images are the likelihood's mean images (what the cards' sample metrics score); `pixels=True` draws
        the pixels from the likelihood too (binary for a Bernoulli, 8-bit for a logistic mixture).

        Example: `imgs = zoo.load("cvae-mnist").sample(16, seed=0, labels=7)`  # (16, 28, 28, 1), sixteen 7s
        """
        n = inputs.as_count(n)
        if isinstance(prior, priors.GaussianMixture):
            if prior.dim != self.latent_dim:
                raise ValueError(f"The mixture models {prior.dim}-d codes; this model's codes are "
                                 f"{self.latent_dim}-d. Fit it with this model's fit_ex_post(x_train).")
            density = prior
        elif prior in (None, "model"):
            density = self.prior
        elif prior == "normal":
            density = priors.StandardNormal(self.latent_dim)
        else:
            raise ValueError(f"prior must be None (the model's own), 'model', 'normal' or a mixture from "
                             f"fit_ex_post(x_train); got {prior!r}.")
        temperature = inputs.as_positive_number(temperature, "temperature")
        inputs.check_fits_in_memory(n * int(np.prod(self.image_shape)) * 4, f"sample({n}) of {self.image_shape} images")
        rng = np.random.default_rng(seed)
        if self.conditional and labels is None:
            labels = rng.integers(0, self.num_classes, n)
        y = self.one_hot_labels(labels, n)
        draw = rng if pixels else None

        def codes(m):
            with np.errstate(over="ignore"):  # checked just below, with a message that says what to do
                z = density.sample(m, rng, temperature=temperature)
            if not np.all(np.isfinite(z)):
                raise ValueError(f"temperature={temperature:g} scales the noise past what floats hold (the codes "
                                 "overflow); use a temperature near 1 (1 is the model's own sampler).")
            return z

        if n <= SAMPLE_CHUNK:  # one draw: the numbers on the cards were measured this way
            return self.decode(codes(n), y, pixels=draw)
        out = np.empty((n, *self.image_shape), "float32")  # bounded memory: codes drawn and decoded in chunks
        with progress.Progress(-(-n // SAMPLE_CHUNK), f"Sampling {n:,} images from {self.name}", "chunk") as bar:
            for i in range(0, n, SAMPLE_CHUNK):
                m = min(SAMPLE_CHUNK, n - i)
                out[i:i + m] = self.decode(codes(m), None if y is None else y[i:i + m], pixels=draw)
                bar.advance()
        return out

    # ---- serialisation -------------------------------------------------------------------------
    def get_config(self):
        return {
            "name": self.name,
            "input_shape": list(self.image_shape),
            "latent_dim": self.latent_dim,
            "backbone": self.backbone,
            "hidden": list(self.hidden),
            "prior": keras.saving.serialize_keras_object(self.prior),
            "seed": self.seed,
            **self.likelihood_config(),
        }

    def likelihood_config(self) -> dict:
        """The likelihood's constructor arguments; empty for the default Bernoulli, so the configs of models
        saved before the choice existed read as they were."""
        if self.likelihood.name == "bernoulli":
            return {}
        return {"likelihood": self.likelihood.name, "likelihood_components": self.likelihood.components}


def _plain_fit(x, kwargs) -> bool:
    """True for a fit on in-memory arrays (an array, or a dict of them) that only batches and shuffles them."""
    arrays = x.values() if isinstance(x, dict) else [x]
    return (all(isinstance(a, np.ndarray) for a in arrays) and not kwargs.get("validation_split")
            and not {"sample_weight", "class_weight", "steps_per_epoch"} & set(kwargs))


def _is_array_like(x) -> bool:
    return isinstance(x, (np.ndarray, list)) or (hasattr(x, "shape") and hasattr(x, "dtype")
                                                  and not hasattr(x, "element_spec"))
