"""Progress bars for the zoo's long operations (scoring a model, large sampling, fitting a sampler, rendering a
dataset): Keras' `Progbar`, as `fit` shows one. Only the outermost operation draws a bar, so work nested inside
it (the sampling inside an evaluation) adds none. In a terminal or notebook the bar moves; elsewhere (a log
file) one line is written when the work ends. Turn them off with `zoo.progress.set_enabled(False)` or
`ZOO_PROGRESS=0`."""
from __future__ import annotations

import os
import sys

_state = {"enabled": os.environ.get("ZOO_PROGRESS", "1") != "0", "depth": 0}
MANY_IMAGES = 20_000  # work on at least this many images (encoding for a sampler, rendering) shows a bar


def interactive() -> bool:
    """Whether output goes to a terminal or a notebook, where a bar can move in place."""
    return (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "ipykernel" in sys.modules


def fit_verbosity(verbose):
    """Keras `fit`'s verbosity for the zoo's "auto": the moving bar (1) in a terminal or notebook, one line per
    epoch (2) in a log file or a pipe, where a bar's redraws would pile up as lines; other values unchanged."""
    return (1 if interactive() else 2) if verbose == "auto" else verbose


def set_enabled(enabled: bool) -> bool:
    """Show progress bars or not; returns the previous setting."""
    previous, _state["enabled"] = _state["enabled"], bool(enabled)
    return previous


class Progress:
    """A labelled bar over `total` steps, used as a context: `with Progress(n, "Sampling ...") as bar:
    bar.advance()`. `show=False` (or a bar already open) makes it silent."""

    def __init__(self, total: int, label: str, unit: str = "step", show: bool = True):
        self.total, self.label, self.unit, self.done = int(total), label, unit, 0
        self.show, self.bar = show, None

    def __enter__(self):
        _state["depth"] += 1
        if self.show and _state["enabled"] and _state["depth"] == 1 and self.total > 0:
            import keras

            print(self.label, flush=True)
            self.bar = keras.utils.Progbar(self.total, verbose=1 if interactive() else 2, unit_name=self.unit)
        return self

    def advance(self, steps: int = 1):
        self.done = min(self.total, self.done + steps)
        if self.bar is not None:
            self.bar.update(self.done)

    def log(self, *_):
        """A `log` callback for the functions that take one: each call is one step done."""
        self.advance()

    def __exit__(self, *exc):
        _state["depth"] -= 1
        if self.bar is not None and exc[0] is None and self.done < self.total:
            self.bar.update(self.total)  # the work ended early (a section skipped): close the bar
        return False
