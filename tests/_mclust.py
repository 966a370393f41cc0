"""Reference results from R mclust, read from ``tests/data/mclust``.

The tables were written once by ``tests/data/mclust/make_references.R`` (see
``notes.txt`` there for the R and mclust versions); the tests never run R.
Only numpy and the csv module are used.

Conventions of the files: components and features are 1-based there and
0-based here; a parameter that mclust keeps common to all components (index
``k = 0`` in the files) comes back without a component axis.
"""

import csv
import gzip
from functools import lru_cache
from pathlib import Path

import numpy as np

DIR = Path(__file__).resolve().parent / "data" / "mclust"

#: mclust's 14 covariance models, in mclust's order.
MODELS = (
    "EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
    "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV",
)  # fmt: skip

#: The numbers of components of the tables.
GS = tuple(range(1, 10))

_DATASETS = ("faithful", "iris", "wine", "blobs3", "mix5d")


def datasets():
    """The names of the reference data sets."""
    return list(_DATASETS)


@lru_cache
def _data(name):
    return np.loadtxt(DIR / f"{name}.csv", delimiter=",", skiprows=1, ndmin=2)


def data(name):
    """The (n, d) data set ``name``, exactly as R read it."""
    return _data(name).copy()


def _float(text):
    return float("nan") if text == "NA" else float(text)


@lru_cache
def _bic_rows():
    with open(DIR / "bic.csv", newline="") as f:
        return tuple(csv.DictReader(f))


def bic_table(name, prior="none"):
    """mclustBIC's table: ``{(model, G): (bic, loglik, df)}``.

    ``prior`` is ``"none"`` or ``"default"`` (``priorControl()``). The cells
    where mclust gave no BIC are absent.
    """
    return {
        (r["model"], int(r["G"])): (float(r["bic"]), float(r["loglik"]), int(r["df"]))
        for r in _bic_rows()
        if r["dataset"] == name and r["prior"] == prior and r["bic"] != "NA"
    }


def bic_rows(name, prior="none"):
    """Every row of ``bic.csv`` for ``name`` and ``prior``, as dicts of strings."""
    return [r for r in _bic_rows() if r["dataset"] == name and r["prior"] == prior]


@lru_cache
def _params(name):
    table = {}
    with gzip.open(DIR / f"params_{name}.csv.gz", "rt", newline="") as f:
        for r in csv.DictReader(f):
            key = (r["prior"], r["fit"], r["model"], int(r["G"]))
            entry = (int(r["k"]), int(r["i"]), int(r["j"]), float(r["value"]))
            table.setdefault(key, {}).setdefault(r["what"], []).append(entry)
    return table


def _array(entries, G, d):
    """Place long rows (k, i, j, value) into the smallest array that holds them."""
    k, i, j, v = (np.array(c) for c in zip(*entries, strict=True))
    common = bool(np.all(k == 0))
    shape = () if common else (G,)
    index = () if common else (k - 1,)
    if np.any(i > 0):
        shape, index = shape + (d,), index + (i - 1,)
    if np.any(j > 0):
        shape, index = shape + (d,), index + (j - 1,)
    out = np.full(shape, np.nan)
    out[index] = v if index else v[0]
    return out


def parameters(name, model, G, prior="none", fit="me"):
    """mclust's fitted parameters of ``model`` with ``G`` components.

    ``fit="me"``: the parameters that ``me()`` returns from mclust's hc start
    (what ``mclustBIC`` runs); the recorded ``loglik`` and BIC are evaluated at
    them. ``fit="Mclust"``: ``Mclust()$parameters``, one M-step further (an
    M-step on me's final responsibilities). Both agree for G = 1.

    Returns a dict with ``weights`` (G,), ``means`` (G, d), ``covariances``
    (G, d, d), ``loglik`` (mclust's, as in the BIC table), ``dens_loglik``
    (mclust's ``dens`` summed at these parameters), and whichever of
    ``sigmasq``, ``scale``, ``shape`` and ``orientation`` mclust's
    ``parameters$variance`` has (common ones without the component axis).
    Raises KeyError for a cell that was not fit (or not stored: wine has
    G = 1..5 only).
    """
    table = _params(name)[(prior, fit, model, G)]
    d = _data(name).shape[1]
    out = {
        "weights": _array(table["pro"], G, d).reshape(G),
        "means": _array(table["mean"], G, d).reshape(G, d),
        "covariances": _array(table["sigma"], G, d).reshape(G, d, d),
        "loglik": float(_array(table["loglik"], G, d)),
        "dens_loglik": float(_array(table["dens_loglik"], G, d)),
    }
    for what in ("sigmasq", "scale", "shape", "orientation"):
        if what in table:
            out[what] = _array(table[what], G, d)
    return out


def hc_labels(name, use="SVD"):
    """``hclass(hc(data, "VVV", use), 1:9)``: an (n, 9) int array, labels 1..G.

    ``use="SVD"`` is the start that mclustBIC takes (mclust's hcUse); ``"VARS"``
    agglomerates the raw variables.
    """
    suffix = {"SVD": "", "VARS": "_vars"}[use]
    return np.loadtxt(DIR / f"hc_{name}{suffix}.csv", delimiter=",", skiprows=1,
                      dtype=int, ndmin=2)  # fmt: skip


def hc_merges(name, use="VARS"):
    """The (n - 1, 2) merge pairs of the hc object, 1-based as mclust gives them."""
    suffix = {"SVD": "_svd_merges", "VARS": "_merges"}[use]
    return np.loadtxt(DIR / f"hc_{name}{suffix}.csv", delimiter=",", skiprows=1,
                      dtype=int, ndmin=2)  # fmt: skip


@lru_cache
def _priors():
    table = {}
    with open(DIR / "priors.csv", newline="") as f:
        for r in csv.DictReader(f):
            key = (r["dataset"], r["model"], int(r["G"]))
            entry = (0, int(r["i"]), int(r["j"]), float(r["value"]))
            table.setdefault(key, {}).setdefault(r["what"], []).append(entry)
    return table


def default_prior(name, model, G):
    """``defaultPrior(data, G, model)``: shrinkage, mean (d,), dof, scale.

    ``scale`` is a float for the spherical and diagonal models and a (d, d)
    array for the others. Stored for G in {1, 3}.
    """
    table = _priors()[(name, model, G)]
    d = _data(name).shape[1]
    out = {what: _array(entries, G, d) for what, entries in table.items()}
    return {w: float(v) if v.ndim == 0 else v for w, v in out.items()}
