"""Test setup, run before anything imports huggingface_hub or TensorFlow.

- Quiet TensorFlow; point TFDS at the offline datasets beside the repo when present, and ZOO_DATA_DIR at the
  CIFAR-10 copy beside it (its archive unpacked once per run into a temp folder, as a cifar10/train|test tree;
  decoded arrays cached in another, ZOO_CACHE_DIR).
- Keep models out of XLA (`ZOO_XLA=0`): hundreds of tiny fits would spend minutes compiling; the tests that
  check the XLA path turn it back on.
- Start the Hub stand-in (tests/hub_server.py) on 127.0.0.1 and point huggingface_hub at it with a
  throw-away HF_HOME, so no test can reach the real Hub; it stops when the session ends.
"""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.hub_server import FakeHub

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("ZOO_XLA", "0")
_shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "tensorflow_datasets"
if "TFDS_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["TFDS_DATA_DIR"] = str(_shared)


def _unpack_cifar10(archive: Path) -> None:
    """cifar10-jpeg.tar.gz (one top folder holding train/ and test/) as ZOO_DATA_DIR/cifar10, for this run."""
    import tarfile

    root = tempfile.mkdtemp(prefix="zoo-tests-data-")
    atexit.register(shutil.rmtree, root, True)
    with tarfile.open(archive) as tar:
        tar.extractall(root, filter="data")
    (top,) = [p for p in Path(root).iterdir() if p.is_dir()]
    top.rename(Path(root) / "cifar10")
    cache = tempfile.mkdtemp(prefix="zoo-tests-cache-")
    atexit.register(shutil.rmtree, cache, True)
    os.environ.update({"ZOO_DATA_DIR": root, "ZOO_CACHE_DIR": cache})


_cifar10 = _shared.parent / "cifar10-jpeg.tar.gz"
if "ZOO_DATA_DIR" not in os.environ and _cifar10.is_file():
    _unpack_cifar10(_cifar10)

HUB = FakeHub().start()
_HF_HOME = tempfile.mkdtemp(prefix="zoo-tests-hf-")
atexit.register(HUB.stop)
atexit.register(shutil.rmtree, _HF_HOME, True)
os.environ.update({"HF_ENDPOINT": HUB.url, "HF_HOME": _HF_HOME, "HF_HUB_CACHE": os.path.join(_HF_HOME, "hub"),
                   "HF_TOKEN": "hf_test_token", "HF_HUB_DISABLE_TELEMETRY": "1",
                   "HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_HUB_ETAG_TIMEOUT": "5",
                   "HF_HUB_DOWNLOAD_TIMEOUT": "5"})
os.environ.pop("HF_HUB_OFFLINE", None)


@pytest.fixture
def hub():
    """The running Hub stand-in (shared by the session; tests use their own repo names and caches)."""
    return HUB


def pytest_collection_modifyitems(config, items):
    """The integration tests (shipped checkpoints, the Hub stand-in) and the other-backend runs take minutes:
    mark them slow, so `pytest -m "not slow"` is the quick loop."""
    for item in items:
        path = str(item.fspath)
        if "/tests/integration/" in path or path.endswith("test_backends.py"):
            item.add_marker(pytest.mark.slow)


def pytest_collection_finish(session):
    """Start the other-backend runs now, so they run beside this one (see tests/test_backends.py)."""
    if any(item.fspath.basename == "test_backends.py" for item in session.items):
        from tests import test_backends

        test_backends.start()
