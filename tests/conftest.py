"""Test setup: quiet TensorFlow, and point TFDS at the offline datasets beside the repo when present."""
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
_shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "tensorflow_datasets"
if "TFDS_DATA_DIR" not in os.environ and _shared.is_dir():
    os.environ["TFDS_DATA_DIR"] = str(_shared)
