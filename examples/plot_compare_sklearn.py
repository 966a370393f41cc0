"""
================================================
Same code, same answer: skgmm_em against sklearn
================================================

:class:`skgmm_em.GaussianMixture` is a drop-in replacement for
:class:`sklearn.mixture.GaussianMixture`. From the same data and the same
start, both run the same EM iterations, so after a fixed number of them
their parameters agree to rounding error, for every covariance type. Here
both fit the (standardized) Old Faithful geyser data for 40 iterations
from one start; we
print the largest differences per fitted attribute and overlay both sets of
ellipses. Then the same code without a given start: the same
``random_state`` gives the same start, and so the same fit, for every
initialization scikit-learn has.
"""

# %%
# One start for both
# ------------------
# ``weights_init``, ``means_init`` and ``precisions_init`` fix the start, so
# neither estimator runs its initializer: equal weights, two samples as the
# means, and the inverse of the data covariance in the shape each
# covariance type expects.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture

from skgmm_em import GaussianMixture
from skgmm_em.datasets import load_faithful
from skgmm_em.plotting import plot_ellipses

X, feature_names = load_faithful()
# Standardized, so that the spherical model's circles are not absurd.
X = (X - X.mean(axis=0)) / X.std(axis=0)
n_components = 2
data_precision = np.linalg.inv(np.cov(X, rowvar=False))
data_variances = X.var(axis=0)
precisions_init = {
    "full": np.stack([data_precision] * n_components),
    "tied": data_precision,
    "diag": np.stack([1 / data_variances] * n_components),
    "spherical": np.full(n_components, 1 / data_variances.mean()),
}
start = {
    "weights_init": np.full(n_components, 1 / n_components),
    "means_init": X[[0, 1]],
}
print("start means:", start["means_init"].tolist())

# %%
# Fit both for exactly 40 iterations
# ----------------------------------
# ``tol=0`` disables the stopping rule, so both run all ``max_iter``
# iterations; each then warns that it has not converged, which is expected
# here and silenced.
ATTRIBUTES = [
    "weights_",
    "means_",
    "covariances_",
    "precisions_",
    "precisions_cholesky_",
    "lower_bounds_",
]
fits = {}
differences = {}
for covariance_type, precisions in precisions_init.items():
    params = {
        "covariance_type": covariance_type,
        "tol": 0.0,
        "max_iter": 40,
        "precisions_init": precisions,
        **start,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = GaussianMixture(n_components, **params).fit(X)
        theirs = SklearnGaussianMixture(n_components, **params).fit(X)
    fits[covariance_type] = ours, theirs
    differences[covariance_type] = [
        np.max(np.abs(np.asarray(getattr(ours, a)) - getattr(theirs, a)))
        for a in ATTRIBUTES
    ]
    # Agreement to rounding error is the point of this example: fail loudly
    # if it is ever lost.
    assert ours.n_iter_ == theirs.n_iter_ == 40
    for attribute in ATTRIBUTES:
        np.testing.assert_allclose(
            getattr(ours, attribute),
            getattr(theirs, attribute),
            rtol=1e-7,
            atol=1e-10,
            err_msg=f"{covariance_type}: {attribute}",
        )
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))

print("max |skgmm_em - sklearn| after 40 iterations")
print(f"{'':>21}" + "".join(f"{c:>11}" for c in differences))
for i, attribute in enumerate(ATTRIBUTES):
    print(f"{attribute:>21}" + "".join(f"{d[i]:>11.1e}" for d in differences.values()))

# %%
# The parameters side by side
# ---------------------------
ours, theirs = fits["full"]
for name in ("weights_", "means_"):
    print(f"{name} (full)\n  skgmm_em: {getattr(ours, name).round(6).tolist()}")
    print(f"  sklearn:  {getattr(theirs, name).round(6).tolist()}")

# %%
# Both sets of ellipses
# ---------------------
# skgmm_em's 1- and 2-sigma ellipses in color, scikit-learn's dashed in
# black on top: they coincide.
fig, axes = plt.subplots(
    1, 4, figsize=(14, 4.8), sharex=True, sharey=True, layout="constrained"
)
for ax, (covariance_type, (ours, theirs)) in zip(axes, fits.items(), strict=True):
    ax.set_xlabel(f"{feature_names[0]} (standardized)")
    ax.set_ylabel(f"{feature_names[1]} (standardized)")
    plot_ellipses(ours, X, ax=ax, ellipse_kws={"linewidth": 3, "alpha": 0.6})
    plot_ellipses(theirs, ax=ax, ellipse_kws={"edgecolor": "black", "linestyle": "--"})
    ax.set_title(covariance_type)
    ax.set_aspect("equal")
    ax.label_outer()
fig.suptitle("skgmm_em (color) and scikit-learn (dashed black) from the same start")
plt.show()

# %%
# The same code, no explicit start
# --------------------------------
# Only the import differs: both draw their start from ``random_state`` in
# the same way (k-means, k-means++ seeds, random samples or random
# responsibilities), so the iterations, lower bounds, parameters and labels
# are the same.
print(f"{'init_params':>17} {'n_iter_':>8} {'lower_bound_ (ours / sklearn)':>40}")
for init_params in ("kmeans", "k-means++", "random", "random_from_data"):
    params = {"init_params": init_params, "n_init": 3, "random_state": 0}
    ours = GaussianMixture(3, **params).fit(X)
    theirs = SklearnGaussianMixture(3, **params).fit(X)
    assert ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.lower_bounds_, theirs.lower_bounds_, rtol=1e-7)
    np.testing.assert_allclose(ours.means_, theirs.means_, rtol=1e-7, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    print(
        f"{init_params:>17} {ours.n_iter_:>8} "
        f"{ours.lower_bound_:>19.12f} / {theirs.lower_bound_:.12f}"
    )
