"""The documentation builds with warnings as errors, and its code runs.

The build runs on a copy of ``docs/`` and ``examples/`` in a temporary
folder, so that it neither writes into the checkout nor races with a build
there. The examples are not run (``SKGMM_EM_DOCS_PLOT_GALLERY=0``):
tests/test_examples.py runs them.
"""

import importlib
import inspect
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import matplotlib
import pytest

import skgmm_em

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Sphinx builds the whole site, and the pages' code fits real models.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# What a build writes next to the pages; never copied.
GENERATED = (
    "_build",
    "generated",
    "auto_examples",
    "_gallery_src",
    "_api_tables.md",
    "sg_execution_times.rst",
)
DOCS_REQUIREMENTS = (
    "sphinx",
    "sphinx-mathjax-offline",
    "myst_parser",
    "numpydoc",
    "sphinx_gallery",
    "pydata_sphinx_theme",
)


def test_docs_requirements_are_installed():
    missing = []
    for name in DOCS_REQUIREMENTS:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    assert not missing, (
        f"{missing} not installed: install the docs extra, "
        'pip install ".[docs]" (the test extra includes it)'
    )


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    """Build the site from a copy of the sources; returns the HTML folder."""
    work = tmp_path_factory.mktemp("docs_build")
    shutil.copytree(DOCS, work / "docs", ignore=shutil.ignore_patterns(*GENERATED))
    shutil.copytree(ROOT / "examples", work / "examples")
    out = work / "html"
    env = {**os.environ, "SKGMM_EM_DOCS_PLOT_GALLERY": "0", "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(work / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def _pages():
    """The Markdown pages of docs/ (not what a build generates there)."""
    return [page.stem for page in DOCS.glob("*.md") if page.name not in GENERATED]


def test_docs_build_has_every_page(html):
    for page in _pages():
        assert (html / f"{page}.html").is_file(), page
    # Every page but those of the top bar is in the user guide, those added
    # with a feature (listed in no toctree) included.
    user_guide = (html / "user_guide.html").read_text(encoding="utf-8")
    top = {"index", "install", "quickstart", "user_guide", "cli", "api"}
    for page in set(_pages()) - top:
        assert f'href="{page}.html' in user_guide, page


def test_docs_api_reference_covers_the_public_api(html):
    api = (html / "api.html").read_text(encoding="utf-8")
    for name in skgmm_em.__all__:
        obj = getattr(skgmm_em, name)
        if inspect.ismodule(obj):
            qualified = obj.__name__
        elif callable(obj):
            qualified = f"skgmm_em.{name}"
        else:
            continue  # __version__
        assert (html / "generated" / f"{qualified}.html").is_file(), qualified
        assert f"generated/{qualified}.html" in api, qualified
    for module in ("initialization", "datasets", "plotting"):
        assert f"generated/skgmm_em.{module}.html" in api
    page = (html / "generated" / "skgmm_em.GaussianMixture.html").read_text(
        encoding="utf-8"
    )
    for method in ("fit", "predict_proba", "bic"):
        assert f'id="skgmm_em.GaussianMixture.{method}"' in page, method
    assert "history_" in page and "Examples using GaussianMixture" in page
    functions = (html / "generated" / "skgmm_em.plotting.html").read_text(
        encoding="utf-8"
    )
    assert "skgmm_em.plotting.plot_ellipses.html" in functions


def test_docs_gallery_lists_every_example(html):
    gallery = (html / "auto_examples" / "index.html").read_text(encoding="utf-8")
    for example in sorted((ROOT / "examples").glob("plot_*.py")):
        assert (html / "auto_examples" / f"{example.stem}.html").is_file()
        assert f"{example.stem}.html" in gallery, example.stem


def test_docs_math_is_rendered(html):
    em = (html / "em.html").read_text(encoding="utf-8")
    assert em.count('class="math') >= 10
    assert "$$" not in re.sub(r"<script.*?</script>", "", em, flags=re.DOTALL)


def _page_references(page):
    """The addresses a page loads: script sources, stylesheets, fonts, images."""
    text = page.read_text(encoding="utf-8")
    tags = re.findall(r"<(?:script|link|img)\b[^>]*>", text)
    return [
        ref for tag in tags for ref in re.findall(r'(?:src|href)="([^"]*)"', tag)
    ], text


def test_docs_render_formulas_without_a_network(html):
    # MathJax is bundled: the pages load it from the site itself, and the
    # renderer and its fonts are there.
    refs, _ = _page_references(html / "em.html")
    mathjax = [ref for ref in refs if "mathjax" in ref.lower()]
    assert mathjax, refs
    for ref in mathjax:
        assert "://" not in ref and not ref.startswith("//"), ref
        assert (html / ref.split("?")[0]).is_file(), ref
    fonts = html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("MathJax_Main-Regular.woff"))
    # No page loads anything from elsewhere.
    for page in html.rglob("*.html"):
        refs, _ = _page_references(page)
        remote = [
            ref
            for ref in refs
            if ("://" in ref or ref.startswith("//")) and not ref.startswith("#")
        ]
        loaded = [
            ref
            for ref in remote
            if re.search(r"\.(js|css|woff2?|ttf)(\?|$)", ref)
            or "mathjax" in ref.lower()
        ]
        assert not loaded, (page, loaded)


# Pages of docs/ whose ```python blocks run as written, in order.
RUNNABLE_PAGES = [
    "index.md",
    "quickstart.md",
    "initialization.md",
    "covariance_types.md",
    "models.md",
    "history.md",
    "missing_values.md",
    "performance.md",
    "robust.md",
    "noise.md",
]


@pytest.mark.parametrize("page", RUNNABLE_PAGES)
def test_docs_code_runs(page, monkeypatch, tmp_path):
    path = DOCS / page
    if not path.is_file():
        pytest.fail(f"{page} is listed as runnable but does not exist")
    text = path.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    assert blocks
    monkeypatch.chdir(tmp_path)
    namespace = {}
    try:
        for block in blocks:
            exec(compile(block, page, "exec"), namespace)
    finally:
        plt.close("all")
