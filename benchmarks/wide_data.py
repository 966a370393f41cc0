"""Wide data: full-covariance fits with D >= 1000, against scikit-learn.

For each shape ``(N, D)`` (default 300 x 2000 and 5000 x 1000), ``K = 3``
components: data from a mixture of three unit Gaussians with random means,
and one explicit start for both estimators (equal weights, the means of
three interleaved thirds of the rows, identity precisions), ``tol=0`` and a
fixed ``max_iter`` so that both run the same number of EM iterations.
scikit-learn's ``init_params`` is ``'random_from_data'``, the cheapest (it
still runs once although all three init arrays are given).

Fits alternate ours / scikit-learn (the order flips every repeat). The
report gives, per shape, the median over ``--repeats`` of the wall time
and of the process CPU time of a whole fit (input checks, the EM
iterations, the final E-step), their ratios sklearn / ours (above 1: ours
faster), and the difference of the final lower bounds, a check that both
did the same computation. On a machine shared with other jobs, the CPU time
is the steadier of the two.

    python benchmarks/wide_data.py
    python benchmarks/wide_data.py --threads 1 --max-iter 3
"""

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from skgmm_em import GaussianMixture  # noqa: E402

SHAPES = ((300, 2000), (5000, 1000))
N_COMPONENTS = 3


def make_problem(n_samples, n_features, seed=0):
    """Data and the shared start (weights_init, means_init, precisions_init)."""
    rng = np.random.RandomState(seed)
    labels = np.arange(n_samples) % N_COMPONENTS
    centres = 3.0 * rng.standard_normal((N_COMPONENTS, n_features))
    X = rng.standard_normal((n_samples, n_features)) + centres[labels]
    start = {
        "weights_init": np.full(N_COMPONENTS, 1.0 / N_COMPONENTS),
        "means_init": np.stack([X[labels == k].mean(axis=0) for k in range(3)]),
        "precisions_init": np.stack([np.eye(n_features)] * N_COMPONENTS),
    }
    return X, start


def timed_fit(estimator, X):
    wall, cpu = time.perf_counter(), time.process_time()
    estimator.fit(X)
    return time.perf_counter() - wall, time.process_time() - cpu, estimator


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iter", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--threads", type=int, default=None, help="limit BLAS and OpenMP threads"
    )
    parser.add_argument(
        "--shapes",
        nargs="+",
        default=[f"{n}x{d}" for n, d in SHAPES],
        help="N x D shapes, as 300x2000",
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(
        f"K={N_COMPONENTS}, full, max_iter={args.max_iter}, tol=0, "
        f"{args.repeats} repeats, threads limited to {args.threads}"
    )
    print(
        "| N x D | ours wall s | sklearn wall s | wall ratio | ours CPU s | "
        "sklearn CPU s | CPU ratio | abs(dLB) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    with threadpool_limits(args.threads):
        for shape in args.shapes:
            n_samples, n_features = (int(v) for v in shape.split("x"))
            X, start = make_problem(n_samples, n_features)
            common = dict(
                n_components=N_COMPONENTS,
                covariance_type="full",
                tol=0.0,
                max_iter=args.max_iter,
                reg_covar=1e-3,
                **start,
            )
            times = {"ours": [], "sklearn": []}
            fitted = {}
            for repeat in range(args.repeats):
                order = ("ours", "sklearn") if repeat % 2 == 0 else ("sklearn", "ours")
                for name in order:
                    estimator = (
                        GaussianMixture(**common)
                        if name == "ours"
                        else SklearnGaussianMixture(
                            init_params="random_from_data", **common
                        )
                    )
                    wall, cpu, fitted[name] = timed_fit(estimator, X)
                    times[name].append((wall, cpu))
            med = {
                name: [statistics.median(t[i] for t in runs) for i in (0, 1)]
                for name, runs in times.items()
            }
            gap = abs(fitted["ours"].lower_bound_ - fitted["sklearn"].lower_bound_)
            print(
                f"| {n_samples} x {n_features} | {med['ours'][0]:.2f} | "
                f"{med['sklearn'][0]:.2f} | {med['sklearn'][0] / med['ours'][0]:.2f} "
                f"| {med['ours'][1]:.2f} | {med['sklearn'][1]:.2f} | "
                f"{med['sklearn'][1] / med['ours'][1]:.2f} | {gap:.1e} |"
            )


if __name__ == "__main__":
    main()
