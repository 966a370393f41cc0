"""Peak extra memory during fit (tracemalloc), both libraries.

python benchmarks/memory_1m.py             # N=1M, D=2, K=32, EM from a given start
python benchmarks/memory_1m.py --starts    # default fits at 2M x 5, per initializer

The first measures the EM alone; the second whole default fits
(``GaussianMixture(n_components, init_params=name, random_state=0)``, five
iterations), the start included, with one and three components.
"""

import argparse
import tracemalloc
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from skgmm_em import GaussianMixture


def peak_mb(make, X):
    """Peak of traced allocations during ``make().fit(X)``, in MB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    make().fit(X)
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak / 2**20


def em_alone(n=1_000_000, d=2, k=32):
    rng = np.random.RandomState(0)
    centers = rng.uniform(-50, 50, size=(k, d))
    X = centers[rng.randint(k, size=n)] + rng.normal(size=(n, d))
    means = centers + rng.normal(scale=0.5, size=centers.shape)
    start = {
        "weights_init": np.full(k, 1.0 / k),
        "means_init": means,
        "precisions_init": np.tile(np.eye(d), (k, 1, 1)),
    }
    ours = peak_mb(lambda: GaussianMixture(k, tol=0.0, max_iter=2, **start), X)
    theirs = peak_mb(lambda: SklearnGaussianMixture(k, tol=0.0, max_iter=2, **start), X)
    print(
        f"N={n}, D={d}, K={k}, full, 2 EM iterations: peak extra memory "
        f"skgmm_em {ours:.1f} MB, scikit-learn {theirs:.1f} MB "
        f"(ours / theirs = {ours / theirs:.3f}); X itself is {X.nbytes / 2**20:.0f} MB"
    )


def default_fits(n=2_000_000, d=5):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, d))
    X[: n // 2] += 4.0
    size = X.nbytes / 2**20
    print(f"Default fits at N={n}, D={d} (X is {size:.0f} MB), 5 iterations:\n")
    print("| init_params | K | skgmm_em MB | x data | scikit-learn MB | x data |")
    print("|---|---|---|---|---|---|")
    for name in ("kmeans", "k-means++", "random", "random_from_data", "moments"):
        for k in (1, 3):
            params = dict(init_params=name, random_state=0, max_iter=5)
            ours = peak_mb(lambda: GaussianMixture(k, **params), X)  # noqa: B023
            if name == "moments":
                theirs = "- | -"
            else:
                mb = peak_mb(lambda: SklearnGaussianMixture(k, **params), X)  # noqa: B023
                theirs = f"{mb:.1f} | {mb / size:.2f}"
            print(f"| {name} | {k} | {ours:.1f} | {ours / size:.2f} | {theirs} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", action="store_true", help="default fits, 2M x 5")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if args.starts:
            default_fits()
        else:
            em_alone()


if __name__ == "__main__":
    main()
