"""Datasets: the seed experiments' generated mixtures and bundled small data."""

from importlib import resources

import numpy as np
from sklearn.utils import check_random_state

__all__ = [
    "CONTAMINATED_MIXTURE",
    "LAB_MIXTURE",
    "load_faithful",
    "make_contaminated_mixture",
    "make_lab_mixture",
    "make_mixture",
]

#: The two-component mixture of the EM lab report: weights, means and
#: (diagonal) covariance matrices.
LAB_MIXTURE = {
    "weights": np.array([0.8, 0.2]),
    "means": np.array([[3.0, 5.0], [4.0, 3.0]]),
    "covariances": np.array([np.diag([5.0, 0.2]), np.diag([0.1, 0.1])]),
}


def make_mixture(n_samples, weights, means, covariances, random_state=None):
    """Draw samples from a Gaussian mixture with full covariance matrices.

    Parameters
    ----------
    n_samples : int
        Number of samples.
    weights : array-like of shape (n_components,)
        Mixture weights, summing to one.
    means : array-like of shape (n_components, n_features)
        Component means.
    covariances : array-like of shape (n_components, n_features, n_features)
        Component covariance matrices.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible draws.

    Returns
    -------
    X : ndarray of shape (n_samples, n_features)
        The samples, in random order.
    y : ndarray of shape (n_samples,)
        The component each sample was drawn from.

    Examples
    --------
    >>> from skgmm_em.datasets import make_mixture
    >>> X, y = make_mixture(5, [0.5, 0.5], [[0.0], [9.0]], [[[1.0]], [[1.0]]], 0)
    >>> X.shape, y.shape
    ((5, 1), (5,))
    """
    rng = check_random_state(random_state)
    weights = np.asarray(weights, dtype=float)
    means = np.asarray(means, dtype=float)
    covariances = np.asarray(covariances, dtype=float)
    y = rng.choice(len(weights), size=n_samples, p=weights / weights.sum())
    X = np.empty((n_samples, means.shape[1]))
    for k in range(len(weights)):
        rows = y == k
        X[rows] = rng.multivariate_normal(means[k], covariances[k], size=rows.sum())
    return X, y


def make_lab_mixture(n_samples=200, random_state=None):
    """Draw samples from the lab report's two-component mixture.

    Weights 0.8 and 0.2, means (3, 5) and (4, 3), covariances diag(5, 0.2)
    and diag(0.1, 0.1) (:data:`LAB_MIXTURE`).

    Parameters
    ----------
    n_samples : int, default=200
        Number of samples.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible draws.

    Returns
    -------
    X : ndarray of shape (n_samples, 2)
    y : ndarray of shape (n_samples,)
        The true component of each sample.
    """
    return make_mixture(n_samples, **LAB_MIXTURE, random_state=random_state)


#: The two clusters of :func:`make_contaminated_mixture`: means and
#: covariance matrices.
CONTAMINATED_MIXTURE = {
    "means": np.array([[0.0, 0.0], [5.0, 5.0]]),
    "covariances": np.array([np.eye(2), np.eye(2)]),
}


def make_contaminated_mixture(
    n_per_cluster=1000, n_outliers=200, width=10.0, random_state=None
):
    """Draw two Gaussian clusters and outliers scattered uniformly around them.

    The clusters are :data:`CONTAMINATED_MIXTURE` (means (0, 0) and (5, 5),
    unit covariances), ``n_per_cluster`` points each; the outliers are
    uniform over the box of the clusters (their means plus or minus three
    standard deviations, a square of side 11) made ``width`` times wider
    about its centre. A test bed for robust mixtures: a Gaussian mixture
    spends a component on the outliers.

    Parameters
    ----------
    n_per_cluster : int, default=1000
        Number of points of each cluster.
    n_outliers : int, default=200
        Number of outliers.
    width : float, default=10.0
        How many times wider the outliers' box is than the clusters'.
    random_state : int, RandomState instance or None, default=None
        Seed or generator for reproducible draws.

    Returns
    -------
    X : ndarray of shape (2 * n_per_cluster + n_outliers, 2)
        The clusters' points, then the outliers.
    y : ndarray of shape (2 * n_per_cluster + n_outliers,)
        The cluster of each point, ``-1`` for an outlier (scikit-learn's
        label of noise).

    Examples
    --------
    >>> from skgmm_em.datasets import make_contaminated_mixture
    >>> X, y = make_contaminated_mixture(random_state=0)
    >>> X.shape, int((y == -1).sum())
    ((2200, 2), 200)
    """
    rng = check_random_state(random_state)
    means = CONTAMINATED_MIXTURE["means"]
    clusters = [
        rng.multivariate_normal(mean, cov, size=n_per_cluster)
        for mean, cov in zip(means, CONTAMINATED_MIXTURE["covariances"], strict=True)
    ]
    low, high = means.min(axis=0) - 3.0, means.max(axis=0) + 3.0
    centre, half = (low + high) / 2, width * (high - low) / 2
    outliers = rng.uniform(centre - half, centre + half, size=(n_outliers, 2))
    X = np.vstack([*clusters, outliers])
    y = np.repeat([0, 1, -1], [n_per_cluster, n_per_cluster, n_outliers])
    return X, y


def load_faithful():
    """Load the Old Faithful geyser data (272 eruptions).

    Columns: eruption duration (minutes) and waiting time to the next
    eruption (minutes), a classic benchmark for mixture models.

    Returns
    -------
    X : ndarray of shape (272, 2)
        The data, float64.
    feature_names : list of str
        ``['eruptions', 'waiting']``.

    Examples
    --------
    >>> from skgmm_em.datasets import load_faithful
    >>> X, names = load_faithful()
    >>> X.shape, names
    ((272, 2), ['eruptions', 'waiting'])
    """
    path = resources.files("skgmm_em") / "data" / "faithful.csv"
    with path.open("r", encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        X = np.loadtxt(f, delimiter=",", dtype=np.float64)
    return X, [name.strip('"') for name in header]
