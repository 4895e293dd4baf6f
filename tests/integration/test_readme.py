"""Every code block of the README runs as written, in order, in an empty folder: the Python blocks in one
namespace, and each `zoo` command of the shell blocks (but the quick start's install and test lines, which CI
itself runs, and `zoo explore`, a server the explorer's browser test drives)."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCK = re.compile(r"^```(python|bash)\n(.*?)^```", re.S | re.M)


def blocks():
    return BLOCK.findall(README.read_text())


def zoo_lines(code: str) -> list[str]:
    """The `zoo` commands of a shell block, in order (also those after `pip install ... &&`)."""
    parts = [part.strip() for line in code.splitlines() for part in line.split("  #")[0].split("&&")]
    return [part for part in parts if part.startswith("zoo ") and not part.startswith("zoo explore")]


def test_the_readme_has_python_and_shell_blocks_and_stays_short():
    kinds = [kind for kind, _ in blocks()]
    assert kinds.count("python") >= 2 and kinds.count("bash") >= 2
    assert len(README.read_text().splitlines()) <= 200
    assert "pip install -e . && zoo sample" in blocks()[0][1]  # the fresh-machine commands come first


@pytest.mark.slow
def test_every_readme_block_runs_as_written(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "readme"}
    ran = []
    for kind, code in blocks():
        if kind == "python":
            exec(compile(code, "README.md", "exec"), namespace)
            ran.append("python")
            continue
        for line in zoo_lines(code):
            args = shlex.split(line)[1:]
            if args[0] == "sample":
                args += ["-n", "16"]  # the quick start's 64 digits take longer than they show
            done = subprocess.run([sys.executable, "-m", "zoo.cli", *args], capture_output=True, text=True,
                                  env={**os.environ, "MPLBACKEND": "Agg"}, timeout=600)
            assert done.returncode == 0, f"{line}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
            ran.append(args[0])
    assert ran.count("python") == len([k for k, _ in blocks() if k == "python"])
    assert {"sample", "finetune", "compare", "info"} <= set(ran)
    for made in ("samples.png", "digit.png", "my_compare.png", "my_latent.png", "my_compare_cli.png"):
        assert (tmp_path / made).stat().st_size > 1000, made
    for folder in ("my-vae", "my-dae", "my-vae-cli"):
        assert (tmp_path / folder / "card.json").is_file()
