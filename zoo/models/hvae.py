"""Hierarchical VAE with two stochastic layers and top-down inference (Ladder VAE, Sønderby et al. 2016).

Generative path: z2 ~ N(0, I), z1 ~ p(z1 | z2) (a small MLP), x ~ p(x | z1). Inference shares it: the encoder's
bottom-up pass gives q(z2 | x) and a bottom-up guess for z1, which is merged with the top-down p(z1 | z2) by
precision weighting into q(z1 | x, z2). Loss = reconstruction + KL(q(z2|x) || N(0, I)) + KL(q(z1|x,z2) ||
p(z1|z2)), both KLs in closed form. With `top_components=K` the top layer's prior is a VampPrior (Tomczak &
Welling 2018: a mixture of q(z2 | u_k) at K learned pseudo-inputs) instead of N(0, I), their HVAE + VampPrior;
its KL is then the one-sample estimate log q(z2|x) - log p(z2). With `warmup_steps`, both KLs are weighted
by a factor rising linearly from 0 to 1 over those training steps (the LVAE paper's warm-up, against layers
that collapse onto the prior); the reported kl terms are the weighted ones until then. A code is (z1, z2)
side by side: `latent_dim` = z1 width + `top_dim`; `decode` reads z1, and `sample` runs the top-down
generative path (the prior `m.prior` is p(z1 | z2) p(z2)).
"""
import keras
import numpy as np
from keras import ops

from zoo.models import losses, precision, priors
from zoo.models.vae import VAE
from zoo.models.vamp import VampPrior
from zoo.registry import register_family


def split_gaussian(h):
    mean, log_var = ops.split(h, 2, axis=-1)
    return mean, ops.clip(log_var, -30.0, 20.0)

def gaussian_kl_between(mean_q, log_var_q, mean_p, log_var_p):
    """KL(N(mean_q, var_q) || N(mean_p, var_p)) of diagonal Gaussians, summed over the last axis."""
    return 0.5 * ops.sum(log_var_p - log_var_q + (ops.exp(log_var_q) + ops.square(mean_q - mean_p))
                         * ops.exp(-log_var_p) - 1.0, axis=-1)

@keras.saving.register_keras_serializable(package="zoo")
class TopDownPrior(keras.layers.Layer):
    """p(z1, z2) = p(z1 | z2) p(z2) over codes (z1, z2) side by side; p(z1 | z2) is a Gaussian MLP, p(z2) is
    N(0, I), or a VampPrior over K pseudo-inputs of `image_shape` when `top_components` = K > 0."""

    def __init__(self, bottom_dim, top_dim, hidden=256, top_components=0, image_shape=(28, 28, 1), **kwargs):
        """Args:
            bottom_dim, top_dim: widths of z1 and z2.
            hidden: width of the MLP giving p(z1 | z2).
            top_components: 0 for p(z2) = N(0, I); K for a VampPrior over K pseudo-inputs.
            image_shape: the images' shape (for the pseudo-inputs).
            **kwargs: keras.layers.Layer arguments.
        """
        super().__init__(**precision.float32_kwargs(kwargs))
        self.bottom_dim, self.top_dim, self.units = int(bottom_dim), int(top_dim), int(hidden)
        self.top_components, self.image_shape = int(top_components), tuple(int(s) for s in image_shape)
        self.dim = self.bottom_dim + self.top_dim
        self.top = (VampPrior(self.top_dim, self.top_components, self.image_shape, name="top")
                    if self.top_components > 0 else priors.StandardNormal(self.top_dim, name="top"))
        self.net = keras.Sequential([keras.Input((self.top_dim,)),
                                     keras.layers.Dense(self.units, activation="relu"),
                                     keras.layers.Dense(self.units, activation="relu"),
                                     keras.layers.Dense(2 * self.bottom_dim), *precision.float32_output()], name="top_down")

    def describe(self) -> str:
        return self.describe_config(self.get_config())

    @staticmethod
    def describe_config(config: dict) -> str:
        k = config.get("top_components", 0)
        top = (VampPrior.describe_config({"components": k}) if k else
               priors.StandardNormal.describe_config({"dim": config["top_dim"]}))
        return f"top down: z2 from {top}, then z1 from p(z1 | z2), a Gaussian MLP"

    def conditional(self, z2):
        """(mean, log_var) of p(z1 | z2)."""
        return split_gaussian(self.net(z2))

    def log_prob(self, z):
        z = ops.convert_to_tensor(z)
        z1, z2 = z[:, : self.bottom_dim], z[:, self.bottom_dim:]
        mean, log_var = self.conditional(z2)
        return priors.gaussian_log_density(z1, mean, log_var) + self.top.log_prob(z2)

    def sample(self, n, rng: np.random.Generator, temperature=1.0) -> np.ndarray:
        z2 = self.top.sample(n, rng, temperature)
        mean, log_var = (ops.convert_to_numpy(t) for t in self.conditional(z2))
        z1 = mean + temperature * np.exp(0.5 * log_var) * rng.standard_normal(mean.shape)
        return np.concatenate([z1, z2], axis=1).astype("float32")

    def get_config(self):
        return {**super().get_config(), "bottom_dim": self.bottom_dim, "top_dim": self.top_dim,
                "hidden": self.units, "top_components": self.top_components, "image_shape": list(self.image_shape)}

@register_family("hvae")
@keras.saving.register_keras_serializable(package="zoo")
class HVAE(VAE):
    loss_names = ("reconstruction", "kl_top", "kl_bottom")
    takes_free_bits = False

    def __init__(self, *args, top_dim=8, warmup_steps=0, top_components=0, **kwargs):
        """Args:
            top_dim: width of z2 (latent_dim counts z1 and z2, so z1 has latent_dim - top_dim units).
            warmup_steps: steps over which the KL terms' weight grows from 0 to 1 (0: no warm-up).
            top_components: 0 for p(z2) = N(0, I); K for a VampPrior over K pseudo-inputs.
            *args, **kwargs: as for VAE.
        """
        self.top_dim, self.warmup_steps, self.top_components = int(top_dim), int(warmup_steps), int(top_components)
        latent_dim = int(kwargs.get("latent_dim", args[1] if len(args) > 1 else 16))
        if latent_dim <= self.top_dim:
            raise ValueError(f"latent_dim ({latent_dim}) is z1 and z2 together; it must exceed top_dim "
                             f"({self.top_dim}).")
        super().__init__(*args, **kwargs)

    @property
    def bottom_dim(self):
        return self.latent_dim - self.top_dim

    def encoder_out_dim(self):  # bottom-up: (mean, log_var) for z1's guess and for q(z2 | x)
        return 2 * self.latent_dim

    def decoder_in_dim(self):
        return self.bottom_dim

    def make_prior(self):
        return TopDownPrior(self.bottom_dim, self.top_dim, top_components=self.top_components,
                            image_shape=self.image_shape, name="prior")

    def make_layers(self):
        if isinstance(self.prior.top, VampPrior):  # q(z2 | u_k) at the pseudo-inputs: the bottom-up top posterior
            self.prior.top.bind(lambda u: self.bottom_up(self.encoder(u))[1])
        # training steps seen, for the KL warm-up (a weight, so it is saved and resumes)
        self.step = self.add_weight(shape=(), initializer="zeros", trainable=False, name="step")

    def kl_weight(self):
        """The KL terms' weight: step / warmup_steps, capped at 1 (always 1 without warm-up)."""
        if self.warmup_steps <= 0:
            return 1.0
        return ops.minimum(ops.convert_to_tensor(self.step) / self.warmup_steps, 1.0)

    def decoder_input(self, z, labels=None):
        return z[:, : self.bottom_dim]

    # ---- inference ----
    def posterior(self, features):
        raise TypeError("hvae has a posterior per layer: bottom_up gives q(z2 | x), merge gives q(z1 | x, z2).")

    def bottom_up(self, features):
        """(mean, log_var) of the bottom-up guess for z1, then of q(z2 | x)."""
        f1, f2 = features[:, : 2 * self.bottom_dim], features[:, 2 * self.bottom_dim:]
        return split_gaussian(f1), split_gaussian(f2)

    def merge(self, guess, z2):
        """q(z1 | x, z2): precision-weighted product of the bottom-up guess and p(z1 | z2); also returns p."""
        (m_hat, lv_hat), (m_p, lv_p) = guess, self.prior.conditional(z2)
        prec_hat, prec_p = ops.exp(-lv_hat), ops.exp(-lv_p)
        var = 1.0 / (prec_hat + prec_p)
        return (var * (m_hat * prec_hat + m_p * prec_p), ops.log(var)), (m_p, lv_p)

    def code(self, features):
        """Deterministic code: z2 = its posterior mean, then z1 = the posterior mean given that z2."""
        guess, (m2, _) = self.bottom_up(features)
        (m1, _), _ = self.merge(guess, m2)
        return ops.concatenate([m1, m2], axis=-1)

    def call(self, x, training=False):
        x = self.binarize(x, training)
        guess, (m2, lv2) = self.bottom_up(self.encoder(x, training=training))
        z2 = m2 + ops.exp(0.5 * lv2) * keras.random.normal(ops.shape(m2), seed=self.seed_generator)
        (m1, lv1), (mp, lvp) = self.merge(guess, z2)
        z1 = m1 + ops.exp(0.5 * lv1) * keras.random.normal(ops.shape(m1), seed=self.seed_generator)
        if training:
            self.step.assign(self.step + 1.0)
        return {"logits": self.decoder(z1, training=training), "target": x, "z": ops.concatenate([z1, z2], -1),
                "q1": (m1, lv1), "p1": (mp, lvp), "q2": (m2, lv2), "z2": z2}

    def kl_top(self, outputs):
        """KL(q(z2 | x) || p(z2)): closed form against N(0, I), else the one-sample estimate at z2."""
        if isinstance(self.prior.top, priors.StandardNormal):
            return losses.gaussian_kl(*outputs["q2"])
        return priors.gaussian_log_density(outputs["z2"], *outputs["q2"]) - self.prior.top.log_prob(outputs["z2"])

    def loss_terms(self, x, outputs, training=False):
        return {"reconstruction": self.reconstruction_nll(outputs["target"], outputs["logits"]),
                "kl_top": self.kl_weight() * self.kl_top(outputs),
                "kl_bottom": self.kl_weight() * gaussian_kl_between(*outputs["q1"], *outputs["p1"])}

    # ---- likelihood estimators (see VAE.log_weights) ----
    def _posterior_draws(self, x, k, rng):
        """k draws of (z1, z2) ~ q(z1 | x, z2) q(z2 | x) per image, with log q; shapes (N*k, .) and (N, k)."""
        guess, (m2, lv2) = self.bottom_up(self.features(x))
        n = ops.shape(m2)[0]
        rep = lambda t: ops.repeat(t, k, axis=0)  # noqa: E731
        guess, m2, lv2 = (rep(guess[0]), rep(guess[1])), rep(m2), rep(lv2)
        noise = lambda d: ops.convert_to_tensor(rng.standard_normal((n * k, d)).astype("float32"))  # noqa: E731
        z2 = m2 + ops.exp(0.5 * lv2) * noise(self.top_dim)
        (m1, lv1), _ = self.merge(guess, z2)
        z1 = m1 + ops.exp(0.5 * lv1) * noise(self.bottom_dim)
        log_q = priors.gaussian_log_density(z1, m1, lv1) + priors.gaussian_log_density(z2, m2, lv2)
        return ops.concatenate([z1, z2], -1), ops.reshape(log_q, (n, k))

    def log_weights(self, x, labels, k, rng) -> np.ndarray:
        z, log_q = self._posterior_draws(x, k, rng)
        n = len(x)
        log_px = -self.reconstruction_nll(np.repeat(x, k, axis=0), self.decoder(self.decoder_input(z), training=False))
        log_pz = self.prior.log_prob(z)
        return ops.convert_to_numpy(ops.reshape(log_px + log_pz, (n, k)) - log_q)

    def elbo_terms(self, x, labels, rng):
        z, log_q = self._posterior_draws(x, 1, rng)
        rec = self.reconstruction_nll(x, self.decoder(self.decoder_input(z), training=False))
        kl = log_q[:, 0] - self.prior.log_prob(z)  # one-sample estimate of both KLs together
        return ops.convert_to_numpy(rec), ops.convert_to_numpy(kl)

    def get_config(self):
        return {**super().get_config(), "top_dim": self.top_dim, "warmup_steps": self.warmup_steps,
                "top_components": self.top_components}
