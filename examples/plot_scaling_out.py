"""
=================================================
Scaling out: NumPy, a memmap and a dask cluster
=================================================

One EM iteration needs only sums over the rows of the data, so
:class:`skgmm_em.GaussianMixture` fits the same model whether the rows are
in memory, in a memory-mapped file read chunk by chunk, or spread over the
workers of a dask cluster. Here one mixture is fitted three ways from one
start, and the three fits agree to rounding error. The last cell shows the
one line that changes to run on a real cluster.
"""

# %%
# Data and one start
# ------------------
# 60,000 samples of a three-component mixture in two dimensions. The
# start (``weights_init``, ``means_init``, ``precisions_init``) is fixed,
# so no initializer runs and every fit begins at the same parameters.
import tempfile
import warnings
from pathlib import Path

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from distributed import Client, LocalCluster
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture
from skgmm_em.datasets import make_mixture
from skgmm_em.plotting import plot_ellipses

X, _ = make_mixture(
    60_000,
    [0.5, 0.3, 0.2],
    [[0.0, 0.0], [4.0, 1.0], [1.0, 5.0]],
    [[[1.0, 0.4], [0.4, 0.8]], [[0.6, -0.2], [-0.2, 1.2]], [[1.5, 0.0], [0.0, 0.4]]],
    random_state=0,
)
params = {
    "n_components": 3,
    "covariance_type": "full",
    "tol": 0.0,
    "max_iter": 30,
    "weights_init": np.full(3, 1 / 3),
    "means_init": X[:3],
    "precisions_init": np.stack([np.linalg.inv(np.cov(X, rowvar=False))] * 3),
}


def fit(data):
    # tol=0 runs all 30 iterations, so every fit warns that it has not
    # converged: expected here, and silenced.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return GaussianMixture(**params).fit(data)


# %%
# In memory
# ---------
fits = {"numpy": fit(X)}

# %%
# From a memory-mapped file
# -------------------------
# A :class:`numpy.memmap` (here a ``.npy`` file opened with
# ``mmap_mode="r"``) goes through the same code as an in-memory array: EM
# reads a chunk of rows at a time and never copies the whole file, so
# a file larger than the memory can be fitted. (With the default
# initializer, k-means runs on ``init_sample_size`` rows drawn at random.)
workdir = Path(tempfile.mkdtemp())
np.save(workdir / "X.npy", X)
X_memmap = np.load(workdir / "X.npy", mmap_mode="r")
fits["memmap"] = fit(X_memmap)

# %%
# On a dask cluster
# -----------------
# A :class:`dask.array.Array` is fitted where its blocks live: every EM
# iteration is one pass over the blocks, each block is reduced to
# sufficient statistics on its worker, the statistics are summed in a tree,
# and only they (a few hundred numbers) reach this process, which runs the
# M-step. A ``LocalCluster`` of two workers stands in for a real cluster
# here (in threads of this process, so that the example starts fast;
# ``processes=True`` gives each worker its own process).
cluster = LocalCluster(
    n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
)
client = Client(cluster)
X_dask = da.from_array(X, chunks=(7_500, 2)).persist()
fits["dask"] = fit(X_dask)

# %%
# The fitted model is an ordinary in-memory model: it predicts on NumPy
# arrays, pickles, and on dask arrays returns lazy dask arrays, computed
# block by block on the workers.
dask_model = fits["dask"]
labels = dask_model.predict(X_dask)
print(type(dask_model.means_).__name__, "means;", type(labels).__name__, "labels")
print("first labels:", labels[:10].compute().tolist())
print("mean log-likelihood:", round(dask_model.score(X_dask), 6))

# %%
# Three fits, one model
# ---------------------
for name in ("memmap", "dask"):
    difference = max(
        np.max(np.abs(getattr(fits[name], a) - getattr(fits["numpy"], a)))
        for a in ("weights_", "means_", "covariances_")
    )
    print(f"max |{name} - numpy| over weights, means, covariances: {difference:.1e}")

# The ellipses of the three fits, drawn over each other: NumPy in color with
# the data (thick), the memmap dashed and dask dotted in black. They coincide.
fig, ax = plt.subplots(figsize=(6, 5), layout="constrained")
plot_ellipses(
    fits["numpy"],
    X[::20],
    ax=ax,
    scatter_kws={"s": 4, "alpha": 0.4},
    ellipse_kws={"linewidth": 4},
)
plot_ellipses(fits["memmap"], ax=ax, ellipse_kws={"color": "k", "linestyle": "--"})
plot_ellipses(fits["dask"], ax=ax, ellipse_kws={"color": "k", "linestyle": ":"})
ax.set_title("NumPy (color), memmap (dashed) and dask (dotted) fits")

# %%
# On a real cluster
# -----------------
# Only the ``Client`` changes: connect to the cluster's scheduler instead
# of starting a ``LocalCluster``, and make the dask array where the data
# are (for example ``da.from_zarr("s3://bucket/X.zarr")``, or a dask
# DataFrame's ``to_dask_array(lengths=True)``). The estimator uses the
# current client without being told::
#
#     client = Client("tcp://scheduler.example.org:8786")
#     X_dask = da.from_zarr("s3://bucket/X.zarr")
#     gm = GaussianMixture(3, random_state=0).fit(X_dask)
client.close()
cluster.close()
del X_memmap
for path in workdir.iterdir():
    path.unlink()
workdir.rmdir()
