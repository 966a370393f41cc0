"""Benchmark EM on in-memory data, on a dask LocalCluster and on a memmap.

Usage::

    python benchmarks/dask_scaling.py                  # N=10M, D=10, K=8 (800 MB)
    python benchmarks/dask_scaling.py --n-samples 1000000 --iterations 3
    python benchmarks/dask_scaling.py --output benchmarks/results/dask.md

What is measured
----------------
Data
    ``N x D`` float64 rows of a mixture of ``K`` spherical Gaussians (fixed
    seed), generated in blocks of ``--block-rows`` rows by one function of
    the block's index. The in-memory array is filled block by block in this
    process; the dask array is made by the same function running on the
    workers of a ``LocalCluster`` (``--workers`` processes of one thread)
    and persisted there, so the data never pass through this process; the
    memmap is a ``.npy`` file in a temporary directory (deleted at the
    end), written block by block and opened read-only. The three hold the
    same numbers, chunked alike.

Time per EM iteration
    One EM iteration is the body of the estimator's EM loop: the E-step
    (``skgmm_em._em.e_step`` on the array, or ``skgmm_em._dask.e_step``:
    one pass over the blocks on the workers, statistics tree-summed) and the
    M-step on the summed statistics (``skgmm_em._em.m_step``, in this
    process). Every backend starts from the same parameters (the true means
    moved by 0.5 in every feature, equal weights, unit precisions) and runs
    ``--iterations`` iterations; the backends take turns iteration by
    iteration, so that a change in the machine's load hits all of them. The
    report gives the median time per iteration, the ratio to in-memory, and
    the largest relative difference of the final means from the in-memory
    run (the backends compute the same fit; it should be below 1e-10).

Worker memory allocator
    distributed starts its worker processes with ``MALLOC_TRIM_THRESHOLD_=
    65536`` in their environment (the ``distributed.nanny.pre-spawn-environ``
    setting). Setting it switches off glibc's adaptive mmap threshold, so
    every fresh array above 128 kB is mapped and unmapped afresh, page
    faults included. The EM core reuses its large temporaries within a pass,
    so the two settings should time alike; the benchmark checks it.
    With ``--malloc-trim both`` (the default) two clusters run side by side,
    one with distributed's default and one with the variable unset
    (``dask.config.set({TRIM_KEY: None})`` before the cluster starts).

Peak memory
    A fit of :class:`skgmm_em.GaussianMixture` on the memmap
    (``max_iter=2``, ``tol=0``, explicit start) under ``tracemalloc``: the
    peak of traced allocations (numpy's included) in MB, to compare with
    the size of the data. ``labels_`` (8 bytes per row) is part of it. The
    peak of this process during one more dask iteration is reported too:
    the data stay on the workers.

The load average of the machine is printed before and after: on a shared
machine, times taken under a load above the number of cores are not to be
trusted, and the ratio is the number to look at.
"""

import argparse
import os
import platform
import shutil
import statistics
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np

from skgmm_em import GaussianMixture, _dask, _em

SEED = 0


def true_means(n_components, n_features):
    """Component means, 6 units apart along random directions."""
    rng = np.random.default_rng(SEED)
    return rng.normal(scale=6.0, size=(n_components, n_features))


def make_block(index, n_rows, n_components, n_features):
    """Rows ``index * block_rows ...`` of the data: (n_rows, n_features)."""
    means = true_means(n_components, n_features)
    rng = np.random.default_rng([SEED, index])
    labels = rng.integers(n_components, size=n_rows)
    scales = 0.5 + np.arange(n_components) / n_components
    block = rng.standard_normal((n_rows, n_features))
    block *= scales[labels, None]
    block += means[labels]
    return block


def block_sizes(n_samples, block_rows):
    sizes = [block_rows] * (n_samples // block_rows)
    if n_samples % block_rows:
        sizes.append(n_samples % block_rows)
    return tuple(sizes)


def in_memory_data(sizes, n_components, n_features):
    X = np.empty((sum(sizes), n_features))
    start = 0
    for index, n_rows in enumerate(sizes):
        X[start : start + n_rows] = make_block(index, n_rows, n_components, n_features)
        start += n_rows
    return X


def memmap_data(path, sizes, n_components, n_features):
    X = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float64, shape=(sum(sizes), n_features)
    )
    start = 0
    for index, n_rows in enumerate(sizes):
        X[start : start + n_rows] = make_block(index, n_rows, n_components, n_features)
        start += n_rows
    X.flush()
    del X
    return np.load(path, mmap_mode="r")


def _dask_block(n_components, n_features, block_id=None, block_info=None):
    n_rows = block_info[None]["chunk-shape"][0]
    return make_block(block_id[0], n_rows, n_components, n_features)


def dask_data(sizes, n_components, n_features):
    import dask.array as da

    return da.map_blocks(
        _dask_block,
        n_components,
        n_features,
        chunks=(sizes, (n_features,)),
        dtype=np.float64,
        meta=np.empty((0, 0)),
    )


#: The dask config key of the malloc setting distributed gives its workers.
TRIM_KEY = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"


def start_parameters(n_components, n_features, covariance_type):
    """The shared start: true means + 0.5, equal weights, unit precisions."""
    weights = np.full(n_components, 1.0 / n_components)
    means = true_means(n_components, n_features) + 0.5
    shapes = {
        "full": (n_components, n_features, n_features),
        "tied": (n_features, n_features),
        "diag": (n_components, n_features),
        "spherical": (n_components,),
    }
    if covariance_type in ("full", "tied"):
        precisions = np.broadcast_to(np.eye(n_features), shapes[covariance_type])
    else:
        precisions = np.ones(shapes[covariance_type])
    return weights, means, np.array(precisions)


def mixture_params(weights, means, precisions, covariance_type):
    """The start as the EM core's MixtureParams (unit precisions: U = I)."""
    return _em.MixtureParams(weights, means, precisions.copy(), precisions.copy())


def em_iteration(backend, X, params, covariance_type):
    """One EM iteration as the estimator runs it; returns (params, seconds)."""
    start = time.perf_counter()
    stats = backend.e_step(X, params, covariance_type)
    params = _em.m_step(stats, params, covariance_type, 1e-6, X.dtype)
    return params, time.perf_counter() - start


def traced(func, *args):
    """``func(*args)`` and the peak of traced allocations during it, in MB."""
    tracemalloc.start()
    try:
        result = func(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak / 1e6


class OnClient:
    """The dask backend, computing on one given client."""

    def __init__(self, client):
        self.client = client

    def e_step(self, X, params, covariance_type):
        import dask

        with dask.config.set(scheduler=self.client):
            return _dask.e_step(X, params, covariance_type)


def start_cluster(n_workers, trim):
    """A LocalCluster and its client; ``trim=False`` unsets the malloc trim."""
    import dask
    from distributed import Client, LocalCluster

    config = {} if trim else {TRIM_KEY: None}
    with dask.config.set(config):
        cluster = LocalCluster(
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
        )
    return cluster, Client(cluster, set_as_default=False)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n-samples", type=int, default=10_000_000)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--n-components", type=int, default=8)
    parser.add_argument(
        "--covariance-type",
        default="full",
        choices=("full", "tied", "diag", "spherical"),
    )
    parser.add_argument("--block-rows", type=int, default=625_000)
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--malloc-trim",
        choices=("unset", "default", "both"),
        default="both",
        help="run the workers without distributed's MALLOC_TRIM_THRESHOLD_, "
        "with it (distributed's default), or both side by side",
    )
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args(argv)

    from distributed import wait

    n, d, k, cov = (
        args.n_samples,
        args.n_features,
        args.n_components,
        args.covariance_type,
    )
    sizes = block_sizes(n, args.block_rows)
    lines = [
        "# EM: in memory, dask LocalCluster, memmap",
        "",
        f"N={n:,}, D={d}, K={k}, covariance_type={cov!r}, float64 "
        f"({n * d * 8 / 1e6:,.0f} MB), {len(sizes)} blocks of "
        f"{args.block_rows:,} rows, {args.iterations} EM iterations.",
        f"Machine: {os.cpu_count()} cores, {platform.platform()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}.",
        f"Load average before: {_load()}.",
    ]
    print("\n".join(lines), flush=True)

    weights, means, precisions = start_parameters(k, d, cov)
    tmpdir = Path(tempfile.mkdtemp(prefix="skgmm_em_bench_"))
    trims = {"unset": [False], "default": [True], "both": [False, True]}
    clusters = []
    try:
        X = in_memory_data(sizes, k, d)
        X_memmap = memmap_data(tmpdir / "X.npy", sizes, k, d)
        backends = {"in memory": (_em, X)}
        for trim in trims[args.malloc_trim]:
            cluster, client = start_cluster(args.workers, trim)
            clusters.append((cluster, client))
            X_dask = client.persist(dask_data(sizes, k, d))
            with client.as_current():
                wait(X_dask)
            setting = "distributed's default" if trim else "unset"
            name = (
                f"dask LocalCluster, {args.workers} workers x 1 thread, "
                f"MALLOC_TRIM_THRESHOLD_ {setting}"
            )
            backends[name] = (OnClient(client), X_dask)
        backends["memmap"] = (_em, X_memmap)
        params = {
            name: mixture_params(weights, means, precisions, cov) for name in backends
        }
        times = {name: [] for name in backends}
        # One warm-up iteration each (worker imports, page cache), then the
        # backends take turns.
        for name, (backend, data) in backends.items():
            em_iteration(backend, data, params[name], cov)
        for _ in range(args.iterations):
            for name, (backend, data) in backends.items():
                params[name], seconds = em_iteration(backend, data, params[name], cov)
                times[name].append(seconds)
                print(f"  {name}: {seconds:.3f} s", flush=True)

        # One more (untimed) dask iteration, under tracemalloc.
        name, (backend, data) = list(backends.items())[1]
        _, client_peak = traced(em_iteration, backend, data, params[name], cov)
        for cluster, client in clusters:
            client.close()
            cluster.close()
        clusters = []

        reference = params["in memory"].means
        rows = [
            "",
            "| data | s / iteration (median) | min | max | ratio to in memory "
            "| max rel. diff. of means |",
            "|---|---|---|---|---|---|",
        ]
        base = statistics.median(times["in memory"])
        for name, values in times.items():
            median = statistics.median(values)
            diff = np.max(np.abs(params[name].means - reference)) / np.max(
                np.abs(reference)
            )
            rows.append(
                f"| {name} | {median:.3f} | {min(values):.3f} | {max(values):.3f} "
                f"| {median / base:.2f} | {diff:.1e} |"
            )

        def memmap_fit():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                GaussianMixture(
                    k,
                    covariance_type=cov,
                    max_iter=2,
                    tol=0.0,
                    weights_init=weights,
                    means_init=means,
                    precisions_init=precisions,
                ).fit(X_memmap)

        _, memmap_peak = traced(memmap_fit)
        rows += [
            "",
            f"Peak traced memory of a GaussianMixture fit on the memmap "
            f"(max_iter=2): {memmap_peak:.1f} MB for {n * d * 8 / 1e6:,.0f} MB "
            f"of data (labels_ alone: {n * 8 / 1e6:.1f} MB).",
            f"Peak traced memory of this process during a dask iteration: "
            f"{client_peak:.2f} MB.",
            f"Load average after: {_load()}.",
        ]
        print("\n".join(rows), flush=True)
        if args.output is not None:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text("\n".join(lines + rows) + "\n", encoding="utf-8")
    finally:
        for cluster, client in clusters:
            client.close()
            cluster.close()
        shutil.rmtree(tmpdir, ignore_errors=True)


def _load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
