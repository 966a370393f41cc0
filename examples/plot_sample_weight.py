"""
==========================================
Sample weights: survey data and repetition
==========================================

``fit(X, sample_weight=w)`` treats ``w`` as frequency weights: an integer
weight counts a row that many times, a weight of zero leaves it out, and
multiplying every weight by the same constant changes nothing. This example
shows the three uses met in practice:

* compressed data, where each distinct row comes with a count: the fit is
  the one on the expanded rows;
* a stratified survey that over-sampled one group: design weights (one over
  the sampling rate) give back the mixture weights of the population;
* weighted evaluation, and tuning with :class:`~sklearn.model_selection.GridSearchCV`,
  which routes the weights to ``fit`` and ``score`` through scikit-learn's
  metadata routing.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import sklearn
from sklearn.model_selection import GridSearchCV, KFold, train_test_split

from skgmm_em import GaussianMixture
from skgmm_em.datasets import make_mixture
from skgmm_em.plotting import COLORS, plot_ellipses

POPULATION = {
    "weights": [0.6, 0.3, 0.1],
    "means": [[0.0, 0.0], [5.0, 1.0], [2.0, 5.0]],
    "covariances": [
        [[2.0, 0.6], [0.6, 1.0]],
        [[1.0, -0.4], [-0.4, 1.5]],
        [[0.6, 0.0], [0.0, 0.6]],
    ],
}

# %%
# Integer weights are repeated rows
# ---------------------------------
#
# Draw 300 rows and give each a count between 0 and 3. Fitting the rows with
# their counts as ``sample_weight`` is the same as fitting the table with
# every row written out as many times as its count (rows of count 0
# disappear). The two fits agree to rounding, the initialization included:
# the built-in initializers see each distinct row once, with its total
# weight, in an order that does not depend on the order of the rows.
X, _ = make_mixture(300, **POPULATION, random_state=0)
counts = np.random.RandomState(1).randint(0, 4, size=len(X))
expanded = np.repeat(X, counts, axis=0)

weighted = GaussianMixture(3, random_state=0).fit(X, sample_weight=counts)
repeated = GaussianMixture(3, random_state=0).fit(expanded)

print(f"{len(X)} weighted rows vs {len(expanded)} repeated rows")
for name in ("weights_", "means_", "covariances_"):
    diff = np.max(np.abs(getattr(weighted, name) - getattr(repeated, name)))
    print(f"  max |difference| of {name:<13}: {diff:.1e}")

# %%
# Scaling every weight by the same constant, or shuffling the rows together
# with their weights, gives the same fit again.
order = np.random.RandomState(2).permutation(len(X))
scaled = GaussianMixture(3, random_state=0).fit(X, sample_weight=0.25 * counts)
shuffled = GaussianMixture(3, random_state=0).fit(X[order], sample_weight=counts[order])
for label, other in [("weights x 0.25", scaled), ("rows shuffled", shuffled)]:
    diff = max(
        np.max(np.abs(getattr(weighted, name) - getattr(other, name)))
        for name in ("weights_", "means_", "covariances_")
    )
    print(f"{label:>15}: max |difference| of the parameters {diff:.1e}")

# %%
# Design weights undo over-sampling
# ---------------------------------
#
# A population has three groups in proportions 0.6, 0.3 and 0.1. A survey
# samples the small third group at five times the rate of the others, so
# that it has enough respondents to be studied; in the sample it makes up
# about a third of the rows instead of a tenth. Fitted to the raw sample, a
# mixture describes the sample, not the population: the third component's
# weight is far too large. Giving each respondent its *design weight*, the
# inverse of its sampling rate (1 for the first two groups, 1/5 for the
# third), makes the weighted sample stand for the population.
rng = np.random.RandomState(3)
population, group = make_mixture(20_000, **POPULATION, random_state=rng)
rate = np.where(group == 2, 0.25, 0.05)
in_sample = rng.rand(len(population)) < rate
X_survey, group_survey = population[in_sample], group[in_sample]
design_weight = np.where(group_survey == 2, 1 / 5, 1.0)

unweighted = GaussianMixture(3, n_init=3, random_state=0).fit(X_survey)
design = GaussianMixture(3, n_init=3, random_state=0).fit(
    X_survey, sample_weight=design_weight
)


def match_components(gm, means):
    """Order of gm's components matching the rows of ``means``."""
    distance = np.linalg.norm(gm.means_[None, :, :] - means[:, None, :], axis=2)
    return np.argmin(distance, axis=1)


true_means = np.array(POPULATION["means"])
true_weights = np.array(POPULATION["weights"])
sample_share = np.bincount(group_survey, minlength=3) / len(group_survey)
print(f"{len(X_survey)} respondents")
print("group   population   sample   unweighted fit   design-weighted fit")
for k in range(3):
    u = unweighted.weights_[match_components(unweighted, true_means)[k]]
    d = design.weights_[match_components(design, true_means)[k]]
    print(
        f"{k:>5}   {true_weights[k]:>10.3f}   {sample_share[k]:>6.3f}"
        f"   {u:>14.3f}   {d:>19.3f}"
    )

# %%
# The means and covariances are almost the same in both fits: weighting
# mostly moves probability between the components. The plots write each
# fitted weight next to its component's mean; the black crosses are the
# population means. Points are drawn with areas proportional to their weight.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), sharex=True, sharey=True)
sizes = 14 * design_weight
for ax, gm, title, size in [
    (axes[0], unweighted, "unweighted: describes the sample", 14),
    (axes[1], design, "design weights: describes the population", sizes),
]:
    colors = np.array(COLORS)[gm.predict(X_survey) % len(COLORS)]
    ax.scatter(*X_survey.T, s=size, color=colors, alpha=0.6, linewidths=0)
    plot_ellipses(gm, ax=ax, sigmas=(1, 2))
    ax.scatter(*true_means.T, marker="x", s=90, color="black", label="true mean")
    for k, mean in enumerate(gm.means_):
        ax.annotate(
            f"w = {gm.weights_[k]:.2f}",
            mean,
            xytext=(12, 12),
            textcoords="offset points",
            fontweight="bold",
            bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.8},
        )
    ax.set_title(title)
    ax.set_aspect("equal")
axes[0].legend(loc="lower right", fontsize="small")
fig.tight_layout()

# %%
# Weighted evaluation
# -------------------
#
# ``score(X, sample_weight=w)`` is the weighted mean log-likelihood
# ``sum(w * score_samples(X)) / sum(w)``: the average log-likelihood per
# member of the population rather than per respondent. On held-out
# respondents the design-weighted model scores better under the population
# weighting, and the unweighted one under the sample's.
X_train, X_test, w_train, w_test = train_test_split(
    X_survey, design_weight, test_size=0.3, random_state=0
)
fits = {
    "unweighted fit": GaussianMixture(3, n_init=3, random_state=0).fit(X_train),
    "design-weighted fit": GaussianMixture(3, n_init=3, random_state=0).fit(
        X_train, sample_weight=w_train
    ),
}
print("held-out mean log-likelihood   per respondent   per population member")
for name, gm in fits.items():
    print(
        f"{name:>28}   {gm.score(X_test):>14.4f}"
        f"   {gm.score(X_test, sample_weight=w_test):>21.4f}"
    )

# %%
# Tuning with weights: metadata routing
# -------------------------------------
#
# :class:`~sklearn.model_selection.GridSearchCV` passes ``sample_weight`` on
# only when metadata routing is enabled and the estimator says where it
# wants the weights: ``set_fit_request`` for ``fit`` and
# ``set_score_request`` for ``score``. Each split then fits on the weights
# of its training rows and scores with those of its test rows. The
# ``config_context`` keeps the setting local to this block;
# ``sklearn.set_config(enable_metadata_routing=True)`` would turn it on for
# the whole session.
with sklearn.config_context(enable_metadata_routing=True):
    estimator = (
        GaussianMixture(n_init=2, random_state=0)
        .set_fit_request(sample_weight=True)
        .set_score_request(sample_weight=True)
    )
    search = GridSearchCV(
        estimator,
        {"n_components": [1, 2, 3, 4], "covariance_type": ["full", "diag"]},
        cv=KFold(3, shuffle=True, random_state=0),
    )
    search.fit(X_survey, sample_weight=design_weight)

print(f"best parameters: {search.best_params_}")
print(f"best weighted held-out log-likelihood: {search.best_score_:.4f}")

# %%
# The cross-validated weighted log-likelihood of every candidate.
results = search.cv_results_
fig, ax = plt.subplots(figsize=(6, 4))
for covariance_type, marker in [("full", "o"), ("diag", "s")]:
    rows = results["param_covariance_type"] == covariance_type
    ax.errorbar(
        results["param_n_components"][rows].astype(int),
        results["mean_test_score"][rows],
        yerr=results["std_test_score"][rows],
        marker=marker,
        capsize=3,
        label=f"covariance_type={covariance_type!r}",
    )
ax.set_xticks([1, 2, 3, 4])
ax.set_xlabel("n_components")
ax.set_ylabel("weighted held-out mean log-likelihood")
ax.set_title("GridSearchCV with sample_weight routed to fit and score")
ax.legend()
fig.tight_layout()
plt.show()
