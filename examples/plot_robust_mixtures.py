"""
=========================================
Robust mixtures: heavy tails and outliers
=========================================

A handful of outliers can wreck a Gaussian mixture: a Gaussian component's
likelihood falls off so fast that points far from every cluster are best
explained by spending a component on them. This example fits two clusters
contaminated by scattered outliers with

* :class:`~skgmm_em.GaussianMixture`, whose components are Gaussian;
* :class:`~skgmm_em.StudentMixture`, whose components are multivariate t
  distributions: their heavy tails take the outliers in, and each point's
  weight in its component's M-step falls with its distance;
* ``GaussianMixture(noise_component=True)``, Gaussian components plus
  mclust's uniform noise component, which takes the outliers and labels
  them -1.

The data come from :func:`skgmm_em.datasets.make_contaminated_mixture`: two
Gaussian clusters of 1000 points with means (0, 0) and (5, 5) and unit
covariances, and 200 points uniform over a box ten times wider than the
clusters' (their means plus or minus three standard deviations). See
``docs/robust.md``.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from skgmm_em import GaussianMixture, StudentMixture
from skgmm_em.datasets import CONTAMINATED_MIXTURE, make_contaminated_mixture
from skgmm_em.plotting import plot_ellipses

X, y = make_contaminated_mixture(random_state=0)
truth = CONTAMINATED_MIXTURE["means"]
outlier = y == -1
# The clusters' box, and a view a little larger than it.
box_low, box_high = truth.min(axis=0) - 3.0, truth.max(axis=0) + 3.0
view = (box_low[0] - 3.0, box_high[0] + 3.0)

fig, ax = plt.subplots(figsize=(5.5, 5))
ax.scatter(*X[~outlier].T, s=4, color="0.3", label="clusters")
ax.scatter(*X[outlier].T, s=8, color="tab:red", label="outliers")
ax.add_patch(
    Rectangle(box_low, *(box_high - box_low), fill=False, linestyle="--", color="k")
)
ax.set_title("2000 clustered points and 200 outliers")
ax.legend(loc="lower left")
ax.set_aspect("equal")


def means_error(model):
    """Distance of each true mean to its fitted mean, under the best match."""
    fitted = model.means_
    errors = [
        np.linalg.norm(fitted[order] - truth, axis=1) for order in ([0, 1], [1, 0])
    ]
    return min(errors, key=np.max)


def draw(ax, model, title):
    """The fit's ellipses over the clusters' region, outliers included."""
    plot_ellipses(model, X, ax=ax, sigmas=(1, 2), scatter_kws={"s": 4})
    ax.scatter(*truth.T, marker="x", s=80, color="k", zorder=3, label="true means")
    ax.set_xlim(view)
    ax.set_ylim(view)
    ax.set_aspect("equal")
    ax.set_title(f"{title}\nlargest error of a mean: {means_error(model).max():.2f}")
    ax.legend(loc="lower right")


# %%
# A Gaussian mixture
# ------------------
#
# Two Gaussian components, the best of three k-means starts. One component
# covers both clusters; the other, centred far away, spreads over the
# outliers: their likelihood under a component that covers the clusters is
# so small that a whole component is better spent on them.
gaussian = GaussianMixture(2, n_init=3, random_state=0).fit(X)
print("GaussianMixture: means", np.round(gaussian.means_, 2).tolist())
print("  errors of the means:", np.round(means_error(gaussian), 3).tolist())

# %%
# A mixture of t distributions
# ----------------------------
#
# Two t components, their degrees of freedom estimated. A point at squared
# Mahalanobis distance ``delta**2`` from a component weighs ``u = (nu + D) /
# (nu + delta**2)`` in its M-step, so the outliers hardly move the locations
# and scales; and the heavy tail of a component with few degrees of freedom
# gives them a likelihood without spending a component on them.
#
# The starts matter. k-means is not robust either: it makes a cluster of
# the outliers, and a t mixture started there stays there. Started from
# data points (``'random_from_data'``, most of which are in the clusters),
# the t mixture finds the clusters, and its likelihood picks that start.
t = StudentMixture(2, n_init=3, init_params="random_from_data", random_state=0)
t.fit(X)
print("StudentMixture: means", np.round(t.means_, 2).tolist())
print("  errors of the means:", np.round(means_error(t), 3).tolist())
print("  degrees of freedom:", np.round(t.dofs_, 2).tolist())

for name, model in [
    (
        "GaussianMixture, random_from_data",
        GaussianMixture(2, init_params="random_from_data"),
    ),
    ("StudentMixture, k-means", StudentMixture(2)),
]:
    model.set_params(n_init=3, random_state=0).fit(X)
    print(f"{name}: largest error of a mean {means_error(model).max():.2f}")

# %%
# Gaussian components and a noise component
# -----------------------------------------
#
# The third way keeps Gaussian components and adds one of constant density
# over the data's region (``docs/noise.md``): the outliers are better
# explained by it than by any Gaussian, and ``predict`` labels them -1.
noisy = GaussianMixture(2, n_init=3, noise_component=True, random_state=0).fit(X)
noise_labels = noisy.predict(X)
print("GaussianMixture + noise: means", np.round(noisy.means_, 2).tolist())
print("  errors of the means:", np.round(means_error(noisy), 3).tolist())
print(f"  outliers labelled -1: {np.mean(noise_labels[outlier] == -1):.1%}")
print(f"  clustered points labelled -1: {np.mean(noise_labels[~outlier] == -1):.2%}")

fig, axes = plt.subplots(1, 3, figsize=(16, 5.5))
draw(axes[0], gaussian, "GaussianMixture(2, n_init=3)")
draw(axes[1], t, "StudentMixture(2, n_init=3), data-point starts")
draw(axes[2], noisy, "GaussianMixture(2, n_init=3, noise_component=True)")
axes[2].scatter(*X[noise_labels == -1].T, s=6, color="tab:red", zorder=2)
fig.tight_layout()

# %%
# The weights of the points in the M-step
# ---------------------------------------
#
# From the fitted parameters, each point's scale weight ``u`` under its most
# probable component: about one in the clusters, a small fraction for the
# outliers, which is how the t mixture discounts them.
labels = t.predict(X)
diff = X - t.means_[labels]
maha = np.einsum("ni,nij,nj->n", diff, t.precisions_[labels], diff)
nu = t.dofs_[labels]
u = (nu + X.shape[1]) / (nu + maha)
print(f"median weight of the clustered points: {np.median(u[~outlier]):.2f}")
print(f"median weight of the outliers: {np.median(u[outlier]):.4f}")

fig, ax = plt.subplots(figsize=(6, 4))
bins = np.logspace(-4, np.log10(u.max()), 40)
ax.hist(u[~outlier], bins=bins, alpha=0.7, label="clustered points")
ax.hist(u[outlier], bins=bins, alpha=0.7, color="tab:red", label="outliers")
ax.set_xscale("log")
ax.set_xlabel(r"scale weight $u = (\nu + D) / (\nu + \delta^2)$")
ax.set_ylabel("points")
ax.set_title("How much each point weighs in its component's M-step")
ax.legend()
fig.tight_layout()

# %%
# When to use which
# -----------------
#
# A Gaussian mixture is the model when the clusters are Gaussian and the
# data clean: it has fewer parameters and its fit is faster. A t mixture is
# the model for heavy-tailed clusters and for outliers scattered around
# them; its estimated degrees of freedom say how heavy the tails are (large
# ones, up to the bound of 200, mean nearly Gaussian components). On data
# with gross outliers, start it from data points with a few ``n_init``
# rather than from k-means, which itself spends clusters on the outliers.
# The noise component is the model for outliers scattered over the whole
# region, apart from Gaussian clusters: it names them (label -1), keeps the
# clusters Gaussian, and works from the default k-means starts; it needs
# complete data in memory.
plt.show()
