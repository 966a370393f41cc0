"""
==============================================
The fourteen covariance models on one data set
==============================================

mclust's fourteen models constrain each component's covariance
``Sigma_k = lambda_k D_k A_k D_k^T``: its volume ``lambda_k``, its shape
``A_k`` and its orientation ``D_k`` are each Equal across the components,
Variable, or the Identity (a round shape, or axes along the features).
Here every model fits the same three clusters in the plane, from the same
k-means start, and we draw its two-sigma ellipses: the rows go from round
components to freely turned ones, the columns from equal volumes and
shapes to variable ones.

The clusters have different volumes and shapes, and the two elongated ones
are turned by 90 degrees from each other: they share their axes, so the
truth is ``'VVE'`` (variable volume and shape, equal orientation). BIC
prefers it to ``'VVV'`` (``'full'``), which fits as well with two more
parameters.
"""

# %%
# Three clusters
# --------------
import matplotlib.pyplot as plt
import numpy as np

from skgmm_em import GaussianMixture
from skgmm_em.datasets import make_mixture
from skgmm_em.model_selection import n_parameters
from skgmm_em.plotting import plot_ellipses


def rotated(variances, degrees):
    """The covariance with these variances along axes turned by ``degrees``."""
    t = np.radians(degrees)
    turn = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    return turn @ np.diag(variances) @ turn.T


covariances = [
    rotated([4.0, 0.25], 30),
    rotated([0.3, 0.3], 0),
    rotated([2.0, 0.5], 120),
]
X, _ = make_mixture(
    600, [0.4, 0.25, 0.35], [[0, 0], [5, 4], [-1, 6]], covariances, random_state=0
)

# %%
# One fit per model
# -----------------
# The same ``random_state`` gives every model the same k-means start. The
# grid puts the models by their last letter (orientation) in rows and by
# their first two (volume, shape) in columns; the spherical models have no
# shape to vary.
ROWS = [
    ["EII", "VII", None, None],
    ["EEI", "VEI", "EVI", "VVI"],
    ["EEE", "VEE", "EVE", "VVE"],
    ["EEV", "VEV", "EVV", "VVV"],
]
fits = {
    name: GaussianMixture(3, covariance_type=name, random_state=0).fit(X)
    for row in ROWS
    for name in row
    if name is not None
}
print("model  parameters  BIC")
for name, gm in sorted(fits.items(), key=lambda item: item[1].bic(X)):
    print(f"{name}    {n_parameters(gm):3d}      {gm.bic(X):8.1f}")

# %%
# The ellipses of each model
# --------------------------
ROW_LABELS = ["spherical", "axis-aligned", "equal orientation", "variable orientation"]
COLUMN_LABELS = [
    "equal volume, equal shape",
    "variable volume, equal shape",
    "equal volume, variable shape",
    "variable volume, variable shape",
]
fig, axes = plt.subplots(4, 4, figsize=(11, 11), sharex=True, sharey=True)
for row, ax_row, row_label in zip(ROWS, axes, ROW_LABELS, strict=True):
    for name, ax in zip(row, ax_row, strict=True):
        if name is None:
            ax.set_axis_off()
            continue
        gm = fits[name]
        plot_ellipses(gm, X, ax=ax, sigmas=(2,), scatter_kws={"s": 4})
        ax.set_title(f"{name}: BIC {gm.bic(X):.0f}", fontsize=10)
        ax.set_xlabel("")
        ax.set_ylabel(row_label if ax is ax_row[0] else "")
for ax, column_label in zip(axes[-1], COLUMN_LABELS, strict=True):
    ax.set_xlabel(column_label, fontsize=9)
fig.suptitle("Two-sigma ellipses of the fourteen models (lower BIC is better)")
fig.tight_layout()
plt.show()
