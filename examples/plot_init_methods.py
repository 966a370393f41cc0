"""
===========================================
Where EM starts: the built-in initializers
===========================================

Every built-in initializer on the same data: where it starts (dashed
2-sigma ellipses), where EM ends (solid 2-sigma ellipses, over the data
colored by component), the final mean log-likelihood and the number of
iterations, and the learning curves from ``history_``. A user-written
initializer is plugged in the same way.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from skgmm_em import GaussianMixture
from skgmm_em.datasets import make_mixture
from skgmm_em.initialization import INITIALIZERS
from skgmm_em.plotting import plot_ellipses

X, y = make_mixture(
    600,
    weights=[0.5, 0.3, 0.2],
    means=[[0, 0], [6, 1], [2, 6]],
    covariances=[[[2, 0.8], [0.8, 1]], [[1, -0.5], [-0.5, 2]], [[0.6, 0], [0, 0.6]]],
    random_state=0,
)


# %%
# Fit once per initializer; ``max_iter=0`` gives the start itself.
fig, axes = plt.subplots(1, len(INITIALIZERS), figsize=(4 * len(INITIALIZERS), 4))
fits = {}
for ax, name in zip(axes, INITIALIZERS, strict=True):
    start = GaussianMixture(3, init_params=name, max_iter=0, random_state=1).fit(X)
    gm = GaussianMixture(3, init_params=name, random_state=1, max_iter=500).fit(X)
    fits[name] = gm
    plot_ellipses(gm, X, ax=ax, sigmas=(2,), scatter_kws={"s": 6})
    plot_ellipses(
        start, ax=ax, sigmas=(2,), ellipse_kws={"edgecolor": "gray", "linestyle": "--"}
    )
    ax.set_title(f"{name}\nlog L/n = {gm.score(X):.3f}, {gm.n_iter_} iterations")
    ax.set_aspect("equal")
    ax.set_xlim(-6, 10)
    ax.set_ylim(-5, 10)
fig.tight_layout()

for name, gm in fits.items():
    print(f"{name:>16}: mean log-likelihood {gm.score(X):.4f}, {gm.n_iter_} iterations")

# %%
# The learning curves of every start.
fig, ax = plt.subplots(figsize=(6, 4))
for name, gm in fits.items():
    ax.plot(np.arange(1, gm.n_iter_ + 1), gm.history_["log_likelihood"], label=name)
ax.set_xlabel("EM iteration")
ax.set_ylabel("mean log-likelihood")
ax.legend()


# %%
# A user-written initializer: start at mutually distant samples.
class FarthestPoints:
    def initialize(self, X, n_components, random_state, sample_weight=None):
        chosen = [random_state.randint(len(X))]
        for _ in range(n_components - 1):
            dist = np.min([np.sum((X - X[i]) ** 2, axis=1) for i in chosen], axis=0)
            chosen.append(int(np.argmax(dist)))
        return None, X[chosen], None


gm = GaussianMixture(3, init_params=FarthestPoints(), random_state=1).fit(X)
print(
    f"   FarthestPoints: mean log-likelihood {gm.score(X):.4f}, {gm.n_iter_} iterations"
)
plt.show()
