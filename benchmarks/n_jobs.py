"""Process parallelism: GridSearchCV(n_jobs=k) and GaussianMixtureSelector(n_jobs=k).

Wall time (median of ``--repeats``) of the same search with ``n_jobs`` 1 and
2, with skgmm_em's estimator and with scikit-learn's in the same grid
search, and of ``GaussianMixtureSelector``. Inside joblib's worker processes
the EM core runs one chunk thread (joblib limits each worker's threads), so
``n_jobs=2`` on two cores runs two fits at once instead of one fit on two
threads.

Usage::

    python benchmarks/n_jobs.py
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from sklearn.model_selection import GridSearchCV

from skgmm_em import GaussianMixture, GaussianMixtureSelector
from skgmm_em.datasets import make_mixture


def _data(n, seed=0):
    rng = np.random.RandomState(seed)
    means = rng.uniform(-10, 10, size=(4, 4))
    return make_mixture(n, [0.4, 0.3, 0.2, 0.1], means, [np.eye(4)] * 4, rng)[0]


def _median_time(run, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X = _data(30_000)
    grid = {"n_components": [2, 3, 4], "covariance_type": ["full", "diag"]}
    print("| what | n_jobs=1 s | n_jobs=2 s | speed-up |")
    print("|---|---|---|---|")
    for name, cls in (
        ("skgmm_em", GaussianMixture),
        ("scikit-learn", SklearnGaussianMixture),
    ):
        times = []
        for n_jobs in (1, 2):
            search = GridSearchCV(cls(random_state=0), grid, cv=3, n_jobs=n_jobs)
            times.append(_median_time(lambda s=search: s.fit(X), args.repeats))
        print(
            f"| GridSearchCV, {name}, 30000 x 4, 6 candidates, cv=3 "
            f"| {times[0]:.2f} | {times[1]:.2f} | {times[0] / times[1]:.2f} |"
        )
    X = _data(20_000)
    times = []
    for n_jobs in (1, 2):
        selector = GaussianMixtureSelector(
            range(1, 6), n_init=2, random_state=0, n_jobs=n_jobs
        )
        times.append(_median_time(lambda s=selector: s.fit(X), args.repeats))
    print(
        "| GaussianMixtureSelector, 20000 x 4, 1-5 components, 4 types "
        f"| {times[0]:.2f} | {times[1]:.2f} | {times[0] / times[1]:.2f} |"
    )


if __name__ == "__main__":
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        main()
