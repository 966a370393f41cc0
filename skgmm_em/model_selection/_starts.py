"""The starts of the selector's fits.

A start is an initializer (:class:`InitializerStart`, possibly run on
standardized data through :class:`StandardizedInit`, or a cut of the one
hierarchical agglomeration of a selection, :class:`HierarchicalStarts`) or
explicit parameters (:class:`ParameterStart`): those split from the best
fit with one component less, or merged from the best fit with one more.
"""

from typing import NamedTuple

import numpy as np

from .. import _hc
from .._covariance import MODELS
from ..initialization import (
    INITIALIZERS,
    HierarchicalInit,
    parameters_from_responsibilities,
)


class InitializerStart(NamedTuple):
    """A start drawn by an initializer (a name, an instance or a callable)."""

    initializer: object

    def estimator_params(self):
        """The GaussianMixture parameters that make this start."""
        return {"init_params": self.initializer}


class ParameterStart(NamedTuple):
    """A start given by parameters: normalized weights, means, precisions."""

    weights: np.ndarray
    means: np.ndarray
    precisions: np.ndarray

    def estimator_params(self):
        """The GaussianMixture parameters that make this start."""
        return {
            "weights_init": self.weights,
            "means_init": self.means,
            "precisions_init": self.precisions,
        }


class SeededStart(NamedTuple):
    """A start and the seed of the fit that runs from it; ``race`` False: the
    start runs to convergence instead of racing the others."""

    start: InitializerStart | ParameterStart
    seed: int
    race: bool = True


class StandardizedInit:
    """Run an initializer on standardized data and map its start back to X.

    k-means and the other distance-based initializers see every feature on
    the same scale; the mixture itself is still fit to the original X.
    Labels and responsibilities are returned as they are.
    Means are mapped back as ``center + scale * mean``, covariances as
    ``S C S`` with ``S = diag(scale)``. When the initializer gives only means,
    every sample goes to its nearest mean in the standardized space, and the
    weights and covariances are those of these groups (a group of fewer than
    two samples takes the covariance of all data).
    """

    def __init__(self, initializer):
        self.initializer = initializer

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(weights, means, covariances)`` for X; see the protocol."""
        X = np.asarray(X, dtype=np.float64)
        center, scale = center_scale(X)
        Z = (X - center) / scale
        init = self.initializer
        if isinstance(init, str):
            init = INITIALIZERS[init]()
        initialize = init.initialize if hasattr(init, "initialize") else init
        result = initialize(Z, n_components, random_state, sample_weight)
        if isinstance(result, np.ndarray):
            # Labels or responsibilities belong to the rows, whatever their
            # scale: the estimator computes their M-step on X.
            return result
        weights, means, covariances = result
        means_z = np.asarray(means, dtype=np.float64)
        means = center + means_z * scale
        if covariances is not None:
            covariances = np.asarray(covariances, dtype=np.float64)
            covariances = covariances * np.outer(scale, scale)
        if weights is not None and covariances is not None:
            return weights, means, covariances

        sq_dist = (
            np.sum(Z**2, axis=1)[:, None]
            - 2.0 * Z @ means_z.T
            + np.sum(means_z**2, axis=1)[None, :]
        )
        labels = np.argmin(sq_dist, axis=1)
        w = np.ones(len(X)) if sample_weight is None else np.asarray(sample_weight)
        counts = np.bincount(labels, weights=w, minlength=n_components)
        if weights is None:
            weights = np.maximum(counts, 1.0)
        if covariances is None:
            data_cov = np.cov(X, rowvar=False, bias=True, aweights=w).reshape(
                X.shape[1], X.shape[1]
            )
            covariances = np.empty((n_components, X.shape[1], X.shape[1]))
            for k in range(n_components):
                rows = labels == k
                if counts[k] < 2:
                    covariances[k] = data_cov
                    continue
                diff = X[rows] - means[k]
                covariances[k] = (diff * w[rows, None]).T @ diff / counts[k]
        return weights, means, covariances


class FixedStart(NamedTuple):
    """An initializer that returns a start computed beforehand: labels of
    the rows, or ``(weights, means, covariances)``."""

    start: object

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return the stored start (a copy of labels)."""
        if isinstance(self.start, np.ndarray):
            return self.start.copy()
        return self.start


class HierarchicalStarts:
    """mclust's start for every number of components, from one agglomeration.

    The rows are agglomerated once, as
    :class:`~skgmm_em.initialization.HierarchicalInit` does with its
    defaults but ``use`` (on a subset drawn from ``random_state`` when there
    are more rows than its ``subset``); :meth:`start` cuts the tree
    at ``n_components`` clusters, for any cell and covariance type. Data
    with missing values give no start (the agglomeration needs every value).
    """

    def __init__(self, X, random_state, use="SVD"):
        hc = HierarchicalInit(use=use)
        X = np.asarray(X, dtype=np.float64)
        self.rows = None
        if np.isnan(X).any():
            return
        rows = np.arange(X.shape[0])
        self.subset = rows.size > hc.subset
        if self.subset:
            rows = np.sort(random_state.choice(rows, hc.subset, replace=False))
        self.X, self.rows = X[rows], rows
        Z = _hc.transform(self.X, hc.use)
        self.merges = _hc.agglomerate(Z, hc.model)

    def start(self, n_components):
        """An :class:`InitializerStart` cut at ``n_components``, or None."""
        if self.rows is None or n_components > self.rows.size:
            return None
        labels = _hc.cut(self.merges, self.rows.size, n_components)
        if self.subset:
            resp = np.eye(n_components)[labels]
            return InitializerStart(
                FixedStart(parameters_from_responsibilities(self.X, resp))
            )
        return InitializerStart(FixedStart(labels))


def center_scale(X):
    """Column means and standard deviations of X over its observed values
    (NaN are missing values; a zero deviation becomes 1)."""
    X = np.asarray(X, dtype=np.float64)
    empty = np.flatnonzero(np.all(np.isnan(X), axis=0))
    if empty.size:
        raise ValueError(
            "Feature(s) "
            + ", ".join(str(j) for j in empty)
            + " have no observed value: remove them before fitting."
        )
    scale = np.nanstd(X, axis=0)
    scale[~(scale > 0)] = 1.0
    return np.nanmean(X, axis=0), scale


# Components split in two to seed K from the best K - 1 fit are moved apart by
# this many standard deviations along their main axis, each way.
_SPLIT_OFFSET = 0.5
# How many components of the best K - 1 fit are split to seed K (those of
# largest spread first); None splits every one. Splitting only a few misses
# optima on Old Faithful.
_N_SPLIT = None
# Pairs of the best K + 1 fit merged to seed K: the most overlapping ones.
_N_MERGED_PAIRS = 3


def _full_covariances(model):
    """The covariances of a fitted mixture as (K, D, D) float64 matrices."""
    k, d = np.shape(model.means_)
    cov = np.asarray(model.covariances_, dtype=np.float64)
    return MODELS[model.covariance_type].to_full(cov, k, d)


def _explicit_start(weights, means, full_covariances, covariance_type):
    """A start given by parameters, from full covariance matrices."""
    weights = np.asarray(weights, dtype=np.float64)
    weights = weights / weights.sum()
    precisions = MODELS[covariance_type].precisions_from_full(full_covariances, weights)
    return ParameterStart(weights, np.asarray(means, dtype=np.float64), precisions)


def split_starts(model, X, covariance_type, scale):
    """Starts with one more component: components of model split in two.

    The split is along the main axis of the samples the component is
    responsible for, so it follows the data even for diagonal or spherical
    covariances. The ``_N_SPLIT`` components with the largest spread
    (responsibility times variance along that axis, in standardized units)
    are split, one per start. A missing value (NaN) of X counts as the
    component's mean: it adds nothing to the spread.
    """
    weights = np.asarray(model.weights_, dtype=np.float64)
    means = np.asarray(model.means_, dtype=np.float64)
    covariances = _full_covariances(model)
    resp = np.asarray(model.predict_proba(X), dtype=np.float64)
    X = np.asarray(X, dtype=np.float64)
    candidates = []
    for j in range(len(weights)):
        nj = resp[:, j].sum()
        if nj < 2.0:
            continue
        diff = np.nan_to_num((X - means[j]) / scale, nan=0.0)
        scatter = (diff * resp[:, j : j + 1]).T @ diff / nj
        eigval, eigvec = np.linalg.eigh(scatter)
        axis = np.sqrt(max(eigval[-1], 0.0)) * eigvec[:, -1] * scale
        candidates.append((nj * eigval[-1], j, axis))
    candidates.sort(key=lambda c: c[0], reverse=True)
    for _, j, axis in candidates[:_N_SPLIT]:
        offset = _SPLIT_OFFSET * axis
        keep = np.arange(len(weights)) != j
        yield _explicit_start(
            np.r_[weights[keep], weights[j] / 2, weights[j] / 2],
            np.r_[means[keep], [means[j] + offset], [means[j] - offset]],
            np.r_[covariances[keep], covariances[j : j + 1], covariances[j : j + 1]],
            covariance_type,
        )


def merge_starts(model, X, covariance_type, scale):
    """Starts with one component less: the most overlapping pairs merged.

    Overlap is the cosine between two components' responsibilities over X;
    a merged component matches the first two moments of the pair.
    """
    weights = np.asarray(model.weights_, dtype=np.float64)
    means = np.asarray(model.means_, dtype=np.float64)
    covariances = _full_covariances(model)
    resp = np.asarray(model.predict_proba(X), dtype=np.float64)
    norms = np.linalg.norm(resp, axis=0)
    norms[norms == 0] = 1.0
    overlap = (resp / norms).T @ (resp / norms)
    rows, cols = np.triu_indices(len(weights), 1)
    for pair in np.argsort(-overlap[rows, cols], kind="stable")[:_N_MERGED_PAIRS]:
        i, j = rows[pair], cols[pair]
        w = weights[i] + weights[j]
        mean = (weights[i] * means[i] + weights[j] * means[j]) / w
        cov = sum(
            weights[q] * (covariances[q] + np.outer(means[q] - mean, means[q] - mean))
            for q in (i, j)
        ) / max(w, np.finfo(np.float64).tiny)
        keep = (np.arange(len(weights)) != i) & (np.arange(len(weights)) != j)
        yield _explicit_start(
            np.r_[weights[keep], w],
            np.r_[means[keep], [mean]],
            np.r_[covariances[keep], [cov]],
            covariance_type,
        )
