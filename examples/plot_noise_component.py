"""
===================================================
A noise component for outliers (mclust's noise)
===================================================

Two Gaussian clusters of 1000 points each and 200 points scattered
uniformly over a box ten times wider: the contaminated data of the tests
(``tests/data/mclust_noise/make_noise_data.py``), drawn here the same way.

A plain two-component Gaussian mixture must explain the scattered points
too: one component spreads over the outliers, the other over both
clusters, and its mean lands between them.
With ``noise_component=True`` a component of constant density ``1 / V``
(Banfield and Raftery 1993, R mclust's noise) takes the outliers: the means
stay on the clusters, and the outliers get the label -1. The initial noise
comes from nearest-neighbour clutter removal (Byers and Raftery 1998).
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse

from skgmm_em import GaussianMixture

rng = np.random.default_rng(20261201)
a = rng.multivariate_normal([0.0, 0.0], [[1.0, 0.6], [0.6, 1.0]], size=1000)
b = rng.multivariate_normal([5.0, 1.0], [[0.8, -0.3], [-0.3, 0.5]], size=1000)
clusters = np.vstack([a, b])
low, high = clusters.min(axis=0), clusters.max(axis=0)
centre, width = (low + high) / 2, high - low
outliers = centre + (rng.random((200, 2)) - 0.5) * 10.0 * width
X = np.vstack([clusters, outliers])
is_noise = np.r_[np.zeros(2000, bool), np.ones(200, bool)]
true_means = np.array([[0.0, 0.0], [5.0, 1.0]])

# %%
# Two fits
# --------
gaussian = GaussianMixture(2, n_init=3, random_state=0).fit(X)
noise = GaussianMixture(2, n_init=3, noise_component=True, random_state=0).fit(X)


def means_error(means):
    """The largest distance from a true mean to the nearest fitted mean."""
    return max(np.min(np.linalg.norm(means - m, axis=1)) for m in true_means)


print(f"Gaussian:          means' error {means_error(gaussian.means_):.3f}")
print(f"Gaussian + noise:  means' error {means_error(noise.means_):.3f}")
print(f"noise weight {noise.noise_weight_:.3f}, V = {noise.noise_volume_:.0f}")
print(f"outliers labelled -1: {np.mean(noise.labels_[is_noise] == -1):.1%}")
print(f"inliers labelled -1:  {np.mean(noise.labels_[~is_noise] == -1):.2%}")

# %%
# Pictures
# --------
# Each component's two-sigma ellipse; with the noise component, the points
# labelled -1 in grey. Below, zoomed on the clusters: the noise component's
# ellipses match the clusters, the plain mixture's one spans both.


def ellipse(mean, cov, color):
    values, vectors = np.linalg.eigh(cov)
    angle = np.degrees(np.arctan2(vectors[1, -1], vectors[0, -1]))
    w, h = 4 * np.sqrt(values[::-1])
    return Ellipse(mean, w, h, angle=angle, fill=False, color=color, lw=2)


fig, axes = plt.subplots(2, 2, figsize=(11, 9))
for column, gm, title in [
    (0, gaussian, "Gaussian mixture"),
    (1, noise, "Gaussian mixture + noise"),
]:
    labels = gm.labels_
    colors = np.array(["tab:blue", "tab:orange"])[np.maximum(labels, 0)]
    colors = np.where(labels == -1, "lightgrey", colors)
    for row, ax in enumerate(axes[:, column]):
        ax.scatter(X[:, 0], X[:, 1], s=4, c=colors)
        for k in range(gm.n_components):
            ax.add_patch(ellipse(gm.means_[k], gm.covariances_[k], "black"))
        ax.scatter(*true_means.T, marker="x", c="red", s=80, label="true means")
        ax.scatter(*gm.means_.T, marker="+", c="black", s=80, label="fitted means")
        if row == 0:
            ax.set_title(f"{title}: means' error {means_error(gm.means_):.2f}")
            ax.legend(loc="lower left")
        else:
            # Zoomed on the clusters.
            ax.set_xlim(-5, 10)
            ax.set_ylim(-5, 5)
fig.tight_layout()
plt.show()
