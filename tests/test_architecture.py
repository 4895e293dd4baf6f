"""The package's imports point one way, from the command line down to the file format, and never in a circle.

Every import in zoo/ counts, at module level or inside a function. LAYERS lists the modules from the top; a
module may import its own layer's or lower layers' modules only (and no circles within a layer).
"""
import ast
from pathlib import Path

import pytest

ZOO = Path(__file__).resolve().parents[1] / "zoo"

LAYERS = [
    ["zoo.cli"],
    ["zoo"],  # the package: `list_models` eagerly, the api lazily
    ["zoo.api"],  # the front door: nothing inside the zoo imports it
    ["zoo.own_images", "zoo.comparison", "zoo.explorer"],
    ["zoo.training", "zoo.export", "zoo.measuring"],
    ["zoo.writer"],  # the one checkpoint writer
    ["zoo.cards", "zoo.evaluation", "zoo.latent_picture"],
    ["zoo.metrics", "zoo.classifiers", "zoo.factor_metrics"],
    ["zoo.loader"],
    ["zoo.hub"],
    ["zoo.factory"],
    ["zoo.models"],  # zoo.models and zoo.models.*: the families, their base class and parts
    ["zoo.checkpoints", "zoo.plots", "zoo.data", "zoo.distribute", "zoo.provenance",
     "zoo.machine"],
    ["zoo.card"],  # the card's schema
    ["zoo.recipes"],  # zoo.recipes and its per-family modules
    ["zoo.runs", "zoo.catalogue"],  # the settings of a run on your images; the metric catalogue
    ["zoo.registry", "zoo.datasets", "zoo.outputs", "zoo.inputs", "zoo.names", "zoo.units", "zoo.version"],
    ["zoo.renderers"],  # the datasets the zoo draws itself, numpy only
    ["zoo.progress", "zoo.stderr_filter"],  # the terminal: progress bars, TensorFlow's native log lines filtered
]


def module_name(path: Path) -> str:
    parts = path.relative_to(ZOO.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in ZOO.rglob("*.py")}


def imports(name: str) -> set[str]:
    """The zoo modules `name` imports, anywhere in it (`from zoo.models import priors` is zoo.models.priors)."""
    out = set()
    for node in ast.walk(ast.parse(MODULES[name].read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "zoo"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "zoo":
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if sub in MODULES else node.module)
    return out - {name}


def layer(name: str) -> int:
    for i, names in enumerate(LAYERS):
        if any(name == n or (n != "zoo" and name.startswith(n + ".")) for n in names):
            return i
    raise AssertionError(f"{name} is in no layer: add it to LAYERS in {__file__}")


def test_every_module_has_a_layer():
    for name in MODULES:
        layer(name)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_one_above_it(name):
    above = sorted(m for m in imports(name) if layer(m) < layer(name))
    assert not above, f"{name} (layer {layer(name)}) imports {above} from above it"


def test_no_import_cycles():
    graph = {name: imports(name) & set(MODULES) for name in MODULES}
    state = {}

    def visit(node, path):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycle = path[path.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, path + [nxt])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])


def test_the_checker_reads_imports_and_layers():
    assert "zoo.hub" in imports("zoo.loader")  # it reads imports
    assert layer("zoo.api") < layer("zoo.loader") < layer("zoo.hub") < layer("zoo.checkpoints")
    assert layer("zoo.models.vae") == layer("zoo.models")


def test_every_package_ships_in_the_wheel():
    """A pip install has only what pyproject.toml lists: every package under zoo/ must be there."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    listed = set(tomllib.loads((ZOO.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    packages = {module_name(p.parent / "__init__.py") for p in ZOO.rglob("__init__.py")}
    assert packages <= listed, sorted(packages - listed)
