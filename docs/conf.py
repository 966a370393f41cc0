"""Sphinx configuration of the skgmm_em documentation.

Build (from the repository root, warnings as errors)::

    python -m sphinx -W --keep-going -b html docs docs/_build/html

The Markdown pages are read by MyST, the docstrings by numpydoc, and the
gallery is made by sphinx-gallery from ``examples/plot_*.py``. Set
``SKGMM_EM_DOCS_PLOT_GALLERY=0`` to build the gallery pages without running
the examples (the test suite does; it runs the examples elsewhere).
"""

import importlib
import inspect
import os
import re
import shutil
from pathlib import Path

import skgmm_em

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent

project = "skgmm_em"
author = "the skgmm_em developers"
copyright = "the skgmm_em developers, BSD-3-Clause"
release = skgmm_em.__version__
version = release

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # MathJax from the installed package, copied into _static/mathjax: the
    # formulas render without a network (no CDN).
    "sphinx-mathjax-offline",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "_gallery_src",
    "gallery_header.rst",
    "**.ipynb_checkpoints",
]

# MyST: $...$ and $$...$$ math, ::: fences, and anchors for ## headings so
# that pages can link to [a section](page.md#section).
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# autodoc / autosummary / numpydoc
autosummary_ignore_module_all = False
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# HTML
html_theme = "pydata_sphinx_theme"
html_title = f"skgmm_em {release}"
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_sidebars = {"install": [], "quickstart": [], "cli": []}
html_show_sourcelink = False


# ----------------------------------------------------------------------
# The gallery.
#
# sphinx-gallery wants a header file in the examples folder; the gallery's
# header lives with the docs (gallery_header.rst), so the examples are
# staged with it in _gallery_src (excluded from the build, not committed).


def _stage_examples():
    staged = DOCS / "_gallery_src"
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir()
    shutil.copyfile(DOCS / "gallery_header.rst", staged / "GALLERY_HEADER.rst")
    for example in sorted((ROOT / "examples").glob("plot_*.py")):
        shutil.copy2(example, staged / example.name)
    return staged


_plot_gallery = os.environ.get("SKGMM_EM_DOCS_PLOT_GALLERY", "1") != "0"

sphinx_gallery_conf = {
    "examples_dirs": str(_stage_examples()),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": _plot_gallery,
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "matplotlib_animations": False,
    "remove_config_comments": True,
    "show_memory": False,
    "doc_module": ("skgmm_em",),
    # For the "Examples using ..." lists on the API pages.
    "backreferences_dir": "generated/backreferences",
}
if not _plot_gallery:
    # Without a run there is no timing table worth writing.
    sphinx_gallery_conf["write_computation_times"] = False


# ----------------------------------------------------------------------
# The API reference lists everything in skgmm_em.__all__ and the public
# modules. The tables are computed here, so that they follow the package,
# into _api_tables.md, which api.md includes and autosummary reads to make
# the stub pages (it reads files, not the parsed documents).

PUBLIC_MODULES = [
    "skgmm_em.initialization",
    "skgmm_em.model_selection",
    "skgmm_em.persistence",
    "skgmm_em.datasets",
    "skgmm_em.plotting",
    "skgmm_em.exceptions",
]


def _autosummary(title, names):
    # The pages use the templates in _templates/autosummary/.
    lines = [f"## {title}", "", "```{eval-rst}", ".. autosummary::"]
    lines += ["   :toctree: generated", "   :nosignatures:", ""]
    lines += [f"   {name}" for name in names]
    lines += ["```", ""]
    return lines


def _api_tables():
    classes, functions, modules = [], [], []
    for name in skgmm_em.__all__:
        obj = getattr(skgmm_em, name)
        if inspect.ismodule(obj):
            modules.append(obj.__name__)
        elif inspect.isclass(obj):
            classes.append(f"skgmm_em.{name}")
        elif callable(obj):
            functions.append(f"skgmm_em.{name}")
        # __version__ and other constants are described in the prose.
    for name in PUBLIC_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            continue  # not written yet
        if name not in modules:
            modules.append(name)
    lines = ["% Written by conf.py from skgmm_em.__all__: do not edit.", ""]
    if classes:
        lines += _autosummary("Classes", classes)
    if functions:
        lines += _autosummary("Functions", functions)
    lines += _autosummary("Modules", modules)
    return "\n".join(lines)


API_TABLES = "_api_tables.md"
(DOCS / API_TABLES).write_text(_api_tables(), encoding="utf-8")
exclude_patterns.append(API_TABLES)
autosummary_generate = [str(path.relative_to(DOCS)) for path in DOCS.glob("*.md")]


# Every Markdown page of docs/ is part of the site: pages not listed in a
# toctree (such as a page written with a new feature) join the toctree that
# holds the line "% other pages", in alphabetical order.
OTHER_PAGES = re.compile(r"^% other pages$", re.MULTILINE)
TOCTREE = re.compile(r"^```\{toctree\}\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _unlisted_pages():
    listed = {"index"}
    for page in DOCS.glob("*.md"):
        for block in TOCTREE.findall(page.read_text(encoding="utf-8")):
            listed.update(
                line.strip()
                for line in block.splitlines()
                if line.strip() and not line.startswith((":", "%"))
            )
    pages = {page.stem for page in DOCS.glob("*.md")} - {API_TABLES[:-3]}
    return sorted(pages - listed)


def _fill_markers(app, docname, source):
    source[0] = OTHER_PAGES.sub("\n".join(_unlisted_pages()), source[0])


# The docstrings write shapes as "(n_features_in_,)", which reStructuredText
# reads as a link to a target "n_features_in"; quote such names as code.
SHAPE_NAME = re.compile(r"\((\w+_),\)")


def _quote_shape_names(app, what, name, obj, options, lines):
    lines[:] = [SHAPE_NAME.sub(r"(``\1``,)", line) for line in lines]


# scikit-learn adds set_{method}_request (metadata routing) and set_output
# to every estimator; their docstrings point into scikit-learn's own
# documentation, and they are documented there.
SKLEARN_GENERATED = re.compile(r"^set_(\w+_request|output)$")


def _skip_sklearn_generated(app, what, name, obj, skip, options):
    if what == "class" and SKLEARN_GENERATED.match(name):
        return True
    return None


def setup(app):
    app.connect("autodoc-skip-member", _skip_sklearn_generated)
    app.connect("source-read", _fill_markers)
    app.connect("autodoc-process-docstring", _quote_shape_names)
