"""Data-parallel training on this CPU split into two devices, and a two-process JAX cluster on 127.0.0.1.

Each run is a process of its own: the device count and the cluster are fixed when a backend starts.
"""
import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from zoo import data

ROOT = Path(__file__).resolve().parents[2]
TOLERANCE = 0.01  # two devices' final loss within 1% of one device's at the same global batch


@pytest.fixture(scope="module")
def small_mnist(tmp_path_factory):
    """mnist.npz with 2,048 training and 512 test images (a ZOO_DATA_DIR), and the training images."""
    folder = tmp_path_factory.mktemp("data")
    (x, y), (xt, yt) = data.load_split("mnist", "train"), data.load_split("mnist", "test")
    np.savez(folder / "mnist.npz", x=x[:2048], x_train=x[:2048], y_train=y[:2048], x_test=xt[:512],
             y_test=yt[:512])
    return folder


def run(args, backend, **env):
    environ = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3", **env}
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environ, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_two_devices_train_to_the_losses_of_one(backend, small_mnist):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    proc = run(["tests/distributed_run.py", str(small_mnist / "mnist.npz")], backend)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["devices"] == [1, 2]
    one, two = result["loss"]
    assert one[-1] < one[0]  # it learned
    assert abs(two[-1] - one[-1]) <= TOLERANCE * one[-1], (one, two)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_jax_cluster_writes_one_checkpoint(small_mnist, tmp_path):
    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    addresses = f"127.0.0.1:{free_port()},127.0.0.1:{free_port()}"
    procs = [run(["-m", "zoo.cli", "train", "vae-mnist", "--distribute", "--epochs", "2", "--out", str(tmp_path)],
                 "jax", ZOO_DATA_DIR=str(small_mnist), KERAS_DISTRIBUTION_JOB_ADDRESSES=addresses,
                 KERAS_DISTRIBUTION_NUM_PROCESSES="2", KERAS_DISTRIBUTION_PROCESS_ID=str(i)) for i in range(2)]
    outputs = []
    for proc in procs:
        try:
            outputs.append(proc.communicate(timeout=600))
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            raise
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
    assert "written to" in outputs[0][0] and "written to" not in outputs[1][0]
    card = json.loads((tmp_path / "vae-mnist" / "card.json").read_text())
    assert card["training"]["hosts"] == 2 and card["training"]["devices"] == 2 and card["training"]["epochs"] == 2
    assert card["metrics"]["images"] == 512
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert left == ["vae-mnist"], left  # no work folder of either process is left behind
