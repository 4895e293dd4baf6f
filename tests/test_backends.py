"""Run the unit tests again under every other installed Keras backend (JAX, PyTorch), side by side.

Both runs start as soon as the suite is collected (tests/conftest.py), beside the default-backend run: each
process uses one to one and a half of the two cores, so side by side they finish in far less time than one
after another. Tests that never reach backend code (`pytest.mark.backend_agnostic`) are left out of them, and so
are tests that reach it only through paths other tests run on every backend (`pytest.mark.one_backend`: a
script end to end, a whole scoring pipeline).
"""
import importlib.util
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["jax", "torch"]


PROCS: dict = {}


def start():
    """Start a unit-test run per installed backend (once), writing its output to a temp file."""
    if PROCS or os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow":
        return
    for backend in BACKENDS:
        if importlib.util.find_spec(backend) is None:
            continue
        # One thread each, so the runs beside it leave the default-backend run (the longest) its share of a
        # small machine's cores.
        env = {**os.environ, "KERAS_BACKEND": backend, "OMP_NUM_THREADS": "1",
               "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
        log = tempfile.TemporaryFile("w+")
        PROCS[backend] = (subprocess.Popen(
            [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not backend_agnostic and not one_backend",
             "tests/unit"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True), log)


@pytest.fixture(scope="module")
def runs():
    """{backend: (returncode, output)} of the runs `start` began, when all have ended."""
    start()
    out = {}
    for backend, (proc, log) in PROCS.items():
        try:
            proc.wait(timeout=1500)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.seek(0)
        out[backend] = (proc.returncode, log.read())
    return out


@pytest.mark.skipif(os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
                    reason="launched from the default-backend run only")
@pytest.mark.parametrize("backend", BACKENDS)
def test_unit_tests_pass_on_backend(backend, runs):
    if backend not in runs:
        pytest.skip(f"{backend} is not installed (pip install {'jax' if backend == 'jax' else 'torch'})")
    code, text = runs[backend]
    assert code == 0, text[-6000:]
    assert " passed" in text.splitlines()[-1], text[-2000:]
