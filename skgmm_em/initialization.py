"""Pluggable initialization of Gaussian mixtures.

An *initializer* chooses where EM starts. It is any object with a method

.. code-block:: python

    initialize(X, n_components, random_state, sample_weight=None)
        -> (weights, means, covariances)

or a plain callable with the same signature. It receives the validated data
``X`` (float32 or float64, shape ``(n_samples, n_features)``), the number of
components, a :class:`numpy.random.RandomState` to draw from (never a seed:
use it, so that ``random_state`` of the estimator makes fits reproducible),
and the sample weights of a weighted fit (``None`` when the fit is
unweighted). It returns a tuple of three:

* ``weights``: array of shape ``(n_components,)`` or ``None``;
* ``means``: array of shape ``(n_components, n_features)``, required;
* ``covariances``: full matrices of shape
  ``(n_components, n_features, n_features)`` or ``None``.

The estimator then completes and converts the start:

* when ``weights`` or ``covariances`` is ``None``, every sample is assigned
  to its nearest initial mean, and the missing weights are the (weighted)
  fractions of samples per component, the missing covariances are the
  covariances of the samples around their component. A component that
  receives fewer than two samples starts with the covariance of all data;
* given weights are rescaled to sum to one;
* full covariances are reduced to the estimator's ``covariance_type``:
  ``'tied'`` takes their weighted average, ``'diag'`` their diagonals,
  ``'spherical'`` the mean of their diagonals;
* ``reg_covar`` is added to every variance, as in every M-step.

The built-in initializers are selected by name in ``init_params`` or passed
as instances (to set their options); see :data:`INITIALIZERS`. They work on
the distinct samples in a canonical order, each with its total weight, so
that their start depends only on the weighted set of samples: repeating a
sample or giving it an integer weight, and shuffling the rows, start EM at
the same place (for a fixed ``random_state``). For the same reason the
k-means start is not the one scikit-learn draws for the same
``random_state``, though it is the same algorithm.
"""

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.cluster import KMeans, kmeans_plusplus

from ._em import distinct_rows

__all__ = [
    "INITIALIZERS",
    "KMeansInit",
    "KMeansPlusPlusInit",
    "MomentsInit",
    "RandomFromDataInit",
    "RandomInit",
    "parameters_from_responsibilities",
]


def _weighted_mean_cov(X, sample_weight):
    """Weighted mean (D,) and covariance (D, D) of X, in float64."""
    X = np.asarray(X, dtype=np.float64)
    w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
    w = np.asarray(w, dtype=np.float64) / np.sum(w)
    mean = w @ X
    centered = X - mean
    cov = (centered * w[:, None]).T @ centered
    return mean, cov


def _distinct(X, sample_weight, n_components):
    """Distinct weighted samples in canonical order; checks there are enough."""
    rows, weights = distinct_rows(X, sample_weight)
    if len(rows) < n_components:
        raise ValueError(
            f"X has only {len(rows)} distinct sample(s) with positive weight, "
            f"fewer than n_components={n_components}: use fewer components."
        )
    return rows, weights


def _distance_scaled(X):
    """X moved and scaled for distance computations, and the map back.

    k-means and its seeding square distances in X's dtype: data of a tiny
    or huge scale (float32 values near 1e-30, say) would underflow or
    overflow there. Such data are centred and scaled to unit size first;
    both algorithms are equivariant, so the centres map back exactly up to
    rounding. Data of ordinary scale are passed through untouched.
    """
    center = X.mean(axis=0, dtype=np.float64)
    size = float(max(np.max(X.max(axis=0) - center), np.max(center - X.min(axis=0))))
    if size == 0.0 or 1e-8 <= size <= 1e8:
        return X, lambda centers: centers
    scaled = ((X - center) / size).astype(X.dtype)
    return scaled, lambda centers: center + size * np.asarray(centers, np.float64)


def parameters_from_responsibilities(X, resp, sample_weight=None):
    """Weights, means and full covariances from soft responsibilities.

    A helper for writing initializers that think in responsibilities: fill
    ``resp`` (each row a probability vector) and return this function's
    result.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data.
    resp : array-like of shape (n_samples, n_components)
        Non-negative responsibilities.
    sample_weight : array-like of shape (n_samples,), default=None
        Multiplies the responsibilities of each sample.

    Returns
    -------
    weights : ndarray of shape (n_components,)
    means : ndarray of shape (n_components, n_features)
    covariances : ndarray of shape (n_components, n_features, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em.initialization import parameters_from_responsibilities
    >>> X = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 0.0], [12.0, 0.0]])
    >>> resp = np.array([[1, 0], [1, 0], [0, 1], [0, 1]])
    >>> weights, means, covariances = parameters_from_responsibilities(X, resp)
    >>> np.round(weights, 6).tolist(), np.round(means[:, 0], 6).tolist()
    ([0.5, 0.5], [1.0, 11.0])
    >>> np.round(covariances[:, 0, 0], 6).tolist()
    [1.0, 1.0]
    """
    X = np.asarray(X, dtype=np.float64)
    resp = np.asarray(resp, dtype=np.float64)
    if sample_weight is not None:
        resp = resp * np.asarray(sample_weight, dtype=np.float64)[:, None]
    nk = resp.sum(axis=0) + 10 * np.finfo(np.float64).eps
    means = (resp.T @ X) / nk[:, None]
    covariances = np.empty((resp.shape[1], X.shape[1], X.shape[1]))
    for k in range(resp.shape[1]):
        diff = X - means[k]
        covariances[k] = (diff * resp[:, k : k + 1]).T @ diff / nk[k]
    return nk / nk.sum(), means, covariances


class KMeansInit(BaseEstimator):
    """Start from k-means clusters (the default, as in scikit-learn).

    Runs :class:`sklearn.cluster.KMeans` (honouring sample weights); the
    initial means are its cluster centres, the weights and covariances those
    of its clusters.

    Parameters
    ----------
    n_init : int, default=1
        Number of k-means runs; the best is kept.
    max_iter : int, default=300
        Maximum number of k-means iterations.

    Examples
    --------
    >>> import numpy as np
    >>> from skgmm_em import GaussianMixture
    >>> from skgmm_em.initialization import KMeansInit
    >>> X = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 5]
    >>> X += np.random.RandomState(0).normal(size=X.shape)
    >>> gm = GaussianMixture(2, init_params=KMeansInit(n_init=3), random_state=0)
    >>> gm.fit(X).converged_
    True
    """

    def __init__(self, n_init=1, max_iter=300):
        self.n_init = n_init
        self.max_iter = max_iter

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(None, means, None)`` from k-means; see the module doc."""
        X, sample_weight = _distinct(X, sample_weight, n_components)
        X, to_data_units = _distance_scaled(X)
        km = KMeans(
            n_clusters=n_components,
            n_init=self.n_init,
            max_iter=self.max_iter,
            random_state=random_state,
        ).fit(X, sample_weight=sample_weight)
        return None, to_data_units(km.cluster_centers_), None


class KMeansPlusPlusInit(BaseEstimator):
    """Start at k-means++ seeds: the seeds are the initial means.

    The seeds are drawn by :func:`sklearn.cluster.kmeans_plusplus` (with
    sample weights when given); weights and covariances come from the
    samples nearest to each seed.
    """

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(None, seeds, None)``; see the module doc."""
        X, sample_weight = _distinct(X, sample_weight, n_components)
        X, to_data_units = _distance_scaled(X)
        centers, _ = kmeans_plusplus(
            X, n_components, random_state=random_state, sample_weight=sample_weight
        )
        return None, to_data_units(centers), None


class RandomInit(BaseEstimator):
    """Start from random responsibilities, as scikit-learn's ``'random'``.

    Each sample gets responsibilities drawn uniformly and normalized to sum
    to one; the start is the M-step of those responsibilities, so all
    components start near the data mean with nearly the data covariance.
    """

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return the parameters of random responsibilities."""
        X, sample_weight = _distinct(X, sample_weight, n_components)
        resp = random_state.uniform(size=(X.shape[0], n_components))
        resp /= resp.sum(axis=1, keepdims=True)
        return parameters_from_responsibilities(X, resp, sample_weight)


class RandomFromDataInit(BaseEstimator):
    """Start at distinct random samples: they are the initial means.

    Samples are drawn without replacement (with probability proportional to
    their weight in a weighted fit); weights and covariances come from the
    samples nearest to each chosen one.
    """

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(None, chosen samples, None)``; see the module doc."""
        X, sample_weight = _distinct(X, sample_weight, n_components)
        p = None
        if sample_weight is not None:
            p = np.asarray(sample_weight, dtype=np.float64)
            p = p / p.sum()
        idx = random_state.choice(X.shape[0], size=n_components, replace=False, p=p)
        return None, X[idx], None


class MomentsInit(BaseEstimator):
    """Start from the data's first two moments, with distinct means.

    Every component starts with weight ``1 / n_components`` and with the
    (weighted) covariance ``S`` of the data. Identical components would
    never separate under EM, so the means are drawn from the Gaussian that
    matches the data's moments, shrunk towards the data mean ``m``:
    ``mean_k = m + scale * L z_k`` where ``S = L L^T`` and ``z_k`` are
    independent standard normal vectors drawn from ``random_state``.
    The start is therefore deterministic for a fixed ``random_state``.

    Parameters
    ----------
    scale : float, default=1.0
        Spread of the initial means, in units of the data's standard
        deviation. Must be positive.
    """

    def __init__(self, scale=1.0):
        self.scale = scale

    def initialize(self, X, n_components, random_state, sample_weight=None):
        """Return ``(equal weights, drawn means, data covariance)``."""
        if not self.scale > 0:
            raise ValueError(f"MomentsInit needs scale > 0, got scale={self.scale!r}.")
        X, sample_weight = _distinct(X, sample_weight, n_components)
        mean, cov = _weighted_mean_cov(X, sample_weight)
        n_features = X.shape[1]
        # The data covariance may be singular (a constant feature); a tiny
        # ridge keeps the square root defined without changing the spread.
        ridge = 1e-10 * max(np.trace(cov) / n_features, np.finfo(float).tiny)
        eigval, eigvec = np.linalg.eigh(cov + ridge * np.eye(n_features))
        root = eigvec * np.sqrt(np.clip(eigval, 0.0, None))
        z = random_state.standard_normal((n_components, n_features))
        means = mean + self.scale * z @ root.T
        weights = np.full(n_components, 1.0 / n_components)
        covariances = np.broadcast_to(cov, (n_components, n_features, n_features))
        return weights, means, covariances


#: The built-in initializers by the name ``init_params`` accepts.
INITIALIZERS = {
    "kmeans": KMeansInit,
    "k-means++": KMeansPlusPlusInit,
    "random": RandomInit,
    "random_from_data": RandomFromDataInit,
    "moments": MomentsInit,
}
