"""How good are the starts? scikit-learn's built-in starts against the
options that change them.

For each data set and start, ``GaussianMixture(n_init=1)`` is fitted from
``--seeds`` random states (full covariances, default ``tol`` and
``max_iter``). The report gives, per start, the median number of EM
iterations, the mean and worst final mean log-likelihood, and the share of
seeds that end within 1e-3 nats per sample of the best fit any start found
on that data set. The defaults are scikit-learn's starts (the same code gives
the same fit); ``covariances='cell'`` gives each seed of k-means++ or of a
random draw the weight and covariance of its nearest samples instead of a
single sample's; ``rows='distinct'`` draws from the distinct samples in a
canonical order (a start that does not depend on the row order).

Usage::

    python benchmarks/starts.py              # 20 seeds, Markdown on stdout
    python benchmarks/starts.py --seeds 5
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import load_iris, load_wine, make_blobs
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

from skgmm_em import GaussianMixture
from skgmm_em.datasets import load_faithful, make_mixture
from skgmm_em.initialization import (
    KMeansInit,
    KMeansPlusPlusInit,
    RandomFromDataInit,
    RandomInit,
)


def _mixture_20d():
    rng = np.random.RandomState(3)
    means = rng.normal(scale=3.0, size=(4, 20))
    covariances = []
    for _ in range(4):
        A = rng.normal(size=(20, 20)) / np.sqrt(20)
        covariances.append(A @ A.T + 0.2 * np.eye(20))
    return make_mixture(1500, [0.4, 0.3, 0.2, 0.1], means, covariances, rng)[0]


def _anisotropic():
    X, _ = make_blobs(n_samples=600, centers=3, random_state=170)
    return X @ np.array([[0.6, -0.64], [-0.41, 0.85]])


DATASETS = {
    "iris (K=3)": (lambda: load_iris().data, 3),
    "wine, scaled (K=3)": (
        lambda: StandardScaler().fit_transform(load_wine().data),
        3,
    ),
    "Old Faithful (K=2)": (lambda: load_faithful()[0], 2),
    "anisotropic blobs (K=3)": (_anisotropic, 3),
    "20-D mixture (K=4)": (_mixture_20d, 4),
}

STARTS = {
    "'kmeans'": "kmeans",
    "KMeansInit(rows='distinct')": KMeansInit(rows="distinct"),
    "'k-means++'": "k-means++",
    "KMeansPlusPlusInit(covariances='cell')": KMeansPlusPlusInit(covariances="cell"),
    "'random_from_data'": "random_from_data",
    "RandomFromDataInit(covariances='cell')": RandomFromDataInit(covariances="cell"),
    "'random'": "random",
    "RandomInit(rows='distinct')": RandomInit(rows="distinct"),
}


def run(n_seeds):
    lines = [
        "| data | start | median iterations | mean log L/n | worst log L/n "
        "| share at the best |",
        "|---|---|---|---|---|---|",
    ]
    for data_name, (make, k) in DATASETS.items():
        X = make()
        scores = {}
        iters = {}
        for start_name, init in STARTS.items():
            s, it = [], []
            for seed in range(n_seeds):
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    gm = GaussianMixture(k, init_params=init, random_state=seed)
                    gm.fit(X)
                s.append(gm.score(X))
                it.append(gm.n_iter_)
            scores[start_name], iters[start_name] = np.array(s), np.array(it)
        best = max(v.max() for v in scores.values())
        for start_name in STARTS:
            s = scores[start_name]
            lines.append(
                f"| {data_name} | {start_name} | {np.median(iters[start_name]):.0f} "
                f"| {s.mean():.4f} | {s.min():.4f} "
                f"| {np.mean(s >= best - 1e-3):.0%} |"
            )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    args = parser.parse_args()
    print(f"{args.seeds} seeds per start, full covariances, n_init=1\n")
    print(run(args.seeds))


if __name__ == "__main__":
    main()
