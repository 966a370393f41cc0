"""Benchmark skgmm_em.GaussianMixture against sklearn.mixture.GaussianMixture.

Both estimators run side by side in one process, on the same data, and the
results go to a Markdown report (default ``benchmarks/results/latest.md``).

Usage::

    python benchmarks/run.py --quick            # cases 0, 3, 4 at N / 10, 1 thread
    python benchmarks/run.py                    # every case, type and dtype
    python benchmarks/run.py --cases 3 --types full --dtypes float64

What is measured
----------------
For every case ``(N, D, K)``, covariance type and dtype:

Data
    A well-separated random mixture of ``K`` Gaussians in ``D`` dimensions
    (fixed seed): random means at least 8 units apart, random covariances
    with eigenvalues in [0.5, 2] and random orientation, rows shuffled. It
    is generated in float64 and cast to the dtype.

Shared start
    A cheap k-means (``n_init=1``) on a subsample of at most 20,000 rows
    gives weights, means and full covariances, converted to the precisions
    of the covariance type: full ``(K, D, D)``, tied ``(D, D)`` (inverse of
    the weighted mean covariance), diag ``(K, D)``, spherical ``(K,)``. The
    arrays are cast to the data's dtype (so that scikit-learn does not
    silently upcast float32 data to float64) and passed to both estimators
    as ``weights_init``, ``means_init`` and ``precisions_init``.

Per-iteration time
    Both estimators are fit from that start with ``tol=0`` and a fixed
    ``max_iter`` (5 when ``N * K * D >= 5e6`` or with ``--quick``, else 20;
    ``--max-iter`` overrides), so both run exactly ``max_iter`` EM
    iterations. Fits
    alternate ours / scikit-learn (the order flips every repeat), each timed
    with ``time.perf_counter``; the report gives the median over
    ``--repeats`` of fit time / ``max_iter``, in ms. Nothing is subtracted:
    both times include input validation and a final E-step (ours also
    computes ``labels_`` there). scikit-learn always runs its
    ``init_params`` even when all three init arrays are given; it is set to
    ``'random_from_data'``, the cheapest, which still costs one M-step-like
    pass over the data (``_estimate_gaussian_parameters`` with one-hot
    responsibilities), so scikit-learn carries roughly half an iteration of
    extra work per fit. Ours skips its initializer when all three arrays
    are given. ``ratio`` is sklearn time / our time: above 1 means ours is
    faster. ``|dLB|`` is the difference of the two final lower bounds, a
    check that both did the same computation. ``noise %`` is the spread
    (max - min) / median of the repeats, the worse of the two estimators:
    on a shared machine, rows with a large spread are not to be trusted.

Peak memory
    A separate fit of each (``max_iter=2``) under ``tracemalloc``, started
    just before the fit: the peak of traced allocations (numpy arrays
    included, BLAS-internal buffers not) above what existed before, in MB.

GFLOP/s and fraction of peak
    The machine's matrix-multiply peak is measured by this script at start:
    best of 5 ``A @ B`` with 2000 x 2000 matrices (best of 3 at 1500 x 1500
    with ``--quick``), in float64 and float32, GFLOP/s = ``2 n**3 / t``.
    Our GFLOP/s divides a nominal flop count per EM iteration (E-step plus
    M-step, counting multiply-adds as 2 flops, ignoring the O(N K) work of
    exp/log and everything O(K D**2) or O(D**3)) by our measured time per
    iteration (which includes the amortized final E-step):

    * full:            ``4 N K D**2``  (the whitening product ``X @ U_k`` and
      the scatter ``diff.T @ diff``, each ``2 N D**2`` per component);
    * tied:            ``4 N D**2 + 4 N K D``;
    * diag, spherical: ``6 N K D``.

    ``% of peak`` compares it with the matmul peak of the same dtype. For
    small D the work is memory- and overhead-bound, so low percentages
    there are expected.

End to end
    A default fit of each (``init_params='kmeans'``, default ``tol`` and
    ``max_iter``, ``random_state=0``): fit time, iterations, final mean
    log-likelihood ``score(X)``, and ``predict_proba(X)`` throughput in rows
    per second (median of ``--repeats`` calls). Both start from
    scikit-learn's KMeans but derive the start's weights and covariances
    their own way, so iteration counts and scores can differ slightly.

Threads are left as configured unless ``--threads N`` limits the BLAS and
OpenMP pools (threadpoolctl) for the whole run, matmul peak included; the
thread counts are in the report header. ``--quick`` runs single-threaded
unless ``--threads`` says otherwise (``--threads 0``: as configured): on a
small machine shared with other jobs, multi-threaded OpenBLAS slows down by
an order of magnitude and very unevenly, which made a quick run both long
and meaningless. ``OPENBLAS_CORETYPE`` is reported but never changed.
``ConvergenceWarning`` is suppressed (``tol=0`` never converges by design).
"""

import argparse
import gc
import os
import platform
import statistics
import sys
import time
import tracemalloc
import warnings
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import scipy
import sklearn
from scipy import linalg
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from threadpoolctl import threadpool_info, threadpool_limits

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

import skgmm_em  # noqa: E402
from skgmm_em import GaussianMixture  # noqa: E402

CASES = [
    (100_000, 2, 3),
    (100_000, 3, 3),
    (1_000_000, 2, 8),
    (200_000, 10, 10),
    (100_000, 32, 16),
    (100_000, 50, 20),
    (50_000, 128, 16),
    (20_000, 200, 10),
]
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
DTYPES = ("float64", "float32")

QUICK_CASES = (0, 3, 4)
QUICK_N_SCALE = 0.1
QUICK_MAX_ITER = 5

SEED = 0
KMEANS_SUBSAMPLE = 20_000
MIN_MEAN_DISTANCE = 8.0
MEMORY_MAX_ITER = 2
MATMUL_SIZE = 2000
MATMUL_REPEATS = 5
QUICK_MATMUL = (1500, 3)  # size and repeats of the matmul peak with --quick
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "latest.md"


def log(message):
    """Print one progress line at once, so that a long run can be watched."""
    print(message, flush=True)


# --------------------------------------------------------------------------
# machine


def cpu_model():
    """The CPU model name, from /proc/cpuinfo when there is one."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def blas_info():
    """The BLAS (and OpenMP) libraries loaded in this process."""
    keys = ("user_api", "internal_api", "version", "num_threads", "architecture")
    rows = []
    for lib in threadpool_info():
        row = {key: lib.get(key) for key in keys}
        row["library"] = Path(lib.get("filepath", "")).name
        rows.append(row)
    return rows


def matmul_peak(dtype, n=MATMUL_SIZE, repeats=MATMUL_REPEATS):
    """Best GFLOP/s of an n x n matrix product, ``2 n**3 / t``."""
    rng = np.random.default_rng(SEED)
    a = rng.standard_normal((n, n)).astype(dtype)
    b = rng.standard_normal((n, n)).astype(dtype)
    a @ b  # warm up
    best = min(_timed(lambda: a @ b) for _ in range(repeats))
    return 2.0 * n**3 / best / 1e9


def _timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def matmul_peaks(quick):
    """{dtype name: GFLOP/s}, and a description of the measurement."""
    n, repeats = QUICK_MATMUL if quick else (MATMUL_SIZE, MATMUL_REPEATS)
    peaks = {dt: matmul_peak(np.dtype(dt), n, repeats) for dt in DTYPES}
    return peaks, f"{n}x{n}, best of {repeats}"


def machine_header(peaks, how, args):
    """The Markdown lines that describe the machine and the run."""
    lines = [
        "# skgmm_em vs scikit-learn GaussianMixture",
        "",
        f"- date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- command: `python {' '.join(sys.argv)}`",
        f"- CPU: {cpu_model()} ({platform.machine()})",
        f"- cores (os.cpu_count()): {os.cpu_count()}",
        f"- OPENBLAS_CORETYPE: {os.environ.get('OPENBLAS_CORETYPE', '(unset)')}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"skgmm_em {skgmm_em.__version__}",
        f"- matmul peak ({how}): "
        + ", ".join(f"{dt} {peaks[dt]:.1f} GFLOP/s" for dt in DTYPES),
        "- load average at start (1, 5, 15 min): "
        + ", ".join(f"{v:.2f}" for v in os.getloadavg()),
        f"- repeats: {args.repeats}"
        + (f", quick (N x {QUICK_N_SCALE})" if args.quick else "")
        + (f", threads limited to {args.threads}" if args.threads else ""),
        "",
        "Thread pools (threadpoolctl):",
        "",
    ]
    headers = [
        "library",
        "user_api",
        "internal_api",
        "version",
        "num_threads",
        "architecture",
    ]
    rows = [[str(lib[h]) for h in headers] for lib in blas_info()]
    return lines + markdown_table(headers, rows)


# --------------------------------------------------------------------------
# data and the shared start


def make_mixture(n_samples, n_features, n_components, seed=SEED):
    """Rows of a well-separated random Gaussian mixture, float64, shuffled."""
    rng = np.random.default_rng(seed)
    means = _separated_means(rng, n_components, n_features)
    weights = rng.dirichlet(np.full(n_components, 5.0))
    counts = rng.multinomial(n_samples, weights)
    blocks = []
    for mean, count in zip(means, counts, strict=True):
        q, _ = np.linalg.qr(rng.standard_normal((n_features, n_features)))
        factor = q * np.sqrt(rng.uniform(0.5, 2.0, n_features))
        blocks.append(mean + rng.standard_normal((count, n_features)) @ factor.T)
    X = np.vstack(blocks)
    return X[rng.permutation(n_samples)]


def _separated_means(rng, n_components, n_features):
    """Random means, at least MIN_MEAN_DISTANCE apart."""
    scale = MIN_MEAN_DISTANCE
    while True:
        means = rng.standard_normal((n_components, n_features)) * scale
        if n_components == 1:
            return means
        diff = means[:, None, :] - means[None, :, :]
        dist = np.sqrt((diff**2).sum(axis=-1))
        dist[np.diag_indices(n_components)] = np.inf
        if dist.min() >= MIN_MEAN_DISTANCE:
            return means
        scale *= 1.25


def kmeans_start(X, n_components, seed=SEED):
    """Weights, means and full covariances from k-means on a subsample."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(X.shape[0], min(X.shape[0], KMEANS_SUBSAMPLE), replace=False)
    sub = np.asarray(X[np.sort(rows)], dtype=np.float64)
    labels = (
        KMeans(n_components, n_init=1, max_iter=50, random_state=seed).fit(sub).labels_
    )
    n_features = sub.shape[1]
    fallback = np.cov(sub, rowvar=False).reshape(n_features, n_features)
    weights = np.empty(n_components)
    means = np.empty((n_components, n_features))
    covariances = np.empty((n_components, n_features, n_features))
    for k in range(n_components):
        members = sub[labels == k]
        weights[k] = len(members)
        means[k] = members.mean(axis=0)
        cov = fallback if len(members) <= n_features else np.cov(members.T)
        covariances[k] = cov + 1e-6 * np.eye(n_features)
    return weights / weights.sum(), means, covariances


def _spd_inverse(matrix):
    """Symmetric inverse of a symmetric positive definite matrix."""
    lower = linalg.cholesky(matrix, lower=True)
    lower_inv = linalg.solve_triangular(lower, np.eye(matrix.shape[0]), lower=True)
    inverse = lower_inv.T @ lower_inv
    return 0.5 * (inverse + inverse.T)


def precisions_for(covariance_type, weights, covariances):
    """Full covariances (K, D, D) as the precisions of a covariance type."""
    if covariance_type == "full":
        return np.stack([_spd_inverse(c) for c in covariances])
    if covariance_type == "tied":
        return _spd_inverse(np.tensordot(weights, covariances, axes=1))
    variances = np.diagonal(covariances, axis1=1, axis2=2)
    if covariance_type == "diag":
        return 1.0 / variances
    return 1.0 / variances.mean(axis=1)


def init_arrays(start, covariance_type, dtype):
    """weights_init, means_init, precisions_init in the data's dtype."""
    weights, means, covariances = start
    precisions = precisions_for(covariance_type, weights, covariances)
    return {
        "weights_init": weights.astype(dtype),
        "means_init": means.astype(dtype),
        "precisions_init": precisions.astype(dtype),
    }


# --------------------------------------------------------------------------
# flops


def flops_per_iteration(covariance_type, n, d, k):
    """Nominal flops of one EM iteration (see the module docstring)."""
    if covariance_type == "full":
        return 4.0 * n * k * d * d
    if covariance_type == "tied":
        return 4.0 * n * d * d + 4.0 * n * k * d
    return 6.0 * n * k * d


def default_max_iter(n, d, k, quick=False):
    """Few iterations for big cases (and quick runs), more for small ones."""
    return QUICK_MAX_ITER if quick or n * k * d >= 5e6 else 20


# --------------------------------------------------------------------------
# measurements


def make_estimators(n_components, covariance_type, **params):
    """Ours and scikit-learn's, with the same parameters."""
    ours = GaussianMixture(n_components, covariance_type=covariance_type, **params)
    theirs = SklearnGaussianMixture(
        n_components, covariance_type=covariance_type, **params
    )
    return {"ours": ours, "sklearn": theirs}


def fixed_start_estimators(n_components, covariance_type, init, max_iter):
    """Estimators that run exactly max_iter iterations from the shared start."""
    estimators = make_estimators(
        n_components,
        covariance_type,
        tol=0.0,
        max_iter=max_iter,
        random_state=SEED,
        **init,
    )
    # Ignored by ours when all three init arrays are given; scikit-learn
    # always runs it, and this is its cheapest choice.
    estimators["sklearn"].set_params(init_params="random_from_data")
    return estimators


def time_fit(estimator, X):
    """Seconds of one fit."""
    gc.collect()
    start = time.perf_counter()
    estimator.fit(X)
    return time.perf_counter() - start


def time_iterations(X, n_components, covariance_type, init, max_iter, repeats):
    """Median seconds per iteration and spread of each, final lower bounds."""
    estimators = fixed_start_estimators(n_components, covariance_type, init, max_iter)
    times = {name: [] for name in estimators}
    for repeat in range(repeats):
        order = ["ours", "sklearn"] if repeat % 2 == 0 else ["sklearn", "ours"]
        for name in order:
            times[name].append(time_fit(estimators[name], X))
    for name, estimator in estimators.items():
        if estimator.n_iter_ != max_iter:
            raise RuntimeError(f"{name} ran {estimator.n_iter_} != {max_iter} iters")
    per_iter = {name: statistics.median(t) / max_iter for name, t in times.items()}
    spread = max((max(t) - min(t)) / statistics.median(t) for t in times.values())
    bounds = {name: float(est.lower_bound_) for name, est in estimators.items()}
    return per_iter, spread, bounds


def peak_fit_memory(estimator, X):
    """Peak MB allocated (tracemalloc) above the start, during one fit."""
    gc.collect()
    tracemalloc.start()
    try:
        estimator.fit(X)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def measure_memory(X, n_components, covariance_type, init):
    estimators = fixed_start_estimators(
        n_components, covariance_type, init, MEMORY_MAX_ITER
    )
    return {name: peak_fit_memory(est, X) for name, est in estimators.items()}


def measure_end_to_end(X, n_components, covariance_type, repeats):
    """Default fit time, iterations, score and predict_proba throughput."""
    results = {}
    estimators = make_estimators(n_components, covariance_type, random_state=SEED)
    for name, estimator in estimators.items():
        fit_seconds = time_fit(estimator, X)
        proba = statistics.median(
            _timed(lambda e=estimator: e.predict_proba(X)) for _ in range(repeats)
        )
        results[name] = {
            "fit_s": fit_seconds,
            "n_iter": int(estimator.n_iter_),
            "score": float(estimator.score(X)),
            "rows_per_s": X.shape[0] / proba,
        }
    return results


# --------------------------------------------------------------------------
# one case


def case_label(index, n, d, k):
    return f"#{index} {_short(n)}x{d}x{k}"


def _short(n):
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def run_config(X, shape, covariance_type, start, args, peaks):
    """Every measurement of one (case, covariance type, dtype)."""
    n, d, k = shape
    dtype = X.dtype.name
    init = init_arrays(start, covariance_type, X.dtype)
    max_iter = args.max_iter or default_max_iter(n, d, k, args.quick)
    per_iter, spread, bounds = time_iterations(
        X, k, covariance_type, init, max_iter, args.repeats
    )
    gflops = flops_per_iteration(covariance_type, n, d, k) / per_iter["ours"] / 1e9
    result = {
        "max_iter": max_iter,
        "ours_ms": 1e3 * per_iter["ours"],
        "sklearn_ms": 1e3 * per_iter["sklearn"],
        "ratio": per_iter["sklearn"] / per_iter["ours"],
        "gflops": gflops,
        "pct_peak": 100.0 * gflops / peaks[dtype],
        "dlb": abs(bounds["ours"] - bounds["sklearn"]),
        "noise_pct": 100.0 * spread,
    }
    if not args.no_memory:
        memory = measure_memory(X, k, covariance_type, init)
        result["ours_mb"] = memory["ours"]
        result["sklearn_mb"] = memory["sklearn"]
    if not args.no_end_to_end:
        result["e2e"] = measure_end_to_end(X, k, covariance_type, args.repeats)
    return result


def progress_line(label, covariance_type, dtype, result):
    parts = [
        f"{label} {covariance_type:9s} {dtype}:",
        f"ours {result['ours_ms']:.2f} ms/it,",
        f"sklearn {result['sklearn_ms']:.2f} ms/it,",
        f"ratio {result['ratio']:.2f},",
        f"{result['gflops']:.1f} GFLOP/s ({result['pct_peak']:.0f}% peak),",
        f"noise {result['noise_pct']:.0f}%",
    ]
    if "ours_mb" in result:
        parts.append(f"| mem {result['ours_mb']:.1f} / {result['sklearn_mb']:.1f} MB")
    if "e2e" in result:
        e2e = result["e2e"]
        parts.append(
            f"| e2e {e2e['ours']['fit_s']:.2f} / {e2e['sklearn']['fit_s']:.2f} s"
        )
    return " ".join(parts)


# --------------------------------------------------------------------------
# report


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---" for _ in headers) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def iteration_table(records, with_memory):
    headers = [
        "case",
        "type",
        "dtype",
        "iters",
        "ours ms/iter",
        "sklearn ms/iter",
        "ratio",
        "ours GFLOP/s",
        "% of peak",
    ]
    if with_memory:
        headers += ["ours peak MB", "sklearn peak MB"]
    headers += ["noise %", "|dLB|"]
    rows = []
    for rec in records:
        r = rec["result"]
        if "error" in r:
            rows.append(
                [rec["label"], rec["type"], rec["dtype"], f"error: {r['error']}"]
                + [""] * (len(headers) - 4)
            )
            continue
        row = [
            rec["label"],
            rec["type"],
            rec["dtype"],
            str(r["max_iter"]),
            f"{r['ours_ms']:.2f}",
            f"{r['sklearn_ms']:.2f}",
            f"{r['ratio']:.2f}",
            f"{r['gflops']:.2f}",
            f"{r['pct_peak']:.1f}",
        ]
        if with_memory:
            row += [f"{r['ours_mb']:.1f}", f"{r['sklearn_mb']:.1f}"]
        row += [f"{r['noise_pct']:.0f}", f"{r['dlb']:.1e}"]
        rows.append(row)
    return markdown_table(headers, rows)


def end_to_end_table(records):
    headers = [
        "case",
        "type",
        "dtype",
        "ours fit s",
        "sklearn fit s",
        "ratio",
        "ours iters",
        "sklearn iters",
        "ours score",
        "sklearn score",
        "ours proba rows/s",
        "sklearn proba rows/s",
    ]
    rows = []
    for rec in records:
        e2e = rec["result"].get("e2e")
        if e2e is None:
            continue
        ours, theirs = e2e["ours"], e2e["sklearn"]
        rows.append(
            [
                rec["label"],
                rec["type"],
                rec["dtype"],
                f"{ours['fit_s']:.3f}",
                f"{theirs['fit_s']:.3f}",
                f"{theirs['fit_s'] / ours['fit_s']:.2f}",
                str(ours["n_iter"]),
                str(theirs["n_iter"]),
                f"{ours['score']:.4f}",
                f"{theirs['score']:.4f}",
                f"{ours['rows_per_s']:.3g}",
                f"{theirs['rows_per_s']:.3g}",
            ]
        )
    return markdown_table(headers, rows)


def summary_lines(records):
    done = [rec for rec in records if "error" not in rec["result"]]
    if not done:
        return ["No configuration completed."]

    def name(rec):
        return f"{rec['label']} {rec['type']} {rec['dtype']}"

    ratios = [rec["result"]["ratio"] for rec in done]
    f64 = [rec["result"]["ratio"] for rec in done if rec["dtype"] == "float64"]
    slowest = min(done, key=lambda rec: rec["result"]["ratio"])
    under = [rec for rec in done if rec["result"]["ratio"] < 1.5]
    slower = [rec for rec in done if rec["result"]["ratio"] < 1.0]
    lines = [
        "Per-iteration ratio = sklearn ms/iter / ours ms/iter (above 1: ours faster).",
        "",
        "- median ratio, float64: "
        + (f"{statistics.median(f64):.2f} over {len(f64)} cases" if f64 else "n/a"),
        f"- median ratio, all: {statistics.median(ratios):.2f} over "
        f"{len(ratios)} cases",
        f"- min ratio: {slowest['result']['ratio']:.2f} ({name(slowest)})",
        f"- cases under 1.5x: {len(under)} of {len(done)}",
        "- cases where ours is slower (ratio < 1): "
        + (
            ", ".join(f"{name(r)} ({r['result']['ratio']:.2f})" for r in slower)
            or "none"
        ),
    ]
    e2e = [rec["result"]["e2e"] for rec in done if "e2e" in rec["result"]]
    if e2e:
        fit_ratios = [e["sklearn"]["fit_s"] / e["ours"]["fit_s"] for e in e2e]
        lines.append(
            f"- end-to-end fit, median sklearn/ours: "
            f"{statistics.median(fit_ratios):.2f}"
        )
    failed = [rec for rec in records if "error" in rec["result"]]
    if failed:
        lines.append(f"- failed configurations: {len(failed)}")
    return lines + [""]


def write_report(path, header, records, args):
    lines = header + ["", "## Per-iteration EM from a shared start", ""]
    lines += iteration_table(records, with_memory=not args.no_memory)
    if not args.no_end_to_end:
        lines += ["## End to end (default fit)", ""]
        lines += end_to_end_table(records)
    lines += ["## Summary", ""] + summary_lines(records)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines))
    return lines


# --------------------------------------------------------------------------
# driver


def _list_arg(values, allowed, what):
    """Values from space- and/or comma-separated arguments, checked."""
    items = [v for value in values for v in str(value).split(",") if v]
    bad = [v for v in items if v not in allowed]
    if bad:
        raise SystemExit(f"unknown {what}: {bad}; choose from {list(allowed)}")
    return items


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Compare skgmm_em.GaussianMixture with scikit-learn's.",
        epilog="Cases (index: N, D, K): "
        + "; ".join(f"{i}: {c}" for i, c in enumerate(CASES)),
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"cases {list(QUICK_CASES)} (unless --cases) with N x {QUICK_N_SCALE}",
    )
    parser.add_argument("--cases", nargs="+", help="case indices (default: all)")
    parser.add_argument("--types", nargs="+", default=list(COVARIANCE_TYPES))
    parser.add_argument("--dtypes", nargs="+", default=list(DTYPES))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="limit BLAS/OpenMP threads for the whole run; 0: as configured "
        "(default: 1 with --quick, else as configured)",
    )
    parser.add_argument(
        "--max-iter", type=int, default=None, help="override the fixed iterations"
    )
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT))
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-end-to-end", action="store_true")
    args = parser.parse_args(argv)
    indices = [str(i) for i in range(len(CASES))]
    if args.cases:
        args.cases = [int(c) for c in _list_arg(args.cases, indices, "case")]
    else:
        args.cases = list(QUICK_CASES) if args.quick else list(range(len(CASES)))
    args.types = _list_arg(args.types, COVARIANCE_TYPES, "covariance type")
    args.dtypes = _list_arg(args.dtypes, DTYPES, "dtype")
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.threads is None:
        args.threads = 1 if args.quick else 0
    args.threads = args.threads or None  # None: no limit
    return args


def case_shape(index, quick):
    n, d, k = CASES[index]
    if quick:
        n = max(int(n * QUICK_N_SCALE), 10 * k)
    return n, d, k


def run(args):
    t0 = time.perf_counter()
    log("measuring the matmul peak ...")
    peaks, how = matmul_peaks(args.quick)
    header = machine_header(peaks, how, args)
    for line in header:
        log(line)
    total = len(args.cases) * len(args.types) * len(args.dtypes)
    records = []
    for index in args.cases:
        shape = case_shape(index, args.quick)
        label = case_label(index, *shape)
        log(f"{label}: generating data and the shared k-means start ...")
        X64 = make_mixture(*shape)
        start = kmeans_start(X64, shape[2])
        for dtype in args.dtypes:
            X = np.ascontiguousarray(X64, dtype=dtype)
            for covariance_type in args.types:
                try:
                    result = run_config(X, shape, covariance_type, start, args, peaks)
                    message = progress_line(label, covariance_type, dtype, result)
                except Exception as exc:  # report and go on with the others
                    result = {"error": f"{type(exc).__name__}: {exc}"}
                    message = f"{label} {covariance_type} {dtype}: {result['error']}"
                records.append(
                    {
                        "label": label,
                        "type": covariance_type,
                        "dtype": dtype,
                        "result": result,
                    }
                )
                elapsed = time.perf_counter() - t0
                log(f"[{len(records)}/{total} {elapsed:.0f}s] {message}")
            del X
    lines = write_report(args.output, header, records, args)
    log("")
    for line in lines[len(header) :]:
        log(line)
    log(f"report written to {args.output} ({time.perf_counter() - t0:.0f} s)")


def main(argv=None):
    args = parse_args(argv)
    with warnings.catch_warnings(), threadpool_limits(args.threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        run(args)


if __name__ == "__main__":
    main()
