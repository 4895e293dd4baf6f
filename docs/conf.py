"""Sphinx configuration of the zoo's documentation site: MyST Markdown pages (the docs/*.md files), the
quickstart notebook as stored (myst-nb, not executed at build time), the API reference from the docstrings
(autodoc with napoleon for their `Args:` sections), the CLI reference from the real parser (sphinx-argparse),
and a page per checkpoint and per family written from the cards when the build starts.

Build: pip install -e ".[docs]" && python -m sphinx -W docs docs/_build  (then open docs/_build/index.html)
"""
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))  # the zoo of this checkout, installed or not
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

project = "zoo"
author = "the zoo's authors"
copyright = "2026, the zoo's authors"
extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinxarg.ext"]
html_theme = "furo"
html_title = "zoo: Keras autoencoders by name"
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}
# benchmark.md is the benchmark record's tables, shown inside speed.md; _build is the output
exclude_patterns = ["_build", "jupyter_execute", "benchmark.md", "finetune/*", "**/.ipynb_checkpoints"]
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_heading_anchors = 3
nb_execution_mode = "off"  # the notebook is shown as stored: its test executes it, the site does not
default_role = "literal"  # the docstrings write code in single backticks, as Markdown does
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
suppress_warnings = ["myst.header"]  # pages moved from one long README keep their heading levels
nitpicky = False


def _write_model_pages(app):
    from zoo.cards import doc_pages

    doc_pages.write_pages(DOCS)


def setup(app):
    app.connect("builder-inited", _write_model_pages)
