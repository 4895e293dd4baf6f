"""Helpers for the reliability suite: what a careless user and a hostile file would do to the zoo."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def user_files(folder: Path) -> dict:
    """Put a user's files in `folder` (made if needed); returns {path: bytes} to check they survive."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {folder / "thesis.tex": b"\\documentclass{article} years of work", folder / "notes.txt": b"keep me"}
    for path, content in files.items():
        path.write_bytes(content)
    return files


def intact(files: dict) -> bool:
    return all(p.is_file() and p.read_bytes() == b for p, b in files.items())


def blobs(n, seed=0, size=28):
    """n structured uint8 images (bright blobs at random places)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:size, :size]
    cy, cx = rng.uniform(6, size - 6, (2, n, 1, 1))
    return (255 * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / 18.0)).astype("uint8")


@pytest.fixture(scope="session")
def tiny_data(tmp_path_factory):
    """A ZOO_DATA_DIR with small 'mnist' arrays, so a registry recipe trains in seconds in a subprocess."""
    d = tmp_path_factory.mktemp("zoo-data")
    x, y = blobs(2400, seed=1), np.arange(2400) % 10
    np.savez(d / "mnist.npz", x_train=x[:2000], y_train=y[:2000], x_test=x[2000:], y_test=y[2000:])
    return d


def run_zoo(args, env_extra=None, wait=True, timeout=300):
    """Run the `zoo` command in a fresh Python (as a user's shell would); returns the CompletedProcess or Popen."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env_extra or {})}
    cmd = [sys.executable, "-m", "zoo.cli", *map(str, args)]
    if not wait:
        return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, timeout=timeout)
