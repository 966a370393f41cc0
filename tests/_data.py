"""Data sets and mixture parameters shared by the tests."""

import numpy as np
from sklearn.datasets import load_iris, make_blobs

from skgmm_em import GaussianMixture, _em

# The covariance types as the package names them: every test takes them from here.
from skgmm_em._covariance import (
    COVARIANCE_TYPES,  # noqa: F401
    MODELS,
)
from skgmm_em.datasets import make_mixture


def anisotropic_blobs():
    X, _ = make_blobs(n_samples=600, centers=3, random_state=170)
    return X @ np.array([[0.6, -0.64], [-0.41, 0.85]])


def iris():
    return load_iris().data


def mixture_20d():
    rng = np.random.RandomState(3)
    means = rng.normal(scale=3.0, size=(4, 20))
    covariances = []
    for _ in range(4):
        A = rng.normal(size=(20, 20)) / np.sqrt(20)
        covariances.append(A @ A.T + 0.2 * np.eye(20))
    X, _ = make_mixture(1500, [0.4, 0.3, 0.2, 0.1], means, covariances, rng)
    return X


def imbalanced():
    X, _ = make_mixture(
        1000,
        [0.95, 0.05],
        [[0.0, 0.0], [4.0, 4.0]],
        [np.eye(2), [[0.5, 0.2], [0.2, 0.5]]],
        random_state=7,
    )
    return X


DATASETS = {
    "anisotropic_blobs": (anisotropic_blobs, 3),
    "iris": (iris, 3),
    "mixture_20d": (mixture_20d, 4),
    "imbalanced": (imbalanced, 2),
}

#: The mixture of the missing-value tests: three correlated components in 3-D.
MISSING_VALUES_MIXTURE = {
    "weights": [0.5, 0.3, 0.2],
    "means": [[0.0, 0.0, 0.0], [5.0, 5.0, 0.0], [0.0, 5.0, 5.0]],
    "covariances": [
        [[1.0, 0.8, 0.3], [0.8, 1.0, 0.2], [0.3, 0.2, 1.0]],
        [[1.0, -0.6, 0.0], [-0.6, 1.0, 0.4], [0.0, 0.4, 1.0]],
        [[0.5, 0.2, 0.2], [0.2, 0.5, 0.2], [0.2, 0.2, 0.5]],
    ],
}


def with_missing_values(n=1500, fraction=0.2, seed=0):
    """Draws of MISSING_VALUES_MIXTURE, then values deleted at random.

    Returns ``X, Xm, mask, y``: the complete draws, the draws with NaN where
    ``mask`` is True, and the components.
    """
    X, y = make_mixture(n, **MISSING_VALUES_MIXTURE, random_state=seed)
    mask = np.random.RandomState(seed + 1).rand(*X.shape) < fraction
    Xm = X.copy()
    Xm[mask] = np.nan
    return X, Xm, mask, y


# ---------------------------------------------------------------------------
# parameters


def random_params(covariance_type, n_components, n_features, rng):
    """Random mixture parameters of the covariance type (``_em.MixtureParams``)."""
    weights = rng.dirichlet(np.ones(n_components))
    means = rng.normal(scale=3.0, size=(n_components, n_features))
    full = []
    for _ in range(n_components):
        A = rng.normal(size=(n_features, n_features))
        full.append(A @ A.T / n_features + 0.5 * np.eye(n_features))
    full = np.array(full)
    kernel = MODELS[covariance_type]
    covariances = kernel.from_full(full, weights)
    prec_chol = kernel.precision_cholesky(covariances, 0.0)
    return _em.MixtureParams(weights, means, covariances, prec_chol)


def as_full(covariances, covariance_type, n_components, n_features):
    """Covariance matrices (K, D, D) of any covariance type."""
    if covariance_type == "full":
        return covariances
    if covariance_type == "tied":
        return np.broadcast_to(covariances, (n_components, n_features, n_features))
    if covariance_type == "diag":
        return np.array([np.diag(c) for c in covariances])
    return np.array([c * np.eye(n_features) for c in covariances])


def kmeans_start(X, n_components, covariance_type, random_state=0):
    """Explicit initial parameters: k-means start of a short fit."""
    gm = GaussianMixture(
        n_components,
        covariance_type=covariance_type,
        max_iter=0,
        random_state=random_state,
    ).fit(X)
    return {
        "weights_init": gm.weights_,
        "means_init": gm.means_,
        "precisions_init": gm.precisions_,
    }
