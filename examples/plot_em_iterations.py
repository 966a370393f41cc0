"""
=====================================
EM step by step on six points
=====================================

The toy problem of a blog post on how a Gaussian mixture is computed: six
points in the plane, two components with full covariances, a random start
(random weights normalized to one, two random data points as the means,
identity covariances), at most 20 iterations and a tolerance of ``1e-4`` on
the change of the log-likelihood. After every iteration we draw the points
colored by their most probable component with the 2-sigma ellipses, and
print the log-likelihood, which must rise and level off.
"""

# %%
# The data and the blog's random start
# ------------------------------------
# The start is passed to the estimator as ``weights_init``, ``means_init``
# and ``precisions_init`` (the identity is its own inverse), so no
# initializer runs.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from skgmm_em import GaussianMixture
from skgmm_em.plotting import plot_ellipses

X = np.array([[1, 2], [1.5, 1.8], [5, 8], [8, 8], [1, 0.6], [9, 11]])
n_samples = len(X)

rng = np.random.RandomState(2)
weights = rng.rand(2)
weights /= weights.sum()
means = X[rng.choice(n_samples, size=2, replace=False)]
identity = np.stack([np.eye(2), np.eye(2)])
print("start: weights", weights.round(3), "means", means.tolist())

# %%
# One EM iteration at a time
# --------------------------
# ``warm_start=True`` with ``max_iter=1`` makes every call to ``fit`` run a
# single E-step and M-step from the previous parameters. Each call stops
# before the model has converged, which is what ``ConvergenceWarning``
# reports, so it is silenced here. ``converged_`` applies the tolerance to
# the change of the mean log-likelihood across the calls, as one long fit
# would. We print the log-likelihood ``sum_i log p(x_i)`` of the parameters
# after every iteration, as the blog does. ``reg_covar=0.1`` keeps a
# component from collapsing onto two points (see the last section).
reg_covar = 0.1
stepper = GaussianMixture(
    2,
    weights_init=weights,
    means_init=means,
    precisions_init=identity,
    reg_covar=reg_covar,
    tol=1e-4,
    max_iter=1,
    warm_start=True,
)
start = GaussianMixture(
    2,
    weights_init=weights,
    means_init=means,
    precisions_init=identity,
    reg_covar=reg_covar,
    max_iter=0,
).fit(X)
log_likelihoods = [start.score(X) * n_samples]
print(f"iteration  0: log-likelihood {log_likelihoods[0]:.4f}")

fig, axes = plt.subplots(2, 3, figsize=(11, 7), sharex=True, sharey=True)
axes = axes.ravel()
plot_ellipses(start, X, ax=axes[0], sigmas=(2,), scatter_kws={"s": 40})
axes[0].set_title("start")
for iteration in range(1, 21):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        stepper.fit(X)
    log_likelihoods.append(stepper.score(X) * n_samples)
    print(f"iteration {iteration:2d}: log-likelihood {log_likelihoods[-1]:.4f}")
    if iteration < len(axes):
        ax = axes[iteration]
        plot_ellipses(stepper, X, ax=ax, sigmas=(2,), scatter_kws={"s": 40})
        ax.set_title(f"after iteration {iteration}")
    if stepper.converged_:
        break
n_iterations = iteration
for ax in axes[n_iterations + 1 :]:
    ax.set_visible(False)
for ax in axes:
    ax.label_outer()
    ax.set_aspect("equal")
    ax.set_xlim(-3, 13)
    ax.set_ylim(-3, 14)
fig.suptitle("Two components, 2-sigma ellipses, after each EM iteration")
fig.tight_layout()
print(f"stopped after {n_iterations} iterations")

# %%
# The same fit in one call
# ------------------------
# One ``fit`` with ``max_iter=20`` from the same start stops at the same
# iteration with the same parameters. Its ``history_['log_likelihood']``
# holds the mean log-likelihood of the parameters each iteration *started*
# from, so it is the curve above shifted by one iteration.
gm = GaussianMixture(
    2,
    weights_init=weights,
    means_init=means,
    precisions_init=identity,
    reg_covar=reg_covar,
    tol=1e-4,
    max_iter=20,
).fit(X)
assert gm.n_iter_ == n_iterations
np.testing.assert_allclose(gm.means_, stepper.means_, rtol=1e-10)
np.testing.assert_allclose(gm.covariances_, stepper.covariances_, rtol=1e-10)
np.testing.assert_allclose(
    gm.history_["log_likelihood"] * n_samples, log_likelihoods[:-1], rtol=1e-10
)
print("weights", gm.weights_.round(4))
print("means", gm.means_.round(4).tolist())

# %%
# The log-likelihood rises and levels off
# ---------------------------------------
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(range(len(log_likelihoods)), log_likelihoods, marker="o")
ax.set_xlabel("EM iteration (0 = start)")
ax.set_ylabel("log-likelihood  sum_i log p(x_i)")
ax.set_title("Log-likelihood after each iteration")
fig.tight_layout()

# %%
# Why ``reg_covar=0.1``
# ---------------------
# With six points, a component that ends up with only two of them has a
# covariance of rank one (two points lie on a line), and the likelihood
# grows without bound as that covariance flattens onto the line. EM from
# another random start (seed 3) puts the two top-right points in one
# component. With scikit-learn's default floor ``reg_covar=1e-6`` that
# component collapses: its smallest variance is the floor itself and the
# degenerate fit has a *higher* likelihood than the natural split into two
# groups of three, so the likelihood no longer ranks fits sensibly.
# ``reg_covar`` is added to every variance in every M-step; ``0.1`` (a
# standard deviation of about 0.3 across the line, small next to the spread
# of the data) bounds the likelihood, and the natural split found above is
# then the better fit. From this start EM still stops in the two-and-four
# split: EM climbs to a local maximum, which is why ``n_init`` restarts
# exist.


def fit_from(seed, reg_covar):
    """EM from the blog's random start drawn with ``seed``."""
    draw = np.random.RandomState(seed)
    start_weights = draw.rand(2)
    start_means = X[draw.choice(n_samples, size=2, replace=False)]
    return GaussianMixture(
        2,
        weights_init=start_weights / start_weights.sum(),
        means_init=start_means,
        precisions_init=identity,
        reg_covar=reg_covar,
        max_iter=20,
        tol=1e-4,
    ).fit(X)


for floor in (1e-6, 0.1):
    natural, degenerate = fit_from(2, floor), fit_from(3, floor)
    smallest = min(np.linalg.eigvalsh(c)[0] for c in degenerate.covariances_)
    print(
        f"reg_covar={floor:g}: natural split {np.bincount(natural.labels_)}: "
        f"log-likelihood {natural.score(X) * n_samples:.3f}; split "
        f"{np.bincount(degenerate.labels_)}: log-likelihood "
        f"{degenerate.score(X) * n_samples:.3f}, smallest variance {smallest:.2g}"
    )

plt.show()
