"""
=====================================================
Missing values: exact EM on incomplete data, imputing
=====================================================

:class:`~skgmm_em.GaussianMixture` accepts ``NaN`` for missing values. A row
with some values missing is not thrown away: EM uses its observed values,
through their marginal density in the E-step and through the conditional
expectations of the missing ones in the M-step. This example draws data
from a known three-component mixture in three dimensions, hides a quarter
of the values completely at random, and

* compares the fit on all the incomplete rows with the fit on the complete
  rows only, against the true parameters;
* checks that the log-likelihood of the observed data never decreases
  during EM;
* fills the hidden values with :class:`~skgmm_em.GaussianMixtureImputer`,
  with the column means, and with scikit-learn's
  :class:`~sklearn.impute.IterativeImputer`, and measures how far each is
  from the truth;
* uses the imputer as the first step of a Pipeline.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Ellipse
from scipy.optimize import linear_sum_assignment
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, SimpleImputer
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, cross_val_score
from sklearn.pipeline import make_pipeline

from skgmm_em import GaussianMixture, GaussianMixtureImputer
from skgmm_em.datasets import make_mixture
from skgmm_em.plotting import ellipse_geometry, plot_ellipses, plot_history

TRUE = {
    "weights": np.array([0.45, 0.35, 0.2]),
    "means": np.array([[0.0, 0.0, 0.0], [4.0, 3.5, 1.0], [0.5, 5.0, 4.0]]),
    "covariances": np.array(
        [
            [[1.5, 1.0, 0.5], [1.0, 1.5, 0.3], [0.5, 0.3, 1.0]],
            [[1.0, -0.7, 0.2], [-0.7, 1.2, 0.0], [0.2, 0.0, 0.8]],
            [[0.8, 0.3, -0.4], [0.3, 0.8, 0.2], [-0.4, 0.2, 1.0]],
        ]
    ),
}

# %%
# Data missing completely at random
# ---------------------------------
#
# Each value is hidden independently with probability 0.25, whatever the
# values are (MCAR). With three features, a row is complete with
# probability 0.75³ ≈ 0.42, so dropping the incomplete rows would throw
# away more than half of the data, and more than half of the observed
# values with it.
X, y = make_mixture(1500, **TRUE, random_state=0)
hidden = np.random.RandomState(1).rand(*X.shape) < 0.25
X_missing = np.where(hidden, np.nan, X)
complete = ~hidden.any(axis=1)

print(f"{hidden.mean():.1%} of the values are missing")
print(f"{complete.sum()} of {len(X)} rows are complete")
print(f"{hidden.all(axis=1).sum()} rows have every value missing")

# %%
# All rows, or only the complete ones
# -----------------------------------
#
# Both fits start from the complete rows (the built-in initializers need
# complete data); the first then runs EM on every row. The components are
# matched to the true ones by their means before comparing.
fit_all = GaussianMixture(3, tol=1e-6, random_state=0).fit(X_missing)
fit_complete = GaussianMixture(3, tol=1e-6, random_state=0).fit(X_missing[complete])


def errors(gm):
    """Largest absolute error of the weights, means and covariances."""
    distance = np.linalg.norm(TRUE["means"][:, None] - gm.means_[None], axis=2)
    _, order = linear_sum_assignment(distance)
    return [
        np.max(np.abs(getattr(gm, name)[order] - TRUE[key]))
        for name, key in [
            ("weights_", "weights"),
            ("means_", "means"),
            ("covariances_", "covariances"),
        ]
    ]


print("largest absolute error     rows   weights   means   covariances")
for name, gm, n_rows in [
    ("all rows (with NaN)", fit_all, len(X)),
    ("complete rows only", fit_complete, complete.sum()),
]:
    w_err, m_err, c_err = errors(gm)
    print(f"{name:<22} {n_rows:>8}   {w_err:>7.3f}   {m_err:>5.3f}   {c_err:>11.3f}")

# %%
# Under MCAR both estimates are consistent, but the one that uses every
# observed value has less variance. The solid ellipses are the fitted
# components (one and two standard deviations, marginal over the first two
# features), the dashed black ones the true components and the crosses the
# true means. The points are the rows whose first two features are both
# observed.
both_observed = ~hidden[:, :2].any(axis=1)
fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharex=True, sharey=True)
for ax, gm, title in [
    (axes[0], fit_all, f"EM on all {len(X)} incomplete rows"),
    (axes[1], fit_complete, f"EM on the {complete.sum()} complete rows"),
]:
    ax.scatter(*X_missing[both_observed, :2].T, s=5, color="0.7")
    plot_ellipses(gm, ax=ax, sigmas=(1, 2))
    for mean, cov in zip(TRUE["means"], TRUE["covariances"], strict=True):
        for n_sigma in (1, 2):
            width, height, angle = ellipse_geometry(cov[:2, :2], n_sigma)
            ax.add_patch(
                Ellipse(
                    mean[:2],
                    width,
                    height,
                    angle=angle,
                    fill=False,
                    linestyle="--",
                    edgecolor="black",
                    linewidth=0.8,
                )
            )
    ax.scatter(*TRUE["means"][:, :2].T, marker="x", s=100, color="black", zorder=3)
    ax.set_title(title)
    ax.set_aspect("equal")
fig.tight_layout()

# %%
# The learning curve
# ------------------
#
# With missing values, EM maximizes the likelihood of the *observed* data,
# and no iteration can decrease it. ``history_`` of the fit on all rows
# records it at every iteration, with the largest change of the weights,
# means and covariances.
curve = fit_all.history_["log_likelihood"]
print(
    f"{fit_all.n_iter_} iterations, mean log-likelihood of the observed values "
    f"{curve[0]:.5f} -> {curve[-1]:.5f}; smallest change between two "
    f"iterations: {np.diff(curve).min():+.1e}"
)
axes = plot_history(fit_all)
axes[0].figure.tight_layout()

# %%
# Imputation
# ----------
#
# :class:`~skgmm_em.GaussianMixtureImputer` fits a mixture to the incomplete
# data as above, then replaces each missing value by its expectation given
# the row's observed values: a mixture of the components' regressions,
# weighted by how probable each component is given what was observed. The
# column mean ignores the observed values of the row, and
# :class:`~sklearn.impute.IterativeImputer` regresses each feature on the
# others with one linear model for the whole data set. The error is
# measured on the hidden values only.
imputers = {
    "column mean": SimpleImputer(strategy="mean"),
    "iterative (linear)": IterativeImputer(max_iter=25, random_state=0),
    "Gaussian mixture": GaussianMixtureImputer(3, random_state=0),
}
imputed = {name: imp.fit_transform(X_missing) for name, imp in imputers.items()}
rmse = {
    name: [
        np.sqrt(np.mean((filled[hidden[:, j], j] - X[hidden[:, j], j]) ** 2))
        for j in range(X.shape[1])
    ]
    + [np.sqrt(np.mean((filled[hidden] - X[hidden]) ** 2))]
    for name, filled in imputed.items()
}

print("RMSE on the hidden values   feature 0   feature 1   feature 2   all")
for name, values in rmse.items():
    print(f"{name:<25}" + "".join(f"{v:>12.3f}" for v in values))

# %%
# The same numbers as a bar chart.
colors = {
    "column mean": "tab:orange",
    "iterative (linear)": "tab:purple",
    "Gaussian mixture": "tab:green",
}
fig, ax = plt.subplots(figsize=(7, 4))
positions = np.arange(X.shape[1] + 1)
bar_width = 0.8 / len(rmse)
for i, (name, values) in enumerate(rmse.items()):
    ax.bar(
        positions + (i - 1) * bar_width,
        values,
        width=bar_width,
        color=colors[name],
        label=name,
    )
ax.set_xticks(positions, [f"feature {j}" for j in range(X.shape[1])] + ["all"])
ax.set_ylabel("RMSE on the hidden values")
ax.set_ylim(0, 1.25 * max(max(values) for values in rmse.values()))
ax.legend(ncols=3, loc="upper center", fontsize="small")
fig.tight_layout()

# %%
# Where each method puts the rows whose first or second feature was hidden,
# over the rows with both observed (gray); the first panel shows those rows
# at their true values. The column mean puts them on two lines through the
# middle of the data. The linear regressions follow the overall trend of
# the data, which runs across the clusters, not within them. The mixture
# first works out which cluster a row probably belongs to from its observed
# values, then regresses within that cluster, so its points stay inside the
# clusters, on the lines of each cluster's own regression.
some_hidden = hidden[:, :2].any(axis=1)
panels = [("true values", X, "black")] + [
    (name, filled, colors[name]) for name, filled in imputed.items()
]
fig, axes = plt.subplots(1, 4, figsize=(15, 4.2), sharex=True, sharey=True)
for ax, (name, filled, color) in zip(axes, panels, strict=True):
    ax.scatter(*X[~some_hidden, :2].T, s=4, color="0.8")
    ax.scatter(*filled[some_hidden, :2].T, s=6, color=color, alpha=0.7)
    ax.set_title(name)
    ax.set_xlabel("feature 0")
    ax.set_aspect("equal")
axes[0].set_ylabel("feature 1")
fig.tight_layout()

# %%
# In a Pipeline
# -------------
#
# The imputer is a transformer, so it can feed any scikit-learn model. Here
# a linear regression predicts a target computed from the complete data.
# Inside :func:`~sklearn.model_selection.cross_val_score` the imputer is fit
# on the training folds only, so the test folds do not leak into the
# imputation.
target = X @ np.array([1.0, -2.0, 0.5]) + np.random.RandomState(3).normal(
    scale=0.5, size=len(X)
)
cv = KFold(3, shuffle=True, random_state=0)
for name, imputer in [
    ("column mean", SimpleImputer(strategy="mean")),
    ("Gaussian mixture", GaussianMixtureImputer(3, random_state=0)),
]:
    pipe = make_pipeline(imputer, LinearRegression())
    r2 = cross_val_score(pipe, X_missing, target, cv=cv)
    print(f"{name:>16} imputation + linear regression: R² = {r2.mean():.3f}")
plt.show()
