"""Where a card was made: the machine, the backend and package versions, the zoo's version and git commit, when.
Every writer records it (zoo.writer), so a number on a card can be traced to the code and hardware behind it."""
from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

from zoo import card, machine
from zoo.version import __version__


def record() -> card.Provenance:
    """What every card records of where it was made: hardware, code version, time (UTC)."""
    return card.Provenance(code_version(), hardware(),
                           datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"))


def code_version() -> card.CodeVersion:
    """The zoo's version and the git commit of its code (dirty: uncommitted changes under zoo/). Outside a git
    checkout (a copy on a training machine), ZOO_GIT_COMMIT names the commit the copy was made from."""
    repo = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10).stdout.strip() or None
        dirty = bool(subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "zoo"],
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = None, None
    if commit is None and os.environ.get("ZOO_GIT_COMMIT"):
        commit, dirty = os.environ["ZOO_GIT_COMMIT"], None
    return card.CodeVersion(__version__, commit, dirty)


def hardware() -> card.Hardware:
    import importlib.metadata as md

    import keras

    versions = {}
    for pkg in ("keras", "tensorflow", "jax", "torch", "numpy"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return card.Hardware(cpu_count=os.cpu_count(), keras_backend=keras.backend.backend(), versions=versions,
                         platform=platform.platform(), processor=platform.machine(), accelerator=accelerator(),
                         cpu_model=machine.cpu_model(), native_bfloat16=machine.native_bfloat16())


def accelerator() -> str | None:
    """The GPU the backend trains on (e.g. 'NVIDIA H200'), or None on a CPU."""
    import keras

    try:
        backend = keras.backend.backend()
        if backend == "jax":
            import jax

            names = [d.device_kind for d in jax.devices() if d.platform != "cpu"]
        elif backend == "torch":
            import torch

            names = [torch.cuda.get_device_name(0)] if torch.cuda.is_available() else []
        else:
            import tensorflow as tf

            names = [d.name for d in tf.config.list_physical_devices("GPU")]
    except Exception:  # a hardware note must never stop a training run
        return None
    return names[0] if names else None
