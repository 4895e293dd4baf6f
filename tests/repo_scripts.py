"""The repository's maintainer scripts (scripts/*.py) as modules, for tests that call their functions."""
import importlib.util
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load(name: str):
    """scripts/<name>.py, imported under its own name without putting scripts/ on the path."""
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
