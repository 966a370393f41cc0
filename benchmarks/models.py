"""Time per EM iteration of the fourteen covariance models, ours and R mclust's.

Usage::

    python benchmarks/models.py                       # N=100k, D=5 and 20, K=5
    python benchmarks/models.py --no-mclust           # ours only
    python benchmarks/models.py --n-samples 2000 --features 3 --iterations 3 --repeats 1

What is measured
----------------
Data
    K Gaussians in D dimensions that overlap (fixed seed, float64): random
    weights, means drawn about 3 apart, random covariances (eigenvalues in
    [0.5, 2], random orientations), so that EM from the start below is
    still moving after the timed iterations (on well-separated clusters it
    settles to the last digit within three, and mclust then stops).

Shared start
    ``run.py``'s k-means start (weights, means, full covariances from a
    k-means on a subsample) gives the responsibilities ``z`` of every sample
    under a ``'full'`` mixture. Every model starts from its own M-step on
    ``z``: the weights and means of ``z``, and the covariances of ``z``
    reduced to the model (``MODELS[name].from_full``), passed as
    ``weights_init``, ``means_init`` and ``precisions_init`` (the model's
    shape), so no initializer runs. mclust starts from the same ``z``.

Ours per iteration
    ``GaussianMixture(covariance_type=name, tol=0)`` fit from that start
    with ``max_iter=k`` and with ``max_iter=1`` (``--iterations`` k, default
    10); per iteration ``(t_k - t_1) / (k - 1)``, so that what a fit does
    once (validation, the final E-step, ``labels_``) cancels. The median of
    ``--repeats``. The ``'full'`` column is ``'full'`` timed the same way,
    in turn with the model in each repeat, so that every row has its own
    reference taken under the same load.

M-step share
    The EM core's E-step (``skgmm_em._em.e_step``, the pass over the data
    that sums the statistics) and M-step (``skgmm_em._em.m_step``: means,
    the model's covariances from the summed statistics, precision factors;
    the iterative M-steps with the estimator's default ``m_step_tol`` and
    ``m_step_max_iter``) run ``k`` iterations from the start, timed apart;
    the share is M-step time / (E-step + M-step time), the median of the
    repeats. The M-step works on the K summed D x D matrices: its cost does
    not depend on ``N``.

mclust per iteration
    The data and ``z`` are written to CSV files in a temporary folder and
    one ``Rscript`` process per D runs ``benchmarks/models_mclust.R``: for
    each model, ``me(modelName, data, z, control = emControl(tol = c(0,
    sqrt(eps)), itmax = c(k, Inf)))`` (an M-step from ``z``, then E-steps
    and M-steps in turn, in mclust's Fortran; with ``tol = 0`` on the
    log-likelihood it runs ``k`` iterations unless the log-likelihood stops
    changing at all; the inner loops of the iterative M-steps keep mclust's
    defaults) with ``itmax`` k and 1, each timed by ``system.time`` inside
    R, after one untimed run; per iteration ``(t_k - t_1)`` over the
    iterations between them, the median of the repeats. Skipped when
    ``Rscript`` is not on the PATH or mclust is not installed.
    ``mclust / ours`` above 1 means ours is faster.
    ``(ours - mclust) logL/n`` compares
    the log-likelihoods both report after ``k`` iterations (ours:
    ``lower_bound_``; mclust: that of its last E-step, the same parameters),
    per sample: a check that both ran the same EM (positive where ours is
ahead). ``mclust inner its`` is the number of rounds of mclust's last
iterative M-step.

Threads: ours runs on one thread by default (``--threads N`` sets the
limit through threadpoolctl, which the EM core's chunk threads follow too;
``--threads 0`` leaves them as configured), as R's mclust does (R's BLAS,
reported in the header). On a small machine shared with other jobs, a pass
split between threads waits for the slowest of them, which made
multi-threaded timings both slower and uneven. Medians of a few repeats;
the load average is printed before and after.
"""

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from threadpoolctl import threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from run import kmeans_start  # noqa: E402 (benchmarks/run.py)

from skgmm_em import GaussianMixture, _em  # noqa: E402
from skgmm_em._covariance import MCLUST_MODELS, MODELS, InnerSettings  # noqa: E402
from skgmm_em.datasets import make_mixture  # noqa: E402

R_SCRIPT = Path(__file__).resolve().with_name("models_mclust.R")
REG_COVAR = GaussianMixture().reg_covar


def overlapping_mixture(n_samples, n_features, n_components, seed=0):
    """Rows (n, D) of a random mixture whose components overlap."""
    rng = np.random.default_rng(seed)
    means = rng.normal(
        scale=3.0 / np.sqrt(2 * n_features), size=(n_components, n_features)
    )
    covariances = []
    for _ in range(n_components):
        q, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
        covariances.append((q * rng.uniform(0.5, 2.0, n_features)) @ q.T)
    weights = rng.dirichlet(np.full(n_components, 5.0))
    X, _ = make_mixture(n_samples, weights, means, covariances, random_state=seed)
    return X


def shared_start(X, n_components):
    """The responsibilities ``z`` (n, K) of a 'full' mixture at the k-means
    start, and the weights, means and full covariances of ``z``."""
    weights, means, covariances = kmeans_start(X, n_components)
    start = GaussianMixture(
        n_components,
        weights_init=weights,
        means_init=means,
        precisions_init=np.linalg.inv(covariances),
        max_iter=0,
    ).fit(X)
    z = start.predict_proba(X)
    nk = z.sum(axis=0)
    means = (z.T @ X) / nk[:, None]
    covariances = np.stack(
        [((X - m).T * z[:, k]) @ (X - m) / nk[k] for k, m in enumerate(means)]
    )
    return z, (nk / nk.sum(), means, covariances)


def init_arrays(name, start):
    weights, means, covariances = start
    precisions = MODELS[name].precisions_from_full(covariances, weights)
    return {"weights_init": weights, "means_init": means, "precisions_init": precisions}


def timed_fit(X, name, start, max_iter):
    """Seconds of one fit from the start, and its lower bound."""
    gm = GaussianMixture(
        len(start[0]), covariance_type=name, tol=0.0, max_iter=max_iter
    ).set_params(**init_arrays(name, start))
    began = time.perf_counter()
    gm.fit(X)
    return time.perf_counter() - began, gm.lower_bound_


def per_iteration(X, name, start, iterations):
    """Seconds per iteration of a fit, and the lower bound after it."""
    t_1, _ = timed_fit(X, name, start, 1)
    t_k, lower_bound = timed_fit(X, name, start, iterations)
    return (t_k - t_1) / (iterations - 1), lower_bound


def core_split(X, name, start, iterations):
    """Seconds in the E-steps and in the M-steps of ``iterations`` EM
    iterations of the EM core from the start."""
    defaults = GaussianMixture()
    inner = InnerSettings(defaults.m_step_tol, defaults.m_step_max_iter)
    model = MODELS[name].with_inner(inner)
    weights, means, covariances = start
    covariances = model.from_full(covariances, weights)
    params = _em.MixtureParams(
        weights, means, covariances, model.precision_cholesky(covariances, REG_COVAR)
    )
    e_seconds = m_seconds = 0.0
    for _ in range(iterations):
        began = time.perf_counter()
        stats = _em.e_step(X, params, model)
        middle = time.perf_counter()
        params = _em.m_step(stats, params, model, REG_COVAR, X.dtype)
        e_seconds += middle - began
        m_seconds += time.perf_counter() - middle
    return e_seconds, m_seconds


def one_repeat(X, name, start, iterations):
    """Seconds per iteration of ``name`` and of 'full', the M-step's seconds
    per iteration and its share of the EM core's time, the lower bound."""
    seconds, lower_bound = per_iteration(X, name, start, iterations)
    full, _ = per_iteration(X, "full", start, iterations)
    e_seconds, m_seconds = core_split(X, name, start, iterations)
    share = m_seconds / (e_seconds + m_seconds)
    return seconds, full, m_seconds / iterations, share, lower_bound


def time_ours(X, start, args):
    """{model: timings} for every model, 'full' alongside each."""
    results = {}
    for name in args.models:
        rows = [
            one_repeat(X, name, start, args.iterations) for _ in range(args.repeats)
        ]
        seconds, full, m_step, share, _ = map(
            statistics.median, zip(*rows, strict=True)
        )
        results[name] = {
            "ms": 1e3 * seconds,
            "full_ms": 1e3 * full,
            "m_step_ms": 1e3 * m_step,
            "share": share,
            "loglik": rows[-1][-1] * X.shape[0],
        }
        print(
            f"  ours {name}: {1e3 * seconds:.1f} ms/iter, M-step {share:.1%}",
            flush=True,
        )
    return results


def mclust_available():
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(
        ["Rscript", "-e", "quit(status = !requireNamespace('mclust', quietly = TRUE))"],
        capture_output=True,
    )
    return check.returncode == 0


def time_mclust(X, z, args):
    """{model: timings} from one Rscript process."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        np.savetxt(folder / "data.csv", X, delimiter=",", fmt="%.17g")
        np.savetxt(folder / "z.csv", z, delimiter=",", fmt="%.17g")
        command = [
            "Rscript",
            str(R_SCRIPT),
            str(folder / "data.csv"),
            str(folder / "z.csv"),
            ",".join(args.models),
            str(args.iterations),
            str(args.repeats),
            str(folder / "out.csv"),
        ]
        subprocess.run(command, check=True)
        with open(folder / "out.csv", newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    results = {}
    for name in args.models:
        runs = [row for row in rows if row["model"] == name]
        # mclust stops early where the log-likelihood no longer changes at
        # all (tol = 0): divide by the iterations it ran.
        seconds = [
            (float(row["seconds_k"]) - float(row["seconds_1"]))
            / max(int(row["iterations"]) - 1, 1)
            for row in runs
        ]
        results[name] = {
            "ms": 1e3 * statistics.median(seconds),
            "iterations": min(int(row["iterations"]) for row in runs),
            "inner": runs[-1]["inner"],
            "loglik": float(runs[-1]["loglik"]),
        }
    return results


def r_versions():
    script = (
        "cat(R.version.string, '; mclust ', format(packageVersion('mclust')),"
        " '; BLAS ', basename(extSoftVersion()[['BLAS']]), sep = '')"
    )
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    return out.stdout.strip()


def table(results, mclust, n_samples, iterations):
    lines = [
        "| model | ours ms/iter | M-step ms | M-step share | full ms/iter "
        "| mclust ms/iter | mclust / ours | (ours - mclust) logL/n "
        "| mclust inner its |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, ours in results.items():
        cells = [
            name,
            f"{ours['ms']:.1f}",
            f"{ours['m_step_ms']:.2f}",
            f"{ours['share']:.1%}",
            f"{ours['full_ms']:.1f}",
        ]
        if mclust is None:
            cells += ["-"] * 4
        else:
            theirs = mclust[name]
            diff = (ours["loglik"] - theirs["loglik"]) / n_samples
            stopped = theirs["iterations"] < iterations
            cells += [
                f"{theirs['ms']:.1f}"
                + (f" (stopped after {theirs['iterations']})" if stopped else ""),
                f"{theirs['ms'] / ours['ms']:.2f}",
                f"{diff:+.1e}",
                "-" if theirs["inner"] == "NA" else theirs["inner"],
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def run_dimension(n_features, args, with_mclust):
    X = overlapping_mixture(args.n_samples, n_features, args.components)
    z, start = shared_start(X, args.components)
    print(f"N={args.n_samples}, D={n_features}, K={args.components}:", flush=True)
    results = time_ours(X, start, args)
    mclust = time_mclust(X, z, args) if with_mclust else None
    title = (
        f"N = {args.n_samples}, D = {n_features}, K = {args.components}, "
        f"{args.iterations} iterations, medians of {args.repeats}"
    )
    return ["", f"### {title}", ""] + table(
        results, mclust, args.n_samples, args.iterations
    )


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=100_000)
    parser.add_argument("--features", type=int, nargs="+", default=[5, 20])
    parser.add_argument("--components", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--models", nargs="+", default=list(MCLUST_MODELS))
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="limit ours to this many threads (default 1, as mclust; 0: as configured)",
    )
    parser.add_argument("--no-mclust", action="store_true")
    parser.add_argument("--output", help="also write the report to this file")
    args = parser.parse_args(argv)
    args.threads = args.threads or None  # None: no limit
    if args.iterations < 2:
        parser.error("--iterations must be at least 2")
    unknown = sorted(set(args.models) - set(MCLUST_MODELS))
    if unknown:
        parser.error(f"unknown models {unknown}; choose from {list(MCLUST_MODELS)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    with_mclust = not args.no_mclust and mclust_available()
    lines = [
        f"- command: `python benchmarks/models.py {' '.join(sys.argv[1:])}`",
        f"- cores: {os.cpu_count()}, threads: {args.threads or 'as configured'}",
        "- mclust: "
        + (r_versions() if with_mclust else "skipped (no Rscript or mclust)"),
        "- load average before: " + " ".join(f"{v:.2f}" for v in os.getloadavg()),
    ]
    with warnings.catch_warnings(), threadpool_limits(args.threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        for n_features in args.features:
            lines += run_dimension(n_features, args, with_mclust)
    lines += [
        "",
        "- load average after: " + " ".join(f"{v:.2f}" for v in os.getloadavg()),
    ]
    report = "\n".join(lines) + "\n"
    print(report)
    if args.output:
        Path(args.output).write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
