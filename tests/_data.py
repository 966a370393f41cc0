"""Data sets shared by the tests."""

import numpy as np
from sklearn.datasets import load_iris, make_blobs

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
