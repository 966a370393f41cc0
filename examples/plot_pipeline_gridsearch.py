"""
=====================================================
Model selection in a Pipeline, and the drop-in swap
=====================================================

:class:`skgmm_em.GaussianMixture` is a scikit-learn estimator, so it sits at
the end of a :class:`~sklearn.pipeline.Pipeline` and is tuned by
:class:`~sklearn.model_selection.GridSearchCV` like any other. Here the wine
data (178 wines, 13 chemical measurements) are standardized, projected on
their first two principal components, and clustered; the search picks the
number of components and the covariance type by the held-out
log-likelihood. Then we swap in :class:`sklearn.mixture.GaussianMixture`
and run the same search: it makes the same choice with the same scores.
"""

# %%
# The pipeline and the grid
# -------------------------
# ``GridSearchCV`` scores a pipeline with its last step's ``score``, the
# mean log-likelihood per sample of the held-out fold. The PCA dimension is
# fixed: likelihoods of data in different dimensions are not comparable,
# so it must not be part of a likelihood-scored grid.
import matplotlib.pyplot as plt
import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import load_wine
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, confusion_matrix
from sklearn.mixture import GaussianMixture as SklearnGaussianMixture
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skgmm_em import GaussianMixture
from skgmm_em.plotting import plot_ellipses

X, wine_class = load_wine(return_X_y=True)
grid = {
    "gmm__n_components": [2, 3, 4],
    "gmm__covariance_type": ["full", "tied", "diag", "spherical"],
}
cv = KFold(n_splits=3, shuffle=True, random_state=0)


def search_with(mixture_class):
    """Grid search over a scaler -> PCA -> mixture pipeline."""
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("pca", PCA(n_components=2)),
            ("gmm", mixture_class(max_iter=500, random_state=0)),
        ]
    )
    return GridSearchCV(pipe, grid, cv=cv).fit(X)


ours = search_with(GaussianMixture)
print(f"skgmm_em best: {ours.best_params_}, score {ours.best_score_:.5f}")

# %%
# The drop-in swap
# ----------------
# The same pipeline, grid, folds and ``random_state`` with scikit-learn's
# estimator. Both draw the same k-means start from the same random state and
# run the same EM, so every candidate gets the same score (to rounding) and
# the choice is the same.
theirs = search_with(SklearnGaussianMixture)
print(f"sklearn  best: {theirs.best_params_}, score {theirs.best_score_:.5f}")
ours_scores = ours.cv_results_["mean_test_score"]
theirs_scores = theirs.cv_results_["mean_test_score"]
gap = np.max(np.abs(ours_scores - theirs_scores))
print(f"largest difference of the {ours_scores.size} mean test scores: {gap:.2e}")
assert ours.best_params_ == theirs.best_params_
np.testing.assert_allclose(ours_scores, theirs_scores, rtol=1e-9)

print(
    f"\n{'components':>10} "
    + " ".join(f"{c:>21}" for c in grid["gmm__covariance_type"])
)
for n in grid["gmm__n_components"]:
    cells = []
    for covariance_type in grid["gmm__covariance_type"]:
        i = ours.cv_results_["params"].index(
            {"gmm__covariance_type": covariance_type, "gmm__n_components": n}
        )
        cells.append(f"{ours_scores[i]:.4f} / {theirs_scores[i]:.4f}".rjust(21))
    print(f"{n:>10} " + " ".join(cells))
print("(mean held-out log-likelihood, skgmm_em / sklearn)")

# %%
# Scores across the grid
# ----------------------
fig, ax = plt.subplots(figsize=(6.5, 4))
params = ours.cv_results_["params"]
for covariance_type in grid["gmm__covariance_type"]:
    rows = [
        i for i, p in enumerate(params) if p["gmm__covariance_type"] == covariance_type
    ]
    n = [params[i]["gmm__n_components"] for i in rows]
    line = ax.plot(n, ours_scores[rows], marker="o", label=covariance_type)[0]
    ax.plot(
        n,
        theirs_scores[rows],
        marker="x",
        markersize=10,
        linestyle="none",
        color=line.get_color(),
    )
ax.set_xlabel("n_components")
ax.set_ylabel("mean held-out log-likelihood")
ax.set_title("skgmm_em (lines) and sklearn (crosses)")
ax.legend(title="covariance_type")
fig.tight_layout()

# %%
# The selected model
# ------------------
# The best pipeline is refit on all the data. Its clusters in the plane of
# the two principal components, compared with the three wine cultivars,
# which the clustering never saw (each cultivar drawn in the color of the
# cluster that best matches it).
best = ours.best_estimator_
Z = best[:-1].transform(X)
labels = best.predict(X)
ari = adjusted_rand_score(wine_class, labels)
print(f"adjusted Rand index against the cultivars: {ari:.3f}")
clusters, cultivars = linear_sum_assignment(-confusion_matrix(labels, wine_class))
cluster_of = np.empty(len(cultivars), dtype=int)
cluster_of[cultivars] = clusters
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5), sharex=True, sharey=True)
plot_ellipses(best[-1], Z, ax=axes[0], labels=labels)
axes[0].set_title(
    f"selected mixture: {ours.best_params_['gmm__n_components']} components, "
    f"{ours.best_params_['gmm__covariance_type']}"
)
plot_ellipses(
    best[-1],
    Z,
    ax=axes[1],
    labels=cluster_of[wine_class],
    ellipse_kws={"edgecolor": "0.4"},
)
axes[1].set_title("the same ellipses over the three cultivars")
for ax in axes:
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.label_outer()
fig.tight_layout()
plt.show()
