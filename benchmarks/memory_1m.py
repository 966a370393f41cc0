"""Peak extra memory during fit at N=1M, D=2, K=32 (tracemalloc), both libraries.

python benchmarks/memory_1m.py
"""

import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from skgmm_em import GaussianMixture


def peak_mb(cls, X, start):
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    cls(len(start["weights_init"]), tol=0.0, max_iter=2, **start).fit(X)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2**20


def main(n=1_000_000, d=2, k=32):
    rng = np.random.RandomState(0)
    centers = rng.uniform(-50, 50, size=(k, d))
    X = centers[rng.randint(k, size=n)] + rng.normal(size=(n, d))
    means = centers + rng.normal(scale=0.5, size=centers.shape)
    start = {
        "weights_init": np.full(k, 1.0 / k),
        "means_init": means,
        "precisions_init": np.tile(np.eye(d), (k, 1, 1)),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = peak_mb(GaussianMixture, X, start)
        theirs = peak_mb(SklearnGaussianMixture, X, start)
    print(
        f"N={n}, D={d}, K={k}, full, 2 EM iterations: peak extra memory "
        f"skgmm_em {ours:.1f} MB, scikit-learn {theirs:.1f} MB "
        f"(ours / theirs = {ours / theirs:.3f}); X itself is {X.nbytes / 2**20:.0f} MB"
    )


if __name__ == "__main__":
    main()
