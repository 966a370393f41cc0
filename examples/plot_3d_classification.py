"""
=========================================
Classifying three-dimensional Gaussians
=========================================

A blog post fits three Gaussians in three dimensions ("R, G, B") with full
covariances by EM, assigns every point to its most probable component, shows
the classes in a 3-D scatter plot colored blue, red and yellow, and plots the
learning process: how much the means, the weights and the covariances change
in every iteration. It stops when the parameters stop moving. We do the same
with :class:`skgmm_em.GaussianMixture`, its ``history_`` and its
``param_tol`` stopping rule.
"""

# %%
# Three Gaussians in three dimensions
# -----------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, confusion_matrix

from skgmm_em import GaussianMixture
from skgmm_em.datasets import make_mixture
from skgmm_em.plotting import plot_3d, plot_history

true_means = np.array([[0.0, 0.0, 0.0], [6.0, 1.0, 2.0], [2.0, 6.0, 5.0]])
true_covariances = np.array(
    [
        [[2.0, 0.6, 0.3], [0.6, 1.0, 0.2], [0.3, 0.2, 1.5]],
        [[1.0, -0.4, 0.0], [-0.4, 2.0, 0.5], [0.0, 0.5, 0.8]],
        [[1.5, 0.0, 0.7], [0.0, 0.6, 0.0], [0.7, 0.0, 1.2]],
    ]
)
X, y = make_mixture(
    900, [1 / 3, 1 / 3, 1 / 3], true_means, true_covariances, random_state=0
)

# %%
# The blog's stopping rule
# ------------------------
# The blog stops when the summed absolute change of the means is at most
# ``0.001`` and the change of the weights is below ``0.001``. ``param_tol``
# stops when the *maximum* absolute change of every weight, every mean
# coordinate and every covariance entry in one iteration is below it. A
# summed change of at most ``0.001`` implies a maximum change of at most
# ``0.001``, so ``param_tol=1e-3`` accepts whatever the blog accepts for the
# means (and can stop somewhat earlier, by at most the 3 x 3 = 9 mean
# coordinates' worth), and it also waits for the covariances. ``tol=0``
# turns off scikit-learn's log-likelihood rule, so the parameter rule alone
# decides, as in the blog. The start is three random data points, as a
# hand-written EM would choose.
gm = GaussianMixture(
    3,
    covariance_type="full",
    init_params="random_from_data",
    tol=0.0,
    param_tol=1e-3,
    max_iter=500,
    random_state=1,
).fit(X)
print(f"converged: {gm.converged_} after {gm.n_iter_} iterations")
last = {key: values[-1] for key, values in gm.history_.items()}
print(
    "last changes: weights {weights_change:.2e}, means {means_change:.2e}, "
    "covariances {covariances_change:.2e}".format(**last)
)

# %%
# Classification
# --------------
# The component numbers of a mixture are arbitrary; we match them to the
# true components by the assignment that agrees on the most points, then
# color both plots alike: blue, red, yellow.
confusion = confusion_matrix(y, gm.labels_)
true_of, fitted_of = linear_sum_assignment(-confusion)
relabel = np.empty(3, dtype=int)
relabel[fitted_of] = true_of
labels = relabel[gm.labels_]
accuracy = np.mean(labels == y)
print(
    f"accuracy {accuracy:.3f}, adjusted Rand index {adjusted_rand_score(y, labels):.3f}"
)
assert accuracy > 0.95

fig = plt.figure(figsize=(11, 5))
ax_true = plot_3d(y, X, ax=fig.add_subplot(1, 2, 1, projection="3d"))
ax_true.set_title("true components")
ax_fit = plot_3d(labels, X, ax=fig.add_subplot(1, 2, 2, projection="3d"))
ax_fit.set_title("EM classification")
fig.tight_layout()

# %%
# The learning process
# --------------------
# ``history_`` holds the mean log-likelihood and the maximum absolute
# changes of the weights, means and covariances in every iteration (the
# blog's "alpha error", "error" and "cov error"). The dashed line is
# ``param_tol``: EM stopped in the first iteration where all three were
# below it.
ax_ll, ax_change = plot_history(gm)
ax_change.axhline(gm.param_tol, color="black", linestyle="--", linewidth=1)
ax_ll.figure.tight_layout()
plt.show()
